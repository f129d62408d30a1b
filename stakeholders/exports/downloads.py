"""One table as a download, CSV or .xlsx: the responses every feature's views send.

A CSV streams from the database cursor to the client. A workbook cannot be sent
before it is finished (it is a zip), so it is written to a temporary file that stays
in memory while small and moves to disk when large, then sent from there.
"""

import datetime
import tempfile
from collections.abc import Iterable

from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.utils.http import content_disposition_header

from stakeholders.exports import xlsx
from stakeholders.exports.tables import csv_chunks, export_filename
from stakeholders.models import Workspace

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
# The file format a table downloads as: the URL's extension.
TABLE_FORMATS = ("csv", "xlsx")
# A workbook stays in memory up to this size, then spills to a temporary file.
IN_MEMORY_BYTES = 8 * 1024 * 1024


def csv_response(rows: Iterable[tuple], filename: str) -> HttpResponse:
    """Rows (header first) as a streamed, formula-safe CSV attachment."""
    response = StreamingHttpResponse(csv_chunks(rows), content_type=CSV_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def xlsx_response(
    rows: Iterable[tuple], notes: Iterable[tuple], *, sheet: str, filename: str
) -> HttpResponse:
    """Rows as a workbook attachment: the table on sheet `sheet`, then the Notes sheet."""
    # Not a `with`: the response sends the file and then closes it.
    out = tempfile.SpooledTemporaryFile(max_size=IN_MEMORY_BYTES)  # noqa: SIM115
    try:
        xlsx.write_xlsx([(sheet, rows), (xlsx.NOTES_SHEET, notes)], out)
    except BaseException:
        out.close()
        raise
    out.seek(0)
    return FileResponse(out, as_attachment=True, filename=filename, content_type=xlsx.CONTENT_TYPE)


def table_download(
    rows: Iterable[tuple],
    *,
    fmt: str,
    workspace: Workspace,
    kind: str,
    day: datetime.date,
    qualifiers: Iterable[str] = (),
    notes: Iterable[tuple] = (),
) -> HttpResponse:
    """A page's table as `fmt` (csv or xlsx), named for what it holds and the day.

    `notes` (header first) go on the workbook's Notes sheet; a CSV has them as a
    separate download, where there is one.
    """
    filename = export_filename(
        workspace=workspace, kind=kind, day=day, qualifiers=qualifiers, extension=fmt
    )
    if fmt == "xlsx":
        return xlsx_response(rows, notes, sheet=kind, filename=filename)
    return csv_response(rows, filename)


__all__ = ["CSV_CONTENT_TYPE", "TABLE_FORMATS", "csv_response", "table_download", "xlsx_response"]
