"""The pages a respondent sees: the emailed link, the notice and consent, their answers.

No account is needed: the personal link's token is the key. As with invitations,
the emailed `/surveys/respond/<token>/` only puts the token in the session and
redirects to `/surveys/respond/`, so the token never stays in the address bar,
history, a Referer header or a later page's address; opening the link changes
nothing (mail scanners open links too). Every page checks the token again, so a
re-issued link or a closed survey stops a session at once.

A respondent sees the survey's wording, the roster (names and organisations, by
search) and their own answers, nothing else. Everything is a plain form POST that
redirects back (works without JavaScript); htmx only fills the roster matches as
they type. Refused tokens are counted per client address (Django's cache) and
answered 429 once there have been too many in the hour.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.module_loading import import_string
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from stakeholders.http import HtmxHttpRequest
from stakeholders.models import RelationshipKind, ResponseStatus, SurveyResponse
from stakeholders.surveys.roster import primary_organisations, roster_matches
from stakeholders.surveys.services import (
    AnswerInput,
    response_consent,
    response_save,
    response_withdraw,
)
from stakeholders.surveys.tokens import TOKEN_MAX, LinkState, link_state, response_for_token

SESSION_KEY = "survey_token"
TEMPLATE = "stakeholders/surveys/respond.html"
REFUSED_TEMPLATE = "stakeholders/surveys/respond_refused.html"
ROSTER_TEMPLATE = "stakeholders/surveys/respond.html#roster-matches"
# Refused links per client address per hour before the link page answers 429.
REFUSALS_PER_HOUR = 20
_REFUSALS_KEY = "survey-link-refusals:{}"
SCALE = [1, 2, 3, 4, 5]


def _refusals_key(request: HtmxHttpRequest) -> str:
    # The client's address as login throttling sees it (behind deploy/'s proxy, with
    # TRUSTED_PROXY, the one the proxy names).
    callable_path = getattr(settings, "AXES_CLIENT_IP_CALLABLE", None)
    if callable_path:
        address = import_string(callable_path)(request)
    else:
        address = request.META.get("REMOTE_ADDR", "")
    return _REFUSALS_KEY.format(address or "unknown")


def _too_many(request: HtmxHttpRequest) -> bool:
    return cache.get(_refusals_key(request), 0) >= REFUSALS_PER_HOUR


def _count_refusal(request: HtmxHttpRequest) -> None:
    key = _refusals_key(request)
    if cache.add(key, 1, timeout=3600):
        return
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=3600)


def _refused(request: HtmxHttpRequest, state: str, response: SurveyResponse | None) -> HttpResponse:
    if state == "throttled":
        status = 429
    elif state == LinkState.CLOSED:
        status = 410
    else:
        status = 404
    context = {"state": state}
    if response is not None and state == LinkState.CLOSED:
        context["title"] = response.survey.title
    return render(request, REFUSED_TEMPLATE, context, status=status)


@never_cache
@require_http_methods(["GET", "HEAD"])
def survey_open(request: HtmxHttpRequest, token: str) -> HttpResponse:
    """The emailed link: keep the token in the session, then show the survey."""
    if _too_many(request):
        return _refused(request, "throttled", None)
    request.session[SESSION_KEY] = token[:TOKEN_MAX]
    return redirect("stakeholders:survey_respond")


def _current(request: HtmxHttpRequest) -> tuple[SurveyResponse | None, HttpResponse | None]:
    """The session's response, or the page refusing it."""
    if _too_many(request):
        return None, _refused(request, "throttled", None)
    token = request.session.get(SESSION_KEY, "")
    response = response_for_token(token)
    state = link_state(response)
    if state == LinkState.UNKNOWN and token:
        _count_refusal(request)
    if state != LinkState.OPEN:
        return None, _refused(request, state, response)
    return response, None


@dataclass(frozen=True)
class _Answer:
    """One person named, as the page shows it."""

    id: int
    name: str
    organisation: str
    unlisted: bool
    review: str
    strength: int | None
    trust: int | None


@dataclass(frozen=True)
class _Question:
    kind: str
    label: str
    wording: str
    answers: list[_Answer]
    searched: str  # what was typed in its search box (without JavaScript)
    matches: list  # the roster's matches for it


def _questions(
    response: SurveyResponse, searched: dict[str, str], found: dict[str, list]
) -> list[_Question]:
    """The survey's questions with the respondent's answers (three queries)."""
    answers: dict[str, list[_Answer]] = {}
    rows = list(response.answers.select_related("target").order_by("pk"))
    organisations = primary_organisations([a.target_id for a in rows if a.target_id])
    for a in rows:
        unlisted = bool(a.unlisted_name)
        answers.setdefault(a.kind, []).append(
            _Answer(
                id=a.pk,
                name=a.unlisted_name if unlisted else a.target.name,
                organisation=a.unlisted_organisation
                if unlisted
                else organisations.get(a.target_id, ""),
                unlisted=unlisted,
                review=a.get_review_display() if unlisted else "",
                strength=a.strength,
                trust=a.trust,
            )
        )
    return [
        _Question(
            q.kind,
            RelationshipKind(q.kind).label,
            q.wording,
            answers.get(q.kind, []),
            searched.get(q.kind, ""),
            found.get(q.kind, []),
        )
        for q in response.survey.questions.all()
    ]


