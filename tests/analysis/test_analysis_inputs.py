"""Inputs and plain behaviour: filtering, arcs, undefined values, errors, no Django."""

import ast
import dataclasses
import datetime
import subprocess
import sys
from pathlib import Path

import pytest

import stakeholders.analysis as analysis_package
from stakeholders.analysis import (
    BOUNDARIES,
    Options,
    Tie,
    analyse,
    broker_ranking,
    explain,
    percentile_ranks,
    untied_pairs,
)

NO_GROUPS = {"organisation": {}, "sector": {}, "tier": {}}
PACKAGE_DIR = Path(analysis_package.__file__).parent


def _one_org(org: dict) -> dict:
    return {"organisation": org, "sector": {}, "tier": {}}


def test_package_never_imports_django_in_source():
    for path in sorted(PACKAGE_DIR.glob("*.py")):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            assert not any(n == "django" or n.startswith("django.") for n in names), path


def test_package_runs_with_django_blocked():
    code = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'django' or name.startswith('django.'):\n"
        "            raise ImportError('django is blocked')\n"
        "sys.meta_path.insert(0, Block())\n"
        "from stakeholders.analysis import analyse, Tie\n"
        "r = analyse(people=[1, 2], groups={'organisation': {}, 'sector': {}, 'tier': {}},\n"
        "            ties=[Tie(1, 2, 'trusts', 3)])\n"
        "assert not any(m == 'django' or m.startswith('django.') for m in sys.modules)\n"
    )
    root = PACKAGE_DIR.parent.parent
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr


def test_collaborates_makes_two_arcs_and_other_kinds_one():
    ties = [Tie(1, 2, "collaborates", 3), Tie(3, 4, "trusts", 2), Tie(5, 6, "influences", 2)]
    result = analyse(people=[1, 2, 3, 4, 5, 6], groups=NO_GROUPS, ties=ties)
    s = result.persons["organisation"]
    assert (s[1].degree_out, s[1].degree_in, s[2].degree_out, s[2].degree_in) == (1, 1, 1, 1)
    assert (s[3].degree_out, s[3].degree_in, s[4].degree_out, s[4].degree_in) == (1, 0, 0, 1)
    assert (s[5].degree_out, s[6].degree_in) == (1, 1)
    assert result.summaries["organisation"].arcs == 4
    assert result.summaries["organisation"].relationships == 3


def test_duplicate_arcs_take_the_largest_strength():
    # 1 -> 2 three times (two kinds plus a collaboration), strengths 1, 4 and 2.
    ties = [
        Tie(1, 2, "trusts", 1),
        Tie(1, 2, "reports_to", 4),
        Tie(2, 1, "collaborates", 2),
        Tie(2, 3, "trusts", 1),
        Tie(1, 3, "trusts", 5),
    ]
    result = analyse(people=[1, 2, 3], groups=NO_GROUPS, ties=ties)
    assert result.summaries["organisation"].arcs == 4  # 1->2, 2->1, 2->3, 1->3
    s = result.persons["organisation"]
    # Weighted path 1 -> 2 -> 3 has length 60/4 + 60/1 = 75 against 60/5 = 12 direct.
    assert s[2].weighted_betweenness == 0
    # Mutual weight z_12 = 4 + 2 = 6, z_13 = 5, z_23 = 1 fix 1's constraint:
    p12, p13 = 6 / 11, 5 / 11
    p32 = 1 / 6  # z_32 / (z_31 + z_32)
    p23 = 1 / 7  # z_23 / (z_21 + z_23)
    expected = (p12 + p13 * p32) ** 2 + (p13 + p12 * p23) ** 2
    assert s[1].constraint == pytest.approx(expected)


def test_self_ties_are_dropped():
    result = analyse(people=[1, 2], groups=NO_GROUPS, ties=[Tie(1, 1, "trusts", 5)])
    assert result.summaries["organisation"].relationships == 0
    assert result.persons["organisation"][1].degree_out == 0


