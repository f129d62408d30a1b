"""Forum reads: the formal tie layer for score runs, and the Seats and influence page.

Fixed query counts whatever the data size; the analysis itself is
stakeholders.analysis.forums (pure).
"""

import datetime
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from django.utils import timezone

from stakeholders.analysis import forums as forum_analysis
from stakeholders.analysis.inputs import Tie
from stakeholders.memo import kept
from stakeholders.models import (
    Affiliation,
    Boundary,
    Forum,
    ForumKind,
    ForumMembership,
    Organisation,
    Person,
    PersonScore,
    Relationship,
    ScoreRun,
    Sector,
    Tier,
    Workspace,
)
from stakeholders.selectors import cursor_rows, in_force_q

FORUMS_KIND = "forums"  # export_csv kind and file name stem


def current_seats(*, workspace_id: int, on: datetime.date | None = None) -> list[tuple[int, int]]:
    """(forum, person) for every seat held on `on` (default today), one query."""
    day = on or timezone.localdate()
    rows = (
        ForumMembership.objects.filter(forum__workspace_id=workspace_id)
        .order_by("pk")
        .values_list("forum_id", "person_id", "start_date", "end_date")
    )
    return [(f, p) for f, p, start, end in rows if forum_analysis.is_current(start, end, day)]


def forum_ties(*, workspace_id: int, on: datetime.date | None = None) -> tuple[Tie, ...]:
    """The formal layer: a tie between every two people holding seats on the same forum."""
    return forum_analysis.formal_ties(current_seats(workspace_id=workspace_id, on=on))


@dataclass(frozen=True)
class Named:
    pk: int
    name: str


@dataclass(frozen=True)
class PersonRow:
    person: Named
    organisation: str
    broker_score: float | None
    organisations_reached: int
    forums: list[Named]


@dataclass(frozen=True)
class ForumRow:
    forum: Named
    kind: str
    tier: str
    host: str
    members: list[Named]
    organisations: list[str]
    sectors: list[str]
    tiers: list[str]
    organisations_not_reached: list[str]
    sector_gaps: list[str]
    tier_gaps: list[str]
    # Ids of the organisations its members work in today: where "who to put in the
    # room" starts from for this forum.
    seated_organisations: list[int]


@dataclass(frozen=True)
class JointRow:
    person: Named
    organisations: list[tuple[str, bool]]
    works_inside_one: bool


@dataclass(frozen=True)
class SeatsPage:
    day: datetime.date  # seats, roles and ties in force on this day count
    scored: bool  # a broker score exists (a score run has succeeded)
    brokers_without_seat: list[PersonRow]
    seats_with_little_reach: list[PersonRow]
    forums: list[ForumRow]
    joint_appointments: list[JointRow]


def seats_and_influence(
    *, workspace: Workspace, run: ScoreRun | None, on: datetime.date | None = None
) -> SeatsPage:
    """Where formal seats and informal influence diverge on `on` (default today; the
    day of the scores chosen, whose `run` may still be on its way): seven queries, kept
    until the workspace's data changes (stakeholders.memo), so the page and its CSV
    asked for again read only the stamp."""
    day = on or timezone.localdate()
    return kept(
        workspace.pk,
        ("seats and influence", run.pk if run is not None else None, day),
        lambda: _seats_page(workspace, run, day),
    )


