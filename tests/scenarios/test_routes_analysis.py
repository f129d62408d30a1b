"""The trusted route finder against brute force and networkx, on small seeded random maps.

Brute force enumerates every simple path and ranks them by exact reliability (as
fractions), then hops, then ids: the rule as written. networkx's Dijkstra on
-log(reliability) checks the reliability of the best route independently.
"""

import itertools
import math
import random
from fractions import Fraction

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stakeholders.analysis.routes import (
    TieLink,
    hop_reliability,
    part_of_map,
    route_graph,
)


def random_links(seed: int, n: int, density: float) -> list[TieLink]:
    rng = random.Random(seed)
    links = []
    tie = 0
    for a, b in itertools.combinations(range(n), 2):
        for _ in range(rng.choice([1, 1, 1, 2])):  # sometimes two ties between a pair
            if rng.random() < density:
                tie += 1
                # A few values only, so that equal reliabilities (tie-breaks) are common.
                strength = rng.choice([3, 4, 5, 5])
                trust = rng.choice([None, 3, 4, 5, 5])
                a_, b_ = (a, b) if rng.random() < 0.5 else (b, a)
                links.append(TieLink(tie, a_, b_, strength, trust, rng.random() < 0.15))
    return links


def best_reliabilities(links: list[TieLink]) -> dict[frozenset, Fraction]:
    best: dict[frozenset, Fraction] = {}
    for link in links:
        if link.a == link.b:
            continue  # no self-ties (the database forbids them; the finder skips them)
        pair = frozenset((link.a, link.b))
        r = hop_reliability(link.strength, link.trust, link.stale)
        best[pair] = max(best.get(pair, Fraction(0)), r)
    return best


def brute_force_best(links, source, target, avoid=frozenset(), skip_direct=False):
    """The best simple path by (exact reliability desc, hops, ids), by enumeration."""
    best = best_reliabilities(links)
    neighbours: dict[int, set[int]] = {}
    for pair in best:
        a, b = tuple(pair)
        neighbours.setdefault(a, set()).add(b)
        neighbours.setdefault(b, set()).add(a)
    found = []

    def walk(path, product):
        node = path[-1]
        if node == target:
            found.append((-product, len(path) - 1, tuple(path)))
            return
        for other in neighbours.get(node, ()):
            if other in path or (other in avoid and other != target):
                continue
            if skip_direct and node == source and other == target:
                continue
            walk([*path, other], product * best[frozenset((node, other))])

    walk([source], Fraction(1))
    if not found:
        return None
    key = min(found)
    return key[2], -key[0]


def brute_force_routes(links, source, target, alternatives=3):
    routes, avoid, skip_direct = [], set(), False
    while len(routes) <= alternatives:
        found = brute_force_best(links, source, target, frozenset(avoid), skip_direct)
        if found is None:
            break
        routes.append(found)
        avoid.update(found[0][1:-1])
        skip_direct = skip_direct or len(found[0]) == 2
    return routes


def test_hop_reliability_is_strength_times_trust_over_25_unknown_trust_3_stale_half():
    assert hop_reliability(4, 4, False) == Fraction(16, 25)
    assert hop_reliability(4, None, False) == Fraction(12, 25)
    assert hop_reliability(5, 5, False) == 1
    assert hop_reliability(5, 5, True) == Fraction(1, 2)
    assert hop_reliability(1, 1, True) == Fraction(1, 50)
    for bad in ((0, 3), (6, 3), (3, 0), (3, 6)):
        with pytest.raises(ValueError):
            hop_reliability(*bad, False)


@pytest.mark.parametrize("seed", range(40))
def test_routes_match_brute_force_on_random_maps(seed):
    rng = random.Random(1000 + seed)
    n = rng.randint(5, 9)
    links = random_links(seed, n, density=rng.choice([0.25, 0.4, 0.6]))
    graph = route_graph(links, range(n))
    for source, target in itertools.permutations(range(n), 2):
        got = graph.routes(source, target)
        want = brute_force_routes(links, source, target)
        assert [r.people for r in got] == [path for path, _ in want], (seed, source, target)
        for route, (_path, product) in zip(got, want, strict=True):
            assert route.reliability == pytest.approx(float(product), rel=1e-12)


@pytest.mark.parametrize("seed", range(20))
def test_most_trusted_reliability_matches_networkx_dijkstra(seed):
    rng = random.Random(seed)
    n = rng.randint(8, 25)
    links = random_links(seed, n, density=0.2)
    best = best_reliabilities(links)
    g = nx.Graph()
    g.add_nodes_from(range(n))
    for pair, r in best.items():
        a, b = tuple(pair)
        g.add_edge(a, b, length=-math.log(r))
    graph = route_graph(links, range(n))
    for source, target in itertools.permutations(range(n), 2):
        route = graph.most_trusted(source, target)
        if not nx.has_path(g, source, target):
            assert route is None
            continue
        length = nx.dijkstra_path_length(g, source, target, weight="length")
        assert -math.log(route.reliability) == pytest.approx(length, abs=1e-9)
        # The route is a real path, and its reliability the product of its hops.
        product = 1.0
        for hop in route.hops:
            assert g.has_edge(hop.source, hop.target)
            assert hop.reliability == float(best[frozenset((hop.source, hop.target))])
            product *= hop.reliability
        assert route.reliability == pytest.approx(product, rel=1e-12)


