"""The comparison's long tables (brokers and partnerships that moved), as rows built
in Python.

At 5,000 people a comparison lists some 800 rows; the template spent over half the
page's time on them. Values are escaped and numbers printed as the template did;
tests/snapshots/test_table.py holds the templates this replaces and checks that the
two agree.
"""

from collections.abc import Iterable

from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from stakeholders.rows import fixed, numeric_cell, person_url, whole, whole_number
from stakeholders.snapshots.comparison import ComparisonPage, NamedBroker, NamedPair

BROKER_TABLES = ("risers", "fallers", "new_spanners", "lost_spanners")
PAIR_TABLES = ("pairs_gained", "pairs_lost", "failures_created", "failures_resolved")
# Each figure's name on a phone's card, where the header row ("Ties then", "Now", ...)
# is hidden: so each says which figure it is, not only "Now".
PAIR_LABELS = (
    "Ties then",
    "Ties now",
    "Change in ties",
    "Mean trust then",
    "Mean trust now",
    "People carrying ties then",
    "People carrying ties now",
)


def _signed(value: float | int, text: str) -> str:
    return f"+{text}" if value > 0 else text


def broker_rows(rows: Iterable[NamedBroker], *, slug: str) -> SafeString:
    """Person (a link when they are still here), broker score then and now, and the change."""
    url = person_url(slug)
    html = []
    for b in rows:
        name = conditional_escape(b.name)
        if b.ref:
            name = f'<a href="{url(b.id)}"><bdi>{name}</bdi></a>'
        then = "not in the map" if b.then is None else whole(b.then)
        now = "not in the map" if b.now is None else whole(b.now)
        # The change of the whole numbers shown, so that the row adds up (and matches
        # `export_csv brokers --compare-to`); the CSV of everyone's change is exact.
        change = whole_number(b.now or 0.0) - whole_number(b.then or 0.0)
        html.append(
            '<tr class="nhsuk-table__row">'
            f'<th scope="row" class="nhsuk-table__header">{name}</th>'
            f"{numeric_cell(then, 'Broker score then')}{numeric_cell(now, 'Broker score now')}"
            f"{numeric_cell(_signed(change, str(change)), 'Change')}"
            "</tr>\n"
        )
    return mark_safe("".join(html))  # noqa: S308 - every value above is escaped


def pair_rows(rows: Iterable[NamedPair]) -> SafeString:
    """Partnership, then ties then and now, the change, mean trust and people carrying ties."""
    html = []
    for p in rows:
        c = p.change
        then, now = c.then, c.now
        cells = (
            then.relationships if then else 0,
            now.relationships if now else 0,
            _signed(c.ties_change, str(c.ties_change)),
            (fixed(then.mean_trust, 1) if then else "") or "–",
            (fixed(now.mean_trust, 1) if now else "") or "–",
            then.carriers if then else 0,
            now.carriers if now else 0,
        )
        html.append(
            '<tr class="nhsuk-table__row"><th scope="row" class="nhsuk-table__header">'
            f"<bdi>{conditional_escape(p.group_a)}</bdi> and "
            f"<bdi>{conditional_escape(p.group_b)}</bdi></th>"
            + "".join(
                numeric_cell(cell, label) for cell, label in zip(cells, PAIR_LABELS, strict=True)
            )
            + "</tr>\n"
        )
    return mark_safe("".join(html))  # noqa: S308 - every value above is escaped


def comparison_tables(page: ComparisonPage, *, slug: str) -> dict[str, SafeString]:
    """Every long table's rows, by the page's list name."""
    tables = {name: broker_rows(getattr(page, name), slug=slug) for name in BROKER_TABLES}
    tables.update({name: pair_rows(getattr(page, name)) for name in PAIR_TABLES})
    return tables
