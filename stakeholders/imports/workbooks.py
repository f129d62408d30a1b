"""An Excel workbook (.xlsx) read as a bundle: one sheet per file, cells as CSV text.

A sheet named like a file of the bundle without `.csv` ("people", "Relationships",
"forum members"; "people.csv" too) is that file; other sheets are ignored and named in
the preview. A hidden sheet is read too, and the preview says so. Each cell becomes the
text the same value has in a CSV file, so a workbook and the CSV files saved from it
import the same: a whole number is "3" (not "3.0"), a date cell is YYYY-MM-DD (its time
of day dropped), TRUE and FALSE stay TRUE and FALSE. Formulas count by the value Excel
saved with them (openpyxl's data_only); a formula saved without one, or showing an
Excel error such as #N/A, is a row error.

A workbook is a zip of XML files, so it could hold a zip bomb: its contents are held
to the importer's limit for an unzipped upload before openpyxl opens it (zipfile never
gives more than the size a member declares: see uploads._unzip), and a sheet to its
limit of rows per file. `import_map` reads a workbook without those limits (None).
"""

import datetime
import io
import itertools
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from stakeholders.imports.bundle import BUNDLE_FILES, ImportError_, SheetCells
from stakeholders.text import strip_refused

if TYPE_CHECKING:  # openpyxl is imported when a workbook is read, not with the URL conf
    from openpyxl.cell.read_only import EmptyCell, ReadOnlyCell

WORKBOOK_SUFFIX = ".xlsx"
WORKBOOK_CHANGE_REASON = "Imported from a workbook"  # history, as bundle.CHANGE_REASON
# No file of the bundle has more than ten columns: a row that reaches past this many
# is refused rather than read cell by cell (a sheet's last column is XFD, 16,384).
MAX_COLUMNS = 200

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and any password-protected .xlsx
# A formula element in a sheet's XML (text is escaped there, so this is never data).
_FORMULA = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s/>]")
_NOT_A_WORKBOOK = (
    "this is not an Excel workbook we can open. In Excel choose File > Save As > "
    '"Excel Workbook (*.xlsx)", or save each sheet as "CSV UTF-8" and upload those.'
)
# A merged range in a sheet's XML (read-only sheets do not report them).
_MERGED = re.compile(rb'<(?:[A-Za-z_][\w.-]*:)?mergeCell\s[^>]*ref="([A-Z]+[0-9]+:[A-Z]+[0-9]+)"')
_MAX_MERGED_AWAY = 10_000  # hidden cells listed before a sheet is refused outright
_NO_SAVED_VALUE = (
    "this cell is a formula saved without its value. Open the workbook in Excel, "
    "save it there, and upload it again (or type the value instead of the formula)."
)


@dataclass
class WorkbookBundle:
    """The bundle files a workbook holds, or why it cannot be read."""

    name: str
    files: dict[str, SheetCells] = field(default_factory=dict)
    sheets: dict[str, str] = field(default_factory=dict)  # bundle file -> sheet name
    ignored: list[str] = field(default_factory=list)
    # bundle file -> the state of the hidden sheet it was read from: "hidden" or "veryHidden"
    hidden: dict[str, str] = field(default_factory=dict)
    errors: list[ImportError_] = field(default_factory=list)

    @property
    def notes(self) -> list[str]:
        """What the preview says about the workbook."""
        notes = []
        if self.sheets:
            read = ", ".join(self.sheets[name] for name in BUNDLE_FILES if name in self.sheets)
            notes.append(f"Read from the workbook {self.name}: sheets {read}.")
        for file in BUNDLE_FILES:
            if file in self.hidden:
                notes.append(_hidden_note(self.sheets[file], self.hidden[file]))
        if self.ignored:
            notes.append(
                f"Ignored sheets (not named like a file of the import): {', '.join(self.ignored)}."
            )
        return notes

    def place(self, error: ImportError_) -> ImportError_:
        """An error in a bundle file, named as the sheet it was read from."""
        message = error.message
        for file, sheet in self.sheets.items():
            message = message.replace(file, f"sheet {sheet}")
        file = f"Sheet {self.sheets[error.file]}" if error.file in self.sheets else error.file
        return ImportError_(file, error.row, error.column, message)


def _hidden_note(sheet: str, state: str) -> str:
    """What the preview says of a sheet read although Excel does not show it."""
    # Read, not refused: the preview counts its rows before anything is written, and a
    # "very hidden" sheet cannot be unhidden in Excel, so refusing would leave no way on.
    if state == "veryHidden":
        how = (
            "Excel's Unhide does not list it. To leave its rows out, save the sheets you "
            'mean to import as "CSV UTF-8" and upload those instead.'
        )
    else:
        how = (
            "To see it in Excel, right-click a sheet tab and choose Unhide; to leave its "
            "rows out, delete or rename it and upload the workbook again."
        )
    return f"The sheet '{sheet}' is hidden in the workbook and was read like the others. {how}"


