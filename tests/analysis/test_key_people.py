"""Key people (what the network loses when someone leaves) against a naive networkx oracle.

The oracle removes people from a networkx graph and recounts components and
all-pairs BFS distances from the definitions in REFERENCE.md; expected values
for the published networks are derived from that same naive computation.
"""

import itertools
import math
import random

import networkx as nx
import numba
import numpy as np
import pytest
from conftest import close
from hypothesis import given, settings
from hypothesis import strategies as st

from stakeholders.analysis import BOUNDARIES, KINDS, Tie
from stakeholders.analysis import key_people as kp_module
from stakeholders.analysis.key_people import KeyPeople, _closed_twins, key_people, removal

KIND_LIST = sorted(KINDS)
NO_GROUPS = {b: {} for b in BOUNDARIES}


# --------------------------------------------------------------------------
# The naive oracle
# --------------------------------------------------------------------------


def collapse(people, ties) -> nx.Graph:
    """Undirected simple graph of every tie, self-ties dropped."""
    graph = nx.Graph()
    graph.add_nodes_from(people)
    graph.add_edges_from((t.source, t.target) for t in ties if t.source != t.target)
    return graph


def naive_f(graph: nx.Graph) -> float:
    """Fragmentation from component sizes (0 with fewer than two people)."""
    n = graph.number_of_nodes()
    if n < 2:
        return 0.0
    pairs = sum(len(c) * (len(c) - 1) for c in nx.connected_components(graph))
    return 1 - pairs / (n * (n - 1))


def naive_df(graph: nx.Graph) -> float:
    """Distance-weighted fragmentation from all-pairs BFS (0 with fewer than two people)."""
    n = graph.number_of_nodes()
    if n < 2:
        return 0.0
    total = sum(
        1 / d for s, dist in nx.all_pairs_shortest_path_length(graph) for t, d in dist.items()
        if t != s
    )  # fmt: skip
    return 1 - total / (n * (n - 1))


def _has_pair(graph, group, a, b, cutoff):
    """Some member of a and some member of b joined by a path (of at most cutoff steps)."""
    members_b = {p for p in graph if group.get(p) == b}
    for p in graph:
        if group.get(p) != a:
            continue
        if cutoff is None:
            reach = nx.node_connected_component(graph, p)
        else:
            reach = nx.single_source_shortest_path_length(graph, p, cutoff=cutoff)
        if members_b & set(reach):
            return True
    return False


def naive_lost(graph, removed, group, cutoff=None):
    """Sorted group pairs that had a path (<= cutoff steps) and have none once removed leave."""
    after = graph.copy()
    after.remove_nodes_from(removed)
    labels = sorted({group[p] for p in graph if p in group})
    out = []
    for a, b in itertools.combinations(labels, 2):
        if not any(group.get(p) == a for p in after) or not any(group.get(p) == b for p in after):
            continue  # nobody of a (or b) is left to be cut off
        if _has_pair(graph, group, a, b, cutoff) and not _has_pair(after, group, a, b, cutoff):
            out.append((a, b))
    return tuple(out)


def naive_removal(graph, groups, removed):
    """Every field of a Removal, naively."""
    after = graph.copy()
    after.remove_nodes_from(removed)
    return {
        "fragmentation_before": naive_f(graph),
        "fragmentation_after": naive_f(after),
        "distance_fragmentation_before": naive_df(graph),
        "distance_fragmentation_after": naive_df(after),
        "disconnected_pairs": {b: naive_lost(graph, removed, g) for b, g in groups.items()},
        "distant_pairs": {b: naive_lost(graph, removed, g, cutoff=2) for b, g in groups.items()},
    }


def random_case(seed: int) -> dict:
    """A small random map: varied density, sometimes disconnected, isolates, random groups."""
    rng = random.Random(seed)
    n = rng.randint(1, 22)
    people = rng.sample(range(1, 500), n)
    density = rng.choice([0.05, 0.1, 0.15, 0.25, 0.4, 0.7])
    ties = []
    for a, b in itertools.combinations(people, 2):
        if rng.random() < density:
            source, target = (a, b) if rng.random() < 0.5 else (b, a)
            ties.append(Tie(source, target, rng.choice(KIND_LIST), rng.randint(1, 5)))
    if people and rng.random() < 0.5:  # a parallel tie of another kind, and a self-tie
        ties.append(Tie(people[0], people[0], "trusts", 2))
        if ties:
            first = ties[0]
            ties.append(Tie(first.target, first.source, "influences", 1))
    rng.shuffle(ties)
    groups = {}
    for boundary, labels in zip(BOUNDARIES, ("abcdef", "xyz", "pq"), strict=True):
        groups[boundary] = {p: rng.choice(labels) for p in people if rng.random() < 0.85}
    return {"people": people, "groups": groups, "ties": ties}


