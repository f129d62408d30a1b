"""The snapshots page: any member sees the list; editors take a snapshot."""

import datetime

import pytest
from django.urls import reverse

from stakeholders.models import RunStatus, Snapshot
from tests.factories import AffiliationFactory, PersonFactory, RelationshipFactory


def _list(workspace) -> str:
    return reverse("stakeholders:snapshots", kwargs={"slug": workspace.slug})


def _take(workspace) -> str:
    return reverse("stakeholders:snapshot_take", kwargs={"slug": workspace.slug})


@pytest.fixture
def small(workspace):
    a, b = PersonFactory(workspace=workspace), PersonFactory(workspace=workspace)
    AffiliationFactory(person=a)
    RelationshipFactory(source=a, target=b)
    return workspace


def test_snapshots_page_needs_membership(client, workspace, outsider, viewer, editor):
    response = client.get(_list(workspace))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert client.post(_take(workspace), {"name": "X"}).status_code == 302
    client.force_login(outsider)
    assert client.get(_list(workspace)).status_code == 404
    assert client.post(_take(workspace), {"name": "X"}).status_code == 404
    for member in (viewer, editor):
        client.force_login(member)
        assert client.get(_list(workspace)).status_code == 200
    assert not Snapshot.objects.exists()


def test_viewers_see_snapshots_but_cannot_take_one(client, workspace, viewer):
    client.force_login(viewer)
    page = client.get(_list(workspace)).content.decode()
    assert "Take a snapshot" not in page
    assert client.post(_take(workspace), {"name": "Board"}).status_code == 403
    assert not Snapshot.objects.exists()


def test_editor_takes_a_snapshot_computed_in_the_background(
    client, small, editor, django_capture_on_commit_callbacks
):
    client.force_login(editor)
    assert "Take a snapshot" in client.get(_list(small)).content.decode()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(_take(small), {"name": "ICB board, March 2027", "as_of": ""})
    assert response.status_code == 302 and response["Location"] == _list(small)
    assert len(callbacks) >= 1
    snapshot = Snapshot.objects.get()
    assert snapshot.status == RunStatus.SUCCEEDED and snapshot.taken_by == editor
    assert snapshot.as_of == datetime.date.today() and snapshot.run.relationships_count == 1
    page = client.get(_list(small)).content.decode()
    assert "ICB board, March 2027" in page and snapshot.fingerprint[:12] in page
    assert 'hx-trigger="every 2s"' not in page


def test_the_list_refreshes_itself_while_a_snapshot_is_worked_out(client, small, editor):
    client.force_login(editor)
    client.post(_take(small), {"name": "Queued"})  # on_commit never runs here: stays queued
    assert Snapshot.objects.get().status == RunStatus.QUEUED
    partial = client.get(_list(small), headers={"HX-Request": "true"})
    body = partial.content.decode()
    assert 'id="snapshot-list"' in body and 'hx-trigger="every 2s"' in body
    assert "<h1>" not in body  # the region only


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"name": "Board", "as_of": "31-03-2025"}, "&#x27;31-03-2025&#x27; is not a date: write"),
        ({"name": "Board", "as_of": "31/02/2025"}, "&#x27;31/02/2025&#x27; is not a date: write"),
        ({"name": "Board", "as_of": "2999-01-01"}, "still to come"),
        ({"name": "Board", "as_of": "31/12/2999"}, "still to come"),
        ({"name": "  ", "as_of": ""}, "This field cannot be blank."),
    ],
)
def test_bad_input_is_a_400_that_names_the_problem(client, workspace, editor, form, message):
    client.force_login(editor)
    response = client.post(_take(workspace), form)
    assert response.status_code == 400
    body = response.content.decode()
    assert message in body
    # The form comes back with what was typed, the error beside the field.
    assert f'value="{form["name"]}"' in body and f'value="{form["as_of"]}"' in body
    assert not Snapshot.objects.exists()


def test_a_date_written_as_in_england_is_understood(client, workspace, editor):
    client.force_login(editor)
    response = client.post(_take(workspace), {"name": "Board", "as_of": "31/3/2025"})
    assert response.status_code == 302
    assert Snapshot.objects.get().as_of == datetime.date(2025, 3, 31)


def test_a_repeated_name_is_a_400(client, workspace, editor):
    Snapshot.objects.create(workspace=workspace, name="Board", as_of=datetime.date(2026, 1, 1))
    client.force_login(editor)
    response = client.post(_take(workspace), {"name": "Board"})
    assert response.status_code == 400
    assert "A snapshot with this name already exists here." in response.content.decode()
