"""Bulk import from the browser: upload, preview, confirm; limits, Kumu maps, access."""

import datetime
import io
import uuid
import zipfile
from pathlib import Path

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from stakeholders.imports import uploads
from stakeholders.imports.bundle import BUNDLE_FILES, COLUMNS
from stakeholders.models import (
    Affiliation,
    ImportPreview,
    ImportPreviewStatus,
    Organisation,
    Person,
    Relationship,
    Role,
)
from tests.dashboard.test_views import parse
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from tests.imports.test_import_map import import_errors, run_import

pytestmark = pytest.mark.django_db

GOOD = Path(__file__).parent / "fixtures" / "bundle_good"


def good_files() -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(GOOD.glob("*.csv"))}


def as_uploads(files: dict[str, bytes]) -> list[SimpleUploadedFile]:
    return [SimpleUploadedFile(name, data, content_type="text/csv") for name, data in files.items()]


def zipped(files: dict[str, bytes], name: str = "bundle.zip") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, data in files.items():
            archive.writestr(member, data)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/zip")


def upload_url(workspace) -> str:
    return reverse("stakeholders:import_upload", kwargs={"slug": workspace.slug})


def template_url(workspace) -> str:
    return reverse("stakeholders:import_template", kwargs={"slug": workspace.slug})


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


def upload(client, workspace, files):
    """POST files (a dict, or a list of uploads); return the response and the new preview."""
    payload = as_uploads(files) if isinstance(files, dict) else files
    response = client.post(upload_url(workspace), {"files": payload})
    return response, ImportPreview.objects.order_by("-pk").first()


def data_counts() -> tuple[int, int, int, int]:
    return (
        Organisation.objects.count(),
        Person.objects.count(),
        Affiliation.objects.count(),
        Relationship.objects.count(),
    )


def file_counts(preview) -> dict[str, tuple[int, int, int]]:
    return {
        f["name"]: (len(f["created"]), len(f["updated"]), len(f["unchanged"]))
        for f in preview.summary["files"]
    }


def errors_of(preview) -> list[tuple]:
    return [(e["file"], e["row"], e["column"], e["message"]) for e in preview.summary["errors"]]


# --- Access ---------------------------------------------------------------------


@pytest.fixture
def pending(workspace, editor):
    return ImportPreview.objects.create(
        workspace=workspace, user=editor, files={}, summary={"files": [], "errors": []}
    )


def all_urls(workspace, preview):
    return [
        ("get", upload_url(workspace)),
        ("post", upload_url(workspace)),
        ("get", template_url(workspace)),
        ("get", preview_url(preview)),
        ("post", confirm_url(preview)),
    ]


def test_anonymous_is_sent_to_log_in_on_every_import_url(client, workspace, pending):
    for method, url in all_urls(workspace, pending):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login")), url


def test_outsider_gets_404_on_every_import_url(client, workspace, pending, outsider):
    client.force_login(outsider)
    for method, url in all_urls(workspace, pending):
        assert getattr(client, method)(url).status_code == 404, url


def test_viewer_gets_a_clear_403_on_every_import_url(client, workspace, pending, viewer):
    client.force_login(viewer)
    for method, url in all_urls(workspace, pending):
        response = getattr(client, method)(url)
        assert response.status_code == 403, url
        assert b"Only editors and owners can import" in response.content
    assert ImportPreview.objects.count() == 1


@pytest.mark.parametrize("role", ["editor", "owner"])
def test_editors_and_owners_can_open_the_upload_page_and_template(client, workspace, role, request):
    client.force_login(request.getfixturevalue(role))
    response = client.get(upload_url(workspace))
    assert response.status_code == 200
    page = parse(response.content)
    assert page.inline_scripts == 0 and page.style_attributes == 0 and page.style_elements == 0
    assert b'enctype="multipart/form-data"' in response.content
    assert b"csrfmiddlewaretoken" in response.content
    label = b'<label class="nhsuk-label nhsuk-label--m" id="files-label" for="files">'
    assert label in response.content
    assert client.get(template_url(workspace))["Content-Type"] == "application/zip"


