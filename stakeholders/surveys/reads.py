"""Survey reads: plain data from a fixed number of queries, whatever the data size.

Completeness (how many people's ties come from their own answers or an editor) is
shown on every analysis page and export; confirmed ties are those both people
reported.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Exists, FilteredRelation, OuterRef, Q
from django.utils import timezone

from stakeholders.models import (
    Person,
    Provenance,
    Relationship,
    ResponseStatus,
    SurveyResponse,
)
from stakeholders.selectors import primary_in_force_q

# --- Completeness ------------------------------------------------------------------

# Below CAUTION_BELOW the scores may miss ties; below WARNING_BELOW an organisation's
# figures carry a warning. Percentages, compared in whole numbers (no float rounding).
CAUTION_BELOW = 80
WARNING_BELOW = 65
OK, CAUTION, WARNING = "ok", "caution", "warning"


def completeness_level(covered: int, people: int) -> str | None:
    """ok (80% or more), caution (under 80%) or warning (under 65%); None for nobody."""
    if people == 0:
        return None
    if covered * 100 >= CAUTION_BELOW * people:
        return OK
    if covered * 100 >= WARNING_BELOW * people:
        return CAUTION
    return WARNING


class _Covered:
    """The share of `people` who are `covered`: as a fraction, a percentage and a level."""

    people: int
    covered: int

    @property
    def share(self) -> float | None:
        return self.covered / self.people if self.people else None

    @property
    def percent(self) -> int | None:
        """The share as a whole percentage, rounded down (79.9% is not 80%)."""
        return self.covered * 100 // self.people if self.people else None

    @property
    def level(self) -> str | None:
        return completeness_level(self.covered, self.people)


@dataclass(frozen=True)
class OrganisationCompleteness(_Covered):
    """One organisation's people (by current primary affiliation) and how many are covered."""

    id: int
    name: str
    short_name: str
    people: int
    covered: int

    @property
    def label(self) -> str:
        return self.short_name or self.name


@dataclass(frozen=True)
class Completeness(_Covered):
    """The share of active people whose ties come from their own answers or an editor."""

    people: int
    covered: int
    organisations: list[OrganisationCompleteness]

    @property
    def caution(self) -> bool:
        """Under 80% overall: pages and exports say the scores may miss ties."""
        return self.level in (CAUTION, WARNING)

    @property
    def warnings(self) -> list[OrganisationCompleteness]:
        """The organisations under 65%, whose figures carry a warning."""
        return [o for o in self.organisations if o.level == WARNING]

    def organisation(self, organisation_id: int | str) -> OrganisationCompleteness | None:
        """One organisation's row (by id, as int or as a score group's text), or None."""
        key = str(organisation_id)
        return next((o for o in self.organisations if str(o.id) == key), None)

    @property
    def by_group(self) -> dict[str, OrganisationCompleteness]:
        """Rows keyed as PersonScore.group stores organisations (the id as text)."""
        return {str(o.id): o for o in self.organisations}

    def sentence(self) -> str:
        """The caution in words (exports and board pack); "" when nobody is recorded."""
        if self.percent is None:
            return ""
        words = f"Ties come from people's own answers or an editor for {self.percent}% of people"
        if self.caution:
            return words + " (caution below 80%: scores may miss ties)."
        return words + "."

    def organisation_sentences(self) -> list[str]:
        """One sentence per organisation under 65% (exports and board pack)."""
        return [
            f"{o.name}: ties come from people's own answers or an editor for {o.percent}% "
            f"of its {o.people} {'person' if o.people == 1 else 'people'} "
            "(warning below 65%: its figures may miss ties)."
            for o in self.warnings
        ]


