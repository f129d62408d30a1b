"""Trusted route reads: who can introduce one person to another, and through whom.

Three queries whatever the size of the map (current people; their ties; the
evidence of the ties the routes use), then the pure route finder
(stakeholders.analysis.routes) on plain tuples.
"""

import datetime
from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import Case, Value, When

from stakeholders.analysis.routes import (
    ALTERNATIVES,
    UNKNOWN_TRUST,
    Part,
    Route,
    part_of_map,
    route_graph,
)
from stakeholders.models import Relationship, RelationshipKind, Workspace
from stakeholders.retention import is_stale, stale_cutoff
from stakeholders.scenarios.choices import BadChoice, PersonChoice, chosen_person, people_choices
from stakeholders.selectors import in_force_q

# The CSV's Kind reads along the route, From to To: a tie recorded the other way
# round is said in the passive ("Trusted by": To trusts From).
KIND_THE_OTHER_WAY = {
    RelationshipKind.TRUSTS.label: "Trusted by",
    RelationshipKind.INFLUENCES.label: "Influenced by",
    RelationshipKind.REPORTS_TO.label: "Reported to by",
}
ROUTE_HEADER = (
    "Route", "Hop", "From ref", "To ref", "Kind", "Strength", "Trust", "Hop reliability",
    "Route reliability",
    # What the page says of each step, after the contracted columns above.
    "From name", "To name", "To job title", "To organisation", "Observed on", "Stale",
    "Evidence",
)  # fmt: skip
# A part of the map is described by its largest organisations, then "and N others".
PART_ORGANISATIONS_SHOWN = 5


def percent(value: float) -> str:
    """A reliability as a percentage: whole numbers from 10%, two significant figures below."""
    share = value * 100
    if share >= 10 or share == 0:
        return f"{share:.0f}%"
    if share < 0.01:
        return "less than 0.01%"
    return f"{share:.2g}%"


@dataclass(frozen=True)
class RouteHop:
    number: int
    source: PersonChoice  # in the direction of the route
    target: PersonChoice
    recorded_from: PersonChoice  # the tie as it was recorded
    recorded_to: PersonChoice
    kind: str  # "Collaborates with", ...
    strength: int
    trust: int | None
    stale: bool
    observed_on: datetime.date | None
    evidence: str
    reliability: float

    @property
    def reliability_percent(self) -> str:
        return percent(self.reliability)

    @property
    def trust_counted(self) -> int:
        return UNKNOWN_TRUST if self.trust is None else self.trust


@dataclass(frozen=True)
class FoundRoute:
    number: int
    people: list[PersonChoice]
    hops: list[RouteHop]
    reliability: float

    @property
    def reliability_percent(self) -> str:
        return percent(self.reliability)

    @property
    def intermediaries(self) -> list[PersonChoice]:
        return self.people[1:-1]


@dataclass(frozen=True)
class MapPart:
    """The part of the map (connected component) one side of a question is in."""

    size: int
    organisations: list[tuple[str, int]]  # (organisation, people), largest first
    more_organisations: int  # organisations in the part not listed
    unaffiliated: int  # people in the part with no current primary organisation


@dataclass(frozen=True)
class RouteAnswer:
    source: PersonChoice
    target: PersonChoice
    routes: list[FoundRoute]
    source_part: MapPart | None  # only when there is no route
    target_part: MapPart | None
    cutoff: datetime.date | None  # ties last observed before it are stale
    retention_months: int | None
    alternatives: int = ALTERNATIVES

    @property
    def best(self) -> FoundRoute | None:
        return self.routes[0] if self.routes else None

    @property
    def parts(self) -> list[tuple[PersonChoice, MapPart]]:
        """Each side with its part of the map, when there is no route."""
        if self.source_part is None or self.target_part is None:
            return []
        return [(self.source, self.source_part), (self.target, self.target_part)]


def part_words(person: PersonChoice, part: MapPart) -> str:
    """Which part of the map someone is in, as a plain sentence (the command's words)."""
    if part.size == 1:
        return f"{person.ref} has no recorded relationship with anyone current in the map."
    named = ", ".join(f"{org} ({n})" for org, n in part.organisations)
    more = f" and {part.more_organisations} other organisations" if part.more_organisations else ""
    return (
        f"{person.ref} is in a part of the map of {part.size} people"
        + (f", from {named}{more}" if named else "")
        + (f"; {part.unaffiliated} with no current organisation" if part.unaffiliated else "")
        + "."
    )


@dataclass(frozen=True)
class RoutePage:
    people: list[PersonChoice]  # for the pickers, by name
    source: PersonChoice | None
    target: PersonChoice | None
    answer: RouteAnswer | None  # when both are chosen


def route_page(
    *,
    workspace: Workspace,
    source: int | None,
    target: int | None,
    today: datetime.date,
) -> RoutePage:
    """The pickers' people and, when both ends are chosen, the routes (one to three queries).

    BadChoice when an id is not a current person of the workspace, or both are the same.
    """
    people = people_choices(workspace=workspace, today=today)
    start = chosen_person(people, source, "the start") if source is not None else None
    end = chosen_person(people, target, "the person to reach") if target is not None else None
    answer = None
    if start is not None and end is not None:
        answer = trusted_routes(
            workspace=workspace, people=people, source=start, target=end, today=today
        )
    return RoutePage(people=list(people.values()), source=start, target=end, answer=answer)