def test_the_upload_page_names_every_file_the_template_holds(client, workspace, editor):
    """Forums and seats import too: the page says so, as the template zip holds them."""
    client.force_login(editor)
    html = client.get(upload_url(workspace)).content.decode()
    names = zipfile.ZipFile(io.BytesIO(client.get(template_url(workspace)).content)).namelist()
    assert len(names) == 6 and "forum_members.csv" in names
    assert f"zip of {len(names)} CSV files" in html
    assert f"CSV files ({', '.join(names)}: any of them)" in html
    assert "forums and their seats" in html


def test_owner_can_preview_and_confirm(client, workspace, owner):
    client.force_login(owner)
    _, preview = upload(client, workspace, good_files())
    assert client.get(preview_url(preview)).status_code == 200
    assert client.post(confirm_url(preview)).status_code == 302
    assert Person.objects.filter(workspace=workspace).count() == 5


def test_confirm_needs_csrf(workspace, editor):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    preview = uploads.import_preview_create(workspace=workspace, user=editor, files=good_files())
    assert client.post(confirm_url(preview)).status_code == 403
    assert client.post(upload_url(workspace)).status_code == 403
    assert data_counts() == (0, 0, 0, 0)


def test_unknown_token_is_404(client, workspace, editor):
    client.force_login(editor)
    url = reverse(
        "stakeholders:import_preview", kwargs={"slug": workspace.slug, "token": uuid.uuid4()}
    )
    assert client.get(url).status_code == 404


def test_another_editor_cannot_see_or_confirm_someone_elses_preview(client, workspace, editor):
    preview = uploads.import_preview_create(workspace=workspace, user=editor, files=good_files())
    colleague = UserFactory(username="colleague")
    MembershipFactory(user=colleague, workspace=workspace, role=Role.OWNER)
    client.force_login(colleague)
    assert client.get(preview_url(preview)).status_code == 404
    assert client.post(confirm_url(preview)).status_code == 404
    assert data_counts() == (0, 0, 0, 0)
    preview.refresh_from_db()
    assert preview.status == ImportPreviewStatus.PENDING


def test_a_preview_is_only_reachable_through_its_own_workspace(
    client, workspace, other_workspace, editor
):
    MembershipFactory(user=editor, workspace=other_workspace, role=Role.EDITOR)
    preview = uploads.import_preview_create(workspace=workspace, user=editor, files=good_files())
    client.force_login(editor)
    url = reverse(
        "stakeholders:import_confirm",
        kwargs={"slug": other_workspace.slug, "token": preview.token},
    )
    assert client.post(url).status_code == 404
    assert data_counts() == (0, 0, 0, 0)


# --- Upload, preview, confirm -----------------------------------------------------


def test_good_upload_previews_without_writing_then_confirm_writes(client, workspace, editor):
    client.force_login(editor)
    response, preview = upload(client, workspace, good_files())
    assert response.status_code == 302
    assert response["Location"] == preview_url(preview)
    assert str(preview.token) in response["Location"]
    assert data_counts() == (0, 0, 0, 0)
    assert preview.user == editor and preview.status == ImportPreviewStatus.PENDING
    assert file_counts(preview) == {
        "organisations.csv": (5, 0, 0),
        "people.csv": (5, 0, 0),
        "affiliations.csv": (3, 0, 0),
        "relationships.csv": (5, 0, 0),
    }

    page = client.get(preview_url(preview))
    assert page.status_code == 200
    html = page.content.decode()
    assert "<caption" in html and "<details" in html
    assert "Confirm and import" in html
    assert "Amira Shah" not in html  # keys are refs and names of organisations
    assert "P001" in html
    parsed = parse(page.content)
    assert parsed.inline_scripts == 0 and parsed.style_attributes == 0

    response = client.post(confirm_url(preview))
    assert response.status_code == 302
    assert response["Location"] == workspace.get_absolute_url()
    assert data_counts() == (5, 5, 7, 5)
    assert Person.objects.get(ref="P001").name == "Amira Shah"
    text = [str(m) for m in get_messages(response.wsgi_request)]
    assert text == [
        "Import complete. Organisations: 5 new, 0 changed, 0 unchanged. People: 5 new, "
        "0 changed, 0 unchanged. Affiliations: 3 new, 0 changed, 0 unchanged. "
        "Relationships: 5 new, 0 changed, 0 unchanged."
    ]
    preview.refresh_from_db()
    assert preview.status == ImportPreviewStatus.CONFIRMED
    assert preview.files == {}  # the uploaded personal data is not kept


