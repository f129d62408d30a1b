"""Named snapshots: frozen score runs of a date, never pruned, erasure still reaches them."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from stakeholders import score_runs
from stakeholders.models import PairScore, PersonScore, RunStatus, ScoreRun, Snapshot
from stakeholders.privacy.erasure import person_erase
from tests.factories import (
    AffiliationFactory,
    OrganisationFactory,
    PersonFactory,
    RelationshipFactory,
)

D = datetime.date(2025, 3, 31)


@pytest.fixture
def bridge(workspace):
    """Two organisations joined only through one person (a single point of failure)."""
    a = OrganisationFactory(workspace=workspace, name="Trust")
    b = OrganisationFactory(workspace=workspace, name="Council", sector="local_government")
    people = [PersonFactory(workspace=workspace, ref=f"B{i}") for i in range(5)]
    for person, org in zip(people, [a, a, a, b, b], strict=True):
        AffiliationFactory(person=person, organisation=org)
    RelationshipFactory(source=people[0], target=people[1])
    RelationshipFactory(source=people[1], target=people[2])
    RelationshipFactory(source=people[2], target=people[3])
    RelationshipFactory(source=people[3], target=people[4], start_date=D + datetime.timedelta(1))
    transaction.get_connection().run_on_commit.clear()
    return people


def _snapshot(workspace, name: str, *args: str) -> str:
    out = io.StringIO()
    call_command("snapshot", "--workspace", workspace.slug, "--name", name, *args, stdout=out)
    return out.getvalue()


def test_snapshot_command_freezes_the_map_as_of_a_date(workspace, bridge):
    out = _snapshot(workspace, "ICB board, March 2025", "--as-of", "2025-03-31")
    snapshot = Snapshot.objects.get()
    assert snapshot.status == RunStatus.SUCCEEDED and snapshot.as_of == D
    assert snapshot.run.as_of == D and snapshot.run.relationships_count == 3
    assert snapshot.fingerprint == snapshot.run.fingerprint and len(snapshot.fingerprint) == 64
    assert "ICB board, March 2025" in out and "3 relationships in force" in out


def test_snapshot_command_defaults_to_today(workspace, bridge):
    _snapshot(workspace, "Today")
    snapshot = Snapshot.objects.get()
    assert snapshot.as_of == datetime.date.today()
    assert snapshot.run.relationships_count == 4


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--workspace", "nowhere", "--name", "X"], "No workspace with slug 'nowhere'"),
        (["--workspace", "north-fenwick", "--name", "X", "--as-of", "31/03/2025"], "YYYY-MM-DD"),
        (["--workspace", "north-fenwick", "--name", "  "], "--name"),
        (["--workspace", "north-fenwick", "--name", "X", "--as-of", "2999-01-01"], "to come"),
    ],
)
def test_snapshot_command_refuses_bad_input(workspace, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("snapshot", *args, stdout=io.StringIO())
    assert not Snapshot.objects.exists()


def test_snapshot_names_are_unique_in_a_workspace(workspace, bridge):
    _snapshot(workspace, "Board")
    with pytest.raises(CommandError, match="already exists"):
        _snapshot(workspace, "Board")


def test_snapshots_survive_later_edits_and_score_runs(workspace, bridge):
    _snapshot(workspace, "First", "--as-of", "2025-03-31")
    _snapshot(workspace, "Second, same day", "--as-of", "2025-03-31")
    first, second = Snapshot.objects.order_by("pk")
    assert first.run_id != second.run_id  # each snapshot holds its own frozen run
    frozen = dict(PersonScore.objects.filter(run=first.run).values_list("pk", "broker_score"))
    RelationshipFactory(source=bridge[0], target=bridge[4], start_date=D - datetime.timedelta(9))
    transaction.get_connection().run_on_commit.clear()
    score_runs.score_run_execute(workspace_id=workspace.pk)
    newer = score_runs.score_run_execute(workspace_id=workspace.pk, as_of=D)
    assert newer.relationships_count == 4
    first.refresh_from_db()
    assert first.run.relationships_count == 3
    assert dict(PersonScore.objects.filter(run=first.run).values_list("pk", "broker_score")) == (
        frozen
    )
    assert ScoreRun.objects.filter(pk=second.run_id).exists()


def test_erasure_takes_the_person_out_of_snapshots(workspace, bridge, owner):
    _snapshot(workspace, "Before", "--as-of", "2025-03-31")
    snapshot = Snapshot.objects.get()
    broker = bridge[2]
    assert any(broker.pk in p.failure_people for p in PairScore.objects.filter(run=snapshot.run))
    person_erase(workspace=workspace, person=broker, erased_by=owner)
    snapshot.refresh_from_db()
    assert snapshot.run is not None
    assert not PersonScore.objects.filter(run=snapshot.run, person_id=broker.pk).exists()
    assert PersonScore.objects.filter(run=snapshot.run).exists()
    for pair in PairScore.objects.filter(run=snapshot.run):
        assert broker.pk not in pair.failure_people + pair.disconnecting_people
    for s in snapshot.run.key_people.get("sets", []):
        assert broker.pk not in s["people"]
