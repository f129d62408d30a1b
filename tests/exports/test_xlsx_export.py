"""Every table that downloads as CSV also downloads as .xlsx, with the same rows.

The workbook is read back with openpyxl and compared with the CSV from the same
address, parsed with csv: same header, same rows, numbers and dates typed, text
formula-safe, the notes on a second sheet, the same refusals.
"""

import csv
import datetime
import io
import re
from dataclasses import dataclass

import pytest
from django.core.management import call_command
from django.db import transaction
from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from stakeholders import score_runs
from stakeholders.exports.tables import (
    DATA_KINDS,
    FORUM_DATA_KINDS,
    SCORE_KINDS,
    export_filename,
    filename_part,
    table_qualifiers,
)
from stakeholders.exports.xlsx import write_xlsx
from stakeholders.models import (
    Forum,
    ForumMembership,
    Organisation,
    Person,
    Relationship,
    Snapshot,
)
from stakeholders.scenarios import leaves, whatif_compute
from stakeholders.selectors import current_run
from tests.exports.test_exports import HOSTILE, _map
from tests.factories import WorkspaceFactory

SLUG = "north-fenwick"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SEAT_START = datetime.date(2025, 4, 1)


@dataclass(frozen=True)
class Download:
    """One table's CSV address and its .xlsx twin, and the notes CSV where there is one."""

    kind: str
    csv: str
    xlsx: str
    notes: str | None = None


@pytest.fixture
def world(workspace):
    people = _map(workspace, size=12)
    forum = Forum.objects.create(
        workspace=workspace, name="=Fenwick Board", kind="icb_board", tier="system"
    )
    for person in people[:3]:
        ForumMembership.objects.create(forum=forum, person=person, start_date=SEAT_START)
    transaction.get_connection().run_on_commit.clear()
    call_command(
        "snapshot", "--workspace", SLUG, "--name", "January", "--as-of", "2026-01-20",
        stdout=io.StringIO(),
    )  # fmt: skip
    score_runs.score_run_execute(workspace_id=workspace.pk)
    run = current_run(workspace_id=workspace.pk)
    whatif = leaves.whatif_ask(workspace=workspace, run=run, people=(people[5].pk,))
    whatif_compute.whatif_execute(whatif_id=whatif.pk)
    return people


def _downloads(people: list[Person]) -> list[Download]:
    def export(kind: str, query: str) -> Download:
        path = f"/w/{SLUG}/export/{kind}"
        return Download(
            kind, f"{path}.csv?{query}", f"{path}.xlsx?{query}", f"{path}-notes.csv?{query}"
        )

    def page(name: str, kind: str, query: str) -> Download:
        csv_url = reverse(f"stakeholders:{name}_csv", kwargs={"slug": SLUG})
        xlsx_url = reverse(f"stakeholders:{name}_xlsx", kwargs={"slug": SLUG})
        return Download(kind, f"{csv_url}?{query}", f"{xlsx_url}?{query}")

    tie = Relationship.objects.filter(source__workspace__slug=SLUG).order_by("pk").first()
    carers = Organisation.objects.get(name="Fenwick Carers")
    snapshot = Snapshot.objects.get().pk
    return [
        *[export(kind, "boundary=sector") for kind in (*SCORE_KINDS, *DATA_KINDS)],
        *[export(kind, "") for kind in FORUM_DATA_KINDS],
        export("brokers", f"boundary=organisation&group={carers.pk}&sort=influence"),
        page("scenario_route", "route", f"from={tie.source_id}&to={tie.target_id}"),
        page("scenario_room", "room", f"organisation={carers.pk}"),
        page("scenario_leaves", "what-if", f"person={people[5].pk}&boundary=sector"),
        page("snapshot_compare", "brokers-change", f"from={snapshot}&to=now&boundary=sector"),
        page("forums", "forums", ""),
    ]


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200, response.content[:300]
    assert isinstance(response, StreamingHttpResponse)
    raw = b"".join(response.streaming_content)
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def _workbook(response):
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == XLSX_TYPE
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def _same(cell, text: str) -> bool:
    """Whether a workbook cell holds what the CSV's cell says."""
    value = cell.value
    if value is None:
        return text == ""
    if isinstance(value, datetime.datetime):
        return cell.is_date and value.date().isoformat() == text
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(text) == value  # full precision: exactly the CSV's number
    return cell.data_type == "s" and value == text


