"""Tables as Excel workbooks (.xlsx): the same rows as the CSV, typed, formula-safe.

One sheet per table: the table first (titled by its kind), then its notes on a sheet
named Notes. Written with openpyxl in write-only mode (stakeholders.exports.xlsx_writer,
imported only when a workbook is written), so rows go from the exporter to the file as
they come; only the first few are held, to size the columns.
"""

import datetime
import math
from collections.abc import Iterable
from typing import IO

from django.utils import timezone

from stakeholders.exports.tables import CELL_LIMIT, safe_cell
from stakeholders.text import strip_refused

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NOTES_SHEET = "Notes"
# Columns are sized to the header and this many rows (a whole table would have to be
# held to measure it all), between these widths in characters.
SIZED_ROWS = 200
MIN_WIDTH, MAX_WIDTH = 8, 60
# Excel's limit on a sheet's title, and the characters it refuses there.
SHEET_TITLE_LIMIT = 31
_NOT_IN_TITLES = str.maketrans({c: "-" for c in "[]:*?/\\"})

type Sheet = tuple[str, Iterable[tuple]]


def xlsx_value(value: object) -> object:
    """A CSV cell as Excel holds it: numbers and dates typed, text as safe_cell makes it.

    None, "", and numbers that are not finite, are empty cells; Yes/No stay words, as in the
    CSV. Text loses the characters XML cannot hold and is cut at Excel's cell limit.
    """
    if value is None or value == "" or (isinstance(value, float) and not math.isfinite(value)):
        return None
    if isinstance(value, bool):
        return safe_cell(value)
    if isinstance(value, int | float):
        return value
    if isinstance(value, datetime.datetime):
        # Excel has no time zones: the local time, as the pages show it.
        return timezone.localtime(value).replace(tzinfo=None) if value.tzinfo else value
    if isinstance(value, datetime.date):
        return value
    # Stripped before the guard, so that a dropped character cannot uncover an "=".
    return safe_cell(strip_refused(str(value)))[:CELL_LIMIT]


def write_xlsx(sheets: Iterable[Sheet], out: IO[bytes]) -> None:
    """Write each (title, rows) as a sheet, rows header first: bold, frozen header."""
    from stakeholders.exports.xlsx_writer import write_workbook  # openpyxl, when needed

    write_workbook(sheets, out)


__all__ = ["CONTENT_TYPE", "NOTES_SHEET", "write_xlsx", "xlsx_value"]
