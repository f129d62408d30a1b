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


# --- Stable positions, pins and the tier view (issue #13) ---------------------


def lay_on(before, org_ids, members, ties, pins=None):
    return layout.compute_layout(
        organisations=org_ids,
        org_weights=layout.organisation_weights(members=members, person_ties=ties),
        members=members,
        person_ties=ties,
        previous=before.organisations,
        previous_people=before.people,
        pins=pins,
    )


@pytest.mark.parametrize("size", [(8, 60, 120), (60, 500, 1500)])
@pytest.mark.parametrize("change", ["person", "organisation", "tie", "all three"])
def test_nobody_already_placed_moves_by_a_bit(size, change):
    org_ids, members, ties = shaped(*size)
    before = lay(org_ids, members, ties)
    members2, orgs2, ties2 = dict(members), list(org_ids), list(ties)
    if change in ("person", "all three"):
        members2[10_000] = org_ids[0]
        ties2.append((10_000, 1))
    if change in ("organisation", "all three"):
        orgs2.append(9_999)  # empty, as added in the admin
    if change in ("tie", "all three"):
        ties2.append((2, 3) if (2, 3) not in ties else (3, 4))
    after = lay_on(before, orgs2, members2, ties2)
    for person, xy in before.people.items():
        assert after.people[person] == xy  # identical, not merely close
    for org, (x, y, r) in before.organisations.items():
        assert after.organisations[org][:2] == (x, y)
        assert after.organisations[org][2] >= r  # a disc only grows to hold a newcomer
    assert set(after.people) == set(members2)
    assert set(after.organisations) >= set(orgs2)


def test_a_new_person_sits_in_their_organisations_disc_clear_of_everyone():
    org_ids, members, ties = shaped(20, 200, 500)
    before = lay(org_ids, members, ties)
    target = org_ids[3]
    members2 = {**members, 5000: target, 5001: target}
    after = lay_on(before, org_ids, members2, [*ties, (5000, 5001)])
    cx, cy, r = after.organisations[target]
    points = np.array(list(after.people.values()))
    for newcomer in (5000, 5001):
        x, y = after.people[newcomer]
        assert math.dist((x, y), (cx, cy)) <= r
        # Nearer their own organisation's centre than any other's.
        nearest = min(
            after.organisations, key=lambda o: math.dist((x, y), after.organisations[o][:2])
        )
        assert nearest == target
        gaps = np.sqrt(((points - (x, y)) ** 2).sum(axis=1))
        assert np.sort(gaps)[1] >= after.spacing * 0.999


