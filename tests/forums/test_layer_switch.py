"""The "informal and formal" switch (`?layer=formal`) on analysis pages and the map,
kept up to date after edits, and the scores a page can choose (`snapshot=`, `as_of=`)."""

import datetime

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from stakeholders import score_runs, selectors
from stakeholders.analysis.inputs import FORMAL_OPTIONS, Options
from stakeholders.models import Boundary, ForumMembership, PersonScore, ScoreRun, Snapshot
from stakeholders.snapshots.services import snapshot_create
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def _url(workspace, name: str = "brokers", **params) -> str:
    base = reverse(f"stakeholders:{name}", kwargs={"slug": workspace.slug})
    return base + "?" + "&".join(f"{k}={v}" for k, v in params.items())


def _degree(run, name: str) -> int:
    return PersonScore.objects.get(
        run=run, boundary=Boundary.ORGANISATION, person__name=name
    ).degree_out


def _formal_run(workspace, as_of=None):
    return selectors.current_run(workspace_id=workspace.pk, options=FORMAL_OPTIONS, as_of=as_of)


@pytest.fixture
def scored(workspace, forum_map):
    transaction.get_connection().run_on_commit.clear()
    return forum_map["people"]


def test_formal_scores_are_asked_of_a_worker_then_shown_and_said(
    client, workspace, scored, viewer, django_capture_on_commit_callbacks
):
    client.force_login(viewer)
    today_page = client.get(_url(workspace, "overview")).content.decode()
    assert '<strong aria-current="true">informal only</strong>' in today_page
    assert "boundary=organisation&amp;layer=formal" in today_page
    assert _formal_run(workspace) is None
    with django_capture_on_commit_callbacks(execute=False) as queued:
        body = client.get(_url(workspace, layer="formal")).content.decode()
    assert "Working out the scores with forum seats." in body and len(queued) == 1
    queued[0]()  # the worker runs the task
    run = _formal_run(workspace)
    assert run is not None and _degree(run, "Hana") == 1
    assert run.relationships_count == 4  # recorded relationships; seats are said apart
    for name in ("overview", "brokers", "partnerships", "scenario_key_people", "map"):
        body = client.get(_url(workspace, name, layer="formal")).content.decode()
        assert "<strong>Informal and formal ties</strong>" in body, name
        assert '<strong aria-current="true">informal and formal</strong>' in body, name
        assert "Working out" not in body, name
    # The overview's count includes the links shared seats make, and says so.
    overview = client.get(_url(workspace, "overview", layer="formal")).context["overview"]
    assert overview.relationships > run.relationships_count
    body = client.get(_url(workspace, "overview", layer="formal")).content.decode()
    assert "links: relationships and shared seats" in body
    # The formal run finds its own key people; the map draws it at today's positions.
    assert run.key_people
    drawn = client.get(_url(workspace, "map", layer="formal")).content.decode()
    assert drawn.count("data-person=") == 6
    assert "map.svg?boundary=organisation&amp;min_strength=1&amp;size=broker" in drawn
    assert '&amp;layer=formal" download>SVG' in drawn


def test_the_boundary_switch_and_polling_keep_the_chosen_scores(client, workspace, scored, viewer):
    client.force_login(viewer)
    client.get(_url(workspace, layer="formal"))
    body = client.get(_url(workspace, "overview", layer="formal", as_of="2025-01-01"))
    body = body.content.decode()
    assert "?boundary=sector&amp;as_of=2025-01-01&amp;layer=formal" in body
    # Switching layers keeps the date; "See today's map" keeps the layer.
    assert '?boundary=organisation&amp;as_of=2025-01-01"' in body
    assert '?boundary=organisation&amp;layer=formal">See today' in body


def test_pages_about_informal_ties_refuse_the_formal_layer(client, workspace, scored, viewer):
    client.force_login(viewer)
    for name in ("scenario_route", "scenario_room", "forums", "scenario_leaves"):
        response = client.get(_url(workspace, name, layer="formal"))
        assert response.status_code == 400, name
        assert "informal ties only" in response.content.decode()
        assert "informal and formal</a>" not in client.get(_url(workspace, name)).content.decode()
    response = client.get(_url(workspace, layer="both"))
    assert response.status_code == 400 and "layer: choose informal" in response.content.decode()


def test_an_edit_to_a_seat_refreshes_formal_scores_that_pages_show(
    client, workspace, scored, viewer, django_capture_on_commit_callbacks
):
    client.force_login(viewer)
    with django_capture_on_commit_callbacks(execute=True):
        client.get(_url(workspace, layer="formal"))
    before = _formal_run(workspace)
    assert before.last_shown_on == timezone.localdate() and _degree(before, "Vera") == 1
    board = ForumMembership.objects.get(person=scored["Hana"], seat="chair").forum
    with django_capture_on_commit_callbacks(execute=True):
        ForumMembership.objects.create(forum=board, person=scored["Vera"])
    after = _formal_run(workspace)
    assert after.pk != before.pk and _degree(after, "Vera") == 3  # + Hana and Cyril
    assert after.last_shown_on == before.last_shown_on
    assert not ScoreRun.objects.filter(pk=before.pk).exists()  # superseded