def test_options_filter_kinds_strength_and_date():
    d = datetime.date
    ties = [
        Tie(1, 2, "trusts", 5, observed_on=d(2024, 1, 1)),
        Tie(2, 3, "collaborates", 2, observed_on=d(2025, 1, 1)),
        Tie(3, 4, "influences", 4),
        Tie(4, 1, "reports_to", 1, observed_on=d(2023, 6, 1)),
    ]

    def kept(options: Options) -> int:
        result = analyse(people=[1, 2, 3, 4], groups=NO_GROUPS, ties=ties, options=options)
        return result.summaries["organisation"].relationships

    assert kept(Options()) == 4
    assert kept(Options(kinds=frozenset({"trusts", "influences"}))) == 2
    assert kept(Options(min_strength=4)) == 2
    # as_of keeps ties observed on or before the date, and undated ties.
    assert kept(Options(as_of=d(2024, 1, 1))) == 3
    assert kept(Options(as_of=d(2022, 1, 1))) == 1
    assert kept(Options(kinds=frozenset({"collaborates"}), as_of=d(2024, 12, 31))) == 0


def test_filtered_out_ties_do_not_count_anywhere():
    ties = [Tie(1, 2, "trusts", 1), Tie(2, 3, "trusts", 5)]
    result = analyse(people=[1, 2, 3], groups=NO_GROUPS, ties=ties, options=Options(min_strength=2))
    s = result.persons["organisation"]
    assert s[1].constraint is None and s[1].degree_out == 0
    assert s[2].roles.total == 0


def test_person_without_ties_gets_none_for_undefined_measures():
    org = {1: "A", 2: "B"}
    result = analyse(people=[1, 2, 3], groups=_one_org(org), ties=[Tie(1, 2, "collaborates", 3)])
    lonely = result.persons["organisation"][3]
    assert lonely.group is None
    assert lonely.ei_index is None
    assert lonely.participation is None
    assert lonely.constraint is None
    assert lonely.effective_size is None
    assert lonely.broker.constraint is None
    assert lonely.betweenness == 0 and lonely.external_ties == 0
    assert lonely.broker.openness_percentile == 0
    assert "No relationships are recorded for them" in explain(lonely)
    assert lonely.roles.total_z is not None  # isolates get z-scores, not None


def test_unaffiliated_people_are_each_their_own_group():
    ties = [Tie(1, 2, "collaborates", 3), Tie(1, 3, "collaborates", 3)]
    result = analyse(people=[1, 2, 3], groups=_one_org({}), ties=ties)
    s = result.persons["organisation"][1]
    assert s.groups_reached == 2
    assert s.ei_index == 1.0
    assert s.participation == pytest.approx(0.5)  # two neighbours, each its own group
    summary = result.summaries["organisation"]
    assert summary.unaffiliated == 3 and summary.groups == ()
    assert summary.cross_boundary_share == 1.0
    assert result.pairs["organisation"] == []


def test_group_measures_count_distinct_neighbours():
    org = {1: "A", 2: "A", 3: "B", 4: "C"}
    ties = [Tie(1, 2, "collaborates", 3), Tie(1, 3, "collaborates", 3), Tie(4, 1, "trusts", 2)]
    s = analyse(people=[1, 2, 3, 4], groups=_one_org(org), ties=ties).persons["organisation"][1]
    assert s.external_ties == 3  # 1->3, 3->1, 4->1
    assert s.groups_reached == 2
    assert s.ei_index == pytest.approx((2 - 1) / 3)
    assert s.participation == pytest.approx(1 - 3 * (1 / 3) ** 2)


def test_boundary_betweenness_counts_only_cross_group_pairs():
    org = {1: "A", 2: "B", 3: "C"}
    s = analyse(
        people=[1, 2, 3],
        groups=_one_org(org),
        ties=[Tie(1, 2, "trusts", 3), Tie(2, 3, "trusts", 3)],
    ).persons["organisation"]
    # Pairs excluding 2: (1,3) and (3,1); only 1 -> 2 -> 3 exists.
    assert s[2].boundary_betweenness == pytest.approx(0.5)
    same = analyse(
        people=[1, 2, 3],
        groups=_one_org({1: "A", 2: "A", 3: "A"}),
        ties=[Tie(1, 2, "trusts", 3), Tie(2, 3, "trusts", 3)],
    ).persons["organisation"]
    assert same[2].boundary_betweenness is None  # no cross-group pairs at all


