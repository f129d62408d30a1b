"""The editor's survey pages: create a survey, follow who has answered, and act on it.

Any member sees the list of surveys with their response rates (counts only). Who has
answered is personal data about taking part, so a survey's tracking page, its
download and every action on it are for editors and owners (403 for viewers,
404 for anyone else). Each action is a plain POST that redirects back with a message,
so everything works without JavaScript. Personal links are never shown on the page:
"Copy link" issues a new one (the old one stops working) and shows it once.
"""

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from stakeholders.exports.downloads import table_download
from stakeholders.exports.tables import about_rows
from stakeholders.http import HtmxHttpRequest, Refusal, member_page
from stakeholders.models import (
    Membership,
    Organisation,
    Person,
    ResponseStatus,
    Role,
    Seniority,
    Survey,
    SurveyAnswer,
    SurveyResponse,
)
from stakeholders.surveys import emails, services
from stakeholders.surveys.emails import (
    AddressesRefused,
    SendingStopped,
    survey_invitations_send,
    survey_reminders_send,
)
from stakeholders.surveys.forms import (
    EVERYONE,
    ORGANISATIONS,
    SurveyDraft,
    closing_moment,
    question_pairs,
    survey_draft_from_post,
    survey_draft_initial,
)
from stakeholders.surveys.tracking import (
    invitees,
    organisation_choices,
    response_rows,
    roster_choices,
    survey_summaries,
    survey_tracking,
)

LIST_TEMPLATE = "stakeholders/surveys/list.html"
NEW_TEMPLATE = "stakeholders/surveys/new.html"
DETAIL_TEMPLATE = "stakeholders/surveys/detail.html"
RESPONSES_KIND = "survey-responses"  # the download's file name stem
REVIEW_CHOICES = ("existing", "new", "reject")

editor_page = member_page(role=Role.EDITOR)
editor_action = member_page(methods=("POST",), role=Role.EDITOR)


def _survey(membership: Membership, pk: int) -> Survey:
    return get_object_or_404(
        Survey.objects.select_related("workspace"), pk=pk, workspace=membership.workspace
    )


def _base_url(request: HttpRequest) -> str:
    """Scheme and host the editor is using: emailed links point at the same site."""
    return request.build_absolute_uri("/").rstrip("/")


def _people(n: int) -> str:
    return f"{n} {'person' if n == 1 else 'people'}"


@member_page
def surveys(request: HtmxHttpRequest, membership: Membership) -> HttpResponse:
    """The workspace's surveys with their response rates; editors start a new one here."""
    context = {
        "workspace": membership.workspace,
        "membership": membership,
        "can_edit": membership.can_edit,
        "surveys": survey_summaries(membership.workspace_id),
    }
    return render(request, LIST_TEMPLATE, context)


def _new_context(membership: Membership, draft: SurveyDraft, errors: dict) -> dict:
    return {
        "workspace": membership.workspace,
        "membership": membership,
        "can_edit": True,
        "draft": draft,
        "errors": errors,
        "organisations": organisation_choices(membership.workspace_id),
        "everyone": EVERYONE,
        "by_organisation": ORGANISATIONS,
        "active_people": Person.objects.filter(
            workspace_id=membership.workspace_id, active=True
        ).count(),
    }


class _Rollback(Exception):
    """The form has a problem of its own: nothing the service wrote may stay."""


@member_page(methods=("GET", "POST"), role=Role.EDITOR)
def survey_new(request: HtmxHttpRequest, membership: Membership) -> HttpResponse:
    """Create a survey: its wording, questions, closing date and who is invited."""
    workspace = membership.workspace
    if request.method != "POST":
        draft = survey_draft_initial(workspace, today=timezone.localdate())
        return render(request, NEW_TEMPLATE, _new_context(membership, draft, {}))
    draft = survey_draft_from_post(request.POST)
    errors: dict[str, str] = {}
    closes_at, problem = closing_moment(draft.closes_on)
    if problem:
        errors["closes_at"] = problem
    people = []
    if draft.invite == ORGANISATIONS:
        if not draft.organisation_ids:
            errors["people"] = "Who is invited: tick at least one organisation."
        else:
            people = invitees(workspace.pk, organisation_ids=draft.organisation_ids)
            if not people:
                errors["people"] = (
                    "Who is invited: nobody active has an affiliation now to the "
                    "organisations ticked."
                )
    else:
        people = invitees(workspace.pk)
    try:
        with transaction.atomic():
            survey = services.survey_create(
                workspace=workspace,
                user=request.user,
                title=draft.title,
                introduction=draft.introduction,
                privacy_notice=draft.privacy_notice,
                # A stand-in date lets the service check every other field at once.
                closes_at=closes_at or timezone.now() + datetime.timedelta(days=1),
                questions=question_pairs(draft),
                people=people,
                ask_strength=draft.ask_strength,
                ask_trust=draft.ask_trust,
            )
            if errors:
                raise _Rollback
    except ValidationError as exc:
        for field, texts in exc.message_dict.items():
            errors.setdefault(field, " ".join(texts))
    except _Rollback:
        pass
    else:
        messages.success(
            request,
            f"The survey “{survey.title}” is ready, with a personal link for "
            f"{_people(len(people))}. Email the invitations, or copy the links of "
            "people without an email address.",
        )
        return redirect("stakeholders:survey_detail", slug=workspace.slug, pk=survey.pk)
    return render(request, NEW_TEMPLATE, _new_context(membership, draft, errors), status=400)


