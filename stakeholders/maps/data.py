"""The influence map: stored positions and scores as plain drawing data for an SVG.

Nothing here computes a layout. People sit where the newest default-options
score run put them (PersonPosition, a 1000 x 1000 box); organisations are the
run's discs (OrganisationPosition). Filters only choose what is drawn.
stakeholders/maps/drawing.py turns this data into SVG markup, escaping all text.
"""

import datetime
import math
from dataclasses import dataclass, field

from django.db.models import CharField, Q
from django.db.models.functions import Cast
from django.http import QueryDict
from django.utils import timezone

from stakeholders.analysis.inputs import LAYOUT_BOX
from stakeholders.bidi import isolate
from stakeholders.maps.labels import Box, place_labels
from stakeholders.models import (
    Affiliation,
    Boundary,
    Organisation,
    OrganisationPosition,
    PersonPosition,
    PersonScore,
    Relationship,
    RelationshipKind,
    ScoreRun,
    Sector,
    Tier,
    Workspace,
)
from stakeholders.retention import is_stale, stale_cutoff
from stakeholders.selectors import current_run

# Above this many people the map opens at organisation level (one node per organisation).
PEOPLE_LIMIT = 400
# Names are drawn beside the nodes when no more people than this are on the map;
# above it only the LABELS_PER_DISC most important people of each organisation
# are named (the rest: hover title, panel and table), and labels never overlap.
LABEL_LIMIT = 20
LABELS_PER_DISC = 2
ORG_LABEL_LIMIT = 80  # organisation level: the most populous are named
# Organisation level draws only the busiest links between organisations: thousands
# of lines are unreadable and slow. Every organisation's total is in the table.
ORG_EDGE_LIMIT = 600
BROKER_SHARE = 0.10  # brokers: the top tenth by broker score

# Each at least 4.5:1 against white (tests check), so nodes and legend text stay legible.
PALETTE = (
    "#005eb8",  # blue
    "#b3401b",  # vermilion
    "#00703c",  # green
    "#8c2a7a",  # purple-pink
    "#7a5c00",  # ochre
    "#4c2c92",  # violet
    "#a4123f",  # crimson
    "#006778",  # teal
)
NO_GROUP_COLOUR = "#4c6272"  # grey-blue: people with no primary group
SHAPES = ("circle", "square", "triangle", "diamond", "inverted triangle")

SIZES = {
    "broker": "broker score",
    "influence": "influence percentile",
    "betweenness": "betweenness",
}

# Kind -> (label, SVG stroke-dasharray or "", directed).
EDGE_STYLES = {
    RelationshipKind.COLLABORATES: ("Collaborates with (solid)", "", False),
    RelationshipKind.TRUSTS: ("Trusts (dashed)", "8 5", True),
    RelationshipKind.REPORTS_TO: ("Reports to (dotted)", "2 4", True),
    RelationshipKind.INFLUENCES: ("Influences (dash-dot)", "10 4 2 4", True),
}

WIDTH = int(LAYOUT_BOX)
CAPTION_HEIGHT = 64
LEGEND_COLUMNS = 3
LEGEND_ROW = 24
LEGEND_MAX_GROUPS = 36


class MapFilterError(ValueError):
    """A filter value that cannot be used; the message says which and why."""


@dataclass(frozen=True)
class MapFilters:
    boundary: str = Boundary.ORGANISATION
    organisation: int | None = None
    sector: str = ""
    tier: str = ""
    kinds: tuple[str, ...] = tuple(RelationshipKind.values)
    min_strength: int = 1
    as_of: datetime.date | None = None
    size: str = "broker"

    def querydict(self, **changes) -> QueryDict:
        """These filters as a query string (for links and the download), with changes."""
        values = {
            "boundary": self.boundary,
            "organisation": self.organisation or "",
            "sector": self.sector,
            "tier": self.tier,
            "min_strength": self.min_strength,
            "as_of": self.as_of.isoformat() if self.as_of else "",
            "size": self.size,
        } | changes
        query = QueryDict(mutable=True)
        for key, value in values.items():
            if value not in ("", None):
                query[key] = str(value)
        if self.kinds != tuple(RelationshipKind.values):
            query.setlist("kind", list(self.kinds))
        return query