def test_the_success_message_shows_on_the_workspace_page(client, workspace, editor):
    client.force_login(editor)
    _, preview = upload(client, workspace, good_files())
    page = client.post(confirm_url(preview), follow=True)
    assert b"Import complete. Organisations: 5 new" in page.content


def test_error_bundle_lists_every_error_and_cannot_be_confirmed(client, workspace, editor):
    files = good_files()
    files["people.csv"] = (
        b"ref,name,job_title,seniority,organisation,role_title\n"
        b"P001,Amira Shah,CEO,Grand vizier,North Fenwick Hospitals NHS Trust,Chief executive\n"
        b"P002,Ben Okafor,,director,Fenwick CC,\n"
        b"P003,Carys Evans,,director,Fenwick County Council,\n"
        b"P004,Dev Patel,,frontline,Fenwick Community Health NHS Trust,\n"
        b"P005,Elin Hughes,,manager,Fenwick Carers Network,\n"
        b"P005,Elin Again,,manager,Fenwick Carers Network,\n"
    )
    client.force_login(editor)
    _, preview = upload(client, workspace, files)
    found = errors_of(preview)
    assert [(f, r, c) for f, r, c, _ in found] == [
        ("people.csv", 2, "seniority"),
        ("people.csv", 3, "organisation"),
        ("people.csv", 7, "ref"),
    ]
    assert "'Grand vizier' is not a known seniority" in found[0][3]
    assert "there is no organisation 'Fenwick CC'" in found[1][3]
    assert "duplicate" in found[2][3]

    page = client.get(preview_url(preview)).content.decode()
    assert "3 problems found" in page
    assert '<a href="#problems">' in page and 'id="problems"' in page
    for header in ("File", "Row", "Column", "Problem"):
        assert f'scope="col">{header}</th>' in page
    assert "Fenwick CC" in page
    assert "Confirm and import" not in page

    response = client.post(confirm_url(preview))
    assert response.status_code == 302
    assert data_counts() == (0, 0, 0, 0)
    preview.refresh_from_db()
    assert preview.status == ImportPreviewStatus.PENDING


def test_confirming_twice_imports_once(client, workspace, editor):
    client.force_login(editor)
    _, preview = upload(client, workspace, good_files())
    client.post(confirm_url(preview))
    history = Person.history.count()
    response = client.post(confirm_url(preview))
    assert response.status_code == 302
    assert response["Location"] == preview_url(preview)
    assert [str(m) for m in get_messages(response.wsgi_request)][-1] == (
        "This import was already confirmed; it was not imported again."
    )
    assert data_counts() == (5, 5, 7, 5)
    assert Person.history.count() == history
    page = client.get(preview_url(preview)).content.decode()
    assert "has been confirmed" in page and "Confirm and import" not in page


def test_a_stale_copy_of_a_preview_cannot_be_applied_twice(workspace, editor):
    """Two submits that both read the preview as pending: the conditional claim wins once."""
    preview = uploads.import_preview_create(workspace=workspace, user=editor, files=good_files())
    stale = ImportPreview.objects.get(pk=preview.pk)
    assert uploads.import_preview_confirm(preview=preview, user=editor).outcome == "imported"
    assert uploads.import_preview_confirm(preview=stale, user=editor).outcome == "done"
    assert data_counts() == (5, 5, 7, 5)


