"""The stored influence-map layout: organisations first, people around them, stable."""

import ast
import math
import random
from pathlib import Path

import numpy as np
import pytest
from django.db import transaction
from scipy.spatial import cKDTree

from stakeholders import score_runs, selectors
from stakeholders.analysis import Options, layout
from stakeholders.models import (
    OrganisationPosition,
    PersonPosition,
    PersonScore,
    RunStatus,
)
from tests.factories import (
    AffiliationFactory,
    OrganisationFactory,
    PersonFactory,
    RelationshipFactory,
)


def shaped(orgs: int, people: int, ties: int, seed: int = 3):
    """Skewed organisations, mostly internal ties, a few people with no organisation."""
    rng = random.Random(seed)
    org_ids = list(range(100, 100 + orgs))
    sizes = [rng.paretovariate(1.2) for _ in org_ids]
    members = {}
    for p in range(1, people + 1):
        members[p] = None if rng.random() < 0.05 else rng.choices(org_ids, sizes)[0]
    pairs = set()
    while len(pairs) < ties:
        a, b = rng.sample(range(1, people + 1), 2)
        pairs.add((a, b))
    return org_ids, members, sorted(pairs)


def lay(org_ids, members, ties, previous=None):
    return layout.compute_layout(
        organisations=org_ids,
        org_weights=layout.organisation_weights(members=members, person_ties=ties),
        members=members,
        person_ties=ties,
        previous=previous,
    )


@pytest.mark.parametrize("size", [(5, 40, 80), (40, 300, 700), (150, 1200, 4000)])
def test_everyone_placed_in_the_box_without_overlaps(size):
    org_ids, members, ties = shaped(*size)
    result = lay(org_ids, members, ties)
    assert set(result.people) == set(members)
    expected_orgs = set(org_ids) | ({None} if None in members.values() else set())
    assert set(result.organisations) == expected_orgs
    for x, y in result.people.values():
        assert 0 <= x <= layout.BOX and 0 <= y <= layout.BOX
    # No two people closer than the layout's spacing.
    points = np.array(list(result.people.values()))
    nearest, _ = cKDTree(points).query(points, 2)
    assert nearest[:, 1].min() >= result.spacing * 0.999
    # Organisation discs do not overlap, and each holds its people.
    discs = list(result.organisations.items())
    for i, (_, (x1, y1, r1)) in enumerate(discs):
        for _, (x2, y2, r2) in discs[i + 1 :]:
            assert math.dist((x1, y1), (x2, y2)) >= r1 + r2
    for person, org in members.items():
        x, y, r = result.organisations[org]
        assert math.dist((x, y), result.people[person]) <= r


def test_min_distance_exact_on_a_small_map():
    org_ids, members, ties = shaped(8, 120, 300)
    result = lay(org_ids, members, ties)
    points = list(result.people.values())
    closest = min(math.dist(points[i], points[j]) for i in range(len(points)) for j in range(i))
    assert closest >= result.spacing * 0.999
    assert result.spacing > 15  # labels have room on a map this size


def test_deterministic():
    org_ids, members, ties = shaped(80, 600, 1500)
    assert lay(org_ids, members, ties) == lay(org_ids, members, ties)


def test_best_connected_person_sits_at_the_centre_of_their_organisation():
    members = {1: 10, 2: 10, 3: 10, 4: 10, 5: 20}
    ties = [(3, 1), (3, 2), (3, 4), (1, 2)]
    result = lay([10, 20], members, ties)
    x, y, _ = result.organisations[10]
    distance = {p: math.dist((x, y), result.people[p]) for p in (1, 2, 3, 4)}
    assert min(distance, key=distance.get) == 3


def test_organisation_without_people_still_has_a_disc():
    result = lay([1, 2, 3], {7: 1, 8: 2}, [(7, 8)])
    assert set(result.organisations) == {1, 2, 3}
    assert result.organisations[3][2] > 0


def test_unknown_organisation_is_an_error():
    with pytest.raises(ValueError, match="not in the list: \\[99\\]"):
        lay([1], {7: 1, 8: 99}, [])


