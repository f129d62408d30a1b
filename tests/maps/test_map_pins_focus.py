"""Issue #13 on the map page: pins, the tier view, focus on a person, and tidying."""

import io
import re

import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse

from stakeholders import score_runs
from stakeholders.models import MapPin, OrganisationPosition, Person, ScoreRun, Workspace
from stakeholders.selectors import current_run
from tests.dashboard.test_dashboard_views import build_map, url
from tests.factories import OrganisationFactory, PersonFactory


@pytest.fixture
def scored(workspace):
    return build_map(workspace)


def pin_url(workspace) -> str:
    return reverse("stakeholders:map_pin", kwargs={"slug": workspace.slug})


def tidy_url(workspace) -> str:
    return reverse("stakeholders:map_tidy", kwargs={"slug": workspace.slug})


def node_position(page: str, person: Person) -> tuple[float, float]:
    match = re.search(rf'data-person="{person.pk}"[^>]*data-x="([\d.]+)" data-y="([\d.]+)"', page)
    assert match, f"person {person.pk} not drawn"
    return float(match[1]), float(match[2])


@pytest.mark.parametrize("name", ["map_pin", "map_tidy"])
def test_pin_and_tidy_are_for_editors_of_this_workspace(
    client, workspace, outsider, viewer, editor, scored, name
):
    path = reverse(f"stakeholders:{name}", kwargs={"slug": workspace.slug})
    broker = scored["broker"]
    form = {"person": broker.pk, "x": "500", "y": "500"}
    assert client.post(path, form).status_code == 302  # to log in
    client.force_login(outsider)
    assert client.post(path, form).status_code == 404
    client.force_login(viewer)
    assert client.post(path, form).status_code == 403
    assert not MapPin.objects.exists()
    client.force_login(editor)
    assert client.get(path).status_code == 405
    assert client.post(path, form).status_code == 303


def test_editor_pins_a_person_and_the_map_draws_the_pin_at_once(client, workspace, editor, scored):
    broker = scored["broker"]
    client.force_login(editor)
    run = current_run(workspace_id=workspace.pk)
    response = client.post(
        pin_url(workspace),
        {"person": broker.pk, "x": "120", "y": "880", "next": "boundary=sector&person=1&evil=x"},
    )
    assert response.status_code == 303
    # Back to the map with its own filters only.
    assert response["Location"] == url("map", workspace) + "?boundary=sector&person=1"
    pin = MapPin.objects.get()
    assert (pin.person, pin.x, pin.y, pin.pinned_by) == (broker, 120.0, 880.0, editor)
    page = client.get(url("map", workspace)).content.decode()
    assert node_position(page, broker) == (120.0, 880.0)
    assert current_run(workspace_id=workspace.pk).pk == run.pk  # no score run needed
    # Moved again, then unpinned.
    client.post(pin_url(workspace), {"person": broker.pk, "x": "130", "y": "870"})
    assert MapPin.objects.get().x == 130.0
    client.post(pin_url(workspace), {"person": broker.pk, "action": "unpin"})
    assert not MapPin.objects.exists()


def test_an_htmx_pin_answers_no_content(client, workspace, editor, scored):
    client.force_login(editor)
    response = client.post(
        pin_url(workspace),
        {"person": scored["broker"].pk, "x": "1", "y": "2"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 204


def test_a_pinned_organisation_moves_its_people_with_its_disc(client, workspace, editor, scored):
    broker = scored["broker"]
    hospital = broker.affiliations.get().organisation
    client.force_login(editor)
    before = client.get(url("map", workspace)).content.decode()
    disc = OrganisationPosition.objects.get(organisation=hospital)
    bx, by = node_position(before, broker)
    client.post(pin_url(workspace), {"organisation": hospital.pk, "x": "500", "y": "500"})
    after = client.get(url("map", workspace)).content.decode()
    ax, ay = node_position(after, broker)
    assert ax == pytest.approx(bx + 500 - disc.x, abs=0.11)
    assert ay == pytest.approx(by + 500 - disc.y, abs=0.11)


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"x": "1001", "y": "5"}, "x: 1001 is outside the map"),
        ({"x": "-1", "y": "5"}, "x: -1 is outside the map"),
        ({"x": "5", "y": "nan"}, "y: nan is outside the map"),
        ({"x": "5", "y": "far"}, "y: enter a number from 0 to 1000"),
        ({"x": "", "y": "5"}, "x: enter a number"),
    ],
)
def test_bad_coordinates_are_refused(client, workspace, editor, scored, form, message):
    client.force_login(editor)
    response = client.post(pin_url(workspace), {"person": scored["broker"].pk, **form})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not MapPin.objects.exists()


def test_pins_cannot_reach_another_workspace(client, workspace, other_workspace, editor, scored):
    stranger = PersonFactory(workspace=other_workspace)
    elsewhere = OrganisationFactory(workspace=other_workspace)
    client.force_login(editor)
    form = {"x": "5", "y": "5"}
    assert client.post(pin_url(workspace), {"person": stranger.pk, **form}).status_code == 404
    assert (
        client.post(pin_url(workspace), {"organisation": elsewhere.pk, **form}).status_code == 404
    )
    assert client.post(pin_url(workspace), {"person": "1e3", **form}).status_code == 400
    assert client.post(pin_url(workspace), form).status_code == 400
    assert not MapPin.objects.exists()