def assert_close_removal(result, expected):
    """Compare a Removal (or KeyPerson-like dict) with the naive fields."""
    for name, value in expected.items():
        got = getattr(result, name)
        if isinstance(value, float):
            assert close(got, value), (name, got, value)
        else:
            assert got == value, (name, got, value)


# --------------------------------------------------------------------------
# Against the oracle
# --------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(48))
def test_every_key_person_matches_the_naive_oracle(seed):
    case = random_case(seed)
    graph = collapse(case["people"], case["ties"])
    result = key_people(**case, set_sizes=())
    f0, df0 = naive_f(graph), naive_df(graph)
    assert close(result.fragmentation, f0)
    assert close(result.distance_fragmentation, df0)
    assert sorted(p.person for p in result.people) == sorted(case["people"])
    for person in result.people:
        expected = naive_removal(graph, case["groups"], [person.person])
        assert close(person.fragmentation, expected["fragmentation_after"])
        assert close(person.distance_fragmentation, expected["distance_fragmentation_after"])
        assert close(person.fragmentation_increase, expected["fragmentation_after"] - f0)
        assert close(
            person.distance_fragmentation_increase,
            expected["distance_fragmentation_after"] - df0,
        )
        assert person.disconnected_pairs == expected["disconnected_pairs"]
        assert person.distant_pairs == expected["distant_pairs"]


@pytest.mark.parametrize("seed", range(48))
def test_people_are_ranked_by_fragmentation_then_distance_then_id(seed):
    people = key_people(**random_case(seed), set_sizes=()).people
    for a, b in itertools.pairwise(people):
        if not math.isclose(a.fragmentation_increase, b.fragmentation_increase, abs_tol=1e-12):
            assert a.fragmentation_increase > b.fragmentation_increase
        elif not math.isclose(
            a.distance_fragmentation_increase, b.distance_fragmentation_increase, abs_tol=1e-9
        ):
            assert a.distance_fragmentation_increase > b.distance_fragmentation_increase
        else:
            assert a.person < b.person


@pytest.mark.parametrize("seed", range(48))
def test_removal_of_random_sets_matches_the_naive_oracle(seed):
    case = random_case(seed)
    graph = collapse(case["people"], case["ties"])
    rng = random.Random(1000 + seed)
    for size in (0, 1, 2, 3, min(5, len(case["people"]))):
        removed = rng.sample(case["people"], min(size, len(case["people"])))
        result = removal(**case, removed=removed)
        assert result.removed == tuple(sorted(removed))
        assert_close_removal(result, naive_removal(graph, case["groups"], removed))


# Shapes that reach every branch of the distance kernel: long detours
# (stretch 4 and more), cut vertices, chains deeper than the 64-bit masks, and
# more far-stretched people than the per-source list holds.
STRUCTURED = {
    "cycle of 15": nx.cycle_graph(15),
    "cycle of 100": nx.cycle_graph(100),
    "path of 80": nx.path_graph(80),
    "grid": nx.grid_2d_graph(6, 8),
    "ladder": nx.ladder_graph(20),
    "barbell": nx.barbell_graph(5, 4),
    "lollipop": nx.lollipop_graph(5, 25),
    "tree": nx.balanced_tree(3, 3),
    "small world": nx.connected_watts_strogatz_graph(150, 4, 0.03, seed=4),
    "two pieces": nx.disjoint_union(nx.cycle_graph(12), nx.star_graph(6)),
    "diamonds after a long tail": nx.compose(
        nx.path_graph(70), nx.Graph([(69, 70), (69, 71), (70, 72), (71, 72), (72, 73), (72, 74)])
    ),
    # Closed twins (one search stands for several sources): teams whose members
    # know each other and the same outsiders, and a complete graph.
    "teams round a cycle": nx.compose(
        nx.cycle_graph(9),
        nx.Graph(
            [(t, m) for t in range(0, 9, 3) for m in range(10 + 4 * t, 14 + 4 * t)]
            + [
                (a, b)
                for t in range(0, 9, 3)
                for a in range(10 + 4 * t, 14 + 4 * t)
                for b in range(a + 1, 14 + 4 * t)
            ]
        ),
    ),
    "complete": nx.complete_graph(7),
}


