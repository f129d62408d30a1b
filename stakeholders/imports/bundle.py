"""CSV bundle import: check every file completely first, then write all or nothing.

A bundle is up to six CSV files: organisations, people, affiliations,
relationships, forums and forum members (the format is in README.md, "Importing a
map from CSV files").
`bundle_plan` reads them against a snapshot of the workspace taken in a fixed
number of queries and returns every problem found or, when there is none, what
to create and update.
`bundle_apply` writes a clean plan in one transaction, with history.
`bundle_import` does both; the management command and web uploads call it with
file name -> contents, so nothing here touches the file system.
"""

import csv
import datetime
import functools
import io
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import IO, Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone
from simple_history.utils import get_history_model_for_model

from stakeholders.exports.tables import unguard_cell
from stakeholders.imports.dates import date_from_text
from stakeholders.imports.invisible import invisible_hint
from stakeholders.models import (
    Affiliation,
    Forum,
    ForumKind,
    ForumMembership,
    Organisation,
    OrganisationKind,
    Person,
    Relationship,
    RelationshipKind,
    Seat,
    Sector,
    Seniority,
    Tier,
    Workspace,
    observed_later_message,
)
from stakeholders.services import workspace_data_changed
from stakeholders.text import strip_refused, text_problem, validate_text

ORGANISATIONS = "organisations.csv"
PEOPLE = "people.csv"
AFFILIATIONS = "affiliations.csv"
RELATIONSHIPS = "relationships.csv"
FORUMS = "forums.csv"
FORUM_MEMBERS = "forum_members.csv"
BUNDLE_FILES = (ORGANISATIONS, PEOPLE, AFFILIATIONS, RELATIONSHIPS, FORUMS, FORUM_MEMBERS)

# Column name -> required. A required column must be in the header and have a
# value in every row; an optional column may be left out of the file, and then
# the values already in the workspace stay as they are.
COLUMNS: dict[str, dict[str, bool]] = {
    ORGANISATIONS: {
        "name": True,
        "short_name": False,
        "kind": True,
        "sector": True,
        "tier": True,
        "parent": False,
        "ods_code": False,
    },
    PEOPLE: {
        "ref": True,
        "name": True,
        "job_title": False,
        "seniority": True,
        "organisation": True,
        "role_title": False,
        "active": False,
        "notes": False,
    },
    AFFILIATIONS: {
        "person": True,
        "organisation": True,
        "role_title": False,
        "start_date": False,
        "end_date": False,
    },
    RELATIONSHIPS: {
        "source": True,
        "target": True,
        "kind": True,
        "strength": True,
        "trust": False,
        "observed_on": False,
        "evidence": False,
        "start_date": False,
        "end_date": False,
    },
    # Formal forums and their seats (issue #18): a forum by its name, a seat by
    # (forum, person ref).
    FORUMS: {
        "name": True,
        "kind": True,
        "tier": True,
        "host": False,
    },
    FORUM_MEMBERS: {
        "forum": True,
        "person": True,
        "seat": False,
        "start_date": False,
        "end_date": False,
    },
}

# Columns our exports add that are worked out from other data, not stored: accepted so
# that an export imports back unchanged, checked to be yes or no, and otherwise ignored.
# A relationship's Stale follows from its observed date and the workspace's retention;
# where it came from (issue #15: Provenance, Survey, Reported on, Confirmed) is set by
# the survey, never by an import.
DERIVED_COLUMNS: dict[str, tuple[str, ...]] = {
    RELATIONSHIPS: ("stale", "provenance", "survey", "reported_on", "confirmed")
}

CHANGE_REASON = "Imported from a CSV bundle"

# The longest cell the CSV reader takes. A person's notes and a tie's evidence are text
# of any length, and exports write them whole: the csv module's default (131,072
# characters) refused such an export as if it opened a quote never closed. No cell of
# an upload can be longer than the upload (uploads.MAX_UPLOAD_BYTES, 10 MB). The limit
# belongs to the csv module, not to a reader, so it is set once, here.
MAX_CELL_CHARS = 10 * 1024 * 1024
csv.field_size_limit(max(csv.field_size_limit(), MAX_CELL_CHARS))
BYTE_ORDER_MARK = "\ufeff"
SAVE_AS_UTF8 = 'In Excel choose File > Save As > "CSV UTF-8 (Comma delimited) (*.csv)".'

Key = tuple[str, ...]


@dataclass(frozen=True)
class SheetCells:
    """A spreadsheet's sheet already read into text cells (imports.workbooks).

    `rows` holds (row number, cells) for the rows that have any cell, the header first
    (row 1); `problems` the cells that could not be read, by (row number, column index),
    with why: they count as empty and are reported once, on their column.
    """

    rows: list[tuple[int, list[str]]]
    problems: dict[tuple[int, int], str] = field(default_factory=dict)


FileData = bytes | str | IO[bytes] | IO[str] | SheetCells


@dataclass(frozen=True)
class ImportError_:
    """One problem in a bundle, located as a spreadsheet user sees it (header = row 1)."""

    file: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = [self.file] if self.file else []
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column}")
        return f"{', '.join(where)}: {self.message}" if where else self.message


@dataclass
class FileSummary:
    """Keys of the rows of one file that are new, changed or already as given."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


@dataclass
class _Op:
    """Final values for one row to create (existing is None) or update."""

    key: Key
    values: dict[str, Any]
    existing: dict[str, Any] | None = None

    def changed_fields(self) -> list[str]:
        if self.existing is None:
            return list(self.values)
        return [name for name, value in self.values.items() if self.existing[name] != value]


@dataclass
class _Snapshot:
    """The workspace's rows as plain dicts (attname -> value), keyed by natural key."""

    organisations: dict[str, dict[str, Any]] = field(default_factory=dict)
    people: dict[str, dict[str, Any]] = field(default_factory=dict)
    affiliations: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    primary: dict[str, str] = field(default_factory=dict)  # person ref -> organisation name
    relationships: dict[tuple[str, str, str], dict[str, Any]] = field(default_factory=dict)
    forums: dict[str, dict[str, Any]] = field(default_factory=dict)
    forum_members: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._org_names = {row["id"]: name for name, row in self.organisations.items()}

    def organisation_name(self, pk: int | None) -> str | None:
        return self._org_names.get(pk) if pk is not None else None


@dataclass
class BundlePlan:
    """What an import found: errors, or per file what it creates, updates and leaves."""

    workspace_slug: str
    workspace_exists: bool
    workspace_name: str = ""
    errors: list[ImportError_] = field(default_factory=list)
    summaries: dict[str, FileSummary] = field(default_factory=dict)
    organisations: list[_Op] = field(default_factory=list)
    people: list[_Op] = field(default_factory=list)
    affiliations: list[_Op] = field(default_factory=list)
    relationships: list[_Op] = field(default_factory=list)
    forums: list[_Op] = field(default_factory=list)
    forum_members: list[_Op] = field(default_factory=list)
    snapshot: _Snapshot = field(default_factory=_Snapshot, repr=False)
    # File -> key label -> [id, version] of every existing row the plan read for the
    # files' rows: what a preview shows, so confirming can tell what changed since.
    versions: dict[str, dict[str, list[int]]] = field(default_factory=dict)
    # What the history rows say the import came from: the planner that read the files
    # (a workbook, a Kumu map) sets its own.
    change_reason: str = CHANGE_REASON

    @property
    def ok(self) -> bool:
        return not self.errors


# --- Reading cells --------------------------------------------------------------


@functools.lru_cache(maxsize=4096)  # the same few codes and labels, row after row
def _normalise(text: str) -> str:
    """`Acute trust`, `acute-trust` and `ACUTE_TRUST` all become `acute_trust`."""
    return re.sub(r"[\s_-]+", "_", text.strip().casefold()).strip("_")


@dataclass(frozen=True)
class _Choices:
    noun: str
    lookup: dict[str, str]
    accepted: str


def _choices(noun: str, choices: type[models.TextChoices]) -> _Choices:
    """Accept each choice's code, its label, and a label's parts around brackets."""
    lookup: dict[str, str] = {}
    clashes: set[str] = set()
    for value, label in choices.choices:
        keys = {_normalise(value), _normalise(label)}
        if bracketed := re.fullmatch(r"(.+?)\s*\((.+)\)", label):
            keys |= {_normalise(bracketed[1]), _normalise(bracketed[2])}
        for key in keys:
            if lookup.get(key, value) != value:
                clashes.add(key)
            lookup[key] = value
    for key in clashes:  # a name that could mean two things is accepted for neither
        del lookup[key]
    accepted = "; ".join(f"{value} ({label})" for value, label in choices.choices)
    return _Choices(noun, lookup, accepted)


