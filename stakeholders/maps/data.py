"""The influence map: stored positions and scores as plain drawing data for an SVG.

Nothing here computes a layout. People sit where the newest default-options
score run put them (PersonPosition, a 1000 x 1000 box); organisations are the
run's discs (OrganisationPosition). Filters only choose what is drawn.
map_data reads the stored rows first (_read, five queries), chooses who is
drawn, then reads the ties: in full with the people's names for the people
level, as bare rows counted per pair of organisations (links.py) for the
organisation level, and shapes what is drawn. The rows and the ties are kept
until the workspace's data changes (stakeholders.memo), so a map asked for
again, or with other filters, reads only the stamps, the pins and the names.
legend.py words the caption and key, and stakeholders/maps/drawing.py turns the
result into SVG markup, escaping all text.
"""

import dataclasses
import datetime
import heapq
import math
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import CharField, Q
from django.db.models.functions import Cast

from stakeholders.bidi import isolate
from stakeholders.maps.arrange import in_tiers, pinned
from stakeholders.maps.filters import MapFilterError, MapFilters
from stakeholders.maps.focus import focus_marks
from stakeholders.maps.labels import Box, place_labels
from stakeholders.maps.legend import caption, legend
from stakeholders.maps.links import NO_ORGANISATION, Links, organisation_links, tie_array
from stakeholders.maps.marks import (
    EDGE_STYLES,
    NO_GROUP_COLOUR,
    WIDTH,
    Disc,
    Edge,
    MapData,
    Node,
    colour_styles,
    shape_path,
    short_label,
)
from stakeholders.maps.pins import map_pins
from stakeholders.memo import kept
from stakeholders.models import (
    Affiliation,
    Boundary,
    Organisation,
    OrganisationPosition,
    Person,
    PersonPosition,
    PersonScore,
    Relationship,
    RelationshipKind,
    ScoreRun,
    Workspace,
)
from stakeholders.retention import is_stale, stale_cutoff, stale_flag
from stakeholders.rows import fixed
from stakeholders.selectors import cursor_rows, in_force_q

# Above this many people the map opens at organisation level (one node per organisation).
PEOPLE_LIMIT = 400
# People are named by broker score on the boundary: the top TOP_BROKERS_NAMED
# brokers always, then everyone else whose name fits without overlap (labels.py);
# the rest are named in their hover title, the panel and the table.
TOP_BROKERS_NAMED = 10
ORG_LABEL_LIMIT = 80  # organisation level: the most populous are named
# Organisation level draws only the busiest links between organisations: thousands
# of lines are unreadable and slow. Every organisation's total is in the table.
ORG_EDGE_LIMIT = 600
NAMES_LISTED = 2000  # the people level reads these many people's names by id, else all
BROKER_SHARE = 0.10  # brokers: the top tenth by broker score
__all__ = ["NO_GROUP_COLOUR", "PEOPLE_LIMIT", "map_data"]  # NO_GROUP_COLOUR: the panel's


@dataclass(frozen=True)
class _Stored:
    """The rows the map is drawn from, as read: plain values keyed by id."""

    organisations: dict[int, tuple[str, str, str, str]]  # name, short name, sector, tier
    # Person -> group, broker score, influence percentile, betweenness.
    scores: dict[int, tuple]
    positions: dict[int, tuple[float, float]]
    primary: dict[int, int]  # person -> primary organisation
    discs: dict[int | None, tuple[float, float, float]]  # organisation -> x, y, r


@dataclass(frozen=True)
class _Selection:
    """Who and which ties are drawn. Ties: (source, target, kind, strength, stale)."""

    chosen: set[int]
    ties: list[tuple[int, int, str, int, bool]]
    organisation_name: str