def _inputs(response: SurveyResponse, post) -> list[tuple[int, AnswerInput]]:
    """The answers kept so far (by id), with the strength and trust chosen on the page."""

    def number(key: str, current: int | None) -> int | None | str:
        if key not in post:
            return current
        value = post.get(key, "").strip()
        return value or None

    return [
        (
            a.pk,
            AnswerInput(
                kind=a.kind,
                target_id=None if a.unlisted_name else a.target_id,
                unlisted_name=a.unlisted_name,
                unlisted_organisation=a.unlisted_organisation,
                strength=number(f"strength-{a.pk}", a.strength),
                trust=number(f"trust-{a.pk}", a.trust),
            ),
        )
        for a in response.answers.order_by("pk")
    ]


def _answers_after(response: SurveyResponse, post) -> tuple[list[AnswerInput], bool]:
    """What the POST asks for: the answers to keep, and whether to submit them."""
    remove = post.get("remove")
    inputs = [answer for pk, answer in _inputs(response, post) if str(pk) != remove]
    if add := post.get("add"):
        kind, _, pk = add.partition(":")
        if pk.isascii() and pk.isdecimal() and len(pk) < 12:
            inputs.append(AnswerInput(kind=kind, target_id=int(pk)))
    if kind := post.get("add_unlisted"):
        inputs.append(
            AnswerInput(
                kind=kind,
                unlisted_name=post.get(f"unlisted-name-{kind}", ""),
                unlisted_organisation=post.get(f"unlisted-organisation-{kind}", ""),
            )
        )
    return inputs, post.get("action") == "submit"


def _found(response: SurveyResponse, post) -> dict[str, list]:
    """Enter in a search box (or its Find button, without JavaScript): the matches."""
    kinds = [q.kind for q in response.survey.questions.all()]
    kind = post.get("find", "")
    if post.get("action") == "enter":
        # Enter submits the form's first button: find in the box that holds text.
        kind = next((k for k in kinds if post.get(f"q-{k}", "").strip()), "")
    if kind not in kinds:
        return {}
    return {kind: roster_matches(response, post.get(f"q-{kind}", ""))}


def _back(post, submitted: bool) -> str:
    """Where a change returns to: the question it was made in, still changing answers."""
    url = reverse("stakeholders:survey_respond")
    if post.get("change") == "1" and not submitted:
        url += "?change=1"
    kind = post.get("add_unlisted") or post.get("add", "").partition(":")[0]
    return f"{url}#q-{kind}" if kind in RelationshipKind.values else url


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def survey_respond(request: HtmxHttpRequest) -> HttpResponse:
    """The survey: the notice and consent, then the questions, then what was submitted."""
    response, refusal = _current(request)
    if refusal is not None:
        return refusal
    errors: list[str] = []
    found: dict[str, list] = {}
    searched: dict[str, str] = {}
    confirm_withdraw = False
    if request.method == "POST":
        post = request.POST
        try:
            if "consent" in post:
                response_consent(response=response, consent=post["consent"] == "yes")
                return redirect("stakeholders:survey_respond")
            if post.get("action") == "withdraw":
                if post.get("confirm") == "yes":
                    response_withdraw(response=response)
                    return redirect("stakeholders:survey_respond")
                confirm_withdraw = True
            elif post.get("find") or post.get("action") == "enter":
                found = _found(response, post)
                searched = {kind: post.get(f"q-{kind}", "") for kind in found}
                # Keep the strength and trust chosen so far before showing the matches.
                kept = [answer for _, answer in _inputs(response, post)]
                response_save(response=response, answers=kept)
            else:
                answers, submit = _answers_after(response, post)
                response_save(response=response, answers=answers, submit=submit)
                if post.get("action") in ("save", "submit"):
                    request.session["survey_saved"] = post["action"]
                return redirect(_back(post, submit))
        except ValidationError as error:
            errors = error.messages
        response.refresh_from_db()
    survey = response.survey
    # A submitted response is changed on the same page (?change=1); a search or an
    # error while changing it stays there.
    editing = response.status == ResponseStatus.CONSENTED or (
        response.status == ResponseStatus.SUBMITTED
        and (request.GET.get("change") == "1" or bool(errors or found))
    )
    context = {
        "response": response,
        "survey": survey,
        "closes": date_format(timezone.localtime(survey.closes_at), "j F Y, H:i"),
        "questions": _questions(response, searched, found)
        if response.status in (ResponseStatus.CONSENTED, ResponseStatus.SUBMITTED)
        else [],
        "editing": editing,
        "errors": errors,
        "confirm_withdraw": confirm_withdraw,
        "saved": request.session.pop("survey_saved", None),
        "scale": SCALE,
    }
    return render(request, TEMPLATE, context, status=400 if errors else 200)


@never_cache
@require_http_methods(["POST"])
def survey_roster(request: HtmxHttpRequest) -> HttpResponse:
    """The roster's matches for what the respondent has typed (htmx): buttons to add.

    Posted, so that the name typed stays out of the address (and so out of any log of
    addresses); the question's kind, not personal, is in the address.
    """
    response, refusal = _current(request)
    if refusal is not None:
        return refusal
    kind = request.GET.get("kind", "")
    if kind not in {q.kind for q in response.survey.questions.all()}:
        return HttpResponse(status=400)
    searched = request.POST.get(f"q-{kind}", "")
    context = {"kind": kind, "matches": roster_matches(response, searched), "searched": searched}
    return render(request, ROSTER_TEMPLATE, context)
