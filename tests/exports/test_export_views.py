"""Downloads from the browser and the admin: CSVs, graph files and the board pack."""

import csv
import datetime
import io
import zipfile
from pathlib import Path

import networkx as nx
import pytest
from django.core.management import call_command
from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone

from stakeholders import score_runs, selectors
from stakeholders.exports import board_pack
from stakeholders.exports import tables as exports
from stakeholders.exports.tables import COLUMN_NOTES, DATA_KINDS, SCORE_KINDS, header
from stakeholders.models import Organisation, Person, PersonScore, Relationship, Role
from tests.exports.test_exports import HOSTILE, _map
from tests.factories import (
    AffiliationFactory,
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
    RelationshipFactory,
    UserFactory,
    WorkspaceFactory,
)

KINDS = [*SCORE_KINDS, *DATA_KINDS]
SLUG = "north-fenwick"


@pytest.fixture
def small_map(workspace):
    return _map(workspace, size=12)


@pytest.fixture
def scored(workspace, small_map):
    score_runs.score_run_execute(workspace_id=workspace.pk)
    return small_map


def _body(response) -> bytes:
    assert isinstance(response, StreamingHttpResponse)
    return b"".join(response.streaming_content)


def _rows(response) -> list[list[str]]:
    raw = _body(response)
    assert raw.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def _records(rows: list[list[str]]) -> list[dict[str, str]]:
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def _url(name: str, **kwargs) -> str:
    return reverse(f"stakeholders:{name}", kwargs={"slug": SLUG, **kwargs})


EVERY_URL = [
    *[("export_csv", {"kind": kind}) for kind in KINDS],
    *[("export_notes", {"kind": kind}) for kind in KINDS],
    ("export_graph", {"format": "gexf"}),
    ("export_graph", {"format": "graphml"}),
    ("export_board_pack", {}),
]


# --- access --------------------------------------------------------------------


@pytest.mark.parametrize(("name", "kwargs"), EVERY_URL)
def test_every_download_needs_membership(client, scored, viewer, outsider, name, kwargs):
    url = _url(name, **kwargs)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))

    client.force_login(outsider)
    assert client.get(url).status_code == 404

    client.force_login(viewer)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment; filename=")
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
    assert isinstance(response, StreamingHttpResponse)  # FileResponse streams too
    _ = b"".join(response.streaming_content)


def test_downloads_are_get_only(client, scored, viewer):
    client.force_login(viewer)
    assert client.post(_url("export_csv", kind="people")).status_code == 405


