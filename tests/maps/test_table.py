"""The map's table rows and organisation options, built in Python, against the
template they replace (kept here, as it stood, with the labels a phone's cards show and
the span that keeps a stale count beside its ties there): the same HTML for the same
nodes, escaping included."""

import pytest
from django.template import Context, Template
from django.test.html import parse_html
from django.urls import reverse

from stakeholders.maps.marks import GroupStyle, Node
from stakeholders.maps.table import organisation_options, organisation_rows, person_rows

ORGANISATION_ROWS = """{% for node in nodes %}
<tr class="nhsuk-table__row">
  <th class="nhsuk-table__header" scope="row">{% if node.pk %}<a href="{{ organisation_link_base }}{{ node.pk }}"><bdi>{{ node.label }}</bdi></a>{% else %}{{ node.label }}{% endif %}</th>
  <td class="nhsuk-table__cell" data-label="{{ colour_label|capfirst }}"><span><bdi>{{ node.style.label }}</bdi> ({{ node.style.shape }})</span></td>
  <td class="nhsuk-table__cell nhsuk-table__cell--numeric" data-label="People">{{ node.people }}</td>
  <td class="nhsuk-table__cell nhsuk-table__cell--numeric" data-label="{{ ties_label }}">{% if node.stale_ties %}<span>{{ node.ties }}<span class="app-table-secondary">{{ node.stale_ties }} not observed for {{ stale_months }} months</span></span>{% else %}{{ node.ties }}{% endif %}</td>
</tr>
{% endfor %}"""  # noqa: E501

PERSON_ROWS = """{% for node in nodes %}
<tr class="nhsuk-table__row">
  <th class="nhsuk-table__header" scope="row"><a href="{% url 'stakeholders:person_detail' slug=slug pk=node.pk %}?boundary={{ boundary }}"><bdi>{{ node.label }}</bdi></a>{% if node.broker %} <strong class="app-map-broker-tag">broker</strong>{% endif %}<span class="app-table-secondary"><bdi>{{ node.job_title }}</bdi>, <bdi>{{ node.organisation }}</bdi></span></th>
  <td class="nhsuk-table__cell" data-label="{{ colour_label|capfirst }}"><span><bdi>{{ node.style.label }}</bdi> ({{ node.style.shape }})</span></td>
  <td class="nhsuk-table__cell nhsuk-table__cell--numeric" data-label="Broker score">{{ node.broker_score|floatformat:0 }}</td>
  <td class="nhsuk-table__cell nhsuk-table__cell--numeric" data-label="{{ ties_label }}">{% if node.stale_ties %}<span>{{ node.ties }}<span class="app-table-secondary">{{ node.stale_ties }} not observed for {{ stale_months }} months</span></span>{% else %}{{ node.ties }}{% endif %}</td>
</tr>
{% endfor %}"""  # noqa: E501

OPTIONS = """{% for pk, name in organisations %}<option value="{{ pk }}"{% if pk == chosen %} selected{% endif %}>{{ name }}</option>{% endfor %}"""  # noqa: E501

STYLE = GroupStyle("vcse", "Voluntary & <community>", "#000", "diamond")


def _node(pk, label, **fields) -> Node:
    return Node(pk, label, label, 0.0, 0.0, 1.0, "", STYLE, label, **fields)


NODES = [
    _node(7, 'Leeds & York <NHS> "Trust"', people=12, ties=1234, stale_ties=3),
    _node(8, "O'Brien's practice", people=1, ties=0),
    _node(None, "No organisation", people=4, ties=2, stale_ties=2),
]
PEOPLE = [
    _node(
        11,
        "Zoë <b>Smith</b>",
        broker=True,
        broker_score=73.5,
        job_title="Director & lead",
        organisation='Acme "CIC"',
        ties=5,
        stale_ties=1,
    ),  # fmt: skip
    _node(12, "Ann Lee", broker_score=0.4, job_title="", organisation="", ties=0),
    _node(13, "ربيع", broker_score=99.5, job_title="GP", organisation="PCN", ties=2),
]


def _same(ours, template: str, **context) -> None:
    theirs = Template(template).render(Context(context))
    assert parse_html(str(ours)) == parse_html(theirs)


@pytest.mark.parametrize("stale_months", [18, None])
def test_organisation_rows_match_the_template(stale_months):
    base = "/w/demo/map/?boundary=sector&organisation="
    ours = organisation_rows(NODES, base, stale_months, style_label="Sector")
    _same(ours, ORGANISATION_ROWS, nodes=NODES, organisation_link_base=base,
          stale_months=stale_months, colour_label="sector",
          ties_label="Ties with other organisations")  # fmt: skip
    assert "&lt;NHS&gt;" in ours and "<NHS>" not in ours


@pytest.mark.django_db
def test_person_rows_match_the_template():
    ours = person_rows(PEOPLE, slug="demo", boundary="tier", stale_months=12, style_label="Tier")
    _same(ours, PERSON_ROWS, nodes=PEOPLE, slug="demo", boundary="tier", stale_months=12,
          colour_label="tier", ties_label="Ties drawn")  # fmt: skip
    assert reverse("stakeholders:person_detail", kwargs={"slug": "demo", "pk": 11}) in ours
    assert "&lt;b&gt;Smith&lt;/b&gt;" in ours and "<b>" not in ours


@pytest.mark.parametrize("chosen", [8, None, 99])
def test_organisation_options_match_the_template(chosen):
    organisations = [(7, "Leeds & York <NHS>"), (8, "O'Brien's")]
    ours = organisation_options(organisations, chosen)
    _same(ours, OPTIONS, organisations=organisations, chosen=chosen)
    assert ours.count(" selected") == (1 if chosen == 8 else 0)
