"""Stored scores: computed in a background run, kept fresh, never half-written."""

import csv
import io
import random

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from stakeholders import analysis, leases, score_runs, selectors
from stakeholders.exports.tables import SCORES_HEADER
from stakeholders.models import Organisation, PairScore, PersonScore, RunStatus, ScoreRun
from tests.factories import (
    AffiliationFactory,
    OrganisationFactory,
    PersonFactory,
    RelationshipFactory,
)


@pytest.fixture
def small_map(workspace):
    """Three organisations in two sectors, a broker between them, and an isolate."""
    rng = random.Random(7)
    orgs = [
        OrganisationFactory(workspace=workspace, name="Fenwick Hospitals", sector="nhs"),
        OrganisationFactory(
            workspace=workspace, name="Fenwick Council", sector="local_government", tier="place"
        ),
        OrganisationFactory(
            workspace=workspace, name="Fenwick Carers", sector="vcse", tier="neighbourhood"
        ),
    ]
    people = []
    for i in range(12):
        person = PersonFactory(workspace=workspace, ref=f"R{i:02d}", name=f"Person {i:02d}")
        AffiliationFactory(person=person, organisation=orgs[i % 3])
        people.append(person)
    pairs = set()
    while len(pairs) < 30:
        a, b = rng.sample(people[:11], 2)
        pairs.add((a, b, rng.choice(["collaborates", "trusts", "reports_to", "influences"])))
    for a, b, kind in pairs:
        RelationshipFactory(source=a, target=b, kind=kind, strength=rng.randint(1, 5))
    # Building the fixture queued a recompute in the test's transaction; start clean.
    transaction.get_connection().run_on_commit.clear()
    return people


def test_run_stores_every_person_under_every_boundary(workspace, small_map):
    run = score_runs.score_run_execute(workspace_id=workspace.pk)
    assert run.status == RunStatus.SUCCEEDED
    assert run.people_count == 12 and run.relationships_count == 30
    assert PersonScore.objects.filter(run=run).count() == 12 * 3
    assert set(run.summary) == {"organisation", "sector", "tier"}
    assert run.summary["organisation"]["people"] == 12
    assert PairScore.objects.filter(run=run, boundary="organisation").exists()
    assert set(run.timings) == {"load", "analyse", "layout", "key_people", "store"}


def test_stored_scores_equal_the_analysis(workspace, small_map):
    # A partnership that hangs on one tie, so failure_people are stored too.
    lone = AffiliationFactory(person=PersonFactory(workspace=workspace, ref="LONE")).person
    RelationshipFactory(source=lone, target=small_map[0], trust=None)
    run = score_runs.score_run_execute(workspace_id=workspace.pk)
    data = score_runs.score_input(workspace_id=workspace.pk)
    result = analysis.analyse(
        people=data.people, groups=data.groups, ties=data.ties, seniority=data.seniority
    )
    bridges = {b: analysis.person_bridges(result.pairs[b]) for b in analysis.BOUNDARIES}
    for stored in PersonScore.objects.filter(run=run):
        expected = result.persons[stored.boundary][stored.person_id]
        assert stored.broker_score == expected.broker.score
        assert stored.boundary_betweenness == expected.boundary_betweenness
        assert stored.liaison == expected.roles.liaison
        assert stored.liaison_z == expected.roles.liaison_z
        assert stored.constraint == expected.constraint
        assert stored.influence == expected.influence
        assert stored.why == analysis.explain(
            expected,
            bridges=bridges[stored.boundary].get(stored.person_id, ()),
            names=data.names[stored.boundary],
        )
    stored_pairs = {
        (p.boundary, p.group_a, p.group_b): p for p in PairScore.objects.filter(run=run)
    }
    expected_pairs = [p for pairs in result.pairs.values() for p in pairs]
    assert len(stored_pairs) == len(expected_pairs)
    for expected in expected_pairs:
        stored = stored_pairs[(expected.boundary, str(expected.group_a), str(expected.group_b))]
        assert stored.failure_people == list(expected.failure_people)
        assert stored.disconnecting_people == list(expected.disconnecting_people)
        assert stored.single_point_of_failure == expected.single_point_of_failure
        assert stored.mean_trust == expected.mean_trust
        assert stored.carriers == len(expected.carriers)
    assert any(p.failure_people for p in stored_pairs.values())
    isolate = PersonScore.objects.get(run=run, person=small_map[11], boundary="organisation")
    assert PersonScore.objects.filter(run=run).count() == 13 * 3
    assert isolate.constraint is None and isolate.ei_index is None


def test_unchanged_data_is_not_scored_again(workspace, small_map):
    first = score_runs.score_run_execute(workspace_id=workspace.pk)
    again = score_runs.score_run_execute(workspace_id=workspace.pk)
    assert again.pk == first.pk
    assert ScoreRun.objects.count() == 1


