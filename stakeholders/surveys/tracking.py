"""Survey tracking for editors: who has answered, response rates, names to review.

Plain data from a fixed number of queries whatever the survey's size. Who has
answered is personal data about taking part: these reads serve editors' pages only.
Kept apart from surveys.reads (completeness and provenance, shown on every page).
"""

import datetime
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db.models import Count, FilteredRelation, Q
from django.utils import timezone

from stakeholders.models import (
    Organisation,
    Person,
    RelationshipKind,
    ResponseStatus,
    Survey,
    SurveyAnswer,
    SurveyResponse,
)
from stakeholders.selectors import in_force_q, primary_in_force_q
from stakeholders.surveys.reads import completeness_level

# Statuses still waiting for an answer: reminders go to them.
WAITING = (ResponseStatus.INVITED, ResponseStatus.CONSENTED)
RESPONSES_HEADER = (
    "Ref",
    "Name",
    "Organisation",
    "Status",
    "Consent given",
    "Submitted on",
    "Ties reported",
)
NO_ORGANISATION = "No organisation"


def _percent(part: int, whole: int) -> int | None:
    """A whole percentage, rounded down (79.9% is not 80%); None of nobody."""
    return part * 100 // whole if whole else None


def _is_open(closes_at: datetime.datetime, closed_early_at, now: datetime.datetime) -> bool:
    return closed_early_at is None and closes_at > now


# --- The list of surveys -----------------------------------------------------------


@dataclass(frozen=True)
class SurveySummary:
    """One survey in the workspace's list: when it closes and how many have answered."""

    id: int
    title: str
    closes_at: datetime.datetime
    closed_early_at: datetime.datetime | None
    is_open: bool
    invited: int
    submitted: int

    @property
    def percent(self) -> int | None:
        return _percent(self.submitted, self.invited)

    @property
    def closed_on(self) -> datetime.datetime:
        """When links stopped (or stop) working."""
        return self.closed_early_at or self.closes_at


def survey_summaries(
    workspace_id: int, *, now: datetime.datetime | None = None
) -> list[SurveySummary]:
    """The workspace's surveys, newest first, with invited and submitted counts (one query)."""
    now = now or timezone.now()
    rows = (
        Survey.objects.filter(workspace_id=workspace_id)
        .annotate(
            invited=Count("responses"),
            submitted=Count("responses", filter=Q(responses__status=ResponseStatus.SUBMITTED)),
        )
        .order_by("-created_at", "-pk")
        .values_list("pk", "title", "closes_at", "closed_early_at", "invited", "submitted")
    )
    return [
        SurveySummary(
            id=pk,
            title=title,
            closes_at=closes_at,
            closed_early_at=early,
            is_open=_is_open(closes_at, early, now),
            invited=invited,
            submitted=submitted,
        )
        for pk, title, closes_at, early, invited, submitted in rows
    ]


# --- One survey's tracking ---------------------------------------------------------


@dataclass(frozen=True)
class ResponseRow:
    """One invited person and where they are with the survey."""

    id: int
    person_id: int
    ref: str
    name: str
    organisation_id: int | None
    organisation: str
    status: str
    status_label: str
    has_email: bool
    invited_at: datetime.datetime | None
    reminded_at: datetime.datetime | None
    reminders: int
    consent_at: datetime.datetime | None
    declined_at: datetime.datetime | None
    saved_at: datetime.datetime | None
    submitted_at: datetime.datetime | None
    withdrawn_at: datetime.datetime | None
    ties: int

    @property
    def last_activity(self) -> datetime.datetime | None:
        """The person's own latest step (consent, decline, save, submit, withdraw)."""
        moments = [
            m
            for m in (
                self.consent_at,
                self.declined_at,
                self.saved_at,
                self.submitted_at,
                self.withdrawn_at,
            )
            if m is not None
        ]
        return max(moments, default=None)

    @property
    def consent_given(self) -> str:
        """Yes (took part), No (declined or withdrew) or "" (not answered yet)."""
        if self.status in (ResponseStatus.CONSENTED, ResponseStatus.SUBMITTED):
            return "Yes"
        if self.status in (ResponseStatus.DECLINED, ResponseStatus.WITHDRAWN):
            return "No"
        return ""

    @property
    def waiting(self) -> bool:
        return self.status in WAITING