KIND_CHOICES = _choices("organisation kind", OrganisationKind)
SECTOR_CHOICES = _choices("sector", Sector)
TIER_CHOICES = _choices("tier", Tier)
SENIORITY_CHOICES = _choices("seniority", Seniority)
RELATIONSHIP_KIND_CHOICES = _choices("relationship kind", RelationshipKind)
FORUM_KIND_CHOICES = _choices("forum kind", ForumKind)
SEAT_CHOICES = _choices("seat", Seat)

_YES = frozenset({"yes", "y", "true", "1"})
_NO = frozenset({"no", "n", "false", "0"})
_WHOLE_NUMBER = re.compile(r"[+-]?\d+")


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"


def _constraint_message(model: type[models.Model], name: str) -> str:
    """The message the model gives when the database constraint `name` is violated."""
    constraint = next(c for c in model._meta.constraints if c.name == name)
    return str(constraint.violation_error_message)


def _field(model: type[models.Model], name: str) -> models.Field:
    return model._meta.get_field(name)


@dataclass
class _Row:
    """One data row of one file, with helpers that record problems as they parse."""

    file: str
    number: int
    values: dict[str, str]
    errors: list[ImportError_]
    ok: bool = True
    # Columns whose cell could not be read: reported once, not again as empty.
    unreadable: set[str] = field(default_factory=set)

    def has(self, column: str) -> bool:
        return column in self.values

    def error(self, column: str | None, message: str) -> None:
        if column in self.unreadable:
            return
        self.errors.append(ImportError_(self.file, self.number, column, message))
        self.ok = False

    def text(self, column: str, model_field: models.Field, *, required: bool = False) -> str:
        value = self.values.get(column, "")
        if not value:
            if required:
                self.error(column, str(model_field.error_messages["blank"]))
            return value
        try:
            model_field.run_validators(value)
        except ValidationError as exc:
            for message in exc.messages:
                self.error(column, message)
        return value

    def choice(self, column: str, choices: _Choices) -> str:
        value = self.values.get(column, "")
        if not value:
            self.error(column, "This field cannot be blank.")
            return ""
        code = choices.lookup.get(_normalise(value))
        if code is None:
            self.error(
                column,
                f"'{value}' is not a known {choices.noun}. "
                f"Use one of these codes or labels: {choices.accepted}.",
            )
            return ""
        return code

    def date(self, column: str) -> datetime.date | None:
        value = self.values.get(column, "")
        if not value:
            return None
        try:
            return date_from_text(value)
        except ValueError as exc:
            self.error(column, str(exc))
            return None

    def flag(self, column: str, *, blank: bool | None) -> bool | None:
        """Yes or no: yes/no, y/n, true/false or 1/0 in any case; an empty cell is `blank`."""
        value = self.values.get(column, "")
        if not value:
            return blank
        folded = value.casefold()
        if folded in _YES:
            return True
        if folded in _NO:
            return False
        empty = " or leave it empty" if blank is None else f" (empty means {_yes_no(blank)})"
        self.error(column, f"'{value}' is not yes or no. Use yes, no, true, false, 1 or 0{empty}.")
        return blank

    def score(self, column: str, range_message: str, *, required: bool) -> int | None:
        """A whole number from 1 to 5 (strength, trust)."""
        value = self.values.get(column, "")
        if not value:
            if required:
                self.error(column, f"This field cannot be blank. {range_message}")
            return None
        if not _WHOLE_NUMBER.fullmatch(value):
            self.error(column, f"'{value}' is not a whole number. {range_message}")
            return None
        significant = value.lstrip("+-").lstrip("0")
        digits = len(significant)
        # Thousands of digits are out of range too, and more than int() will read (also
        # behind thousands of leading zeros, so only the significant digits are read).
        sign = -1 if value.startswith("-") else 1
        number = sign * int(significant or "0") if digits <= 12 else None
        if number is None or not 1 <= number <= 5:
            shown = f"A number of {digits:,} digits" if number is None else number
            self.error(column, f"{shown} is out of range. {range_message}")
            return None
        return number


# --- Reading files --------------------------------------------------------------


@dataclass
class _Table:
    file: str
    columns: frozenset[str]
    rows: list[_Row]
    usable: bool  # False when a required column is missing: its rows are not read


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def _decode(
    file: str, data: bytes | str | IO[bytes] | IO[str], errors: list[ImportError_]
) -> str | None:
    if not isinstance(data, bytes | str):
        data = data.read()
    if isinstance(data, str):
        return data.lstrip(BYTE_ORDER_MARK)
    return csv_text(file, data, errors)


def _wide_encoding(data: bytes) -> str | None:
    """ "UTF-16" or "UTF-32" for a file in either, with a byte-order mark or without one
    (then every other byte of its text is a null, which no CSV file holds); else None."""
    if data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return "UTF-32"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "UTF-16"
    start = data[:512]
    if len(start) >= 2 and start.count(0) * 3 >= len(start):
        return "UTF-32" if start.count(0) * 4 >= 3 * len(start) else "UTF-16"
    return None


def csv_text(file: str, data: bytes, errors: list[ImportError_]) -> str | None:
    """A CSV file's text: UTF-8, with byte-order marks or not. Otherwise None, with an
    error naming what the file is instead (UTF-16, Windows-1252), never a guess at it.

    `import_map` and the browser upload both read files through this one function, so
    they describe a file the same way.
    """
    if (wide := _wide_encoding(data)) is not None:
        errors.append(
            ImportError_(
                file, None, None, f'the file is {wide} ("Unicode text"), not UTF-8. {SAVE_AS_UTF8}'
            )
        )
        return None
    try:
        # A mark is never data, and a second one (a file saved with a mark by a program
        # that read it without taking the first off) is as invisible as the first.
        return data.decode("utf-8").lstrip(BYTE_ORDER_MARK)
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
                file,
                None,
                None,
                f"the file {what}: the first character that is not UTF-8 is on line {line}. "
                f'Save it as "CSV UTF-8" and import it again. {SAVE_AS_UTF8}',
            )
        )
        return None


def _numbered_records(
    file: str, data: FileData, errors: list[ImportError_]
) -> list[tuple[int, list[str]]] | None:
    """(row number, cells) of a CSV file or a sheet; None when it cannot be read."""
    if isinstance(data, SheetCells):
        return data.rows
    text = _decode(file, data, errors)
    records = None if text is None else csv_records(file, text, errors)
    return None if records is None else list(enumerate(records, start=1))