# --- CSV content ---------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_web_csv_equals_command_line_export(client, scored, viewer, tmp_path, kind):
    target = tmp_path / f"{kind}.csv"
    call_command(
        "export_csv", kind, "--workspace", SLUG, "--boundary", "sector", "--output", target
    )
    client.force_login(viewer)
    response = client.get(_url("export_csv", kind=kind), {"boundary": "sector"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    day = timezone.localdate().isoformat()
    named = f"{SLUG}-{kind}-sector-{day}.csv" if kind in SCORE_KINDS else f"{SLUG}-{kind}-{day}.csv"
    assert response["Content-Disposition"] == f'attachment; filename="{named}"'
    body = _body(response)
    assert body == Path(target).read_bytes()
    assert body.startswith(b"\xef\xbb\xbf")
    assert len(body.decode("utf-8-sig").splitlines()) > 1


def test_streaming_writes_in_chunks(client, scored, viewer, monkeypatch):
    monkeypatch.setattr(exports, "ROWS_PER_CHUNK", 5)
    client.force_login(viewer)
    response = client.get(_url("export_csv", kind="people"))
    chunks = list(response.streaming_content)
    assert chunks[0] == "\ufeff".encode()
    assert len(chunks) == 1 + 3  # 13 rows (header and 12 people) in chunks of 5


def test_hostile_cells_are_escaped(client, scored, viewer):
    client.force_login(viewer)
    records = _records(_rows(client.get(_url("export_csv", kind="people"))))
    names = {r["Ref"]: r["Name"] for r in records}
    assert names["R00"] == "'" + HOSTILE["R00"]  # =HYPERLINK(...)
    assert names["R01"] == "'+1"
    assert names["R02"] == "'@SUM(A1:A9)"
    assert names["R04"] == "'\tTabbed"
    assert names["R05"] == HOSTILE["R05"]
    assert names["R08"] == HOSTILE["R08"]
    ties = _records(_rows(client.get(_url("export_csv", kind="relationships"))))
    assert {t["Evidence"] for t in ties} == {"'+44 7700 900123"}
    assert all(t["Strength"].isdigit() for t in ties)  # numbers stay numbers


def test_brokers_export_honours_group_and_sort(client, scored, viewer, workspace):
    client.force_login(viewer)
    carers = Organisation.objects.get(name="Fenwick Carers")
    response = client.get(
        _url("export_csv", kind="brokers"),
        {"boundary": "organisation", "group": str(carers.pk), "sort": "influence"},
    )
    records = _records(_rows(response))
    scores = PersonScore.objects.filter(boundary="organisation", group=str(carers.pk))
    expected = list(
        scores.order_by("-influence", "-broker_score", "person__name", "person_id").values_list(
            "person__name", flat=True
        )
    )
    assert [r["Name"] for r in records] == [exports.safe_cell(n) for n in expected]
    assert {r["Organisation"] for r in records} == {"Fenwick Carers"}
    # Rank stays the position by broker score among the people included, as on the page.
    by_score = list(
        scores.order_by("-broker_score", "person__name", "person_id").values_list(
            "person__name", flat=True
        )
    )
    for record in records:
        name = next(n for n in by_score if exports.safe_cell(n) == record["Name"])
        assert int(record["Rank"]) == by_score.index(name) + 1
    everyone = _records(_rows(client.get(_url("export_csv", kind="brokers"))))
    assert len(everyone) == 12 > len(records) > 0

    notes = _records(
        _rows(
            client.get(
                _url("export_notes", kind="brokers"),
                {"group": str(carers.pk), "sort": "influence"},
            )
        )
    )
    shown = [n["Meaning"] for n in notes if n["Item"] == "Rows shown"]
    assert shown == ["Only people in Fenwick Carers, sorted by influence"]


@pytest.mark.parametrize(("stored", "shown"), [(62.5, "63"), (12.5, "13"), (62.49, "62")])
def test_a_broker_score_is_the_same_whole_number_on_the_page_and_in_the_csv(
    client, scored, viewer, stored, shown
):
    """Rounded half up everywhere, as the pages' floatformat does (the CSV said 62)."""
    top = (
        PersonScore.objects.filter(boundary="organisation", person__name__startswith="Person")
        .order_by("-broker_score")
        .first()
    )
    PersonScore.objects.filter(pk=top.pk).update(broker_score=stored)
    client.force_login(viewer)
    page = client.get(_url("brokers")).content.decode()
    assert f'data-label="Broker score">{shown}</td>' in page
    rows = _records(_rows(client.get(_url("export_csv", kind="brokers"))))
    assert next(r for r in rows if r["Name"] == top.person.name)["Broker score"] == shown


def test_boundary_is_honoured(client, scored, viewer):
    client.force_login(viewer)
    by_org = _records(_rows(client.get(_url("export_csv", kind="partnerships"))))
    by_sector = _records(
        _rows(client.get(_url("export_csv", kind="partnerships"), {"boundary": "sector"}))
    )
    org_names = set(Organisation.objects.values_list("name", flat=True))
    assert {r["Group A"] for r in by_org} <= org_names
    assert {r["Group A"] for r in by_sector} | {r["Group B"] for r in by_sector} == {
        "NHS",
        "Local government",
        "Voluntary and community sector (VCSE)",
    }
    notes = _records(_rows(client.get(_url("export_notes", kind="scores"), {"boundary": "tier"})))
    assert {"Item": "Boundary", "Meaning": "Groups are tiers", "Section": "About"} in notes


def test_notes_define_every_column(client, scored, viewer):
    client.force_login(viewer)
    for kind in KINDS:
        response = client.get(_url("export_notes", kind=kind))
        day = timezone.localdate().isoformat()
        boundary = "-organisation" if kind in SCORE_KINDS else ""
        named = f"{SLUG}-{kind}{boundary}-{day}-notes.csv"
        assert f'filename="{named}"' in response["Content-Disposition"]
        notes = _records(_rows(response))
        columns = [n["Item"] for n in notes if n["Section"] == "Column"]
        assert columns == list(exports.header(kind))
        about = {n["Item"]: n["Meaning"] for n in notes if n["Section"] == "About"}
        assert about["Workspace"] == "North Fenwick ICS (slug: north-fenwick)"


# --- refusals ------------------------------------------------------------------


def test_score_kinds_without_scores_are_refused_clearly(client, small_map, viewer):
    client.force_login(viewer)
    for kind in SCORE_KINDS:
        for name in ("export_csv", "export_notes"):
            response = client.get(_url(name, kind=kind))
            assert response.status_code == 409
            assert "There are no scores to export yet" in response.content.decode()
    response = client.get(_url("export_board_pack"))
    assert response.status_code == 409
    assert "The board pack needs scores" in response.content.decode()
    for kind in DATA_KINDS:
        response = client.get(_url("export_csv", kind=kind))
        assert response.status_code == 200
        assert len(_rows(response)) > 1
    graph = client.get(_url("export_graph", format="graphml"))
    assert graph.status_code == 200
    assert "broker_score" not in _body(graph).decode()


@pytest.mark.parametrize(
    ("path", "status", "message"),
    [
        ("export/secrets.csv", 404, "There is no such export"),
        ("export/secrets-notes.csv", 404, "There is no such export"),
        ("export/graph.csv", 404, "There is no such export"),
        ("export/graph.png", 404, ".gexf or .graphml only"),
        ("export/people.csv?boundary=planet", 400, "Choose the boundary"),
        ("export/board-pack.zip?boundary=planet", 400, "Choose the boundary"),
        ("export/brokers.csv?sort=salary", 400, "not a way the brokers table can be sorted"),
        ("export/relationships.csv?notes=yes", 400, "to the people download only"),
        ("export/people.csv?notes=yes", 403, "seen by the workspace&#x27;s editors and owners"),
        ("export/people-notes.csv?notes=yes", 403, "seen by the workspace&#x27;s editors"),
    ],
)
def test_bad_requests_get_a_message(client, scored, viewer, path, status, message):
    client.force_login(viewer)
    response = client.get(f"/w/{SLUG}/{path}")
    assert response.status_code == status
    assert message in response.content.decode()


@pytest.mark.parametrize("role", ["editor", "owner"])
def test_editors_and_owners_can_download_people_with_notes(client, scored, role, request, tmp_path):
    scored[3].notes = "=Private remark\nabout health"
    scored[3].save()
    client.force_login(request.getfixturevalue(role))
    plain = _rows(client.get(_url("export_csv", kind="people")))
    assert "Notes" not in plain[0]
    assert "Private remark" not in str(plain)

    response = client.get(_url("export_csv", kind="people"), {"notes": "yes"})
    assert response["Cache-Control"].startswith("max-age=0")
    rows = _rows(response)
    assert rows[0][-2:] == ["Active", "Notes"]
    notes = {r["Ref"]: r["Notes"] for r in _records(rows)}
    assert notes["R03"] == "'=Private remark\nabout health"  # formula-safe
    target = tmp_path / "people.csv"
    call_command("export_csv", "people", "--workspace", SLUG, "--with-notes", "--output", target)
    assert _body(client.get(_url("export_csv", kind="people"), {"notes": "yes"})) == (
        target.read_bytes()
    )
    meanings = _records(_rows(client.get(_url("export_notes", kind="people"), {"notes": "yes"})))
    assert [m["Item"] for m in meanings if m["Section"] == "Column"][-1] == "Notes"


# --- graph files ---------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["gexf", "graphml"])
def test_graph_files_parse_with_networkx(client, scored, viewer, fmt, tmp_path):
    client.force_login(viewer)
    response = client.get(_url("export_graph", format=fmt), {"boundary": "sector"})
    day = timezone.localdate().isoformat()
    assert f'filename="{SLUG}-graph-sector-{day}.{fmt}"' in response["Content-Disposition"]
    target = tmp_path / f"map.{fmt}"
    target.write_bytes(_body(response))
    graph = nx.read_gexf(target) if fmt == "gexf" else nx.read_graphml(target)
    assert graph.number_of_nodes() == 12
    assert graph.number_of_edges() == Relationship.objects.count()
    assert graph.nodes["R00"]["name"] == HOSTILE["R00"]
    stored = PersonScore.objects.get(person__ref="R05", boundary="sector")
    assert graph.nodes["R05"]["broker_score"] == pytest.approx(stored.broker_score)


# --- board pack ----------------------------------------------------------------


def _pack(response) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(_body(response)))


FAKE_MAP = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20" viewBox="0 0 40 20">'
    '<title>Map</title><rect width="40" height="20" fill="#005eb8"/></svg>'
)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _no_maps_module(monkeypatch):
    """A map that cannot be drawn (as when the workspace has no layout)."""
    monkeypatch.setattr(board_pack, "render_map_svg", lambda **kwargs: None)


