"""`manage.py import_map` reads what the import page reads: a zip, a workbook, a Kumu map."""

import io
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from stakeholders.imports import uploads
from stakeholders.management.commands.import_map import Command as ImportMap
from stakeholders.models import (
    Affiliation,
    Forum,
    ForumMembership,
    ImportPreview,
    Organisation,
    Person,
    Relationship,
    Workspace,
)
from tests.imports.test_import_map import GOOD, row_counts
from tests.imports.test_import_views import KUMU_CONNECTIONS, KUMU_ELEMENTS
from tests.imports.test_xlsx_import import csv_files, records, typed_sheets, xlsx

pytestmark = pytest.mark.django_db


def run_import(path: Path, slug: str = "fenwick-import", *args: str) -> list[str]:
    out = io.StringIO()
    call_command("import_map", str(path), "--workspace", slug, *args, stdout=out)
    return out.getvalue().splitlines()


def failure(path: Path, slug: str = "fenwick-import", *args: str) -> list[str]:
    with pytest.raises(CommandError) as raised:
        run_import(path, slug, *args)
    return str(raised.value).splitlines()


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def zipped(path: Path, files: dict[str, bytes]) -> Path:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return write(path, buffer.getvalue())


def directory_of(path: Path, files: dict[str, bytes]) -> Path:
    path.mkdir()
    for name, data in files.items():
        (path / name).write_bytes(data)
    return path


# --- An Excel workbook --------------------------------------------------------------


def test_a_workbook_imports_what_its_csv_files_import(tmp_path):
    book = write(tmp_path / "Fenwick map.xlsx", xlsx(typed_sheets(), styled=True))
    folder = directory_of(tmp_path / "bundle", csv_files())

    out = run_import(book, "from-book")
    run_import(folder, "from-csv")

    assert out == [
        "Workspace from-book (From Book): created",
        f"Read from the workbook {book}: sheets Organisations, people, Affiliations.csv, "
        "RELATIONSHIPS, forums, Forum members.",
        "organisations.csv (sheet Organisations): 5 created, 0 updated, 0 unchanged",
        "people.csv (sheet people): 5 created, 0 updated, 0 unchanged",
        "affiliations.csv (sheet Affiliations.csv): 3 created, 0 updated, 0 unchanged",
        "relationships.csv (sheet RELATIONSHIPS): 5 created, 0 updated, 0 unchanged",
        "forums.csv (sheet forums): 1 created, 0 updated, 0 unchanged",
        "forum_members.csv (sheet Forum members): 2 created, 0 updated, 0 unchanged",
        "Import complete.",
    ]
    from_book = records(Workspace.objects.get(slug="from-book"))
    assert from_book == records(Workspace.objects.get(slug="from-csv"))
    assert len(from_book["relationships"]) == 5
    # Imported again, the workbook changes nothing.
    again = run_import(book, "from-book", "--dry-run")
    assert "people.csv (sheet people): 0 would be created, 0 would be updated, 5 unchanged" in again


def history_reasons() -> set[str]:
    """Every change reason the history of imported rows holds."""
    models = (Organisation, Person, Affiliation, Relationship, Forum, ForumMembership)
    return {
        reason
        for model in models
        for reason in model.history.values_list("history_change_reason", flat=True)
    }


def test_history_says_a_workbook_import_came_from_a_workbook(tmp_path):
    book = write(tmp_path / "Fenwick map.xlsx", xlsx(typed_sheets()))

    run_import(book)

    assert history_reasons() == {"Imported from a workbook"}


def test_history_says_a_kumu_import_came_from_a_kumu_map(tmp_path):
    archive = zipped(
        tmp_path / "kumu.zip",
        {"Elements.csv": KUMU_ELEMENTS.encode(), "Connections.csv": KUMU_CONNECTIONS.encode()},
    )

    run_import(archive)

    assert history_reasons() == {"Imported from a Kumu map"}


def test_history_says_a_csv_import_came_from_a_csv_bundle(tmp_path):
    run_import(zipped(tmp_path / "bundle.zip", csv_files()))

    assert history_reasons() == {"Imported from a CSV bundle"}


