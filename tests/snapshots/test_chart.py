"""A person's broker score over the snapshots: the chart's geometry and the person page."""

import datetime
import io

from django.core.management import call_command
from django.db import transaction
from django.urls import reverse

from stakeholders.snapshots.chart import HEIGHT, PAD_X, PAD_Y, WIDTH, score_chart
from tests.factories import (
    AffiliationFactory,
    OrganisationFactory,
    PersonFactory,
    RelationshipFactory,
)

D1, D2 = datetime.date(2025, 1, 1), datetime.date(2026, 1, 1)


def test_no_snapshots_no_chart():
    assert score_chart([]) is None


def test_points_run_left_to_right_and_0_to_100_bottom_to_top():
    chart = score_chart([("A", D1, 0.0), ("B", D2, 100.0), ("C", D2, 50.0)])
    xs = [p.x for p in chart.points]
    assert xs == [PAD_X, WIDTH / 2, WIDTH - PAD_X]
    assert [p.y for p in chart.points] == [HEIGHT - PAD_Y, PAD_Y, HEIGHT / 2]
    assert chart.polyline.startswith(f"{PAD_X},{HEIGHT - PAD_Y} ")


def test_dates_label_the_axis_without_crowding_it():
    days = [D1 + datetime.timedelta(days=30 * i) for i in range(14)]
    chart = score_chart([(f"S{i}", d, 10.0 * (i % 10)) for i, d in enumerate(days)])
    assert 2 <= len(chart.dates) <= 6
    assert chart.dates[0].label == "1 Jan 2025" and chart.dates[0].at == PAD_X
    gaps = [b.at - a.at for a, b in zip(chart.dates, chart.dates[1:], strict=False)]
    assert min(gaps) >= 70  # a label is about 60 units wide at this size
    assert [t.label for t in chart.scores] == ["0", "50", "100"]
    few = score_chart([("A", D1, 1.0), ("B", D2, 2.0)])
    assert [t.label for t in few.dates] == ["1 Jan 2025", "1 Jan 2026"]


def test_a_single_snapshot_sits_in_the_middle():
    (point,) = score_chart([("A", D1, 40.0)]).points
    assert point.x == WIDTH / 2


def test_person_page_charts_their_broker_score_with_a_table(client, workspace, viewer):
    a = OrganisationFactory(workspace=workspace, name="Trust")
    b = OrganisationFactory(workspace=workspace, name="Council")
    people = [PersonFactory(workspace=workspace, name=f"Pat {i}") for i in range(4)]
    for person, org in zip(people, [a, a, b, b], strict=True):
        AffiliationFactory(person=person, organisation=org)
    RelationshipFactory(source=people[0], target=people[1])
    RelationshipFactory(source=people[1], target=people[2], start_date=D2)
    RelationshipFactory(source=people[2], target=people[3])
    transaction.get_connection().run_on_commit.clear()
    for name, day in (("Board 2025", D1), ("Board 2026", D2)):
        call_command(
            "snapshot", "--workspace", workspace.slug, "--name", name, "--as-of", day.isoformat(),
            stdout=io.StringIO(),
        )  # fmt: skip
    client.force_login(viewer)
    url = reverse("stakeholders:person_detail", kwargs={"slug": workspace.slug, "pk": people[1].pk})
    page = client.get(url).content.decode()
    assert "Broker score over the snapshots" in page
    assert "<polyline" in page and page.count("<circle") == 2
    assert "Board 2025" in page and "Board 2026" in page  # the table alternative
    assert ">1 Jan 2025</text>" in page and ">1 Jan 2026</text>" in page  # the date axis