def test_board_pack_without_a_map(client, scored, viewer, workspace, monkeypatch):
    _no_maps_module(monkeypatch)
    client.force_login(viewer)
    carers = Organisation.objects.get(name="Fenwick Carers")
    response = client.get(
        _url("export_board_pack"), {"boundary": "organisation", "group": str(carers.pk)}
    )
    assert response["Content-Type"] == "application/zip"
    day = timezone.localdate().isoformat()
    named = f"{SLUG}-board-pack-organisation-fenwick-carers-{day}.zip"
    assert f'filename="{named}"' in response["Content-Disposition"]
    pack = _pack(response)
    assert pack.namelist() == [
        "brokers.csv",
        "partnerships.csv",
        "scores.csv",
        "key-people.csv",
        "notes.csv",
    ]
    files = {
        name: list(csv.reader(io.StringIO(pack.read(name).decode("utf-8-sig"), newline="")))
        for name in pack.namelist()
    }
    assert all(pack.read(name).startswith(b"\xef\xbb\xbf") for name in pack.namelist())
    assert tuple(files["brokers.csv"][0]) == header("brokers")
    brokers = _records(files["brokers.csv"])
    assert {r["Organisation"] for r in brokers} == {"Fenwick Carers"}  # the filter holds
    assert len(_records(files["scores.csv"])) == 12  # the other tables cover everyone
    notes = _records(files["notes.csv"])
    about = {n["Item"]: n["Meaning"] for n in notes if n["Section"] == "About"}
    assert about["Workspace"] == "North Fenwick ICS (slug: north-fenwick)"
    assert about["Boundary"] == "Groups are organisations"
    assert about["Data as of"].startswith(day)
    run = selectors.current_run(workspace_id=workspace.pk)
    assert about["Scores as of"] == timezone.localtime(run.finished_at).isoformat(
        timespec="seconds"
    )
    assert about["Filters"].startswith("Relationship kinds: all")
    assert about["Rows shown"] == "brokers.csv: only people in Fenwick Carers"
    assert about["Map"].startswith("Map not included")
    for kind in ("brokers", "partnerships", "scores"):
        columns = [n["Item"] for n in notes if n["Section"] == f"{kind}.csv"]
        assert columns == list(exports.header(kind))
        meanings = [n["Meaning"] for n in notes if n["Section"] == f"{kind}.csv"]
        assert meanings == [COLUMN_NOTES[kind][c] for c in columns]


