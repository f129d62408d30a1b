"""Every measure against the naive reference on seeded random directed graphs."""

import datetime
import random

import naive_reference as naive
import pytest
from conftest import close

from stakeholders.analysis import BOUNDARIES, KINDS, Options, Tie, analyse

ROLE_NAMES = ("coordinator", "itinerant", "representative", "gatekeeper", "liaison")
DATES = [None, datetime.date(2023, 1, 1), datetime.date(2024, 6, 1), datetime.date(2025, 3, 1)]


def random_case(seed: int) -> dict:
    """A small random map: isolates, self-ties, unaffiliated people, varied group shapes."""
    rng = random.Random(seed)
    n = rng.randint(1, 11)
    people = rng.sample(range(1, 500), n)
    density = rng.choice([0.03, 0.1, 0.2, 0.35, 0.6])
    ties = []
    for s in people:
        for t in people:
            for kind in sorted(KINDS):
                if rng.random() < density / 2:
                    ties.append(
                        Tie(
                            source=s,
                            target=t,
                            kind=kind,
                            strength=rng.randint(1, 5),
                            trust=rng.choice([None, 1, 2, 3, 4, 5]),
                            observed_on=rng.choice(DATES),
                        )
                    )
    shapes = {
        "organisation": rng.choice(["one", "two", "many", "singletons"]),
        "sector": rng.choice(["one", "two", "many"]),
        "tier": rng.choice(["two", "many", "singletons"]),
    }
    groups = {}
    for boundary, shape in shapes.items():
        count = {"one": 1, "two": 2, "many": rng.randint(3, 6), "singletons": n}[shape]
        labels = [f"{boundary[:3]}-{i}" for i in range(count)]
        mapping = {}
        for i, p in enumerate(people):
            if rng.random() < 0.15:
                continue  # no primary affiliation on this boundary
            mapping[p] = labels[i % count] if shape == "singletons" else rng.choice(labels)
        groups[boundary] = mapping
    seniority = None
    if rng.random() < 0.8:
        seniority = {p: rng.randint(0, 5) for p in people if rng.random() < 0.9}
    options = Options()
    if rng.random() < 0.4:
        options = Options(
            kinds=frozenset(rng.sample(sorted(KINDS), rng.randint(1, 4))),
            min_strength=rng.randint(1, 3),
            as_of=rng.choice(DATES),
        )
    return {
        "people": people,
        "groups": groups,
        "ties": ties,
        "seniority": seniority,
        "options": options,
    }


def _compare_person(got, want) -> list[str]:
    """Differences between an engine PersonScores and a naive dict."""
    diffs = []
    plain = [
        "group",
        "degree_in",
        "degree_out",
        "external_ties",
        "groups_reached",
        "ei_index",
        "participation",
        "betweenness",
        "weighted_betweenness",
        "boundary_betweenness",
        "constraint",
        "effective_size",
        "influence",
        "influence_percentile",
        "seniority_percentile",
        "hidden_influencer",
        "titled_but_isolated",
    ]
    for name in plain:
        if not close(getattr(got, name), want[name]):
            diffs.append(f"{name}: {getattr(got, name)!r} != {want[name]!r}")
    for role in (*ROLE_NAMES, "total"):
        if getattr(got.roles, role) != want["roles"][role]:
            diffs.append(f"roles.{role}: {getattr(got.roles, role)} != {want['roles'][role]}")
        if not close(getattr(got.roles, f"{role}_z"), want["roles_z"][role]):
            diffs.append(f"roles.{role}_z: {getattr(got.roles, f'{role}_z')!r}")
    b = got.broker
    parts = [
        b.boundary_betweenness_percentile,
        b.cross_roles_percentile,
        b.openness_percentile,
        b.groups_reached_percentile,
    ]
    for i, (x, y) in enumerate(zip(parts, want["broker_parts"], strict=True)):
        if not close(x, y):
            diffs.append(f"broker part {i}: {x} != {y}")
    if not close(b.score, want["broker_score"]):
        diffs.append(f"broker score {b.score} != {want['broker_score']}")
    return diffs


SEEDS = range(64)


@pytest.mark.parametrize("seed", SEEDS)
def test_every_measure_matches_naive_reference(seed):
    case = random_case(seed)
    result = analyse(**case)
    want = naive.everything(**case)
    for boundary in BOUNDARIES:
        for person, expected in want["persons"][boundary].items():
            diffs = _compare_person(result.persons[boundary][person], expected)
            assert not diffs, (boundary, person, diffs)
        rows = {(r.group_a, r.group_b): r for r in result.pairs[boundary]}
        assert set(rows) == set(want["pairs"][boundary]), boundary
        for key, expected in want["pairs"][boundary].items():
            for name, value in expected.items():
                assert close(getattr(rows[key], name), value), (boundary, key, name)
        summary = result.summaries[boundary]
        for name, value in want["summaries"][boundary].items():
            assert close(getattr(summary, name), value), (boundary, name)


def test_random_cases_cover_the_awkward_shapes():
    """The seeds above include isolates, unaffiliated people, one- and many-group maps."""
    cases = [random_case(s) for s in SEEDS]
    assert any(len(c["people"]) == 1 for c in cases)
    assert any(not c["ties"] for c in cases) or any(
        len(c["ties"]) < len(c["people"]) for c in cases
    )
    assert any(len(set(c["groups"]["organisation"].values())) == 1 for c in cases)
    assert any(len(set(c["groups"]["organisation"].values())) >= 3 for c in cases)
    assert any(len(c["groups"]["tier"]) < len(c["people"]) for c in cases)
    assert any(c["seniority"] is None for c in cases)
    assert any(c["options"] != Options() for c in cases)
