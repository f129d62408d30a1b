"""Bulk import from the browser: read uploads, plan them, keep a preview, confirm it.

An upload is a few CSV files or one zip of them: our bundle (organisations.csv,
people.csv, affiliations.csv, relationships.csv, forums.csv, forum_members.csv; see
`imports`) or a Kumu map exported as CSV (Elements.csv and Connections.csv), which
`imports.kumu` converts to a bundle first; or one Excel workbook with a sheet per
file (`imports.workbooks`). Every check of the data itself is `imports.bundle_plan`'s,
and files are read as `import_map` reads them (`imports.bundle.csv_text`); this module
adds the limits of a web upload (size, rows, zip contents), maps problems in a
converted Kumu map back to the Kumu file and row, and problems in a workbook to its
sheets. Nothing is written until the uploader confirms a preview without errors, and
then in one transaction after planning again.

`import_map` reads a zip, a workbook or a Kumu map with these same functions
(`file_read`, `upload_import`), without the limits (`limited=False`): its operator
chose the files, and a map too large to upload can be imported that way.
"""

import base64
import csv
import datetime
import io
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, Any, Protocol

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone

from stakeholders.imports.bundle import (
    AFFILIATIONS,
    BUNDLE_FILES,
    COLUMNS,
    FORUM_MEMBERS,
    FORUMS,
    ORGANISATIONS,
    PEOPLE,
    RELATIONSHIPS,
    BundlePlan,
    ImportError_,
    bundle_apply,
    bundle_changed_since,
    bundle_import,
    bundle_plan,
    csv_text,
)
from stakeholders.imports.kumu import (
    KUMU_CHANGE_REASON,
    KUMU_CONNECTIONS,
    KUMU_ELEMENTS,
    kumu_error,
    kumu_sheet,
    kumu_to_bundle,
)
from stakeholders.imports.workbooks import (
    WORKBOOK_CHANGE_REASON,
    WORKBOOK_SUFFIX,
    is_workbook,
    workbook_read,
)
from stakeholders.models import ImportPreview, ImportPreviewStatus, Workspace
from stakeholders.text import strip_refused

MAX_UPLOAD_BYTES = 10 * 1024 * 1024  # per upload, all files together
MAX_UNZIPPED_BYTES = 10 * 1024 * 1024  # a zip's contents, all members together
MAX_ZIP_MEMBERS = 20
MAX_ROWS = 100_000  # data rows per file
ZIP_SUFFIX = ".zip"
PREVIEW_LIFETIME = datetime.timedelta(hours=1)


class UploadedFile(Protocol):
    name: str
    size: int

    def read(self, size: int = -1) -> bytes: ...


@dataclass
class UploadResult:
    """The files of an upload (name -> bytes, zips opened) or why it cannot be read."""

    files: dict[str, bytes] = field(default_factory=dict)
    errors: list[ImportError_] = field(default_factory=list)


@dataclass
class UploadPlan:
    """What importing the files would do: errors, or per file what it creates and updates."""

    errors: list[ImportError_] = field(default_factory=list)
    plan: BundlePlan | None = None
    kumu: bool = False
    notes: list[str] = field(default_factory=list)
    sheets: dict[str, str] = field(default_factory=dict)  # file -> sheet it was read from

    @property
    def ok(self) -> bool:
        return not self.errors

    def _source(self, name: str) -> str:
        """Where the preview says a file's rows came from: the file, or a workbook's sheet."""
        return f"sheet {self.sheets[name]}" if name in self.sheets else name

    def as_summary(self) -> dict[str, Any]:
        """JSON-able: what the preview page shows."""
        files = []
        if self.plan is not None and not self.errors:
            for name in BUNDLE_FILES:
                if (summary := self.plan.summaries.get(name)) is not None:
                    files.append(
                        {
                            "name": name,
                            "source": self._source(name),
                            "created": summary.created,
                            "updated": summary.updated,
                            "unchanged": summary.unchanged,
                        }
                    )
        return {
            "kumu": self.kumu,
            "notes": self.notes,
            "files": files,
            # Stored as JSON (PostgreSQL refuses NUL there): no message may carry what the
            # text rule refuses, whatever cell or file name it quotes.
            "errors": [
                {
                    "file": strip_refused(e.file),
                    "row": e.row,
                    "column": strip_refused(e.column) if e.column else e.column,
                    "message": strip_refused(e.message),
                }
                for e in self.errors
            ],
            # What the rows were when the uploader checked them (bundle_changed_since).
            **({"versions": self.plan.versions} if self.plan is not None and self.ok else {}),
        }