def _detail_context(
    membership: Membership,
    survey: Survey,
    *,
    review_errors: dict | None = None,
    review_form: dict | None = None,
    **extra,
) -> dict:
    tracking = survey_tracking(survey)
    review_errors, review_form = review_errors or {}, review_form or {}
    return {
        "workspace": membership.workspace,
        "membership": membership,
        "can_edit": True,
        "survey": survey,
        "tracking": tracking,
        "questions": list(survey.questions.all()),
        "roster": roster_choices(membership.workspace_id) if tracking.pending else [],
        "organisations": (
            Organisation.objects.filter(workspace=membership.workspace).order_by("name", "pk")
            if tracking.pending
            else []
        ),
        "seniorities": Seniority.choices,
        "new_link": None,
        # Each name to review with its form's problems and values (after a refused post).
        "pending": [
            (a, review_errors.get(a.id, {}), review_form.get(a.id, {})) for a in tracking.pending
        ],
        "errors": {},
        **extra,
    }


@editor_page
def survey_detail(request: HtmxHttpRequest, membership: Membership, pk: int) -> HttpResponse:
    """Tracking: who has answered, rates per organisation, emails, links and names to review."""
    survey = _survey(membership, pk)
    return render(request, DETAIL_TEMPLATE, _detail_context(membership, survey))


def _back(survey: Survey) -> HttpResponse:
    return redirect("stakeholders:survey_detail", slug=survey.workspace.slug, pk=survey.pk)


def _refuse(membership: Membership, survey: Survey, message: str, **extra) -> Refusal:
    """The tracking page again with the problem at the top (400)."""
    context = _detail_context(membership, survey, errors={"action": message}, **extra)
    return Refusal(message, template=DETAIL_TEMPLATE, context=context)


@editor_action
def survey_link(request: HtmxHttpRequest, membership: Membership, pk: int) -> HttpResponse:
    """Issue one person a new personal link and show it once; their old link stops working."""
    survey = _survey(membership, pk)
    raw = request.POST.get("response", "")
    response = (
        SurveyResponse.objects.filter(survey=survey, pk=int(raw)).select_related("person").first()
        if raw.isdecimal() and raw.isascii() and len(raw) < 12
        else None
    )
    if response is None:
        raise _refuse(membership, survey, "Choose the person whose link to copy.")
    if not services.survey_is_open(survey):
        raise _refuse(membership, survey, "This survey has closed: its links no longer work.")
    services.response_link_reissue(response=response)
    # Shown in this answer only: the address is never stored in a message or the page.
    new_link = {
        "response_id": response.pk,
        "name": response.person.name,
        "url": _absolute_link(request, response),
    }
    return render(request, DETAIL_TEMPLATE, _detail_context(membership, survey, new_link=new_link))


def _absolute_link(request: HttpRequest, response: SurveyResponse) -> str:
    return emails.survey_link(base_url=_base_url(request), response=response)


def _emailed(
    request: HttpRequest, membership: Membership, survey: Survey, send, what: str
) -> HttpResponse:
    """Send with `send`; say how many went, or refuse with the reason it could not start."""
    try:
        sent = send(survey=survey, base_url=_base_url(request))
    except ValidationError as exc:
        raise _refuse(membership, survey, " ".join(exc.messages)) from None
    except SendingStopped as stopped:
        messages.error(
            request,
            f"We sent {_emails(stopped.sent)}, then the email server stopped answering. "
            f"Try again later: the people not emailed yet will get their {what} then.",
        )
        return _back(survey)
    except AddressesRefused as refused:
        messages.error(
            request,
            f"We sent {_emails(refused.sent)} ({what}). The email server refused the address "
            f"of {_listed(refused.names)}: check it in their record, then send again.",
        )
        return _back(survey)
    messages.success(request, f"We sent {_emails(sent)} ({what}).")
    return _back(survey)


