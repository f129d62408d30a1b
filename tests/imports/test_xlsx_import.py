"""Importing an Excel workbook (.xlsx): a sheet per file, read as its CSV file would be."""

import csv
import datetime
import io
import os
import re
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill

from stakeholders.imports import uploads
from stakeholders.imports.bundle import bundle_apply
from stakeholders.models import (
    Affiliation,
    Forum,
    ForumMembership,
    ImportPreview,
    ImportPreviewStatus,
    Organisation,
    Person,
    Relationship,
)

pytestmark = pytest.mark.django_db

GOOD = Path(__file__).parent / "fixtures" / "bundle_good"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

FORUMS_CSV = "name,kind,tier,host\nFenwick ICB Board,ICB board,System,North Fenwick ICB\n"
FORUM_MEMBERS_CSV = (
    "forum,person,seat,start_date,end_date\n"
    "Fenwick ICB Board,P001,Voting member,01/04/2024,\n"
    "Fenwick ICB Board,P002,Participant,2024-04-01,31/3/2026\n"
)


def csv_files() -> dict[str, bytes]:
    files = {path.name: path.read_bytes() for path in sorted(GOOD.glob("*.csv"))}
    files["forums.csv"] = FORUMS_CSV.encode()
    files["forum_members.csv"] = FORUM_MEMBERS_CSV.encode()
    return files


def csv_rows(name: str) -> list[list[str]]:
    text = csv_files()[name].decode("utf-8-sig")
    return [row for row in csv.reader(io.StringIO(text)) if row]


def xlsx(
    sheets: dict[str, list[list]], *, styled: bool = False, states: dict[str, str] | None = None
) -> bytes:
    """A workbook with these sheets (name -> rows of cell values), as Excel would save it."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        sheet.sheet_state = (states or {}).get(title, "visible")
        for row in rows:
            sheet.append(row)
        if styled and rows:
            for cell in sheet[1]:
                cell.font = Font(bold=True)
                cell.fill = PatternFill("solid", fgColor="FFDD00")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def with_cached_value(data: bytes, formula: str, value: str, *, text: bool = False) -> bytes:
    """The workbook as Excel saves it: the formula's value stored beside it."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename.startswith("xl/worksheets/"):
                content = re.sub(
                    # An empty value is <v /> or <v></v>, whether openpyxl uses lxml or not.
                    rf'(<c r="[A-Z]+[0-9]+")><f>{re.escape(formula)}</f><v ?(?:/>|></v>)'.encode(),
                    rf"\1{' t="str"' if text else ''}><f>{formula}</f><v>{value}</v>".encode(),
                    content,
                )
            target.writestr(info.filename, content)
    return buffer.getvalue()


def typed_sheets() -> dict[str, list[list]]:
    """The CSV bundle as an analyst's workbook: numbers, real dates, TRUE/FALSE, no text."""
    organisations = csv_rows("organisations.csv")
    people = csv_rows("people.csv")
    # A boolean column the CSV files leave out: TRUE is what the default gives.
    people = [[*people[0], "active"], *([*row, True] for row in people[1:])]
    affiliations = [csv_rows("affiliations.csv")[0]]
    for person, organisation, role, start, end in csv_rows("affiliations.csv")[1:]:
        start_cell = datetime.datetime.fromisoformat(start)  # a date cell, at midnight
        end_cell = datetime.date.fromisoformat(end).strftime("%d/%m/%Y") if end else None
        affiliations.append([person, organisation, role, start_cell, end_cell])
    relationships = [csv_rows("relationships.csv")[0]]
    for source, target, kind, strength, trust, observed, evidence in csv_rows("relationships.csv")[
        1:
    ]:
        relationships.append(
            [
                source,
                target,
                kind,
                int(strength),
                float(trust) if trust else None,  # 4.0 is "4", as a CSV file has it
                # A date cell with a time of day: its date counts.
                datetime.datetime.fromisoformat(observed).replace(hour=14, minute=30)
                if observed
                else None,
                evidence or None,
            ]
        )
    return {
        "Organisations": organisations,
        "people": people,
        "Affiliations.csv": affiliations,
        "RELATIONSHIPS": relationships,
        "forums": csv_rows("forums.csv"),
        "Forum members": [
            ["forum", "person", "seat", "start_date", "end_date"],
            ["Fenwick ICB Board", "P001", "Voting member", datetime.date(2024, 4, 1), None],
            [
                "Fenwick ICB Board",
                "P002",
                "Participant",
                datetime.datetime(2024, 4, 1),
                "31/03/2026",
            ],
        ],
    }