def map_data(
    *,
    workspace: Workspace,
    run: ScoreRun,
    filters: MapFilters,
    today: datetime.date,
    layout_run: ScoreRun | None = None,
) -> MapData:
    """Everything the map draws, in nine queries (ten for people) whatever the size, or
    three (four) when the rows and ties read for it are kept (stakeholders.memo).

    `layout_run`: the run whose positions to draw, when `run` (informal and formal
    scores) has none of its own. Raises MapFilterError if the organisation filter
    names no organisation here.
    """
    # The network in force that day, or today (stakeholders.snapshots.in_force), as
    # scored: ended ties and posts are history, not part of the map.
    on = filters.as_of or today
    stored = _read(workspace, run, filters, layout_run or run, on)
    # Pins show at once (the seventh query); the tier view re-arranges (issue #13).
    positions, discs = pinned(
        stored.positions, stored.discs, stored.primary, map_pins(workspace_id=workspace.pk)
    )
    bands: list = []
    if filters.layout == "tiers":
        positions, discs, bands = in_tiers(positions, discs, stored.primary, stored.organisations)
    stored = dataclasses.replace(stored, positions=positions, discs=discs)
    styles = colour_styles(filters.colour, stored.organisations)
    cutoff = stale_cutoff(workspace, today)
    placed, chosen = _choose(stored, filters)
    if len(chosen) > PEOPLE_LIMIT and filters.organisation is None:
        mode = "organisations"
        counted = organisation_links(
            _bare_tie_rows(workspace, filters, on, cutoff),
            chosen,
            stored.primary,
            groups=_groups(stored) if filters.crossing == "only" else None,
            person=filters.person,
        )
        nodes, edges, links = _organisation_view(chosen, counted, stored, styles, filters)
        disc_list, ties, stale_ties = [], counted.person_ties, counted.stale
        organisation_name = ""
    else:
        mode = "people"
        rows = _tie_rows(workspace, filters, on)
        selection = _select(stored, filters, cutoff, placed, chosen, rows)
        chosen, ties = selection.chosen, selection.ties
        organisation_name = selection.organisation_name
        if filters.crossing == "only":
            ties = [t for t in ties if _crosses(stored, t[0], t[1])]
        names = _names(workspace, chosen)
        nodes, edges, disc_list = _people_view(chosen, ties, stored, styles, filters, names)
        links = len(edges)
        stale_ties = sum(1 for t in ties if t[4])
    nodes, edges, focus_note = focus_marks(mode, nodes, edges, filters.person, stored.primary, ties)

    months = workspace.retention_months  # None exactly when cutoff is None
    legend_items, legend_top, height, hidden = legend(
        nodes, mode, filters, months, len(edges), links, stale_ties
    )
    # The whole map opens on every organisation's disc, not on who the filters left,
    # so a newcomer changes no one's place on screen (board papers a month apart
    # match); the tier view opens on the whole box.
    whole = filters.organisation is None and not filters.sector and not filters.tier
    view = None
    if bands:
        view = (0.0, 0.0, float(WIDTH), float(WIDTH))
    elif whole and nodes and stored.discs:
        view = _disc_box(stored.discs)
    nodes, disc_list, view_box, text_scale = _first_view(
        mode, nodes, disc_list, stored, view=view, reserved=tuple(b.label_rect for b in bands)
    )
    words = caption(
        workspace=workspace,
        run=run,
        filters=filters,
        mode=mode,
        organisation_name=organisation_name,
        today=today,
    )
    words[1] += _arrangement_words(filters, nodes, focus_note)
    return MapData(
        mode=mode,
        nodes=nodes,
        edges=edges,
        discs=disc_list,
        legend=legend_items,
        legend_top=legend_top,
        height=height,
        view_box=view_box,
        text_scale=text_scale,
        caption=words,
        organisations=sorted(
            ((pk, v[0]) for pk, v in stored.organisations.items()), key=lambda o: o[1]
        ),
        organisation_name=organisation_name,
        hidden_groups=hidden,
        unplaced=len(stored.scores) - len(placed),  # entered since the scores
        stale_months=months,
        stale_ties=stale_ties,
        bands=bands,
        focus=filters.person if not focus_note else None,
        focus_note=focus_note,
    )


def _arrangement_words(filters: MapFilters, nodes: list[Node], focus_note: str) -> str:
    """The caption's words for the tier view and the person in focus (after the filters)."""
    words = ""
    if filters.layout == "tiers":
        words += " Arranged in tiers, national at the top."
    focus = next((n for n in nodes if n.focus == "focus"), None)
    if focus is not None and not focus_note:
        if focus.pk == filters.person:
            words += f" In focus: {focus.label} and their direct ties."
        else:
            words += f" In focus: one person of {focus.label} and the organisations they reach."
    return words