def trusted_routes(
    *,
    workspace: Workspace,
    people: dict[int, PersonChoice],
    source: PersonChoice,
    target: PersonChoice,
    today: datetime.date,
) -> RouteAnswer:
    """The most trusted route and up to three alternatives (one or two queries).

    `people` are the current people (people_choices): only they carry routes.
    """
    if source.id == target.id:
        raise BadChoice("Choose two different people: the start and the person to reach.")
    cutoff = stale_cutoff(workspace, today)
    # The database says which ties are stale (retention.is_stale's rule, in SQL), so
    # that 25,000 ties come back as plain numbers, with no dates to convert.
    stale = (
        Case(When(observed_on__lt=cutoff, then=Value(1)), default=Value(0))
        if cutoff is not None
        else Value(0)
    )
    links = (
        Relationship.objects.filter(
            in_force_q(today), source__workspace=workspace, source__active=True, target__active=True
        )
        .order_by()
        .annotate(stale=stale)
        .values_list("pk", "source_id", "target_id", "strength", "trust", "stale")
    )
    graph = route_graph(links, people)
    found = graph.routes(source.id, target.id)
    routes = _found_routes(found, people, cutoff)
    source_part = target_part = None
    if not routes:
        groups = {p.id: p.organisation for p in people.values()}
        source_part = _map_part(part_of_map(graph, source.id, groups))
        target_part = _map_part(part_of_map(graph, target.id, groups))
    return RouteAnswer(
        source=source,
        target=target,
        routes=routes,
        source_part=source_part,
        target_part=target_part,
        cutoff=cutoff,
        retention_months=workspace.retention_months,
    )


def _found_routes(
    found: list[Route], people: dict[int, PersonChoice], cutoff: datetime.date | None
) -> list[FoundRoute]:
    """The routes with their ties as recorded (one query: only the ties they use)."""
    if not found:
        return []
    used = {hop.tie for route in found for hop in route.hops}
    recorded = {
        pk: rest
        for pk, *rest in Relationship.objects.filter(pk__in=used).values_list(
            "pk", "source_id", "target_id", "kind", "strength", "trust", "observed_on", "evidence"
        )
    }
    kinds = dict(RelationshipKind.choices)
    routes = []
    for number, route in enumerate(found, start=1):
        hops = []
        for i, hop in enumerate(route.hops, start=1):
            a, b, kind, strength, trust, observed_on, evidence = recorded[hop.tie]
            hops.append(
                RouteHop(
                    number=i,
                    source=people[hop.source],
                    target=people[hop.target],
                    recorded_from=people[a],
                    recorded_to=people[b],
                    kind=kinds.get(kind, kind),
                    strength=strength,
                    trust=trust,
                    stale=is_stale(observed_on, cutoff),
                    observed_on=observed_on,
                    evidence=evidence,
                    reliability=hop.reliability,
                )
            )
        routes.append(
            FoundRoute(
                number=number,
                people=[people[p] for p in route.people],
                hops=hops,
                reliability=route.reliability,
            )
        )
    return routes


def _map_part(part: Part) -> MapPart:
    named = [(org, n) for org, n in part.groups if org]
    unaffiliated = part.size - sum(n for _org, n in named)
    return MapPart(
        size=part.size,
        organisations=named[:PART_ORGANISATIONS_SHOWN],
        more_organisations=max(0, len(named) - PART_ORGANISATIONS_SHOWN),
        unaffiliated=unaffiliated,
    )


def route_rows(answer: RouteAnswer | None) -> Iterator[tuple]:
    """The routes as CSV rows, header first: one row per hop, route 1 the most trusted."""
    yield ROUTE_HEADER
    if answer is None:
        return
    for route in answer.routes:
        for hop in route.hops:
            yield (
                route.number,
                hop.number,
                hop.source.ref,
                hop.target.ref,
                hop.kind
                if hop.recorded_from.id == hop.source.id
                else KIND_THE_OTHER_WAY.get(hop.kind, hop.kind),
                hop.strength,
                hop.trust,
                round(hop.reliability, 6),
                round(route.reliability, 6),
                hop.source.name,
                hop.target.name,
                hop.target.job_title,
                hop.target.organisation,
                hop.observed_on,
                hop.stale,
                hop.evidence,
            )


def routes_by_ref(
    *, workspace: Workspace, source_ref: str, target_ref: str, today: datetime.date
) -> RouteAnswer:
    """The routes between two people named by ref (for the command); BadChoice names a bad ref."""
    people = people_choices(workspace=workspace, today=today)
    by_ref = {p.ref: p for p in people.values()}
    ends = []
    for option, ref in (("--from", source_ref), ("--to", target_ref)):
        if ref not in by_ref:
            raise BadChoice(
                f"{option}: no current person with ref '{ref}' in workspace '{workspace.slug}' "
                "(people recorded as having left are not routed)."
            )
        ends.append(by_ref[ref])
    return trusted_routes(
        workspace=workspace, people=people, source=ends[0], target=ends[1], today=today
    )