def test_weighted_false_skips_only_weighted_betweenness():
    # The what-if reads broker scores and partnerships only: everything else stays.
    org = {1: "A", 2: "A", 3: "B", 4: "C", 5: "C"}
    ties = [
        Tie(1, 2, "collaborates", 5),
        Tie(2, 3, "trusts", 2),
        Tie(3, 4, "trusts", 4, trust=3),
        Tie(4, 5, "influences", 1),
        Tie(1, 3, "reports_to", 3),
    ]
    full = analyse(people=[1, 2, 3, 4, 5], groups=_one_org(org), ties=ties)
    slim = analyse(people=[1, 2, 3, 4, 5], groups=_one_org(org), ties=ties, weighted=False)
    assert any(s.weighted_betweenness > 0 for s in full.persons["organisation"].values())
    for boundary in BOUNDARIES:
        for person, scores in full.persons[boundary].items():
            other = slim.persons[boundary][person]
            assert other.weighted_betweenness is None
            assert (
                dataclasses.replace(other, weighted_betweenness=scores.weighted_betweenness)
                == scores
            )
    assert slim.pairs == full.pairs
    assert slim.summaries == full.summaries


def test_percentile_ranks_definition():
    assert percentile_ranks([3.0, 1.0, 2.0]).tolist() == [1.0, 0.0, 0.5]
    assert percentile_ranks([1, 1, 1]).tolist() == [0.0, 0.0, 0.0]
    assert percentile_ranks([None, 2, 2, 5]).tolist() == [0.0, 1 / 3, 1 / 3, 1.0]
    assert percentile_ranks([0, 0, 0, 4]).tolist() == [0.0, 0.0, 0.0, 1.0]
    assert percentile_ranks([7]).tolist() == [0.0]
    assert percentile_ranks([]).tolist() == []
    assert percentile_ranks([0.1 + 0.2, 0.3]).tolist() == [0.0, 0.0]


def test_percentile_ranks_equal_scipy_rankdata_min():
    # Computed without scipy.stats (slow to import): the same as rankdata(method="min").
    import numpy as np
    from scipy.stats import rankdata

    rng = np.random.default_rng(7)
    for _ in range(500):
        n = int(rng.integers(2, 30))
        values = rng.integers(0, 4, n).astype(float)
        values[rng.random(n) < 0.2] = np.nan
        keys = np.where(np.isnan(values), -np.inf, values)
        expected = (rankdata(keys, method="min") - 1.0) / (n - 1)
        got = percentile_ranks([None if np.isnan(v) else v for v in values])
        assert np.array_equal(got, expected)


def test_hidden_influencer_and_titled_but_isolated():
    # Everyone trusts 5 (a frontline worker); 1 is board level but nobody's tie points at them.
    ties = [Tie(p, 5, "trusts", 5) for p in (1, 2, 3, 4)]
    seniority = {1: 5, 2: 2, 3: 1, 4: 1, 5: 0}
    result = analyse(people=[1, 2, 3, 4, 5], groups=NO_GROUPS, ties=ties, seniority=seniority)
    s = result.persons["organisation"]
    assert s[5].hidden_influencer and not s[5].titled_but_isolated
    assert s[1].titled_but_isolated and not s[1].hidden_influencer
    # 2 outranks three of the four others in seniority, yet nobody defers to them.
    assert s[2].titled_but_isolated and s[2].seniority_percentile == 0.75
    assert not any(s[p].hidden_influencer or s[p].titled_but_isolated for p in (3, 4))
    plain = analyse(people=[1, 2, 3, 4, 5], groups=NO_GROUPS, ties=ties)
    assert not any(
        x.hidden_influencer or x.titled_but_isolated for x in plain.persons["sector"].values()
    )
    assert plain.persons["sector"][1].seniority_percentile is None


def test_pair_rows_and_untied_pairs():
    org = {1: "A", 2: "A", 3: "B", 4: "B", 5: "C", 6: "D"}
    ties = [
        Tie(1, 3, "collaborates", 4, trust=5),
        Tie(2, 3, "trusts", 2),
        Tie(4, 2, "trusts", 3, trust=3),
        Tie(3, 5, "influences", 1),
    ]
    result = analyse(people=[1, 2, 3, 4, 5, 6], groups=_one_org(org), ties=ties)
    rows = {(r.group_a, r.group_b): r for r in result.pairs["organisation"]}
    assert sorted(rows) == [("A", "B"), ("B", "C")]
    ab = rows[("A", "B")]
    assert (ab.arcs_a_to_b, ab.arcs_b_to_a, ab.relationships) == (2, 2, 3)
    assert ab.mean_strength == pytest.approx(3)
    assert ab.mean_trust == pytest.approx(4)
    assert (ab.connected_person_pairs, ab.reciprocity) == (3, pytest.approx(1 / 3))
    assert ab.carriers == (1, 2, 3, 4)
    assert not ab.single_point_of_failure
    bc = rows[("B", "C")]
    assert bc.single_point_of_failure
    assert bc.failure_people == (3, 5)
    assert bc.disconnecting_people == (3, 5)
    assert bc.mean_trust is None
    assert list(untied_pairs(result, "organisation")) == [
        ("A", "C"),
        ("A", "D"),
        ("B", "D"),
        ("C", "D"),
    ]


