"""What the influence map is drawn from: nodes, edges, discs and key items as plain values.

stakeholders/maps/data.py fills a MapData from the stored layout and scores;
stakeholders/maps/drawing.py turns it into SVG markup, escaping all text.
The shape and label helpers are shared with the person panel's ego map.
"""

import math
from dataclasses import dataclass, field

from stakeholders.analysis.inputs import LAYOUT_BOX
from stakeholders.models import RelationshipKind

# Kind -> (label, SVG stroke-dasharray or "", directed).
EDGE_STYLES = {
    RelationshipKind.COLLABORATES: ("Collaborates with (solid)", "", False),
    RelationshipKind.TRUSTS: ("Trusts (dashed)", "8 5", True),
    RelationshipKind.REPORTS_TO: ("Reports to (dotted)", "2 4", True),
    RelationshipKind.INFLUENCES: ("Influences (dash-dot)", "10 4 2 4", True),
}

WIDTH = int(LAYOUT_BOX)


@dataclass(frozen=True)
class GroupStyle:
    key: str
    label: str
    colour: str
    shape: str


@dataclass(frozen=True)
class Node:
    """A person (people view) or an organisation (organisation view)."""

    pk: int | None
    label: str
    short_label: str
    x: float
    y: float
    r: float
    path: str
    style: GroupStyle
    aria_label: str
    broker: bool = False
    broker_score: float = 0.0
    job_title: str = ""
    organisation: str = ""
    ties: int = 0
    people: int = 0
    stale_ties: int = 0
    importance: float = 0.0  # who is named first when labels would overlap
    label_x: float = 0.0  # where the label's middle sits (set with short_label)
    label_y: float = 0.0


@dataclass(frozen=True)
class Edge:
    x1: float
    y1: float
    x2: float
    y2: float
    kind: str
    dash: str
    width: float
    directed: bool
    count: int = 1
    stale: bool = False


@dataclass(frozen=True)
class Disc:
    x: float
    y: float
    r: float
    label: str
    full_label: str
    label_shown: bool = True
    label_y: float = 0.0


@dataclass(frozen=True)
class LegendItem:
    x: float
    y: float
    text: str
    style: GroupStyle | None = None
    path: str = ""
    dash: str = ""
    directed: bool = False
    stale: bool = False


@dataclass
class MapData:
    mode: str  # "people" or "organisations"
    nodes: list[Node]
    edges: list[Edge]
    discs: list[Disc]
    legend: list[LegendItem]
    legend_top: float
    height: float
    view_box: str  # the map's initial viewBox: the drawn nodes and labels, with a margin
    # Map labels shrink as the first view zooms in, so they stay about 12px.
    text_scale: float

    @property
    def label_font(self) -> float:
        return round(12 * self.text_scale, 1)

    @property
    def disc_font(self) -> float:
        return round(14 * self.text_scale, 1)

    @property
    def halo(self) -> float:
        return round(3 * self.text_scale, 1)

    caption: list[str]
    organisations: list[tuple[int, str]]  # for the filter: (id, name)
    organisation_name: str = ""
    hidden_groups: int = 0
    unplaced: int = 0  # people entered since the scores (not on the map yet)
    notes: list[str] = field(default_factory=list)
    stale_months: int | None = None  # retention on: ties older than this are stale
    stale_ties: int = 0  # stale ties among those matching the filters


def short_label(text: str, limit: int) -> str:
    """Text cut to whole words within `limit` characters, with an ellipsis if cut.

    Whole words keep every visible word inside the node's accessible name
    (WCAG 2.5.3, label in name); a word longer than the limit is kept whole.
    """
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    if " " not in head:
        return text.split(" ", 1)[0] + "…"
    return head.rsplit(" ", 1)[0].rstrip(" ,;:-–") + "…"


def shape_path(shape: str, x: float, y: float, r: float) -> str:
    """An SVG path for a node of about equal area whatever its shape."""
    if shape == "circle":
        arc = f"a{r:.1f} {r:.1f} 0 1 0"
        return f"M{x - r:.1f} {y:.1f}{arc} {2 * r:.1f} 0{arc} {-2 * r:.1f} 0Z"
    if shape == "square":
        s = r * 0.886
        return f"M{x - s:.1f} {y - s:.1f}h{2 * s:.1f}v{2 * s:.1f}h{-2 * s:.1f}Z"
    if shape == "diamond":
        d = r * 1.25
        return f"M{x:.1f} {y - d:.1f}L{x + d:.1f} {y:.1f}L{x:.1f} {y + d:.1f}L{x - d:.1f} {y:.1f}Z"
    big = r * 1.35
    sign = 1 if shape == "triangle" else -1
    points = [
        (x + big * math.cos(a), y - sign * big * math.sin(a))
        for a in (math.pi / 2, math.pi / 2 + 2 * math.pi / 3, math.pi / 2 + 4 * math.pi / 3)
    ]
    return "M" + "L".join(f"{px:.1f} {py:.1f}" for px, py in points) + "Z"
