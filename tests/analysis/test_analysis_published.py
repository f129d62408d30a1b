"""Published values for standard networks (REFERENCE.md) and hand-computed fixtures."""

import math

import networkx as nx
import pytest

from stakeholders.analysis import Tie, analyse

NO_GROUPS = {"organisation": {}, "sector": {}, "tier": {}}


def _mutual(graph: nx.Graph) -> tuple[list[int], dict, list[Tie]]:
    """An undirected graph as collaborations between integer ids."""
    names = sorted(graph)
    index = {name: i for i, name in enumerate(names)}
    ties = [Tie(index[u], index[v], "collaborates", 3) for u, v in graph.edges()]
    return list(index.values()), index, ties


def test_florentine_families_betweenness():
    people, index, ties = _mutual(nx.florentine_families_graph())
    scores = analyse(people=people, groups=NO_GROUPS, ties=ties).persons["organisation"]
    published = {
        "Medici": 0.522,
        "Guadagni": 0.255,
        "Albizzi": 0.212,
        "Salviati": 0.143,
        "Ridolfi": 0.114,
    }
    for family, value in published.items():
        assert scores[index[family]].betweenness == pytest.approx(value, abs=5e-4)
    # Raw Medici betweenness over unordered pairs is 47.5 (sna, igraph).
    assert scores[index["Medici"]].betweenness * 14 * 13 / 2 == pytest.approx(47.5)


def test_krackhardt_kite_betweenness():
    people, index, ties = _mutual(nx.krackhardt_kite_graph())
    scores = analyse(people=people, groups=NO_GROUPS, ties=ties).persons["organisation"]
    names = ["Andre", "Beverly", "Carol", "Diane", "Ed"]
    names += ["Fernando", "Garth", "Heather", "Ike", "Jane"]
    # Raw over unordered pairs: normalised x (n-1)(n-2) / 2.
    raw = {names[i]: scores[i].betweenness * 9 * 8 / 2 for i in range(10)}
    assert raw["Heather"] == pytest.approx(14)
    assert raw["Fernando"] == pytest.approx(8.333, abs=1e-3)
    assert raw["Garth"] == pytest.approx(8.333, abs=1e-3)
    assert raw["Ike"] == pytest.approx(8)
    assert raw["Diane"] == pytest.approx(3.667, abs=1e-3)
    assert raw["Andre"] == pytest.approx(0.833, abs=1e-3)
    assert raw["Beverly"] == pytest.approx(0.833, abs=1e-3)
    assert raw["Jane"] == 0


# Borgatti (1997), Connections 20(1); graph and weights as in networkx's
# test_structuralholes.py (values there checked against UCINET).
BORGATTI_WEIGHTS = {
    ("A", "B"): 2,
    ("A", "F"): 3,
    ("A", "G"): 5,
    ("A", "E"): 2,
    ("E", "G"): 8,
    ("F", "G"): 3,
    ("B", "G"): 4,
    ("B", "D"): 1,
    ("D", "G"): 3,
    ("G", "C"): 10,
}
LETTERS = "ABCDEFG"