def is_workbook(name: str) -> bool:
    return name.casefold().endswith(WORKBOOK_SUFFIX)


def _bundle_file(sheet: str) -> str | None:
    """The bundle file a sheet holds by its name: `Forum members` is forum_members.csv."""
    name = sheet.strip().casefold().removesuffix(".csv")
    name = re.sub(r"[\s_-]+", "_", name).strip("_")
    return f"{name}.csv" if f"{name}.csv" in BUNDLE_FILES else None


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def _cell_text(cell: "ReadOnlyCell | EmptyCell") -> str | None:
    """The cell as CSV text, or None when it shows an Excel error (#N/A, #REF!...)."""
    value: Any = cell.value
    if value is None:
        return ""
    if cell.data_type == "e":
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"  # as Excel writes them to CSV
    if isinstance(value, float):
        # 15 significant digits, as Excel shows them: 0.1 + 0.2 is 0.3.
        return str(int(value)) if value.is_integer() else f"{value:.15g}"
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return str(value)


class _Refused(Exception):
    """A sheet that is not read at all; the message says why."""


def _merged_away(merged: list[str], max_rows: int | None) -> dict[int, dict[int, str]]:
    """The data cells (row 2 on) that merged ranges hide: row -> column index -> message.

    Excel keeps a merged range's value in its first cell only, so the others read as
    empty: a name merged down two rows would leave the second person without one.
    Header cells may be merged (the header is read from its first cell).
    """
    from openpyxl.utils import range_boundaries

    hidden: dict[int, dict[int, str]] = {}
    count = 0
    for ref in merged:
        first_col, first_row, last_col, last_row = range_boundaries(ref)
        message = (
            f"this cell is part of the merged cells {ref}, so it reads as empty. Unmerge "
            "them and fill in each cell."
        )
        # Rows and columns past the limits are refused anyway; a hostile range
        # (A1:XFD1048576) must not be walked cell by cell.
        last = last_row if max_rows is None else min(last_row, max_rows + 1)
        for row in range(max(first_row, 2), last + 1):
            for col in range(first_col, min(last_col, MAX_COLUMNS) + 1):
                if (row, col) != (first_row, first_col):
                    hidden.setdefault(row, {})[col - 1] = message
                    count += 1
                    if count > _MAX_MERGED_AWAY:
                        raise _Refused(
                            f"merged cells cover more than {_MAX_MERGED_AWAY:,} cells below "
                            "the header, and each reads as empty. Unmerge them and fill in "
                            "each cell."
                        )
    return hidden


def _read_sheet(
    values: Any, formulas: Any | None, max_rows: int | None, merged: list[str] | None = None
) -> tuple[list[tuple[int, list[str]]], dict[tuple[int, int], str]]:
    """(row number, cells) for each row with a cell, and the cells that cannot be read."""
    from openpyxl.utils import get_column_letter

    rows: list[tuple[int, list[str]]] = []
    problems: dict[tuple[int, int], str] = {}
    hidden = _merged_away(merged or [], max_rows)
    # Read-only sheets pad every row to the width the sheet declares; a wrong or hostile
    # declaration (XFD1048576) must not make us read millions of empty cells.
    values.reset_dimensions()
    value_rows: Iterator[tuple] = values.iter_rows()
    formula_rows: Iterator[tuple | None] = itertools.repeat(None)
    if formulas is not None:
        formulas.reset_dimensions()
        # Where a cell is empty here, any value there is a formula: values are enough.
        formula_rows = formulas.iter_rows(values_only=True)
    data_rows = 0
    for number, (cells, formula_cells) in enumerate(
        zip(value_rows, formula_rows, strict=False), start=1
    ):
        if not cells:
            continue
        if len(cells) > MAX_COLUMNS:
            raise _Refused(
                f"row {number} has cells beyond column {get_column_letter(MAX_COLUMNS)}; the "
                f"limit is {MAX_COLUMNS} columns. Delete the columns after the last one you "
                "use, save the workbook and upload it again."
            )
        texts = []
        for index, cell in enumerate(cells):
            text = _cell_text(cell)
            if text is None:
                problems[(number, index)] = (
                    f"the cell shows the Excel error {cell.value}. Correct it, or clear the cell."
                )
                text = ""
            elif (
                not text
                # A formula whose saved value is empty text ("") is typed "str".
                and cell.data_type != "str"
                and formula_cells is not None
                and index < len(formula_cells)
                and formula_cells[index] is not None
            ):
                problems[(number, index)] = _NO_SAVED_VALUE
            texts.append(text)
        for index, message in hidden.get(number, {}).items():
            problems[(number, index)] = message
            texts.extend([""] * (index + 1 - len(texts)))
        used = [i for i, text in enumerate(texts) if text.strip() or (number, i) in problems]
        if not used:
            continue  # empty rows, styled or not, and those Excel leaves at the end
        del texts[used[-1] + 1 :]
        if number > 1:
            data_rows += 1
            if max_rows is not None and data_rows > max_rows:
                raise _Refused(
                    f"the sheet has more than {max_rows:,} rows; the limit is {max_rows:,} per "
                    "sheet. Split it into several workbooks and import them one after another."
                )
        rows.append((number, texts))
    return rows, problems


