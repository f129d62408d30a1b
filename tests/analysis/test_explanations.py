"""The broker score in plain English: true to the parts, naming groups, free of jargon."""

import random

import pytest

from stakeholders.analysis import BOUNDARIES, Tie, analyse, explain, explanations, person_bridges
from stakeholders.analysis.explanations import than_others
from tests.test_plain_english import BANNED

NAMES = {"A": "Fenwick County Council", "B": "Fenwick Hospitals", "C": "Fenwick Carers"}


def _explained(result, boundary: str = "organisation", names=None) -> dict[int, str]:
    bridges = person_bridges(result.pairs[boundary])
    return {
        person: explain(s, bridges=bridges.get(person, ()), names=names or NAMES)
        for person, s in result.persons[boundary].items()
    }


def _groups(org: dict) -> dict:
    return {"organisation": org, "sector": {}, "tier": {}}


def test_the_only_link_between_two_organisations_is_named():
    # 2 (council) is the only person tied to anyone in the hospital.
    org = {1: "A", 2: "A", 3: "B", 4: "B"}
    ties = [Tie(1, 2, "collaborates", 3), Tie(2, 3, "collaborates", 3), Tie(3, 4, "trusts", 3)]
    why = _explained(analyse(people=[1, 2, 3, 4], groups=_groups(org), ties=ties))
    assert why[2].startswith("Broker score ")
    assert (
        "Every relationship recorded between Fenwick County Council and Fenwick Hospitals "
        "involves them." in why[2]
    )
    hospital = "Every relationship recorded between Fenwick Hospitals and Fenwick County Council"
    assert hospital in why[3]
    assert "All their relationships are within Fenwick County Council" in why[1]


def test_a_few_people_carrying_a_partnership_are_counted():
    # Three council staff each tied to the hospital: one of only 4 people at its ends.
    org = {1: "A", 2: "A", 3: "A", 4: "B"}
    ties = [Tie(p, 4, "collaborates", 3) for p in (1, 2, 3)]
    why = _explained(analyse(people=[1, 2, 3, 4], groups=_groups(org), ties=ties))
    few = "one of only 4 people who directly connect Fenwick County Council with Fenwick "
    assert few in why[1]
    # The hospital's one contact is in every tie across.
    assert why[4].count("Every relationship recorded between") == 1


def test_the_parts_of_the_score_are_each_put_in_words():
    org = {1: "A", 2: "B", 3: "C", 4: "A"}
    ties = [Tie(1, 2, "collaborates", 3), Tie(2, 3, "collaborates", 3), Tie(1, 4, "trusts", 3)]
    result = analyse(people=[1, 2, 3, 4], groups=_groups(org), ties=ties)
    s = result.persons["organisation"][2]
    why = _explained(result)[2]
    assert f"Broker score {explanations._whole(s.broker.score)} out of 100." in why
    assert "relationships with people in 2 other organisations" in why
    routes = f"are the go-between on {s.broker.cross_roles} routes between people in different "
    assert routes in why
    assert "the shortest chains of introductions between people in different organisations" in why
    assert "contacts" in why and why.endswith("room to broker.")


def test_someone_without_ties_or_a_group_is_described_plainly():
    org = {1: "A", 2: "B"}
    ties = [Tie(1, 2, "collaborates", 3), Tie(3, 4, "collaborates", 3)]
    why = _explained(analyse(people=[1, 2, 3, 4, 5], groups=_groups(org), ties=ties))
    assert why[5] == (
        "Broker score 0 out of 100. No relationships are recorded for them, so they "
        "connect no organisations."
    )
    assert (
        "They belong to no organisation on this map, so count on their own. They have "
        "relationships with people in 1 other organisation, where anyone without one also "
        "counts on their own." in why[3]
    )


def test_without_names_a_group_is_called_by_its_key():
    org = {1: "A", 2: "B"}
    result = analyse(people=[1, 2], groups=_groups(org), ties=[Tie(1, 2, "collaborates", 3)])
    bridges = person_bridges(result.pairs["organisation"])
    why = explain(result.persons["organisation"][1], bridges=bridges[1])
    assert "between A and B" in why


@pytest.mark.parametrize(("share", "words"), [
    (1.0, "anyone else on this map"),
    (0.996, "99% of others on this map"),
    (0.5, "50% of others on this map"),
])  # fmt: skip
def test_shares_of_others_never_read_more_than_everyone(share, words):
    assert than_others(share) == words


def test_no_sentence_uses_jargon_on_random_maps():
    rng = random.Random(14)
    kinds = ("collaborates", "trusts", "reports_to", "influences")
    for _ in range(30):
        people = list(range(1, rng.randint(3, 14)))
        groups = {
            boundary: {p: rng.choice("ABC") for p in people if rng.random() < 0.9}
            for boundary in BOUNDARIES
        }
        ties = {
            (a, b): Tie(a, b, rng.choice(kinds), rng.randint(1, 5))
            for a, b in (rng.sample(people, 2) for _ in range(rng.randint(0, 25)))
            if len(people) > 1
        }
        result = analyse(people=people, groups=groups, ties=list(ties.values()))
        for boundary in BOUNDARIES:
            for why in _explained(result, boundary).values():
                assert not BANNED.search(why), why
                assert why.endswith(".") and "  " not in why


@pytest.mark.parametrize(
    ("score", "said"), [(62.5, "63"), (12.5, "13"), (0.5, "1"), (62.49, "62"), (0.0, "0")]
)
def test_the_score_in_words_is_rounded_as_the_pages_round_it(score, said):
    assert explanations._whole(score) == said
