"""Bulk import from the browser: read uploads, plan them, keep a preview, confirm it.

An upload is a few CSV files or one zip of them: our bundle (organisations.csv,
people.csv, affiliations.csv, relationships.csv; see `imports`) or a Kumu map
exported as CSV (Elements.csv and Connections.csv), which is converted to a
bundle first. Every check of the data itself is `imports.bundle_plan`'s; this
module adds the limits of a web upload (size, rows, zip contents), names
Windows-1252 files as such, and maps problems in a converted Kumu map back to
the Kumu file and row. Nothing is written until the uploader confirms a preview
without errors, and then in one transaction after planning again.
"""

import base64
import csv
import datetime
import io
import re
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, Any, Protocol

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from stakeholders.imports.bundle import (
    AFFILIATIONS,
    BUNDLE_FILES,
    COLUMNS,
    KIND_CHOICES,
    ORGANISATIONS,
    PEOPLE,
    RELATIONSHIP_KIND_CHOICES,
    RELATIONSHIPS,
    SAVE_AS_UTF8,
    BundlePlan,
    ImportError_,
    _normalise,
    bundle_apply,
    bundle_plan,
)
from stakeholders.models import (
    ImportPreview,
    ImportPreviewStatus,
    Organisation,
    OrganisationKind,
    Person,
    RelationshipKind,
    Seniority,
    Workspace,
)

MAX_UPLOAD_BYTES = 10 * 1024 * 1024  # per upload, all files together
MAX_UNZIPPED_BYTES = 10 * 1024 * 1024  # a zip's contents, all members together
MAX_ZIP_MEMBERS = 20
MAX_ROWS = 100_000  # data rows per file
PREVIEW_LIFETIME = datetime.timedelta(hours=1)

KUMU_ELEMENTS = "Elements.csv"
KUMU_CONNECTIONS = "Connections.csv"
# Kumu's sheets as CSV; Google Sheets names them "<spreadsheet> - Elements.csv".
_KUMU_NAME = re.compile(r"(?:.* - )?(elements|connections)\.csv", re.IGNORECASE)
_ORGANISATION_TYPES = {"organisation", "organization", "org"}
DEFAULT_STRENGTH = "3"


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

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_summary(self) -> dict[str, Any]:
        """JSON-able: what the preview page shows."""
        files = []
        if self.plan is not None and not self.errors:
            for name in BUNDLE_FILES:
                if (summary := self.plan.summaries.get(name)) is not None:
                    files.append(
                        {
                            "name": name,
                            "created": summary.created,
                            "updated": summary.updated,
                            "unchanged": summary.unchanged,
                        }
                    )
        return {
            "kumu": self.kumu,
            "notes": self.notes,
            "files": files,
            "errors": [
                {"file": e.file, "row": e.row, "column": e.column, "message": e.message}
                for e in self.errors
            ],
        }


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def _basename(name: str) -> str:
    return name.replace("\\", "/").rsplit("/", 1)[-1].strip()


# --- Reading an upload ----------------------------------------------------------


def _unzip(name: str, data: IO[bytes], result: UploadResult) -> None:
    """Add a zip's CSV files by base name; refuse what could exhaust memory."""
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
        if len(members) > MAX_ZIP_MEMBERS:
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
        if declared > MAX_UNZIPPED_BYTES:
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
                    content = member.read(remaining + 1)
            except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, ValueError):
                result.errors.append(
                    ImportError_(name, None, None, f"{info.filename} in the zip cannot be read.")
                )
                return
            remaining -= len(content)
            if remaining < 0:
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


def upload_read(*, uploads: Sequence[UploadedFile]) -> UploadResult:
    """The files of an upload by base name, zips opened, within the size limits."""
    result = UploadResult()
    if not uploads:
        result.errors.append(ImportError_("", None, None, "Choose the CSV files or a zip file."))
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
        name = _basename(upload.name or "")
        if name.casefold().endswith(".zip"):
            _unzip(name, upload, result)  # type: ignore[arg-type]
        else:
            _add(name, upload.read(), result)
    return result


# --- Checks before planning -----------------------------------------------------