def _mismatches(sheet, rows: list[list[str]]) -> list[str]:
    cells = [list(r) for r in sheet.iter_rows()]
    wrong = []
    if len(cells) != len(rows):
        wrong.append(f"{len(cells)} rows in the workbook, {len(rows)} in the CSV")
    for number, (got, want) in enumerate(zip(cells, rows, strict=False), start=1):
        # Trailing empty cells are not stored in a sheet.
        got = got + [None] * (len(want) - len(got)) if len(got) < len(want) else got
        for cell, text in zip(got, want, strict=True):
            if cell is None:
                if text != "":
                    wrong.append(f"row {number}: empty cell, CSV has {text!r}")
            elif not _same(cell, text):
                wrong.append(f"row {number} {cell.coordinate}: {cell.value!r} vs {text!r}")
    return wrong


# --- the same table ------------------------------------------------------------


def test_every_csv_download_has_an_xlsx_with_the_same_header_and_rows(client, world, viewer):
    client.force_login(viewer)
    wrong = []
    for download in _downloads(world):
        rows = _csv(client.get(download.csv))
        workbook = _workbook(client.get(download.xlsx))
        assert workbook.sheetnames == [download.kind, "Notes"], download.xlsx
        sheet = workbook[download.kind]
        assert [c.value for c in sheet[1]] == rows[0], download.xlsx  # the header contract
        assert len(rows) > 1, download.csv
        wrong += [f"{download.xlsx}: {m}" for m in _mismatches(sheet, rows)]
        # The header is bold and stays in view; columns are sized.
        assert sheet.freeze_panes == "A2"
        assert all(cell.font.b for cell in sheet[1])
        widths = [sheet.column_dimensions[c.column_letter].width for c in sheet[1]]
        assert all(8 <= width <= 60 for width in widths), (download.xlsx, widths)
        notes = workbook["Notes"]
        assert [c.value for c in notes[1]] == ["Section", "Item", "Meaning"]
        about = {r[1].value: r[2].value for r in notes.iter_rows(min_row=2)}
        assert about["Export"] == download.kind
        if download.notes:
            expected = [r for r in _csv(client.get(download.notes)) if r[1] != "Data as of"]
            got = [r for r in notes.iter_rows() if r[1].value != "Data as of"]
            wrong += [f"{download.xlsx} Notes: {m}" for m in _mismatches_rows(got, expected)]
    assert not wrong, "\n".join(wrong[:20])


def _mismatches_rows(cells, rows):
    class _Rows:
        def iter_rows(self):
            return iter(cells)

    return _mismatches(_Rows(), rows)


def test_numbers_and_dates_are_typed_and_names_stay_text(client, world, viewer):
    client.force_login(viewer)
    scores = _workbook(client.get(f"/w/{SLUG}/export/scores.xlsx"))["scores"]
    header = [c.value for c in scores[1]]
    betweenness = [row[header.index("Betweenness")] for row in scores.iter_rows(min_row=2)]
    # Excel has one kind of number: a whole one (0.0) reads back as an int.
    assert all(c.data_type == "n" and isinstance(c.value, int | float) for c in betweenness)
    assert any(isinstance(c.value, float) and c.value % 1 for c in betweenness)
    brokers = _workbook(client.get(f"/w/{SLUG}/export/brokers.xlsx"))["brokers"]
    assert all(isinstance(row[4].value, int) for row in brokers.iter_rows(min_row=2))

    ties = _workbook(client.get(f"/w/{SLUG}/export/relationships.xlsx"))["relationships"]
    header = [c.value for c in ties[1]]
    observed = ties.cell(row=2, column=header.index("Observed on") + 1)
    assert observed.is_date and observed.value == datetime.datetime(2026, 1, 15)
    strength = ties.cell(row=2, column=header.index("Strength") + 1)
    assert strength.data_type == "n"
    evidence = ties.cell(row=2, column=header.index("Evidence") + 1)
    assert (evidence.data_type, evidence.value) == ("s", "'+44 7700 900123")

    seats = _workbook(client.get(f"/w/{SLUG}/export/forum-members.xlsx"))["forum-members"]
    assert {row[3].value for row in seats.iter_rows(min_row=2)} == {datetime.datetime(2025, 4, 1)}
    assert {row[0].value for row in seats.iter_rows(min_row=2)} == {"'=Fenwick Board"}

    people = _workbook(client.get(f"/w/{SLUG}/export/people.xlsx"))["people"]
    names = {row[0].value: row[1] for row in people.iter_rows(min_row=2)}
    hyperlink = names["R00"]
    assert hyperlink.data_type == "s"
    assert hyperlink.value == "'" + HOSTILE["R00"]  # =HYPERLINK(...), never a formula
    assert (names["R01"].data_type, names["R01"].value) == ("s", "'+1")
    assert (names["R04"].data_type, names["R04"].value) == ("s", "'\tTabbed")
    assert names["R06"].value == HOSTILE["R06"]