def test_board_pack_includes_the_map_when_it_can_be_drawn(client, scored, viewer, monkeypatch):
    calls = []

    def render_map_svg(*, workspace, boundary, colour, run, layout_run, as_of, **focus):
        calls.append((workspace.slug, boundary))
        assert colour == "sector"  # the map's default when the pack is not made from it
        # Today's scores at their own positions, with today's ties.
        assert run is not None and layout_run == run and as_of is None
        return FAKE_MAP

    monkeypatch.setattr(board_pack, "render_map_svg", render_map_svg)
    client.force_login(viewer)
    pack = _pack(client.get(_url("export_board_pack"), {"boundary": "tier"}))
    assert calls == [(SLUG, "tier")]  # drawn once: the PNG is made from the same SVG
    assert pack.namelist()[-2:] == ["map.svg", "map.png"]
    assert pack.read("map.svg").startswith(b"<svg")
    png = pack.read("map.png")
    assert png.startswith(PNG_SIGNATURE)
    # IHDR: twice the SVG's size, for print.
    assert (int.from_bytes(png[16:20]), int.from_bytes(png[20:24])) == (80, 40)
    notes = pack.read("notes.csv").decode("utf-8-sig")
    assert "map.svg and map.png: the map as it is shown on screen" in notes


def test_board_pack_keeps_the_svg_when_the_png_fails(client, scored, viewer, monkeypatch):
    monkeypatch.setattr(board_pack, "render_map_svg", lambda **kwargs: FAKE_MAP)

    def svg_to_png(svg):
        raise RuntimeError("no fonts for Zoë Ångström")

    monkeypatch.setattr(board_pack, "svg_to_png", svg_to_png)
    client.force_login(viewer)
    pack = _pack(client.get(_url("export_board_pack")))
    assert "map.svg" in pack.namelist() and "map.png" not in pack.namelist()
    notes = pack.read("notes.csv").decode("utf-8-sig")
    assert "map.png not included: the map could not be drawn as an image" in notes