def parse_filters(params: QueryDict) -> MapFilters:
    """Filters from a GET query; MapFilterError names the field and the reason."""
    boundary = params.get("boundary") or Boundary.ORGANISATION
    if boundary not in Boundary.values:
        raise MapFilterError("Choose the boundary organisation, sector or tier.")
    organisation = None
    if params.get("organisation"):
        try:
            organisation = int(params["organisation"])
        except ValueError:
            raise MapFilterError("The organisation must be chosen from the list.") from None
    sector = params.get("sector", "")
    if sector and sector not in Sector.values:
        raise MapFilterError("The sector must be chosen from the list.")
    tier = params.get("tier", "")
    if tier and tier not in Tier.values:
        raise MapFilterError("The tier must be chosen from the list.")
    kinds = tuple(k for k in RelationshipKind.values if k in params.getlist("kind"))
    if params.getlist("kind") and len(kinds) != len(set(params.getlist("kind"))):
        raise MapFilterError("Each relationship kind must be one of the kinds listed.")
    try:
        min_strength = int(params.get("min_strength") or 1)
    except ValueError:
        raise MapFilterError("The minimum strength must be a whole number from 1 to 5.") from None
    if not 1 <= min_strength <= 5:
        raise MapFilterError("The minimum strength must be a whole number from 1 to 5.")
    as_of = None
    if params.get("as_of"):
        try:
            as_of = datetime.date.fromisoformat(params["as_of"])
        except ValueError:
            raise MapFilterError(
                "The date must be a real date written YYYY-MM-DD, e.g. 2026-01-31."
            ) from None
    size = params.get("size") or "broker"
    if size not in SIZES:
        raise MapFilterError("Size people by broker score, influence or betweenness.")
    return MapFilters(
        boundary=boundary,
        organisation=organisation,
        sector=sector,
        tier=tier,
        kinds=kinds or tuple(RelationshipKind.values),
        min_strength=min_strength,
        as_of=as_of,
        size=size,
    )


# --- Drawing data -------------------------------------------------------------


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


def group_styles(labels: dict[str, str], boundary: str) -> dict[str, GroupStyle]:
    """A colour and a shape for every group, stable whatever the filters."""
    ordered = sorted(labels.items(), key=lambda kv: (kv[1].casefold(), kv[0]))
    styles = {
        key: GroupStyle(key, label, PALETTE[i % len(PALETTE)], SHAPES[i % len(SHAPES)])
        for i, (key, label) in enumerate(ordered)
    }
    styles[""] = GroupStyle("", f"No {Boundary(boundary).label.lower()}", NO_GROUP_COLOUR, "circle")
    return styles


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
    if filters.as_of:
        words.append(f"ties observed on or before {filters.as_of:%-d %B %Y}")
    words.append(f"sized by {SIZES[filters.size]}")
    return "; ".join(words)