@dataclass(frozen=True)
class OrganisationRate:
    """Response rate of the people invited from one organisation (primary affiliation)."""

    id: int | None
    name: str
    invited: int
    submitted: int

    @property
    def percent(self) -> int | None:
        return _percent(self.submitted, self.invited)

    @property
    def level(self) -> str | None:
        """ok, caution (under 80%) or warning (under 65%): the issue's thresholds."""
        return completeness_level(self.submitted, self.invited)


@dataclass(frozen=True)
class PendingName:
    """A name a respondent gave that is not on the roster, waiting for an editor."""

    id: int
    kind: str
    kind_label: str
    name: str
    organisation: str
    named_by: str
    named_by_id: int
    submitted: bool


@dataclass(frozen=True)
class SurveyTracking:
    """Everything the tracking page and the responses download show of one survey."""

    survey_id: int
    is_open: bool
    rows: list[ResponseRow]
    organisations: list[OrganisationRate]
    pending: list[PendingName]

    def _count(self, *statuses: str) -> int:
        return sum(1 for r in self.rows if r.status in statuses)

    @property
    def invited(self) -> int:
        return len(self.rows)

    @property
    def submitted(self) -> int:
        return self._count(ResponseStatus.SUBMITTED)

    @property
    def declined(self) -> int:
        return self._count(ResponseStatus.DECLINED)

    @property
    def withdrawn(self) -> int:
        return self._count(ResponseStatus.WITHDRAWN)

    @property
    def started(self) -> int:
        return self._count(ResponseStatus.CONSENTED)

    @property
    def not_yet(self) -> int:
        return self._count(ResponseStatus.INVITED)

    @property
    def percent(self) -> int | None:
        return _percent(self.submitted, self.invited)

    @property
    def level(self) -> str | None:
        return completeness_level(self.submitted, self.invited)

    @property
    def without_email(self) -> list[ResponseRow]:
        """People with no email address still waiting: an editor copies their link."""
        return [r for r in self.rows if not r.has_email and r.waiting]

    @property
    def to_invite(self) -> int:
        """People with an address not emailed yet and not answered (an invitation goes)."""
        return sum(
            1
            for r in self.rows
            if r.has_email and r.invited_at is None and r.status == ResponseStatus.INVITED
        )

    @property
    def to_remind(self) -> int:
        """People with an address who have not submitted, declined or withdrawn."""
        return sum(1 for r in self.rows if r.has_email and r.waiting)