def test_a_new_organisation_goes_in_free_space_beside_its_partners():
    org_ids, members, ties = shaped(12, 100, 250)
    before = lay(org_ids, members, ties)
    partner = max(org_ids, key=lambda o: (sum(1 for m in members.values() if m == o), -o))
    friends = [p for p, o in members.items() if o == partner][:3]
    members2 = {**members, 7000: 777, 7001: 777}
    ties2 = [*ties, *((7000, f) for f in friends), (7001, friends[0])]
    after = lay_on(before, [*org_ids, 777], members2, ties2)
    x, y, r = after.organisations[777]
    for org, (ox, oy, orad) in after.organisations.items():
        if org != 777:
            assert math.dist((x, y), (ox, oy)) >= r + orad  # no overlap
    assert r <= x <= layout.BOX - r and r <= y <= layout.BOX - r
    distances = sorted(math.dist((x, y), d[:2]) for o, d in after.organisations.items() if o != 777)
    assert math.dist((x, y), after.organisations[partner][:2]) <= distances[len(distances) // 2]


def test_removed_people_leave_a_gap():
    org_ids, members, ties = shaped(10, 80, 150)
    before = lay(org_ids, members, ties)
    gone = sorted(members)[:5]
    members2 = {p: o for p, o in members.items() if p not in gone}
    ties2 = [t for t in ties if not set(t) & set(gone)]
    after = lay_on(before, org_ids, members2, ties2)
    assert {p: before.people[p] for p in members2} == after.people


def test_pins_survive_a_full_relayout_and_an_incremental_one():
    org_ids, members, ties = shaped(10, 80, 150)
    person, org = 7, org_ids[2]
    pins = layout.Pins(people={person: (33.0, 44.0)}, organisations={org: (900.0, 100.0)})
    fresh = layout.compute_layout(
        organisations=org_ids,
        org_weights=layout.organisation_weights(members=members, person_ties=ties),
        members=members,
        person_ties=ties,
        pins=pins,
    )
    assert fresh.people[person] == (33.0, 44.0)
    assert fresh.organisations[org][:2] == (900.0, 100.0)
    unpinned = lay(org_ids, members, ties)
    # The pinned organisation's people moved with its disc.
    for p, o in members.items():
        if o == org and p != person:
            ux, uy = unpinned.people[p]
            cx, cy, _ = unpinned.organisations[org]
            assert fresh.people[p] == pytest.approx((ux - cx + 900.0, uy - cy + 100.0))
    again = lay_on(unpinned, org_ids, members, ties, pins=pins)
    assert again.people[person] == (33.0, 44.0)
    assert again.organisations[org][:2] == (900.0, 100.0)


def test_tier_bands_run_national_to_neighbourhood_and_keep_left_to_right_order():
    from stakeholders.analysis.layout_tiers import tier_layout

    org_ids, members, ties = shaped(30, 240, 500)
    laid = lay(org_ids, members, ties)
    order = ["national", "regional", "system", "place", "neighbourhood"]
    tiers = {o: order[(o * 7) % 5] for o in org_ids}
    view = tier_layout(
        organisations=laid.organisations,
        people=laid.people,
        members=members,
        tiers=tiers,
        order=order,
    )
    names = [b.tier for b in view.bands]
    assert names == [t for t in order if t in tiers.values()] + (
        [""] if None in laid.organisations else []
    )
    for band, below in zip(view.bands, view.bands[1:], strict=False):
        assert band.bottom <= below.top + 1e-6
    for org, tier in tiers.items():
        band = view.bands[names.index(tier)]
        x, y, r = view.organisations[org]
        assert band.top <= y - r and y + r <= band.bottom + 1e-6
        assert x - r >= 0 and x + r <= layout.BOX
    # In a one-row band, organisations keep their usual left-to-right order.
    for tier in set(tiers.values()):
        in_band = [o for o in org_ids if tiers[o] == tier]
        ys = {round(view.organisations[o][1], 1) for o in in_band}
        if len(ys) == 1:
            by_usual = sorted(in_band, key=lambda o: laid.organisations[o][0])
            by_tiers = sorted(in_band, key=lambda o: view.organisations[o][0])
            assert by_usual == by_tiers
    # People stay inside their organisation's disc.
    for person, org in members.items():
        x, y, r = view.organisations[org]
        assert math.dist((x, y), view.people[person]) <= r + 1e-6


def test_score_runs_keep_everyone_exactly_where_they_were(workspace, small_map):
    """The issue's case: one empty organisation, then a person and a tie, move nobody."""
    orgs, people = small_map
    first = score_runs.score_run_execute(workspace_id=workspace.pk)
    before = {p.person_id: (p.x, p.y) for p in PersonPosition.objects.filter(run=first)}
    OrganisationFactory(workspace=workspace)
    newcomer = PersonFactory(workspace=workspace)
    AffiliationFactory(person=newcomer, organisation=orgs[0])
    RelationshipFactory(source=newcomer, target=people[0])
    transaction.get_connection().run_on_commit.clear()
    second = score_runs.score_run_execute(workspace_id=workspace.pk)
    after = {p.person_id: (p.x, p.y) for p in PersonPosition.objects.filter(run=second)}
    assert {p: after[p] for p in before} == before
    assert newcomer.pk in after
    # An editor's "Tidy the layout" lays out afresh, pins kept.
    from stakeholders.maps.pins import map_pin_set

    map_pin_set(workspace=workspace, person=people[1], x=12.0, y=34.0, user=None)
    tidy = score_runs.score_run_execute(workspace_id=workspace.pk, force=True, fresh_layout=True)
    tidied = {p.person_id: (p.x, p.y) for p in PersonPosition.objects.filter(run=tidy)}
    assert tidied[people[1].pk] == (12.0, 34.0)


def test_organisations_with_no_ties_elsewhere_do_not_shrink_the_map():
    """At 20,000 people three such discs sat at the box's edges and everyone else was
    fitted into a fifth of its width. Here: 150 organisations of all sizes, two that
    nobody elsewhere works with, and people with no organisation and no ties."""
    org_ids, members, ties = shaped(150, 1200, 4000)
    alone = [900, 901]
    for k, org in enumerate(alone):
        team = range(5000 + 10 * k, 5005 + 10 * k)
        members.update({p: org for p in team})
        ties += [(p, p + 1) for p in team[:-1]]  # ties inside the organisation only
    members.update({p: None for p in range(6000, 6040)})  # no organisation, no ties
    result = lay([*org_ids, *alone], members, sorted(set(ties)))
    # The force layout aims for discs covering a fifth of their square; pushed to the
    # edges, the loners had the rest fitted into 1.7% of the box.
    inside = (layout.BOX - 2 * layout.MARGIN) ** 2
    cover = sum(math.pi * r * r for _, _, r in result.organisations.values()) / inside
    assert cover > 0.1
    # The loners sit just outside the rest, not at the edge of the box.
    tied = np.array([result.organisations[o][:2] for o in org_ids])
    centre = tied.mean(axis=0)
    reach = np.sqrt(((tied - centre) ** 2).sum(axis=1)).max()
    for org in [*alone, None]:
        x, y, r = result.organisations[org]
        assert math.dist((x, y), centre) < reach + 4 * r + 40