@pytest.mark.parametrize("name", STRUCTURED)
def test_structured_graphs_match_the_naive_oracle(name):
    graph = nx.convert_node_labels_to_integers(STRUCTURED[name])
    ties = [Tie(a, b, "collaborates", 3) for a, b in graph.edges]
    result = key_people(people=list(graph), groups=NO_GROUPS, ties=ties, set_sizes=())
    assert close(result.distance_fragmentation, naive_df(graph))
    for person in result.people:
        after = graph.copy()
        after.remove_node(person.person)
        assert close(person.fragmentation, naive_f(after)), person.person
        assert close(person.distance_fragmentation, naive_df(after)), person.person


@pytest.mark.parametrize("name", ["grid", "small world", "diamonds after a long tail", "random"])
def test_wide_records_give_the_same_bits_as_short_ones(name, monkeypatch):
    # Maps of up to 32,767 people use 16-bit records in the distance kernel; larger
    # ones 32-bit. Forced here onto small graphs, both must agree to the bit.
    if name == "random":
        case = random_case(5)
    else:
        graph = nx.convert_node_labels_to_integers(STRUCTURED[name])
        ties = [Tie(a, b, "collaborates", 3) for a, b in graph.edges]
        case = {"people": list(graph), "groups": NO_GROUPS, "ties": ties}
    short = key_people(**case, set_sizes=())
    monkeypatch.setattr(kp_module, "SHORT_RECORDS_MAX", 0)
    wide = key_people(**case, set_sizes=())
    assert wide == short
    assert any(p.distance_fragmentation_increase > 0 for p in wide.people)


def test_closed_twins_share_one_search():
    # A triangle 0-1-2 with 1 and 2 also joined to 3: 1 and 2 have the same
    # closed neighbourhood; 0 and 3 have not (and are not adjacent).
    graph = nx.Graph([(0, 1), (0, 2), (1, 2), (1, 3), (2, 3), (3, 4)])
    ptr = np.zeros(6, dtype=np.int64)
    np.cumsum([graph.degree(v) for v in range(5)], out=ptr[1:])
    idx = np.array([u for v in range(5) for u in sorted(graph[v])], dtype=np.uint32)
    twin, times = _closed_twins(ptr.astype(np.uint32), idx)
    assert twin.tolist() == [0, 1, 1, 3, 4]
    assert times.tolist() == [1.0, 2.0, 0.0, 1.0, 1.0]


def test_a_parallel_run_gives_the_same_bits_as_a_serial_one():
    # 600 people: above the threshold where the kernels use threads.
    rng = random.Random(7)
    people = list(range(600))
    ties = [
        Tie(a, rng.choice(people), "collaborates", 2)
        for a in people
        for _ in range(2)
        if rng.random() < 0.9
    ]
    groups = {b: {p: p % 9 for p in people} for b in BOUNDARIES}
    before = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        serial = key_people(people=people, groups=groups, ties=ties, set_sizes=())
        numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
        parallel = key_people(people=people, groups=groups, ties=ties, set_sizes=())
    finally:
        numba.set_num_threads(before)
    assert serial == parallel
    # And a sample of people against the oracle at this size.
    graph = collapse(people, ties)
    for person in serial.people[:3] + serial.people[-2:]:
        after = graph.copy()
        after.remove_node(person.person)
        assert close(person.distance_fragmentation, naive_df(after))


# --------------------------------------------------------------------------
# Key sets (KPP-Neg)
# --------------------------------------------------------------------------


def brute_force_best(graph: nx.Graph, k: int) -> tuple[float, tuple[int, ...]]:
    """The highest F over all k-sets, and the first such set in id order."""
    best = (-1.0, ())
    for chosen in itertools.combinations(sorted(graph), k):
        after = graph.copy()
        after.remove_nodes_from(chosen)
        f = naive_f(after)
        if f > best[0] + 1e-12:
            best = (f, chosen)
    return best