def test_one_carrier_with_an_indirect_route_is_flagged_but_does_not_disconnect():
    # A = {1, 2}, B = {3, 4}: 1 carries both cross ties, but 2 -> 9 -> 4 routes around.
    org = {1: "A", 2: "A", 3: "B", 4: "B", 9: "C"}
    ties = [
        Tie(1, 3, "trusts", 3),
        Tie(1, 4, "trusts", 3),
        Tie(2, 9, "trusts", 3),
        Tie(9, 4, "trusts", 3),
    ]
    result = analyse(people=[1, 2, 3, 4, 9], groups=_one_org(org), ties=ties)
    ab = next(r for r in result.pairs["organisation"] if (r.group_a, r.group_b) == ("A", "B"))
    assert ab.single_point_of_failure
    assert ab.failure_people == (1,)
    assert ab.disconnecting_people == ()


def test_summary_counts():
    org = {1: "A", 2: "B", 3: "B"}
    ties = [Tie(1, 2, "collaborates", 3), Tie(2, 3, "trusts", 2)]
    result = analyse(people=[1, 2, 3, 4], groups=_one_org(org), ties=ties)
    summary = result.summaries["organisation"]
    assert (summary.people, summary.relationships, summary.arcs) == (4, 2, 3)
    assert summary.density == pytest.approx(3 / 12)
    assert (summary.components, summary.isolates, summary.unaffiliated) == (2, 1, 1)
    assert summary.cross_boundary_share == pytest.approx(0.5)
    assert summary.groups == ("A", "B")


def test_empty_map():
    result = analyse(people=[], groups=NO_GROUPS, ties=[])
    assert all(result.persons[b] == {} for b in BOUNDARIES)
    assert result.summaries["tier"].components == 0
    assert result.summaries["tier"].density is None


def test_invalid_inputs_are_rejected():
    with pytest.raises(ValueError, match="not in people"):
        analyse(people=[1], groups=NO_GROUPS, ties=[Tie(1, 2, "trusts", 3)])
    with pytest.raises(ValueError, match="kind"):
        analyse(people=[1, 2], groups=NO_GROUPS, ties=[Tie(1, 2, "likes", 3)])
    with pytest.raises(ValueError, match="strength"):
        analyse(people=[1, 2], groups=NO_GROUPS, ties=[Tie(1, 2, "trusts", 6)])
    with pytest.raises(ValueError, match="duplicate"):
        analyse(people=[1, 1], groups=NO_GROUPS, ties=[])
    with pytest.raises(ValueError, match="groups"):
        analyse(people=[1], groups={"organisation": {}}, ties=[])
    with pytest.raises(ValueError, match="kinds"):
        analyse(people=[1], groups=NO_GROUPS, ties=[], options=Options(kinds=frozenset({"x"})))


def test_explain_reads_as_a_sentence_and_ranking_is_sorted():
    org = {1: "A", 2: "A", 3: "B", 4: "C"}
    ties = [Tie(1, 2, "collaborates", 3), Tie(2, 3, "collaborates", 3), Tie(2, 4, "trusts", 3)]
    result = analyse(people=[1, 2, 3, 4], groups=_one_org(org), ties=ties)
    ranking = broker_ranking(result, "organisation")
    assert ranking[0].person == 2
    scores = [s.broker.score for s in ranking]
    assert scores == sorted(scores, reverse=True)
    sentence = explain(ranking[0])
    assert sentence.startswith("Broker score ")
    assert "relationships with people in 2 other organisations" in sentence
    assert "organisations" in sentence and sentence.endswith(".")
    assert "sectors" in explain(result.persons["sector"][2])
