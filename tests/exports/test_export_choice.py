"""Downloads hold the scores the address chooses, as the pages do: `as_of`, `layer=formal`,
`snapshot` (tables, notes, graph and board pack), named so, and asked of a worker when
not stored yet."""

import csv
import datetime
import io
import zipfile

import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse

from stakeholders import score_runs, selectors
from stakeholders.analysis.inputs import FORMAL_OPTIONS
from stakeholders.snapshots.compute import snapshot_execute
from stakeholders.snapshots.services import snapshot_create
from tests.factories import RelationshipFactory
from tests.forums.conftest import forum_map as forum_map_fixture

pytestmark = pytest.mark.django_db

forum_map = forum_map_fixture
DAY = datetime.date(2025, 6, 1)


@pytest.fixture
def scored(workspace, forum_map):
    people = forum_map["people"]
    # A tie that began after DAY: in today's network, not in DAY's.
    RelationshipFactory(
        source=people["Hana"], target=people["Hugo"], start_date=DAY.replace(month=9)
    )
    transaction.get_connection().run_on_commit.clear()
    score_runs.score_run_execute(workspace_id=workspace.pk)
    return people


def _get(client, workspace, name, path_kwargs=None, **params):
    url = reverse(f"stakeholders:{name}", kwargs={"slug": workspace.slug, **(path_kwargs or {})})
    return client.get(url, params)


def _rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def _filename(response) -> str:
    return response["Content-Disposition"].split("filename=")[1].strip('"')


def test_a_past_date_is_asked_for_then_downloaded_and_named(
    client, workspace, scored, viewer, django_capture_on_commit_callbacks
):
    client.force_login(viewer)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        first = _get(client, workspace, "export_csv", {"kind": "brokers"}, as_of=DAY.isoformat())
    assert first.status_code == 409 and "working them out now" in first.content.decode()
    assert len(queued) == 1
    queued[0]()
    response = _get(client, workspace, "export_csv", {"kind": "brokers"}, as_of=DAY.isoformat())
    assert response.status_code == 200
    assert _filename(response).startswith("north-fenwick-brokers-organisation-as-of-2025-06-01-")
    notes = _rows(
        _get(client, workspace, "export_notes", {"kind": "brokers"}, as_of=DAY.isoformat())
    )
    network = next(r for r in notes if r[1] == "Network")
    assert network[2].startswith("The relationships and affiliations in force on 2025-06-01")
    assert "informal ties only" in network[2]


def test_informal_and_formal_scores_download_as_such(client, workspace, scored, viewer):
    score_runs.score_run_execute(workspace_id=workspace.pk, options=FORMAL_OPTIONS)
    client.force_login(viewer)
    informal = _rows(_get(client, workspace, "export_csv", {"kind": "scores"}))
    response = _get(client, workspace, "export_csv", {"kind": "scores"}, layer="formal")
    assert "-organisation-formal-" in _filename(response)
    formal = _rows(response)
    assert formal[0] == informal[0] and formal != informal
    notes = _rows(_get(client, workspace, "export_notes", {"kind": "scores"}, layer="formal"))
    assert "(informal and formal)" in next(r for r in notes if r[1] == "Network")[2]
    pack = _get(client, workspace, "export_board_pack", layer="formal")
    names = zipfile.ZipFile(io.BytesIO(b"".join(pack.streaming_content))).namelist()
    assert "map.svg" in names  # drawn at today's informal positions
    assert "-formal-" in _filename(pack)


def test_a_snapshot_downloads_its_frozen_scores_and_ties(client, workspace, scored, viewer):
    snapshot = snapshot_create(workspace=workspace, name="Board", as_of=DAY, enqueue=False)
    snapshot_execute(snapshot_id=snapshot.pk)
    client.force_login(viewer)
    response = _get(client, workspace, "export_csv", {"kind": "brokers"}, snapshot=snapshot.pk)
    assert "-snapshot-2025-06-01-" in _filename(response)
    notes = _rows(
        _get(client, workspace, "export_notes", {"kind": "brokers"}, snapshot=snapshot.pk)
    )
    assert "(snapshot: Board)" in next(r for r in notes if r[1] == "Network")[2]
    graph = _get(client, workspace, "export_graph", {"format": "graphml"}, snapshot=snapshot.pk)
    body = b"".join(graph.streaming_content).decode()
    today = b"".join(
        _get(client, workspace, "export_graph", {"format": "graphml"}).streaming_content
    ).decode()
    assert body.count("<edge ") == today.count("<edge ") - 1  # the tie begun since
    assert selectors.current_run(workspace_id=workspace.pk).pk != snapshot.run_id


@pytest.mark.parametrize("raw", ["\u00b2", "\u0661", "99999999999999"])
def test_a_snapshot_that_is_not_a_plain_number_is_no_such_snapshot(client, workspace, viewer, raw):
    """'²' and Arabic-Indic digits pass str.isdigit() but are no record number."""
    client.force_login(viewer)
    response = _get(client, workspace, "export_csv", {"kind": "brokers"}, snapshot=raw)
    assert response.status_code == 404 and "no such snapshot" in response.content.decode()


def test_a_bad_choice_is_refused_on_the_export_page(
    client, workspace, other_workspace, scored, viewer
):
    client.force_login(viewer)
    theirs = snapshot_create(workspace=other_workspace, name="Theirs", enqueue=False)
    response = _get(client, workspace, "export_csv", {"kind": "brokers"}, snapshot=theirs.pk)
    assert response.status_code == 404 and "no such snapshot" in response.content.decode()
    response = _get(client, workspace, "export_board_pack", layer="both")
    assert response.status_code == 400 and "layer: choose informal" in response.content.decode()


def test_the_graph_of_today_holds_the_ties_in_force_today_as_the_scores_do(
    client, workspace, forum_map, viewer
):
    """An ended tie is history: the graph file leaves it out, on the web and from the
    command line, so its edges are the relationships the scores were worked out from."""
    people = forum_map["people"]
    ended = RelationshipFactory(
        source=people["Hana"],
        target=people["Hugo"],
        start_date=DAY,
        end_date=datetime.date.today() - datetime.timedelta(days=1),
    )
    transaction.get_connection().run_on_commit.clear()
    run = score_runs.score_run_execute(workspace_id=workspace.pk)
    client.force_login(viewer)
    for format in ("graphml", "gexf"):
        web = b"".join(
            _get(client, workspace, "export_graph", {"format": format}).streaming_content
        ).decode()
        out = io.StringIO()
        call_command("export_graph", workspace=workspace.slug, format=format, stdout=out)
        assert out.getvalue() == web
        assert web.count("<edge ") == run.relationships_count > 0
        assert f'id="e{ended.pk}"' not in web


@pytest.mark.parametrize("page", ["brokers", "forums", "map"])
@pytest.mark.parametrize("raw", ["abc", "99999"])
def test_a_page_asked_for_no_such_snapshot_says_so(client, workspace, viewer, page, raw):
    """Not the bare 'Page not found': the page names what was wrong in the address."""
    client.force_login(viewer)
    response = _get(client, workspace, page, snapshot=raw)
    assert response.status_code == 404
    assert "snapshot: there is no such snapshot in this workspace." in response.content.decode()