def records(workspace) -> dict[str, list[tuple]]:
    """What an import stored, without ids: comparable between workspaces."""

    def rows(queryset, *fields):
        return sorted(queryset.values_list(*fields), key=repr)

    return {
        "organisations": rows(
            Organisation.objects.filter(workspace=workspace),
            *("name", "short_name", "kind", "sector", "tier", "parent__name", "ods_code"),
        ),
        "people": rows(
            Person.objects.filter(workspace=workspace),
            *("ref", "name", "job_title", "seniority", "active", "notes"),
        ),
        "affiliations": rows(
            Affiliation.objects.filter(person__workspace=workspace),
            *("person__ref", "organisation__name", "role_title", "is_primary"),
            *("start_date", "end_date"),
        ),
        "relationships": rows(
            Relationship.objects.filter(source__workspace=workspace),
            *("source__ref", "target__ref", "kind", "strength", "trust", "observed_on"),
            *("evidence", "start_date", "end_date"),
        ),
        "forums": rows(
            Forum.objects.filter(workspace=workspace), "name", "kind", "tier", "host__name"
        ),
        "forum_members": rows(
            ForumMembership.objects.filter(forum__workspace=workspace),
            *("forum__name", "person__ref", "seat", "start_date", "end_date"),
        ),
    }


def plan_of(workspace, name: str, data: bytes) -> uploads.UploadPlan:
    return uploads.upload_plan(workspace=workspace, files={name: data})


def problems(planned: uploads.UploadPlan) -> list[str]:
    return [str(error) for error in planned.errors]


def good_sheets_but(**replaced: list[list]) -> dict[str, list[list]]:
    sheets = typed_sheets()
    sheets.update(replaced)
    return sheets


# --- The same bundle as CSV files -------------------------------------------------


def test_every_sheet_imports_the_same_records_as_the_csv_files(workspace, other_workspace):
    from_csv = uploads.upload_plan(workspace=other_workspace, files=csv_files())
    from_xlsx = plan_of(workspace, "fenwick map.xlsx", xlsx(typed_sheets(), styled=True))
    assert from_csv.errors == [] and from_xlsx.errors == []
    bundle_apply(workspace=other_workspace, plan=from_csv.plan)
    bundle_apply(workspace=workspace, plan=from_xlsx.plan)

    stored = records(workspace)
    assert stored == records(other_workspace)
    assert {name: len(rows) for name, rows in stored.items()} == {
        "organisations": 5,
        "people": 5,
        "affiliations": 7,
        "relationships": 5,
        "forums": 1,
        "forum_members": 2,
    }
    # Dates given as date cells (with or without a time of day) and as DD/MM/YYYY text.
    assert ("P005", "North Fenwick ICB", "VCSE alliance representative", False) + (
        datetime.date(2023, 1, 15),
        datetime.date(2026, 3, 31),
    ) in stored["affiliations"]
    assert Relationship.objects.get(
        source__workspace=workspace, source__ref="P001"
    ).observed_on == datetime.date(2026, 1, 15)
    assert ForumMembership.objects.get(
        forum__workspace=workspace, person__ref="P002"
    ).end_date == datetime.date(2026, 3, 31)
    assert {entry["source"] for entry in from_xlsx.as_summary()["files"]} == {
        "sheet Organisations",
        "sheet people",
        "sheet Affiliations.csv",
        "sheet RELATIONSHIPS",
        "sheet forums",
        "sheet Forum members",
    }


def test_other_sheets_are_ignored_and_listed(workspace):
    sheets = {"Read me": [["How to fill this in"]], **typed_sheets(), "Lists": [["Trusts"]]}

    planned = plan_of(workspace, "map.xlsx", xlsx(sheets))

    assert planned.errors == []
    assert planned.notes == [
        "Read from the workbook map.xlsx: sheets Organisations, people, Affiliations.csv, "
        "RELATIONSHIPS, forums, Forum members.",
        "Ignored sheets (not named like a file of the import): Read me, Lists.",
    ]


