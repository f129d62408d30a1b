"""Who to put in the room: the integer programmes against brute force over every subset."""

import itertools
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stakeholders.analysis.coverage import best_cover, only_reached_by, smallest_cover


def greedy(reach, targets):
    """The textbook greedy set cover: what the exact answer must beat."""
    left, chosen = set(targets), []
    while left:
        p = max(sorted(reach), key=lambda p: len(set(reach[p]) & left))
        if not set(reach[p]) & left:
            break
        chosen.append(p)
        left -= set(reach[p])
    return chosen


def position_sum(people, order):
    return sum(order.index(p) for p in people)


def brute_smallest(reach, targets, include=(), order=None):
    """(size, sum of positions) of the best cover, over every subset."""
    order = order or sorted(reach)
    reachable = set().union(*map(set, reach.values())) & set(targets) if reach else set()
    free = [p for p in reach if p not in include]
    for size in range(len(free) + 1):
        best = None
        for combo in itertools.combinations(free, size):
            people = set(combo) | set(include)
            covered = set().union(*(set(reach[p]) for p in people)) if people else set()
            if reachable <= covered:
                key = position_sum(people, order)
                best = key if best is None else min(best, key)
        if best is not None:
            return len(include) + size, best
    raise AssertionError("a cover always exists for the reachable targets")


def brute_best(reach, targets, k, include=(), order=None):
    """(reached, -size, -sum of positions) of the best set of at most k, over every subset."""
    order = order or sorted(reach)
    free = [p for p in reach if p not in include]
    best = None
    for size in range(k - len(include) + 1):
        for combo in itertools.combinations(free, size):
            people = set(combo) | set(include)
            covered = set().union(*(set(reach[p]) for p in people)) if people else set()
            key = (len(covered & set(targets)), -len(people), -position_sum(people, order))
            best = key if best is None else max(best, key)
    return best


def random_reach(seed, people, targets, p=0.3):
    rng = random.Random(seed)
    return {
        person: {t for t in range(targets) if rng.random() < p}
        for person in range(100, 100 + people)
    }


def test_the_greedy_counterexample_comes_out_optimal():
    # REFERENCE.md: greedy takes C, then A and B (three); the optimum is A and B.
    a, b, c = 1, 2, 3
    reach = {a: {1, 2, 3}, b: {4, 5, 6}, c: {1, 2, 4, 5}}
    assert greedy(reach, range(1, 7)) == [c, a, b]
    # Even when C is the most preferred person, the smallest room is A and B.
    cover = smallest_cover(reach, range(1, 7), order=[c, a, b])
    assert set(cover.people) == {a, b}
    assert cover.reached == frozenset(range(1, 7))
    assert cover.unreachable == frozenset() and cover.optimal
    # With one seat, C reaches the most (four of six).
    one = best_cover(reach, range(1, 7), 1, order=[a, b, c])
    assert one.people == (c,) and len(one.reached) == 4
    assert one.missed == frozenset({3, 6})


@pytest.mark.parametrize("seed", range(60))
def test_smallest_cover_matches_brute_force(seed):
    rng = random.Random(seed)
    people, targets = rng.randint(1, 9), rng.randint(1, 8)
    reach = random_reach(seed, people, targets, p=rng.choice([0.15, 0.3, 0.5]))
    order = list(reach)
    rng.shuffle(order)
    include = tuple(rng.sample(sorted(reach), rng.choice([0, 0, 1, 2][: people + 1])))
    cover = smallest_cover(reach, range(targets), include=include, order=order)
    size, positions = brute_smallest(reach, range(targets), include, order)
    assert len(cover.people) == size
    assert position_sum(cover.people, order) == positions
    assert set(include) <= set(cover.people)
    reachable = set().union(*reach.values())
    assert cover.reached == frozenset(reachable & set(range(targets)))
    assert cover.unreachable == frozenset(set(range(targets)) - reachable)
    assert cover.optimal
    # The people come back in the preference order.
    assert list(cover.people) == [p for p in order if p in cover.people]


@pytest.mark.parametrize("seed", range(60))
def test_best_cover_matches_brute_force(seed):
    rng = random.Random(500 + seed)
    people, targets = rng.randint(1, 9), rng.randint(1, 8)
    reach = random_reach(seed, people, targets, p=rng.choice([0.15, 0.3, 0.5]))
    order = list(reach)
    rng.shuffle(order)
    include = tuple(rng.sample(sorted(reach), rng.choice([0, 0, 1][: people + 1])))
    k = rng.randint(max(1, len(include)), people + 1)
    cover = best_cover(reach, range(targets), k, include=include, order=order)
    reached, minus_size, minus_positions = brute_best(reach, range(targets), k, include, order)
    assert len(cover.reached) == reached
    assert len(cover.people) == -minus_size <= k
    assert position_sum(cover.people, order) == -minus_positions
    assert set(include) <= set(cover.people)
    assert cover.missed | cover.reached | cover.unreachable == frozenset(range(targets))