def test_new_scores_replace_the_old(workspace, small_map):
    first = score_runs.score_run_execute(workspace_id=workspace.pk)
    RelationshipFactory(source=small_map[11], target=small_map[0], strength=5)
    second = score_runs.score_run_execute(workspace_id=workspace.pk)
    assert second.pk != first.pk
    assert list(ScoreRun.objects.values_list("pk", flat=True)) == [second.pk]
    assert PersonScore.objects.count() == 12 * 3


def test_options_are_scored_separately(workspace, small_map):
    default = score_runs.score_run_execute(workspace_id=workspace.pk)
    trusts = analysis.Options(kinds=frozenset({"trusts"}))
    filtered = score_runs.score_run_execute(workspace_id=workspace.pk, options=trusts)
    assert filtered.fingerprint != default.fingerprint
    assert selectors.current_run(workspace_id=workspace.pk).pk == default.pk
    assert selectors.current_run(workspace_id=workspace.pk, options=trusts).pk == filtered.pk
    assert filtered.relationships_count == 30  # counted before filtering
    assert filtered.summary["organisation"]["relationships"] < 30


def test_failed_run_keeps_last_good_scores(workspace, small_map, monkeypatch):
    good = score_runs.score_run_execute(workspace_id=workspace.pk)
    RelationshipFactory(source=small_map[11], target=small_map[1])

    def crash(**kwargs):
        raise MemoryError("out of memory")

    monkeypatch.setattr(score_runs.analysis, "analyse", crash)
    failed = score_runs.score_run_execute(workspace_id=workspace.pk)
    assert failed.status == RunStatus.FAILED
    assert failed.error == "MemoryError: out of memory"
    assert failed.finished_at is not None
    assert selectors.current_run(workspace_id=workspace.pk).pk == good.pk
    assert PersonScore.objects.filter(run=good).count() == 36
    assert not PersonScore.objects.filter(run=failed).exists()

    monkeypatch.undo()
    retried = score_runs.score_run_execute(workspace_id=workspace.pk)
    assert retried.status == RunStatus.SUCCEEDED
    assert selectors.current_run(workspace_id=workspace.pk).pk == retried.pk