def test_editors_get_notes_about_people_in_the_workbook_too(client, world, editor):
    world[3].notes = "=Private remark"
    world[3].save()
    client.force_login(editor)
    people = _workbook(client.get(f"/w/{SLUG}/export/people.xlsx?notes=yes"))["people"]
    assert [c.value for c in people[1]][-1] == "Notes"
    remark = next(row[-1] for row in people.iter_rows(min_row=2) if row[0].value == "R03")
    assert (remark.data_type, remark.value) == ("s", "'=Private remark")


# --- refusals --------------------------------------------------------------------


def test_xlsx_needs_membership_as_csv_does(client, world, outsider, viewer):
    for download in _downloads(world):
        for who in (None, outsider):
            client.logout()
            if who is not None:
                client.force_login(who)
            by_csv, by_xlsx = client.get(download.csv), client.get(download.xlsx)
            assert by_xlsx.status_code == by_csv.status_code, download.xlsx
            if who is None:
                assert by_xlsx["Location"] == by_csv["Location"].replace(".csv", ".xlsx", 1)
            else:
                assert by_xlsx.status_code == 404
                assert "Fenwick" not in by_xlsx.content.decode()


@pytest.mark.parametrize(
    "query",
    [
        "export/secrets.{}",
        "export/people.{}?boundary=planet",
        "export/brokers.{}?sort=salary",
        "export/relationships.{}?notes=yes",
        "export/people.{}?notes=yes",
        "scenarios/route.{}",
        "scenarios/room.{}",
        "scenarios/leaves.{}",
        "snapshots/compare.{}",
    ],
)
def test_xlsx_is_refused_as_csv_is(client, world, viewer, query):
    client.force_login(viewer)
    by_csv = client.get(f"/w/{SLUG}/{query.format('csv')}")
    by_xlsx = client.get(f"/w/{SLUG}/{query.format('xlsx')}")
    assert by_csv.status_code in (400, 403, 404)
    assert by_xlsx.status_code == by_csv.status_code
    assert _words(by_xlsx) == _words(by_csv)


def _words(response) -> str:
    """A refusal page without its per-request tokens (CSRF, CSP nonce)."""
    return re.sub(r"[A-Za-z0-9_+/=-]{20,}", "", response.content.decode())


def test_scored_tables_without_scores_are_refused_as_csv_is(client, workspace, viewer):
    client.force_login(viewer)
    for kind in SCORE_KINDS:
        assert client.get(f"/w/{SLUG}/export/{kind}.xlsx").status_code == 409
    people = _workbook(client.get(f"/w/{SLUG}/export/people.xlsx"))["people"]
    assert [c.value for c in people[1]][:2] == ["Ref", "Name"]
    assert people.max_row == 1  # the header alone: nobody yet


# --- file names ------------------------------------------------------------------