def _emails(n: int) -> str:
    return f"{n} email{'' if n == 1 else 's'}"


def _listed(names: list[str]) -> str:
    """ "Ann", "Ann and Bob", "Ann, Bob and Cy"."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


@editor_action
def survey_invite(request: HtmxHttpRequest, membership: Membership, pk: int) -> HttpResponse:
    """Email their link to everyone with an address who has not been emailed yet."""
    return _emailed(
        request, membership, _survey(membership, pk), survey_invitations_send, "invitations"
    )


@editor_action
def survey_remind(request: HtmxHttpRequest, membership: Membership, pk: int) -> HttpResponse:
    """Remind everyone with an address who has not submitted, declined or withdrawn."""
    return _emailed(
        request, membership, _survey(membership, pk), survey_reminders_send, "reminders"
    )


@editor_action
def survey_close(request: HtmxHttpRequest, membership: Membership, pk: int) -> HttpResponse:
    """Close the survey now (the editor ticks to confirm): every link stops working."""
    survey = _survey(membership, pk)
    if request.POST.get("confirm") != "yes":
        raise _refuse(
            membership,
            survey,
            "Close the survey now: tick to confirm that every link should stop working.",
        )
    try:
        services.survey_close(survey=survey)
    except ValidationError as exc:
        raise _refuse(membership, survey, " ".join(exc.messages)) from None
    messages.success(
        request,
        "The survey is closed: the links no longer work. Submitted answers stay on the map.",
    )
    return _back(survey)


def _pick(model, workspace_id: int, raw: str):
    if not (raw.isdecimal() and raw.isascii() and len(raw) < 12):
        return None
    return model.objects.filter(workspace_id=workspace_id, pk=int(raw)).first()


@editor_action
def survey_review(
    request: HtmxHttpRequest, membership: Membership, pk: int, answer_pk: int
) -> HttpResponse:
    """Decide on a name not on the roster: add it as someone on the map, or do not add it."""
    survey = _survey(membership, pk)
    answer = get_object_or_404(
        SurveyAnswer.objects.select_related("response__person"),
        pk=answer_pk,
        response__survey=survey,
    )
    decision = request.POST.get("decision", "")
    form = {
        "decision": decision,
        "person": request.POST.get("person", ""),
        "organisation": request.POST.get("organisation", ""),
        "seniority": request.POST.get("seniority", ""),
    }
    errors: dict[str, str] = {}
    person = organisation = None
    if decision not in REVIEW_CHOICES:
        errors["decision"] = "Choose whether to add the name to the map, and how."
    elif decision == "existing":
        person = _pick(Person, membership.workspace_id, form["person"])
        if person is None:
            errors["person"] = "Choose the person on the map this name is."
    elif decision == "new":
        organisation = _pick(Organisation, membership.workspace_id, form["organisation"])
        if organisation is None:
            errors["organisation"] = "Choose the organisation of the new person."
        if form["seniority"] not in Seniority.values:
            errors["seniority"] = "Choose the seniority of the new person."
    if not errors:
        try:
            added = services.answer_review(
                answer=answer,
                add=decision != "reject",
                person=person,
                organisation=organisation,
                seniority=form["seniority"],
            )
        except ValidationError as exc:
            errors = {
                field if field != "__all__" else "decision": " ".join(texts)
                for field, texts in exc.message_dict.items()
            }
        else:
            if added is None:
                notice = f"{answer.unlisted_name} is not added to the map."
            else:
                notice = f"{answer.unlisted_name} is on the map as {added.name}."
                if answer.response.status == ResponseStatus.SUBMITTED:
                    notice += f" The tie {answer.response.person.name} reported is on the map."
            messages.success(request, notice)
            return _back(survey)
    message = f"{answer.unlisted_name}: " + " ".join(errors.values())
    raise _refuse(
        membership,
        survey,
        message,
        review_errors={answer.pk: errors},
        review_form={answer.pk: form},
    )


@editor_page
def survey_responses_csv(
    request: HttpRequest, membership: Membership, pk: int, fmt: str = "csv"
) -> HttpResponse:
    """One row per invited person: where they are with the survey (CSV, or .xlsx)."""
    survey = _survey(membership, pk)
    now = timezone.now()
    return table_download(
        response_rows(survey_tracking(survey, now=now)),
        fmt=fmt,
        workspace=membership.workspace,
        kind=RESPONSES_KIND,
        qualifiers=[f"survey-{survey.pk}"],
        day=timezone.localdate(now),
        notes=about_rows(RESPONSES_KIND, workspace=membership.workspace, now=now),
    )