def map_data(
    *, workspace: Workspace, run: ScoreRun, filters: MapFilters, today: datetime.date
) -> MapData:
    """Everything the map draws, in six queries whatever the size of the workspace.

    Raises MapFilterError if the organisation filter names no organisation here.
    """
    organisations = {
        pk: (name, short, sector, tier)
        for pk, name, short, sector, tier in Organisation.objects.filter(workspace=workspace)
        .order_by()
        .values_list("pk", "name", "short_name", "sector", "tier")
    }
    if filters.organisation is not None and filters.organisation not in organisations:
        raise MapFilterError("That organisation is not in this workspace.")
    if filters.boundary == Boundary.ORGANISATION:
        labels = {str(pk): values[0] for pk, values in organisations.items()}
    else:
        labels = dict((Sector if filters.boundary == Boundary.SECTOR else Tier).choices)
    styles = group_styles(labels, filters.boundary)

    scores = {
        row[0]: row[1:]
        for row in PersonScore.objects.filter(run=run, boundary=filters.boundary)
        .order_by()
        .values_list(
            "person_id",
            "person__name",
            "person__job_title",
            "group",
            "broker_score",
            "influence_percentile",
            "betweenness",
        )
    }
    positions = dict(
        (pk, (x, y))
        for pk, x, y in PersonPosition.objects.filter(run=run)
        .order_by()
        .values_list("person_id", "x", "y")
    )
    primary = dict(
        Affiliation.objects.filter(person__workspace=workspace, is_primary=True)
        .order_by()
        .values_list("person_id", "organisation_id")
    )
    # No ordering anywhere here: the models' default orderings join people and sort
    # 25,000 ties by name for nothing (everything below is keyed or sorted again).
    ties = Relationship.objects.filter(
        source__workspace=workspace, kind__in=filters.kinds, strength__gte=filters.min_strength
    )
    if filters.as_of:
        ties = ties.filter(observed_on__lte=filters.as_of)
    if filters.organisation is not None:
        # Only ties touching the organisation's people (narrowed again below): a
        # subquery in the same query, so one organisation costs less than the whole map.
        members = Affiliation.objects.filter(
            organisation_id=filters.organisation, is_primary=True
        ).values("person_id")
        ties = ties.filter(Q(source_id__in=members) | Q(target_id__in=members))
    rows = list(
        ties.annotate(seen=Cast("observed_on", CharField()))
        .order_by()
        .values_list("source_id", "target_id", "kind", "strength", "seen")
    )
    discs = {
        org: (x, y, r)
        for org, x, y, r in OrganisationPosition.objects.filter(run=run)
        .order_by()
        .values_list("organisation_id", "x", "y", "r")
    }

    placed = [pk for pk in scores if pk in positions]
    unplaced = len(scores) - len(placed)

    def org_of(pk: int) -> int | None:
        return primary.get(pk)

    chosen = set(placed)
    if filters.sector:
        chosen = {p for p in chosen if org_of(p) and organisations[org_of(p)][2] == filters.sector}
    if filters.tier:
        chosen = {p for p in chosen if org_of(p) and organisations[org_of(p)][3] == filters.tier}

    # Dates come as ISO text (a per-row date converter cost ~70 ms at 25,000 ties);
    # each distinct date is judged once, by the one retention rule.
    cutoff = stale_cutoff(workspace, today)
    stale_on = {
        seen: is_stale(None if seen is None else datetime.date.fromisoformat(seen[:10]), cutoff)
        for seen in {row[4] for row in rows}
    }
    # Both ends drawn: among the chosen, or (one organisation) among everyone placed.
    pool = set(placed) if filters.organisation is not None else chosen
    ties = [
        (source, target, kind, strength, stale_on[seen])
        for source, target, kind, strength, seen in rows
        if source in pool and target in pool
    ]
    organisation_name = ""
    if filters.organisation is not None:
        organisation_name = organisations[filters.organisation][0]
        core = {p for p in chosen if org_of(p) == filters.organisation}
        ties = [t for t in ties if t[0] in core or t[1] in core]
        chosen = core | {p for t in ties for p in t[:2]}

    org_names = {pk: values[0] for pk, values in organisations.items()}
    ranked = sorted((s[3] for s in scores.values()), reverse=True)
    cut = ranked[max(1, math.ceil(len(ranked) * BROKER_SHARE)) - 1] if ranked else 0

    mode = "people"
    if len(chosen) > PEOPLE_LIMIT and filters.organisation is None:
        mode = "organisations"

    caption = [
        f"{workspace.name}: influence map of "
        + ("organisations" if mode == "organisations" else "people")
        + f", drawn {today:%-d %B %Y}.",
        _filter_words(filters, organisation_name) + ".",
        f"Positions and scores from the scores of {run.created_at:%-d %B %Y %H:%M}"
        " (all people, all ties); filters only choose what is drawn.",
    ]

    if mode == "organisations":
        nodes, edges, disc_list, links = _organisation_view(
            chosen, ties, primary, organisations, discs, styles, filters
        )
    else:
        nodes, edges, disc_list = _people_view(
            chosen, ties, scores, positions, primary, org_names, discs, styles, filters, cut
        )
        links = len(edges)

    months = workspace.retention_months  # None exactly when cutoff is None
    stale_ties = sum(1 for t in ties if t[4])
    legend, legend_top, height, hidden = _legend(
        nodes, mode, filters, months, len(edges), links, stale_ties
    )
    box = _box(nodes)
    text_scale = round(min(1.0, box[2] / WIDTH), 2)
    nodes, disc_list, box = place_labels(
        mode,
        nodes,
        disc_list,
        box,
        text_scale,
        limit=ORG_LABEL_LIMIT if mode == "organisations" else None,
    )
    return MapData(
        mode=mode,
        nodes=nodes,
        edges=edges,
        discs=disc_list,
        legend=legend,
        legend_top=legend_top,
        height=height,
        view_box=" ".join(f"{v:.0f}" for v in box),
        text_scale=text_scale,
        caption=caption,
        organisations=sorted(((pk, v[0]) for pk, v in organisations.items()), key=lambda o: o[1]),
        organisation_name=organisation_name,
        hidden_groups=hidden,
        unplaced=unplaced,
        stale_months=months,
        stale_ties=stale_ties,
    )