def test_hidden_sheets_are_read_and_the_preview_says_so(workspace):
    states = {"people": "hidden", "RELATIONSHIPS": "veryHidden", "Lists": "hidden"}
    sheets = {**typed_sheets(), "Lists": [["Trusts"]]}

    planned = plan_of(workspace, "map.xlsx", xlsx(sheets, states=states))

    assert planned.errors == []
    assert planned.plan is not None and len(planned.plan.summaries["people.csv"].created) == 5
    assert planned.notes[1:3] == [
        "The sheet 'people' is hidden in the workbook and was read like the others. To see "
        "it in Excel, right-click a sheet tab and choose Unhide; to leave its rows out, "
        "delete or rename it and upload the workbook again.",
        "The sheet 'RELATIONSHIPS' is hidden in the workbook and was read like the others. "
        "Excel's Unhide does not list it. To leave its rows out, save the sheets you mean "
        'to import as "CSV UTF-8" and upload those instead.',
    ]
    # An ignored sheet is not read, hidden or not.
    assert planned.notes[3] == "Ignored sheets (not named like a file of the import): Lists."


def test_a_hidden_sheet_is_named_even_when_the_workbook_has_problems(workspace):
    sheets = good_sheets_but(people=[["ref", "name"], ["P900", "Nobody"]])

    planned = plan_of(workspace, "map.xlsx", xlsx(sheets, states={"people": "hidden"}))

    assert planned.errors
    assert "The sheet 'people' is hidden in the workbook and was read" in planned.notes[1]


def test_merged_styled_headers_and_empty_rows_at_the_end_are_fine(workspace):
    data = xlsx(
        {"organisations": csv_rows("organisations.csv"), "people": csv_rows("people.csv")},
        styled=True,
    )
    workbook = load_workbook(io.BytesIO(data))
    sheet = workbook["people"]
    sheet.merge_cells("F1:H1")  # role_title spread over three columns
    for row in range(7, 40):  # formatted but empty rows below the data, as Excel leaves them
        sheet.cell(row=row, column=2).fill = PatternFill("solid", fgColor="DDDDDD")
    sheet.cell(row=12, column=1).value = "   "
    buffer = io.BytesIO()
    workbook.save(buffer)

    planned = plan_of(workspace, "map.xlsx", buffer.getvalue())

    assert planned.errors == []
    people = next(f for f in planned.as_summary()["files"] if f["name"] == "people.csv")
    assert people["created"] == ["P001", "P002", "P003", "P004", "P005"]


def test_merged_data_cells_are_named_not_read_as_empty(workspace):
    """Excel keeps a merged range's value in its first cell: an organisation merged
    down two people's rows would leave the second without one, without a word."""
    data = xlsx(good_sheets_but())
    workbook = load_workbook(io.BytesIO(data))
    sheet = workbook["people"]
    sheet.merge_cells("E2:E3")  # organisation, people P001 and P002
    buffer = io.BytesIO()
    workbook.save(buffer)

    planned = plan_of(workspace, "map.xlsx", buffer.getvalue())

    assert problems(planned)[0] == (
        "Sheet people, row 3, column organisation: this cell is part of the merged cells "
        "E2:E3, so it reads as empty. Unmerge them and fill in each cell."
    )
    assert planned.as_summary()["files"] == []  # nothing imported


def test_merged_ranges_hiding_over_ten_thousand_cells_refuse_the_sheet(workspace):
    """So that a hostile range (A1:XFD1048576) is never walked cell by cell."""
    data = xlsx(good_sheets_but())
    workbook = load_workbook(io.BytesIO(data))
    workbook["people"].merge_cells("A20:J1020")  # 10 x 1,001 cells
    buffer = io.BytesIO()
    workbook.save(buffer)

    planned = plan_of(workspace, "map.xlsx", buffer.getvalue())

    assert problems(planned) == [
        "Sheet people: merged cells cover more than 10,000 cells below the header, and "
        "each reads as empty. Unmerge them and fill in each cell."
    ]


# --- Errors name the sheet ---------------------------------------------------------


def test_errors_name_the_sheet_row_and_column(workspace):
    relationships = typed_sheets()["RELATIONSHIPS"]
    relationships.append(["P001", "P004", "trusts", 3, 7, None, None])  # row 7
    people = typed_sheets()["people"]
    people[3][4] = "Fenwick CC"  # row 4: an organisation in no sheet

    planned = plan_of(
        workspace,
        "map.xlsx",
        xlsx(good_sheets_but(people=people, RELATIONSHIPS=relationships)),
    )

    assert problems(planned) == [
        "Sheet people, row 4, column organisation: there is no organisation 'Fenwick CC' "
        "in sheet Organisations or in this workspace.",
        "Sheet RELATIONSHIPS, row 7, column trust: 7 is out of range. "
        "Trust must be between 1 and 5, or empty.",
    ]
    assert planned.as_summary()["files"] == []