def test_board_pack_survives_a_failing_map(client, scored, viewer, monkeypatch):
    def render_map_svg(*, workspace, boundary, colour):
        raise RuntimeError("Zoë Ångström broke the map")

    monkeypatch.setattr(board_pack, "render_map_svg", render_map_svg)
    client.force_login(viewer)
    pack = _pack(client.get(_url("export_board_pack")))
    assert "map.svg" not in pack.namelist()
    assert "Map not included" in pack.read("notes.csv").decode("utf-8-sig")


# --- links on the pages --------------------------------------------------------


def test_pages_link_to_their_downloads(client, scored, viewer):
    client.force_login(viewer)
    overview = client.get(_url("overview"), {"boundary": "sector"}).content.decode()
    assert f'href="/w/{SLUG}/export/board-pack.zip?boundary=sector"' in overview
    assert f'href="/w/{SLUG}/export/brokers.csv?boundary=sector"' in overview
    brokers = client.get(
        _url("brokers"), {"boundary": "tier", "sort": "reach", "page": "1"}
    ).content.decode()
    assert f'href="/w/{SLUG}/export/brokers.csv?boundary=tier&amp;sort=reach"' in brokers
    partnerships = client.get(_url("partnerships")).content.decode()
    assert f'href="/w/{SLUG}/export/partnerships.csv?"' in partnerships
    people = client.get(_url("workspace_detail")).content.decode()
    for kind in DATA_KINDS:
        assert f'href="/w/{SLUG}/export/{kind}.csv"' in people


# --- query counts --------------------------------------------------------------

# Session and user (2), membership (1) and current run (1) come before the exporters.
REQUEST_QUERIES = 4
EXPORT_QUERIES = {
    "brokers": 2,  # organisation names, scores
    "scores": 2,
    "partnerships": 3,
    "people": 1,
    "organisations": 1,
    "affiliations": 1,
    "relationships": 1,
}


@pytest.mark.parametrize("size", [6, 60])
def test_query_counts_are_fixed(size, client, db, django_assert_num_queries, monkeypatch):
    workspace = WorkspaceFactory(slug=f"size-{size}")
    _map(workspace, size=size, seed=size)
    score_runs.score_run_execute(workspace_id=workspace.pk)
    user = UserFactory(username=f"viewer-{size}")
    MembershipFactory(user=user, workspace=workspace, role=Role.VIEWER)
    client.force_login(user)
    monkeypatch.setattr(exports, "CHUNK_SIZE", 7)  # many chunks, still one query each
    slug = workspace.slug
    for kind, count in EXPORT_QUERIES.items():
        with django_assert_num_queries(REQUEST_QUERIES + count):
            response = client.get(f"/w/{slug}/export/{kind}.csv")
            body = _body(response)
        assert len(body.splitlines()) > 1
    with django_assert_num_queries(REQUEST_QUERIES + 3):  # organisation names, people, ties
        _body(client.get(f"/w/{slug}/export/graph.gexf"))
    with (
        monkeypatch.context() as m,
        # brokers, scores, partnerships, key people (labels and rows), and the notes'
        # snapshot name (whether the scores are a snapshot's), completeness (issue #15) and
        # the names of the key sets' people
        django_assert_num_queries(REQUEST_QUERIES + 2 + 2 + 3 + 2 + 1 + 1 + 1),
    ):
        _no_maps_module(m)
        _body(client.get(f"/w/{slug}/export/board-pack.zip"))


# --- admin action --------------------------------------------------------------

ADMIN_MODELS = {
    "organisation": Organisation,
    "person": Person,
    "affiliation": AffiliationFactory._meta.model,
    "relationship": Relationship,
}


@pytest.fixture
def staff_editor(editor):
    editor.is_staff = True
    editor.save(update_fields=["is_staff"])
    return editor