def _node_radius(positions: list[tuple[float, float]]) -> tuple[float, float]:
    """Smallest and largest node radius: big nodes must not cover their neighbours."""
    spacing = 30.0
    if 1 < len(positions) <= 3000:
        import numpy as np

        points = np.array(positions)
        gaps = np.sqrt(((points[:, None, :] - points[None, :, :]) ** 2).sum(-1))
        np.fill_diagonal(gaps, np.inf)
        spacing = float(gaps.min())
    largest = max(4.0, min(14.0, spacing * 0.5))
    return largest * 0.4, largest


def _people_view(chosen, ties, scores, positions, primary, org_names, discs, styles, filters, cut):
    measure = {"broker": 3, "influence": 4, "betweenness": 5}[filters.size]
    top = max((scores[p][measure] for p in chosen), default=0) or 1
    smallest, largest = _node_radius([positions[p] for p in sorted(chosen)])
    degree: dict[int, int] = {}
    stale: dict[int, int] = {}
    for source, target, _, _, is_old in ties:
        degree[source] = degree.get(source, 0) + 1
        degree[target] = degree.get(target, 0) + 1
        if is_old:
            stale[source] = stale.get(source, 0) + 1
            stale[target] = stale.get(target, 0) + 1
    # Who may be named: everyone on a small map, else the most important few per disc.
    if len(chosen) <= LABEL_LIMIT:
        named = set(chosen)
    else:
        by_org: dict[int | None, list[int]] = {}
        for pk in chosen:
            by_org.setdefault(primary.get(pk), []).append(pk)
        named = {
            pk
            for members in by_org.values()
            for pk in sorted(members, key=lambda p: (-scores[p][measure], p))[:LABELS_PER_DISC]
        }
    nodes = []
    radius = {}
    for pk in sorted(chosen, key=lambda p: (scores[p][0].casefold(), p)):
        name, job_title, group, broker_score, *_ = scores[pk]
        x, y = positions[pk]
        value = max(scores[pk][measure], 0) / top
        r = smallest + (largest - smallest) * math.sqrt(value)
        radius[pk] = r
        style = styles.get(group, styles[""])
        organisation = org_names.get(primary.get(pk), "no organisation")
        broker = broker_score >= cut and broker_score > 0
        nodes.append(
            Node(
                pk=pk,
                label=name,
                short_label=short_label(name, 24) if pk in named else "",
                x=round(x, 1),
                y=round(y, 1),
                r=round(r, 1),
                path=shape_path(style.shape, x, y, r),
                style=style,
                aria_label=(
                    f"{isolate(name)}, {isolate(job_title) or 'no job title'}, "
                    f"{isolate(organisation)}, broker score {broker_score:.0f}"
                ),
                broker=broker,
                broker_score=broker_score,
                job_title=job_title,
                organisation=organisation,
                ties=degree.get(pk, 0),
                stale_ties=stale.get(pk, 0),
                importance=scores[pk][measure],
            )
        )
    edges = []
    for source, target, kind, strength, is_old in sorted(ties):
        (x1, y1), (x2, y2) = positions[source], positions[target]
        _, dash, directed = EDGE_STYLES[kind]
        edges.append(
            _edge(x1, y1, x2, y2, radius[target] + 3, kind, dash, directed, strength, is_old)
        )
    shown_orgs = {primary.get(p) for p in chosen}
    disc_list = [
        _disc(discs[org], org_names.get(org, "No organisation"))
        for org in sorted(shown_orgs, key=lambda o: (o is None, o or 0))
        if org in discs
    ]
    return nodes, edges, disc_list


