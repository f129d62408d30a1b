"""The map draws the network in force: today's without ended ties, a snapshot's as it
was on its day, at the snapshot's own positions."""

import datetime

import pytest
from django.db import transaction
from django.urls import reverse

from stakeholders import score_runs
from stakeholders.snapshots.compute import snapshot_execute
from stakeholders.snapshots.services import snapshot_create
from tests.factories import (
    AffiliationFactory,
    OrganisationFactory,
    PersonFactory,
    RelationshipFactory,
)

pytestmark = pytest.mark.django_db

ENDED = datetime.date(2025, 6, 30)


@pytest.fixture
def history(workspace):
    org = OrganisationFactory(workspace=workspace)
    a, b, c = (PersonFactory(workspace=workspace, name=n) for n in ("Ann", "Bob", "Cas"))
    for p in (a, b, c):
        AffiliationFactory(person=p, organisation=org)
    RelationshipFactory(source=a, target=b, end_date=ENDED)
    RelationshipFactory(source=b, target=c)
    transaction.get_connection().run_on_commit.clear()
    snapshot = snapshot_create(
        workspace=workspace, name="Board, June 2025", as_of=datetime.date(2025, 6, 1), enqueue=False
    )
    snapshot_execute(snapshot_id=snapshot.pk)
    score_runs.score_run_execute(workspace_id=workspace.pk)
    snapshot.refresh_from_db()
    return snapshot


def _map(client, workspace, **params):
    url = reverse("stakeholders:map", kwargs={"slug": workspace.slug})
    return client.get(url, params).content.decode()


def test_todays_map_leaves_ended_ties_out(client, workspace, history, viewer):
    client.force_login(viewer)
    assert _map(client, workspace).count("data-kind=") == 1
    assert _map(client, workspace, as_of="2025-06-01").count("data-kind=") == 2


def test_a_snapshot_opens_on_the_map_with_its_ties_and_positions(
    client, workspace, history, viewer
):
    client.force_login(viewer)
    body = _map(client, workspace, snapshot=history.pk)
    assert "Snapshot <q><bdi>Board, June 2025</bdi></q>" in body
    assert body.count("data-kind=") == 2  # the tie that ended later was in force then
    assert "(the snapshot's day)" in body and 'name="as_of"' not in body
    assert f'name="snapshot" value="{history.pk}"' in body
    # Downloads carry the snapshot, not a date beside it (which would be refused).
    assert "map.svg?boundary=organisation&amp;min_strength=1" in body
    assert f"snapshot={history.pk}" in body and "as_of=2025-06-01" not in body
    svg = client.get(
        reverse("stakeholders:map_svg", kwargs={"slug": workspace.slug}),
        {"snapshot": history.pk},
    )
    assert svg.status_code == 200 and svg.content.decode().count("data-kind=") == 2
