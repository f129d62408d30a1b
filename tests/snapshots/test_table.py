"""The comparison's broker and partnership rows, built in Python, against the
template loops they replace (kept here, as they stood, with the labels a phone's
cards show): the same HTML for the same rows, escaping, signs and missing sides
included."""

import pytest
from django.template import Context, Template
from django.test.html import parse_html

from stakeholders.snapshots.changes import PairChange, PairFigures
from stakeholders.snapshots.comparison import NamedBroker, NamedPair
from stakeholders.snapshots.table import broker_rows, pair_rows

BROKER_ROWS = """    {% for b in rows %}
    <tr class="nhsuk-table__row">
      <th scope="row" class="nhsuk-table__header">{% if b.ref %}<a href="{% url 'stakeholders:person_detail' slug=slug pk=b.id %}"><bdi>{{ b.name }}</bdi></a>{% else %}{{ b.name }}{% endif %}</th>
      <td class="nhsuk-table__cell nhsuk-table__cell--numeric" data-label="Broker score then">{% if b.then is None %}not in the map{% else %}{{ b.then|floatformat:0 }}{% endif %}</td>
      <td class="nhsuk-table__cell nhsuk-table__cell--numeric" data-label="Broker score now">{% if b.now is None %}not in the map{% else %}{{ b.now|floatformat:0 }}{% endif %}</td>
      <td class="nhsuk-table__cell nhsuk-table__cell--numeric" data-label="Change">{% if b.change > 0 %}+{% endif %}{{ b.change|floatformat:0 }}</td>
    </tr>
    {% endfor %}
"""  # noqa: E501

PAIR_ROWS = """    {% for p in rows %}{% with c=p.change %}
    <tr class="nhsuk-table__row">
      <th scope="row" class="nhsuk-table__header"><bdi>{{ p.group_a }}</bdi> and <bdi>{{ p.group_b }}</bdi></th>
      <td class="nhsuk-table__cell nhsuk-table__cell--numeric" data-label="Ties then">{{ c.then.relationships|default:0 }}</td>
      <td class="nhsuk-table__cell nhsuk-table__cell--numeric" data-label="Ties now">{{ c.now.relationships|default:0 }}</td>
      <td class="nhsuk-table__cell nhsuk-table__cell--numeric" data-label="Change in ties">{% if c.ties_change > 0 %}+{% endif %}{{ c.ties_change }}</td>
      <td class="nhsuk-table__cell nhsuk-table__cell--numeric" data-label="Mean trust then">{{ c.then.mean_trust|floatformat:1|default:"–" }}</td>
      <td class="nhsuk-table__cell nhsuk-table__cell--numeric" data-label="Mean trust now">{{ c.now.mean_trust|floatformat:1|default:"–" }}</td>
      <td class="nhsuk-table__cell nhsuk-table__cell--numeric" data-label="People carrying ties then">{{ c.then.carriers|default:0 }}</td>
      <td class="nhsuk-table__cell nhsuk-table__cell--numeric" data-label="People carrying ties now">{{ c.now.carriers|default:0 }}</td>
    </tr>
    {% endwith %}{% endfor %}
"""  # noqa: E501

BROKERS = [
    NamedBroker(1, "P1", "Zoë <b>O'Neil</b>", 12.5, 40.5, 28.0),
    NamedBroker(2, "P2", "Ann & Bo", 60.0, 59.6, -0.4),
    NamedBroker(3, "", "Gone since", 70.2, None, -70.2),
    NamedBroker(4, "P4", "ربيع", None, 33.5, 33.5),
    NamedBroker(5, "P5", "Same", 50.0, 50.0, 0.0),
]
THEN = PairFigures(relationships=3, mean_trust=3.25, carriers=2, single_point_of_failure=True)
NOW = PairFigures(relationships=0, mean_trust=None, carriers=0, single_point_of_failure=False)
PAIRS = [
    NamedPair("Leeds <NHS>", 'York "Council"', PairChange(("a", "b"), THEN, NOW)),
    NamedPair("A & B", "C", PairChange(("c", "d"), None, THEN)),
    NamedPair("E", "F", PairChange(("e", "f"), NOW, None)),
    NamedPair("G", "H", PairChange(("g", "h"), THEN, THEN)),
]


def _same(ours, template: str, **context) -> None:
    theirs = Template(template).render(Context(context))
    assert parse_html(str(ours)) == parse_html(theirs)


@pytest.mark.django_db
def test_broker_rows_match_the_template():
    ours = broker_rows(BROKERS, slug="demo")
    _same(ours, BROKER_ROWS, rows=BROKERS, slug="demo")
    assert "&lt;b&gt;" in ours and "<b>" not in ours
    assert ">+28</td>" in ours and ">0</td>" in ours and "not in the map" in ours


@pytest.mark.django_db
def test_a_brokers_change_is_that_of_the_whole_numbers_shown():
    """20.8 to 45.4 shows as 21 to 45: the change shown is +24, which adds up (and is
    what `export_csv brokers --compare-to` gives), not the exact change rounded (+25)."""
    ours = broker_rows([NamedBroker(6, "P6", "Olivia", 20.8, 45.4, 24.6)], slug="demo")
    cells = [c.split(">", 1)[1].split("<", 1)[0] for c in ours.split('numeric"')[1:]]
    assert cells == ["21", "45", "+24"]


def test_pair_rows_match_the_template():
    ours = pair_rows(PAIRS)
    _same(ours, PAIR_ROWS, rows=PAIRS)
    assert (
        "&lt;NHS&gt;" in ours and ">–</td>" in ours and ">3.3</td>" in ours
    )  # half up, as floatformat