def _organisation_view(chosen, ties, primary, organisations, discs, styles, filters):
    people: dict[int | None, int] = {}
    for pk in chosen:
        org = primary.get(pk)
        people[org] = people.get(org, 0) + 1
    # Organisation ids are positive, so -1 stands in for "no organisation" in sort keys.
    between: dict[tuple[int, int], list[int]] = {}
    for source, target, _, _, is_old in ties:
        a, b = primary.get(source, -1), primary.get(target, -1)
        if a != b:
            key = (a, b) if a < b else (b, a)
            counts = between.get(key)
            if counts is None:
                counts = between[key] = [0, 0]
            counts[0] += 1
            counts[1] += is_old
    ties_of: dict[int, int] = {}
    stale_of: dict[int, int] = {}
    for (a, b), (count, old) in between.items():
        for org in (a, b):
            ties_of[org] = ties_of.get(org, 0) + count
            stale_of[org] = stale_of.get(org, 0) + old
    nodes = []
    for org in sorted(people, key=lambda o: (o is None, o or 0)):
        if org not in discs:
            continue
        x, y, r = discs[org]
        key = -1 if org is None else org
        if org is None:
            name, group = "No organisation", ""
        else:
            name, _, sector, tier = organisations[org]
            group = {Boundary.ORGANISATION: str(org), Boundary.SECTOR: sector}.get(
                filters.boundary, tier
            )
        style = styles.get(group, styles[""])
        count = ties_of.get(key, 0)
        nodes.append(
            Node(
                pk=org,
                label=name,
                short_label=short_label(name, 28),
                x=round(x, 1),
                y=round(y, 1),
                r=round(r, 1),
                path=shape_path(style.shape, x, y, r * 0.8),
                style=style,
                aria_label=(
                    f"{isolate(name)}, {people[org]} {'person' if people[org] == 1 else 'people'}, "
                    f"{count} {'tie' if count == 1 else 'ties'} with other organisations"
                ),
                people=people[org],
                ties=count,
                stale_ties=stale_of.get(key, 0),
                importance=people[org],
            )
        )
    centre = {(-1 if org is None else org): xyr for org, xyr in discs.items()}
    drawn = [(pair, c) for pair, c in between.items() if pair[0] in centre and pair[1] in centre]
    drawn.sort(key=lambda kv: (-kv[1][0], kv[0]))
    links = len(drawn)
    drawn = sorted(drawn[:ORG_EDGE_LIMIT])
    top = max((c[0] for _, c in drawn), default=1)
    edges = []
    for (a, b), (count, old) in drawn:
        (x1, y1, _), (x2, y2, _) = centre[a], centre[b]
        edges.append(
            Edge(
                x1=round(x1, 1),
                y1=round(y1, 1),
                x2=round(x2, 1),
                y2=round(y2, 1),
                kind="ties",
                dash="",
                width=round(1 + 7 * count / top, 1),
                directed=False,
                count=count,
                stale=old == count,
            )
        )
    return nodes, edges, [], links


def _edge(x1, y1, x2, y2, gap, kind, dash, directed, strength, stale=False) -> Edge:
    """A straight edge, stopped short of the target so an arrowhead shows."""
    length = math.hypot(x2 - x1, y2 - y1) or 1
    if directed and length > gap * 2:
        x2, y2 = x2 - (x2 - x1) * gap / length, y2 - (y2 - y1) * gap / length
    return Edge(
        x1=round(x1, 1),
        y1=round(y1, 1),
        x2=round(x2, 1),
        y2=round(y2, 1),
        kind=kind,
        dash=dash,
        width=round(0.5 + 0.4 * strength, 1),
        directed=directed,
        stale=stale,
    )


def _disc(disc: tuple[float, float, float], name: str) -> Disc:
    x, y, r = disc
    return Disc(round(x, 1), round(y, 1), round(r, 1), short_label(name, 32), name)


