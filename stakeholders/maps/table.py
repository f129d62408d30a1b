"""The map's table alternative and its organisation picker, as HTML built in Python.

At 20,000 people the map has some 2,800 organisations, each a table row and an
option: the template engine took about a third of a second over them, these
loops a few milliseconds. Every value is escaped as the template escapes it
(conditional_escape) and numbers print as it prints them; tests/maps/test_table.py
holds the template these replace and checks that the two agree.
"""

from collections.abc import Callable, Iterable

from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from stakeholders.maps.marks import GroupStyle, Node
from stakeholders.rows import numeric_cell, person_url, text_cell, whole


def _ties(node: Node, stale_months: int | None, label: str) -> str:
    """Ties, and how many of them were not observed lately (one span with the count, so
    that a phone's card keeps them together beside the label)."""
    if not node.stale_ties:
        return numeric_cell(node.ties, label)
    return numeric_cell(
        f'<span>{node.ties}<span class="app-table-secondary">{node.stale_ties} not observed '
        f"for {conditional_escape(stale_months)} months</span></span>",
        label,
    )


def _style_cells(label: str) -> Callable[[GroupStyle], str]:
    """The colour and shape cell, named `label` on a phone's card, made once per style (a
    map has a handful, shared by every node)."""
    cells: dict[GroupStyle, str] = {}

    def cell(style: GroupStyle) -> str:
        if style not in cells:
            cells[style] = text_cell(
                f"<span><bdi>{conditional_escape(style.label)}</bdi> "
                f"({conditional_escape(style.shape)})</span>",
                label,
            )
        return cells[style]

    return cell


def organisation_rows(
    nodes: Iterable[Node], link_base: str, stale_months: int | None, *, style_label: str
) -> SafeString:
    """One row per organisation: its name (a link to its people), style (`style_label`:
    sector, tier...), people and ties."""
    base = conditional_escape(link_base)
    style_cell = _style_cells(style_label)
    rows = []
    for node in nodes:
        label = conditional_escape(node.label)
        name = f'<a href="{base}{node.pk}"><bdi>{label}</bdi></a>' if node.pk else label
        rows.append(
            '<tr class="nhsuk-table__row">'
            f'<th class="nhsuk-table__header" scope="row">{name}</th>{style_cell(node.style)}'
            f"{numeric_cell(node.people, 'People')}"
            f"{_ties(node, stale_months, 'Ties with other organisations')}</tr>\n"
        )
    return mark_safe("".join(rows))  # noqa: S308 - every value above is escaped


def person_rows(
    nodes: Iterable[Node],
    *,
    slug: str,
    boundary: str,
    stale_months: int | None,
    style_label: str,
) -> SafeString:
    """One row per person: name (a link to their page), job, style (`style_label`:
    sector, tier...), broker score, ties."""
    query = f"?boundary={conditional_escape(boundary)}"
    url = person_url(slug)
    style_cell = _style_cells(style_label)
    rows = []
    for node in nodes:
        href = url(node.pk)
        broker = ' <strong class="app-map-broker-tag">broker</strong>' if node.broker else ""
        rows.append(
            '<tr class="nhsuk-table__row"><th class="nhsuk-table__header" scope="row">'
            f'<a href="{href}{query}"><bdi>{conditional_escape(node.label)}</bdi></a>{broker}'
            f'<span class="app-table-secondary"><bdi>{conditional_escape(node.job_title)}</bdi>, '
            f"<bdi>{conditional_escape(node.organisation)}</bdi></span></th>{style_cell(node.style)}"
            f"{numeric_cell(whole(node.broker_score), 'Broker score')}"
            f"{_ties(node, stale_months, 'Ties drawn')}</tr>\n"
        )
    return mark_safe("".join(rows))  # noqa: S308 - every value above is escaped


def organisation_options(
    organisations: Iterable[tuple[int, str]], chosen: int | None
) -> SafeString:
    """The organisation picker's options, the chosen one selected."""
    return mark_safe(  # noqa: S308 - every value is escaped
        "".join(
            f'<option value="{pk}"{" selected" if pk == chosen else ""}>'
            f"{conditional_escape(name)}</option>"
            for pk, name in organisations
        )
    )