def test_scores_nobody_looked_at_for_a_month_are_removed_after_an_edit(workspace, scored):
    long_ago = timezone.localdate() - datetime.timedelta(days=score_runs.CHOICE_DAYS + 1)
    shown = score_runs.score_run_execute(workspace_id=workspace.pk, as_of=datetime.date(2025, 1, 1))
    unshown = score_runs.score_run_execute(
        workspace_id=workspace.pk, options=FORMAL_OPTIONS, as_of=datetime.date(2024, 1, 1)
    )
    ScoreRun.objects.filter(pk=unshown.pk).update(last_shown_on=long_ago)
    kinds = score_runs.score_run_execute(
        workspace_id=workspace.pk, options=Options(kinds=frozenset({"trusts"}))
    )
    snapshot = snapshot_create(workspace=workspace, name="Board", as_of=long_ago, enqueue=False)
    frozen = score_runs.score_run_execute(workspace_id=workspace.pk, as_of=long_ago)
    Snapshot.objects.filter(pk=snapshot.pk).update(run=frozen, status="succeeded")
    ScoreRun.objects.filter(pk=frozen.pk).update(last_shown_on=None)

    kept = score_runs.score_choices_tidy(workspace_id=workspace.pk)

    assert kept == [(datetime.date(2025, 1, 1), False)]
    assert ScoreRun.objects.filter(pk=shown.pk).exists()
    assert not ScoreRun.objects.filter(pk=unshown.pk).exists()
    assert ScoreRun.objects.filter(pk__in=[kinds.pk, frozen.pk]).count() == 2


def test_seats_count_as_they_were_on_the_date(workspace, scored):
    # Bea sat on the Marsh Team with Hana and Cyril during 2020 (Cyril she knows anyway).
    then = score_runs.score_run_execute(
        workspace_id=workspace.pk, options=FORMAL_OPTIONS, as_of=datetime.date(2020, 6, 1)
    )
    now = score_runs.score_run_execute(workspace_id=workspace.pk, options=FORMAL_OPTIONS)
    assert _degree(then, "Bea") == _degree(now, "Bea") + 1


def test_a_snapshot_opens_on_every_analysis_page_and_the_map(
    client, workspace, other_workspace, scored, viewer
):
    snapshot = snapshot_create(workspace=workspace, name="ICB board, March 2027", enqueue=False)
    from stakeholders.snapshots.compute import snapshot_execute

    snapshot_execute(snapshot_id=snapshot.pk)
    snapshot.refresh_from_db()
    PersonFactory(workspace=workspace, name="Newcomer")
    transaction.get_connection().run_on_commit.clear()
    score_runs.score_run_execute(workspace_id=workspace.pk)
    client.force_login(viewer)
    for name in ("overview", "brokers", "partnerships", "scenario_key_people", "map"):
        body = client.get(_url(workspace, name, snapshot=snapshot.pk)).content.decode()
        assert "Snapshot <q><bdi>ICB board, March 2027</bdi></q></strong>" in body, name
        assert "from 6 people" in body, name  # the snapshot's, not today's 7
        assert "informal and formal</a>" not in body, name
    svg = client.get(_url(workspace, "map_svg", snapshot=snapshot.pk))
    assert svg.status_code == 200
    mine = snapshot_create(workspace=other_workspace, name="Theirs", enqueue=False)
    assert client.get(_url(workspace, snapshot=mine.pk)).status_code == 404
    assert client.get(_url(workspace, snapshot="x1")).status_code == 404
    both = client.get(_url(workspace, snapshot=snapshot.pk, as_of="2025-01-01"))
    assert both.status_code == 400 and "leave out as_of" in both.content.decode()


def test_the_layer_switch_and_today_link_keep_the_rest_of_the_address(
    client, workspace, scored, viewer, django_capture_on_commit_callbacks
):
    """Switching layers, or back to today, stays on the same partnership (a 404 before)."""
    hospital = scored["Hana"].affiliations.get().organisation_id
    council = scored["Cyril"].affiliations.get().organisation_id
    client.force_login(viewer)
    with django_capture_on_commit_callbacks(execute=True):  # the scores each page asks for
        client.get(_url(workspace, "partnership_people", a=hospital, b=council, layer="formal"))
        client.get(_url(workspace, "partnership_people", a=hospital, b=council, as_of="2025-01-01"))
    pair = f"a={hospital}&amp;b={council}"
    today = client.get(_url(workspace, "partnership_people", a=hospital, b=council))
    assert (
        f'<a href="?boundary=organisation&amp;{pair}&amp;layer=formal">' in today.content.decode()
    )
    formal = client.get(
        _url(workspace, "partnership_people", a=hospital, b=council, layer="formal")
    )
    assert f'<a href="?boundary=organisation&amp;{pair}">informal only' in formal.content.decode()
    past = client.get(
        _url(workspace, "partnership_people", a=hospital, b=council, as_of="2025-01-01")
    ).content.decode()
    assert f'<a href="?boundary=organisation&amp;{pair}">See today' in past
    assert (
        f'<a href="?boundary=organisation&amp;{pair}&amp;as_of=2025-01-01&amp;layer=formal">'
        in past
    )
    base = reverse("stakeholders:partnership_people", kwargs={"slug": workspace.slug})
    for query in (
        f"boundary=organisation&a={hospital}&b={council}",
        f"boundary=organisation&a={hospital}&b={council}&layer=formal",
        f"boundary=organisation&a={hospital}&b={council}&as_of=2025-01-01&layer=formal",
    ):
        assert client.get(f"{base}?{query}").status_code == 200, query


def test_the_poll_asks_with_the_page_address_and_its_links_keep_it(
    client, workspace, scored, viewer
):
    client.force_login(viewer)
    status = reverse("stakeholders:scores_status", kwargs={"slug": workspace.slug})
    body = client.get(f"{status}?boundary=sector&a=1&b=2&as_of=2025-01-01&waiting=1").content
    body = body.decode()
    assert 'href="?boundary=sector&amp;a=1&amp;b=2">See today' in body
    assert "waiting=1&amp;waiting" not in body
    assert (
        f'hx-get="{status}?boundary=sector&amp;a=1&amp;b=2&amp;as_of=2025-01-01&amp;waiting=1"'
        in body
    )