def test_a_formula_saved_without_its_value_is_a_row_error(workspace):
    relationships = [["source", "target", "kind", "strength"], ["P001", "P002", "trusts", "=2+3"]]

    planned = plan_of(workspace, "map.xlsx", xlsx(good_sheets_but(RELATIONSHIPS=relationships)))

    # Once, on its column: not also as an empty required cell.
    assert problems(planned) == [
        "Sheet RELATIONSHIPS, row 2, column strength: this cell is a formula saved without "
        "its value. Open the workbook in Excel, save it there, and upload it again (or type "
        "the value instead of the formula)."
    ]


def test_a_formula_counts_by_the_value_excel_saved(workspace):
    relationships = [["source", "target", "kind", "strength"], ["P001", "P002", "trusts", "=2+3"]]
    data = with_cached_value(xlsx(good_sheets_but(RELATIONSHIPS=relationships)), "2+3", "5")

    planned = plan_of(workspace, "map.xlsx", data)

    assert planned.errors == []
    bundle_apply(workspace=workspace, plan=planned.plan)
    assert Relationship.objects.get(source__ref="P001", target__ref="P002").strength == 5


def test_a_formula_whose_saved_value_is_empty_text_is_an_empty_cell(workspace):
    relationships = [
        ["source", "target", "kind", "strength", "evidence"],
        ["P001", "P002", "trusts", 3, '=IF(1=1,"","x")'],
    ]
    data = xlsx(good_sheets_but(RELATIONSHIPS=relationships))
    data = with_cached_value(data, 'IF(1=1,"","x")', "", text=True)

    planned = plan_of(workspace, "map.xlsx", data)

    assert planned.errors == []
    bundle_apply(workspace=workspace, plan=planned.plan)
    assert Relationship.objects.get(source__ref="P001", target__ref="P002").evidence == ""


def test_a_cell_showing_an_excel_error_is_a_row_error(workspace):
    relationships = [["source", "target", "kind", "strength"], ["P001", "P002", "trusts", "#N/A"]]

    planned = plan_of(workspace, "map.xlsx", xlsx(good_sheets_but(RELATIONSHIPS=relationships)))

    assert problems(planned) == [
        "Sheet RELATIONSHIPS, row 2, column strength: the cell shows the Excel error #N/A. "
        "Correct it, or clear the cell."
    ]


def test_numbers_and_booleans_read_as_the_csv_path_sees_them(workspace):
    people = [
        ["ref", "name", "seniority", "organisation", "active"],
        [1001, "Ann Numbered", "manager", "Fenwick Carers Network", False],
        [1002.0, "Bob Numbered", "manager", "Fenwick Carers Network", 1],
    ]
    relationships = [["source", "target", "kind", "strength"], [1001, 1002, "trusts", 3.5]]

    organisations = csv_rows("organisations.csv")
    sheets = {"organisations": organisations, "people": people, "relationships": relationships}

    planned = plan_of(workspace, "map.xlsx", xlsx(sheets))

    assert problems(planned) == [
        "Sheet relationships, row 2, column strength: '3.5' is not a whole number. "
        "Strength must be between 1 and 5."
    ]
    relationships[1][3] = 3.0
    planned = plan_of(workspace, "map.xlsx", xlsx(sheets))
    assert planned.errors == []
    bundle_apply(workspace=workspace, plan=planned.plan)
    assert sorted(Person.objects.filter(ref__in=["1001", "1002"]).values_list("ref", "active")) == [
        ("1001", False),
        ("1002", True),
    ]
    assert Relationship.objects.get(source__ref="1001").strength == 3


# --- Dates ----------------------------------------------------------------------


def dated(observed_on) -> dict[str, list[list]]:
    return good_sheets_but(
        RELATIONSHIPS=[
            ["source", "target", "kind", "strength", "observed_on"],
            ["P001", "P002", "trusts", 3, observed_on],
        ]
    )


