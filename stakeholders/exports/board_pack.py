"""The board pack: the tables a board paper needs, their notes and the map, in one zip."""

import datetime
import io
import logging
import tempfile
import zipfile
from collections.abc import Iterable
from typing import IO

from django.utils import timezone

from stakeholders.exports.tables import (
    BOARD_PACK_KINDS,
    board_pack_notes_rows,
    export_rows,
    write_csv,
)
from stakeholders.maps.document import render_map_svg
from stakeholders.maps.png import svg_to_png
from stakeholders.models import ScoreRun, Workspace

logger = logging.getLogger(__name__)

# The pack is built before it is sent; past this size it spills to disk.
PACK_IN_MEMORY = 8 * 1024 * 1024
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _svg_or_none(*, workspace: Workspace, boundary: str, colour: str, **scores) -> str | None:
    """The map as SVG text; None if it cannot be drawn. `scores`: render_map_svg's
    run, layout_run and as_of (the scores the pack holds)."""
    try:
        svg = render_map_svg(workspace=workspace, boundary=boundary, colour=colour, **scores)
    except Exception as exc:
        # The pack is still worth having without the map; the notes say it is missing.
        # Only the error's type is logged: its text could name people.
        logger.warning("Board pack map failed for workspace %s: %s", workspace.pk, type(exc))
        return None
    return svg if isinstance(svg, str) and svg.strip() else None


def _png_or_none(svg: str, *, workspace: Workspace) -> bytes | None:
    """The board pack's map.svg as PNG (drawn from the same SVG); None if it cannot be."""
    try:
        png = svg_to_png(svg)
    except Exception as exc:
        # As for the SVG: the pack goes out without the image and the notes say so.
        logger.warning("Board pack PNG failed for workspace %s: %s", workspace.pk, type(exc))
        return None
    return png if isinstance(png, bytes) and png.startswith(PNG_SIGNATURE) else None


def _map_note(svg: str | None, png: bytes | None) -> str:
    if svg is None:
        return "Map not included: the map could not be rendered for the board pack"
    if png is None:
        return (
            "map.svg: the map as it is shown on screen (map.png not included: the map could "
            "not be drawn as an image)"
        )
    return (
        "map.svg and map.png: the map as it is shown on screen (the PNG for documents "
        "and slides, the SVG to print at any size)"
    )


def board_pack_zip(
    *,
    workspace: Workspace,
    run: ScoreRun,
    boundary: str,
    brokers_filters: dict[str, str],
    shown: str,
    now,
    map_colour: str = "sector",
    map_layout_run: ScoreRun | None = None,
    as_of: datetime.date | None = None,
    map_view: dict | None = None,
) -> IO[bytes]:
    """The pack as a file positioned at its start; the caller streams and closes it.

    `brokers_filters` (sort, group) and `shown` (them in words) are the brokers page's.
    The map draws `run`'s scores at `map_layout_run`'s positions (default: its own),
    with the ties in force on `as_of` (default: today); `map_view`: the map's layout
    ("tiers") and person in focus, as on screen (render_map_svg).
    """
    svg = _svg_or_none(
        **{k: v for k, v in (map_view or {}).items() if v},
        workspace=workspace,
        boundary=boundary,
        colour=map_colour,
        run=run,
        layout_run=map_layout_run,
        as_of=as_of,
    )
    png = _png_or_none(svg, workspace=workspace) if svg is not None else None
    spool = tempfile.SpooledTemporaryFile(max_size=PACK_IN_MEMORY)  # noqa: SIM115
    try:
        with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_DEFLATED) as pack:
            # Every file is dated when the pack was made (a bare name would be 1980-01-01).
            made = timezone.localtime(now).timetuple()[:6]

            def member(name: str, compress: int = zipfile.ZIP_DEFLATED) -> zipfile.ZipInfo:
                info = zipfile.ZipInfo(name, date_time=made)
                info.compress_type = compress
                return info

            def add(name: str, rows: Iterable[tuple]) -> None:
                with pack.open(member(name), "w") as raw:
                    out = io.TextIOWrapper(raw, encoding="utf-8", newline="")
                    write_csv(rows, out)
                    out.flush()
                    out.detach()

            for kind in BOARD_PACK_KINDS:
                filters = brokers_filters if kind == "brokers" else {}
                add(
                    f"{kind}.csv",
                    export_rows(kind, workspace=workspace, run=run, boundary=boundary, **filters),
                )
            notes = board_pack_notes_rows(
                workspace=workspace,
                run=run,
                boundary=boundary,
                now=now,
                shown=f"brokers.csv: {shown}" if shown else "",
                map_note=_map_note(svg, png),
            )
            add("notes.csv", notes)
            if svg is not None:
                pack.writestr(member("map.svg"), svg)
            if png is not None:
                # Already compressed: stored as it is.
                pack.writestr(member("map.png", zipfile.ZIP_STORED), png)
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    return spool
