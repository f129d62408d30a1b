"""The informal brokers without a seat, as table rows built in Python.

At 20,000 people some 3,300 brokers hold no seat: their rows took the template
(a `{% url %}` and a `floatformat` each) about a fifth of the page's time. Values
are escaped as the template escapes them; tests/forums/test_table.py holds the
template this replaces and checks that the two agree.
"""

from collections.abc import Iterable

from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from stakeholders.forums.reads import PersonRow
from stakeholders.rows import numeric_cell, person_url, whole


def broker_rows(rows: Iterable[PersonRow], *, slug: str) -> SafeString:
    """One row per broker: name (a link to their page), organisation, score, reach."""
    url = person_url(slug)
    html = []
    for row in rows:
        href = url(row.person.pk)
        html.append(
            '<tr class="nhsuk-table__row"><th class="nhsuk-table__header" scope="row">'
            f'<a href="{href}"><bdi>{conditional_escape(row.person.name)}</bdi></a></th>'
            f'<td class="nhsuk-table__cell"><bdi>{conditional_escape(row.organisation)}</bdi></td>'
            f"{numeric_cell(whole(row.broker_score))}"
            f"{numeric_cell(row.organisations_reached)}</tr>\n"
        )
    return mark_safe("".join(html))  # noqa: S308 - every value above is escaped