# --- Reading ------------------------------------------------------------------


def _read(
    workspace: Workspace,
    run: ScoreRun,
    filters: MapFilters,
    layout_run: ScoreRun,
    on: datetime.date,
) -> _Stored:
    """The stored rows with main organisations as on the map's day `on`: five queries,
    kept until the workspace's data changes (stakeholders.memo).

    Raises MapFilterError if the organisation filter names no organisation here.
    """
    stored = kept(
        workspace.pk,
        ("map rows", run.pk, layout_run.pk, filters.boundary, on),
        lambda: _read_rows(workspace, run, filters.boundary, layout_run, on),
    )
    if filters.organisation is not None and filters.organisation not in stored.organisations:
        raise MapFilterError("That organisation is not in this workspace.")
    return stored


def _read_rows(
    workspace: Workspace, run: ScoreRun, boundary: str, layout_run: ScoreRun, on: datetime.date
) -> _Stored:
    """_read's five queries, each read straight into plain values (the ties come later)."""
    organisations = {
        pk: (name, short, sector, tier)
        for pk, name, short, sector, tier in Organisation.objects.filter(workspace=workspace)
        .order_by()
        .values_list("pk", "name", "short_name", "sector", "tier")
    }
    scores = {
        row[0]: row[1:]
        for row in PersonScore.objects.filter(run=run, boundary=boundary)
        .order_by()
        .values_list(
            "person_id",
            "group",
            "broker_score",
            "influence_percentile",
            "betweenness",
        )
    }
    positions = dict(
        (pk, (x, y))
        for pk, x, y in PersonPosition.objects.filter(run=layout_run)
        .order_by()
        .values_list("person_id", "x", "y")
    )
    # Main organisations in force on the map's day, as the scores and the layout
    # group people: someone whose post has ended sits with no organisation.
    primary = dict(
        Affiliation.objects.filter(person__workspace=workspace, is_primary=True)
        .filter(in_force_q(on))
        .order_by()
        .values_list("person_id", "organisation_id")
    )
    discs = {
        org: (x, y, r)
        for org, x, y, r in OrganisationPosition.objects.filter(run=layout_run)
        .order_by()
        .values_list("organisation_id", "x", "y", "r")
    }
    return _Stored(organisations, scores, positions, primary, discs)


def _names(workspace: Workspace, people: set[int]) -> dict[int, tuple[str, str]]:
    """Person -> name and job title, for the people level (the organisation level needs none).

    Above NAMES_LISTED people, everyone's: no SQL list that long.
    """
    rows = Person.objects.filter(workspace=workspace)
    if len(people) <= NAMES_LISTED:
        rows = rows.filter(pk__in=people)
    return {
        pk: (name, title)
        for pk, name, title in rows.order_by().values_list("pk", "name", "job_title")
    }


def _tie_rows(workspace: Workspace, filters: MapFilters, on: datetime.date) -> tuple[tuple, ...]:
    """The ties matching the filters and in force on `on`: source, target, kind, strength,
    observed on (ISO text). Kept until the workspace's data changes (stakeholders.memo)."""
    return kept(
        workspace.pk,
        ("map ties", on, filters.kinds, filters.min_strength, filters.organisation),
        lambda: tuple(
            _ties(workspace, filters, on)
            .annotate(seen=Cast("observed_on", CharField()))
            .order_by()
            .values_list("source_id", "target_id", "kind", "strength", "seen")
        ),
    )


def _bare_tie_rows(
    workspace: Workspace, filters: MapFilters, on: datetime.date, cutoff: datetime.date | None
):
    """The organisation level's ties as bare rows (links.tie_array): source, target, 1 if
    observed before `cutoff` (stale) else 0. Kept until the workspace's data changes."""

    def read():
        rows = (
            _ties(workspace, filters, on)
            .annotate(old=stale_flag(cutoff))
            .order_by()
            .values_list("source_id", "target_id", "old")
        )
        return tie_array(cursor_rows(rows))  # plain integers: no converters needed

    key = ("map bare ties", on, filters.kinds, filters.min_strength, filters.organisation, cutoff)
    return kept(workspace.pk, key, read)