def test_a_workbook_problem_names_the_sheet_row_and_column_and_nothing_is_written(tmp_path):
    sheets = typed_sheets()
    sheets["Organisations"][2][2] = "Hospital"  # row 3, column kind
    sheets["RELATIONSHIPS"][3][1] = sheets["RELATIONSHIPS"][3][0]  # row 4: a self-tie
    book = write(tmp_path / "map.xlsx", xlsx(sheets))
    before = row_counts()

    first, *problems = failure(book)

    assert first == "2 problems found; nothing was written."
    assert problems[0].startswith(
        "Sheet Organisations, row 3, column kind: 'Hospital' is not a known organisation kind."
    )
    assert problems[1] == (
        "Sheet RELATIONSHIPS, row 4, column target: "
        "A person cannot have a relationship with themselves."
    )
    assert row_counts() == before
    assert not Workspace.objects.exists()


def test_a_workbook_is_read_without_the_upload_limits(tmp_path, monkeypatch):
    monkeypatch.setattr(uploads, "MAX_ROWS", 2)
    monkeypatch.setattr(uploads, "MAX_UNZIPPED_BYTES", 1000)
    book = write(tmp_path / "map.xlsx", xlsx(typed_sheets()))

    assert "Import complete." in run_import(book)
    assert Person.objects.count() == 5


def test_a_damaged_workbook_is_named_and_nothing_is_written(tmp_path):
    book = write(tmp_path / "map.xlsx", b"PK\x03\x04 not really a workbook")

    first, problem = failure(book)

    assert first == "1 problem found; nothing was written."
    assert problem.startswith(f"{book}: this is not an Excel workbook we can open.")
    assert not Workspace.objects.exists()


# --- A zip ----------------------------------------------------------------------------


def test_a_zip_of_the_bundle_imports_as_its_directory_does(tmp_path):
    files = {path.name: path.read_bytes() for path in GOOD.glob("*.csv")}
    archive = zipped(
        tmp_path / "bundle.ZIP",
        {
            **{f"bundle/{name}": data for name, data in files.items()},
            "__MACOSX/bundle/._people.csv": b"\x00\x05\x16\x07",
        },
    )

    out = run_import(archive, "from-zip", "--name", "Fenwick")

    assert out[0] == "Workspace from-zip (Fenwick): created"
    assert out[1:] == run_import(GOOD, "from-directory", "--name", "Fenwick")[1:]
    assert records(Workspace.objects.get(slug="from-zip")) == records(
        Workspace.objects.get(slug="from-directory")
    )


def test_a_zip_is_read_without_the_upload_limits(tmp_path, monkeypatch):
    monkeypatch.setattr(uploads, "MAX_ZIP_MEMBERS", 1)
    monkeypatch.setattr(uploads, "MAX_UNZIPPED_BYTES", 100)
    archive = zipped(tmp_path / "bundle.zip", {p.name: p.read_bytes() for p in GOOD.glob("*.csv")})

    assert run_import(archive)[-1] == "Import complete."


def test_a_zip_holding_a_workbook_is_read_as_the_workbook(tmp_path):
    archive = zipped(tmp_path / "book.zip", {"Fenwick map.xlsx": xlsx(typed_sheets())})

    out = run_import(archive)

    assert "organisations.csv (sheet Organisations): 5 created, 0 updated, 0 unchanged" in out


def test_a_problem_in_a_zipped_file_names_the_file_row_and_column(tmp_path):
    people = (GOOD / "people.csv").read_bytes().replace(b"Board or elected leader", b"boss", 1)
    organisations = (GOOD / "organisations.csv").read_bytes()
    archive = zipped(tmp_path / "b.zip", {"organisations.csv": organisations, "people.csv": people})

    first, problem = failure(archive)

    assert first == "1 problem found; nothing was written."
    assert problem.startswith("people.csv, row 2, column seniority: 'boss' is not a known")
    assert not Workspace.objects.exists()


