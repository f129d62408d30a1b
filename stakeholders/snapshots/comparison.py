"""A comparison of two snapshots (or a snapshot and now), named for the page and CSV.

Reads stored scores only: a fixed number of queries whatever the size of the map.
"""

import datetime
from collections.abc import Iterator
from dataclasses import dataclass

from stakeholders.dashboard.reads import BY_BROKER_SCORE
from stakeholders.exports.tables import broker_records, header
from stakeholders.models import PersonScore, ScoreRun, Snapshot, Workspace
from stakeholders.rows import whole_number
from stakeholders.selectors import group_labels
from stakeholders.snapshots.changes import (
    BrokerChange,
    Changes,
    FigureChange,
    PairChange,
    compare,
)
from stakeholders.snapshots.reads import people_names, run_side

COMPARE_HEADER = (
    "Ref", "Name", "Broker score then", "Broker score now", "Change",
    "Boundary spanner then", "Boundary spanner now",
)  # fmt: skip
REMOVED = "(no longer in the map)"
# export_csv brokers --compare-to SNAPSHOT: added after the brokers table's own columns.
CHANGE_COLUMNS = ("Broker score then", "Broker score change", "Rank then", "Rank change")


@dataclass(frozen=True)
class Moment:
    """One side of a comparison: a snapshot or the current scores."""

    label: str
    as_of: datetime.date
    run: ScoreRun
    current: bool = False  # the current scores, never earlier than a snapshot


@dataclass(frozen=True)
class NamedBroker:
    id: int
    ref: str
    name: str
    then: float | None
    now: float | None
    change: float


@dataclass(frozen=True)
class NamedPair:
    group_a: str
    group_b: str
    change: PairChange


@dataclass(frozen=True)
class ComparisonPage:
    then: Moment
    now: Moment
    boundary: str
    changes: Changes
    risers: list[NamedBroker]
    fallers: list[NamedBroker]
    new_spanners: list[NamedBroker]
    lost_spanners: list[NamedBroker]
    pairs_gained: list[NamedPair]
    pairs_lost: list[NamedPair]
    failures_created: list[NamedPair]
    failures_resolved: list[NamedPair]
    figures: list[FigureChange]


def comparison(*, workspace: Workspace, then: Moment, now: Moment, boundary: str) -> ComparisonPage:
    """What moved from `then` to `now` under `boundary`, with names (six queries)."""
    changes = compare(
        run_side(run=then.run, boundary=boundary), run_side(run=now.run, boundary=boundary)
    )
    names = people_names(workspace=workspace)
    labels = group_labels(workspace_id=workspace.pk, boundary=boundary)
    by_person = {b.person: b for b in changes.brokers}

    def named(b: BrokerChange) -> NamedBroker:
        ref, name = names.get(b.person, ("", REMOVED))
        return NamedBroker(b.person, ref, name, b.then, b.now, b.change)

    def pair(c: PairChange) -> NamedPair:
        a, b = c.pair
        return NamedPair(labels.get(a, a), labels.get(b, b), c)

    return ComparisonPage(
        then=then,
        now=now,
        boundary=boundary,
        changes=changes,
        risers=[named(b) for b in changes.risers],
        fallers=[named(b) for b in changes.fallers],
        new_spanners=[named(by_person[p]) for p in changes.new_spanners],
        lost_spanners=[named(by_person[p]) for p in changes.lost_spanners],
        pairs_gained=[pair(c) for c in changes.pairs_gained],
        pairs_lost=[pair(c) for c in changes.pairs_lost],
        failures_created=[pair(c) for c in changes.failures_created],
        failures_resolved=[pair(c) for c in changes.failures_resolved],
        figures=changes.figures,
    )


def _score(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def comparison_rows(page: ComparisonPage, workspace: Workspace) -> Iterator[tuple]:
    """Everyone's broker score then and now, biggest rise first (one query for names)."""
    yield COMPARE_HEADER
    names = people_names(workspace=workspace)
    for b in page.changes.brokers:
        ref, name = names.get(b.person, ("", REMOVED))
        yield (
            ref, name, _score(b.then), _score(b.now), round(b.change, 1),
            b.spanner_then, b.spanner_now,
        )  # fmt: skip


COMPARE_PARTNERSHIPS_HEADER = ("Table", "Group A", "Group B", "Measure", "Then", "Now", "Change")
# The page's partnership tables, in its order, by their headings.
PARTNERSHIP_TABLES = (
    ("Partnerships that gained ties", "pairs_gained"),
    ("Partnerships that lost ties", "pairs_lost"),
    ("Single points of failure created", "failures_created"),
    ("Single points of failure resolved", "failures_resolved"),
)


def comparison_partnership_rows(page: ComparisonPage) -> Iterator[tuple]:
    """The whole-map figures and the partnership tables of the page, one CSV with a Table
    column, full precision: a row per measure of each partnership."""
    yield COMPARE_PARTNERSHIPS_HEADER
    for f in page.figures:
        yield ("The whole map", "", "", f.label, f.then, f.now, f.change)
    for title, name in PARTNERSHIP_TABLES:
        for p in getattr(page, name):
            c, then, now = p.change, p.change.then, p.change.now
            # A side with no relationships has none and nobody carrying them; its mean
            # trust and single point of failure are undefined (the page's dash).
            for measure, a, b, change in (
                ("Relationships", then.relationships if then else 0,
                 now.relationships if now else 0, c.ties_change),
                ("Mean trust", then.mean_trust if then else None,
                 now.mean_trust if now else None, c.trust_change),
                ("People carrying the ties", then.carriers if then else 0,
                 now.carriers if now else 0, c.carriers_change),
                ("Hangs on one person", then.single_point_of_failure if then else None,
                 now.single_point_of_failure if now else None, None),
            ):  # fmt: skip
                yield (title, p.group_a, p.group_b, measure, a, b, change)


def snapshot_named(*, workspace: Workspace, name_or_id: str) -> Snapshot | None:
    """A snapshot by its exact name, else by its number; None when there is none."""
    snapshots = Snapshot.objects.filter(workspace=workspace).select_related("run")
    found = snapshots.filter(name=name_or_id).first()
    if found is None and name_or_id.isascii() and name_or_id.isdecimal() and len(name_or_id) < 12:
        found = snapshots.filter(pk=int(name_or_id)).first()
    return found


def brokers_change_rows(*, run: ScoreRun, then: ScoreRun, boundary: str) -> Iterator[tuple]:
    """The brokers table with its change since `then` (a snapshot's run): two queries.

    Rank then and the score then are empty for someone not in the map then; the
    change is in whole points, as the scores are shown.
    """
    yield header("brokers") + CHANGE_COLUMNS
    earlier = (
        PersonScore.objects.filter(run=then, boundary=boundary)
        .order_by(*BY_BROKER_SCORE)
        .values_list("person_id", "broker_score")
    )
    was = {person: (rank, score) for rank, (person, score) in enumerate(earlier, start=1)}
    for person, row in broker_records(run=run, boundary=boundary):
        rank, points = row[0], row[4]
        then_rank, then_score = was.get(person, (None, None))
        then_points = None if then_score is None else whole_number(then_score)
        yield (
            *row,
            then_points,
            None if then_points is None else points - then_points,
            then_rank,
            None if then_rank is None else then_rank - rank,
        )  # fmt: skip