def _kumu_file(error: ImportError_) -> ImportError_:
    """A converted file's name as the Kumu file it came from: connections give ties,
    elements everything else."""
    if not error.file:
        return error
    file = KUMU_CONNECTIONS if error.file == RELATIONSHIPS else KUMU_ELEMENTS
    return ImportError_(file, error.row, error.column, error.message)


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def _basename(name: str) -> str:
    return name.replace("\\", "/").rsplit("/", 1)[-1].strip()


# --- Reading an upload ----------------------------------------------------------


def _unzip(name: str, data: IO[bytes], result: UploadResult, *, limited: bool) -> None:
    """Add a zip's CSV files by base name; if limited, refuse what could exhaust memory."""
    try:
        archive = zipfile.ZipFile(data)
    except (zipfile.BadZipFile, OSError):
        result.errors.append(ImportError_(name, None, None, "this is not a zip file we can open."))
        return
    with archive:
        members = [
            info
            for info in archive.infolist()
            if not info.is_dir()
            # macOS adds __MACOSX/._name resource files beside the real ones.
            and not info.filename.startswith("__MACOSX/")
            and not _basename(info.filename).startswith(".")
        ]
        if limited and len(members) > MAX_ZIP_MEMBERS:
            result.errors.append(
                ImportError_(
                    name,
                    None,
                    None,
                    f"the zip holds {len(members)} files; the limit is {MAX_ZIP_MEMBERS}. "
                    "Zip only the CSV files to import.",
                )
            )
            return
        if any(info.flag_bits & 0x1 for info in members):
            result.errors.append(
                ImportError_(name, None, None, "the zip is password-protected. Zip it without.")
            )
            return
        limit = f"the limit is {_megabytes(MAX_UNZIPPED_BYTES)} unzipped"
        declared = sum(info.file_size for info in members)
        if limited and declared > MAX_UNZIPPED_BYTES:
            result.errors.append(
                ImportError_(
                    name, None, None, f"the zip's files come to {_megabytes(declared)}; {limit}."
                )
            )
            return
        remaining = MAX_UNZIPPED_BYTES
        for info in members:
            # The sizes in a zip's directory can lie: read no more than the limit allows.
            try:
                with archive.open(info) as member:
                    content = member.read(remaining + 1 if limited else -1)
            except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, ValueError):
                result.errors.append(
                    ImportError_(name, None, None, f"{info.filename} in the zip cannot be read.")
                )
                return
            remaining -= len(content)
            if limited and remaining < 0:
                result.errors.append(
                    ImportError_(name, None, None, f"the zip's files are too large; {limit}.")
                )
                return
            _add(_basename(info.filename), content, result)


def _add(name: str, content: bytes, result: UploadResult) -> None:
    if any(name.casefold() == given.casefold() for given in result.files):
        result.errors.append(ImportError_(name, None, None, "the file is given twice."))
    else:
        result.files[name] = content


def file_read(*, name: str, data: IO[bytes], limited: bool = True) -> UploadResult:
    """One file as an upload reads it: a zip opened into its files, any other as given.

    `limited` holds a zip to the upload's limits (files, size unzipped); errors name
    the file as `name` gives it.
    """
    result = UploadResult()
    _read_file(name, data, result, limited=limited)
    return result


def _read_file(name: str, data: IO[bytes], result: UploadResult, *, limited: bool) -> None:
    if name.casefold().endswith(ZIP_SUFFIX):
        _unzip(name, data, result, limited=limited)
    else:
        _add(_basename(name), data.read(), result)


def upload_read(*, uploads: Sequence[UploadedFile]) -> UploadResult:
    """The files of an upload by base name, zips opened, within the size limits."""
    result = UploadResult()
    if not uploads:
        result.errors.append(
            ImportError_(
                "", None, None, "Choose the CSV files, a zip file or an Excel workbook (.xlsx)."
            )
        )
        return result
    total = sum(upload.size for upload in uploads)
    if total > MAX_UPLOAD_BYTES:
        result.errors.append(
            ImportError_(
                "",
                None,
                None,
                f"The files come to {_megabytes(total)}; the limit is "
                f"{_megabytes(MAX_UPLOAD_BYTES)} per upload. Zip them, or import fewer at a time.",
            )
        )
        return result
    for upload in uploads:
        _read_file(_basename(upload.name or ""), upload, result, limited=True)  # type: ignore[arg-type]
    return result