def csv_records(file: str, text: str, errors: list[ImportError_]) -> list[list[str]] | None:
    """A CSV text's records as the lenient reader reads them; None, with the problem
    added to errors, when a row cannot be read or a quote is never closed."""
    records: list[list[str]] = []
    try:
        records.extend(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        problem = f"this row cannot be read as CSV ({exc})."
        if "field larger than field limit" in str(exc):
            # Almost always a quote left open in a long file, swallowing what follows.
            problem = (
                f"a cell here is longer than {csv.field_size_limit():,} characters. Most "
                'likely it opens a quote (") that is never closed, so the lines after it '
                "were read into that one cell. Close the quote, or remove it."
            )
        errors.append(ImportError_(file, len(records) + 1, None, problem))
        return None
    if records and _quote_left_open(text):
        # The reader put every line after the opening quote into one cell: say where it
        # opened, rather than report that cell's length and the rows it swallowed.
        header, cells = records[0], records[-1]
        index = len(cells) - 1
        column = header[index].strip() if index < len(header) and len(records) > 1 else None
        errors.append(
            ImportError_(
                file,
                len(records),
                column or _column_letter(index),
                'a cell here opens a quote (") that is never closed, so every line after it '
                "was read into that one cell. Close the quote, or remove it.",
            )
        )
        return None
    return records


def _quote_left_open(text: str) -> bool:
    """Whether the lenient reader ends inside a quoted cell (it does not say so itself).

    Read again with a line of its own added: a closed file reads it as a record of
    its own, an open quote takes it into its cell. Unlike the strict reader, this
    reads past stray quotes the lenient reader tolerates (`"St John's" Hospice`).
    """
    try:
        *_, last = csv.reader(io.StringIO(f"{text}\n{_END}", newline=""))
    except csv.Error:  # the added line made the last cell too long: it was open
        return True
    return last != [_END]


_END = "\x1e"  # a line no file ends with: the record separator


def _read_table(file: str, data: FileData, errors: list[ImportError_]) -> _Table | None:
    """Decode and split one file into rows keyed by column; header problems are errors."""
    records = _numbered_records(file, data, errors)
    if records is None:
        return None
    problems = data.problems if isinstance(data, SheetCells) else {}
    spec = COLUMNS[file]
    derived = DERIVED_COLUMNS.get(file, ())
    expected = ", ".join(spec)
    if not records or records[0][0] != 1 or not any(cell.strip() for cell in records[0][1]):
        errors.append(
            ImportError_(file, 1, None, f"the first row must name the columns: {expected}.")
        )
        return None
    header = records[0][1]
    if (problem := separator_problem(header)) is not None:
        errors.append(ImportError_(file, 1, None, problem))
        return None

    positions: dict[str, int] = {}
    ignored: set[int] = set()
    for index, raw in enumerate(header):
        if (problem := problems.get((1, index))) is not None:
            errors.append(ImportError_(file, 1, _column_letter(index), problem))
            ignored.add(index)
            continue
        name = raw.strip()
        if not name:
            continue
        if (problem := text_problem(name, subject="The column name")) is not None:
            errors.append(ImportError_(file, 1, _column_letter(index), problem))
            ignored.add(index)
            continue
        column = _normalise(name)
        if column not in spec and column not in derived:
            errors.append(
                ImportError_(file, 1, name, f"unknown column. The columns are: {expected}.")
            )
            ignored.add(index)
        elif column in positions:
            errors.append(ImportError_(file, 1, name, repeated_column(positions[column], index)))
            ignored.add(index)
        else:
            positions[column] = index
    missing = [column for column, required in spec.items() if required and column not in positions]
    for column in missing:
        errors.append(ImportError_(file, 1, column, "this required column is missing."))

    rows: list[_Row] = []
    names = {index: column for column, index in positions.items()}
    for number, record in records[1:]:
        cells = [cell.strip() for cell in record]
        # Undo the formula guard our own exports add (exports.safe_cell), so files round-trip.
        cells = [unguard_cell(c) for c in cells]
        unreadable = [index for index in range(len(cells)) if (number, index) in problems]
        if not any(cells) and not unreadable:
            continue  # blank lines, and the empty rows spreadsheets leave at the end
        row = _Row(
            file,
            number,
            {c: cells[i] if i < len(cells) else "" for c, i in positions.items()},
            errors,
        )
        for index in unreadable:
            column = names.get(index) or _column_letter(index)
            row.error(column, problems[(number, index)])
            row.unreadable.add(column)
        known = set(positions.values()) | ignored
        for index, cell in enumerate(cells):
            if cell and index not in known:
                row.error(_column_letter(index), "this cell has a value but no column name.")
        for column, value in row.values.items():
            if (problem := text_problem(value)) is not None:
                row.error(column, problem)
                # The row is refused; later messages that quote the cell must stay storable.
                row.values[column] = strip_refused(value)
        rows.append(row)
    return _Table(file, frozenset(positions), rows, usable=not missing)


def separator_problem(header: list[str]) -> str | None:
    """Advice for a header read as one cell because its columns are separated by
    semicolons (Excel where the comma is the decimal mark) or tabs (its "Text" format)."""
    if len(header) != 1:
        return None
    for separator, name in ((";", "semicolons"), ("\t", "tabs")):
        if separator in header[0]:
            return f"the columns are separated by {name}, not commas. {SAVE_AS_UTF8}"
    return None


def repeated_column(first: int, again: int) -> str:
    """What is wrong with a header naming a column again, by the two columns' indexes."""
    return (
        f"the column appears twice (columns {_column_letter(first)} and {_column_letter(again)})."
    )


# --- References -----------------------------------------------------------------


class _Names:
    """The keys that references may name: those in the bundle's file and in the workspace."""

    def __init__(
        self, noun: str, file: str, in_bundle: set[str] | None, existing: Iterable[str]
    ) -> None:
        self.noun = noun
        self.file = file
        self.in_bundle = in_bundle or set()
        self.file_given = in_bundle is not None
        self.existing = set(existing)
        # When the file cannot be read we cannot tell what it would have defined.
        self.checkable = True
        self._folded: dict[str, str] | None = None

    def check(self, row: _Row, column: str, value: str) -> bool:
        if not value or not self.checkable:
            return False
        if self._known(value):
            return True
        where = f"in {self.file} or in this workspace" if self.file_given else "in this workspace"
        message = f"there is no {self.noun} '{value}' {where}."
        if self._folded is None:
            self._folded = {name.casefold(): name for name in self.in_bundle | self.existing}
        hints = case_hint(value, self._folded) + invisible_hint(value, self._known)
        row.error(column, message + hints)
        return False

    def _known(self, value: str) -> bool:
        return value in self.in_bundle or value in self.existing


def case_hint(value: str, folded: Mapping[str, str], *, keys: str = "Names and refs") -> str:
    """The "Did you mean" hint for a name that differs only in case from one in `folded`
    (casefolded name -> name), to add to a message; else nothing."""
    if (near := folded.get(value.casefold())) is None:
        return ""
    return f" Did you mean '{near}'? ({keys} are case-sensitive.)"


def _first_rows(
    rows: Iterable[_Row], key: Callable[[_Row], Key | None], label: Callable[[Key], str]
) -> list[_Row]:
    """Rows whose key is new in the file; later duplicates are errors on their first column."""
    seen: dict[Key, int] = {}
    unique: list[_Row] = []
    for row in rows:
        row_key = key(row)
        if row_key is None:
            unique.append(row)
            continue
        if row_key in seen:
            first_column = next(iter(COLUMNS[row.file]))
            row.error(
                first_column, f"duplicate: {label(row_key)} is already on row {seen[row_key]}."
            )
            continue
        seen[row_key] = row.number
        unique.append(row)
    return unique


# --- Checking each file ---------------------------------------------------------


def _refuse_case_twins(parsed: list[tuple[_Row, dict[str, Any], str | None]], snap) -> None:
    """A new organisation whose name differs from another only in letter case ("fenwick
    hospitals" beside "Fenwick Hospitals") is a typo that would put two organisations
    on every page: an error naming the one meant."""
    known = {name.casefold(): (name, "in this workspace") for name in snap.organisations}
    for row, _, _ in parsed:
        name = row.values["name"]
        if not name or name in snap.organisations:
            continue
        other, where = known.setdefault(name.casefold(), (name, "in organisations.csv"))
        if other != name:
            row.error(
                "name",
                f"an organisation '{other}' already exists {where}, differing only in "
                f"letter case: this would make a second one. Write '{other}' to mean it.",
            )


def _check_organisations(table: _Table, snap: _Snapshot, names: _Names) -> list[_Op]:
    """Parse organisations.csv and check parents (existence, cycles) and ODS codes."""
    org = Organisation
    parsed: list[tuple[_Row, dict[str, Any], str | None]] = []
    rows = _first_rows(
        table.rows,
        lambda r: (r.values["name"],) if r.values["name"] else None,
        lambda k: f"'{k[0]}'",
    )
    for row in rows:
        name = row.text("name", _field(org, "name"), required=True)
        values: dict[str, Any] = {
            "kind": row.choice("kind", KIND_CHOICES),
            "sector": row.choice("sector", SECTOR_CHOICES),
            "tier": row.choice("tier", TIER_CHOICES),
        }
        if row.has("short_name"):
            values["short_name"] = row.text("short_name", _field(org, "short_name"))
        if row.has("ods_code"):
            # ODS codes are upper case; `rth` is accepted as RTH.
            values["ods_code"] = row.values["ods_code"].upper()
            row.values["ods_code"] = values["ods_code"]
            row.text("ods_code", _field(org, "ods_code"))
        parent = row.values.get("parent") or None
        if parent == name and name:
            row.error("parent", _constraint_message(org, "organisation_not_own_parent"))
        parsed.append((row, values, parent))

    _refuse_case_twins(parsed, snap)
    final_parent = {
        name: snap.organisation_name(existing["parent_id"])
        for name, existing in snap.organisations.items()
    }
    final_ods = {name: existing["ods_code"] for name, existing in snap.organisations.items()}
    for row, values, parent in parsed:
        name = row.values["name"]
        if row.has("parent"):
            if parent and parent != name and not names.check(row, "parent", parent):
                parent = None
            final_parent[name] = parent if parent != name else None
        else:
            final_parent.setdefault(name, None)
        final_ods[name] = values.get("ods_code", final_ods.get(name, ""))

    by_name = {row.values["name"]: row for row, _, _ in parsed}
    _check_parent_cycles(by_name, final_parent)
    _check_ods_codes(by_name, final_ods)

    ops = []
    for row, values, _ in parsed:
        name = row.values["name"]
        existing = snap.organisations.get(name)
        values = {
            "short_name": existing["short_name"] if existing else "",
            "ods_code": existing["ods_code"] if existing else "",
            **values,
            "parent": final_parent[name],
        }
        if existing is not None:
            existing = {**existing, "parent": snap.organisation_name(existing["parent_id"])}
        ops.append((row, _Op((name,), values, existing)))
    return _ops_ok(ops)


def _check_parent_cycles(by_name: dict[str, _Row], parent_of: dict[str, str | None]) -> None:
    """Walk up from every organisation in the file; report each cycle on its rows."""
    done: set[str] = set()
    for start in by_name:
        path: list[str] = []
        on_path: dict[str, int] = {}
        node: str | None = start
        while node is not None and node not in done and node not in on_path:
            on_path[node] = len(path)
            path.append(node)
            node = parent_of.get(node)
        if node is not None and node in on_path:
            cycle = path[on_path[node] :]
            shown = " -> ".join([*cycle, cycle[0]])
            for member in cycle:
                if member in by_name:
                    by_name[member].error("parent", f"this parent would make a cycle: {shown}.")
        done.update(path)


def _check_ods_codes(by_name: dict[str, _Row], final_ods: dict[str, str]) -> None:
    """Each ODS code once per workspace; the error goes on the row that repeats it."""
    holders: dict[str, list[str]] = defaultdict(list)
    # Organisations not in the file first, so a clash is reported on the file's row.
    for name in sorted(final_ods, key=lambda n: by_name[n].number if n in by_name else 0):
        if final_ods[name]:
            holders[final_ods[name]].append(name)
    for code, names in holders.items():
        first = names[0]
        for name in names[1:]:
            if name not in by_name or not by_name[name].has("ods_code"):
                continue
            if first in by_name:
                where = f"'{first}' on row {by_name[first].number}"
            else:
                where = f"'{first}', already in this workspace"
            by_name[name].error(
                "ods_code",
                f"{_constraint_message(Organisation, 'organisation_unique_ods_code')} "
                f"('{code}' is the ODS code of {where}.)",
            )


def _check_people(
    table: _Table, snap: _Snapshot, org_names: _Names
) -> tuple[list[_Op], dict[str, tuple[_Row, str, str | None]]]:
    """Parse people.csv; return person ops and ref -> (row, primary organisation, role)."""
    person = Person
    primaries: dict[str, tuple[_Row, str, str | None]] = {}
    ops = []
    rows = _first_rows(
        table.rows,
        lambda r: (r.values["ref"],) if r.values["ref"] else None,
        lambda k: f"ref '{k[0]}'",
    )
    for row in rows:
        ref = row.text("ref", _field(person, "ref"), required=True)
        values: dict[str, Any] = {"name": row.text("name", _field(person, "name"), required=True)}
        if row.has("job_title"):
            values["job_title"] = row.text("job_title", _field(person, "job_title"))
        values["seniority"] = row.choice("seniority", SENIORITY_CHOICES)
        # The column is required; an empty cell means no primary organisation (as the
        # people export writes it for someone without one).
        organisation = row.text("organisation", _field(Organisation, "name"))
        org_names.check(row, "organisation", organisation)
        role = None
        if row.has("role_title"):
            role = row.text("role_title", _field(Affiliation, "role_title"))
            if role and not organisation:
                row.error(
                    "role_title",
                    "a role title needs an organisation: give the organisation, or leave "
                    "both empty for someone with no primary organisation.",
                )
        if row.has("active"):
            # Empty means active: a person is current unless marked as having left.
            values["active"] = row.flag("active", blank=True)
        if row.has("notes"):
            values["notes"] = row.text("notes", _field(person, "notes"))
        existing = snap.people.get(ref)
        values = {"job_title": existing["job_title"] if existing else "", **values}
        if ref:
            primaries[ref] = (row, organisation, role)
        ops.append((row, _Op((ref,), values, existing)))
    return _ops_ok(ops), primaries


def _check_affiliations(
    table: _Table | None,
    snap: _Snapshot,
    person_refs: _Names,
    org_names: _Names,
    primaries: dict[str, tuple[_Row, str, str | None]],
) -> tuple[list[_Op], dict[tuple[str, str], str]]:
    """Final affiliations from people.csv (primary) and affiliations.csv (the others).

    Returns the affiliation ops and, for each affiliations.csv row's key, its status.
    """
    aff = Affiliation
    final: dict[tuple[str, str], dict[str, Any]] = {}

    def current(key: tuple[str, str]) -> dict[str, Any]:
        if key not in final:
            existing = snap.affiliations.get(key)
            final[key] = (
                {f: existing[f] for f in ("role_title", "is_primary", "start_date", "end_date")}
                if existing
                else {"role_title": "", "is_primary": False, "start_date": None, "end_date": None}
            )
        return final[key]

    # A new primary organisation demotes the old primary affiliation to secondary.
    for ref, (row, organisation, role) in primaries.items():
        if not row.ok:
            continue
        old = snap.primary.get(ref)
        if old is not None and old != organisation:
            current((ref, old))["is_primary"] = False
        if not organisation:
            continue  # no primary organisation: the old one (if any) stays as secondary
        values = current((ref, organisation))
        values["is_primary"] = True
        if role is not None:
            values["role_title"] = role

    statuses: dict[tuple[str, str], str] = {}
    if table is not None:
        rows = _first_rows(
            table.rows,
            lambda r: (
                (r.values["person"], r.values["organisation"])
                if r.values["person"] and r.values["organisation"]
                else None
            ),
            lambda k: f"'{k[0]}' at '{k[1]}'",
        )
        for row in rows:
            ref = row.text("person", _field(Person, "ref"), required=True)
            organisation = row.text("organisation", _field(Organisation, "name"), required=True)
            person_refs.check(row, "person", ref)
            org_names.check(row, "organisation", organisation)
            given: dict[str, Any] = {}
            if row.has("role_title"):
                given["role_title"] = row.text("role_title", _field(aff, "role_title"))
            if row.has("start_date"):
                given["start_date"] = row.date("start_date")
            if row.has("end_date"):
                given["end_date"] = row.date("end_date")
            key = (ref, organisation)
            primary_row = primaries.get(ref)
            if (
                "role_title" in given
                and primary_row is not None
                and primary_row[1] == organisation
                and primary_row[2] is not None
                and primary_row[2] != given["role_title"]
            ):
                row.error(
                    "role_title",
                    f"'{given['role_title']}' differs from the role title "
                    f"'{primary_row[2]}' given for this person's primary organisation "
                    f"in {PEOPLE} row {primary_row[0].number}: make them the same.",
                )
            dates = {**current(key), **given}
            start, end = dates["start_date"], dates["end_date"]
            if start and end and end < start:
                column = "end_date" if "end_date" in given else "start_date"
                message = _constraint_message(aff, "affiliation_end_after_start")
                row.error(column, _dates_named(message, start, end, given, "affiliation"))
            if not row.ok:
                continue
            current(key).update(given)
            existing = snap.affiliations.get(key)
            if existing is None:
                statuses[key] = "created"
            elif any(existing[f] != v for f, v in given.items()):
                statuses[key] = "updated"
            else:
                statuses[key] = "unchanged"

    ops = [_Op(key, values, snap.affiliations.get(key)) for key, values in final.items()]
    return [op for op in ops if op.changed_fields()], statuses


def _check_relationships(table: _Table, snap: _Snapshot, person_refs: _Names) -> list[_Op]:
    rel = Relationship
    strength_message = _constraint_message(rel, "relationship_strength_range")
    trust_message = _constraint_message(rel, "relationship_trust_range")
    ops = []
    parsed = []
    for row in table.rows:
        source = row.text("source", _field(Person, "ref"), required=True)
        target = row.text("target", _field(Person, "ref"), required=True)
        kind = row.choice("kind", RELATIONSHIP_KIND_CHOICES)
        person_refs.check(row, "source", source)
        person_refs.check(row, "target", target)
        if source and source == target:
            row.error("target", _constraint_message(rel, "relationship_no_self_tie"))
        values: dict[str, Any] = {
            "strength": row.score("strength", strength_message, required=True)
        }
        if row.has("trust"):
            values["trust"] = row.score("trust", trust_message, required=False)
        if row.has("observed_on"):
            values["observed_on"] = row.date("observed_on")
            if values["observed_on"] and values["observed_on"] > timezone.localdate():
                row.error("observed_on", observed_later_message(values["observed_on"]))
        for column in ("start_date", "end_date"):
            if row.has(column):
                values[column] = row.date(column)
        if row.has("evidence"):
            values["evidence"] = row.text("evidence", _field(rel, "evidence"))
        if row.has("stale"):
            row.flag("stale", blank=None)  # derived: checked, never stored
        parsed.append((row, (source, target, kind), values))

    keys = {row.number: key for row, key, _ in parsed}
    unique = {
        row.number
        for row in _first_rows(
            [row for row, _, _ in parsed],
            lambda r: keys[r.number] if all(keys[r.number]) else None,
            lambda k: f"{k[0]} -> {k[1]} ({k[2]})",
        )
    }
    for row, key, values in parsed:
        if row.number not in unique:
            continue
        existing = snap.relationships.get(key)
        defaults = {
            "trust": None,
            "observed_on": None,
            "start_date": None,
            "end_date": None,
            "evidence": "",
        }
        if existing:
            defaults = {f: existing[f] for f in defaults}
        merged = {**defaults, **values}
        start, end = merged["start_date"], merged["end_date"]
        if start and end and end < start:
            column = "end_date" if "end_date" in values else "start_date"
            message = _constraint_message(rel, "relationship_end_after_start")
            row.error(column, _dates_named(message, start, end, values, "relationship"))
        ops.append((row, _Op(key, merged, existing)))
    return _ops_ok(ops)


def _dates_named(message: str, start, end, given: dict, noun: str) -> str:
    """The dates-in-order message with both dates, saying which is already recorded."""
    dates = [
        f"{label} {value.isoformat()}"
        + ("" if field in given else f" (already recorded for this {noun})")
        for field, label, value in (("start_date", "start", start), ("end_date", "end", end))
    ]
    return f"{message.rstrip('.')}: {', '.join(dates)}."


def _check_forums(table: _Table, snap: _Snapshot, org_names: _Names) -> list[_Op]:
    """Parse forums.csv: kind, tier and an optional host organisation."""
    ops = []
    rows = _first_rows(
        table.rows,
        lambda r: (r.values["name"],) if r.values["name"] else None,
        lambda k: f"'{k[0]}'",
    )
    for row in rows:
        name = row.text("name", _field(Forum, "name"), required=True)
        values: dict[str, Any] = {
            "kind": row.choice("kind", FORUM_KIND_CHOICES),
            "tier": row.choice("tier", TIER_CHOICES),
        }
        existing = snap.forums.get(name)
        if existing is not None:
            existing = {**existing, "host": snap.organisation_name(existing["host_id"])}
        if row.has("host"):
            host = row.values.get("host") or None
            values["host"] = host if host and org_names.check(row, "host", host) else None
        else:
            values["host"] = existing["host"] if existing else None
        ops.append((row, _Op((name,), values, existing)))
    return _ops_ok(ops)


def _check_forum_members(
    table: _Table, snap: _Snapshot, person_refs: _Names, forum_names: _Names
) -> list[_Op]:
    """Parse forum_members.csv: one seat per (forum, person), seat and dates."""
    ops = []
    rows = _first_rows(
        table.rows,
        lambda r: (
            (r.values["forum"], r.values["person"])
            if r.values["forum"] and r.values["person"]
            else None
        ),
        lambda k: f"{k[1]} on {k[0]}",
    )
    for row in rows:
        forum = row.text("forum", _field(Forum, "name"), required=True)
        ref = row.text("person", _field(Person, "ref"), required=True)
        forum_names.check(row, "forum", forum)
        person_refs.check(row, "person", ref)
        values: dict[str, Any] = {}
        if row.has("seat") and row.values.get("seat"):
            values["seat"] = row.choice("seat", SEAT_CHOICES)
        for column in ("start_date", "end_date"):
            if row.has(column):
                values[column] = row.date(column)
        existing = snap.forum_members.get((forum, ref))
        defaults = {"seat": Seat.VOTING_MEMBER.value, "start_date": None, "end_date": None}
        if existing:
            defaults = {f: existing[f] for f in defaults}
        merged = {**defaults, **values}
        start, end = merged["start_date"], merged["end_date"]
        if start and end and end < start:
            column = "end_date" if "end_date" in values else "start_date"
            row.error(
                column, _constraint_message(ForumMembership, "forummembership_end_after_start")
            )
        ops.append((row, _Op((forum, ref), merged, existing)))
    return _ops_ok(ops)


def _ops_ok(ops: list[tuple[_Row, _Op]]) -> list[_Op]:
    """The ops of rows without errors that create or change something."""
    return [op for row, op in ops if row.ok and op.changed_fields()]


# --- Planning -------------------------------------------------------------------


def _snapshot(workspace: Workspace | None, files: Iterable[str]) -> _Snapshot:
    """The workspace's rows in at most four queries, whatever its size."""
    if workspace is None:
        return _Snapshot()

    def rows(queryset: models.QuerySet) -> list[dict[str, Any]]:
        return list(queryset.values(*(f.attname for f in queryset.model._meta.concrete_fields)))

    organisations = {o["name"]: o for o in rows(Organisation.objects.filter(workspace=workspace))}
    org_names = {o["id"]: name for name, o in organisations.items()}
    people = {p["ref"]: p for p in rows(Person.objects.filter(workspace=workspace))}
    refs = {p["id"]: ref for ref, p in people.items()}
    snap = _Snapshot(organisations=organisations, people=people)
    if PEOPLE in files or AFFILIATIONS in files:
        for a in rows(Affiliation.objects.filter(person__workspace=workspace)):
            key = (refs[a["person_id"]], org_names[a["organisation_id"]])
            snap.affiliations[key] = a
            if a["is_primary"]:
                snap.primary[key[0]] = key[1]
    if RELATIONSHIPS in files:
        for r in rows(Relationship.objects.filter(source__workspace=workspace)):
            snap.relationships[(refs[r["source_id"]], refs[r["target_id"]], r["kind"])] = r
    if FORUMS in files or FORUM_MEMBERS in files:
        snap.forums = {f["name"]: f for f in rows(Forum.objects.filter(workspace=workspace))}
    if FORUM_MEMBERS in files:
        forum_names = {f["id"]: name for name, f in snap.forums.items()}
        for m in rows(ForumMembership.objects.filter(forum__workspace=workspace)):
            snap.forum_members[(forum_names[m["forum_id"]], refs[m["person_id"]])] = m
    return snap


def _canonical_files(files: Mapping[str, FileData], errors: list[ImportError_]) -> dict[str, Any]:
    canonical: dict[str, Any] = {}
    for given, data in files.items():
        name = given.replace("\\", "/").rsplit("/", 1)[-1].strip().casefold()
        if name not in BUNDLE_FILES:
            # import_map and the import page name such a file before planning, in the
            # words of uploads.unknown_file; this guards any other caller.
            errors.append(
                ImportError_(
                    given, None, None, f"unknown file: a bundle holds {', '.join(BUNDLE_FILES)}."
                )
            )
        elif name in canonical:
            errors.append(ImportError_(name, None, None, "the file is given twice."))
        else:
            canonical[name] = data
    if not canonical and not errors:
        errors.append(
            ImportError_(
                "", None, None, f"no files: give at least one of {', '.join(BUNDLE_FILES)}."
            )
        )
    return canonical


def _keys(table: _Table | None, column: str) -> set[str] | None:
    if table is None:
        return None
    return {row.values.get(column, "") for row in table.rows} - {""}


def _column_order(error: ImportError_) -> tuple[int, int, int]:
    files = list(BUNDLE_FILES)
    file_index = files.index(error.file) if error.file in files else -1
    columns = list(COLUMNS.get(error.file, {}))
    column_index = columns.index(error.column) if error.column in columns else len(columns)
    return (file_index, error.row or 0, column_index)


def _summarise(
    ops: list[_Op], rows: list[_Row], key: Callable[[_Row], Key], label: Callable[[Key], str]
) -> FileSummary:
    """Status of each row of a file, by comparing the row's key with the planned ops."""
    changes = {op.key: op for op in ops}
    summary = FileSummary()
    for row in rows:
        row_key = key(row)
        op = changes.get(row_key)
        if op is None:
            summary.unchanged.append(label(row_key))
        elif op.existing is None:
            summary.created.append(label(row_key))
        else:
            summary.updated.append(label(row_key))
    return summary


def bundle_plan(*, workspace: Workspace | None, files: Mapping[str, FileData]) -> BundlePlan:
    """Check a bundle against the workspace (None: a new one); write nothing."""
    errors: list[ImportError_] = []
    canonical = _canonical_files(files, errors)
    tables = {name: _read_table(name, data, errors) for name, data in canonical.items()}
    plan = BundlePlan(
        workspace_slug=workspace.slug if workspace else "",
        workspace_exists=workspace is not None,
        errors=errors,
    )
    snap = plan.snapshot = _snapshot(workspace, tables)
    if errors and not any(tables.values()):
        errors.sort(key=_column_order)
        return plan

    org_table = tables.get(ORGANISATIONS)
    people_table = tables.get(PEOPLE)
    aff_table = tables.get(AFFILIATIONS)
    rel_table = tables.get(RELATIONSHIPS)

    org_names = _Names("organisation", ORGANISATIONS, _keys(org_table, "name"), snap.organisations)
    person_refs = _Names("person with ref", PEOPLE, _keys(people_table, "ref"), snap.people)
    # A file that cannot be read, or lacks a key column, hides what it would define.
    org_names.checkable = ORGANISATIONS not in tables or bool(org_table and org_table.usable)
    person_refs.checkable = PEOPLE not in tables or bool(people_table and people_table.usable)

    primaries: dict[str, tuple[_Row, str, str | None]] = {}
    if org_table is not None and org_table.usable:
        plan.organisations = _check_organisations(org_table, snap, org_names)
    if people_table is not None and people_table.usable:
        plan.people, primaries = _check_people(people_table, snap, org_names)
    aff_statuses: dict[tuple[str, str], str] = {}
    if (aff_table is None or aff_table.usable) and (people_table is None or people_table.usable):
        plan.affiliations, aff_statuses = _check_affiliations(
            aff_table, snap, person_refs, org_names, primaries
        )
    if rel_table is not None and rel_table.usable:
        plan.relationships = _check_relationships(rel_table, snap, person_refs)
    forum_table = tables.get(FORUMS)
    seat_table = tables.get(FORUM_MEMBERS)
    forum_names = _Names("forum", FORUMS, _keys(forum_table, "name"), snap.forums)
    forum_names.checkable = FORUMS not in tables or bool(forum_table and forum_table.usable)
    if forum_table is not None and forum_table.usable:
        plan.forums = _check_forums(forum_table, snap, org_names)
    if seat_table is not None and seat_table.usable:
        plan.forum_members = _check_forum_members(seat_table, snap, person_refs, forum_names)

    errors.sort(key=_column_order)
    if errors:
        return plan

    if org_table is not None:
        plan.summaries[ORGANISATIONS] = _summarise(
            plan.organisations,
            org_table.rows,
            lambda r: (r.values["name"],),
            lambda k: k[0],
        )
    if people_table is not None:
        # A person whose primary organisation or role title changes counts as updated.
        person_ops = {op.key: op for op in plan.people}
        for ref, (_, organisation, role) in primaries.items():
            existing = snap.affiliations.get((ref, organisation))
            moved = snap.primary.get(ref, "") != organisation
            retitled = role is not None and existing is not None and existing["role_title"] != role
            if ref in snap.people and (ref,) not in person_ops and (moved or retitled):
                person_ops[(ref,)] = _Op((ref,), {}, snap.people[ref])
        plan.summaries[PEOPLE] = _summarise(
            list(person_ops.values()),
            people_table.rows,
            lambda r: (r.values["ref"],),
            lambda k: k[0],
        )
    if aff_table is not None:
        summary = FileSummary()
        for key, status in aff_statuses.items():
            getattr(summary, status).append(f"{key[0]} at {key[1]}")
        plan.summaries[AFFILIATIONS] = summary
    if rel_table is not None:
        plan.summaries[RELATIONSHIPS] = _summarise(
            plan.relationships,
            rel_table.rows,
            lambda r: (
                r.values["source"],
                r.values["target"],
                RELATIONSHIP_KIND_CHOICES.lookup[_normalise(r.values["kind"])],
            ),
            lambda k: f"{k[0]} -> {k[1]} ({k[2]})",
        )
    if forum_table is not None:
        plan.summaries[FORUMS] = _summarise(
            plan.forums, forum_table.rows, lambda r: (r.values["name"],), _LABELS[FORUMS]
        )
    if seat_table is not None:
        plan.summaries[FORUM_MEMBERS] = _summarise(
            plan.forum_members,
            seat_table.rows,
            lambda r: (r.values["forum"], r.values["person"]),
            _LABELS[FORUM_MEMBERS],
        )
    plan.versions = _versions(snap, org_table, people_table, aff_statuses, rel_table)
    for file, table, keys, rows in (
        (FORUMS, forum_table, ("name",), snap.forums),
        (FORUM_MEMBERS, seat_table, ("forum", "person"), snap.forum_members),
    ):
        if table is not None:
            found = {tuple(r.values[k] for k in keys) for r in table.rows}
            plan.versions[file] = {
                _LABELS[file](key): [row["id"], row["version"]]
                for key in found
                if (row := rows.get(key[0] if len(key) == 1 else key))
            }
    return plan


# What a row of each file is called in messages, from its key.
_LABELS: dict[str, Callable[[Key], str]] = {
    ORGANISATIONS: lambda k: k[0],
    PEOPLE: lambda k: k[0],
    AFFILIATIONS: lambda k: f"{k[0]} at {k[1]}",
    RELATIONSHIPS: lambda k: f"{k[0]} -> {k[1]} ({k[2]})",
    FORUMS: lambda k: k[0],
    FORUM_MEMBERS: lambda k: f"{k[1]} on {k[0]}",
}
_NOUNS = {
    ORGANISATIONS: "Organisation",
    PEOPLE: "Person",
    AFFILIATIONS: "Affiliation",
    RELATIONSHIPS: "Relationship",
    FORUMS: "Forum",
    FORUM_MEMBERS: "Forum seat",
}
# Rows listed by name when many changed; the count is always given.
_CHANGED_LISTED = 50


def _versions(
    snap: _Snapshot,
    org_table: _Table | None,
    people_table: _Table | None,
    aff_statuses: dict[tuple[str, str], str],
    rel_table: _Table | None,
) -> dict[str, dict[str, list[int]]]:
    """The [id, version] of each existing row that a clean plan read for the files' rows."""

    def read(file: str, keys: Iterable[Key], rows: Mapping) -> dict[str, list[int]]:
        found = ((key, rows.get(key[0] if len(key) == 1 else key)) for key in keys)
        return {_LABELS[file](key): [row["id"], row["version"]] for key, row in found if row}

    versions = {}
    if org_table is not None:
        names = _keys(org_table, "name") or set()
        versions[ORGANISATIONS] = read(ORGANISATIONS, ((n,) for n in names), snap.organisations)
    refs = _keys(people_table, "ref") or set()
    if people_table is not None:
        versions[PEOPLE] = read(PEOPLE, ((r,) for r in refs), snap.people)
    if people_table is not None or aff_statuses:
        # A new primary organisation in people.csv changes the person's other affiliations.
        keys = set(aff_statuses) | {k for k in snap.affiliations if k[0] in refs}
        versions[AFFILIATIONS] = read(AFFILIATIONS, keys, snap.affiliations)
    if rel_table is not None:
        keys = {
            (r.values["source"], r.values["target"],
             RELATIONSHIP_KIND_CHOICES.lookup[_normalise(r.values["kind"])])
            for r in rel_table.rows
        }  # fmt: skip
        versions[RELATIONSHIPS] = read(RELATIONSHIPS, keys, snap.relationships)
    return versions


def bundle_changed_since(
    plan: BundlePlan, versions: Mapping[str, Mapping[str, list[int]]]
) -> list[ImportError_]:
    """The rows this plan would write that were added, edited or deleted since `versions`.

    `versions` is an earlier plan's (a preview's) for the same files: confirming must not
    overwrite, without saying so, an edit made after the uploader checked the import.
    """
    problems = []
    for file, ops in (
        (ORGANISATIONS, plan.organisations),
        (PEOPLE, plan.people),
        (AFFILIATIONS, plan.affiliations),
        (RELATIONSHIPS, plan.relationships),
        (FORUMS, plan.forums),
        (FORUM_MEMBERS, plan.forum_members),
    ):
        seen = versions.get(file, {})
        for op in ops:
            label = _LABELS[file](op.key)
            before = seen.get(label)
            if op.existing is None:
                what = "was deleted after this check; the import would add it back"
                if before is None:
                    continue
            elif before is None:
                what = "was added after this check; the import would change it"
            elif list(before) != [op.existing["id"], op.existing["version"]]:
                what = "was changed after this check; the import would overwrite that change"
            else:
                continue
            # No row: several rows of a file can make one record (a person's affiliations).
            problems.append(ImportError_(file, None, None, f"{_NOUNS[file]} '{label}' {what}."))
    if len(problems) > _CHANGED_LISTED:
        more = len(problems) - _CHANGED_LISTED
        problems = problems[:_CHANGED_LISTED]
        problems.append(ImportError_("", None, None, f"{more} more records changed likewise."))
    return problems


# --- Writing --------------------------------------------------------------------
#
# Rows and their history rows are written in raw, parameterised SQL, many rows per
# statement. Django's bulk_create costs about 10 microseconds per value, and
# simple_history's bulk_create_with_history doubles that (about 40 s of CPU for
# 100,000 relationships); bulk_update builds a CASE with one branch per row and did
# not finish 100,000 updates on SQLite in ten minutes. The history rows written
# here are exactly those simple_history's bulk helpers write ("+" on create, "~" on
# update, with the change reason, date and user).

# Parameters per statement: below SQLite's old default limit (32766) and
# PostgreSQL's (65535).
_MAX_PARAMS = 30_000
# Rows written to one table from which an import refreshes its planner statistics.
ANALYZE_AFTER_ROWS = 500


def _batches(rows: list[dict[str, Any]], width: int) -> Iterable[list[dict[str, Any]]]:
    size = max(1, min(1000, _MAX_PARAMS // width))
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def _row(model: type[models.Model], op: _Op, **resolved: Any) -> dict[str, Any]:
    """Every column's final value (by attname) for one row; defaults for a new row."""
    fields = model._meta.concrete_fields
    if op.existing is not None:
        row = {f.attname: op.existing[f.attname] for f in fields}
    else:
        row = {f.attname: f.get_default() for f in fields if not f.primary_key}
    row.update((name, value) for name, value in op.values.items() if name in row)
    row.update(resolved)
    return row


@dataclass
class _Writer:
    """Inserts and updates many rows at once, each with its history row."""

    user_id: int | None
    date: datetime.datetime
    change_reason: str
    written: Counter[type[models.Model]] = field(default_factory=Counter)  # rows per model

    def insert(
        self, model: type[models.Model], rows: list[dict[str, Any]], key: tuple[str, ...]
    ) -> dict[tuple, int]:
        """Insert rows; return their new ids by `key` (attnames unique among the rows)."""
        if not rows:
            return {}
        qn = connection.ops.quote_name
        columns = list(rows[0])
        pk = model._meta.pk.column
        returning = ", ".join(qn(c) for c in (pk, *key))
        placeholders = "(" + ", ".join(["%s"] * len(columns)) + ")"
        ids: dict[tuple, int] = {}
        with connection.cursor() as cursor:
            for batch in _batches(rows, len(columns)):
                cursor.execute(
                    f"INSERT INTO {qn(model._meta.db_table)} ({', '.join(map(qn, columns))}) "
                    f"VALUES {', '.join([placeholders] * len(batch))} RETURNING {returning}",
                    [row[column] for row in batch for column in columns],
                )
                # Matched by key, not by position: RETURNING promises no order.
                ids.update((tuple(returned[1:]), returned[0]) for returned in cursor.fetchall())
        pk_attname = model._meta.pk.attname
        saved = [{**row, pk_attname: ids[tuple(row[k] for k in key)]} for row in rows]
        self._history(model, saved, "+")
        self.written[model] += len(rows)
        return ids

    def update(self, model: type[models.Model], ops: list[_Op], rows: list[dict[str, Any]]) -> None:
        """Set the fields the ops change; rows are the full final rows, with their ids."""
        if not rows:
            return
        qn = connection.ops.quote_name
        table = qn(model._meta.db_table)
        pk = model._meta.pk
        # Only the changed fields, so as not to overwrite anything else edited meanwhile.
        changed = {name for op in ops for name in op.changed_fields()}
        fields = [f for f in model._meta.concrete_fields if f.name in changed]
        columns = [pk.attname, *(f.attname for f in fields)]
        assignments = [
            f"{qn(f.column)} = {self._cast(f, f'v.column{index}')}"
            for index, f in enumerate(fields, start=2)
        ]
        # The optimistic-locking counter: a form holding the old version must not save
        # over what the import changed. RETURNING gives the history rows the new value.
        version = next((f for f in model._meta.concrete_fields if f.name == "version"), None)
        returning = ""
        if version is not None:
            assignments.append(f"{qn(version.column)} = {table}.{qn(version.column)} + 1")
            returning = f" RETURNING {table}.{qn(pk.column)}, {table}.{qn(version.column)}"
        placeholders = "(" + ", ".join(["%s"] * len(columns)) + ")"
        versions: dict[int, int] = {}
        with connection.cursor() as cursor:
            for batch in _batches(rows, len(columns)):
                cursor.execute(
                    f"UPDATE {table} SET {', '.join(assignments)} "
                    f"FROM (VALUES {', '.join([placeholders] * len(batch))}) AS v "
                    f"WHERE {table}.{qn(pk.column)} = v.column1{returning}",
                    [row[column] for row in batch for column in columns],
                )
                if version is not None:
                    versions.update(cursor.fetchall())
        if version is not None:
            rows = [
                {**row, version.attname: versions.get(row[pk.attname], row[version.attname] + 1)}
                for row in rows
            ]
        self._history(model, rows, "~")
        self.written[model] += len(rows)

    @staticmethod
    def _cast(model_field: models.Field, sql: str) -> str:
        # PostgreSQL types a VALUES column from its literals (an all-NULL column is
        # text); SQLite must not cast, as CAST(... AS date) would make a number.
        if connection.vendor == "postgresql":
            return f"CAST({sql} AS {model_field.cast_db_type(connection)})"
        return sql

    def _history(self, model: type[models.Model], rows: list[dict[str, Any]], kind: str) -> None:
        if not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
            return
        history_model = get_history_model_for_model(model)
        recorded = {
            "history_date": connection.ops.adapt_datetimefield_value(self.date),
            "history_change_reason": self.change_reason,
            "history_type": kind,
            "history_user_id": self.user_id,
        }
        columns = [f.attname for f in history_model._meta.concrete_fields if not f.primary_key]
        unknown = set(columns) - set(recorded) - set(rows[0])
        if unknown:
            raise ImproperlyConfigured(f"Cannot fill history columns {sorted(unknown)}.")
        qn = connection.ops.quote_name
        placeholders = "(" + ", ".join(["%s"] * len(columns)) + ")"
        with connection.cursor() as cursor:
            for batch in _batches(rows, len(columns)):
                cursor.execute(
                    f"INSERT INTO {qn(history_model._meta.db_table)} "
                    f"({', '.join(map(qn, columns))}) "
                    f"VALUES {', '.join([placeholders] * len(batch))}",
                    [row.get(c, recorded.get(c)) for row in batch for c in columns],
                )


def _changed(ops: list[_Op]) -> tuple[list[_Op], list[_Op]]:
    """Ops to create, ops to update."""
    return [op for op in ops if op.existing is None], [op for op in ops if op.existing]


def _apply_organisations(
    writer: _Writer, workspace: Workspace, ops: list[_Op], ids: dict[str, int]
) -> None:
    creates, updates = _changed(ops)
    freed = [
        op.existing["id"]
        for op in updates
        if op.existing["ods_code"] and op.values["ods_code"] != op.existing["ods_code"]
    ]
    if freed:
        # Free changing ODS codes first so organisations may swap codes; the history
        # rows written below record each organisation's final code.
        Organisation.objects.filter(pk__in=freed).update(ods_code="")

    # New organisations are created parents first, one level of depth at a time, so
    # each gets its parent in its first (and only) history row.
    new = {op.key[0]: op for op in creates}
    depth: dict[str, int] = {}
    for name in new:
        chain: list[str] = []
        node: str | None = name
        while node in new and node not in depth:
            chain.append(node)
            node = new[node].values["parent"]
        level = depth.get(node, -1) if node is not None else -1
        for member in reversed(chain):
            level += 1
            depth[member] = level

    def parent_id(op: _Op) -> int | None:
        return ids[op.values["parent"]] if op.values["parent"] else None

    for level in sorted(set(depth.values())):
        rows = [
            _row(Organisation, op, workspace_id=workspace.pk, name=name, parent_id=parent_id(op))
            for name, op in new.items()
            if depth[name] == level
        ]
        ids.update((key[0], pk) for key, pk in writer.insert(Organisation, rows, ("name",)).items())
    rows = [_row(Organisation, op, parent_id=parent_id(op)) for op in updates]
    writer.update(Organisation, updates, rows)


def bundle_apply(
    *, workspace: Workspace, plan: BundlePlan, user: AbstractBaseUser | None = None
) -> None:
    """Write a plan without errors in one transaction, with a history row for each change.

    Apply the plan in the transaction that made it (as `bundle_import` does): it names
    existing rows by the ids it read.
    """
    if plan.errors:
        raise ValueError("A plan with errors cannot be applied.")
    writer = _Writer(
        user_id=user.pk if user is not None else None,
        date=timezone.now(),
        change_reason=plan.change_reason,
    )
    snap = plan.snapshot
    with transaction.atomic():
        org_ids = {name: row["id"] for name, row in snap.organisations.items()}
        _apply_organisations(writer, workspace, plan.organisations, org_ids)

        creates, updates = _changed(plan.people)
        person_ids = {ref: row["id"] for ref, row in snap.people.items()}
        new_people = [_row(Person, op, workspace_id=workspace.pk, ref=op.key[0]) for op in creates]
        person_ids.update(
            (k[0], pk) for k, pk in writer.insert(Person, new_people, ("ref",)).items()
        )
        writer.update(Person, updates, [_row(Person, op) for op in updates])

        def affiliation(op: _Op) -> dict[str, Any]:
            ref, organisation = op.key
            return _row(
                Affiliation, op, person_id=person_ids[ref], organisation_id=org_ids[organisation]
            )

        creates, updates = _changed(plan.affiliations)
        # One primary per person is enforced row by row: demote before promoting.
        for primary in (False, True):
            ops = [op for op in updates if op.values["is_primary"] is primary]
            writer.update(Affiliation, ops, [affiliation(op) for op in ops])
        writer.insert(
            Affiliation, [affiliation(op) for op in creates], ("person_id", "organisation_id")
        )

        def relationship(op: _Op) -> dict[str, Any]:
            source, target, kind = op.key
            return _row(
                Relationship,
                op,
                source_id=person_ids[source],
                target_id=person_ids[target],
                kind=kind,
            )

        creates, updates = _changed(plan.relationships)
        writer.insert(
            Relationship,
            [relationship(op) for op in creates],
            ("source_id", "target_id", "kind"),
        )
        writer.update(Relationship, updates, [relationship(op) for op in updates])
        _apply_forums(writer, workspace, plan, org_ids, person_ids)
        if tables := _tables_to_analyze(writer.written):
            # Fresh planner statistics before the recompute below reads these tables.
            transaction.on_commit(lambda: _tables_analyze(tables), robust=True)
        # Raw writes send no signals: queue the recompute (it runs once, on commit). Seats
        # feed the informal and formal scores and Seats and influence.
        if (
            plan.organisations
            or plan.people
            or plan.affiliations
            or plan.relationships
            or plan.forums
            or plan.forum_members
        ):
            workspace_data_changed(workspace_id=workspace.pk)


def _apply_forums(
    writer: _Writer,
    workspace: Workspace,
    plan: BundlePlan,
    org_ids: dict[str, int],
    person_ids: dict[str, int],
) -> None:
    """Forums, then their seats (issue #18)."""
    forum_ids = {name: row["id"] for name, row in plan.snapshot.forums.items()}

    def forum(op: _Op) -> dict[str, Any]:
        host = op.values["host"]
        return _row(
            Forum,
            op,
            workspace_id=workspace.pk,
            name=op.key[0],
            host_id=org_ids[host] if host else None,
        )

    creates, updates = _changed(plan.forums)
    forum_ids.update(
        (k[0], pk)
        for k, pk in writer.insert(Forum, [forum(op) for op in creates], ("name",)).items()
    )
    writer.update(Forum, updates, [forum(op) for op in updates])

    def seat(op: _Op) -> dict[str, Any]:
        name, ref = op.key
        return _row(ForumMembership, op, forum_id=forum_ids[name], person_id=person_ids[ref])

    creates, updates = _changed(plan.forum_members)
    writer.insert(ForumMembership, [seat(op) for op in creates], ("forum_id", "person_id"))
    writer.update(ForumMembership, updates, [seat(op) for op in updates])


def _tables_to_analyze(written: Mapping[type[models.Model], int]) -> list[str]:
    """The tables, and their history tables, that an import wrote many rows to.

    PostgreSQL only (SQLite plans without statistics). Autovacuum would refresh their
    statistics later; the recompute queued by the import reads them at once, and with
    the statistics of a near-empty table the planner can choose a very slow plan.
    """
    if connection.vendor != "postgresql":
        return []
    return [
        table
        for model, rows in written.items()
        if rows >= ANALYZE_AFTER_ROWS
        for table in (model._meta.db_table, get_history_model_for_model(model)._meta.db_table)
    ]


def _tables_analyze(tables: list[str]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {', '.join(map(connection.ops.quote_name, tables))}")


def workspace_default_name(slug: str) -> str:
    """`north-fenwick` -> `North Fenwick`."""
    return re.sub(r"[-_]+", " ", slug).strip().title()


def bundle_import(
    *,
    workspace_slug: str,
    files: Mapping[str, FileData],
    dry_run: bool = False,
    workspace_name: str = "",
    user: AbstractBaseUser | None = None,
    planner: Callable[..., BundlePlan] | None = None,
) -> BundlePlan:
    """Check a bundle and, unless it has errors or this is a dry run, write it.

    `files` maps file names (organisations.csv, ...) to their contents. A workspace that
    does not exist is created (named `workspace_name` or after its slug). Raises
    ValidationError for a bad slug or name; bundle problems are in `plan.errors`.
    `planner(workspace=..., files=...)` checks the files with the workspace locked:
    bundle_plan unless given (uploads.upload_import gives one for a workbook or a Kumu map).
    """
    Workspace._meta.get_field("slug").run_validators(workspace_slug)
    Workspace._meta.get_field("name").run_validators(workspace_name)
    validate_text(workspace_name)
    try:
        with transaction.atomic():
            # Serialise imports into one workspace: a plan names rows by the ids it read.
            workspaces = Workspace.objects.filter(slug=workspace_slug)
            if not dry_run:
                workspaces = workspaces.select_for_update()
            workspace = workspaces.first()
            plan = (planner or bundle_plan)(workspace=workspace, files=files)
            plan.workspace_slug = workspace_slug
            plan.workspace_name = workspace.name if workspace else ""
            if plan.errors or dry_run:
                if workspace is None:
                    plan.workspace_name = workspace_name or workspace_default_name(workspace_slug)
                return plan
            if workspace is None:
                workspace = Workspace(
                    slug=workspace_slug,
                    name=workspace_name or workspace_default_name(workspace_slug),
                )
                workspace.full_clean()
                workspace.save()
                plan.workspace_name = workspace.name
            bundle_apply(workspace=workspace, plan=plan, user=user)
    except IntegrityError:
        # The checks above mirror every database rule, so this means the workspace
        # changed while the import ran (e.g. an edit in the admin).
        plan.errors.append(
            ImportError_(
                "",
                None,
                None,
                "the database refused the import because the workspace changed while it ran. "
                "Nothing was written; run the import again.",
            )
        )
    return plan
