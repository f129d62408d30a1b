"""The route, the room and the what-if answer about today's map: an address that asks
for another (a date, a snapshot, formal ties) is refused, page and download alike,
rather than answered about today under a heading that names another day."""

import html

import pytest
from django.urls import reverse

from tests.scenarios.test_route_views import text

pytestmark = pytest.mark.django_db

SCENARIOS = [
    "scenario_route",
    "scenario_route_csv",
    "scenario_route_xlsx",
    "scenario_room",
    "scenario_room_csv",
    "scenario_room_xlsx",
    "scenario_leaves",
    "scenario_leaves_csv",
    "scenario_leaves_xlsx",
]


@pytest.mark.parametrize("name", SCENARIOS)
@pytest.mark.parametrize("choice", ["as_of=2026-01-01", "snapshot=1"])
def test_a_date_or_a_snapshot_is_refused(client, fenwick, viewer, name, choice):
    client.force_login(viewer)
    path = reverse(f"stakeholders:{name}", kwargs={"slug": fenwick.workspace.slug})
    query = f"from={fenwick.amira.pk}&to={fenwick.chris.pk}&person={fenwick.bea.pk}"
    response = client.get(f"{path}?{query}&organisation={fenwick.icb.pk}&{choice}")
    assert response.status_code == 400
    message = "This page answers about today's map; leave out as_of and snapshot."
    assert message in html.unescape(text(response))


@pytest.mark.parametrize("name", ["scenario_route_csv", "scenario_room_csv"])
def test_formal_ties_are_refused_by_the_downloads_as_by_their_pages(client, fenwick, viewer, name):
    client.force_login(viewer)
    path = reverse(f"stakeholders:{name}", kwargs={"slug": fenwick.workspace.slug})
    query = f"from={fenwick.amira.pk}&to={fenwick.chris.pk}&organisation={fenwick.icb.pk}"
    response = client.get(f"{path}?{query}&layer=formal")
    assert response.status_code == 400
    assert "leave out layer=formal" in text(response)