def completeness(workspace_id: int, *, today: datetime.date | None = None) -> Completeness:
    """Who of the workspace's active people is covered, overall and per organisation (one query).

    A person is covered when they submitted their answers to any survey of the
    workspace, or have at least one current tie out entered by an editor. Their
    organisation is their primary affiliation in force `today` (as the scores group
    them, stakeholders.score_runs.score_input); people with none count overall only.
    """
    on = today or timezone.localdate()
    submitted = SurveyResponse.objects.filter(
        person=OuterRef("pk"),
        survey__workspace_id=workspace_id,
        status=ResponseStatus.SUBMITTED,
    )
    entered = Relationship.objects.filter(
        source=OuterRef("pk"), provenance=Provenance.EDITOR
    ).filter(Q(end_date__isnull=True) | Q(end_date__gte=on))
    primary = primary_in_force_q(on, prefix="affiliations__")
    # Counted per organisation in the database: a few thousand rows at most, where
    # one row per person took twice as long at 20,000 people.
    rows = (
        Person.objects.filter(workspace_id=workspace_id, active=True)
        .annotate(primary=FilteredRelation("affiliations", condition=primary))
        .order_by()
        .values_list(
            "primary__organisation_id",
            "primary__organisation__name",
            "primary__organisation__short_name",
        )
        .annotate(
            people=Count("pk"),
            covered=Count("pk", filter=Q(Exists(submitted)) | Q(Exists(entered))),
        )
    )
    people = covered = 0
    organisations: dict[int, list] = {}
    for org_id, name, short_name, count, done in rows:
        people += count
        covered += done
        if org_id is not None:
            organisations[org_id] = [name, short_name, count, done]
    return Completeness(
        people=people,
        covered=covered,
        organisations=sorted(
            (
                OrganisationCompleteness(
                    id=org_id, name=name, short_name=short, people=count, covered=done
                )
                for org_id, (name, short, count, done) in organisations.items()
            ),
            key=lambda o: (o.name.casefold(), o.id),
        ),
    )


# --- Provenance and confirmed ties -------------------------------------------------


def reported_back() -> Exists:
    """For a Relationship queryset: the other person reported the same kind of tie back."""
    return Exists(
        Relationship.objects.filter(
            source_id=OuterRef("target_id"),
            target_id=OuterRef("source_id"),
            kind=OuterRef("kind"),
            provenance=Provenance.REPORTED,
        )
    )


def confirmed_ties(workspace_id: int) -> set[tuple[int, int, str]]:
    """(source, target, kind) of every reported tie whose target reported it back (one query)."""
    return set(
        Relationship.objects.filter(
            source__workspace_id=workspace_id, provenance=Provenance.REPORTED
        )
        .filter(reported_back())
        .order_by()
        .values_list("source_id", "target_id", "kind")
    )


def confirmed_among(ties: Iterable[tuple[int, int, str, str]]) -> set[tuple[int, int, str]]:
    """confirmed_ties over rows already read: (source, target, kind, provenance) each (no query).

    For a person's page, whose ties both ways are loaded: every confirmed tie of
    theirs has its reverse among them.
    """
    reported = {(s, t, k) for s, t, k, provenance in ties if provenance == Provenance.REPORTED}
    return {(s, t, k) for s, t, k in reported if (t, s, k) in reported}


@dataclass(frozen=True)
class TieSource:
    """Where a tie came from, as pages show it beside the tie."""

    reported: bool
    reporter: str  # the source person's name for a reported tie, else ""
    survey: str  # the survey's title ("" if it has been deleted since)
    reported_on: datetime.date | None
    confirmed: bool

    @property
    def text(self) -> str:
        """ "Reported by Dev Mensah (Partnership survey 2027, 3 March 2027)" or the editor's."""
        if not self.reported:
            return "Entered by an editor"
        details = [
            part
            for part in (
                self.survey,
                f"{self.reported_on.day} {self.reported_on:%B %Y}" if self.reported_on else "",
            )
            if part
        ]
        return f"Reported by {self.reporter}" + (f" ({', '.join(details)})" if details else "")


def tie_source(
    *,
    provenance: str,
    reporter: str,
    survey: str | None,
    reported_on: datetime.date | None,
    confirmed: bool,
) -> TieSource:
    """A tie's TieSource from its provenance fields (no query)."""
    reported = provenance == Provenance.REPORTED
    return TieSource(
        reported=reported,
        reporter=reporter if reported else "",
        survey=(survey or "") if reported else "",
        reported_on=reported_on if reported else None,
        confirmed=reported and confirmed,
    )
