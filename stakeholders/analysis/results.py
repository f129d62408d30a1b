"""Plain result records returned by `analyse`."""

from collections.abc import Hashable
from dataclasses import dataclass

from .inputs import Options


@dataclass(frozen=True)
class Roles:
    """Gould-Fernandez brokerage: open two-paths through a person, raw and as z-scores."""

    coordinator: int  # A -> A -> A
    itinerant: int  # A -> B -> A
    representative: int  # A -> A -> B
    gatekeeper: int  # A -> B -> B
    liaison: int  # A -> B -> C
    total: int  # all open two-paths through the person
    # z against R sna::brokerage's expectation; None where its variance is 0.
    coordinator_z: float | None
    itinerant_z: float | None
    representative_z: float | None
    gatekeeper_z: float | None
    liaison_z: float | None
    total_z: float | None


@dataclass(frozen=True)
class BrokerScore:
    """Broker score 0-100 and the four parts it averages, so a page can explain it."""

    score: float  # 100 * mean of the four percentiles below
    boundary_betweenness: float | None
    boundary_betweenness_percentile: float
    cross_roles: int  # liaison + gatekeeper + representative
    cross_roles_percentile: float
    constraint: float | None  # None for an isolate
    openness_percentile: float  # percentile of 1 - constraint; isolates rank lowest
    groups_reached: int
    groups_reached_percentile: float


@dataclass(frozen=True)
class PersonScores:
    """Every measure for one person under one boundary."""

    person: int
    boundary: str
    group: Hashable | None  # None: no group on this boundary (their own singleton)
    degree_in: int  # arcs
    degree_out: int
    external_ties: int  # arcs either way with someone in another group
    groups_reached: int  # distinct other groups among neighbours
    ei_index: float | None  # over distinct neighbours; None without ties
    participation: float | None  # over distinct neighbours; None without ties
    betweenness: float  # normalised by (n-1)(n-2), as networkx
    weighted_betweenness: float | None  # arc length 60 / strength; None if not asked for
    boundary_betweenness: float | None  # None when no cross-group pair excludes them
    roles: Roles
    constraint: float | None  # Burt; None for an isolate
    effective_size: float | None  # Burt; None for an isolate
    influence: float  # PageRank on the influence digraph (sums to 1 over people)
    influence_percentile: float
    seniority: int | None
    seniority_percentile: float | None  # among people with a known seniority
    hidden_influencer: bool
    titled_but_isolated: bool
    broker: BrokerScore


@dataclass(frozen=True)
class PairScores:
    """Partnership health between two groups that share at least one tie."""

    boundary: str
    group_a: Hashable  # group_a sorts before group_b
    group_b: Hashable
    arcs_a_to_b: int
    arcs_b_to_a: int
    relationships: int  # relationships (not arcs) between the two groups
    mean_strength: float  # over those relationships
    mean_trust: float | None  # over those with a known trust; None if none
    connected_person_pairs: int  # person pairs across the boundary with an arc
    reciprocity: float  # share of those pairs with arcs both ways
    carriers: tuple[int, ...]  # people at either end of a cross arc, sorted
    single_point_of_failure: bool
    failure_people: tuple[int, ...]  # people at an end of every cross arc
    disconnecting_people: tuple[int, ...]  # of those, whose removal cuts all paths


@dataclass(frozen=True)
class MapSummary:
    """Whole-map figures under one boundary."""

    boundary: str
    people: int
    relationships: int  # after filtering, self-ties dropped
    arcs: int
    density: float | None  # arcs / n(n-1); None below two people
    components: int  # weakly connected, isolates included
    isolates: int
    cross_boundary_share: float | None  # relationships across groups; None if none
    groups: tuple[Hashable, ...]  # non-empty groups, sorted
    unaffiliated: int  # people with no group on this boundary


@dataclass(frozen=True)
class Analysis:
    """Everything `analyse` computes, keyed by boundary then person id."""

    options: Options
    people: tuple[int, ...]
    persons: dict[str, dict[int, PersonScores]]
    pairs: dict[str, list[PairScores]]
    summaries: dict[str, MapSummary]