@pytest.mark.parametrize("seed", range(24))
def test_exhaustive_key_sets_are_the_brute_force_optimum(seed):
    case = random_case(seed)
    graph = collapse(case["people"], case["ties"])
    result = key_people(**case, set_sizes=(1, 2, 3))
    assert [s.size for s in result.sets] == [k for k in (1, 2, 3) if k < len(case["people"])]
    for key_set in result.sets:
        assert key_set.method == "exhaustive"
        f, chosen = brute_force_best(graph, key_set.size)
        assert close(key_set.fragmentation, f)
        assert key_set.people == chosen  # ties go to the first set in id order


@pytest.mark.parametrize("seed", range(24))
def test_greedy_key_sets_are_valid_swap_optimal_and_beat_the_best_single(seed, monkeypatch):
    monkeypatch.setattr(kp_module, "EXHAUSTIVE_STEPS", 0)
    case = random_case(seed)
    graph = collapse(case["people"], case["ties"])
    result = key_people(**case, set_sizes=(2, 3, 5))
    best_single = max((p.fragmentation for p in result.people), default=0.0)
    for key_set in result.sets:
        k = key_set.size
        assert key_set.method == "greedy with swaps"
        assert len(set(key_set.people)) == k and set(key_set.people) <= set(graph)
        assert list(key_set.people) == sorted(key_set.people)
        after = graph.copy()
        after.remove_nodes_from(key_set.people)
        assert close(key_set.fragmentation, naive_f(after))
        if len(graph) - k >= 2:
            assert key_set.fragmentation >= best_single - 1e-12
        # No single exchange of a member for an outsider improves F.
        for out in key_set.people:
            for into in set(graph) - set(key_set.people):
                swapped = graph.copy()
                swapped.remove_nodes_from((set(key_set.people) - {out}) | {into})
                assert naive_f(swapped) <= key_set.fragmentation + 1e-12


def test_the_exhaustive_threshold_is_on_the_work_of_the_search():
    # C(n, k - 1) depth-first searches of n + 2m steps each.
    people = list(range(30))
    ties = [Tie(p, p + 1, "collaborates", 1) for p in range(29)]
    steps = math.comb(30, 2) * (30 + 2 * 29)
    result = key_people(people=people, groups=NO_GROUPS, ties=ties, set_sizes=(3,))
    assert result.sets[0].method == (
        "exhaustive" if steps <= kp_module.EXHAUSTIVE_STEPS else "greedy with swaps"
    )
    f, chosen = brute_force_best(collapse(people, ties), 3)
    assert result.sets[0].people == chosen
    assert close(result.sets[0].fragmentation, f)


# --------------------------------------------------------------------------
# Published networks (expected values from the naive networkx computation)
# --------------------------------------------------------------------------


def _mutual(graph: nx.Graph) -> tuple[list[int], dict, list[Tie]]:
    """An undirected graph as collaborations between integer ids (sorted names)."""
    names = sorted(graph)
    index = {name: i for i, name in enumerate(names)}
    ties = [Tie(index[u], index[v], "collaborates", 3) for u, v in graph.edges()]
    return list(index.values()), index, ties


def test_global_efficiency_docstring_example():
    # networkx's global_efficiency docstring: edges 0-1, 0-2, 0-3, 1-2, 1-3 give 0.9166...
    ties = [Tie(a, b, "collaborates", 1) for a, b in [(0, 1), (0, 2), (0, 3), (1, 2), (1, 3)]]
    result = key_people(people=[0, 1, 2, 3], groups=NO_GROUPS, ties=ties, set_sizes=())
    assert result.distance_fragmentation == pytest.approx(1 - 0.9166666666666666, abs=1e-12)
    assert result.fragmentation == 0.0
    # Without 0 (or 1) the rest is a path 2-1-3 (2-0-3): efficiency 5/6.
    by_person = {p.person: p for p in result.people}
    assert by_person[0].distance_fragmentation == pytest.approx(1 / 6)
    assert [p.person for p in result.people[:2]] == [0, 1]