def test_expired_preview_cannot_be_confirmed(client, workspace, editor):
    client.force_login(editor)
    _, preview = upload(client, workspace, good_files())
    ImportPreview.objects.filter(pk=preview.pk).update(
        created_at=timezone.now() - datetime.timedelta(minutes=61)
    )
    page = client.get(preview_url(preview)).content.decode()
    assert "This check has expired" in page and "Confirm and import" not in page
    client.post(confirm_url(preview))
    assert data_counts() == (0, 0, 0, 0)
    preview.refresh_from_db()
    assert preview.status == ImportPreviewStatus.EXPIRED
    assert preview.files == {}


def test_a_new_upload_expires_old_previews_and_drops_their_files(client, workspace, editor):
    client.force_login(editor)
    _, old = upload(client, workspace, good_files())
    ImportPreview.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - datetime.timedelta(hours=2)
    )
    upload(client, workspace, good_files())
    old.refresh_from_db()
    assert old.status == ImportPreviewStatus.EXPIRED and old.files == {}


def test_confirm_plans_again_against_changed_data(client, workspace, editor):
    client.force_login(editor)
    files = {
        "people.csv": b"ref,name,seniority,organisation\nX1,Xena Example,manager,Existing Trust\n"
    }
    existing = OrganisationFactory(workspace=workspace, name="Existing Trust")
    _, preview = upload(client, workspace, files)
    assert errors_of(preview) == []
    existing.delete()  # someone removes the organisation after the preview

    response = client.post(confirm_url(preview))
    assert response.status_code == 302 and response["Location"] == preview_url(preview)
    assert data_counts() == (0, 0, 0, 0)
    preview.refresh_from_db()
    assert preview.status == ImportPreviewStatus.PENDING
    assert [(f, r, c) for f, r, c, _ in errors_of(preview)] == [("people.csv", 2, "organisation")]
    page = client.get(preview_url(preview)).content.decode()
    assert "Nothing was imported" in page and "Existing Trust" in page


def test_reimporting_the_same_files_is_all_unchanged(client, workspace, editor):
    client.force_login(editor)
    _, first = upload(client, workspace, good_files())
    client.post(confirm_url(first))
    _, second = upload(client, workspace, good_files())
    assert all(created == updated == 0 for created, updated, _ in file_counts(second).values())


# --- Limits and file handling ---------------------------------------------------


def test_no_file_chosen_is_an_error_linked_to_the_field(client, workspace, editor):
    client.force_login(editor)
    response = client.post(upload_url(workspace), {})
    assert response.status_code == 400
    html = response.content.decode()
    assert "nhsuk-error-summary" in html
    assert (
        '<a href="#files">Choose the CSV files, a zip file or an Excel workbook (.xlsx).</a>'
        in html
    )
    assert ImportPreview.objects.count() == 0


def test_upload_over_the_size_limit_is_refused(client, workspace, editor, monkeypatch):
    monkeypatch.setattr(uploads, "MAX_UPLOAD_BYTES", 1000)
    client.force_login(editor)
    files = good_files()  # about 1.4 KB together
    response, preview = upload(client, workspace, files)
    assert response.status_code == 400
    assert preview is None
    assert "the limit is 0.0 MB per upload" in response.content.decode()


def test_file_over_the_row_limit_is_refused(client, workspace, editor, monkeypatch):
    monkeypatch.setattr(uploads, "MAX_ROWS", 4)
    client.force_login(editor)
    _, preview = upload(client, workspace, good_files())
    assert [(f, r, c) for f, r, c, _ in errors_of(preview)] == [
        ("organisations.csv", None, None),
        ("people.csv", None, None),
        ("relationships.csv", None, None),
    ]
    assert "the file has 5 rows; the limit is 4 per file" in errors_of(preview)[0][3]