def test_an_unknown_file_in_a_zip_is_named_as_the_import_page_names_it(
    tmp_path, client, workspace, editor
):
    files = {"organisations.csv": (GOOD / "organisations.csv").read_bytes(), "staff.csv": b"a\n"}
    archive = zipped(tmp_path / "bundle.zip", files)
    client.force_login(editor)

    command = failure(archive, workspace.slug)
    client.post(
        reverse("stakeholders:import_upload", kwargs={"slug": workspace.slug}),
        {"files": [SimpleUploadedFile("bundle.zip", archive.read_bytes())]},
    )

    [error] = ImportPreview.objects.get().summary["errors"]
    page = f"{error['file']}: {error['message']}"
    assert command == ["1 problem found; nothing was written.", page]
    assert page == str(uploads.unknown_file("staff.csv"))
    assert not Organisation.objects.exists()


def test_a_damaged_zip_is_named_and_nothing_is_written(tmp_path):
    archive = write(tmp_path / "bundle.zip", b"not a zip at all")

    assert failure(archive) == [f"{archive}: this is not a zip file we can open."]
    assert not Workspace.objects.exists()


# --- A Kumu map -------------------------------------------------------------------------


def test_a_kumu_map_in_a_directory_is_converted_as_the_upload_converts_it(tmp_path):
    folder = directory_of(
        tmp_path / "kumu",
        {
            "My map - Elements.csv": KUMU_ELEMENTS.encode(),
            "My map - Connections.csv": KUMU_CONNECTIONS.encode(),
        },
    )

    out = run_import(folder)

    assert out == [
        "Workspace fenwick-import (Fenwick Import): created",
        "Read as a Kumu map, as the import page describes.",
        "1 connection between two organisations will not be imported: "
        "the map records ties between people.",
        "organisations.csv: 2 created, 0 updated, 0 unchanged",
        "people.csv: 3 created, 0 updated, 0 unchanged",
        "affiliations.csv: 1 created, 0 updated, 0 unchanged",
        "relationships.csv: 2 created, 0 updated, 0 unchanged",
        "Import complete.",
    ]
    assert Person.objects.get(ref="amira-shah").name == "Amira Shah"
    assert Organisation.objects.count() == 2
    assert Relationship.objects.filter(source__ref="amira-shah", kind="trusts").exists()


def test_a_kumu_problem_names_the_kumu_file_row_and_column(tmp_path):
    connections = KUMU_CONNECTIONS + "Carys Evans,Fenwick Hospitalz,works at,,\n"
    archive = zipped(
        tmp_path / "kumu.zip",
        {"Elements.csv": KUMU_ELEMENTS.encode(), "Connections.csv": connections.encode()},
    )

    assert failure(archive) == [
        "1 problem found; nothing was written.",
        "Connections.csv, row 9, column To: "
        "there is no element 'Fenwick Hospitalz' in Elements.csv.",
    ]
    assert not Workspace.objects.exists()


# --- Paths that cannot be imported ----------------------------------------------------


def test_a_path_that_does_not_exist_is_named(tmp_path):
    missing = tmp_path / "missing.xlsx"

    assert failure(missing) == [
        f"{missing} is not a directory, a .zip file or an .xlsx workbook: nothing is there."
    ]


@pytest.mark.parametrize("name", ["people.csv", "map.xls", "notes.txt"])
def test_a_file_neither_zip_nor_workbook_is_refused(tmp_path, name):
    given = write(tmp_path / name, (GOOD / "people.csv").read_bytes())

    assert failure(given) == [
        f"{given} is not a directory, a .zip file or an .xlsx workbook. "
        "For CSV files, give the directory holding them."
    ]
    assert not Workspace.objects.exists()


def test_the_help_names_what_path_may_be_and_that_no_upload_limit_applies():
    usage = " ".join(ImportMap().create_parser("manage.py", "import_map").format_help().split())

    assert "PATH" in usage and "DIR" not in usage
    assert "zip" in usage and "(.xlsx)" in usage and "Kumu" in usage
    assert "limits (10 MB, 100,000 rows a file) do not apply" in usage