def test_krackhardt_kite_heather_is_the_key_person():
    # networkx labels the kite 0..9 = Andre .. Jane; Heather is 7, Ike 8, Jane 9.
    graph = nx.krackhardt_kite_graph()
    people = list(graph)
    ties = [Tie(u, v, "collaborates", 3) for u, v in graph.edges()]
    groups = {
        "organisation": {p: "left" if p < 7 else "right" for p in people},
        "sector": {p: "kite" for p in people},
        "tier": {},
    }
    result = key_people(people=people, groups=groups, ties=ties, set_sizes=(2,))
    top, second = result.people[0], result.people[1]
    # Heather leaving cuts Ike and Jane off: components of 7 and 2 among 9,
    # F = 1 - (42 + 2) / 72 (the naive recount agrees), and "right" (Ike and
    # Jane) loses every path to "left".
    assert top.person == 7
    assert top.fragmentation == pytest.approx(1 - 44 / 72)
    assert top.fragmentation == pytest.approx(naive_f(graph.subgraph(set(graph) - {7})))
    assert top.disconnected_pairs["organisation"] == (("left", "right"),)
    # Ike cuts Jane off: 8 and 1, F = 1 - 56 / 72; Heather still links the groups.
    assert second.person == 8
    assert second.fragmentation == pytest.approx(1 - 56 / 72)
    assert second.disconnected_pairs["organisation"] == ()
    for person in result.people:
        expected = naive_removal(graph, groups, [person.person])
        assert_close_removal(
            person,
            {k: expected[k + "_after"] for k in ("fragmentation", "distance_fragmentation")},
        )
    assert close(result.distance_fragmentation, naive_df(graph))
    f, chosen = brute_force_best(graph, 2)
    assert result.sets[0].people == chosen
    assert result.sets[0].fragmentation == pytest.approx(f)


def test_florentine_families_medici_is_the_key_person():
    graph = nx.florentine_families_graph()  # every family networkx gives (15 in 3.7)
    people, index, ties = _mutual(graph)
    result = key_people(people=people, groups=NO_GROUPS, ties=ties, set_sizes=(1,))
    name = {i: family for family, i in index.items()}
    assert name[result.people[0].person] == "Medici"
    medici = result.people[0]
    without = graph.copy()
    without.remove_node("Medici")
    assert close(medici.fragmentation, naive_f(without))
    assert close(medici.distance_fragmentation, naive_df(without))
    assert close(result.fragmentation, naive_f(graph))
    assert close(result.distance_fragmentation, naive_df(graph))
    assert result.sets[0].people == (index["Medici"],)


# --------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------


@st.composite
def maps(draw):
    """A small map: people, random ties (self-ties too), groups on each boundary."""
    n = draw(st.integers(min_value=0, max_value=10))
    people = list(range(10, 10 + n))
    ties = []
    if people:
        tie = st.builds(
            Tie,
            source=st.sampled_from(people),
            target=st.sampled_from(people),
            kind=st.sampled_from(KIND_LIST),
            strength=st.integers(1, 5),
        )
        ties = draw(st.lists(tie, max_size=3 * n))
    group = st.one_of(st.none(), st.sampled_from(["a", "b", "c"]))
    groups = {}
    for boundary in BOUNDARIES:
        labels = draw(st.lists(group, min_size=n, max_size=n))
        groups[boundary] = {p: g for p, g in zip(people, labels, strict=True) if g is not None}
    return {"people": people, "groups": groups, "ties": ties}


@settings(max_examples=60, deadline=None)
@given(maps())
def test_fragmentations_lie_between_zero_and_one(case):
    result = key_people(**case)
    values = [result.fragmentation, result.distance_fragmentation]
    for person in result.people:
        values += [person.fragmentation, person.distance_fragmentation]
    values += [s.fragmentation for s in result.sets]
    assert all(0.0 <= x <= 1.0 for x in values)


@settings(max_examples=60, deadline=None)
@given(maps())
def test_removing_an_isolate_never_increases_fragmentation(case):
    graph = collapse(case["people"], case["ties"])
    result = key_people(**case, set_sizes=())
    for person in result.people:
        if graph.degree(person.person) == 0:
            assert person.fragmentation_increase <= 1e-12


@settings(max_examples=60, deadline=None)
@given(maps())
def test_removing_nobody_gives_the_before_values(case):
    whole = key_people(**case, set_sizes=())
    nobody = removal(**case, removed=[])
    assert nobody.removed == ()
    assert nobody.fragmentation_after == nobody.fragmentation_before == whole.fragmentation
    assert close(nobody.distance_fragmentation_after, nobody.distance_fragmentation_before)
    assert close(nobody.distance_fragmentation_before, whole.distance_fragmentation)
    assert all(pairs == () for pairs in nobody.disconnected_pairs.values())
    assert all(pairs == () for pairs in nobody.distant_pairs.values())


