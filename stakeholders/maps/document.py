"""The influence map as a standalone SVG file: for the downloads and the board pack.

Reads the map (data.map_data) and draws it (drawing.draw_map) the same way as
the page, so the files cannot drift from what is shown on screen.
"""

from django.http import QueryDict
from django.utils import timezone

from stakeholders.maps.data import map_data
from stakeholders.maps.drawing import draw_map
from stakeholders.maps.filters import parse_filters
from stakeholders.models import Workspace
from stakeholders.selectors import current_run
from stakeholders.text import strip_refused


def render_map_svg(*, workspace: Workspace, boundary: str) -> str | None:
    """The current map with default filters as a standalone SVG document (board packs).

    None when the workspace has no scores yet. Same drawing as the page's
    download (svg_document), so the two cannot drift apart.
    """
    run = current_run(workspace_id=workspace.pk)
    if run is None:
        return None
    filters = parse_filters(QueryDict(f"boundary={boundary}"))
    data = map_data(workspace=workspace, run=run, filters=filters, today=timezone.localdate())
    return svg_document({"workspace": workspace, "map": data, "filters": filters})


def svg_document(context: dict, request=None) -> str:
    """The map as a standalone SVG file: legend and caption inside, no links or htmx."""
    body = draw_map(context["map"], boundary=context["filters"].boundary, download=True)
    # XML 1.0 cannot hold some characters even escaped; names stored before the text
    # rule may have them, and one would leave the file, its PNG and the board pack broken.
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + strip_refused(body) + "\n"
