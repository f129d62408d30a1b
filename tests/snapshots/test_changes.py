"""What moved between two runs: the pure comparison."""

from stakeholders.snapshots.changes import PairFigures, PersonFigures, Side, compare


def _side(scores: dict, pairs: dict, **summary) -> Side:
    return Side(
        people={p: PersonFigures(broker_score=s, groups_reached=g) for p, (s, g) in scores.items()},
        pairs={k: PairFigures(*v) for k, v in pairs.items()},
        summary=summary,
    )


THEN = _side(
    {1: (80.0, 3), 2: (20.0, 0), 3: (50.0, 2), 4: (10.0, 1)},
    {("a", "b"): (4, 3.0, 2, False), ("a", "c"): (1, None, 1, True),
     ("b", "c"): (2, 4.0, 2, False)},
    people=4, relationships=7, density=0.5,
)  # fmt: skip
NOW = _side(
    {1: (60.0, 1), 2: (45.0, 2), 3: (50.0, 2), 5: (30.0, 0)},
    {("a", "b"): (6, 3.5, 3, False), ("b", "c"): (1, 4.0, 1, True),
     ("c", "d"): (2, None, 2, False)},
    people=4, relationships=9, density=0.6,
)  # fmt: skip


def test_risers_and_fallers_are_ranked_by_the_change_including_joiners_and_leavers():
    changes = compare(THEN, NOW)
    assert [(b.person, b.change) for b in changes.risers] == [(5, 30.0), (2, 25.0)]
    assert [(b.person, b.change) for b in changes.fallers] == [(1, -20.0), (4, -10.0)]
    assert [b.person for b in changes.brokers] == [5, 2, 3, 4, 1]
    assert changes.brokers[0].then is None and changes.brokers[3].now is None


def test_boundary_spanners_gained_and_lost():
    changes = compare(THEN, NOW)
    assert changes.new_spanners == [2]
    assert changes.lost_spanners == [1]


def test_boundary_spanners_are_listed_by_the_change_in_broker_score_not_by_record():
    then = _side({1: (10.0, 0), 2: (10.0, 0), 3: (90.0, 3), 4: (60.0, 3)}, {})
    now = _side({1: (20.0, 3), 2: (70.0, 3), 3: (80.0, 0), 4: (10.0, 0)}, {})
    changes = compare(then, now)
    assert changes.new_spanners == [2, 1]  # +60, then +10
    assert changes.lost_spanners == [4, 3]  # -50, then -10


def test_partnerships_that_gained_or_lost_ties_trust_and_people():
    changes = compare(THEN, NOW)
    gained = {
        c.pair: (c.ties_change, c.carriers_change, c.trust_change) for c in changes.pairs_gained
    }
    assert gained == {("a", "b"): (2, 1, 0.5), ("c", "d"): (2, 2, None)}
    lost = {c.pair: c.ties_change for c in changes.pairs_lost}
    assert lost == {("a", "c"): -1, ("b", "c"): -1}


def test_single_points_of_failure_created_and_resolved():
    changes = compare(THEN, NOW)
    assert [c.pair for c in changes.failures_created] == [("b", "c")]
    assert [c.pair for c in changes.failures_resolved] == [("a", "c")]


def test_whole_map_figures_then_now_and_change():
    figures = {f.key: (f.then, f.now, f.change) for f in compare(THEN, NOW).figures}
    assert figures["relationships"] == (7, 9, 2)
    assert abs(figures["density"][2] - 0.1) < 1e-12
    assert figures["components"] == (None, None, None)


def test_comparing_a_run_with_itself_moves_nothing():
    changes = compare(THEN, THEN)
    assert not (changes.risers or changes.fallers or changes.new_spanners or changes.pairs_gained)
    assert not (changes.pairs_lost or changes.failures_created or changes.failures_resolved)
