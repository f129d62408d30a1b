"""The brokers-without-a-seat rows, built in Python, against the template they replace
(kept here, as it stood): the same HTML for the same rows, escaping included."""

import pytest
from django.template import Context, Template
from django.test.html import parse_html

from stakeholders.forums.reads import Named, PersonRow
from stakeholders.forums.table import broker_rows

BROKER_ROWS = """{% for row in rows %}
<tr class="nhsuk-table__row">
  <th class="nhsuk-table__header" scope="row"><a href="{% url 'stakeholders:person_detail' slug=slug pk=row.person.pk %}"><bdi>{{ row.person.name }}</bdi></a></th>
  <td class="nhsuk-table__cell"><bdi>{{ row.organisation }}</bdi></td>
  <td class="nhsuk-table__cell nhsuk-table__cell--numeric">{{ row.broker_score|floatformat:0 }}</td>
  <td class="nhsuk-table__cell nhsuk-table__cell--numeric">{{ row.organisations_reached }}</td>
</tr>
{% endfor %}"""  # noqa: E501

ROWS = [
    PersonRow(Named(3, "Zoë <i>O'Neil</i>"), 'Leeds & York "NHS"', 93.5, 12, []),
    PersonRow(Named(4, "ربيع"), "", 90.49, 0, []),
]


@pytest.mark.django_db
def test_broker_rows_match_the_template():
    ours = broker_rows(ROWS, slug="demo")
    theirs = Template(BROKER_ROWS).render(Context({"rows": ROWS, "slug": "demo"}))
    assert parse_html(str(ours)) == parse_html(theirs)
    assert "&lt;i&gt;" in ours and "<i>" not in ours
    assert broker_rows([], slug="demo") == ""
