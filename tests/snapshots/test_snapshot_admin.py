"""Snapshots in the admin: scoped to the user's workspaces, renamed by editors, deleted
(with their frozen scores) by owners, never added there."""

import pytest
from django.db import transaction
from django.urls import reverse

from stakeholders.models import ScoreRun, Snapshot
from stakeholders.snapshots.compute import snapshot_execute
from stakeholders.snapshots.services import snapshot_create
from tests.factories import AffiliationFactory, PersonFactory, RelationshipFactory

pytestmark = pytest.mark.django_db


def _staff(user):
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    return user


def _taken(workspace, name):
    a, b = PersonFactory(workspace=workspace), PersonFactory(workspace=workspace)
    AffiliationFactory(person=a)
    RelationshipFactory(source=a, target=b)
    transaction.get_connection().run_on_commit.clear()
    snapshot = snapshot_create(workspace=workspace, name=name, enqueue=False)
    snapshot_execute(snapshot_id=snapshot.pk)
    snapshot.refresh_from_db()
    return snapshot


@pytest.fixture
def ours(workspace):
    return _taken(workspace, "ICB board, March 2027")


@pytest.fixture
def theirs(other_workspace):
    return _taken(other_workspace, "South Moor board")


def _change(snapshot) -> str:
    return reverse("admin:stakeholders_snapshot_change", args=[snapshot.pk])


def test_the_list_shows_only_the_users_workspaces(client, editor, ours, theirs):
    client.force_login(_staff(editor))
    body = client.get(reverse("admin:stakeholders_snapshot_changelist")).content.decode()
    assert "ICB board, March 2027" in body and "South Moor board" not in body
    assert f"?snapshot={ours.pk}" in body  # opens on the map
    assert client.get(_change(theirs)).status_code in (302, 404)
    assert client.get(reverse("admin:stakeholders_snapshot_add")).status_code == 403


def test_an_editor_renames_but_cannot_delete(client, editor, ours):
    client.force_login(_staff(editor))
    response = client.post(_change(ours), {"name": "ICB board, 31 March 2027"})
    assert response.status_code == 302
    ours.refresh_from_db()
    assert ours.name == "ICB board, 31 March 2027"
    delete = reverse("admin:stakeholders_snapshot_delete", args=[ours.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert Snapshot.objects.filter(pk=ours.pk).exists()


def test_an_owner_deletes_a_snapshot_and_its_frozen_scores(client, owner, ours):
    run_id = ours.run_id
    client.force_login(_staff(owner))
    delete = reverse("admin:stakeholders_snapshot_delete", args=[ours.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 302
    assert not Snapshot.objects.filter(pk=ours.pk).exists()
    assert not ScoreRun.objects.filter(pk=run_id).exists()