def test_must_include_people_are_in_and_count_towards_the_seats():
    reach = {1: {"a"}, 2: {"b"}, 3: {"a", "b"}}
    cover = smallest_cover(reach, ["a", "b"], include=[1])
    assert set(cover.people) in ({1, 2}, {1, 3})
    assert len(cover.people) == 2
    best = best_cover(reach, ["a", "b", "c"], 1, include=[2])
    assert best.people == (2,)
    assert best.missed == frozenset({"a"}) and best.unreachable == frozenset({"c"})
    with pytest.raises(ValueError, match="more than the 1 places"):
        best_cover(reach, ["a"], 1, include=[1, 2])
    with pytest.raises(ValueError):
        best_cover(reach, ["a"], 0)
    with pytest.raises(ValueError):
        smallest_cover(reach, ["a"], include=[99])


def test_nothing_reachable_gives_an_empty_room_and_says_what_cannot_be_reached():
    cover = smallest_cover({1: set(), 2: {"x"}}, ["a", "b"])
    assert cover.people == ()
    assert cover.unreachable == frozenset({"a", "b"})
    assert smallest_cover({}, ["a"]).unreachable == frozenset({"a"})
    assert best_cover({}, ["a"], 3).people == ()


def test_equally_small_rooms_go_to_the_preferred_people():
    # Four people each reach one target of two, in pairs: {1, 2} and {3, 4} both work.
    reach = {1: {"a"}, 2: {"b"}, 3: {"a"}, 4: {"b"}}
    assert smallest_cover(reach, ["a", "b"], order=[3, 4, 1, 2]).people == (3, 4)
    assert smallest_cover(reach, ["a", "b"], order=[1, 4, 3, 2]).people == (1, 4)
    # With no order, lower ids first.
    assert smallest_cover(reach, ["a", "b"]).people == (1, 2)


def test_same_answer_whatever_order_the_people_arrive_in():
    reach = random_reach(3, 30, 12, p=0.2)
    order = sorted(reach, key=lambda p: (p * 7919) % 31)
    expected = smallest_cover(reach, range(12), order=order).people
    expected_best = best_cover(reach, range(12), 3, order=order).people
    for seed in range(5):
        items = list(reach.items())
        random.Random(seed).shuffle(items)
        shuffled = dict(items)
        assert smallest_cover(shuffled, range(12), order=order).people == expected
        assert best_cover(shuffled, range(12), 3, order=order).people == expected_best


def test_only_reached_by_names_what_each_person_adds():
    reach = {1: {"a", "b"}, 2: {"b", "c"}, 3: {"d"}}
    assert only_reached_by([1, 2, 3], reach) == {
        1: frozenset({"a"}),
        2: frozenset({"c"}),
        3: frozenset({"d"}),
    }


def test_a_larger_room_is_still_exact_against_greedy():
    # 40 people, 30 targets: the exact room is never larger than greedy's, and covers all.
    for seed in range(5):
        reach = random_reach(seed, 40, 30, p=0.08)
        cover = smallest_cover(reach, range(30))
        reachable = set().union(*reach.values())
        assert cover.reached == frozenset(reachable)
        assert len(cover.people) <= len(greedy(reach, reachable))
        # Nobody can be taken out (a smallest room is minimal).
        for p in cover.people:
            rest = [q for q in cover.people if q != p]
            assert set().union(*(reach[q] for q in rest)) != reachable


reach_sets = st.dictionaries(
    st.integers(1, 9), st.sets(st.integers(0, 6), max_size=5), min_size=1, max_size=7
)


@settings(max_examples=120, deadline=None)
@given(reach_sets, st.integers(1, 7))
def test_property_exact_answers_match_brute_force(reach, k):
    targets = range(7)
    cover = smallest_cover(reach, targets)
    assert (len(cover.people), position_sum(cover.people, sorted(reach))) == brute_smallest(
        reach, targets
    )
    best = best_cover(reach, targets, k)
    reached, minus_size, _ = brute_best(reach, targets, k)
    assert (len(best.reached), -len(best.people)) == (reached, minus_size)