def test_windows_1252_file_is_named_and_not_guessed(client, workspace, editor):
    client.force_login(editor)
    files = {
        "organisations.csv": "name,kind,sector,tier\nSt Ælfric’s Hospice,vcse,vcse,place\n".encode(
            "cp1252"
        )
    }
    _, preview = upload(client, workspace, files)
    [(file, row, column, message)] = errors_of(preview)
    assert (file, row, column) == ("organisations.csv", None, None)
    assert "looks like Windows-1252" in message and "line 2" in message
    assert '"CSV UTF-8"' in message


PEOPLE_TEXT = "ref,name,seniority,organisation\nP1,Zoë,manager,Trust A\n"


@pytest.mark.parametrize(
    "data",
    [
        b"\xff\xfe" + PEOPLE_TEXT.encode("utf-16-le"),
        b"\xfe\xff" + PEOPLE_TEXT.encode("utf-16-be"),
        PEOPLE_TEXT.encode("cp1252"),
        b"ref,name\n\x81\n",  # neither UTF-8 nor Windows-1252
    ],
    ids=["utf-16-le", "utf-16-be", "windows-1252", "unknown"],
)
def test_upload_names_a_files_encoding_as_import_map_does(
    client, workspace, editor, tmp_path, data
):
    client.force_login(editor)
    _, preview = upload(client, workspace, {"people.csv": data})
    (tmp_path / "people.csv").write_bytes(data)

    [(file, row, column, message)] = errors_of(preview)
    assert import_errors(tmp_path, workspace.slug) == [f"{file}: {message}"]


@pytest.mark.parametrize(
    "data, named",
    [
        (PEOPLE_TEXT.encode("utf-16-le"), "UTF-16"),  # no byte-order mark
        (PEOPLE_TEXT.encode("utf-16-be"), "UTF-16"),
        (PEOPLE_TEXT.encode("utf-32"), "UTF-32"),  # with its mark
        (PEOPLE_TEXT.encode("utf-32-le"), "UTF-32"),
    ],
    ids=["utf-16-le-no-mark", "utf-16-be-no-mark", "utf-32", "utf-32-le-no-mark"],
)
def test_a_wide_file_is_named_with_or_without_its_mark(client, workspace, editor, data, named):
    """Not 'a null character (U+0000) in every column name', nor UTF-32 called UTF-16."""
    client.force_login(editor)
    _, preview = upload(client, workspace, {"people.csv": data})
    [(file, row, column, message)] = errors_of(preview)
    assert message.startswith(f'the file is {named} ("Unicode text"), not UTF-8.')


def test_utf16_file_is_named_as_utf16_not_windows_1252(client, workspace, editor):
    client.force_login(editor)
    _, preview = upload(client, workspace, {"people.csv": PEOPLE_TEXT.encode("utf-16")})
    [(file, row, column, message)] = errors_of(preview)
    assert (file, row, column) == ("people.csv", None, None)
    assert message.startswith('the file is UTF-16 ("Unicode text"), not UTF-8.')
    assert "Windows-1252" not in message


def test_utf8_with_and_without_bom_is_accepted(client, workspace, editor, tmp_path):
    """Also with two marks, as import_map reads the same file."""
    client.force_login(editor)
    text = "name,kind,sector,tier\nSt Ælfric’s Hospice,vcse,vcse,place\n"
    for marks in (0, 1, 2):
        data = b"\xef\xbb\xbf" * marks + text.encode()
        _, preview = upload(client, workspace, {"organisations.csv": data})
        assert errors_of(preview) == []
        assert file_counts(preview) == {"organisations.csv": (1, 0, 0)}
        (tmp_path / "organisations.csv").write_bytes(data)
        assert "organisations.csv: 1 would be created" in run_import(
            tmp_path, workspace.slug, "--dry-run"
        )


