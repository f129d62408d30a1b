"""The Seats and influence page, its CSV and `export_csv forums`, through their URLs."""

import csv
import datetime
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from stakeholders.forums import reads
from stakeholders.models import Boundary, ForumMembership, PersonScore
from tests.factories import RelationshipFactory

pytestmark = pytest.mark.django_db


def page_url(workspace, csv_=False):
    name = "stakeholders:forums_csv" if csv_ else "stakeholders:forums"
    return reverse(name, kwargs={"slug": workspace.slug})


@pytest.mark.parametrize("csv_", [False, True])
def test_anonymous_visitors_are_sent_to_log_in(client, workspace, csv_):
    response = client.get(page_url(workspace, csv_))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("csv_", [False, True])
def test_members_of_another_workspace_get_404(client, workspace, outsider, forum_map, csv_):
    client.force_login(outsider)
    assert client.get(page_url(workspace, csv_)).status_code == 404


@pytest.mark.parametrize("who", ["viewer", "editor"])
def test_viewers_and_editors_see_seats_and_influence(client, workspace, forum_map, who, request):
    client.force_login(request.getfixturevalue(who))
    response = client.get(page_url(workspace))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Seats and influence</h1>" in html
    assert "Fenwick Board" in html and "Marsh Team" in html
    assert "informal ties" in html  # says which layer is shown


def test_the_page_lists_brokers_without_a_seat(client, workspace, forum_map, viewer):
    bea = forum_map["people"]["Bea"]
    PersonScore.objects.filter(person=bea, boundary=Boundary.ORGANISATION).update(broker_score=95.0)
    client.force_login(viewer)
    html = client.get(page_url(workspace)).content.decode()
    table = html.split("informal broker without a seat")[1].split("</table>")[0]
    link = reverse("stakeholders:person_detail", kwargs={"slug": workspace.slug, "pk": bea.pk})
    assert f'<a href="{link}"><bdi>Bea</bdi></a>' in table
    assert ">95</td>" in table and "None: every" not in table
    # Reach here counts every role of a contact; the Brokers page counts main roles only.
    assert "work today, in any of their roles, apart from their own; the Brokers page" in html


def test_every_table_stacks_as_cards_on_a_phone(client, workspace, forum_map, viewer):
    """Each row becomes a card on a narrow screen; every value names its column there."""
    bea = forum_map["people"]["Bea"]
    PersonScore.objects.filter(person=bea, boundary=Boundary.ORGANISATION).update(broker_score=95.0)
    client.force_login(viewer)
    html = client.get(page_url(workspace)).content.decode()
    assert "css/tables.css" in html  # where the cards are drawn
    assert html.count('<table class="nhsuk-table app-stack-table">') == 3
    brokers, little_reach, joint = (t.split("</table>")[0] for t in html.split("<table")[1:4])
    assert '<td class="nhsuk-table__cell" data-label="Organisation">' in brokers
    assert 'data-label="Broker score">95</td>' in brokers
    assert 'data-label="Seats"><span><bdi>' in little_reach
    assert 'data-label="Other organisations reached">0</td>' in little_reach
    assert 'data-label="Organisations"><ul' in joint and 'data-label="Finding"><strong>' in joint


def test_the_page_finds_the_divergence(workspace, forum_map):
    people = forum_map["people"]
    PersonScore.objects.filter(person=people["Bea"], boundary=Boundary.ORGANISATION).update(
        broker_score=95.0
    )
    run = PersonScore.objects.filter(person=people["Bea"]).first().run
    page = reads.seats_and_influence(workspace=workspace, run=run)
    assert [r.person.name for r in page.brokers_without_seat] == ["Bea"]
    # Hana sits on both forums but ties to nobody.
    assert "Hana" in [r.person.name for r in page.seats_with_little_reach]
    board = next(f for f in page.forums if f.forum.name == "Fenwick Board")
    assert board.members and {m.name for m in board.members} == {"Hana", "Cyril"}
    assert "Fenwick Carers" in board.organisations_not_reached
    assert "Local government and Voluntary and community sector (VCSE)" in board.sector_gaps
    (joint,) = page.joint_appointments
    assert joint.person.name == "Cora"
    assert joint.organisations == [("Fenwick Council", True), ("Northgate Hospital", False)]
    assert joint.works_inside_one


def test_reach_counts_only_ties_in_force_today(workspace, forum_map):
    """Hana ties to nobody today: a tie that ended, or starts next year, reaches no one."""
    people = forum_map["people"]
    today = datetime.date.today()
    RelationshipFactory(
        source=people["Hana"],
        target=people["Vera"],
        kind="trusts",
        start_date=datetime.date(2020, 1, 1),
        end_date=today - datetime.timedelta(days=1),
    )
    RelationshipFactory(
        source=people["Hana"],
        target=people["Vera"],
        kind="collaborates",
        start_date=today + datetime.timedelta(days=365),
    )
    run = PersonScore.objects.filter(person=people["Bea"]).first().run

    def hana_and_board():
        page = reads.seats_and_influence(workspace=workspace, run=run)
        (hana,) = [r for r in page.seats_with_little_reach if r.person.name == "Hana"]
        board = next(f for f in page.forums if f.forum.name == "Fenwick Board")
        return hana, board

    hana, board = hana_and_board()
    assert hana.organisations_reached == 0
    assert "Fenwick Carers" in board.organisations_not_reached
    # The same tie in force today reaches the charity.
    RelationshipFactory(source=people["Hana"], target=people["Vera"], kind="influences")
    hana, board = hana_and_board()
    assert hana.organisations_reached == 1
    assert "Fenwick Carers" in board.organisations


