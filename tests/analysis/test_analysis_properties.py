"""Property tests: relabelling people changes nothing; roles partition open two-paths."""

import naive_reference as naive
from conftest import same_scores
from hypothesis import given, settings
from hypothesis import strategies as st

from stakeholders.analysis import BOUNDARIES, KINDS, Tie, analyse

KIND_LIST = sorted(KINDS)


@st.composite
def maps(draw):
    """A small map: people 0..n-1, random ties, groups on each boundary, seniority."""
    n = draw(st.integers(min_value=1, max_value=9))
    people = list(range(n))
    tie = st.builds(
        Tie,
        source=st.sampled_from(people),
        target=st.sampled_from(people),
        kind=st.sampled_from(KIND_LIST),
        strength=st.integers(1, 5),
        trust=st.one_of(st.none(), st.integers(1, 5)),
    )
    ties = draw(st.lists(tie, max_size=3 * n))
    group = st.one_of(st.none(), st.sampled_from(["a", "b", "c", "d"]))
    groups = {}
    for boundary in BOUNDARIES:
        labels = draw(st.lists(group, min_size=n, max_size=n))
        groups[boundary] = {p: g for p, g in zip(people, labels, strict=True) if g is not None}
    seniority = draw(st.one_of(st.none(), st.lists(st.integers(0, 5), min_size=n, max_size=n)))
    if seniority is not None:
        seniority = dict(zip(people, seniority, strict=True))
    return {"people": people, "groups": groups, "ties": ties, "seniority": seniority}


def _relabel(case, new_id):
    """The same map with person p renamed new_id[p]."""
    return {
        "people": [new_id[p] for p in reversed(case["people"])],
        "groups": {b: {new_id[p]: g for p, g in m.items()} for b, m in case["groups"].items()},
        "ties": [
            Tie(new_id[t.source], new_id[t.target], t.kind, t.strength, t.trust)
            for t in reversed(case["ties"])
        ],
        "seniority": None
        if case["seniority"] is None
        else {new_id[p]: s for p, s in case["seniority"].items()},
    }


@settings(max_examples=40, deadline=None)
@given(maps(), st.randoms(use_true_random=False))
def test_relabelling_people_changes_nothing(case, rng):
    ids = rng.sample(range(1, 10_000), len(case["people"]))
    new_id = dict(zip(case["people"], ids, strict=True))
    before = analyse(**case)
    after = analyse(**_relabel(case, new_id))
    for boundary in BOUNDARIES:
        for p in case["people"]:
            a = before.persons[boundary][p]
            b = after.persons[boundary][new_id[p]]
            diffs = [d for d in same_scores(a, b) if not d.startswith("person")]
            assert not diffs, (boundary, p, diffs)
        rows_a = before.pairs[boundary]
        rows_b = after.pairs[boundary]
        assert [(r.group_a, r.group_b) for r in rows_a] == [(r.group_a, r.group_b) for r in rows_b]
        for ra, rb in zip(rows_a, rows_b, strict=True):
            assert tuple(sorted(new_id[p] for p in ra.carriers)) == rb.carriers
            assert tuple(sorted(new_id[p] for p in ra.failure_people)) == rb.failure_people
            assert tuple(sorted(new_id[p] for p in ra.disconnecting_people)) == (
                rb.disconnecting_people
            )
            assert ra.reciprocity == rb.reciprocity
            assert ra.mean_strength == rb.mean_strength
        assert before.summaries[boundary] == after.summaries[boundary]


@settings(max_examples=40, deadline=None)
@given(maps())
def test_roles_sum_to_the_open_two_paths(case):
    result = analyse(**case)
    arcs = naive.arcs_of(naive.kept(case["ties"], result.options))
    expected = naive.open_two_paths(case["people"], arcs)
    for boundary in BOUNDARIES:
        scores = result.persons[boundary].values()
        roles = [
            s.roles.coordinator
            + s.roles.itinerant
            + s.roles.representative
            + s.roles.gatekeeper
            + s.roles.liaison
            for s in scores
        ]
        assert sum(roles) == expected
        assert all(r == s.roles.total for r, s in zip(roles, scores, strict=True))