def test_zip_upload_with_folders_takes_base_names(client, workspace, editor):
    client.force_login(editor)
    files = {f"export/2026/{name}": data for name, data in good_files().items()}
    files["__MACOSX/export/._people.csv"] = b"\x00\x05junk"
    files["export/"] = b""
    response, preview = upload(client, workspace, [zipped(files)])
    assert response.status_code == 302
    assert errors_of(preview) == []
    assert set(file_counts(preview)) == set(good_files())
    client.post(confirm_url(preview))
    assert data_counts() == (5, 5, 7, 5)


def test_zip_over_the_unzipped_cap_is_refused(client, workspace, editor, monkeypatch):
    monkeypatch.setattr(uploads, "MAX_UNZIPPED_BYTES", 100_000)
    client.force_login(editor)
    bomb = zipped({"people.csv": b"ref,name\n" + b"," * 1_000_000})
    assert bomb.size < 10_000
    response, preview = upload(client, workspace, [bomb])
    assert response.status_code == 400 and preview is None
    assert "the limit is 0.1 MB unzipped" in response.content.decode()


def test_zip_whose_directory_lies_about_sizes_is_still_capped(monkeypatch):
    monkeypatch.setattr(uploads, "MAX_UNZIPPED_BYTES", 1000)
    archive = zipped({"people.csv": b"x" * 5000})
    data = bytearray(archive.read())
    # Patch the uncompressed size in the central directory to claim 10 bytes.
    central = data.rfind(b"PK\x01\x02")
    data[central + 24 : central + 28] = (10).to_bytes(4, "little")
    result = uploads.upload_read(uploads=[SimpleUploadedFile("a.zip", bytes(data))])
    assert result.files == {}
    assert len(result.errors) == 1


def test_zip_with_too_many_files_is_refused(client, workspace, editor, monkeypatch):
    monkeypatch.setattr(uploads, "MAX_ZIP_MEMBERS", 3)
    client.force_login(editor)
    response, preview = upload(client, workspace, [zipped(good_files())])
    assert preview is None
    assert "the zip holds 4 files; the limit is 3" in response.content.decode()


def test_not_a_zip_is_refused(client, workspace, editor):
    client.force_login(editor)
    response, preview = upload(
        client, workspace, [SimpleUploadedFile("bundle.zip", b"not a zip at all")]
    )
    assert preview is None
    assert "this is not a zip file we can open" in response.content.decode()


def test_unknown_file_name_is_an_error(client, workspace, editor):
    client.force_login(editor)
    files = good_files()
    files["staff.csv"] = b"a,b\n1,2\n"
    _, preview = upload(client, workspace, files)
    [(file, row, column, message)] = errors_of(preview)
    assert (file, row, column) == ("staff.csv", None, None)
    assert "unknown file name" in message and "Elements.csv" in message


def test_the_same_file_twice_is_an_error(client, workspace, editor):
    client.force_login(editor)
    people = good_files()["people.csv"]
    response, preview = upload(
        client,
        workspace,
        [SimpleUploadedFile("people.csv", people), zipped({"dir/People.csv": people})],
    )
    assert preview is None
    assert "the file is given twice" in response.content.decode()


# --- Kumu -----------------------------------------------------------------------

KUMU_ELEMENTS = (
    "Label,Type,Description,Tags,Seniority,Sector\n"
    "Fenwick Hospitals,Acute trust,Big,nhs,,NHS\n"
    "Fenwick Council,Organization,,,,Local government\n"
    "Amira Shah,Person,CEO,,Executive,\n"
    "Ben Okafor,Person,,,,\n"
    "Carys Evans,Other,,,,\n"
)
KUMU_CONNECTIONS = (
    "From,To,Type,Strength,Description\n"
    "Amira Shah,Fenwick Hospitals,works at,,\n"
    "Ben Okafor,Fenwick Council,works at,,\n"
    "Ben Okafor,Fenwick Hospitals,member of,,\n"
    "Fenwick Council,Carys Evans,employs,,\n"
    "Amira Shah,Ben Okafor,Trusts,5,Weekly call\n"
    "Ben Okafor,Carys Evans,knows,,\n"
    "Fenwick Hospitals,Fenwick Council,partners,,\n"
)