@pytest.mark.parametrize("seed", range(20))
def test_alternatives_share_no_intermediary_and_never_beat_the_first(seed):
    links = random_links(seed, 12, density=0.35)
    graph = route_graph(links, range(12))
    for source, target in [(0, 11), (3, 7), (5, 2)]:
        routes = graph.routes(source, target)
        assert len(routes) <= 4
        seen: set[int] = set()
        directs = 0
        for route in routes:
            middle = set(route.intermediaries)
            assert not middle & seen
            assert source not in middle and target not in middle
            assert len(set(route.people)) == len(route.people)  # simple paths
            seen |= middle
            directs += len(route.people) == 2
            assert route.reliability <= routes[0].reliability
        assert directs <= 1


def test_equal_reliability_goes_to_fewer_hops_then_lower_ids():
    # Direct 3 x 3 / 25 = 0.36, and 0 -> 2 -> 1 at 0.6 x 0.6 = 0.36: the direct tie wins.
    links = [
        TieLink(1, 0, 1, 3, 3, False),
        TieLink(2, 0, 2, 3, 5, False),
        TieLink(3, 2, 1, 5, 3, False),
    ]
    graph = route_graph(links)
    routes = graph.routes(0, 1)
    assert [r.people for r in routes] == [(0, 1), (0, 2, 1)]
    assert routes[0].reliability == routes[1].reliability == pytest.approx(0.36)
    # Two equal two-hop routes through 7 and 4: the lower id (4) comes first.
    links = [
        TieLink(1, 0, 7, 4, 4, False),
        TieLink(2, 7, 9, 4, 4, False),
        TieLink(3, 0, 4, 4, 4, False),
        TieLink(4, 4, 9, 4, 4, False),
    ]
    assert [r.people for r in route_graph(links).routes(0, 9)] == [(0, 4, 9), (0, 7, 9)]


def test_equal_products_in_a_different_order_are_still_equal():
    # 0.8 x 0.6 and 0.6 x 0.8 (as floats, summed logs could differ in the last bit).
    links = [
        TieLink(1, 0, 5, 4, 5, False),
        TieLink(2, 5, 9, 3, 5, False),
        TieLink(3, 0, 3, 3, 5, False),
        TieLink(4, 3, 9, 4, 5, False),
    ]
    routes = route_graph(links).routes(0, 9)
    assert [r.people for r in routes] == [(0, 3, 9), (0, 5, 9)]


def test_a_hop_uses_the_best_tie_either_way_and_stale_ties_count_half():
    links = [
        TieLink(1, 0, 1, 5, 5, True),  # 1.0 stale: 0.5
        TieLink(2, 1, 0, 4, 4, False),  # 0.64, recorded the other way: the best
        TieLink(3, 0, 1, 2, None, False),  # 0.24
    ]
    route = route_graph(links).most_trusted(0, 1)
    assert route.hops[0].tie == 2
    assert route.reliability == pytest.approx(0.64)


def test_a_direct_tie_is_one_route_only():
    links = [TieLink(1, 0, 1, 5, 5, False), TieLink(2, 0, 2, 4, 4, False)]
    links.append(TieLink(3, 2, 1, 4, 4, False))
    routes = route_graph(links).routes(0, 1)
    assert [r.people for r in routes] == [(0, 1), (0, 2, 1)]


def test_no_route_between_separate_parts_and_the_parts_described():
    links = [TieLink(1, 0, 1, 3, 3, False), TieLink(2, 1, 2, 3, 3, False)]
    links.append(TieLink(3, 5, 6, 3, 3, False))
    graph = route_graph(links, range(8))
    assert graph.routes(0, 6) == []
    assert graph.most_trusted(0, 7) is None
    groups = {0: "Hospital", 1: "Hospital", 2: "Council", 5: "Carers", 6: "Carers"}
    part = part_of_map(graph, 0, groups)
    assert part.size == 3
    assert part.groups == [("Hospital", 2), ("Council", 1)]
    assert part_of_map(graph, 7, groups).size == 1
    assert part_of_map(graph, 6, groups).groups == [("Carers", 2)]


def test_same_answer_whatever_the_order_ties_arrive_in():
    links = random_links(7, 14, density=0.3)
    expected = [r.people for r in route_graph(links, range(14)).routes(0, 13)]
    for seed in range(5):
        shuffled = links[:]
        random.Random(seed).shuffle(shuffled)
        assert [r.people for r in route_graph(shuffled, range(14)).routes(0, 13)] == expected


tie_values = st.tuples(
    st.integers(0, 7),
    st.integers(0, 7),
    st.integers(1, 5),
    st.one_of(st.none(), st.integers(1, 5)),
    st.booleans(),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(tie_values, max_size=25), st.integers(0, 7), st.integers(0, 7))
def test_property_routes_agree_with_brute_force(values, source, target):
    links = [TieLink(i, a, b, s, t, stale) for i, (a, b, s, t, stale) in enumerate(values)]
    graph = route_graph(links, range(8))
    if source == target:
        assert graph.routes(source, target) == []
        return
    got = graph.routes(source, target)
    want = brute_force_routes(links, source, target)
    assert [r.people for r in got] == [path for path, _ in want]
