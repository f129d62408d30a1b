"""The organisation level's links (maps/links.py) against a plain Python count of the ties."""

import random

import pytest

from stakeholders.maps.links import NO_ORGANISATION, Links, organisation_links, tie_array


def _naive(rows, chosen, primary, groups=None, person=None) -> Links:
    """Tie by tie, as the map counted before links.py (and as the docstring says)."""
    kept = [
        (s, t, old)
        for s, t, old in rows
        if s in chosen
        and t in chosen
        and (groups is None or (groups.get(s) and groups.get(t) and groups[s] != groups[t]))
    ]
    between: dict[tuple[int, int], list[int]] = {}
    per_organisation: dict[int, list[int]] = {}
    for s, t, old in kept:
        a, b = primary.get(s, NO_ORGANISATION), primary.get(t, NO_ORGANISATION)
        if a != b:
            counts = between.setdefault((min(a, b), max(a, b)), [0, 0])
            counts[0] += 1
            counts[1] += old
            for org in (a, b):
                totals = per_organisation.setdefault(org, [0, 0])
                totals[0] += 1
                totals[1] += old
    return Links(
        between,
        {org: tuple(v) for org, v in per_organisation.items()},
        sum(old for _, _, old in kept),
        [(s, t) for s, t, _ in kept if person in (s, t)],
    )


@pytest.mark.parametrize("seed", range(40))
def test_links_match_a_tie_by_tie_count(seed):
    rng = random.Random(seed)
    people = rng.sample(range(1, 10**7), rng.randint(2, 60))
    organisations = rng.sample(range(1, 10**9), rng.randint(1, 8))
    # Some people have no primary organisation; some ends are not chosen (unplaced,
    # filtered out) or not people here at all.
    primary = {p: rng.choice(organisations) for p in people if rng.random() < 0.85}
    chosen = {p for p in people if rng.random() < 0.8}
    ends = [*people, *rng.sample(range(10**7, 2 * 10**7), 3)]
    rows = []
    for _ in range(rng.randint(0, 300)):
        s, t = rng.sample(ends, 2)
        rows.append((s, t, int(rng.random() < 0.3)))
    groups = None
    if seed % 2:
        groups = {p: rng.choice(["", "nhs", "vcse", "council"]) for p in people}
    person = rng.choice(people) if seed % 3 else None
    got = organisation_links(tie_array(rows), chosen, primary, groups=groups, person=person)
    want = _naive(rows, chosen, primary, groups, person)
    assert got.between == want.between
    assert got.per_organisation == want.per_organisation
    assert got.stale == want.stale
    assert sorted(got.person_ties) == sorted(want.person_ties)


def test_one_tie_each_way_between_two_organisations():
    primary = {1: 10, 2: 20, 3: 20}
    rows = [(1, 2, 0), (3, 1, 1), (2, 3, 1)]  # the last is inside organisation 20
    links = organisation_links(tie_array(rows), {1, 2, 3}, primary, person=3)
    assert links.between == {(10, 20): [2, 1]}
    assert links.per_organisation == {10: (2, 1), 20: (2, 1)}
    assert links.stale == 2
    assert links.person_ties == [(3, 1), (2, 3)]


def test_nobody_chosen_or_no_ties_counts_nothing():
    assert organisation_links(tie_array([]), {1}, {1: 5}) == Links({}, {}, 0, [])
    assert organisation_links(tie_array([(1, 2, 1)]), set(), {}) == Links({}, {}, 0, [])
    # Only ties whose two ends are both chosen count.
    assert organisation_links(tie_array([(1, 2, 1)]), {1}, {1: 5, 2: 6}) == Links({}, {}, 0, [])
