"""The map's side panel: one person, their ties both ways and an ego map.

Drawn from the stored layout (PersonPosition) like the map itself; ties last
observed before the workspace's retention cutoff are marked stale.
"""

import datetime
from dataclasses import dataclass

from stakeholders.maps.data import NO_GROUP_COLOUR, _edge
from stakeholders.maps.marks import EDGE_STYLES, Edge, GroupStyle, Node, shape_path
from stakeholders.models import (
    Affiliation,
    Boundary,
    Person,
    PersonPosition,
    PersonScore,
    Relationship,
    RelationshipKind,
    ScoreRun,
    Sector,
    Tier,
)
from stakeholders.retention import is_stale


@dataclass(frozen=True)
class PanelTie:
    """A tie as the map's person panel lists it: the other person, direction, staleness."""

    person_id: int
    name: str
    kind: str
    strength: int
    outgoing: bool
    observed_on: datetime.date | None = None
    stale: bool = False

    @property
    def kind_label(self) -> str:
        return RelationshipKind(self.kind).label


@dataclass
class PersonPanel:
    person: Person
    role: str
    organisation: str
    score: PersonScore | None
    group: str
    ties_out: list[PanelTie]
    ties_in: list[PanelTie]
    ties_out_total: int
    ties_in_total: int
    mini_nodes: list[Node]
    mini_edges: list[Edge]


PANEL_TIES = 20
MINI = 240


def person_panel(
    *,
    person: Person,
    run: ScoreRun | None,
    boundary: str,
    stale_before: datetime.date | None = None,
) -> PersonPanel:
    """One person for the map's side panel, with an ego map from the stored layout.

    Ties observed before `stale_before` (retention.stale_cutoff) are marked stale.
    Five queries (four without scores).
    """
    affiliation = (
        Affiliation.objects.filter(person=person, is_primary=True)
        .select_related("organisation")
        .first()
    )
    ties = list(
        Relationship.objects.filter(source=person).values_list(
            "target_id", "target__name", "kind", "strength", "observed_on"
        )
    )
    ties_in = list(
        Relationship.objects.filter(target=person).values_list(
            "source_id", "source__name", "kind", "strength", "observed_on"
        )
    )
    out = [
        PanelTie(pk, name, kind, s, True, seen, is_stale(seen, stale_before))
        for pk, name, kind, s, seen in ties
    ]
    into = [
        PanelTie(pk, name, kind, s, False, seen, is_stale(seen, stale_before))
        for pk, name, kind, s, seen in ties_in
    ]
    score = None
    mini_nodes: list[Node] = []
    mini_edges: list[Edge] = []
    if run is not None:
        score = PersonScore.objects.filter(run=run, person=person, boundary=boundary).first()
        neighbours = {t.person_id: t.name for t in out + into}
        positions = {
            pk: (x, y)
            for pk, x, y in PersonPosition.objects.filter(
                run=run, person_id__in=[person.pk, *neighbours]
            ).values_list("person_id", "x", "y")
        }
        mini_nodes, mini_edges = _ego_map(person, neighbours, positions, out + into)
    group = ""
    if score is not None:
        group = score.group
        if boundary == Boundary.SECTOR:
            group = Sector(group).label if group in Sector.values else "no sector"
        elif boundary == Boundary.TIER:
            group = Tier(group).label if group in Tier.values else "no tier"
        else:
            group = affiliation.organisation.name if affiliation else "no organisation"

    def order(tie: PanelTie):
        return (-tie.strength, tie.name.casefold(), tie.person_id)

    return PersonPanel(
        person=person,
        role=(affiliation.role_title if affiliation else "") or person.job_title,
        organisation=affiliation.organisation.name if affiliation else "",
        score=score,
        group=group,
        ties_out=sorted(out, key=order)[:PANEL_TIES],
        ties_in=sorted(into, key=order)[:PANEL_TIES],
        ties_out_total=len(out),
        ties_in_total=len(into),
        mini_nodes=mini_nodes,
        mini_edges=mini_edges,
    )


def _ego_map(person, neighbours, positions, ties) -> tuple[list[Node], list[Edge]]:
    """The person and their neighbours, where the map puts them, scaled into a small box."""
    if person.pk not in positions:
        return [], []
    xs = [x for x, _ in positions.values()]
    ys = [y for _, y in positions.values()]
    side = max(max(xs) - min(xs), max(ys) - min(ys), 1)
    pad = 16
    scale = (MINI - 2 * pad) / side
    cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2

    def place(pk):
        x, y = positions[pk]
        return MINI / 2 + (x - cx) * scale, MINI / 2 + (y - cy) * scale

    me = GroupStyle("me", person.name, "#005eb8", "circle")
    other = GroupStyle("other", "", NO_GROUP_COLOUR, "circle")
    nodes = []
    for pk in sorted(positions, key=lambda p: p == person.pk):
        x, y = place(pk)
        r = 7 if pk == person.pk else 4
        style = me if pk == person.pk else other
        name = person.name if pk == person.pk else neighbours[pk]
        nodes.append(
            Node(
                pk,
                name,
                "",
                round(x, 1),
                round(y, 1),
                r,
                shape_path("circle", x, y, r),
                style,
                name,
            )
        )
    edges = []
    for tie in ties:
        if tie.person_id in positions:
            (x1, y1), (x2, y2) = place(person.pk), place(tie.person_id)
            if not tie.outgoing:
                x1, y1, x2, y2 = x2, y2, x1, y1
            _, dash, directed = EDGE_STYLES[tie.kind]
            edges.append(
                _edge(x1, y1, x2, y2, 8, tie.kind, dash, directed, tie.strength, tie.stale)
            )
    return nodes, edges
