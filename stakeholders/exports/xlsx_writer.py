"""Writing a workbook with openpyxl: imported only when a workbook is written.

openpyxl (and numpy, which it loads) costs about 0.2 s to import, so the URL conf
and every command reach it only through stakeholders.exports.xlsx.write_xlsx.
"""

import datetime
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import IO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from stakeholders.exports.tables import safe_cell
from stakeholders.exports.xlsx import (
    _NOT_IN_TITLES,
    MAX_WIDTH,
    MIN_WIDTH,
    SHEET_TITLE_LIMIT,
    SIZED_ROWS,
    Sheet,
    xlsx_value,
)


def _text_cell(sheet: WriteOnlyWorksheet, text: str, font: Font | None = None) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=text)
    # Always a string: never a formula ("=..."), nor an error value ("#N/A").
    cell.data_type = "s"
    if font is not None:
        cell.font = font
    return cell


def _number_cell(sheet: WriteOnlyWorksheet, number: float) -> WriteOnlyCell:
    # openpyxl writes numbers to 16 significant digits, which changes the last digit of
    # some doubles (_cell asks): write the shortest text that reads back exactly.
    cell = WriteOnlyCell(sheet, value=repr(number))
    cell.data_type = "n"
    return cell


def _cell(sheet: WriteOnlyWorksheet, value: object) -> object:
    if isinstance(value, str):
        # openpyxl reads text starting "=" as a formula and "#N/A" and the like as error
        # values: those are made cells of text. Other text goes as it is (a cell each
        # would double the time a large table takes).
        return _text_cell(sheet, value) if value[:1] == "=" or value in ERROR_CODES else value
    if isinstance(value, float) and float(f"{value:.16g}") != value:
        return _number_cell(sheet, value)
    return value


def _width(value: object) -> int:
    if isinstance(value, datetime.date):
        return 10
    return max((len(line) for line in str(value).splitlines()), default=0)


def _write_sheet(workbook: Workbook, title: str, rows: Iterable[tuple]) -> None:
    sheet = workbook.create_sheet(title.translate(_NOT_IN_TITLES)[:SHEET_TITLE_LIMIT])
    rows = iter(rows)
    head = next(rows, ())
    first = [[xlsx_value(v) for v in row] for row in islice(rows, SIZED_ROWS)]
    for index in range(len(head)):
        longest = max(
            (_width(row[index]) for row in first if index < len(row) and row[index] is not None),
            default=0,
        )
        width = min(max(len(str(head[index])), longest) + 2, MAX_WIDTH)
        sheet.column_dimensions[get_column_letter(index + 1)].width = max(width, MIN_WIDTH)
    sheet.freeze_panes = "A2"  # the header stays in view
    bold = Font(bold=True)
    sheet.append([_text_cell(sheet, str(safe_cell(v)), bold) for v in head])

    def typed() -> Iterator[list]:
        yield from first
        for row in rows:
            yield [xlsx_value(v) for v in row]

    for row in typed():
        sheet.append([_cell(sheet, v) for v in row])


def write_workbook(sheets: Iterable[Sheet], out: IO[bytes]) -> None:
    """Write each (title, rows) as a sheet, rows header first: bold, frozen header."""
    workbook = Workbook(write_only=True)
    for title, rows in sheets:
        _write_sheet(workbook, title, rows)
    workbook.save(out)
