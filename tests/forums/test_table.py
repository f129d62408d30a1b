"""The brokers-without-a-seat and joint-appointment rows, built in Python, against the
templates they replace (kept here, as they stood, with the labels a phone's cards
show): the same HTML for the same rows, escaping included."""

import pytest
from django.template import Context, Template
from django.test.html import parse_html

from stakeholders.forums.reads import JointRow, Named, PersonRow
from stakeholders.forums.table import broker_rows, joint_rows

BROKER_ROWS = """{% for row in rows %}
<tr class="nhsuk-table__row">
  <th class="nhsuk-table__header" scope="row"><a href="{% url 'stakeholders:person_detail' slug=slug pk=row.person.pk %}"><bdi>{{ row.person.name }}</bdi></a></th>
  <td class="nhsuk-table__cell" data-label="Organisation"><bdi>{{ row.organisation }}</bdi></td>
  <td class="nhsuk-table__cell nhsuk-table__cell--numeric" data-label="Broker score">{{ row.broker_score|floatformat:0 }}</td>
  <td class="nhsuk-table__cell nhsuk-table__cell--numeric" data-label="Other organisations reached">{{ row.organisations_reached }}</td>
</tr>
{% endfor %}"""  # noqa: E501

ROWS = [
    PersonRow(Named(3, "Zoë <i>O'Neil</i>"), 'Leeds & York "NHS"', 93.5, 12, []),
    PersonRow(Named(4, "ربيع"), "", 90.49, 0, []),
]


JOINT_ROWS = """{% for j in rows %}
    <tr class="nhsuk-table__row">
      <th class="nhsuk-table__header" scope="row"><a href="{% url 'stakeholders:person_detail' slug=slug pk=j.person.pk %}"><bdi>{{ j.person.name }}</bdi></a></th>
      <td class="nhsuk-table__cell" data-label="Organisations"><ul class="nhsuk-list nhsuk-body-s nhsuk-u-margin-bottom-0">{% for o, hit in j.organisations %}<li><bdi>{{ o }}</bdi>: {% if hit %}reached{% else %}<strong>not reached</strong>{% endif %}</li>{% endfor %}</ul></td>
      <td class="nhsuk-table__cell" data-label="Finding">{% if j.works_inside_one %}<strong>Works inside one organisation only</strong>{% else %}Bridges its posts{% endif %}</td>
    </tr>
{% endfor %}"""  # noqa: E501

JOINT = [
    JointRow(Named(7, "Zoë <i>O'Neil</i>"), [('Leeds & York "NHS"', True), ("ربيع", False)], False),
    JointRow(Named(8, "Ann"), [("A", False), ("B <b>", False)], True),
    JointRow(Named(9, "Bo"), [("A", True), ("B", True), ("C", True)], False),
]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("build", "template", "rows", "markup"),
    [(broker_rows, BROKER_ROWS, ROWS, "i"), (joint_rows, JOINT_ROWS, JOINT, "b")],
)
def test_rows_match_the_template(build, template, rows, markup):
    ours = build(rows, slug="demo")
    theirs = Template(template).render(Context({"rows": rows, "slug": "demo"}))
    assert parse_html(str(ours)) == parse_html(theirs)
    assert f"&lt;{markup}&gt;" in ours and f"<{markup}>" not in ours
    assert build([], slug="demo") == ""