@pytest.mark.parametrize("size", [(30, 250, 600), (200, 1500, 5000)])
def test_one_new_tie_moves_organisations_little(size):
    org_ids, members, ties = shaped(*size)
    before = lay(org_ids, members, ties)
    rng = random.Random(11)
    a, b = rng.sample(sorted(members), 2)
    after = lay(org_ids, members, [*ties, (a, b)], previous=before.organisations)
    moves = sorted(
        math.dist(before.organisations[o][:2], after.organisations[o][:2])
        for o in before.organisations
    )
    assert moves[len(moves) // 2] < 0.02 * layout.BOX  # median
    assert moves[-1] < 0.08 * layout.BOX


def test_layout_module_never_imports_django():
    tree = ast.parse(Path(layout.__file__).read_text())
    names = [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    names += [n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module]
    assert not any(n == "django" or n.startswith("django.") for n in names)


@pytest.fixture
def small_map(workspace):
    rng = random.Random(5)
    orgs = [OrganisationFactory(workspace=workspace) for _ in range(4)]
    people = []
    for i in range(14):
        person = PersonFactory(workspace=workspace, ref=f"L{i:02d}")
        if i < 13:  # the last has no organisation
            AffiliationFactory(person=person, organisation=orgs[i % 3])
        people.append(person)
    pairs = set()
    while len(pairs) < 25:
        pairs.add(tuple(rng.sample(people[:13], 2)))
    for a, b in pairs:
        RelationshipFactory(source=a, target=b)
    transaction.get_connection().run_on_commit.clear()
    return orgs, people


def test_score_run_stores_the_layout(workspace, small_map):
    orgs, people = small_map
    run = score_runs.score_run_execute(workspace_id=workspace.pk)
    assert run.status == RunStatus.SUCCEEDED
    assert "layout" in run.timings
    stored = {p.person_id: (p.x, p.y) for p in PersonPosition.objects.filter(run=run)}
    assert set(stored) == {p.pk for p in people}
    discs = {o.organisation_id for o in OrganisationPosition.objects.filter(run=run)}
    assert discs == {o.pk for o in orgs} | {None}  # the empty org and the no-org disc too
    data = score_runs.score_input(workspace_id=workspace.pk)
    expected = score_runs._layout(data, tuple(sorted(o.pk for o in orgs)), None)
    assert stored == expected.people


def test_a_new_organisation_gets_a_disc_and_the_map_barely_moves(workspace, small_map):
    first = score_runs.score_run_execute(workspace_id=workspace.pk)
    before = {o.organisation_id: o for o in OrganisationPosition.objects.filter(run=first)}
    new_org = OrganisationFactory(workspace=workspace)  # no people: scores unchanged
    second = score_runs.score_run_execute(workspace_id=workspace.pk)
    assert second.pk != first.pk
    after = {o.organisation_id: o for o in OrganisationPosition.objects.filter(run=second)}
    assert new_org.pk in after
    assert not OrganisationPosition.objects.filter(run=first).exists()  # superseded
    moved = [math.dist((b.x, b.y), (after[k].x, after[k].y)) for k, b in before.items()]
    assert max(moved) < 0.25 * layout.BOX


def test_filtered_runs_do_not_lay_out(workspace, small_map):
    run = score_runs.score_run_execute(
        workspace_id=workspace.pk, options=Options(kinds=frozenset({"trusts"}))
    )
    assert run.status == RunStatus.SUCCEEDED
    assert "layout" not in run.timings
    assert not PersonPosition.objects.filter(run=run).exists()


def test_failed_layout_fails_the_run_and_keeps_the_last_good_map(workspace, small_map, monkeypatch):
    orgs, people = small_map
    good = score_runs.score_run_execute(workspace_id=workspace.pk)
    RelationshipFactory(source=people[13], target=people[0], kind="influences", strength=5)

    def crash(**kwargs):
        raise ValueError("layout broke")

    monkeypatch.setattr(score_runs.layout, "compute_layout", crash)
    failed = score_runs.score_run_execute(workspace_id=workspace.pk)
    assert failed.status == RunStatus.FAILED
    assert failed.error == "ValueError: layout broke"
    assert selectors.current_run(workspace_id=workspace.pk).pk == good.pk
    assert PersonPosition.objects.filter(run=good).count() == 14
    assert PersonScore.objects.filter(run=good).count() == 14 * 3
    assert not PersonScore.objects.filter(run=failed).exists()
    assert not PersonPosition.objects.filter(run=failed).exists()


@pytest.mark.parametrize(
    ("org_ids", "members", "discs"),
    [
        ([], {}, set()),
        ([], {1: None, 2: None}, {None}),
        ([5], {1: 5}, {5}),
        ([5, 6], {}, {5, 6}),
    ],
)
def test_tiny_maps(org_ids, members, discs):
    result = lay(org_ids, members, [(1, 2)] if len(members) == 2 else [])
    assert set(result.organisations) == discs
    assert set(result.people) == set(members)
    for x, y, r in result.organisations.values():
        assert x - r >= 0 and x + r <= layout.BOX and y - r >= 0 and y + r <= layout.BOX