def test_focus_highlights_the_person_and_their_ties(client, workspace, viewer, scored):
    broker = scored["broker"]
    client.force_login(viewer)
    page = client.get(url("map", workspace, person=broker.pk)).content.decode()
    svg = page.split('id="map-svg"')[1].split("</svg>")[0]
    assert f'data-person="{broker.pk}"' in svg and 'aria-current="true"' in svg
    assert "app-map-focus-ring" in svg
    # Their two contacts are not dimmed; the other eight are.
    assert svg.count(' opacity="0.25"') == 10 - 1 - 2
    # The panel is there without JavaScript, and so is the way back.
    panel = page.split('id="map-panel"')[1]
    assert "Bridget Broker" in panel and "Broker score" in panel
    assert "show everyone" in page
    # The downloads carry the focus (and say so in the caption).
    assert f"person={broker.pk}" in page.split("Download this map")[1].split("</span>")[0]
    svg_file = client.get(url("map_svg", workspace, person=broker.pk)).content.decode()
    assert "In focus: Bridget Broker and their direct ties." in svg_file
    assert svg_file.count(' opacity="0.25"') == 7


@pytest.mark.parametrize("who", ["unknown", "foreign"])
def test_focus_on_someone_not_on_this_map_is_ignored_with_a_note(
    client, workspace, other_workspace, viewer, scored, who
):
    pk = PersonFactory(workspace=other_workspace).pk if who == "foreign" else 999999
    client.force_login(viewer)
    response = client.get(url("map", workspace, person=pk))
    assert response.status_code == 200
    page = response.content.decode()
    assert "The person chosen is not on this map" in page
    svg = page.split('id="map-svg"')[1].split('id="map-panel"')[0]
    assert 'aria-current="true"' not in svg and ' opacity="0.25"' not in svg


def test_a_malformed_person_is_a_clear_error(client, workspace, viewer, scored):
    client.force_login(viewer)
    response = client.get(url("map", workspace, person="abc"))
    assert response.status_code == 400
    assert "The person to focus on must be chosen on the map." in response.content.decode()


def test_tier_view_draws_bands_in_order(client, workspace, viewer, scored):
    client.force_login(viewer)
    page = client.get(url("map", workspace, layout="tiers")).content.decode()
    bands = page.split('class="app-map-bands"')[1].split("</g>")[0]
    labels = re.findall(r'font-weight="bold"[^>]*>([^<]+)</text>', bands)
    assert labels  # build_map's organisations all sit in the system tier by default
    order = ["National", "Regional", "System", "Place", "Neighbourhood", "No tier"]
    assert [order.index(label) for label in labels] == sorted(order.index(x) for x in labels)
    assert client.get(url("map", workspace, layout="rings")).status_code == 400
    assert "layout=tiers" in page.split("Download this map")[1].split("</span>")[0]


def test_tidy_lays_out_afresh_but_keeps_pins(
    client, workspace, editor, scored, django_capture_on_commit_callbacks
):
    broker = scored["broker"]
    client.force_login(editor)
    client.post(pin_url(workspace), {"person": broker.pk, "x": "40", "y": "960"})
    before = current_run(workspace_id=workspace.pk)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(tidy_url(workspace), {"next": "layout=tiers"})
    assert response.status_code == 303
    assert response["Location"].endswith("?layout=tiers")
    after = current_run(workspace_id=workspace.pk)
    assert after.pk != before.pk  # forced, though nothing changed
    stored = after.person_positions.get(person=broker)
    assert (stored.x, stored.y) == (40.0, 960.0)
    assert ScoreRun.objects.filter(pk=before.pk).count() == 0


def test_the_board_pack_map_shows_the_focus_and_the_tiers(client, workspace, viewer, scored):
    import io
    import zipfile

    broker = scored["broker"]
    client.force_login(viewer)
    page = client.get(url("map", workspace, person=broker.pk, layout="tiers")).content.decode()
    link = re.search(r'href="([^"]*board-pack[^"]*|[^"]*board_pack[^"]*)"', page)
    assert link and f"person={broker.pk}" in link[1] and "layout=tiers" in link[1]
    response = client.get(link[1].replace("&amp;", "&"))
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))) as pack:
        name = next(n for n in pack.namelist() if n.endswith(".svg"))
        svg = pack.read(name).decode()
    assert "In focus: Bridget Broker and their direct ties." in svg
    assert "Arranged in tiers, national at the top." in svg
    assert client.get(url("export_board_pack", workspace, layout="rings")).status_code == 400


def test_tier_bands_span_the_whole_first_view(client, db):
    """On the demo, labels near the right edge widen the view past the box (to 1068)."""
    call_command("seed_demo", stdout=io.StringIO())
    workspace = Workspace.objects.get(slug="demo")
    transaction.get_connection().run_on_commit.clear()
    score_runs.score_run_execute(workspace_id=workspace.pk)
    client.force_login(workspace.memberships.get().user)
    page = client.get(url("map", workspace, layout="tiers")).content.decode()
    x, _, width, _ = map(float, re.search(r'data-initial-view="([^"]+)"', page)[1].split())
    assert x + width > 1000
    bands = page.split('class="app-map-bands"')[1].split("</g>")[0]
    spans = re.findall(r'<rect x="([-\d.]+)" y="[\d.]+" width="([\d.]+)"', bands)
    assert len(spans) == 6
    for left, span in spans:
        assert float(left) <= min(x, 0) + 0.1 and float(left) + float(span) >= x + width - 0.1
