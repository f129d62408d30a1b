"""What moved between two score runs: pure comparison over plain figures (no Django).

`then` and `now` are each one run's figures under one boundary. A person or a pair of
groups missing on one side counts as absent there (no score, no ties), so people who
joined or left and partnerships that formed or ended are compared too.
"""

from dataclasses import dataclass, field

# A boundary spanner ties directly into at least this many groups besides their own.
SPANNER_MIN_GROUPS = 2
# Risers, fallers and partnerships shown on each list of the page.
TOP = 10
# The whole-map figures compared, in page order.
FIGURES = (
    ("people", "People"),
    ("relationships", "Relationships"),
    ("density", "Density"),
    ("components", "Separate parts of the map"),
    ("isolates", "People with no relationships"),
    ("cross_boundary_share", "Share of cross-boundary ties"),
)


@dataclass(frozen=True)
class PersonFigures:
    broker_score: float
    groups_reached: int


@dataclass(frozen=True)
class PairFigures:
    relationships: int
    mean_trust: float | None
    carriers: int
    single_point_of_failure: bool


@dataclass(frozen=True)
class Side:
    people: dict[int, PersonFigures]
    pairs: dict[tuple[str, str], PairFigures]
    summary: dict = field(default_factory=dict)


@dataclass(frozen=True)
class BrokerChange:
    person: int
    then: float | None
    now: float | None
    spanner_then: bool = False
    spanner_now: bool = False

    @property
    def change(self) -> float:
        return (self.now or 0.0) - (self.then or 0.0)


@dataclass(frozen=True)
class PairChange:
    pair: tuple[str, str]
    then: PairFigures | None
    now: PairFigures | None

    @property
    def ties_change(self) -> int:
        return (self.now.relationships if self.now else 0) - (
            self.then.relationships if self.then else 0
        )

    @property
    def carriers_change(self) -> int:
        return (self.now.carriers if self.now else 0) - (self.then.carriers if self.then else 0)

    @property
    def trust_change(self) -> float | None:
        if not (self.then and self.now) or None in (self.then.mean_trust, self.now.mean_trust):
            return None
        return self.now.mean_trust - self.then.mean_trust


@dataclass(frozen=True)
class FigureChange:
    key: str
    label: str
    then: float | None
    now: float | None

    @property
    def change(self) -> float | None:
        return None if self.then is None or self.now is None else self.now - self.then


@dataclass(frozen=True)
class Changes:
    brokers: list[BrokerChange]  # everyone on either side, biggest rise first
    risers: list[BrokerChange]
    fallers: list[BrokerChange]
    new_spanners: list[int]
    lost_spanners: list[int]
    pairs_gained: list[PairChange]
    pairs_lost: list[PairChange]
    failures_created: list[PairChange]
    failures_resolved: list[PairChange]
    figures: list[FigureChange]


def is_spanner(figures: PersonFigures | None) -> bool:
    """Whether someone spans boundaries: ties into SPANNER_MIN_GROUPS other groups or more."""
    return figures is not None and figures.groups_reached >= SPANNER_MIN_GROUPS


def compare(then: Side, now: Side, *, top: int = TOP) -> Changes:
    """Everything that moved from `then` to `now`; ties broken by person id or pair."""
    people = sorted(then.people.keys() | now.people.keys())
    brokers = [
        BrokerChange(
            person=p,
            then=then.people[p].broker_score if p in then.people else None,
            now=now.people[p].broker_score if p in now.people else None,
            spanner_then=is_spanner(then.people.get(p)),
            spanner_now=is_spanner(now.people.get(p)),
        )
        for p in people
    ]
    brokers.sort(key=lambda b: (-b.change, b.person))
    risers = [b for b in brokers if b.change > 0][:top]
    fallers = sorted((b for b in brokers if b.change < 0), key=lambda b: (b.change, b.person))
    # Spanners gained, biggest rise first; spanners lost, biggest fall first.
    new_spanners = [b.person for b in brokers if b.spanner_now and not b.spanner_then]
    by_fall = sorted(brokers, key=lambda b: (b.change, b.person))
    lost_spanners = [b.person for b in by_fall if b.spanner_then and not b.spanner_now]

    pairs = [
        PairChange(pair=k, then=then.pairs.get(k), now=now.pairs.get(k))
        for k in sorted(then.pairs.keys() | now.pairs.keys())
    ]
    gained = sorted((c for c in pairs if c.ties_change > 0), key=lambda c: (-c.ties_change, c.pair))
    lost = sorted((c for c in pairs if c.ties_change < 0), key=lambda c: (c.ties_change, c.pair))

    def failing(figures: PairFigures | None) -> bool:
        return figures is not None and figures.single_point_of_failure

    return Changes(
        brokers=brokers,
        risers=risers,
        fallers=fallers[:top],
        new_spanners=new_spanners,
        lost_spanners=lost_spanners,
        pairs_gained=gained[:top],
        pairs_lost=lost[:top],
        failures_created=[c for c in pairs if failing(c.now) and not failing(c.then)],
        failures_resolved=[c for c in pairs if failing(c.then) and not failing(c.now)],
        figures=[
            FigureChange(key=k, label=label, then=then.summary.get(k), now=now.summary.get(k))
            for k, label in FIGURES
        ],
    )