def _decode(name: str, data: bytes, errors: list[ImportError_]) -> str | None:
    """UTF-8 (BOM or not); a Windows-1252 file is named as such, never guessed."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        try:
            data.decode("cp1252")
        except UnicodeDecodeError:
            what = "is not UTF-8"
        else:
            what = "looks like Windows-1252 (Excel's plain 'CSV' format), not UTF-8"
        errors.append(
            ImportError_(
                name,
                None,
                None,
                f"the file {what}: the first character that is not UTF-8 is on line {line}. "
                f'Save it as "CSV UTF-8" and upload it again. {SAVE_AS_UTF8}',
            )
        )
        return None


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


# --- Kumu -----------------------------------------------------------------------


@dataclass
class _KumuTable:
    file: str
    rows: list[tuple[int, dict[str, str]]]  # (spreadsheet row, column -> value)
    columns: dict[str, str]  # normalised column -> the name in the file


def _kumu_table(
    name: str, text: str, required: Iterable[str], errors: list[ImportError_]
) -> _KumuTable | None:
    try:
        records = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        errors.append(ImportError_(name, None, None, f"the file cannot be read as CSV ({exc})."))
        return None
    if not records:
        errors.append(ImportError_(name, 1, None, "the file is empty."))
        return None
    columns: dict[str, str] = {}
    positions: dict[str, int] = {}
    for index, raw in enumerate(records[0]):
        key = _normalise(raw)
        if key and key not in positions:
            positions[key] = index
            columns[key] = raw.strip()
    missing = [column for column in required if _normalise(column) not in positions]
    for column in missing:
        errors.append(ImportError_(name, 1, column, "this required column is missing."))
    if missing:
        return None
    rows = []
    for number, record in enumerate(records[1:], start=2):
        cells = [cell.strip() for cell in record]
        if not any(cells):
            continue
        rows.append((number, {k: cells[i] if i < len(cells) else "" for k, i in positions.items()}))
    return _KumuTable(name, rows, columns)


Location = tuple[str, int, str]  # Kumu file, row, column


@dataclass
class _Generated:
    """A bundle file made from a Kumu map, with where each of its cells came from."""

    columns: list[str]
    rows: list[list[str]] = field(default_factory=list)
    locations: list[dict[str, Location]] = field(default_factory=list)

    def add(self, values: dict[str, str], locations: dict[str, Location]) -> None:
        self.rows.append([values.get(column, "") for column in self.columns])
        self.locations.append(locations)

    def csv_bytes(self) -> bytes:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(self.columns)
        writer.writerows(self.rows)
        return out.getvalue().encode("utf-8")


@dataclass
class KumuBundle:
    files: dict[str, bytes]
    locations: dict[str, list[dict[str, Location]]]
    notes: list[str]


def kumu_to_bundle(
    *,
    workspace: Workspace | None,
    elements: tuple[str, str],
    connections: tuple[str, str] | None,
    errors: list[ImportError_],
) -> KumuBundle | None:
    """Convert Kumu's Elements and Connections sheets (name, text) into bundle files.

    Organisations: elements whose Type is "Organisation" or an organisation kind.
    Everyone else is a person (ref = slug of the Label). A person -> organisation
    connection is an affiliation (the first one primary), a person -> person
    connection a relationship. Problems of the sheets themselves go to `errors`.
    """
    elements_name, elements_text = elements
    table = _kumu_table(elements_name, elements_text, ("Label", "Type"), errors)
    ctable = None
    if connections is not None:
        ctable = _kumu_table(connections[0], connections[1], ("From", "To"), errors)
    if table is None or (connections is not None and ctable is None):
        return None
    col = table.columns
    existing_orgs: dict[str, tuple[str, str, str]] = {}
    existing_people: dict[str, str] = {}
    if workspace is not None:
        # Left unsaid in the sheet, an existing organisation or person keeps its values.
        existing_orgs = {
            name: (kind, sector, tier)
            for name, kind, sector, tier in Organisation.objects.filter(
                workspace=workspace
            ).values_list("name", "kind", "sector", "tier")
        }
        existing_people = dict(
            Person.objects.filter(workspace=workspace).values_list("ref", "seniority")
        )

    orgs = _Generated(["name", "kind", "sector", "tier"])
    org_row: dict[str, int] = {}
    people: dict[str, dict[str, Any]] = {}  # label -> ref, row, values, locations
    refs: dict[str, tuple[str, int]] = {}  # ref -> (label, row)
    seen: dict[str, int] = {}
    for number, values in table.rows:
        label = values["label"]
        if not label:
            errors.append(ImportError_(elements_name, number, col["label"], "a Label is needed."))
            continue
        if label in seen:
            errors.append(
                ImportError_(
                    elements_name,
                    number,
                    col["label"],
                    f"duplicate: '{label}' is already on row {seen[label]}.",
                )
            )
            continue
        seen[label] = number
        kind_type = _normalise(values["type"])
        here = {c: (elements_name, number, col[c]) for c in col}
        # "Other" is a kind too, but an element typed "Other" is no more an organisation
        # than one typed "Project": only a named kind makes one.
        named_kind = KIND_CHOICES.lookup.get(kind_type, OrganisationKind.OTHER)
        if kind_type in _ORGANISATION_TYPES or named_kind != OrganisationKind.OTHER:
            old = existing_orgs.get(label)
            if named_kind == OrganisationKind.OTHER and old:
                named_kind = old[0]
            org_values = {
                "name": label,
                "kind": named_kind,
                "sector": values.get("sector") or (old[1] if old else "other"),
                "tier": values.get("tier") or (old[2] if old else "place"),
            }
            orgs.add(
                org_values,
                {
                    "name": here["label"],
                    "kind": here["type"],
                    "sector": here.get("sector", here["label"]),
                    "tier": here.get("tier", here["label"]),
                },
            )
            org_row[label] = number
            continue
        ref = slugify(label, allow_unicode=True)[: Person._meta.get_field("ref").max_length]
        if not ref:
            errors.append(
                ImportError_(
                    elements_name,
                    number,
                    col["label"],
                    f"'{label}' has no letters or digits to make a ref from.",
                )
            )
            continue
        if ref in refs:
            other, other_row = refs[ref]
            errors.append(
                ImportError_(
                    elements_name,
                    number,
                    col["label"],
                    f"'{label}' would get the same ref ('{ref}') as '{other}' on row "
                    f"{other_row}. Make the labels differ by more than case and punctuation.",
                )
            )
            continue
        refs[ref] = (label, number)
        people[label] = {
            "ref": ref,
            "row": number,
            "values": {
                "ref": ref,
                "name": label,
                "seniority": values.get("seniority") or existing_people.get(ref, Seniority.MANAGER),
            },
            "locations": {
                "ref": here["label"],
                "name": here["label"],
                "seniority": here.get("seniority", here["label"]),
            },
            "organisations": [],  # (organisation label, connection location)
        }

    affiliations = _Generated(["person", "organisation"])
    relationship_columns = ["source", "target", "kind", "strength"]
    ccol = ctable.columns if ctable is not None else {}
    if "description" in ccol:
        relationship_columns.append("evidence")
    relationships = _Generated(relationship_columns)
    between_orgs = 0
    ties: dict[tuple[str, str, str], int] = {}
    for number, values in ctable.rows if ctable is not None else []:
        cname = ctable.file  # type: ignore[union-attr]
        here = {c: (cname, number, ccol[c]) for c in ccol}
        ends = []
        for end in ("from", "to"):
            label = values[end]
            if label not in people and label not in org_row:
                message = (
                    "This field cannot be blank."
                    if not label
                    else f"there is no element '{label}' in {elements_name}."
                )
                errors.append(ImportError_(cname, number, ccol[end], message))
            ends.append(label)
        source, target = ends
        if source in org_row and target in org_row:
            between_orgs += 1
        elif source in people and target in org_row:
            people[source]["organisations"].append((target, here["from"], here["to"]))
        elif source in org_row and target in people:
            people[target]["organisations"].append((source, here["to"], here["from"]))
        elif source in people and target in people:
            kind = RELATIONSHIP_KIND_CHOICES.lookup.get(
                _normalise(values.get("type", "")), RelationshipKind.COLLABORATES
            )
            key = (source, target, kind)
            if key in ties:
                errors.append(
                    ImportError_(
                        cname,
                        number,
                        ccol["from"],
                        f"duplicate: this connection ({kind}) is already on row {ties[key]}.",
                    )
                )
                continue
            ties[key] = number
            relationships.add(
                {
                    "source": people[source]["ref"],
                    "target": people[target]["ref"],
                    "kind": kind,
                    "strength": values.get("strength") or DEFAULT_STRENGTH,
                    "evidence": values.get("description", ""),
                },
                {
                    "source": here["from"],
                    "target": here["to"],
                    "kind": here.get("type", here["from"]),
                    "strength": here.get("strength", here["from"]),
                    "evidence": here.get("description", here["from"]),
                },
            )

    people_file = _Generated(["ref", "name", "seniority", "organisation"])
    for label, person in people.items():
        if not person["organisations"]:
            errors.append(
                ImportError_(
                    elements_name,
                    person["row"],
                    col["label"],
                    f"'{label}' is a person with no connection to an organisation. Connect "
                    "them to their organisation in the Connections sheet (e.g. 'works at'): "
                    "every person needs a primary organisation.",
                )
            )
            continue
        (primary, person_at, org_at), *others = person["organisations"]
        people_file.add(
            {**person["values"], "organisation": primary},
            {**person["locations"], "organisation": org_at},
        )
        given = {primary}
        for organisation, person_at, org_at in others:
            if organisation in given:
                continue  # the same affiliation drawn twice ("works at", "member of")
            given.add(organisation)
            affiliations.add(
                {"person": person["ref"], "organisation": organisation},
                {"person": person_at, "organisation": org_at},
            )

    notes = []
    if between_orgs:
        notes.append(
            f"{between_orgs} connection{'s' if between_orgs != 1 else ''} between two "
            "organisations will not be imported: the map records ties between people."
        )
    generated = {
        ORGANISATIONS: orgs,
        PEOPLE: people_file,
        AFFILIATIONS: affiliations,
        RELATIONSHIPS: relationships,
    }
    generated = {name: g for name, g in generated.items() if g.rows}
    return KumuBundle(
        files={name: g.csv_bytes() for name, g in generated.items()},
        locations={name: g.locations for name, g in generated.items()},
        notes=notes,
    )


def _kumu_error(error: ImportError_, bundle: KumuBundle) -> ImportError_:
    """An error in a converted file, placed at the Kumu cell it came from."""
    rows = bundle.locations.get(error.file)
    if rows is None or error.row is None or not 2 <= error.row < len(rows) + 2:
        return error
    cells = rows[error.row - 2]
    file, row, column = cells.get(error.column or "") or next(iter(cells.values()))
    return ImportError_(file, row, column, error.message)


# --- Planning -------------------------------------------------------------------


def upload_plan(*, workspace: Workspace, files: Mapping[str, bytes]) -> UploadPlan:
    """Check uploaded files against the workspace, as bundle_plan does; write nothing."""
    result = UploadPlan()
    errors = result.errors
    bundle: dict[str, bytes] = {}
    kumu: dict[str, tuple[str, bytes]] = {}
    for name, data in files.items():
        if (match := _KUMU_NAME.fullmatch(name)) is not None:
            kind = match[1].casefold()
            if kind in kumu:
                errors.append(
                    ImportError_(name, None, None, f"a Kumu {kind} sheet is already given.")
                )
            kumu[kind] = (name, data)
        elif name.casefold() in BUNDLE_FILES:
            bundle[name.casefold()] = data
        else:
            errors.append(
                ImportError_(
                    name,
                    None,
                    None,
                    f"unknown file name. Upload {', '.join(BUNDLE_FILES)} (any of them), "
                    f"or a Kumu map's {KUMU_ELEMENTS} and {KUMU_CONNECTIONS}.",
                )
            )
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
        text = _decode(name, data, errors)
        if text is not None:
            texts[name] = text
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
        errors.extend(_kumu_error(error, converted) for error in plan.errors)
    else:
        plan = bundle_plan(workspace=workspace, files={n: texts[n] for n in bundle})
        errors.extend(plan.errors)
    result.plan = plan
    return result


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
    outcome: str  # "imported", "errors", "expired", "done"
    summary: dict[str, Any] = field(default_factory=dict)


class _Refused(Exception):
    def __init__(self, planned: UploadPlan) -> None:
        self.planned = planned


_CHANGED_MEANWHILE = ImportError_(
    "",
    None,
    None,
    "the database refused the import because the workspace changed while it ran. "
    "Nothing was written; upload the files again.",
)


def import_preview_confirm(*, preview: ImportPreview, user: AbstractBaseUser) -> ConfirmResult:
    """Plan the preview's files again against the data as it is now, and write them.

    Claims the preview (pending -> confirmed) in the same transaction as the write,
    so a second submit finds it confirmed and writes nothing; on any error nothing
    is written and the preview stays pending with the new errors.
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
            bundle_apply(workspace=workspace, plan=planned.plan, user=user)
            summary = planned.as_summary()
            ImportPreview.objects.filter(pk=preview.pk).update(files={}, summary=summary)
    except _Refused as refused:
        summary = refused.planned.as_summary()
        ImportPreview.objects.filter(pk=preview.pk).update(summary=summary)
        return ConfirmResult("errors", summary)
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
        ["EX001", "EX002", "Collaborates with", "4", "4", "2026-01-15", "Weekly executive meeting"],
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