def _ties(workspace: Workspace, filters: MapFilters, on: datetime.date):
    """The ties matching the filters and in force on `on`, unordered."""
    # No ordering anywhere here: the models' default orderings join people and sort
    # 25,000 ties by name for nothing (everything below is keyed or sorted again).
    ties = Relationship.objects.filter(
        source__workspace=workspace, kind__in=filters.kinds, strength__gte=filters.min_strength
    )
    ties = ties.filter(in_force_q(on))
    if filters.organisation is not None:
        # Only ties touching the organisation's people (narrowed again in _select): a
        # subquery in the same query, so one organisation costs less than the whole map.
        members = (
            Affiliation.objects.filter(organisation_id=filters.organisation, is_primary=True)
            .filter(in_force_q(on))
            .values("person_id")
        )
        ties = ties.filter(Q(source_id__in=members) | Q(target_id__in=members))
    return ties


# --- Choosing what is drawn ---------------------------------------------------


def _choose(stored: _Stored, filters: MapFilters) -> tuple[list[int], set[int]]:
    """Everyone placed on the map (scored and positioned), and those the sector and
    tier filters choose."""
    organisations = stored.organisations
    org_of = stored.primary.get
    placed = [pk for pk in stored.scores if pk in stored.positions]
    chosen = set(placed)
    if filters.sector:
        chosen = {p for p in chosen if org_of(p) and organisations[org_of(p)][2] == filters.sector}
    if filters.tier:
        chosen = {p for p in chosen if org_of(p) and organisations[org_of(p)][3] == filters.tier}
    return placed, chosen


def _select(
    stored: _Stored,
    filters: MapFilters,
    cutoff: datetime.date | None,
    placed: list[int],
    chosen: set[int],
    rows: list[tuple],
) -> _Selection:
    """The people level: who and which ties are drawn, each tie marked stale or not.

    `rows`: _tie_rows, in full.
    """
    organisations = stored.organisations
    org_of = stored.primary.get
    # Dates come as ISO text (a per-row date converter cost ~70 ms at 25,000 ties);
    # each distinct date is judged once, by the one retention rule.
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
    return _Selection(chosen, _one_line_per_collaboration(ties), organisation_name)


def _one_line_per_collaboration(ties: Iterable[tuple]) -> list[tuple]:
    """Ties as drawn: a collaboration recorded by both people (each reports working with
    the other, as a survey confirms it) is one line, at the stronger record's strength,
    and stale only if both records are. Other kinds have a direction: each is drawn."""
    drawn: dict[tuple, tuple] = {}
    for tie in ties:
        source, target, kind, strength, stale = tie
        mutual = kind == RelationshipKind.COLLABORATES and source > target
        key = (target, source, kind) if mutual else (source, target, kind)
        have = drawn.get(key)
        drawn[key] = (
            tie
            if have is None
            else (have[0], have[1], kind, max(have[3], strength), have[4] and stale)
        )
    return list(drawn.values())


def _groups(stored: _Stored) -> dict[int, str]:
    """Each scored person's group on the boundary (empty if none)."""
    return {pk: values[0] for pk, values in stored.scores.items()}


def _crosses(stored: _Stored, source: int, target: int) -> bool:
    """Whether a tie joins two different groups of the boundary (both ends in one)."""
    a, b = stored.scores[source][0], stored.scores[target][0]
    return bool(a and b and a != b)


# --- Geometry -----------------------------------------------------------------


