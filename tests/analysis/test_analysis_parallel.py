"""Maps big enough to take the parallel kernels, against networkx and the serial kernels."""

import random

import networkx as nx
import numpy as np
import pytest

from stakeholders.analysis import KINDS, Tie, analyse
from stakeholders.analysis.betweenness import _unweighted_serial, betweenness, renumber
from stakeholders.analysis.graph import PARALLEL_MIN_PEOPLE, build_grouping, build_network
from stakeholders.analysis.inputs import BOUNDARIES, DEFAULT_OPTIONS


@pytest.fixture(scope="module")
def big_case():
    rng = random.Random(3)
    n = PARALLEL_MIN_PEOPLE + 100
    people = list(range(n))
    ties = [
        Tie(rng.randrange(n), rng.randrange(n), rng.choice(sorted(KINDS)), rng.randint(1, 5))
        for _ in range(2 * n)
    ]
    groups = {
        "organisation": {p: rng.randrange(60) for p in people if rng.random() < 0.95},
        "sector": {p: rng.randrange(5) for p in people},
        "tier": {p: rng.randrange(3) for p in people if p % 7},
    }
    return {"people": people, "groups": groups, "ties": ties}


def test_parallel_betweenness_matches_networkx(big_case):
    result = analyse(**big_case)
    g = nx.DiGraph()
    g.add_nodes_from(big_case["people"])
    arcs = {}
    for t in big_case["ties"]:
        if t.source == t.target:
            continue
        ends = [(t.source, t.target)] + ([(t.target, t.source)] if t.kind == "collaborates" else [])
        for a in ends:
            arcs[a] = max(arcs.get(a, 0), t.strength)
    g.add_edges_from((u, v, {"length": 60 // s}) for (u, v), s in arcs.items())
    plain = nx.betweenness_centrality(g)
    weighted = nx.betweenness_centrality(g, weight="length")
    scores = result.persons["organisation"]
    for p in big_case["people"]:
        assert scores[p].betweenness == pytest.approx(plain[p], abs=1e-12)
        assert scores[p].weighted_betweenness == pytest.approx(weighted[p], abs=1e-12)


def test_parallel_boundary_sums_match_the_serial_kernel(big_case):
    net = build_network(big_case["people"], big_case["ties"], DEFAULT_OPTIONS)
    codes = np.stack(
        [build_grouping(net.ids, big_case["groups"][b]).codes for b in BOUNDARIES], axis=1
    ).astype(np.int64)
    serial = _unweighted_serial(net.out.ptr, net.out.idx, codes)
    raw, cross = betweenness(renumber(net), codes)
    assert np.allclose(raw, serial[:, 0], rtol=1e-12, atol=1e-9)
    assert np.allclose(cross, serial[:, 1:], rtol=1e-12, atol=1e-9)