def _box(nodes: list[Node]) -> Box:
    """The drawn nodes with a margin, square, at least 400 wide (before labels)."""
    if not nodes:
        return (0.0, 0.0, float(WIDTH), float(WIDTH))
    margin = 40
    left = max(0, min(n.x - n.r for n in nodes) - margin)
    top = max(0, min(n.y - n.r for n in nodes) - margin)
    right = min(WIDTH, max(n.x + n.r for n in nodes) + margin)
    bottom = min(WIDTH, max(n.y + n.r for n in nodes) + margin)
    side = max(right - left, bottom - top, 400)
    cx, cy = (left + right) / 2, (top + bottom) / 2
    return (round(cx - side / 2), round(cy - side / 2), round(side), round(side))


def _legend(
    nodes: list[Node],
    mode: str,
    filters: MapFilters,
    stale_months: int | None,
    edges_drawn: int,
    links: int,
    stale_ties: int,
):
    """The legend's items under the map (groups, edges, size, brokers), and the SVG height."""
    top = CAPTION_HEIGHT + WIDTH + 16
    column = WIDTH / LEGEND_COLUMNS
    seen: dict[str, GroupStyle] = {}
    for node in nodes:
        seen.setdefault(node.style.key, node.style)
    groups = sorted(seen.values(), key=lambda s: (s.key == "", s.label.casefold()))
    hidden = max(0, len(groups) - LEGEND_MAX_GROUPS)
    items = []
    y = top + 30
    for i, style in enumerate(groups[:LEGEND_MAX_GROUPS]):
        x = 10 + (i % LEGEND_COLUMNS) * column
        row_y = y + (i // LEGEND_COLUMNS) * LEGEND_ROW
        items.append(
            LegendItem(
                x=x + 24,
                y=row_y,
                text=short_label(style.label, 34),
                style=style,
                path=shape_path(style.shape, x + 8, row_y - 5, 7),
            )
        )
    y += math.ceil(min(len(groups), LEGEND_MAX_GROUPS) / LEGEND_COLUMNS) * LEGEND_ROW
    if hidden:
        items.append(LegendItem(x=10, y=y, text=f"and {hidden} more groups (see the table)"))
        y += LEGEND_ROW
    y += 28  # heading "Lines and sizes"
    if mode == "people":
        for i, kind in enumerate(filters.kinds):
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
        y += math.ceil(len(filters.kinds) / 2) * LEGEND_ROW
        stale_text = (
            f"Pale grey: not observed for {stale_months} months"
            f" ({stale_ties} of these ties; ties with no observed date are never marked)"
        )
        notes = [
            "Line width: strength of the tie (1 to 5).",
            f"Node size: {SIZES[filters.size]}.",
            "Thick dark outline: a broker (top tenth by broker score).",
        ]
    else:
        stale_text = (
            f"Pale grey: every tie between the two not observed for {stale_months}"
            " months (ties with no observed date are never marked)"
        )
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
    if stale_months is not None:
        items.append(LegendItem(x=70, y=y, text=stale_text, dash="none", stale=True))
        y += LEGEND_ROW
    for note in notes:
        items.append(LegendItem(x=10, y=y, text=note))
        y += LEGEND_ROW
    return items, top, y + 8, hidden


def render_map_svg(*, workspace: Workspace, boundary: str) -> str | None:
    """The current map with default filters as a standalone SVG document (board packs).

    None when the workspace has no scores yet. Same drawing as the page's
    download (drawing.map_svg), so the two cannot drift apart.
    """
    run = current_run(workspace_id=workspace.pk)
    if run is None:
        return None
    filters = parse_filters(QueryDict(f"boundary={boundary}"))
    data = map_data(workspace=workspace, run=run, filters=filters, today=timezone.localdate())
    return svg_document({"workspace": workspace, "map": data, "filters": filters})


def svg_document(context: dict, request=None) -> str:
    """The map as a standalone SVG file: legend and caption inside, no links or htmx."""
    from stakeholders.maps.drawing import map_svg  # it imports this module

    body = map_svg(context["map"], boundary=context["filters"].boundary, download=True)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"