def _first_view(
    mode: str,
    nodes: list[Node],
    discs: list[Disc],
    stored: _Stored,
    *,
    view: Box | None = None,
    reserved: tuple = (),
) -> tuple[list[Node], list[Disc], str, float]:
    """Nodes and discs with their labels placed, the first view's viewBox, the text scale.

    `view`: the first view before labels, if not the drawn nodes' (_box). `reserved`:
    rectangles no label may cover (the tier view's band names).
    """
    box = view or _box(nodes)
    text_scale = round(min(1.0, box[2] / WIDTH), 2)
    always = 0
    if mode == "people":
        # The top brokers on the boundary are always named (labels.py finds them room).
        cut = _broker_cut(stored.scores)
        always = min(TOP_BROKERS_NAMED, sum(1 for n in nodes if n.broker_score >= cut > 0))
    nodes, discs, box = place_labels(
        mode,
        nodes,
        discs,
        box,
        text_scale,
        limit=ORG_LABEL_LIMIT if mode == "organisations" else None,
        always=always,
        reserved=reserved,
    )
    return nodes, discs, " ".join(f"{v:.0f}" for v in box), text_scale


def _disc_box(discs: dict) -> Box:
    """Every organisation's disc with a margin, square, at least 400 wide (before labels)."""
    margin = 30
    left = max(0, min(x - r for x, y, r in discs.values()) - margin)
    top = max(0, min(y - r for x, y, r in discs.values()) - margin)
    right = min(WIDTH, max(x + r for x, y, r in discs.values()) + margin)
    bottom = min(WIDTH, max(y + r for x, y, r in discs.values()) + margin)
    side = max(right - left, bottom - top, 400)
    cx, cy = (left + right) / 2, (top + bottom) / 2
    return (round(cx - side / 2), round(cy - side / 2), round(side), round(side))


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


# --- People level -------------------------------------------------------------


def _people_view(chosen, ties, stored: _Stored, styles, filters: MapFilters, names):
    """People as nodes sized by the chosen measure, ties as lines, organisations as discs."""
    measure = {"broker": 1, "influence": 2, "betweenness": 3}[filters.size]
    org_names = {pk: values[0] for pk, values in stored.organisations.items()}
    nodes, radius = _person_nodes(chosen, ties, stored, styles, org_names, measure, names)
    positions, primary = stored.positions, stored.primary
    edges = []
    for source, target, kind, strength, is_old in sorted(ties):
        (x1, y1), (x2, y2) = positions[source], positions[target]
        _, dash, directed = EDGE_STYLES[kind]
        edge = _edge(x1, y1, x2, y2, radius[target] + 3, kind, dash, directed, strength, is_old)
        edges.append(
            dataclasses.replace(
                edge, crossing=_crosses(stored, source, target), source=source, target=target
            )
        )
    shown_orgs = {primary.get(p) for p in chosen}
    disc_list = [
        _disc(stored.discs[org], org_names.get(org, "No organisation"), org)
        for org in sorted(shown_orgs, key=lambda o: (o is None, o or 0))
        if org in stored.discs
    ]
    return nodes, edges, disc_list


def _person_nodes(chosen, ties, stored: _Stored, styles, org_names, measure: int, names):
    """A node per chosen person, by name; and each one's radius unrounded, for arrowheads."""
    scores, positions, primary = stored.scores, stored.positions, stored.primary
    cut = _broker_cut(scores)
    top = max((scores[p][measure] for p in chosen), default=0) or 1
    smallest, largest = _node_radius([positions[p] for p in sorted(chosen)])
    degree, stale = _tie_counts(ties)
    nodes = []
    radius = {}
    for pk in sorted(chosen, key=lambda p: (names[p][0].casefold(), p)):
        name, job_title = names[pk]
        broker_score = scores[pk][1]
        x, y = positions[pk]
        value = max(scores[pk][measure], 0) / top
        r = smallest + (largest - smallest) * math.sqrt(value)
        radius[pk] = r
        style = styles.get(primary.get(pk), styles[None])
        organisation = org_names.get(primary.get(pk), "no organisation")
        broker = broker_score >= cut and broker_score > 0
        nodes.append(
            Node(
                pk=pk,
                label=name,
                short_label=short_label(name, 24),
                x=round(x, 1),
                y=round(y, 1),
                r=round(r, 1),
                path=shape_path(style.shape, x, y, r),
                style=style,
                aria_label=(
                    f"{isolate(name)}, {isolate(job_title) or 'no job title'}, "
                    f"{isolate(organisation)}, broker score {fixed(broker_score)}"
                ),
                broker=broker,
                broker_score=broker_score,
                job_title=job_title,
                organisation=organisation,
                ties=degree.get(pk, 0),
                stale_ties=stale.get(pk, 0),
                importance=broker_score,  # labels: brokers on the boundary named first
            )
        )
    return nodes, radius