def _has_formulas(archive: zipfile.ZipFile) -> bool:
    return any(
        _FORMULA.search(archive.read(info))
        for info in archive.infolist()
        if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")
    )


def _open(book: WorkbookBundle, data: bytes, max_bytes: int | None) -> bool:
    """Check the workbook's zip before openpyxl reads it; False (with an error) if refused."""

    def refuse(message: str) -> bool:
        book.errors.append(ImportError_(book.name, None, None, message))
        return False

    if data.startswith(_OLE_MAGIC):
        return refuse(
            "this workbook is protected by a password or saved in the old Excel 97-2003 "
            'format (.xls). In Excel choose File > Save As > "Excel Workbook (*.xlsx)", '
            "without a password, and upload it again."
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError):
        return refuse(_NOT_A_WORKBOOK)
    with archive:
        declared = sum(info.file_size for info in archive.infolist())
        if max_bytes is not None and declared > max_bytes:
            return refuse(
                f"the workbook comes to {_megabytes(declared)} unzipped; the limit is "
                f"{_megabytes(max_bytes)}. Delete the sheets you are not importing, or save "
                'each sheet as "CSV UTF-8" and upload the CSV files (zipped, if you like).'
            )
    return True


def workbook_read(
    *, name: str, data: bytes, max_bytes: int | None, max_rows: int | None
) -> WorkbookBundle:
    """The bundle files of an .xlsx workbook; `book.errors` says why it cannot be read.

    `max_bytes` (unzipped) and `max_rows` (per sheet) are the limits; None is none.
    """
    from openpyxl import load_workbook

    book = WorkbookBundle(name=name)
    if not _open(book, data, max_bytes):
        return book
    workbooks = []
    # openpyxl raises whatever its parsers meet in a damaged or hand-made file (KeyError,
    # ValueError, XML errors...): any of them means the same to the uploader.
    try:
        values = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        workbooks.append(values)
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            formulas_present = _has_formulas(archive)
            merged = {
                title: _MERGED.findall(archive.read(path))
                for title in values.sheetnames
                if (path := getattr(values[title], "_worksheet_path", None))
            }
        formulas = None
        if formulas_present:
            # Read a second time with formulas, only to tell a formula saved without
            # its value from an empty cell (data_only reads both as empty).
            formulas = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
            workbooks.append(formulas)
        _read_sheets(book, values, formulas, max_rows, merged)
    except Exception:
        book.files.clear()
        book.errors.append(ImportError_(name, None, None, _NOT_A_WORKBOOK))
    finally:
        for workbook in workbooks:
            workbook.close()
    return book


def _read_sheets(
    book: WorkbookBundle,
    values: Any,
    formulas: Any | None,
    max_rows: int | None,
    merged: dict[str, list[bytes]],
) -> None:
    titles: list[str] = values.sheetnames
    found: dict[str, str] = {}
    for title in titles:
        shown = strip_refused(title)
        file = _bundle_file(title)
        if file is None:
            book.ignored.append(shown)
        elif file in found:
            book.errors.append(
                ImportError_(
                    book.name,
                    None,
                    None,
                    f"the sheets {strip_refused(found[file])} and {shown} both hold {file}: "
                    "rename or delete one of them.",
                )
            )
        else:
            found[file] = title
    if not found and not book.errors:
        kumu = {title.strip().casefold() for title in titles} & {"elements", "connections"}
        advice = (
            " It looks like a Kumu map: save its Elements and Connections sheets as "
            '"CSV UTF-8" (Elements.csv, Connections.csv) and upload those.'
            if kumu
            else ""
        )
        book.errors.append(
            ImportError_(
                book.name,
                None,
                None,
                "no sheet is named like a file of the import. Name the sheets "
                f"{', '.join(file.removesuffix('.csv') for file in BUNDLE_FILES)} (any of "
                f"them); this workbook has {', '.join(map(strip_refused, titles))}.{advice}",
            )
        )
    if book.errors:
        return
    for file in BUNDLE_FILES:
        if file not in found:
            continue
        title = found[file]
        book.sheets[file] = strip_refused(title)
        sheet = values[title]
        if (state := getattr(sheet, "sheet_state", "visible")) in ("hidden", "veryHidden"):
            book.hidden[file] = state
        if not hasattr(sheet, "iter_rows"):
            book.errors.append(
                ImportError_(f"Sheet {book.sheets[file]}", None, None, "this is a chart sheet.")
            )
            continue
        try:
            rows, problems = _read_sheet(
                sheet,
                formulas[title] if formulas is not None else None,
                max_rows,
                [ref.decode() for ref in merged.get(title, [])],
            )
        except _Refused as refused:
            book.errors.append(ImportError_(f"Sheet {book.sheets[file]}", None, None, str(refused)))
            continue
        book.files[file] = SheetCells(rows, problems)