def _borgatti(weighted: bool) -> dict:
    """Person scores for Borgatti's graph; a mutual weight w as arcs w//2 and w - w//2."""
    ties = []
    for (u, v), w in BORGATTI_WEIGHTS.items():
        a, b = LETTERS.index(u), LETTERS.index(v)
        if not weighted:
            ties.append(Tie(a, b, "collaborates", 1))
            continue
        # Strengths are 1..5, but only z_ij = a_ij + a_ji matters: split w over
        # the two directions (trusts is one-way).
        ties.append(Tie(a, b, "trusts", w - w // 2))
        if w // 2:
            ties.append(Tie(b, a, "trusts", w // 2))
    result = analyse(people=list(range(7)), groups=NO_GROUPS, ties=ties)
    return {LETTERS[p]: s for p, s in result.persons["organisation"].items()}


def test_borgatti_constraint_and_effective_size_unweighted():
    s = _borgatti(weighted=False)
    assert s["G"].constraint == pytest.approx(0.400, abs=1e-3)
    assert s["A"].constraint == pytest.approx(0.595, abs=1e-3)
    assert s["C"].constraint == pytest.approx(1.0, abs=1e-3)
    assert s["G"].effective_size == pytest.approx(4.67, abs=1e-2)
    assert s["A"].effective_size == pytest.approx(2.50, abs=1e-2)
    assert s["C"].effective_size == pytest.approx(1.0, abs=1e-2)


def test_borgatti_constraint_and_effective_size_weighted():
    s = _borgatti(weighted=True)
    assert s["G"].constraint == pytest.approx(0.299, abs=1e-3)
    assert s["A"].constraint == pytest.approx(0.795, abs=1e-3)
    assert s["C"].constraint == pytest.approx(1.0, abs=1e-3)
    assert s["G"].effective_size == pytest.approx(5.47, abs=1e-2)
    assert s["A"].effective_size == pytest.approx(2.47, abs=1e-2)
    assert s["C"].effective_size == pytest.approx(1.0, abs=1e-2)


def test_networkx_small_directed_graph_effective_size_and_constraint():
    """UCINET values from networkx's tests; its default path gives 1.333 for node 0."""
    arcs = {(0, 1): 2, (0, 2): 2, (1, 0): 1, (2, 1): 1}
    plain = analyse(
        people=[0, 1, 2],
        groups=NO_GROUPS,
        ties=[Tie(u, v, "trusts", 1) for u, v in arcs],
    ).persons["organisation"]
    assert plain[0].effective_size == pytest.approx(1.167, abs=1e-3)
    assert plain[1].effective_size == pytest.approx(1.167, abs=1e-3)
    assert plain[2].effective_size == pytest.approx(1.0, abs=1e-3)
    assert plain[0].constraint == pytest.approx(1.003, abs=1e-3)
    assert plain[2].constraint == pytest.approx(1.389, abs=1e-3)
    weighted = analyse(
        people=[0, 1, 2],
        groups=NO_GROUPS,
        ties=[Tie(u, v, "trusts", w) for (u, v), w in arcs.items()],
    ).persons["organisation"]
    assert weighted[0].constraint == pytest.approx(0.840, abs=1e-3)
    assert weighted[1].constraint == pytest.approx(1.143, abs=1e-3)
    assert weighted[2].constraint == pytest.approx(1.378, abs=1e-3)
    assert weighted[0].effective_size == pytest.approx(1.567, abs=1e-3)
    assert weighted[1].effective_size == pytest.approx(1.083, abs=1e-3)


def test_triangle_constraint_exceeds_one():
    ties = [
        Tie(1, 2, "collaborates", 2),
        Tie(2, 3, "collaborates", 2),
        Tie(1, 3, "collaborates", 2),
    ]
    scores = analyse(people=[1, 2, 3], groups=NO_GROUPS, ties=ties).persons["organisation"]
    assert all(s.constraint == pytest.approx(1.125) for s in scores.values())


def test_one_open_two_path_per_brokerage_role():
    """Five disjoint paths a -> v -> b, one per role, in organisations A, B and C."""
    org = {}
    ties = []
    shapes = {
        "coordinator": ("A", "A", "A"),
        "itinerant": ("A", "B", "A"),
        "representative": ("A", "A", "B"),
        "gatekeeper": ("A", "B", "B"),
        "liaison": ("A", "B", "C"),
    }
    brokers = {}
    for k, (role, groups) in enumerate(shapes.items()):
        a, v, b = 10 * k + 1, 10 * k + 2, 10 * k + 3
        org.update({a: groups[0], v: groups[1], b: groups[2]})
        ties += [Tie(a, v, "trusts", 3), Tie(v, b, "trusts", 3)]
        brokers[role] = v
    result = analyse(
        people=sorted(org), groups={"organisation": org, "sector": {}, "tier": {}}, ties=ties
    )
    scores = result.persons["organisation"]
    roles = ("coordinator", "itinerant", "representative", "gatekeeper", "liaison")
    for role, v in brokers.items():
        counts = {r: getattr(scores[v].roles, r) for r in roles}
        assert counts == {r: int(r == role) for r in roles}, role
        assert scores[v].roles.total == 1
    for p in set(org) - set(brokers.values()):
        assert scores[p].roles.total == 0


def test_closed_two_path_is_not_brokerage():
    ties = [Tie(1, 2, "trusts", 3), Tie(2, 3, "trusts", 3), Tie(1, 3, "trusts", 3)]
    scores = analyse(people=[1, 2, 3], groups=NO_GROUPS, ties=ties).persons["organisation"]
    assert scores[2].roles.total == 0


def test_mutual_tie_counts_an_open_path_both_ways():
    ties = [Tie(1, 2, "collaborates", 3), Tie(2, 3, "collaborates", 3)]
    scores = analyse(people=[1, 2, 3], groups=NO_GROUPS, ties=ties).persons["organisation"]
    assert scores[2].roles.total == 2  # 1 -> 2 -> 3 and 3 -> 2 -> 1


def test_brokerage_z_by_hand():
    """N = 4, groups {1, 2} and {3, 4}, arcs 1->2->3->4.

    d = 3/12 = 1/4, q = d^2 (1-d) = 3/64, c3 = d^3 (1-d)^3 = 27/4096.
    Broker 2 (group size 2) has one representative path (1 -> 2 -> 3):
      representative E = q * 2 * 1 = 3/32; Var = E(1-q) + 2 [1 * C(2,2) + 2 * C(1,2)] c3
        = 3/32 * 61/64 + 54/4096 = 183/2048 + 27/2048 = 210/2048
        z = (1 - 3/32) / sqrt(210/2048) = 2.830110...
      itinerant E = q * 2 = 3/32; Var = E(1-q) = 183/2048; z = -(3/32) / sqrt(183/2048)
      coordinator: Var = 0 (E = q * 1 * 0 = 0) -> undefined
      liaison: only two groups, E = 0 and Var = 0 -> undefined
      total: E = q * 3 * 2 = 9/32; Var = E(1-q) + 2 * 3 * 2 * 1 * c3 = 549/2048 + 324/4096
    R's sna 2.7 prints 2.83011021155075, -0.31362502409359, -0.29277002188456 and
    1.219854502402786 for these.
    """
    ties = [Tie(1, 2, "trusts", 1), Tie(2, 3, "trusts", 1), Tie(3, 4, "trusts", 1)]
    org = {1: "X", 2: "X", 3: "Y", 4: "Y"}
    result = analyse(
        people=[1, 2, 3, 4], groups={"organisation": org, "sector": {}, "tier": {}}, ties=ties
    )
    r = result.persons["organisation"][2].roles
    assert r.representative == 1
    assert r.representative_z == pytest.approx((1 - 3 / 32) / math.sqrt(210 / 2048), abs=1e-12)
    assert r.representative_z == pytest.approx(2.83011021155075, abs=1e-12)
    assert r.itinerant_z == pytest.approx(-(3 / 32) / math.sqrt(183 / 2048), abs=1e-12)
    assert r.itinerant_z == pytest.approx(-0.31362502409359, abs=1e-12)
    assert r.gatekeeper_z == pytest.approx(-0.29277002188456, abs=1e-12)
    total_var = 549 / 2048 + 324 / 4096
    assert r.total_z == pytest.approx((1 - 9 / 32) / math.sqrt(total_var), abs=1e-12)
    assert r.total_z == pytest.approx(1.219854502402786, abs=1e-12)
    assert r.coordinator_z is None
    assert r.liaison_z is None
    gatekeeper = result.persons["organisation"][3].roles
    assert gatekeeper.gatekeeper == 1
    assert gatekeeper.gatekeeper_z == pytest.approx(2.83011021155075, abs=1e-12)


# A 14-node digraph and R sna 2.7's brokerage(g, cl) output for it, columns
# coordinator (w_I), itinerant (w_O), representative (b_IO), gatekeeper (b_OI),
# liaison (b_O), total (t). Nodes are 0-based here, 1-based in R.
SNA_ARCS = [
    (0, 2), (0, 4), (0, 7), (0, 9), (0, 11), (0, 12), (1, 2), (1, 9), (1, 12), (1, 13),
    (2, 3), (2, 8), (2, 9), (2, 10), (3, 13), (4, 2), (4, 5), (5, 6), (6, 0), (6, 2),
    (6, 3), (6, 4), (6, 7), (6, 11), (7, 9), (7, 10), (8, 2), (8, 12), (9, 5), (9, 7),
    (9, 8), (9, 10), (9, 11), (9, 13), (10, 0), (10, 1), (10, 2), (10, 4), (10, 7),
    (10, 12), (11, 3), (11, 4), (11, 8), (11, 9), (11, 13), (12, 1), (12, 8), (13, 10),
    (13, 11),
]  # fmt: skip
SNA_CLASSES = [1, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 4, 1, 2]
SNA_RAW = [
    [0, 1, 0, 1, 2, 4], [1, 1, 2, 0, 1, 5], [3, 2, 7, 2, 5, 19], [0, 1, 1, 0, 0, 2],
    [0, 1, 1, 1, 2, 5], [0, 0, 0, 2, 0, 2], [1, 0, 5, 0, 0, 6], [0, 1, 2, 0, 1, 4],
    [0, 2, 0, 0, 4, 6], [0, 3, 0, 3, 14, 20], [0, 5, 5, 0, 11, 21], [0, 4, 0, 0, 8, 12],
    [1, 0, 2, 1, 1, 5], [0, 0, 0, 0, 5, 5],
]  # fmt: skip
NAN = None
SNA_Z = [
    [-0.765118113952873435, -0.116404074964375992, -0.915393951823359475,
     -0.483359470157211091, 0.103241239990197256, -0.731550517828791547],
    [-0.042899211115295446, -0.116404074964375992, -0.051324988491062776,
     -0.915393951823359475, -0.415503195134933390, -0.559958515728769646],
    [1.401538594559860629, 0.587628279328078262, 2.108847419839678938,
     -0.051324988491062776, 1.659474545365589471, 1.842329513671536523],
    [-0.765118113952873435, -0.116404074964375992, -0.483359470157211091,
     -0.915393951823359475, -0.934247630260064077, -1.074734522028835348],
    [-0.765118113952873435, -0.116404074964375992, -0.483359470157211091,
     -0.483359470157211091, 0.103241239990197256, -0.559958515728769646],
    [-0.646218249811597034, -0.914829330828356380, -0.868418953231277713,
     0.042389706632246331, -0.978649519821440772, -1.074734522028835348],
    [0.370424424614524517, -0.914829330828356380, 1.408602696427532441,
     -0.868418953231277713, -0.978649519821440772, -0.388366513628747800],
    [-0.646218249811597034, -0.375119330874033374, 0.042389706632246331,
     -0.868418953231277713, -0.516760584258023958, -0.731550517828791547],
    [-0.646218249811597034, 0.164590669080289631, -0.868418953231277713,
     -0.868418953231277713, 0.868906222432226372, -0.388366513628747800],
    [NAN, 0.153409667197998895, -0.501381916417451223, 1.864968395868564777,
     2.819570914321799293, 2.013921515771558202],
    [NAN, 1.026290311636985253, 3.442535270725908703, -0.501381916417451223,
     1.943607072448855000, 2.185513517871580103],
    [NAN, 0.538492445701437394, NAN, NAN, 0.610115075444615074, 0.641185498971383439],
    [-0.042899211115295446, -0.820436429256830246, -0.051324988491062776,
     -0.483359470157211091, -0.415503195134933390, -0.559958515728769646],
    [-0.646218249811597034, -0.914829330828356380, -0.868418953231277713,
     -0.868418953231277713, 1.330795157995643185, -0.559958515728769646],
]  # fmt: skip


def test_brokerage_matches_r_sna():
    org = dict(enumerate(SNA_CLASSES))
    ties = [Tie(u, v, "trusts", 2) for u, v in SNA_ARCS]
    result = analyse(
        people=list(range(14)), groups={"organisation": org, "sector": {}, "tier": {}}, ties=ties
    )
    names = ("coordinator", "itinerant", "representative", "gatekeeper", "liaison", "total")
    for person, (raw, z) in enumerate(zip(SNA_RAW, SNA_Z, strict=True)):
        roles = result.persons["organisation"][person].roles
        assert [getattr(roles, r) for r in names] == raw, person
        for name, expected in zip(names, z, strict=True):
            got = getattr(roles, f"{name}_z")
            if expected is None:
                assert got is None, (person, name)
            else:
                assert got == pytest.approx(expected, abs=1e-12), (person, name)


def test_pagerank_matches_networkx():
    ties = [
        Tie(1, 2, "trusts", 5),
        Tie(2, 3, "reports_to", 2),
        Tie(4, 1, "influences", 3),
        Tie(3, 4, "collaborates", 1),
        Tie(5, 1, "trusts", 4),
    ]
    result = analyse(people=[1, 2, 3, 4, 5, 6], groups=NO_GROUPS, ties=ties)
    g = nx.DiGraph()
    g.add_nodes_from(range(1, 7))
    # Influence points at the person with sway: 1 -> 2, 2 -> 3, 1 -> 4 (4 influences 1),
    # 3 <-> 4, 5 -> 1; 6 is dangling and isolated.
    g.add_weighted_edges_from([(1, 2, 5), (2, 3, 2), (1, 4, 3), (3, 4, 1), (4, 3, 1), (5, 1, 4)])
    expected = nx.pagerank(g, weight="weight", tol=1e-15, max_iter=10_000)
    for p, value in expected.items():
        assert result.persons["organisation"][p].influence == pytest.approx(value, abs=1e-12)
    assert sum(s.influence for s in result.persons["organisation"].values()) == pytest.approx(1)
