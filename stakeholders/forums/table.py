"""The page's two long tables, brokers without a seat and joint appointments, as rows
built in Python.

At 20,000 people some 3,300 brokers hold no seat: their rows took the template
(a `{% url %}` and a `floatformat` each) about a fifth of the page's time; the
400 joint appointments, with a list each, about a sixth. Values are escaped as
the template escapes them; tests/forums/test_table.py holds the templates these
replace and checks that they agree.
"""

from collections.abc import Iterable

from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from stakeholders.forums.reads import JointRow, PersonRow
from stakeholders.rows import numeric_cell, person_url, text_cell, whole


def broker_rows(rows: Iterable[PersonRow], *, slug: str) -> SafeString:
    """One row per broker: name (a link to their page), organisation, score, reach."""
    url = person_url(slug)
    html = []
    for row in rows:
        href = url(row.person.pk)
        html.append(
            '<tr class="nhsuk-table__row"><th class="nhsuk-table__header" scope="row">'
            f'<a href="{href}"><bdi>{conditional_escape(row.person.name)}</bdi></a></th>'
            f"{text_cell(f'<bdi>{conditional_escape(row.organisation)}</bdi>', 'Organisation')}"
            f"{numeric_cell(whole(row.broker_score), 'Broker score')}"
            f"{numeric_cell(row.organisations_reached, 'Other organisations reached')}</tr>\n"
        )
    return mark_safe("".join(html))  # noqa: S308 - every value above is escaped


def joint_rows(rows: Iterable[JointRow], *, slug: str) -> SafeString:
    """One row per joint appointment: the person, each organisation reached or not, finding."""
    url = person_url(slug)
    html = []
    for row in rows:
        posts = "".join(
            f"<li><bdi>{conditional_escape(name)}</bdi>: "
            f"{'reached' if hit else '<strong>not reached</strong>'}</li>"
            for name, hit in row.organisations
        )
        finding = (
            "<strong>Works inside one organisation only</strong>"
            if row.works_inside_one
            else "Bridges its posts"
        )
        html.append(
            '<tr class="nhsuk-table__row"><th class="nhsuk-table__header" scope="row">'
            f'<a href="{url(row.person.pk)}"><bdi>{conditional_escape(row.person.name)}</bdi></a>'
            "</th>"
            + text_cell(
                f'<ul class="nhsuk-list nhsuk-body-s nhsuk-u-margin-bottom-0">{posts}</ul>',
                "Organisations",
            )
            + f"{text_cell(finding, 'Finding')}</tr>\n"
        )
    return mark_safe("".join(html))  # noqa: S308 - every value above is escaped
