"""The words around the influence map: the caption above it and the key below it.

Built from what the map draws (marks.Node values) and the filters that chose it;
stakeholders/maps/drawing.py places and escapes them.
"""

import datetime
import math

from stakeholders.maps.filters import COLOURS, SIZES, MapFilters
from stakeholders.maps.marks import (
    EDGE_STYLES,
    WIDTH,
    GroupStyle,
    LegendItem,
    Node,
    shape_path,
    short_label,
)
from stakeholders.models import Boundary, RelationshipKind, ScoreRun, Sector, Tier, Workspace

CAPTION_HEIGHT = 64
LEGEND_COLUMNS = 3
LEGEND_ROW = 24
LEGEND_MAX_GROUPS = 36


def caption(
    *,
    workspace: Workspace,
    run: ScoreRun,
    filters: MapFilters,
    mode: str,
    organisation_name: str,
    today: datetime.date,
) -> list[str]:
    """The caption's three lines: what is drawn, the filters, where the positions come from."""
    return [
        f"{workspace.name}: influence map of "
        + ("organisations" if mode == "organisations" else "people")
        + f", drawn {today:%-d %B %Y}.",
        _filter_words(filters, organisation_name) + ".",
        f"Positions and scores from the scores of {run.created_at:%-d %B %Y %H:%M}"
        + (
            " (all people, all ties, and shared forum seats counted as ties; the lines"
            " drawn are recorded relationships)"
            if (run.options or {}).get("formal")
            else " (all people, all ties)"
        )
        + "; filters only choose what is drawn.",
    ]


def _filter_words(filters: MapFilters, organisation_name: str) -> str:
    words = [f"groups by {Boundary(filters.boundary).label.lower()}"]
    if organisation_name:
        words.append(f"{organisation_name} and its direct ties")
    if filters.sector:
        words.append(f"sector {Sector(filters.sector).label}")
    if filters.tier:
        words.append(f"tier {Tier(filters.tier).label}")
    if filters.kinds != tuple(RelationshipKind.values):
        words.append("ties: " + ", ".join(RelationshipKind(k).label.lower() for k in filters.kinds))
    if filters.min_strength > 1:
        words.append(f"strength {filters.min_strength} or more")
    if filters.crossing == "only":
        words.append(f"only ties across {Boundary(filters.boundary).label.lower()}s")
    if filters.as_of:
        words.append(f"the map as it was on {filters.as_of:%-d %B %Y}")
    words.append(f"sized by {SIZES[filters.size]}")
    words.append(f"coloured by {COLOURS[filters.colour]}")
    return "; ".join(words)


def legend(
    nodes: list[Node],
    mode: str,
    filters: MapFilters,
    stale_months: int | None,
    edges_drawn: int,
    links: int,
    stale_ties: int,
) -> tuple[list[LegendItem], float, float, int]:
    """The key's items under the map, its top, the SVG's height and the groups left out.

    Groups first (colour and shape), then lines and sizes, then notes.
    """
    top = CAPTION_HEIGHT + WIDTH + 16
    whose = "each person's organisation" if mode == "people" else "each organisation"
    what = (
        "each person's organisation (its disc)"
        if mode == "people" and filters.colour == "organisation"
        else f"the {COLOURS[filters.colour]} of {whose}"
    )
    items = [LegendItem(x=10, y=top + 32, text=f"Colour and shape: {what}", heading=True)]
    groups, y, hidden = _group_items(nodes, top + 56)
    items += groups
    y += 14
    boundary = Boundary(filters.boundary).label.lower()
    items.append(LegendItem(x=10, y=y, text="Lines", heading=True))
    y += LEGEND_ROW
    across = f"Dark and thick: a tie across {boundary}s" + (
        " (only these are drawn)" if filters.crossing == "only" else ""
    )
    items.append(LegendItem(x=70, y=y, text=across, dash="none"))
    if filters.crossing != "only":
        items.append(
            LegendItem(
                x=70 + WIDTH / 2,
                y=y,
                text=f"Grey and thin: a tie inside one {boundary}",
                dash="none",
                crossing=False,
            )
        )
    y += LEGEND_ROW
    if mode == "people":
        y = _kind_items(items, filters.kinds, y)
        stale_text = (
            f"Pale grey: not observed for {stale_months} months"
            f" ({stale_ties} of these ties; ties with no observed date are never marked)"
        )
        notes = [
            "Line width: strength of the tie (1 to 5).",
            f"Node size: {SIZES[filters.size]}.",
            "Thick dark outline: a broker (top tenth by broker score).",
            f"Names: the top brokers across {boundary}s always, then others where there is room.",
        ]
    else:
        stale_text = (
            f"Pale grey: every tie between the two not observed for {stale_months}"
            " months (ties with no observed date are never marked)"
        )
        notes = _organisation_notes(edges_drawn, links)
    if stale_months is not None:
        items.append(LegendItem(x=70, y=y, text=stale_text, dash="none", stale=True))
        y += LEGEND_ROW
    for note in notes:
        items.append(LegendItem(x=10, y=y, text=note))
        y += LEGEND_ROW
    return items, top, y + 8, hidden


def _group_items(nodes: list[Node], y: float) -> tuple[list[LegendItem], float, int]:
    """One item per group drawn, in columns from `y`; the next free y; how many did not fit."""
    column = WIDTH / LEGEND_COLUMNS
    seen: dict[str, GroupStyle] = {}
    for node in nodes:
        seen.setdefault(node.style.key, node.style)
    # Sectors and tiers in the models' order (national first), organisations by name.
    groups = sorted(seen.values(), key=lambda s: (s.key == "", s.rank, s.label.casefold()))
    hidden = max(0, len(groups) - LEGEND_MAX_GROUPS)
    items = []
    for i, style in enumerate(groups[:LEGEND_MAX_GROUPS]):
        x = 10 + (i % LEGEND_COLUMNS) * column
        row_y = y + (i // LEGEND_COLUMNS) * LEGEND_ROW
        items.append(
            LegendItem(
                x=x + 24,
                y=row_y,
                text=short_label(style.label, 40),
                style=style,
                path=shape_path(style.shape, x + 8, row_y - 5, 7),
            )
        )
    y += math.ceil(min(len(groups), LEGEND_MAX_GROUPS) / LEGEND_COLUMNS) * LEGEND_ROW
    if hidden:
        items.append(LegendItem(x=10, y=y, text=f"and {hidden} more groups (see the table)"))
        y += LEGEND_ROW
    return items, y, hidden


def _kind_items(items: list[LegendItem], kinds: tuple[str, ...], y: float) -> float:
    """A sample line for each relationship kind drawn, two to a row; the next free y."""
    for i, kind in enumerate(kinds):
        label, dash, directed = EDGE_STYLES[kind]
        x = 10 + (i % 2) * (WIDTH / 2)
        items.append(
            LegendItem(
                x=x + 60,
                y=y + (i // 2) * LEGEND_ROW,
                text=label + (", arrow to whom" if directed else ""),
                dash=dash or "none",
                directed=directed,
            )
        )
    return y + math.ceil(len(kinds) / 2) * LEGEND_ROW


def _organisation_notes(edges_drawn: int, links: int) -> list[str]:
    notes = [
        "Line width: number of ties between the two organisations.",
        "Choose an organisation to see its people and their direct ties.",
    ]
    if links > edges_drawn:
        notes.insert(
            0,
            f"Lines: the {edges_drawn} busiest of {links} links between organisations;"
            " the table has every organisation's total.",
        )
    return notes