def _seats_page(workspace: Workspace, run: ScoreRun | None, day: datetime.date) -> SeatsPage:
    """seats_and_influence, read and worked out.

    Every read is unordered (`order_by()`): the models' default orderings join
    people to sort 100,000 ties and 20,000 affiliations by name for nothing.
    """
    # Straight from the cursor (selectors.cursor_rows): 100,000 ties and 20,000 people,
    # affiliations and scores, none of them needing Django's per-row converters.
    people = dict(
        cursor_rows(Person.objects.filter(workspace=workspace).order_by().values_list("pk", "name"))
    )
    organisations = {
        str(pk): (label or name, sector, tier)
        for pk, name, label, sector, tier in Organisation.objects.filter(
            workspace=workspace
        ).values_list("pk", "name", "short_name", "sector", "tier")
    }
    affiliations: dict[int, set[str]] = defaultdict(set)
    primary: dict[int, str] = {}
    for person, org, is_primary in cursor_rows(
        Affiliation.objects.filter(in_force_q(day), person__workspace=workspace)
        .order_by()
        .values_list("person_id", "organisation_id", "is_primary")
    ):
        affiliations[person].add(str(org))
        if is_primary:
            primary[person] = str(org)
    # Informal reach today: an ended tie is history, as on the map and in the scores.
    ties = cursor_rows(
        Relationship.objects.filter(in_force_q(day), source__workspace=workspace)
        .order_by()
        .values_list("source_id", "target_id")
    )
    forums = {
        pk: (name, kind, tier, host)
        for pk, name, kind, tier, host in Forum.objects.filter(workspace=workspace).values_list(
            "pk", "name", "kind", "tier", "host_id"
        )
    }
    seats = current_seats(workspace_id=workspace.pk, on=day)
    scores: dict[int, float] = {}
    if run is not None:
        scores = dict(
            cursor_rows(
                PersonScore.objects.filter(run=run, boundary=Boundary.ORGANISATION)
                .order_by()
                .values_list("person_id", "broker_score")
            )
        )
    result = forum_analysis.seats_and_influence(
        people=list(people),
        ties=ties,
        affiliations=affiliations,
        seats=seats,
        broker_scores=scores,
        sector_of={o: sector for o, (_, sector, _) in organisations.items()},
        tier_of={o: tier for o, (_, _, tier) in organisations.items()},
        forums=list(forums),
    )

    def org(key: str) -> str:
        return organisations[key][0] if key in organisations else "No organisation"

    def person(pk: int) -> Named:
        return Named(pk, people[pk])

    def forum(pk: int) -> Named:
        return Named(pk, forums[pk][0])

    def person_row(f: forum_analysis.PersonFinding) -> PersonRow:
        return PersonRow(
            person=person(f.person),
            organisation=org(primary[f.person]) if f.person in primary else "",
            broker_score=f.broker_score,
            organisations_reached=f.organisations_reached,
            forums=[forum(pk) for pk in f.forums],
        )

    # Sectors and tiers in their own order (tiers national down to neighbourhood),
    # never alphabetically.
    sector_rank = {code: i for i, (code, _) in enumerate(Sector.choices)}
    tier_rank = {code: i for i, (code, _) in enumerate(Tier.choices)}

    def ordered(codes, rank) -> list[str]:
        return sorted(codes, key=lambda c: rank.get(c, len(rank)))

    def pairs(gaps, labels, rank) -> list[str]:
        return [
            " and ".join(labels(c) for c in ordered(pair, rank))
            for pair in sorted(gaps, key=lambda g: sorted(rank.get(c, len(rank)) for c in g))
        ]

    sector_label = dict(Sector.choices).get
    tier_label = dict(Tier.choices).get
    forum_rows = []
    for reach in result.forums:
        _, kind, tier, host = forums[reach.forum]
        forum_rows.append(
            ForumRow(
                forum=forum(reach.forum),
                kind=ForumKind(kind).label,
                tier=Tier(tier).label,
                host=org(str(host)) if host is not None else "",
                members=[person(p) for p in reach.members],
                organisations=sorted(org(o) for o in reach.organisations),
                sectors=[sector_label(s, s) for s in ordered(reach.sectors, sector_rank)],
                tiers=[tier_label(t, t) for t in ordered(reach.tiers, tier_rank)],
                organisations_not_reached=sorted(org(o) for o in reach.organisations_not_reached),
                sector_gaps=pairs(reach.sector_gaps, lambda s: sector_label(s, s), sector_rank),
                tier_gaps=pairs(reach.tier_gaps, lambda t: tier_label(t, t), tier_rank),
                seated_organisations=sorted(
                    {int(o) for p in reach.members for o in affiliations.get(p, ())}
                ),
            )
        )
    forum_rows.sort(key=lambda r: (r.forum.name, r.forum.pk))
    return SeatsPage(
        day=day,
        scored=run is not None,
        brokers_without_seat=[person_row(f) for f in result.brokers_without_seat],
        seats_with_little_reach=[person_row(f) for f in result.seats_with_little_reach],
        forums=forum_rows,
        joint_appointments=[
            JointRow(
                person=person(j.person),
                organisations=sorted(
                    (org(o), hit) for o, hit in zip(j.organisations, j.reached, strict=True)
                ),
                works_inside_one=j.works_inside_one,
            )
            for j in result.joint_appointments
        ],
    )


SEATS_HEADER = ("Table", "Name", "Organisation", "Detail", "Broker score", "Finding")


def _names(items: list[Named]) -> str:
    return "; ".join(n.name for n in items)


def _reaches(organisations: int) -> str:
    """How far someone's relationships reach, as the CSV says it."""
    plural = "" if organisations == 1 else "s"
    return f"Reaches {organisations} other organisation{plural} informally"


def seats_rows(page: SeatsPage) -> Iterator[tuple]:
    """The Seats and influence page as one CSV (header first), a Table column per section."""
    yield SEATS_HEADER
    when = (
        "no current forum seat"
        if page.day == timezone.localdate()
        else f"no forum seat on {page.day.isoformat()}"
    )
    for r in page.brokers_without_seat:
        yield (
            "Informal broker without a seat",
            r.person.name,
            r.organisation,
            _reaches(r.organisations_reached),
            r.broker_score,
            f"High broker score, {when}",
        )
    for r in page.seats_with_little_reach:
        yield (
            "Seat-holder with little informal reach",
            r.person.name,
            r.organisation,
            f"Seats: {_names(r.forums)}",
            r.broker_score,
            _reaches(r.organisations_reached),
        )
    for f in page.forums:
        yield (
            "Forum",
            f.forum.name,
            f.host,
            f"{f.kind}; {f.tier}; members: {_names(f.members) or 'none'}; "
            f"reaches organisations: {'; '.join(f.organisations) or 'none'}; "
            f"sectors: {'; '.join(f.sectors) or 'none'}; tiers: {'; '.join(f.tiers) or 'none'}",
            None,
            "Does not bridge: "
            + ("; ".join(f.sector_gaps + f.tier_gaps) or "no sector or tier boundary")
            + (
                f"; organisations not reached: {'; '.join(f.organisations_not_reached)}"
                if f.organisations_not_reached
                else ""
            ),
        )
    for j in page.joint_appointments:
        yield (
            "Joint appointment",
            j.person.name,
            "; ".join(o for o, _ in j.organisations),
            "; ".join(f"{o}: {'reached' if hit else 'not reached'}" for o, hit in j.organisations),
            None,
            "Works inside one organisation only" if j.works_inside_one else "Bridges its posts",
        )