def test_download_names_say_what_they_hold(client, world, viewer):
    client.force_login(viewer)
    day = timezone.localdate().isoformat()

    def named(url: str) -> str:
        disposition = client.get(url)["Content-Disposition"]
        return disposition.split('filename="')[1].rstrip('"')

    export = f"/w/{SLUG}/export"
    assert named(f"{export}/brokers.csv?boundary=sector") == f"{SLUG}-brokers-sector-{day}.csv"
    assert named(f"{export}/brokers.xlsx?boundary=sector") == f"{SLUG}-brokers-sector-{day}.xlsx"
    assert named(f"{export}/brokers.csv") == f"{SLUG}-brokers-organisation-{day}.csv"
    assert named(f"{export}/brokers.csv?boundary=sector&group=nhs") == (
        f"{SLUG}-brokers-sector-nhs-{day}.csv"
    )
    assert named(f"{export}/brokers-notes.csv?boundary=sector&group=nhs&sort=influence") == (
        f"{SLUG}-brokers-sector-nhs-by-influence-{day}-notes.csv"
    )
    carers = Organisation.objects.get(name="Fenwick Carers")
    assert named(f"{export}/brokers.xlsx?group={carers.pk}") == (
        f"{SLUG}-brokers-organisation-fenwick-carers-{day}.xlsx"
    )
    # A group that is not one of the boundary's: what was typed never reaches the name.
    assert named(f"{export}/brokers.csv?group=Zebedee+Quartermaine") == (
        f"{SLUG}-brokers-organisation-unknown-group-{day}.csv"
    )
    assert named(f"{export}/partnerships.csv?boundary=tier") == (
        f"{SLUG}-partnerships-tier-{day}.csv"
    )
    assert named(f"{export}/people.csv?boundary=sector") == f"{SLUG}-people-{day}.csv"
    assert named(f"{export}/people.xlsx") == f"{SLUG}-people-{day}.xlsx"
    assert named(f"{export}/relationships-notes.csv") == f"{SLUG}-relationships-{day}-notes.csv"
    pages = {d.kind: d for d in _downloads(world)[-5:]}
    assert named(pages["what-if"].xlsx) == f"{SLUG}-what-if-sector-{day}.xlsx"
    assert named(pages["brokers-change"].csv) == f"{SLUG}-brokers-change-sector-{day}.csv"
    assert named(pages["route"].xlsx) == f"{SLUG}-route-{day}.xlsx"
    assert named(pages["forums"].csv) == f"{SLUG}-forums-{day}.csv"


def test_export_filename_slugifies_each_qualifier_in_order(db):
    workspace = WorkspaceFactory(slug="demo")
    day = datetime.date(2026, 12, 2)
    assert export_filename(workspace=workspace, kind="people", day=day) == (
        "demo-people-2026-12-02.csv"
    )
    assert export_filename(
        workspace=workspace,
        kind="brokers",
        day=day,
        qualifiers=["sector", "NHS acute", "", "as-of-2026-01-31", "Formal"],
        notes=True,
    ) == ("demo-brokers-sector-nhs-acute-as-of-2026-01-31-formal-2026-12-02-notes.csv")
    long = export_filename(
        workspace=workspace, kind="brokers", day=day, qualifiers=["A" * 100], extension="xlsx"
    )
    assert long == f"demo-brokers-{'a' * 40}-2026-12-02.xlsx"
    assert filename_part("Conseil Général, Nord") == "conseil-general-nord"
    assert filename_part("مريم") == "مريم"  # a name in another script keeps its letters
    assert filename_part("../..") == ""
    assert table_qualifiers(boundary="sector") == ["sector", "", ""]
    assert table_qualifiers(boundary="tier", group_label="Place", sort="reach") == [
        "tier",
        "Place",
        "by-reach",
    ]


# --- the writer --------------------------------------------------------------------


def test_the_writer_keeps_every_cell_literal_and_typed(tmp_path):
    rows = [
        ("Name", "Score", "When", "Flag", "Missing"),
        ('=HYPERLINK("http://x")', 0.1 + 0.2, datetime.date(2026, 1, 31), True, None),
        ("#N/A", float("nan"), datetime.datetime(2026, 1, 31, 9, 30), False, ""),
        ("Line\x0bbreak", 10**15 + 1, "2026-01-31", "-1", "@A1"),
    ]
    out = io.BytesIO()
    write_xlsx([("a:table/with?odd*name[]", iter(rows)), ("Notes", [("Section",)])], out)
    workbook = load_workbook(io.BytesIO(out.getvalue()))
    assert workbook.sheetnames == ["a-table-with-odd-name--", "Notes"]
    sheet = workbook.worksheets[0]
    values = [[(c.data_type, c.value) for c in row] for row in sheet.iter_rows(min_row=2)]
    assert values[0] == [
        ("s", '\'=HYPERLINK("http://x")'),
        ("n", 0.30000000000000004),
        ("d", datetime.datetime(2026, 1, 31)),
        ("s", "Yes"),
        ("n", None),
    ]
    assert values[1][:4] == [
        ("s", "#N/A"),  # text, not Excel's error value
        ("n", None),  # not a number: empty, as in the CSV
        ("d", datetime.datetime(2026, 1, 31, 9, 30)),
        ("s", "No"),
    ]
    assert values[2] == [
        ("s", "Linebreak"),  # XML cannot hold U+000B
        ("n", 10**15 + 1),
        ("s", "2026-01-31"),
        ("s", "'-1"),
        ("s", "'@A1"),
    ]
