"""Survey writes: create and close a survey, and turn a person's answers into ties.

A submitted answer is a relationship whose source is the respondent, marked
"reported by the person" with the survey and the date. If an editor had entered
the same tie, the answer takes it over and keeps the editor's values in
`SurveyAnswer.previous`; withdrawing the answer (or dropping it on re-submission)
puts them back, and deletes a tie the answer alone made. Every write is recorded
in the history (django-simple-history) with a change reason naming the respondent.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from stakeholders.models import (
    Affiliation,
    Organisation,
    Person,
    Provenance,
    Relationship,
    RelationshipKind,
    ResponseStatus,
    Seniority,
    Survey,
    SurveyAnswer,
    SurveyQuestion,
    SurveyResponse,
    Workspace,
)
from stakeholders.services import workspace_data_changed
from stakeholders.surveys.tokens import new_nonce
from stakeholders.text import text_problem

# A tie needs a strength; a survey that does not ask records the middle of the scale.
STRENGTH_WHEN_NOT_ASKED = 3
NAME_MAX = SurveyAnswer._meta.get_field("unlisted_name").max_length
REASON_MAX = 100  # django-simple-history's history_change_reason column

DEFAULT_WORDING = {
    RelationshipKind.COLLABORATES: (
        "Who do you work with on shared work across the system? Name the people you "
        "work with most, in any organisation."
    ),
    RelationshipKind.TRUSTS: (
        "Whom do you trust to do what they say and to tell you how things really are? "
        "Include the people you go to for advice."
    ),
    RelationshipKind.REPORTS_TO: "Whom do you report to, formally or in practice?",
    RelationshipKind.INFLUENCES: (
        "Whose decisions do you influence? Name the people who act on your advice or views."
    ),
}
# The tie's values an answer may replace, restored when the answer goes.
_TIE_FIELDS = (
    "strength",
    "trust",
    "observed_on",
    "end_date",
    "provenance",
    "survey_id",
    "reported_on",
)


@dataclass(frozen=True)
class AnswerInput:
    """One person named for one question: on the roster (target_id) or not (a name)."""

    kind: str
    target_id: int | None = None
    unlisted_name: str = ""
    unlisted_organisation: str = ""
    strength: int | None = None
    trust: int | None = None


def survey_is_open(survey: Survey, *, now: datetime | None = None) -> bool:
    """Whether links still work: before the closing moment and not closed early."""
    return survey.closed_early_at is None and survey.closes_at > (now or timezone.now())


def _require_open(survey: Survey, now: datetime) -> None:
    if not survey_is_open(survey, now=now):
        raise ValidationError("This survey has closed: answers can no longer be changed.")


def _reason(response: SurveyResponse) -> str:
    return f"Survey answer from {response.person.name}"[:REASON_MAX]


@transaction.atomic
def survey_create(
    *,
    workspace: Workspace,
    user,
    title: str,
    introduction: str,
    privacy_notice: str,
    closes_at: datetime,
    questions: Sequence[tuple[str, str]],
    people: Iterable[Person],
    ask_strength: bool = True,
    ask_trust: bool = True,
    now: datetime | None = None,
) -> Survey:
    """A survey with its questions and a personal link for each person invited."""
    now = now or timezone.now()
    errors: dict[str, list[str]] = {}
    if closes_at <= now:
        errors["closes_at"] = ["The closing date must be in the future."]
    kinds = [kind for kind, _ in questions]
    if not questions:
        errors["questions"] = ["Choose at least one question to ask."]
    elif len(set(kinds)) < len(kinds):
        errors["questions"] = ["Each kind of tie can be asked about once."]
    for kind, wording in questions:
        if kind not in RelationshipKind.values:
            errors.setdefault("questions", []).append(f'"{kind}" is not a kind of tie.')
        elif not wording.strip():
            label = RelationshipKind(kind).label
            errors.setdefault("questions", []).append(f'Enter the wording of "{label}".')
    people = list(people)
    if not people:
        errors["people"] = ["Choose at least one person to invite."]
    elif any(person.workspace_id != workspace.pk for person in people):
        errors["people"] = ["Everyone invited must be in this workspace."]
    survey = Survey(
        workspace=workspace,
        title=" ".join(title.split()),
        introduction=introduction.strip(),
        privacy_notice=privacy_notice.strip(),
        closes_at=closes_at,
        ask_strength=ask_strength,
        ask_trust=ask_trust,
        created_by=user,
    )
    try:
        survey.full_clean(exclude=["workspace", "created_by"])
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    survey.save()
    bulk_create_with_history(
        [
            SurveyQuestion(survey=survey, kind=kind, wording=wording.strip(), position=position)
            for position, (kind, wording) in enumerate(questions)
        ],
        SurveyQuestion,
        default_user=user,
    )
    bulk_create_with_history(
        [
            SurveyResponse(survey=survey, person=person, email=person.email, nonce=new_nonce())
            for person in sorted(people, key=lambda p: p.pk)
        ],
        SurveyResponse,
        default_user=user,
    )
    return survey


def survey_close(*, survey: Survey, now: datetime | None = None) -> None:
    """Close a survey before its closing date: every link stops working."""
    now = now or timezone.now()
    _require_open(survey, now)
    survey.closed_early_at = now
    survey.save(update_fields=["closed_early_at"])


def response_link_reissue(*, response: SurveyResponse) -> None:
    """A new personal link for one person; the old one stops working."""
    response.nonce = new_nonce()
    response.save(update_fields=["nonce"])


def _locked(response: SurveyResponse) -> SurveyResponse:
    return (
        SurveyResponse.objects.select_for_update()
        .select_related("survey", "person")
        .get(pk=response.pk)
    )


@transaction.atomic
def response_consent(
    *, response: SurveyResponse, consent: bool, now: datetime | None = None
) -> None:
    """The person agrees to take part, or declines (which also withdraws any answers)."""
    now = now or timezone.now()
    response = _locked(response)
    _require_open(response.survey, now)
    if consent:
        if response.status in (ResponseStatus.CONSENTED, ResponseStatus.SUBMITTED):
            return
        response.status, response.consent_at = ResponseStatus.CONSENTED, now
    else:
        _answers_remove(response)
        response.status, response.declined_at = ResponseStatus.DECLINED, now
    response._change_reason = _reason(response)
    response.save()


def _answer_key(kind: str, target_id: int | None, name: str, organisation: str) -> tuple:
    if target_id is not None:
        return (kind, target_id)
    return (kind, None, name.casefold(), organisation.casefold())


def _scale(value, what: str, where: str, required: bool) -> tuple[int | None, str | None]:
    if value is None or value == "":
        return None, (f"{where}: choose {what} from 1 to 5." if required else None)
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = 0
    if not 1 <= number <= 5:
        return None, f"{where}: {what} must be a whole number from 1 to 5."
    return number, None


def _clean_answers(
    response: SurveyResponse, answers: Sequence[AnswerInput], *, complete: bool
) -> dict[tuple, SurveyAnswer]:
    """The answers as unsaved rows keyed by who and what, or every problem at once.

    `complete`: being submitted, so every answer needs its strength (when asked); a
    draft may leave it for later.
    """
    survey = response.survey
    asked = dict(survey.questions.values_list("kind", "wording"))
    wanted = {a.target_id for a in answers if a.target_id is not None}
    names = dict(
        Person.objects.filter(
            workspace_id=survey.workspace_id, active=True, pk__in=wanted
        ).values_list("pk", "name")
    )
    cleaned: dict[tuple, SurveyAnswer] = {}
    problems: list[str] = []
    for number, answer in enumerate(answers, 1):
        if answer.kind not in asked:
            problems.append(f"Answer {number}: this survey does not ask about that kind of tie.")
            continue
        label = RelationshipKind(answer.kind).label
        name = " ".join(answer.unlisted_name.split())
        organisation = " ".join(answer.unlisted_organisation.split())
        if answer.target_id is not None:
            if answer.target_id == response.person_id:
                problems.append(f'"{label}", answer {number}: you cannot name yourself.')
                continue
            if answer.target_id not in names:
                problems.append(
                    f'"{label}", answer {number}: that person is not on this survey\'s list.'
                )
                continue
            where = f'"{label}", {names[answer.target_id]}'
            name = organisation = ""
        else:
            where = f'"{label}", {name or f"answer {number}"}'
            if not name:
                problems.append(f"{where}: enter the name of the person.")
                continue
            for text, what in ((name, "name"), (organisation, "organisation")):
                if len(text) > NAME_MAX:
                    problems.append(f"{where}: the {what} must be {NAME_MAX} characters or fewer.")
                elif (problem := text_problem(text, subject=f"The {what}")) is not None:
                    problems.append(f"{where}: {problem}")
        strength, problem = _scale(
            answer.strength if survey.ask_strength else None,
            "how closely you work together",
            where,
            required=survey.ask_strength and complete,
        )
        if problem:
            problems.append(problem)
        trust, problem = _scale(
            answer.trust if survey.ask_trust else None, "trust", where, required=False
        )
        if problem:
            problems.append(problem)
        key = _answer_key(answer.kind, answer.target_id, name, organisation)
        if key in cleaned:
            problems.append(f"{where}: named twice for this question.")
            continue
        cleaned[key] = SurveyAnswer(
            response=response,
            kind=answer.kind,
            target_id=answer.target_id,
            unlisted_name=name,
            unlisted_organisation=organisation,
            strength=strength,
            trust=trust,
            review=SurveyAnswer.Review.NOT_NEEDED
            if answer.target_id is not None
            else SurveyAnswer.Review.PENDING,
        )
    if problems:
        raise ValidationError({"answers": problems})
    return cleaned


@transaction.atomic
def response_save(
    *,
    response: SurveyResponse,
    answers: Sequence[AnswerInput],
    submit: bool = False,
    now: datetime | None = None,
) -> None:
    """Keep a person's answers; on submission (or once submitted) they become ties at once.

    Once submitted, an answer still waiting for its strength makes no tie until it has one.
    """
    now = now or timezone.now()
    response = _locked(response)
    _require_open(response.survey, now)
    if response.status not in (ResponseStatus.CONSENTED, ResponseStatus.SUBMITTED):
        raise ValidationError("Agree to take part before answering.")
    cleaned = _clean_answers(response, answers, complete=submit)
    reason = _reason(response)
    old_all = list(response.answers.select_related("relationship"))
    old = {
        _answer_key(
            a.kind,
            None if a.unlisted_name else a.target_id,
            a.unlisted_name,
            a.unlisted_organisation,
        ): a
        for a in old_all
    }
    kept, created = [], []
    for key, fresh in cleaned.items():
        answer = old.pop(key, None)
        if answer is None:
            fresh._change_reason = reason
            created.append(fresh)
        elif (answer.strength, answer.trust) != (fresh.strength, fresh.trust):
            answer.strength, answer.trust = fresh.strength, fresh.trust
            answer._change_reason = reason
            kept.append(answer)
    # A name an editor added to the map holds its person; naming them again from the
    # roster would repeat the tie.
    dropped_ids = {a.pk for a in old.values()}
    held = {
        (a.kind, a.target_id)
        for a in old_all
        if a.target_id is not None and a.unlisted_name and a.pk not in dropped_ids
    }
    for fresh in created:
        if fresh.target_id is not None and (fresh.kind, fresh.target_id) in held:
            label = RelationshipKind(fresh.kind).label
            raise ValidationError(
                {"answers": [f'"{label}": you named this person already, by name.']}
            )
    dropped = list(old.values())
    _ties_release(response, dropped)
    for answer in dropped:
        answer._change_reason = reason
        answer.delete()
    bulk_update_with_history(kept, SurveyAnswer, ["strength", "trust"])
    bulk_create_with_history(created, SurveyAnswer)
    response.saved_at = now
    if submit and response.status != ResponseStatus.SUBMITTED:
        response.status, response.submitted_at = ResponseStatus.SUBMITTED, now
    elif submit:
        response.submitted_at = now
    response._change_reason = reason
    response.save()
    if response.status == ResponseStatus.SUBMITTED:
        _ties_apply(response.survey, [response.pk], now)


def _answers_remove(response: SurveyResponse) -> None:
    answers = list(response.answers.select_related("relationship"))
    _ties_release(response, answers)
    reason = _reason(response)
    for answer in answers:
        answer._change_reason = reason
        answer.delete()


@transaction.atomic
def response_withdraw(*, response: SurveyResponse, now: datetime | None = None) -> None:
    """Take back every answer: the ties they made go, editor-entered values come back."""
    now = now or timezone.now()
    response = _locked(response)
    _require_open(response.survey, now)
    if response.status not in (ResponseStatus.CONSENTED, ResponseStatus.SUBMITTED):
        raise ValidationError("There are no answers to withdraw.")
    _answers_remove(response)
    response.status, response.withdrawn_at = ResponseStatus.WITHDRAWN, now
    response._change_reason = _reason(response)
    response.save()


def _ties_release(response: SurveyResponse, answers: Iterable[SurveyAnswer]) -> None:
    """Undo what answers did to ties: restore an editor's values, or delete the tie."""
    reason = _reason(response)
    for answer in answers:
        tie = answer.relationship
        if tie is None:
            continue
        # A later survey's answer may own the tie now: then it is that answer's to undo.
        if tie.provenance == Provenance.REPORTED and tie.survey_id == response.survey_id:
            tie._change_reason = reason
            if answer.previous is None:
                tie.delete()
            else:
                for field in _TIE_FIELDS:
                    value = answer.previous.get(field)
                    if field in ("observed_on", "end_date", "reported_on") and value:
                        value = date.fromisoformat(value)
                    setattr(tie, field, value)
                tie.version += 1
                tie.save()
        answer.relationship, answer.previous = None, None
        if answer.pk is not None:
            answer._change_reason = reason
            answer.save(update_fields=["relationship", "previous"])


