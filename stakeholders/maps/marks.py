"""What the influence map is drawn from: nodes, edges, discs and key items as plain values.

stakeholders/maps/data.py fills a MapData from the stored layout and scores;
stakeholders/maps/drawing.py turns it into SVG markup, escaping all text.
The shape and label helpers are shared with the person panel's ego map.
"""

import math
from dataclasses import dataclass, field

from stakeholders.analysis.inputs import LAYOUT_BOX
from stakeholders.models import RelationshipKind, Sector, Tier

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
    rank: int = 0  # order in the key: sectors and tiers as the models list them


# Colour by sector (the default): the Okabe-Ito palette (Okabe and Ito, "Color
# Universal Design", 2008), whose hues stay apart for people with protanopia,
# deuteranopia and tritanopia. Several are light (orange is 2.3:1 against white),
# so every node and key swatch has a dark outline (15:1 against the map's white
# and its light discs, WCAG 1.4.11) and each sector has its own shape as well:
# colour is never the only cue.
SECTOR_STYLES = {
    Sector.NHS: ("#0072b2", "circle"),  # blue
    Sector.LOCAL_GOVERNMENT: ("#d55e00", "square"),  # vermilion
    Sector.SOCIAL_CARE: ("#009e73", "triangle"),  # bluish green
    Sector.VCSE: ("#e69f00", "diamond"),  # orange
    Sector.NATIONAL_BODY: ("#56b4e9", "inverted triangle"),  # sky blue
    Sector.OTHER: ("#cc79a7", "hexagon"),  # reddish purple
}
# Colour by tier: five steps of viridis (perceptually even, ordered dark to light,
# readable with every common colour-vision deficiency), national darkest; with
# the same dark outlines and one shape per tier.
TIER_STYLES = {
    Tier.NATIONAL: ("#440154", "inverted triangle"),
    Tier.REGIONAL: ("#3b528b", "diamond"),
    Tier.SYSTEM: ("#21918c", "circle"),
    Tier.PLACE: ("#5ec962", "square"),
    Tier.NEIGHBOURHOOD: ("#fde725", "triangle"),
}
# Colour by organisation: many groups, so colours repeat; each at least 4.5:1
# against white (tests check), paired with a shape.
ORGANISATION_PALETTE = (
    "#005eb8",  # blue
    "#b3401b",  # vermilion
    "#00703c",  # green
    "#8c2a7a",  # purple-pink
    "#7a5c00",  # ochre
    "#4c2c92",  # violet
    "#a4123f",  # crimson
    "#006778",  # teal
)
ORGANISATION_SHAPES = ("circle", "square", "triangle", "diamond", "inverted triangle")
NO_GROUP_COLOUR = "#4c6272"  # grey-blue: no organisation, so no sector or tier
OUTLINE = "#212b32"


def colour_styles(
    colour: str, organisations: dict[int, tuple[str, str, str, str]]
) -> dict[int | None, GroupStyle]:
    """Each organisation's node style when the map is coloured by `colour`; None: no organisation.

    `organisations` maps id -> (name, short name, sector, tier). Sectors and tiers
    keep the models' order (national to neighbourhood, never alphabetical).
    """
    if colour == "organisation":
        ordered = sorted(organisations.items(), key=lambda kv: (kv[1][0].casefold(), kv[0]))
        styles: dict[int | None, GroupStyle] = {
            pk: GroupStyle(
                str(pk),
                values[0],
                ORGANISATION_PALETTE[i % len(ORGANISATION_PALETTE)],
                ORGANISATION_SHAPES[i % len(ORGANISATION_SHAPES)],
                i,
            )
            for i, (pk, values) in enumerate(ordered)
        }
    else:
        index, choices, table = (
            (3, Tier, TIER_STYLES) if colour == "tier" else (2, Sector, SECTOR_STYLES)
        )
        ranks = {value: i for i, value in enumerate(choices.values)}
        styles = {}
        for pk, values in organisations.items():
            key = values[index]
            fill, shape = table.get(key, (NO_GROUP_COLOUR, "circle"))
            label = choices(key).label if key in ranks else key
            styles[pk] = GroupStyle(key, label, fill, shape, ranks.get(key, len(ranks)))
    styles[None] = GroupStyle("", "No organisation", NO_GROUP_COLOUR, "circle", 10_000)
    return styles


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
    focus: str = ""  # "focus", "near" or "dim" while a person is in focus (maps.focus)


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
    crossing: bool = True  # joins two different groups of the boundary
    # The people it joins (organisation view: organisations, -1 for none), and
    # "focus" or "dim" while a person is in focus (maps.focus).
    source: int | None = None
    target: int | None = None
    focus: str = ""


@dataclass(frozen=True)
class Disc:
    x: float
    y: float
    r: float
    label: str
    full_label: str
    label_shown: bool = True
    label_y: float = 0.0
    pk: int | None = None  # the organisation (None: people with no organisation)


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
    crossing: bool = True  # a line sample: across the boundary (dark) or inside (light)
    heading: bool = False


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
    # Issue #13: the tier view's bands (maps.arrange.BandMark), the person in focus
    # (None: nobody) and why nobody is, when the address asked for someone not drawn.
    bands: list = field(default_factory=list)
    focus: int | None = None
    focus_note: str = ""


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
    if shape == "hexagon":
        h = r * 1.1
        return (
            "M"
            + "L".join(
                f"{x + h * math.cos(a):.1f} {y + h * math.sin(a):.1f}"
                for a in (i * math.pi / 3 for i in range(6))
            )
            + "Z"
        )
    big = r * 1.35
    sign = 1 if shape == "triangle" else -1
    points = [
        (x + big * math.cos(a), y - sign * big * math.sin(a))
        for a in (math.pi / 2, math.pi / 2 + 2 * math.pi / 3, math.pi / 2 + 4 * math.pi / 3)
    ]
    return "M" + "L".join(f"{px:.1f} {py:.1f}" for px, py in points) + "Z"