def test_kumu_map_imports_end_to_end(client, workspace, editor):
    client.force_login(editor)
    files = {
        "My map - Elements.csv": KUMU_ELEMENTS.encode(),
        "My map - Connections.csv": KUMU_CONNECTIONS.encode(),
    }
    _, preview = upload(client, workspace, files)
    assert errors_of(preview) == []
    assert preview.summary["kumu"] is True
    assert preview.summary["notes"] == [
        "1 connection between two organisations will not be imported: "
        "the map records ties between people."
    ]
    assert file_counts(preview) == {
        "organisations.csv": (2, 0, 0),
        "people.csv": (3, 0, 0),
        "affiliations.csv": (1, 0, 0),  # primaries are counted with people.csv
        "relationships.csv": (2, 0, 0),
    }
    page = client.get(preview_url(preview)).content.decode()
    assert "Kumu map" in page and "between two organisations" in page
    client.post(confirm_url(preview))

    hospitals = Organisation.objects.get(workspace=workspace, name="Fenwick Hospitals")
    council = Organisation.objects.get(workspace=workspace, name="Fenwick Council")
    assert (hospitals.kind, hospitals.sector, hospitals.tier) == ("acute_trust", "nhs", "place")
    assert (council.kind, council.sector) == ("other", "local_government")
    amira = Person.objects.get(workspace=workspace, ref="amira-shah")
    assert (amira.name, amira.seniority) == ("Amira Shah", "executive")
    ben = Person.objects.get(workspace=workspace, ref="ben-okafor")
    assert ben.seniority == "manager"
    assert {(a.organisation.name, a.is_primary) for a in ben.affiliations.all()} == {
        ("Fenwick Council", True),
        ("Fenwick Hospitals", False),
    }
    assert Affiliation.objects.get(person__ref="carys-evans").organisation == council
    ties = {
        (r.source.ref, r.target.ref, r.kind, r.strength, r.evidence)
        for r in Relationship.objects.all()
    }
    assert ties == {
        ("amira-shah", "ben-okafor", "trusts", 5, "Weekly call"),
        ("ben-okafor", "carys-evans", "collaborates", 3, ""),
    }
    assert set(Relationship.history.values_list("history_change_reason", flat=True)) == {
        "Imported from a Kumu map"
    }


def test_kumu_problems_name_the_kumu_file_row_and_column(client, workspace, editor):
    client.force_login(editor)
    elements = KUMU_ELEMENTS + "Dev Patel,Person,,,,\nErin Lowe,Person,,,Boss,\n"
    connections = KUMU_CONNECTIONS + (
        "Erin Lowe,Fenwick Hospitals,works at,,\n"
        "Amira Shah,Ben Okafor,Trusts,9,\n"
        "Amira Shah,Nobody,Trusts,,\n"
    )
    files = {"elements.csv": elements.encode(), "CONNECTIONS.csv": connections.encode()}
    _, preview = upload(client, workspace, files)
    found = [(f, r, c) for f, r, c, _ in errors_of(preview)]
    assert ("elements.csv", 7, "Label") in found  # Dev Patel: no organisation
    assert ("CONNECTIONS.csv", 11, "To") in found  # Nobody
    assert ("CONNECTIONS.csv", 10, "From") in found  # duplicate Amira -> Ben trusts
    messages = dict(((f, r, c), m) for f, r, c, m in errors_of(preview))
    assert (
        "'Dev Patel' is a person with no connection to an organisation"
        in messages[("elements.csv", 7, "Label")]
    )
    assert "there is no element 'Nobody'" in messages[("CONNECTIONS.csv", 11, "To")]
    assert data_counts() == (0, 0, 0, 0)


