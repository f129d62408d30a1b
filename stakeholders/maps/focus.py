"""Focus on one person: they and their direct ties stand out, everyone else is dimmed.

Works on the map's marks (marks.Node, marks.Edge) after they are built, so the
page, the downloads and the board pack show the same focus. The person comes
from the address (`person=<id>`); one who is not on this map (unknown, in
another workspace, or left out by the filters) is ignored with a note that
says so, never an error page and never a hint whether they exist.
"""

import dataclasses

from stakeholders.maps.marks import Edge, Node, short_label

NOT_ON_MAP = "The person chosen is not on this map with these filters, so nobody is highlighted."


def focus_marks(
    mode: str,
    nodes: list[Node],
    edges: list[Edge],
    person: int | None,
    primary: dict[int, int],
    ties: list[tuple],
) -> tuple[list[Node], list[Edge], str]:
    """Nodes and edges marked "focus", "near" or "dim" around `person`; a note if not drawn.

    People view: the person and everyone they have a drawn tie with. Organisation
    view: the person's organisation and the organisations of the people they have
    a tie with. `ties` are the drawn ties (source, target, ...).
    """
    if person is None:
        return nodes, edges, ""
    if mode == "people":
        if person not in {n.pk for n in nodes}:
            return nodes, edges, NOT_ON_MAP
        centre = person
        near = {
            e.target if e.source == person else e.source
            for e in edges
            if person in (e.source, e.target)
        }
    else:
        drawn = {n.pk for n in nodes}
        centre = primary.get(person)
        if person not in primary and not any(person in t[:2] for t in ties):
            return nodes, edges, NOT_ON_MAP
        if centre not in drawn:
            return nodes, edges, NOT_ON_MAP
        near = {primary.get(t[1] if t[0] == person else t[0]) for t in ties if person in t[:2]}
        near.discard(centre)
    return _marked_nodes(nodes, centre, near, mode), _marked_edges(edges, centre, near, mode), ""


def _marked_nodes(nodes: list[Node], centre, near: set, mode: str) -> list[Node]:
    top = max((n.importance for n in nodes), default=0) + 1
    limit = 28 if mode == "organisations" else 24
    out = []
    for node in nodes:
        if node.pk == centre:
            # Named first, whatever else wants the room.
            out.append(
                dataclasses.replace(
                    node,
                    focus="focus",
                    short_label=short_label(node.label, limit),
                    importance=3 * top,
                )
            )
        elif node.pk in near:
            out.append(
                dataclasses.replace(
                    node,
                    focus="near",
                    short_label=short_label(node.label, limit),
                    importance=top + node.importance,
                )
            )
        else:
            out.append(dataclasses.replace(node, focus="dim", short_label=""))
    return out


def _marked_edges(edges: list[Edge], centre, near: set, mode: str) -> list[Edge]:
    if mode == "organisations":
        key = -1 if centre is None else centre
        ends = {-1 if o is None else o for o in near}

        def touches(e: Edge) -> bool:
            return (e.source == key and e.target in ends) or (e.target == key and e.source in ends)
    else:

        def touches(e: Edge) -> bool:
            return centre in (e.source, e.target)

    return [dataclasses.replace(e, focus="focus" if touches(e) else "dim") for e in edges]