def _snapshot(tie: Relationship) -> dict:
    values = {field: getattr(tie, field) for field in _TIE_FIELDS}
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in values.items()}


def _ties_apply(survey: Survey, response_ids: Sequence[int], now: datetime) -> int:
    """Make the submitted answers of these responses ties, in bulk; returns ties written."""
    today = timezone.localdate(now)
    answers = SurveyAnswer.objects.filter(response_id__in=response_ids, target__isnull=False)
    if survey.ask_strength:
        answers = answers.filter(strength__isnull=False)  # not given yet: no tie yet
    answers = list(
        answers.exclude(review__in=[SurveyAnswer.Review.PENDING, SurveyAnswer.Review.REJECTED])
        .select_related("response__person")
        .order_by("pk")
    )
    if not answers:
        return 0
    sources = {a.response.person_id for a in answers}
    ties = {
        (t.source_id, t.target_id, t.kind): t
        for t in Relationship.objects.filter(source_id__in=sources)
    }
    created: list[tuple[SurveyAnswer, Relationship]] = []
    updated: list[Relationship] = []
    claimed: list[SurveyAnswer] = []
    for answer in answers:
        source = answer.response.person_id
        reason = _reason(answer.response)
        values = {
            "strength": answer.strength or STRENGTH_WHEN_NOT_ASKED,
            "trust": answer.trust,
            "observed_on": today,
            "end_date": None,
            "provenance": Provenance.REPORTED,
            "survey_id": survey.pk,
            "reported_on": today,
        }
        tie = ties.get((source, answer.target_id, answer.kind))
        if tie is None:
            tie = Relationship(source_id=source, target_id=answer.target_id, kind=answer.kind)
            for field, value in values.items():
                setattr(tie, field, value)
            tie._change_reason = reason
            created.append((answer, tie))
            continue
        if answer.relationship_id != tie.pk:
            answer.relationship = tie
            owned = tie.provenance == Provenance.REPORTED and tie.survey_id == survey.pk
            answer.previous = None if owned else _snapshot(tie)
            answer._change_reason = reason
            claimed.append(answer)
        # The date of the report moves only when the answer changes the tie.
        unchanged = all(
            getattr(tie, f) == values[f] for f in values if f not in ("observed_on", "reported_on")
        )
        if not unchanged:
            for field, value in values.items():
                setattr(tie, field, value)
            tie.version += 1
            tie._change_reason = reason
            updated.append(tie)
    if created:
        bulk_create_with_history([tie for _, tie in created], Relationship)
        for answer, tie in created:
            answer.relationship, answer.previous = tie, None
            answer._change_reason = _reason(answer.response)
            claimed.append(answer)
    if updated:
        bulk_update_with_history(updated, Relationship, list(_TIE_FIELDS) + ["version"])
    if claimed:
        bulk_update_with_history(claimed, SurveyAnswer, ["relationship", "previous"])
    if created or updated:
        # Bulk writes send no signals: queue the recompute ourselves.
        workspace_data_changed(workspace_id=survey.workspace_id)
    return len(created) + len(updated)