def test_a_change_queues_one_recompute_on_commit(
    workspace, small_map, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        RelationshipFactory(source=small_map[11], target=small_map[2])
        small_map[3].name = "Renamed"
        small_map[3].save()
    assert len(callbacks) == 1
    run = selectors.current_run(workspace_id=workspace.pk)
    assert run is not None and run.relationships_count == 31


def test_a_rolled_back_change_queues_nothing(
    workspace, small_map, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        RelationshipFactory(source=small_map[11], target=small_map[2])
        raise RuntimeError
    assert callbacks == []
    assert ScoreRun.objects.count() == 0


@pytest.mark.parametrize("model", ["organisation", "person", "affiliation", "relationship"])
def test_every_kind_of_change_queues_a_recompute(
    workspace, small_map, model, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        if model == "organisation":
            OrganisationFactory(workspace=workspace)
        elif model == "person":
            small_map[0].delete()
        elif model == "affiliation":
            small_map[1].affiliations.update(role_title="x")  # update() sends no signal
            small_map[1].affiliations.first().delete()
        else:
            RelationshipFactory(source=small_map[4], target=small_map[11])
    assert len(callbacks) == 1


def test_score_command(workspace, small_map):
    out = io.StringIO()
    call_command("score", "--workspace", workspace.slug, stdout=out)
    assert "12 people, 30 relationships" in out.getvalue()
    call_command(
        "score",
        "--workspace",
        workspace.slug,
        "--kinds",
        "trusts",
        "--min-strength",
        "3",
        stdout=out,
    )
    assert ScoreRun.objects.count() == 2
    with pytest.raises(CommandError, match="unknown kind likes"):
        call_command("score", "--workspace", workspace.slug, "--kinds", "likes")
    with pytest.raises(CommandError, match="No workspace"):
        call_command("score", "--workspace", "nowhere")


def test_export_scores_csv(workspace, small_map, tmp_path):
    small_map[0].name = '=HYPERLINK("http://evil")'
    small_map[0].save()
    small_map[1].name = "Zoë Ångström, MBE"
    small_map[1].save()
    with pytest.raises(CommandError, match="no scores yet"):
        call_command("export_csv", "scores", "--workspace", workspace.slug)
    score_runs.score_run_execute(workspace_id=workspace.pk)
    target = tmp_path / "scores.csv"
    call_command(
        "export_csv",
        "scores",
        "--workspace",
        workspace.slug,
        "--boundary",
        "sector",
        "--output",
        str(target),
    )
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert tuple(rows[0]) == SCORES_HEADER
    assert len(rows) == 13
    by_ref = {r[0]: dict(zip(SCORES_HEADER, r, strict=True)) for r in rows[1:]}
    assert by_ref["R00"]["Name"] == '\'=HYPERLINK("http://evil")'
    assert by_ref["R01"]["Name"] == "Zoë Ångström, MBE"
    assert by_ref["R11"]["Constraint"] == "" and by_ref["R11"]["Hidden influencer"] == "No"
    stored = PersonScore.objects.get(person=small_map[2], boundary="sector")
    assert float(by_ref["R02"]["Broker score"]) == stored.broker_score  # full precision
    assert by_ref["R02"]["Sector"] == "Voluntary and community sector (VCSE)"
    scores = [float(r["Broker score"]) for r in by_ref.values()]
    assert [float(r[5]) for r in rows[1:]] == sorted(scores, reverse=True)


def _running_row(workspace) -> ScoreRun:
    return ScoreRun.objects.create(
        workspace=workspace,
        options_key=score_runs.options_key(score_runs.DEFAULT_OPTIONS),
        options={},
        fingerprint="x",
        status=RunStatus.RUNNING,
    )


def test_a_run_whose_worker_holds_its_lease_is_left_running(workspace, small_map):
    good = score_runs.score_run_execute(workspace_id=workspace.pk)
    running = _running_row(workspace)
    with leases.hold_lease(running.pk):
        assert leases.run_is_running(running)
        assert score_runs.score_runs_reap(workspace_id=workspace.pk) == []
    running.refresh_from_db()
    assert running.status == RunStatus.RUNNING
    assert selectors.current_run(workspace_id=workspace.pk).pk == good.pk


def test_the_next_run_records_a_dead_run_as_failed(workspace, small_map):
    """No lease behind a running row: its worker died (the subprocess test kills one)."""
    good = score_runs.score_run_execute(workspace_id=workspace.pk)
    dead = _running_row(workspace)
    assert not leases.run_is_running(dead)
    RelationshipFactory(source=small_map[11], target=small_map[2])

    retried = score_runs.score_run_execute(workspace_id=workspace.pk)

    dead.refresh_from_db()
    assert dead.status == RunStatus.FAILED
    assert dead.error == score_runs.WORKER_STOPPED
    assert dead.finished_at is not None
    assert retried.status == RunStatus.SUCCEEDED
    assert retried.pk != good.pk
    assert selectors.current_run(workspace_id=workspace.pk).pk == retried.pk


def test_a_finished_run_is_never_marked_failed(workspace, small_map):
    run = score_runs.score_run_execute(workspace_id=workspace.pk)
    assert score_runs.score_runs_reap(workspace_id=workspace.pk) == []
    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED
    path = leases.lease_path(run.pk)  # None on PostgreSQL: no file to leave behind
    # This process's own file: another test process's run of the same number has its own.
    assert path is None or not path.exists()


def test_default_run_stores_key_people(workspace):
    # A line of three in three organisations: the middle person holds it together.
    orgs = [OrganisationFactory(workspace=workspace) for _ in range(3)]
    people = [PersonFactory(workspace=workspace) for _ in range(3)]
    for person, org in zip(people, orgs, strict=True):
        AffiliationFactory(person=person, organisation=org)
    RelationshipFactory(source=people[0], target=people[1])
    RelationshipFactory(source=people[1], target=people[2])
    run = score_runs.score_run_execute(workspace_id=workspace.pk, force=True)
    assert run.key_people["fragmentation"] == 0.0
    middle = PersonScore.objects.get(run=run, person=people[1], boundary="organisation")
    # Without the middle person two isolates remain: F = 1 - 0 / (2 * 1).
    assert middle.fragmentation_if_leaves == 1.0
    assert middle.distance_fragmentation_if_leaves == 1.0
    assert middle.pairs_disconnected_if_leaves == [sorted([str(orgs[0].pk), str(orgs[2].pk)])]
    end = PersonScore.objects.get(run=run, person=people[0], boundary="organisation")
    assert end.fragmentation_if_leaves == 0.0
    assert end.pairs_disconnected_if_leaves == []
    assert [s["size"] for s in run.key_people["sets"]] == [2]  # sets smaller than the map


def test_renaming_an_organisation_rewrites_the_sentences_that_name_it(workspace, small_map):
    first = score_runs.score_run_execute(workspace_id=workspace.pk)
    assert PersonScore.objects.filter(run=first, why__contains="Fenwick Carers").exists()
    # A rename changes no score, but the stored sentences name organisations.
    Organisation.objects.filter(name="Fenwick Carers").update(name="Marsh Vale Carers")
    again = score_runs.score_run_execute(workspace_id=workspace.pk)
    assert again.pk != first.pk
    assert PersonScore.objects.filter(run=again, why__contains="Marsh Vale Carers").exists()
    assert not PersonScore.objects.filter(run=again, why__contains="Fenwick Carers").exists()