def test_the_page_reads_in_a_fixed_number_of_queries(
    workspace, forum_map, django_assert_num_queries
):
    run = PersonScore.objects.filter(person=forum_map["people"]["Bea"]).first().run
    transaction.get_connection().run_on_commit.clear()  # the fixture's changes, as committed
    with django_assert_num_queries(8):  # the data stamp (stakeholders.memo), then seven
        page = reads.seats_and_influence(workspace=workspace, run=run)
    with django_assert_num_queries(1):  # kept until the data changes
        assert reads.seats_and_influence(workspace=workspace, run=run) == page


def test_a_forum_without_seats_today_is_listed_reaching_nothing(workspace, forum_map):
    forum_map["team"].memberships.all().delete()
    page = reads.seats_and_influence(workspace=workspace, run=None)
    team = next(f for f in page.forums if f.forum.name == "Marsh Team")
    assert team.members == [] and team.organisations == []
    assert not page.scored and page.brokers_without_seat == []


def rows_of(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


def test_the_csv_download_has_a_table_column_and_a_dated_name(client, workspace, viewer, forum_map):
    client.force_login(viewer)
    response = client.get(page_url(workspace, csv_=True))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "north-fenwick-forums-" in response["Content-Disposition"]
    rows = rows_of(b"".join(response.streaming_content).decode())
    assert rows[0] == list(reads.SEATS_HEADER)
    tables = {r[0] for r in rows[1:]}
    assert {"Forum", "Joint appointment", "Seat-holder with little informal reach"} <= tables
    # Cyril (seats on both forums) reaches the hospital through Bea; Hana reaches nobody.
    reach = {r[1]: r[5] for r in rows if r[0] == "Seat-holder with little informal reach"}
    assert reach == {
        "Cyril": "Reaches 1 other organisation informally",
        "Hana": "Reaches 0 other organisations informally",
    }


def test_export_csv_forums_writes_the_same_rows(client, workspace, viewer, forum_map):
    out = io.StringIO()
    call_command("export_csv", "forums", "--workspace", workspace.slug, stdout=out)
    client.force_login(viewer)
    download = b"".join(client.get(page_url(workspace, csv_=True)).streaming_content).decode()
    assert rows_of(out.getvalue()) == rows_of(download)


def test_export_csv_forums_refuses_notes(workspace, forum_map, tmp_path):
    with pytest.raises(CommandError, match="forums has no notes file"):
        call_command(
            "export_csv", "forums", "--workspace", workspace.slug, "--output-dir", str(tmp_path)
        )


def test_the_menu_links_to_the_page(client, workspace, viewer):
    client.force_login(viewer)
    html = client.get(reverse("stakeholders:overview", kwargs={"slug": workspace.slug}))
    assert page_url(workspace) in html.content.decode()


def test_each_forum_links_to_the_room_for_its_organisations(client, workspace, viewer, forum_map):
    client.force_login(viewer)
    html = client.get(page_url(workspace)).content.decode()
    people = forum_map["people"]
    seated = sorted(
        {a.organisation_id for p in ("Hana", "Cyril") for a in people[p].affiliations.all()}
    )
    room = reverse("stakeholders:scenario_room", kwargs={"slug": workspace.slug})
    query = "&amp;".join(f"organisation={pk}" for pk in seated)
    assert f'href="{room}?{query}"' in html


def test_the_page_shows_a_seat_taken_after_it_was_read(client, workspace, viewer, forum_map):
    """The page's reads are kept (stakeholders.memo): a seat saved since shows at once."""
    client.force_login(viewer)

    def board_members():
        html = client.get(page_url(workspace)).content.decode()
        return html.split("<h3><bdi>Fenwick Board</bdi></h3>")[1].split("</dl>")[0]

    assert "Bea" not in board_members()
    assert "Bea" not in board_members()
    ForumMembership.objects.create(forum=forum_map["board"], person=forum_map["people"]["Bea"])
    assert "Bea" in board_members()


@pytest.mark.parametrize(
    ("days_ago", "finding"),
    [
        (0, "High broker score, no current forum seat"),
        (400, "High broker score, no forum seat on {day}"),
    ],
)
def test_the_csv_says_which_day_an_informal_broker_had_no_seat(days_ago, finding):
    """A past day's download says that day, as its page does, not 'no current seat'."""
    day = timezone.localdate() - datetime.timedelta(days=days_ago)
    broker = reads.PersonRow(
        person=reads.Named(1, "Bea"),
        organisation="Fenwick Hospitals",
        broker_score=91.0,
        organisations_reached=3,
        forums=[],
    )
    page = reads.SeatsPage(
        day=day,
        scored=True,
        brokers_without_seat=[broker],
        seats_with_little_reach=[],
        forums=[],
        joint_appointments=[],
    )
    rows = list(reads.seats_rows(page))
    assert rows[1][0] == "Informal broker without a seat"
    assert rows[1][5] == finding.format(day=day.isoformat())