@settings(max_examples=40, deadline=None)
@given(maps())
def test_a_key_person_agrees_with_removing_them_alone(case):
    result = key_people(**case, set_sizes=())
    for person in result.people:
        alone = removal(**case, removed=[person.person])
        assert close(alone.fragmentation_after, person.fragmentation)
        assert close(alone.distance_fragmentation_after, person.distance_fragmentation)
        assert alone.disconnected_pairs == person.disconnected_pairs
        assert alone.distant_pairs == person.distant_pairs


# --------------------------------------------------------------------------
# Edges and errors
# --------------------------------------------------------------------------


def test_fewer_than_two_people_fragment_nothing():
    assert key_people(people=[], groups=NO_GROUPS, ties=[]) == KeyPeople(0.0, 0.0, (), ())
    one = key_people(people=[5], groups=NO_GROUPS, ties=[Tie(5, 5, "trusts", 1)])
    assert (one.fragmentation, one.distance_fragmentation) == (0.0, 0.0)
    assert one.people[0].fragmentation == one.people[0].distance_fragmentation == 0.0
    assert one.sets == ()
    two = key_people(people=[1, 2], groups=NO_GROUPS, ties=[Tie(1, 2, "trusts", 1)])
    assert (two.fragmentation, two.distance_fragmentation) == (0.0, 0.0)
    assert [p.fragmentation for p in two.people] == [0.0, 0.0]  # one person left
    assert [s.size for s in two.sets] == []  # sizes 2, 3, 5 are not below 2 people
    gone = removal(people=[1, 2], groups=NO_GROUPS, ties=[], removed=[1, 2])
    assert (gone.fragmentation_before, gone.fragmentation_after) == (1.0, 0.0)
    assert (gone.distance_fragmentation_before, gone.distance_fragmentation_after) == (1.0, 0.0)


def test_pair_fields_have_one_entry_per_boundary_given():
    people = [1, 2, 3]
    ties = [Tie(1, 2, "collaborates", 2), Tie(2, 3, "reports_to", 4)]
    groups = {"organisation": {1: "A", 2: "B", 3: "C"}, "sector": {1: "x", 3: "y"}, "tier": {}}
    result = key_people(people=people, groups=groups, ties=ties)
    middle = next(p for p in result.people if p.person == 2)
    assert middle.disconnected_pairs == {
        "organisation": (("A", "C"),),  # B's only member left: not reported
        "sector": (("x", "y"),),
        "tier": (),
    }
    assert middle.distant_pairs == middle.disconnected_pairs


@pytest.mark.parametrize(
    "call",
    [
        lambda: key_people(people=[1, 2], groups=NO_GROUPS, ties=[Tie(1, 3, "trusts", 1)]),
        lambda: removal(people=[1, 2], groups=NO_GROUPS, ties=[Tie(3, 1, "trusts", 1)], removed=[]),
        lambda: removal(people=[1, 2], groups=NO_GROUPS, ties=[], removed=[4]),
        lambda: key_people(people=[1, 2], groups=NO_GROUPS, ties=[], set_sizes=(0,)),
        lambda: key_people(people=[1, 1], groups=NO_GROUPS, ties=[]),
    ],
    ids=["tie to a stranger", "removal tie to a stranger", "removing a stranger", "size 0", "dup"],
)
def test_bad_input_raises_value_error(call):
    with pytest.raises(ValueError):
        call()


@pytest.mark.parametrize(
    ("people", "ties", "stranger"),
    [
        ([1, 2], [Tie(1, 2, "trusts", 1), Tie(2, 7, "trusts", 1), Tie(9, 1, "trusts", 1)], 7),
        ([1, 2], [Tie(9, 1, "trusts", 1), Tie(2, 7, "trusts", 1)], 9),
        ([5, 6], [Tie(5, 0, "trusts", 1)], 0),
        ([], [Tie(4, 3, "trusts", 1)], 4),
    ],
)
def test_a_tie_to_a_stranger_names_the_first_one(people, ties, stranger):
    with pytest.raises(ValueError, match=f"tie refers to person {stranger}, who is not in people"):
        key_people(people=people, groups=NO_GROUPS, ties=ties)