# --- Checks before planning -----------------------------------------------------


def _count_rows(name: str, text: str, errors: list[ImportError_]) -> None:
    try:
        rows = sum(1 for record in csv.reader(io.StringIO(text, newline="")) if any(record)) - 1
    except csv.Error:
        return  # bundle_plan reports the row that cannot be read
    if rows > MAX_ROWS:
        errors.append(
            ImportError_(
                name,
                None,
                None,
                f"the file has {rows:,} rows; the limit is {MAX_ROWS:,} per file. "
                "Split it into several files and import them one after another.",
            )
        )


# --- Planning -------------------------------------------------------------------


def _workbook_plan(
    *, workspace: Workspace | None, files: Mapping[str, bytes], limited: bool
) -> UploadPlan:
    """Check a workbook's sheets as bundle_plan checks files; errors name the sheets."""
    result = UploadPlan()
    if len(files) > 1:
        result.errors.append(
            ImportError_(
                "",
                None,
                None,
                "upload one Excel workbook on its own: not with other files, nor two at once.",
            )
        )
        return result
    [(name, data)] = files.items()
    book = workbook_read(
        name=name,
        data=data,
        max_bytes=MAX_UNZIPPED_BYTES if limited else None,
        max_rows=MAX_ROWS if limited else None,
    )
    result.notes = book.notes
    result.sheets = book.sheets
    if book.errors:
        # A workbook or sheet that cannot be read is fixed before anything else.
        result.errors.extend(book.errors)
        return result
    plan = bundle_plan(workspace=workspace, files=book.files)
    plan.change_reason = WORKBOOK_CHANGE_REASON
    result.errors.extend(book.place(error) for error in plan.errors)
    result.plan = plan
    return result


def unknown_file(name: str) -> ImportError_:
    """A file that is none of what an import reads, named as the page and import_map name it."""
    return ImportError_(
        name,
        None,
        None,
        f"unknown file name. Upload {', '.join(BUNDLE_FILES)} (any of them), "
        f"a Kumu map's {KUMU_ELEMENTS} and {KUMU_CONNECTIONS}, "
        f"or an Excel workbook ({WORKBOOK_SUFFIX}).",
    )


def upload_plan(
    *, workspace: Workspace | None, files: Mapping[str, bytes], limited: bool = True
) -> UploadPlan:
    """Check uploaded files against the workspace (None: a new one), as bundle_plan does.

    Writes nothing. `limited` holds the files to the upload's limits (rows, a
    workbook's size).
    """
    if any(is_workbook(name) for name in files):
        return _workbook_plan(workspace=workspace, files=files, limited=limited)
    result = UploadPlan()
    errors = result.errors
    bundle: dict[str, bytes] = {}
    kumu: dict[str, tuple[str, bytes]] = {}
    for name, data in files.items():
        if (kind := kumu_sheet(name)) is not None:
            if kind in kumu:
                errors.append(
                    ImportError_(name, None, None, f"a Kumu {kind} sheet is already given.")
                )
            kumu[kind] = (name, data)
        elif name.casefold() in BUNDLE_FILES:
            bundle[name.casefold()] = data
        else:
            errors.append(unknown_file(name))
    if kumu and bundle:
        errors.append(
            ImportError_(
                "",
                None,
                None,
                "upload either our CSV files or a Kumu map's sheets, not both at once.",
            )
        )
    if errors:
        return result

    texts: dict[str, str] = {}
    for name, data in [*kumu.values(), *bundle.items()]:
        text = csv_text(name, data, errors)
        if text is not None:
            texts[name] = text
            if limited:
                _count_rows(name, text, errors)
    if errors:
        # A file that cannot be read, or is over the limit, is fixed before anything else.
        return result

    if kumu:
        result.kumu = True
        if "elements" not in kumu:
            errors.append(
                ImportError_(
                    kumu["connections"][0],
                    None,
                    None,
                    f"a Kumu map needs its {KUMU_ELEMENTS} sheet beside {KUMU_CONNECTIONS}.",
                )
            )
            return result
        elements = kumu["elements"][0]
        connections = kumu["connections"][0] if "connections" in kumu else None
        converted = kumu_to_bundle(
            workspace=workspace,
            elements=(elements, texts[elements]),
            connections=(connections, texts[connections]) if connections else None,
            errors=errors,
        )
        if converted is None or errors:
            return result
        result.notes = converted.notes
        plan = bundle_plan(workspace=workspace, files=converted.files)
        plan.change_reason = KUMU_CHANGE_REASON
        errors.extend(kumu_error(error, converted) for error in plan.errors)
    else:
        plan = bundle_plan(workspace=workspace, files={n: texts[n] for n in bundle})
        errors.extend(plan.errors)
    result.plan = plan
    return result