@transaction.atomic
def survey_answers_apply(*, survey: Survey, now: datetime | None = None) -> int:
    """Every submitted answer of a survey made a tie, in one transaction; returns ties written."""
    ids = list(
        survey.responses.filter(status=ResponseStatus.SUBMITTED).values_list("pk", flat=True)
    )
    return _ties_apply(survey, ids, now or timezone.now())


def _new_ref(workspace_id: int, answer: SurveyAnswer) -> str:
    base = f"SURVEY-{answer.response.survey_id}-{answer.pk}"
    taken = set(
        Person.objects.filter(workspace_id=workspace_id, ref__startswith=base).values_list(
            "ref", flat=True
        )
    )
    ref, suffix = base, 1
    while ref in taken:
        suffix += 1
        ref = f"{base}-{suffix}"
    return ref


@transaction.atomic
def answer_review(
    *,
    answer: SurveyAnswer,
    add: bool,
    person: Person | None = None,
    organisation: Organisation | None = None,
    seniority: str = "",
    now: datetime | None = None,
) -> Person | None:
    """An editor's decision on a name not on the roster: add it (as someone) or not."""
    answer = (
        SurveyAnswer.objects.select_for_update()
        .select_related("response__survey", "response__person")
        .get(pk=answer.pk)
    )
    if answer.review != SurveyAnswer.Review.PENDING:
        raise ValidationError("This name has been reviewed already.")
    response = answer.response
    workspace_id = response.survey.workspace_id
    if not add:
        answer.review = SurveyAnswer.Review.REJECTED
        answer.save(update_fields=["review"])
        return None
    if person is not None:
        if person.workspace_id != workspace_id:
            raise ValidationError({"person": "Choose a person in this workspace."})
        if person.pk == response.person_id:
            raise ValidationError({"person": "A person cannot have a tie with themselves."})
    else:
        errors = {}
        if organisation is None or organisation.workspace_id != workspace_id:
            errors["organisation"] = "Choose the organisation of the new person."
        if seniority not in Seniority.values:
            errors["seniority"] = "Choose the seniority of the new person."
        if errors:
            raise ValidationError(errors)
        person = Person(
            workspace_id=workspace_id,
            ref=_new_ref(workspace_id, answer),
            name=answer.unlisted_name,
            seniority=seniority,
        )
        person.full_clean()
        person.save()
        affiliation = Affiliation(person=person, organisation=organisation, is_primary=True)
        affiliation.full_clean()
        affiliation.save()
    named_already = response.answers.filter(
        ~Q(pk=answer.pk), kind=answer.kind, target=person
    ).exists()
    answer.review = SurveyAnswer.Review.ADDED
    if not named_already:
        answer.target = person
    answer.save(update_fields=["review", "target"])
    if response.status == ResponseStatus.SUBMITTED and not named_already:
        _ties_apply(response.survey, [response.pk], now or timezone.now())
    return person
