"""The influence map as a PNG for board papers, drawn from the same SVG as the download.

resvg (resvg-py, MIT) rasterises the SVG: a self-contained wheel, no system
cairo. The text is set in Arimo (SIL OFL, metrics of Arial, which the page uses),
with DejaVu Sans for other scripts, both shipped in stakeholders/fonts/: system
fonts are ignored, so every server draws the same picture.
"""

from pathlib import Path

import resvg_py

from stakeholders.maps.document import render_map_svg
from stakeholders.models import Workspace

# Twice the SVG's 1,000 user units: 2,000 pixels wide, sharp on a printed A4 page.
SCALE = 2
FONT_FILES = sorted(str(p) for p in (Path(__file__).parent / "fonts").glob("*.ttf"))


def svg_to_png(svg: str, *, scale: int = SCALE) -> bytes:
    """A standalone SVG document (document.svg_document) rasterised at `scale` x its size."""
    return bytes(
        resvg_py.svg_to_bytes(
            svg_string=svg,
            zoom=scale,
            background="white",
            font_files=FONT_FILES,
            skip_system_fonts=True,
            font_family="Arimo",
            sans_serif_family="Arimo",
            shape_rendering="geometric_precision",
            text_rendering="optimize_legibility",
        )
    )


def render_map_png(*, workspace: Workspace, boundary: str) -> bytes | None:
    """The current map with default filters as PNG bytes, legend and caption included.

    Same arguments and default filters as document.render_map_svg (board packs);
    None when the workspace has no scores yet.
    """
    svg = render_map_svg(workspace=workspace, boundary=boundary)
    return None if svg is None else svg_to_png(svg)