def upload_import(
    *,
    workspace_slug: str,
    files: Mapping[str, bytes],
    dry_run: bool = False,
    workspace_name: str = "",
    limited: bool = True,
) -> UploadPlan:
    """Check files as upload_plan does and write them as bundle_import does: at once.

    For import_map, which reads a workbook or a Kumu map as the upload does. A
    workspace that does not exist is created; on any error, or a dry run, nothing is
    written. Raises ValidationError for a bad slug or name.
    """
    planned = UploadPlan()

    def plan(*, workspace: Workspace | None, files: Mapping[str, bytes]) -> BundlePlan:
        nonlocal planned
        planned = upload_plan(workspace=workspace, files=files, limited=limited)
        found = planned.plan or BundlePlan(
            workspace_slug="", workspace_exists=workspace is not None
        )
        # The problems as the uploader would see them, on a sheet or in a Kumu file:
        # bundle_import writes nothing while there are any, and adds to the same list.
        found.errors = planned.errors
        return found

    imported = bundle_import(
        workspace_slug=workspace_slug,
        files=files,
        dry_run=dry_run,
        workspace_name=workspace_name,
        planner=plan,
    )
    planned.plan = imported
    return planned


# --- Previews -------------------------------------------------------------------


def _encode(files: Mapping[str, bytes]) -> dict[str, str]:
    return {name: base64.b64encode(data).decode("ascii") for name, data in files.items()}


def _decode_files(files: Mapping[str, str]) -> dict[str, bytes]:
    return {name: base64.b64decode(data) for name, data in files.items()}


def import_previews_expire() -> int:
    """Mark pending previews past their lifetime expired and drop their files."""
    cutoff = timezone.now() - PREVIEW_LIFETIME
    return ImportPreview.objects.filter(
        status=ImportPreviewStatus.PENDING, created_at__lt=cutoff
    ).update(status=ImportPreviewStatus.EXPIRED, files={})


def import_preview_expired(preview: ImportPreview) -> bool:
    return preview.created_at < timezone.now() - PREVIEW_LIFETIME


def import_preview_create(
    *, workspace: Workspace, user: AbstractBaseUser, files: Mapping[str, bytes]
) -> ImportPreview:
    """Plan the files and keep them with what the plan found, for the uploader to confirm."""
    import_previews_expire()
    planned = upload_plan(workspace=workspace, files=files)
    return ImportPreview.objects.create(
        workspace=workspace,
        user=user,
        files=_encode(files),
        summary=planned.as_summary(),
    )


@dataclass
class ConfirmResult:
    outcome: str  # "imported", "errors", "changed", "expired", "done"
    summary: dict[str, Any] = field(default_factory=dict)


class _Refused(Exception):
    def __init__(self, planned: UploadPlan, outcome: str = "errors") -> None:
        self.planned = planned
        self.outcome = outcome


_CHANGED_MEANWHILE = ImportError_(
    "",
    None,
    None,
    "the database refused the import because the workspace changed while it ran. "
    "Nothing was written; upload the files again.",
)
_NOT_CHECKED = ImportError_(
    "",
    None,
    None,
    "these files were never shown as ready to import (the check found problems, or was "
    "made by an older version of Influence Map). Upload them again to see what they change.",
)