@pytest.fixture
def two_maps(workspace, other_workspace):
    rows = {}
    for ws, prefix in ((workspace, "N"), (other_workspace, "S")):
        org = OrganisationFactory(workspace=ws, name=f"{prefix} Trust")
        other_org = OrganisationFactory(workspace=ws, name=f"{prefix} Council")
        people = [
            PersonFactory(workspace=ws, ref=f"{prefix}{i}", name=f"{prefix} Person {i}")
            for i in range(3)
        ]
        affiliations = [
            AffiliationFactory(person=p, organisation=org if i else other_org)
            for i, p in enumerate(people)
        ]
        ties = [
            RelationshipFactory(source=people[0], target=people[1], kind="trusts"),
            RelationshipFactory(source=people[1], target=people[2], kind="influences"),
        ]
        rows[prefix] = {
            "organisation": [org, other_org],
            "person": people,
            "affiliation": affiliations,
            "relationship": ties,
        }
    return rows


def _admin_export(client, model: str, pks: list[int]):
    return client.post(
        reverse(f"admin:stakeholders_{model}_changelist"),
        {"action": "export_selected_csv", "_selected_action": [str(pk) for pk in pks]},
    )


@pytest.mark.parametrize("model", list(ADMIN_MODELS))
def test_admin_exports_only_the_selected_rows(client, staff_editor, two_maps, workspace, model):
    client.force_login(staff_editor)
    chosen = two_maps["N"][model][:1]
    response = _admin_export(client, model, [obj.pk for obj in chosen])
    assert response.status_code == 200
    kind = {"person": "people", "affiliation": "affiliations"}.get(model, f"{model}s")
    day = timezone.localdate().isoformat()
    assert f'filename="{SLUG}-{kind}-{day}.csv"' in response["Content-Disposition"]
    rows = _rows(response)
    expected = list(
        exports.export_rows(kind, workspace=workspace, run=None, ids=[o.pk for o in chosen])
    )
    assert len(rows) == 2 == len(expected)
    assert rows == [[str(exports.safe_cell(v)) for v in row] for row in expected]
    everything = list(exports.export_rows(kind, workspace=workspace, run=None))
    assert len(everything) > 2  # so the selection really narrowed it


@pytest.mark.parametrize("model", list(ADMIN_MODELS))
def test_admin_export_stays_in_the_users_workspaces(client, staff_editor, two_maps, model):
    client.force_login(staff_editor)
    mine, theirs = two_maps["N"][model], two_maps["S"][model]
    response = _admin_export(client, model, [o.pk for o in mine + theirs])
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "N " in body or "N0" in body or "N1" in body
    assert "S Person" not in body and "S Trust" not in body and "S Council" not in body
    assert len(body.strip().splitlines()) == 1 + len(mine)

    response = _admin_export(client, model, [o.pk for o in theirs])
    assert response.status_code == 302  # back to the list, with a message
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages == ["None of the selected rows can be exported."]


def test_admin_export_refuses_a_mix_of_workspaces(client, two_maps, workspace, other_workspace):
    user = UserFactory(username="both", is_staff=True)
    MembershipFactory(user=user, workspace=workspace, role=Role.EDITOR)
    MembershipFactory(user=user, workspace=other_workspace, role=Role.EDITOR)
    client.force_login(user)
    people = two_maps["N"]["person"][:1] + two_maps["S"]["person"][:1]
    response = _admin_export(client, "person", [p.pk for p in people])
    assert response.status_code == 302
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages[0].startswith("Select rows from one workspace at a time")


def test_board_pack_carries_the_real_map(client, scored, viewer):
    client.force_login(viewer)
    pack = _pack(client.get(_url("export_board_pack")))
    svg = pack.read("map.svg").decode("utf-8")
    assert svg.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    png = pack.read("map.png")
    assert png.startswith(PNG_SIGNATURE) and len(png) > 10_000
    assert int.from_bytes(png[16:20]) == 2000  # 1,000 SVG units at twice the size
    assert "North Fenwick ICS" in svg and "hx-" not in svg


def test_board_pack_files_carry_the_day_it_was_made(client, scored, viewer):
    # A bare name in a zip is dated 1980-01-01; board papers are filed by date.
    client.force_login(viewer)
    pack = _pack(client.get(_url("export_board_pack")))
    today = timezone.localdate()
    assert pack.namelist()  # the CSV tables, the notes, the map
    for info in pack.infolist():
        assert datetime.date(*info.date_time[:3]) == today, info.filename
    assert pack.getinfo("brokers.csv").compress_type == zipfile.ZIP_DEFLATED
    assert pack.getinfo("map.png").compress_type == zipfile.ZIP_STORED
