"""The influence map as a standalone SVG file: for the downloads and the board pack.

Reads the map (data.map_data) and draws it (drawing.draw_map) the same way as
the page, so the files cannot drift from what is shown on screen.
"""

import dataclasses
import datetime

from django.http import QueryDict
from django.utils import timezone

from stakeholders.maps.data import map_data
from stakeholders.maps.drawing import draw_map
from stakeholders.maps.filters import parse_filters
from stakeholders.models import ScoreRun, Workspace
from stakeholders.selectors import current_run
from stakeholders.text import strip_refused


def render_map_svg(
    *,
    workspace: Workspace,
    boundary: str,
    colour: str = "sector",
    run: ScoreRun | None = None,
    layout_run: ScoreRun | None = None,
    as_of: datetime.date | None = None,
    layout: str = "",
    person: int | None = None,
) -> str | None:
    """The map with default filters as a standalone SVG document (board packs).

    `layout` ("tiers") and `person` (in focus) as on screen (issue #13).

    `colour`: what node colours show (filters.COLOURS), as chosen on the map. `run`:
    the scores drawn (default: today's), at the positions of `layout_run` (default:
    `run`'s own), with the ties in force on `as_of` (default: today).

    None when the workspace has no scores yet. Same drawing as the page's
    download (svg_document), so the two cannot drift apart.
    """
    run = run or current_run(workspace_id=workspace.pk)
    if run is None or (layout_run is None and not run.person_positions.exists()):
        return None
    filters = parse_filters(QueryDict(f"boundary={boundary}&colour={colour}"))
    filters = dataclasses.replace(filters, as_of=as_of, layout=layout, person=person)
    data = map_data(
        workspace=workspace,
        run=run,
        filters=filters,
        today=timezone.localdate(),
        layout_run=layout_run,
    )
    return svg_document({"workspace": workspace, "map": data, "filters": filters})


def svg_document(context: dict, request=None) -> str:
    """The map as a standalone SVG file: legend and caption inside, no links or htmx."""
    body = draw_map(context["map"], boundary=context["filters"].boundary, download=True)
    # XML 1.0 cannot hold some characters even escaped; names stored before the text
    # rule may have them, and one would leave the file, its PNG and the board pack broken.
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + strip_refused(body) + "\n"