@pytest.mark.parametrize(
    "cell",
    [
        datetime.date(2026, 4, 3),
        datetime.datetime(2026, 4, 3),
        datetime.datetime(2026, 4, 3, 17, 45),
        "03/04/2026",
        "3/4/2026",
        "2026-04-03",
    ],
)
def test_date_cells_and_day_first_dates(workspace, cell):
    planned = plan_of(workspace, "map.xlsx", xlsx(dated(cell)))

    assert planned.errors == []
    bundle_apply(workspace=workspace, plan=planned.plan)
    assert Relationship.objects.get(source__ref="P001", target__ref="P002").observed_on == (
        datetime.date(2026, 4, 3)
    )


def test_a_month_first_date_is_refused_saying_day_first(workspace):
    planned = plan_of(workspace, "map.xlsx", xlsx(dated("10/13/2026")))

    assert problems(planned) == [
        "Sheet RELATIONSHIPS, row 2, column observed_on: '10/13/2026' is not a valid date: "
        "the format is DD/MM/YYYY, day first, and 13 is not a month. "
        "Use DD/MM/YYYY, day first (31/01/2026), or YYYY-MM-DD (2026-01-31)."
    ]


# --- Files that are not workbooks, or too big ------------------------------------


def zip_of(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "data",
    [
        os.urandom(2048),
        b"",
        zip_of({"people.csv": b"ref,name\n"}),
        zip_of({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<not closed"}),
    ],
    ids=["random bytes", "empty", "a zip of other files", "a zip with broken parts"],
)
def test_a_file_that_is_not_a_workbook_is_refused_cleanly(workspace, data):
    planned = plan_of(workspace, "map.xlsx", data)

    assert problems(planned) == [
        "map.xlsx: this is not an Excel workbook we can open. In Excel choose File > Save As > "
        '"Excel Workbook (*.xlsx)", or save each sheet as "CSV UTF-8" and upload those.'
    ]
    assert planned.plan is None


def test_an_old_or_password_protected_workbook_is_refused_with_advice(workspace):
    planned = plan_of(workspace, "map.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(1000))

    assert "protected by a password or saved in the old Excel 97-2003" in problems(planned)[0]


def test_a_workbook_larger_than_the_unzipped_limit_is_refused(workspace, monkeypatch):
    data = xlsx(typed_sheets())
    monkeypatch.setattr(uploads, "MAX_UNZIPPED_BYTES", 20_000)

    [problem] = problems(plan_of(workspace, "map.xlsx", data))

    assert problem.startswith("map.xlsx: the workbook comes to 0.0 MB unzipped; the limit is ")
    assert 'save each sheet as "CSV UTF-8"' in problem


def test_a_zip_bomb_is_refused_before_it_is_unzipped(workspace):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (50 * 1024 * 1024))
    assert len(buffer.getvalue()) < 100_000

    [problem] = problems(plan_of(workspace, "bomb.xlsx", buffer.getvalue()))

    assert problem == (
        "bomb.xlsx: the workbook comes to 50.0 MB unzipped; the limit is 10.0 MB. Delete the "
        'sheets you are not importing, or save each sheet as "CSV UTF-8" and upload the CSV '
        "files (zipped, if you like)."
    )


def test_a_sheet_over_the_row_limit_is_refused(workspace, monkeypatch):
    monkeypatch.setattr(uploads, "MAX_ROWS", 4)

    found = problems(plan_of(workspace, "map.xlsx", xlsx(typed_sheets())))

    assert found == [
        f"Sheet {sheet}: the sheet has more than 4 rows; the limit is 4 per sheet. "
        "Split it into several workbooks and import them one after another."
        for sheet in ("Organisations", "people", "RELATIONSHIPS")
    ]


def test_a_row_reaching_past_the_column_limit_is_refused(workspace):
    people = typed_sheets()["people"]
    people[2] = [*people[2], *([None] * 300), "far away"]

    [problem] = problems(plan_of(workspace, "map.xlsx", xlsx(good_sheets_but(people=people))))

    assert problem.startswith("Sheet people: row 3 has cells beyond column GR; the limit is 200")


def test_no_sheet_named_like_a_file(workspace):
    [problem] = problems(plan_of(workspace, "map.xlsx", xlsx({"Sheet1": [["name"]]})))

    assert problem == (
        "map.xlsx: no sheet is named like a file of the import. Name the sheets organisations, "
        "people, affiliations, relationships, forums, forum_members (any of them); this "
        "workbook has Sheet1."
    )


def test_a_kumu_workbook_gets_advice(workspace):
    sheets = {"Elements": [["Label", "Type"]], "Connections": [["From", "To"]]}

    [problem] = problems(plan_of(workspace, "kumu.xlsx", xlsx(sheets)))

    assert "It looks like a Kumu map: save its Elements and Connections sheets" in problem


def test_two_sheets_for_one_file_are_refused(workspace):
    sheets = {"people": [["ref"]], "People.csv": [["ref"]]}

    [problem] = problems(plan_of(workspace, "map.xlsx", xlsx(sheets)))

    assert problem == (
        "map.xlsx: the sheets people and People.csv both hold people.csv: rename or delete "
        "one of them."
    )


def test_a_workbook_with_other_files_is_refused(workspace):
    files = {"map.xlsx": xlsx(typed_sheets()), "people.csv": csv_files()["people.csv"]}

    planned = uploads.upload_plan(workspace=workspace, files=files)

    assert problems(planned) == [
        "upload one Excel workbook on its own: not with other files, nor two at once."
    ]


# --- Through the pages ------------------------------------------------------------


def upload(client, workspace, name: str, data: bytes):
    url = reverse("stakeholders:import_upload", kwargs={"slug": workspace.slug})
    response = client.post(url, {"files": [SimpleUploadedFile(name, data, content_type=XLSX)]})
    return response, ImportPreview.objects.order_by("-pk").first()


def preview_url(preview) -> str:
    return reverse(
        "stakeholders:import_preview",
        kwargs={"slug": preview.workspace.slug, "token": preview.token},
    )


def confirm_url(preview) -> str:
    return reverse(
        "stakeholders:import_confirm",
        kwargs={"slug": preview.workspace.slug, "token": preview.token},
    )


def test_an_editor_uploads_a_workbook_checks_it_and_confirms(client, workspace, editor):
    client.force_login(editor)
    sheets = {"Cover": [["Fenwick map"]], **typed_sheets()}

    response, preview = upload(client, workspace, "fenwick.xlsx", xlsx(sheets))

    assert response.status_code == 302
    page = client.get(preview_url(preview)).content.decode()
    assert "sheet RELATIONSHIPS" in page
    assert "Ignored sheets (not named like a file of the import): Cover." in page
    assert "is hidden in the workbook" not in page
    assert "Confirm and import" in page
    assert Person.objects.count() == 0

    client.post(confirm_url(preview))

    preview.refresh_from_db()
    assert preview.status == ImportPreviewStatus.CONFIRMED
    assert preview.files == {}
    assert records(workspace)["relationships"][0][:4] == ("P001", "P002", "collaborates", 5)
    assert Person.objects.filter(workspace=workspace).count() == 5
    assert set(Person.history.values_list("history_change_reason", flat=True)) == {
        "Imported from a workbook"
    }


def test_the_preview_page_names_a_hidden_sheet_before_confirming(client, workspace, editor):
    client.force_login(editor)
    data = xlsx(typed_sheets(), states={"Forum members": "hidden"})

    _, preview = upload(client, workspace, "fenwick.xlsx", data)

    page = client.get(preview_url(preview)).content.decode()
    assert "The sheet &#x27;Forum members&#x27; is hidden in the workbook and was read" in page
    assert "Confirm and import" in page
    assert Person.objects.count() == 0


def test_a_bad_row_in_the_last_sheet_imports_nothing(client, workspace, editor):
    client.force_login(editor)
    sheets = typed_sheets()
    sheets["Forum members"].append(["Fenwick ICB Board", "P003", "Chair", "10/13/2026", None])

    _, preview = upload(client, workspace, "fenwick.xlsx", xlsx(sheets))

    assert [(e["file"], e["row"], e["column"]) for e in preview.summary["errors"]] == [
        ("Sheet Forum members", 4, "start_date")
    ]
    page = client.get(preview_url(preview)).content.decode()
    assert "1 problem found: nothing can be imported" in page
    assert "Confirm and import" not in page

    client.post(confirm_url(preview))

    preview.refresh_from_db()
    assert preview.status == ImportPreviewStatus.PENDING
    assert (Organisation.objects.count(), Person.objects.count(), Forum.objects.count()) == (
        0,
        0,
        0,
    )


def test_the_upload_page_offers_workbooks(client, workspace, editor):
    client.force_login(editor)

    page = client.get(reverse("stakeholders:import_upload", kwargs={"slug": workspace.slug}))

    html = page.content.decode()
    assert 'accept=".csv,.zip,.xlsx,' in html
    assert "one Excel workbook (.xlsx) with a sheet for each" in html