def test_kumu_values_the_importer_rejects_point_back_to_the_kumu_cell(client, workspace, editor):
    client.force_login(editor)
    elements = KUMU_ELEMENTS.replace("Ben Okafor,Person,,,,", "Ben Okafor,Person,,,Boss,")
    connections = KUMU_CONNECTIONS.replace("Trusts,5,", "Trusts,9,")
    _, preview = upload(
        client,
        workspace,
        {"Elements.csv": elements.encode(), "Connections.csv": connections.encode()},
    )
    found = {(f, r, c): m for f, r, c, m in errors_of(preview)}
    assert set(found) == {("Elements.csv", 5, "Seniority"), ("Connections.csv", 6, "Strength")}
    assert "'Boss' is not a known seniority" in found[("Elements.csv", 5, "Seniority")]
    assert "9 is out of range" in found[("Connections.csv", 6, "Strength")]


def test_a_kumu_quote_never_closed_is_named_where_it_opens(client, workspace, editor):
    """Without this, every connection after the open quote became part of one
    description, and the map imported short of them without a word."""
    client.force_login(editor)
    connections = KUMU_CONNECTIONS.replace("Trusts,5,Weekly call", 'Trusts,5,"Weekly call')
    _, preview = upload(
        client,
        workspace,
        {"Elements.csv": KUMU_ELEMENTS.encode(), "Connections.csv": connections.encode()},
    )
    assert errors_of(preview) == [
        (
            "Connections.csv",
            6,
            "Description",
            'a cell here opens a quote (") that is never closed, so every line after it was '
            "read into that one cell. Close the quote, or remove it.",
        )
    ]
    assert data_counts() == (0, 0, 0, 0)


def test_kumu_and_bundle_files_cannot_be_mixed(client, workspace, editor):
    client.force_login(editor)
    files = {"Elements.csv": KUMU_ELEMENTS.encode(), **good_files()}
    _, preview = upload(client, workspace, files)
    assert "not both at once" in errors_of(preview)[0][3]


def test_kumu_missing_columns_are_named(client, workspace, editor):
    client.force_login(editor)
    files = {"Elements.csv": b"Name,Kind\nA,Person\n", "Connections.csv": b"Source,To\n"}
    _, preview = upload(client, workspace, files)
    assert [(f, r, c) for f, r, c, _ in errors_of(preview)] == [
        ("Elements.csv", 1, "Label"),
        ("Elements.csv", 1, "Type"),
        ("Connections.csv", 1, "From"),
    ]


# --- The template ---------------------------------------------------------------


def test_template_zip_has_the_columns_and_reimports_cleanly(client, workspace, editor):
    client.force_login(editor)
    response = client.get(template_url(workspace))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        assert sorted(archive.namelist()) == sorted(BUNDLE_FILES)
        for name in BUNDLE_FILES:
            data = archive.read(name)
            assert data.startswith(b"\xef\xbb\xbf")
            lines = data.decode("utf-8-sig").splitlines()
            assert lines[0].split(",") == list(COLUMNS[name])
            assert len(lines) >= 2

    upload_response, preview = upload(
        client, workspace, [SimpleUploadedFile("template.zip", response.content)]
    )
    assert upload_response.status_code == 302
    assert errors_of(preview) == []
    client.post(confirm_url(preview))
    assert data_counts() == (1, 2, 2, 1)


def test_a_kumu_record_changed_since_the_check_names_the_kumu_file(client, workspace, editor):
    client.force_login(editor)
    files = {"Elements.csv": KUMU_ELEMENTS.encode(), "Connections.csv": KUMU_CONNECTIONS.encode()}
    _, preview = upload(client, workspace, files)
    assert errors_of(preview) == []
    OrganisationFactory(workspace=workspace, name="Fenwick Council")  # added after the check
    client.post(confirm_url(preview))
    preview.refresh_from_db()
    changed = errors_of(preview)
    assert changed and {file for file, *_ in changed} == {"Elements.csv"}