def import_preview_confirm(*, preview: ImportPreview, user: AbstractBaseUser) -> ConfirmResult:
    """Plan the preview's files again against the data as it is now, and write them.

    Claims the preview (pending -> confirmed) in the same transaction as the write,
    so a second submit finds it confirmed and writes nothing; on any error nothing
    is written and the preview stays pending with the new errors. Nothing is written
    either if a row the import would write was edited after the preview ("changed").
    """
    if preview.status == ImportPreviewStatus.CONFIRMED:
        return ConfirmResult("done")
    if preview.status == ImportPreviewStatus.EXPIRED or import_preview_expired(preview):
        ImportPreview.objects.filter(pk=preview.pk).update(
            status=ImportPreviewStatus.EXPIRED, files={}
        )
        return ConfirmResult("expired")
    try:
        with transaction.atomic():
            claimed = ImportPreview.objects.filter(
                pk=preview.pk, status=ImportPreviewStatus.PENDING
            ).update(status=ImportPreviewStatus.CONFIRMED)
            if not claimed:
                return ConfirmResult("done")
            locked = ImportPreview.objects.select_for_update().get(pk=preview.pk)
            # Serialise imports into one workspace: a plan names rows by the ids it read.
            workspace = Workspace.objects.select_for_update().get(pk=locked.workspace_id)
            planned = upload_plan(workspace=workspace, files=_decode_files(locked.files))
            if planned.errors or planned.plan is None:
                raise _Refused(planned)
            versions = locked.summary.get("versions")
            if versions is None:
                raise _Refused(UploadPlan(errors=[_NOT_CHECKED], kumu=planned.kumu), "changed")
            if changed := bundle_changed_since(planned.plan, versions):
                if planned.kumu:  # the uploader's files, not the bundle made from them
                    changed = [_kumu_file(error) for error in changed]
                raise _Refused(UploadPlan(errors=changed, kumu=planned.kumu), "changed")
            bundle_apply(workspace=workspace, plan=planned.plan, user=user)
            summary = planned.as_summary()
            del summary["versions"]  # of the rows before the import: no use now
            ImportPreview.objects.filter(pk=preview.pk).update(files={}, summary=summary)
    except _Refused as refused:
        summary = refused.planned.as_summary()
        summary["changed"] = refused.outcome == "changed"
        if "versions" in preview.summary:
            # Still what the uploader checked: a later confirm compares with these.
            summary["versions"] = preview.summary["versions"]
        ImportPreview.objects.filter(pk=preview.pk).update(summary=summary)
        return ConfirmResult(refused.outcome, summary)
    except IntegrityError:
        summary = UploadPlan(errors=[_CHANGED_MEANWHILE]).as_summary()
        ImportPreview.objects.filter(pk=preview.pk).update(summary=summary)
        return ConfirmResult("errors", summary)
    return ConfirmResult("imported", summary)


# --- The template ---------------------------------------------------------------

_TEMPLATE_ROWS: dict[str, list[list[str]]] = {
    ORGANISATIONS: [
        ["Example Hospitals NHS Trust", "EHT", "Acute trust", "NHS", "System", "", ""],
    ],
    # Two people, so that the example relationship has someone at each end.
    PEOPLE: [
        ["EX001", "Alex Example", "Chief executive", "Executive", "Example Hospitals NHS Trust",
         "Chief executive", "Yes", ""],
        ["EX002", "Sam Sample", "Director of nursing", "Director", "Example Hospitals NHS Trust",
         "Director of nursing", "Yes", ""],
    ],
    AFFILIATIONS: [
        ["EX001", "Example Hospitals NHS Trust", "Chief executive", "2024-04-01", ""],
    ],
    RELATIONSHIPS: [
        ["EX001", "EX002", "Collaborates with", "4", "4", "2026-01-15", "Weekly executive meeting",
         "2025-04-01", ""],
    ],
    FORUMS: [
        ["Example ICB Board", "ICB board", "System", "Example Hospitals NHS Trust"],
    ],
    FORUM_MEMBERS: [
        ["Example ICB Board", "EX001", "Voting member", "2024-04-01", ""],
    ],
}  # fmt: skip


def template_files() -> dict[str, bytes]:
    """Each bundle file with its columns and an example, UTF-8 with BOM (Excel reads it)."""
    files = {}
    for name in BUNDLE_FILES:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(COLUMNS[name])
        writer.writerows(_TEMPLATE_ROWS[name])
        files[name] = ("\ufeff" + out.getvalue()).encode("utf-8")
    return files


def template_zip() -> bytes:
    """The template bundle as one zip."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in template_files().items():
            archive.writestr(name, data)
    return buffer.getvalue()