def _broker_cut(scores) -> float:
    """The lowest broker score among the top BROKER_SHARE of everyone scored."""
    ranked = sorted((s[1] for s in scores.values()), reverse=True)
    return ranked[max(1, math.ceil(len(ranked) * BROKER_SHARE)) - 1] if ranked else 0


def _tie_counts(ties) -> tuple[dict[int, int], dict[int, int]]:
    """Each person's ties drawn, and how many of those are stale."""
    degree: dict[int, int] = {}
    stale: dict[int, int] = {}
    for source, target, _, _, is_old in ties:
        degree[source] = degree.get(source, 0) + 1
        degree[target] = degree.get(target, 0) + 1
        if is_old:
            stale[source] = stale.get(source, 0) + 1
            stale[target] = stale.get(target, 0) + 1
    return degree, stale


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


def _disc(disc: tuple[float, float, float], name: str, pk: int | None = None) -> Disc:
    x, y, r = disc
    return Disc(round(x, 1), round(y, 1), round(r, 1), short_label(name, 32), name, pk=pk)


# --- Organisation level -------------------------------------------------------


def _organisation_view(chosen, counted: Links, stored: _Stored, styles, filters: MapFilters):
    """Organisations as nodes, the busiest links between them as lines (links.py).

    Also returns how many links there are in all (only ORG_EDGE_LIMIT are drawn).
    """
    people: dict[int | None, int] = {}
    for pk in chosen:
        org = stored.primary.get(pk)
        people[org] = people.get(org, 0) + 1
    nodes = _organisation_nodes(people, counted.per_organisation, stored, styles)
    group: dict[int, str] = {}
    if filters.boundary != Boundary.ORGANISATION:
        # Two organisations of one sector (or tier): their link is inside the group.
        index = 2 if filters.boundary == Boundary.SECTOR else 3
        group = {pk: values[index] for pk, values in stored.organisations.items()}
    edges, links = _organisation_edges(counted.between, stored.discs, group)
    return nodes, edges, links


def _organisation_nodes(people, per_organisation, stored: _Stored, styles) -> list[Node]:
    """A node per organisation with people on the map; only the most populous named.

    Names go to the ORG_LABEL_LIMIT that labels.place_labels would try (by people,
    then name), so it has no label to take off the rest.
    """
    drawn = [org for org in people if org in stored.discs]
    name_of = {
        org: "No organisation" if org is None else stored.organisations[org][0] for org in drawn
    }
    named = set(
        heapq.nsmallest(ORG_LABEL_LIMIT, drawn, key=lambda o: (-people[o], name_of[o].casefold()))
    )
    nodes = []
    for org in sorted(drawn, key=lambda o: (o is None, o or 0)):
        x, y, r = stored.discs[org]
        name = name_of[org]
        style = styles.get(org, styles[None])
        count, old = per_organisation.get(NO_ORGANISATION if org is None else org, (0, 0))
        nodes.append(
            Node(
                pk=org,
                label=name,
                short_label=short_label(name, 28) if org in named else "",
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
                stale_ties=old,
                importance=people[org],
            )
        )
    return nodes


def _organisation_edges(between, discs, group: dict[int, str]) -> tuple[list[Edge], int]:
    """The ORG_EDGE_LIMIT busiest links between organisations, and how many links in all."""
    centre = {(NO_ORGANISATION if org is None else org): xyr for org, xyr in discs.items()}
    drawn = [(pair, c) for pair, c in between.items() if pair[0] in centre and pair[1] in centre]
    links = len(drawn)
    # The busiest first, ties broken by the pair (a partial sort: the same as sorting).
    drawn = sorted(heapq.nsmallest(ORG_EDGE_LIMIT, drawn, key=lambda kv: (-kv[1][0], kv[0])))
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
                # Organisation boundary (no `group`): every link crosses it.
                crossing=not group or group.get(a) != group.get(b),
                source=a,
                target=b,
            )
        )
    return edges, links
