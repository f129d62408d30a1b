"""The formal layer and Seats and influence, against naive references on small graphs."""

import datetime
import random

import pytest

from stakeholders.analysis import forums
from stakeholders.analysis.inputs import DEFAULT_OPTIONS, Options, options_from_json, options_key


def naive_shared(seats):
    people = sorted({p for _, p in seats})
    out = {}
    for i, a in enumerate(people):
        for b in people[i + 1 :]:
            n = sum(
                1 for f in {f for f, _ in seats} if (f, a) in set(seats) and (f, b) in set(seats)
            )
            if n:
                out[(a, b)] = n
    return out


@pytest.mark.parametrize("seed", range(20))
def test_shared_forums_match_a_naive_count(seed):
    rng = random.Random(seed)
    seats = list({(rng.randrange(5), rng.randrange(12)) for _ in range(rng.randrange(30))})
    assert forums.shared_forums(seats) == naive_shared(seats)


def test_formal_ties_are_mutual_and_weighted_by_forums_shared_capped_at_five():
    seats = [(f, p) for f in range(7) for p in (1, 2)] + [(0, 3)]
    ties = forums.formal_ties(seats)
    assert [(t.source, t.target, t.kind, t.strength) for t in ties] == [
        (1, 2, "collaborates", 5),
        (1, 3, "collaborates", 1),
        (2, 3, "collaborates", 1),
    ]


def test_a_repeated_seat_counts_once():
    assert forums.shared_forums([(1, 1), (1, 1), (1, 2)]) == {(1, 2): 1}


def test_is_current_holds_on_open_and_inclusive_ends():
    day = datetime.date(2026, 1, 1)
    assert forums.is_current(None, None, day)
    assert forums.is_current(day, day, day)
    assert not forums.is_current(None, datetime.date(2025, 12, 31), day)
    assert not forums.is_current(datetime.date(2026, 1, 2), None, day)


def test_default_options_key_is_unchanged_and_formal_round_trips():
    assert "formal" not in options_key(DEFAULT_OPTIONS)
    formal = Options(formal=True)
    assert options_key(formal) != options_key(DEFAULT_OPTIONS)
    assert options_from_json({"formal": True, "min_strength": 1}) == formal


def naive_reach(person, ties, affiliations):
    out = set()
    for a, b in ties:
        if a == person and b != person:
            out |= set(affiliations.get(b, ()))
        if b == person and a != person:
            out |= set(affiliations.get(a, ()))
    return out


@pytest.mark.parametrize("seed", range(20))
def test_seats_and_influence_match_a_naive_reading(seed):
    rng = random.Random(seed)
    people = list(range(15))
    orgs = ["A", "B", "C", "D"]
    sector_of = {"A": "nhs", "B": "nhs", "C": "vcse", "D": "local_government"}
    tier_of = {"A": "system", "B": "place", "C": "place", "D": "place"}
    affiliations = {p: set(rng.sample(orgs, rng.choice([1, 1, 1, 2]))) for p in people}
    ties = [(rng.randrange(15), rng.randrange(15)) for _ in range(25)]
    seats = list({(rng.randrange(3), rng.randrange(15)) for _ in range(10)})
    scores = {p: rng.uniform(0, 100) for p in people}
    result = forums.seats_and_influence(
        people=people,
        ties=ties,
        affiliations=affiliations,
        seats=seats,
        broker_scores=scores,
        sector_of=sector_of,
        tier_of=tier_of,
        forums=[0, 1, 2, 3],
    )
    seated = {p for _, p in seats}
    assert [f.person for f in result.brokers_without_seat] == sorted(
        (p for p in people if p not in seated and scores[p] >= forums.HIGH_BROKER_SCORE),
        key=lambda p: (-scores[p], p),
    )
    for f in result.brokers_without_seat + result.seats_with_little_reach:
        assert f.organisations_reached == len(
            naive_reach(f.person, ties, affiliations) - affiliations[f.person]
        )
    assert {f.person for f in result.seats_with_little_reach} == {
        p
        for p in seated
        if len(naive_reach(p, ties, affiliations) - affiliations[p]) <= forums.LITTLE_REACH
    }
    by_forum = {r.forum: r for r in result.forums}
    assert set(by_forum) == {0, 1, 2, 3}
    for forum, reach in by_forum.items():
        members = {p for f, p in seats if f == forum}
        reached = set()
        for p in members:
            reached |= affiliations[p] | naive_reach(p, ties, affiliations)
        assert set(reach.organisations) == reached
        assert set(reach.organisations_not_reached) == set(orgs) - reached
        sectors = {sector_of[o] for o in reached}
        assert set(reach.sectors) == sectors
        all_sectors = sorted(set(sector_of.values()))
        assert set(reach.sector_gaps) == {
            (a, b)
            for i, a in enumerate(all_sectors)
            for b in all_sectors[i + 1 :]
            if not (a in sectors and b in sectors)
        }
    assert by_forum[3].members == () and by_forum[3].organisations == ()
    for j in result.joint_appointments:
        assert len(affiliations[j.person]) >= 2
        contacts = naive_reach(j.person, ties, affiliations)
        assert j.reached == tuple(o in contacts for o in sorted(affiliations[j.person]))
    assert {j.person for j in result.joint_appointments} == {
        p for p in people if len(affiliations[p]) >= 2
    }


def test_a_joint_post_that_works_inside_one_organisation_is_a_finding():
    result = forums.seats_and_influence(
        people=[1, 2, 3],
        ties=[(1, 2)],
        affiliations={1: {"A", "B"}, 2: {"A"}, 3: {"B"}},
        seats=[],
        broker_scores={},
        sector_of={"A": "nhs", "B": "local_government"},
        tier_of={"A": "system", "B": "system"},
    )
    (joint,) = result.joint_appointments
    assert joint.organisations == ("A", "B")
    assert joint.reached == (True, False)
    assert joint.works_inside_one