def survey_tracking(survey: Survey, *, now: datetime.datetime | None = None) -> SurveyTracking:
    """Who was invited, where each person is, rates per organisation and names to review.

    Two queries: the responses (with each person's primary organisation in force
    today and the ties their answers made) and the names waiting for review.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    labels = dict(ResponseStatus.choices)
    responses = (
        SurveyResponse.objects.filter(survey_id=survey.pk)
        .annotate(
            primary=FilteredRelation(
                "person__affiliations",
                condition=primary_in_force_q(today, prefix="person__affiliations__"),
            ),
            ties=Count("answers", filter=Q(answers__relationship__isnull=False), distinct=True),
        )
        .order_by("person__name", "person__ref", "pk")
        .values_list(
            "pk", "person_id", "person__ref", "person__name",
            "primary__organisation_id", "primary__organisation__name",
            "status", "email", "invited_at", "reminded_at", "reminders",
            "consent_at", "declined_at", "saved_at", "submitted_at", "withdrawn_at",
            "ties",
        )
    )  # fmt: skip
    rows = [
        ResponseRow(
            id=pk,
            person_id=person_id,
            ref=ref,
            name=name,
            organisation_id=org_id,
            organisation=org_name or "",
            status=status,
            status_label=labels.get(status, status),
            has_email=bool(email),
            invited_at=invited_at,
            reminded_at=reminded_at,
            reminders=reminders,
            consent_at=consent_at,
            declined_at=declined_at,
            saved_at=saved_at,
            submitted_at=submitted_at,
            withdrawn_at=withdrawn_at,
            # Ties stand only while the answers are submitted.
            ties=ties if status == ResponseStatus.SUBMITTED else 0,
        )
        for (
            pk, person_id, ref, name, org_id, org_name, status, email, invited_at,
            reminded_at, reminders, consent_at, declined_at, saved_at, submitted_at,
            withdrawn_at, ties,
        ) in responses
    ]  # fmt: skip
    kinds = dict(RelationshipKind.choices)
    pending = [
        PendingName(
            id=pk,
            kind=kind,
            kind_label=kinds.get(kind, kind),
            name=name,
            organisation=organisation,
            named_by=named_by,
            named_by_id=named_by_id,
            submitted=status == ResponseStatus.SUBMITTED,
        )
        for pk, kind, name, organisation, named_by, named_by_id, status in (
            SurveyAnswer.objects.filter(
                response__survey_id=survey.pk, review=SurveyAnswer.Review.PENDING
            )
            .order_by("unlisted_name", "pk")
            .values_list(
                "pk",
                "kind",
                "unlisted_name",
                "unlisted_organisation",
                "response__person__name",
                "response__person_id",
                "response__status",
            )
        )
    ]
    return SurveyTracking(
        survey_id=survey.pk,
        is_open=_is_open(survey.closes_at, survey.closed_early_at, now),
        rows=rows,
        organisations=organisation_rates(rows),
        pending=pending,
    )


def organisation_rates(rows: Iterable[ResponseRow]) -> list[OrganisationRate]:
    """Invited and submitted per primary organisation, by name; those with none last (no query)."""
    counts: dict[int | None, list] = {}
    for row in rows:
        entry = counts.setdefault(row.organisation_id, [row.organisation or NO_ORGANISATION, 0, 0])
        entry[1] += 1
        entry[2] += row.status == ResponseStatus.SUBMITTED
    return sorted(
        (
            OrganisationRate(id=org_id, name=name, invited=invited, submitted=submitted)
            for org_id, (name, invited, submitted) in counts.items()
        ),
        key=lambda o: (o.id is None, o.name.casefold(), o.id or 0),
    )


def response_rows(tracking: SurveyTracking) -> Iterator[tuple]:
    """The responses download: header, then one row per invited person (no query)."""
    yield RESPONSES_HEADER
    for row in tracking.rows:
        yield (
            row.ref,
            row.name,
            row.organisation,
            row.status_label,
            row.consent_given,
            timezone.localdate(row.submitted_at).isoformat()
            if row.submitted_at and row.status == ResponseStatus.SUBMITTED
            else "",
            row.ties,
        )


# --- Choices on the editor's forms --------------------------------------------------


@dataclass(frozen=True)
class OrganisationChoice:
    id: int
    name: str
    people: int  # active people with an affiliation in force today


def organisation_choices(
    workspace_id: int, *, today: datetime.date | None = None
) -> list[OrganisationChoice]:
    """The workspace's organisations with how many active people each has now (one query)."""
    on = today or timezone.localdate()
    current = Q(affiliations__person__active=True) & in_force_q(on, prefix="affiliations__")
    rows = (
        Organisation.objects.filter(workspace_id=workspace_id)
        .annotate(people=Count("affiliations__person", filter=current, distinct=True))
        .order_by("name", "pk")
        .values_list("pk", "name", "people")
    )
    return [OrganisationChoice(id=pk, name=name, people=people) for pk, name, people in rows]


def invitees(
    workspace_id: int,
    *,
    organisation_ids: Iterable[int] | None = None,
    today: datetime.date | None = None,
) -> list[Person]:
    """Active people to invite: everyone, or those with an affiliation now to the organisations."""
    people = Person.objects.filter(workspace_id=workspace_id, active=True)
    if organisation_ids is not None:
        on = today or timezone.localdate()
        people = people.filter(
            Q(affiliations__organisation_id__in=list(organisation_ids))
            & in_force_q(on, prefix="affiliations__")
        ).distinct()
    return list(people.order_by("pk"))


@dataclass(frozen=True)
class PersonChoice:
    id: int
    name: str
    organisation: str


def roster_choices(workspace_id: int, *, today: datetime.date | None = None) -> list[PersonChoice]:
    """Active people with their primary organisation now, for "add as this person" (one query)."""
    on = today or timezone.localdate()
    primary = primary_in_force_q(on, prefix="affiliations__")
    rows = (
        Person.objects.filter(workspace_id=workspace_id, active=True)
        .annotate(primary=FilteredRelation("affiliations", condition=primary))
        .order_by("name", "ref", "pk")
        .values_list("pk", "name", "primary__organisation__name")
    )
    return [PersonChoice(id=pk, name=name, organisation=org or "") for pk, name, org in rows]


RATES_HEADER = ("Organisation", "Invited", "Submitted", "Response rate", "Level")


def rate_rows(tracking: SurveyTracking) -> Iterator[tuple]:
    """Response rate per organisation: header, then a row per organisation (no query)."""
    yield RATES_HEADER
    for rate in tracking.organisations:
        share = rate.submitted / rate.invited if rate.invited else ""
        yield rate.name, rate.invited, rate.submitted, share, rate.level or ""
