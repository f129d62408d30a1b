"""Partnership rows on sparse, cut-vertex-rich graphs against brute-force removal."""

import random

import naive_reference as naive
import pytest
from conftest import close

from stakeholders.analysis import KINDS, Tie, analyse

KIND_LIST = sorted(KINDS)


def sparse_case(seed: int) -> dict:
    """A forest with a few extra ties: many cut vertices, several components."""
    rng = random.Random(seed)
    n = rng.randint(8, 40)
    people = rng.sample(range(1, 10_000), n)
    ties = []
    for i in range(1, n):
        if rng.random() < 0.85:  # else start a new component
            parent = people[rng.randrange(i)]
            ends = (parent, people[i]) if rng.random() < 0.5 else (people[i], parent)
            ties.append(Tie(*ends, rng.choice(KIND_LIST), rng.randint(1, 5), rng.choice([None, 3])))
    for _ in range(rng.randint(0, n // 4)):
        s, t = rng.sample(people, 2)
        ties.append(Tie(s, t, rng.choice(KIND_LIST), rng.randint(1, 5)))
    labels = [f"g{i}" for i in range(rng.randint(2, 7))]
    org = {p: rng.choice(labels) for p in people if rng.random() < 0.9}
    return {
        "people": people,
        "groups": {"organisation": org, "sector": {}, "tier": {}},
        "ties": ties,
    }


@pytest.mark.parametrize("seed", range(40))
def test_pairs_match_brute_force(seed):
    case = sparse_case(seed)
    result = analyse(**case)
    arcs = naive.arcs_of(naive.kept(case["ties"], result.options))
    ties = naive.kept(case["ties"], result.options)
    want = naive.pair_rows(sorted(case["people"]), ties, arcs, case["groups"]["organisation"])
    rows = {(r.group_a, r.group_b): r for r in result.pairs["organisation"]}
    assert set(rows) == set(want)
    for key, expected in want.items():
        for name, value in expected.items():
            assert close(getattr(rows[key], name), value), (key, name, getattr(rows[key], name))


def test_sparse_cases_exercise_disconnection_both_ways():
    flagged = cut = kept = 0
    for seed in range(40):
        case = sparse_case(seed)
        for row in analyse(**case).pairs["organisation"]:
            flagged += row.single_point_of_failure
            cut += bool(row.disconnecting_people)
            kept += bool(row.failure_people) and not row.disconnecting_people
    assert flagged and cut and kept
