"""The trusted route page and its download, through their URLs."""

import csv
import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from stakeholders.scenarios.routes import ROUTE_HEADER, route_page
from tests.factories import (
    AffiliationFactory,
    OrganisationFactory,
    PersonFactory,
    RelationshipFactory,
)

pytestmark = pytest.mark.django_db


def url(workspace, name="scenario_route", **query):
    path = reverse(f"stakeholders:{name}", kwargs={"slug": workspace.slug})
    if not query:
        return path
    return path + "?" + "&".join(f"{k}={v}" for k, v in query.items())


def text(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8")
    return response.content.decode()


def plain(html: str) -> str:
    """The page's words, tags dropped and spaces collapsed, for reading sentences."""
    words = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    return re.sub(r" ([.,;:)])", r"\1", words)


@pytest.mark.parametrize("name", ["scenario_route", "scenario_route_csv"])
def test_route_pages_need_membership(client, fenwick, outsider, viewer, editor, name):
    target = url(fenwick.workspace, name, **{"from": fenwick.amira.pk, "to": fenwick.chris.pk})
    response = client.get(target)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    client.force_login(outsider)
    assert client.get(target).status_code == 404
    for member in (viewer, editor):
        client.force_login(member)
        assert client.get(target).status_code == 200


def test_the_most_trusted_route_then_alternatives_in_order(client, fenwick, viewer):
    client.force_login(viewer)
    response = client.get(
        url(fenwick.workspace, **{"from": fenwick.amira.pk, "to": fenwick.chris.pk})
    )
    page = plain(text(response))
    assert "Routes from Amira Okafor to Chris Chief" in page
    assert (
        "The most trusted route is 64% reliable; 3 other routes share none of its go-betweens"
        in page
    )
    order = [page.index(s) for s in (
        "Most trusted route: 64% reliable", "Route 2: 29% reliable", "Route 3: 24% reliable",
        "Route 4: 8% reliable",
    )]  # fmt: skip
    assert order == sorted(order)
    assert "2 steps, through Bea Broker" in page
    assert "A direct relationship: no introduction needed" in page
    # Larry has left: never a go-between, never offered.
    assert "Larry Left" not in page


def test_each_hop_shows_kind_strength_trust_evidence_and_when_observed(client, fenwick, viewer):
    client.force_login(viewer)
    response = client.get(
        url(fenwick.workspace, **{"from": fenwick.amira.pk, "to": fenwick.chris.pk})
    )
    page = plain(text(response))
    today = timezone.localdate()
    assert (
        "Recorded as: Amira Okafor collaborates with Bea Broker. Strength 4 of 5; trust 4 of 5. "
        f"Last observed {today:%-d %B %Y}." in page
    )
    assert "Evidence: Co-chair the elective recovery board" in page
    # Recorded the other way round, and shown as recorded.
    assert "Recorded as: Chris Chief trusts Bea Broker." in page
    assert "trust not recorded, counted as 3 of 5" in page
    assert "Evidence: none recorded." in page
    # Eve's tie is three years old: stale under the 24-month retention, so it counts half.
    assert "Amira Okafor to Eve Evans: 50% reliable Stale" in page
    assert "so it counts at half" in page


def test_no_route_names_the_part_of_the_map_each_side_is_in(client, fenwick, viewer):
    client.force_login(viewer)
    response = client.get(
        url(fenwick.workspace, **{"from": fenwick.amira.pk, "to": fenwick.cara.pk})
    )
    assert response.status_code == 200
    page = plain(text(response))
    assert "No route from Amira Okafor to Cara Carer" in page
    assert (
        "Amira Okafor is in a part of the map of 5 people, from Fenwick Hospitals NHS Trust (3), "
        "Fenwick County Council (1) and North Fenwick ICB (1)." in page
    )
    assert "Cara Carer is in a part of the map of 2 people, from Fenwick Carers (2)." in page


def test_someone_with_no_ties_is_said_to_have_none(client, fenwick, viewer):
    loner = PersonFactory(workspace=fenwick.workspace, name="Lone Ranger", ref="LONE")
    AffiliationFactory(person=loner, organisation=fenwick.district)
    client.force_login(viewer)
    response = client.get(url(fenwick.workspace, **{"from": fenwick.amira.pk, "to": loner.pk}))
    page = plain(text(response))
    assert (
        "Lone Ranger has no recorded relationship with anyone current in the map "
        "(they work at Marsh Vale District Council)." in page
    )


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"from": "abc", "to": "1"}, "is not a record number"),
        ({"from": "-1", "to": "1"}, "is not a record number"),
        ({"from": "1" * 40, "to": "1"}, "is not a record number"),
        ({"from": "99999999", "to": "1"}, "not one of the current people"),
        ({"from": "１２", "to": "1"}, "is not a record number"),
    ],
)
def test_bad_people_in_the_address_get_a_clear_400(client, fenwick, viewer, query, message):
    client.force_login(viewer)
    response = client.get(url(fenwick.workspace, **query))
    assert response.status_code == 400
    assert message in text(response)


def test_the_same_person_twice_or_someone_who_left_is_refused(client, fenwick, viewer):
    client.force_login(viewer)
    same = client.get(url(fenwick.workspace, **{"from": fenwick.amira.pk, "to": fenwick.amira.pk}))
    assert same.status_code == 400
    assert "Choose two different people" in text(same)
    left = client.get(url(fenwick.workspace, **{"from": fenwick.amira.pk, "to": fenwick.larry.pk}))
    assert left.status_code == 400
    assert "recorded as having left" in text(left)


def test_people_of_another_workspace_are_refused(client, fenwick, viewer, other_workspace):
    stranger = PersonFactory(workspace=other_workspace, name="Southern Person")
    client.force_login(viewer)
    response = client.get(url(fenwick.workspace, **{"from": fenwick.amira.pk, "to": stranger.pk}))
    assert response.status_code == 400
    assert "Southern Person" not in text(response)
    csv = client.get(
        url(
            fenwick.workspace, "scenario_route_csv", **{"from": stranger.pk, "to": fenwick.amira.pk}
        )
    )
    assert csv.status_code == 400


def test_the_page_remembers_the_start_for_the_session(client, fenwick, viewer):
    client.force_login(viewer)
    client.get(url(fenwick.workspace, **{"from": fenwick.amira.pk}))
    page = text(client.get(url(fenwick.workspace, to=fenwick.chris.pk)))
    assert "Routes from <bdi>Amira Okafor</bdi> to <bdi>Chris Chief</bdi>" in page
    assert f'<option value="{fenwick.amira.pk}" selected>' in page
    # Choosing nobody as the start is respected.
    page = text(client.get(url(fenwick.workspace, **{"from": "", "to": fenwick.chris.pk})))
    assert "Routes from" not in page
    assert "Choose the person to reach" not in page


def test_a_remembered_start_who_has_since_left_is_forgotten(client, fenwick, viewer):
    client.force_login(viewer)
    client.get(url(fenwick.workspace, **{"from": fenwick.bea.pk}))
    fenwick.bea.active = False
    fenwick.bea.save()
    response = client.get(url(fenwick.workspace, to=fenwick.chris.pk))
    assert response.status_code == 200
    assert "Routes from" not in text(response)


def test_the_pickers_list_current_people_with_job_and_organisation(client, fenwick, viewer):
    client.force_login(viewer)
    page = text(client.get(url(fenwick.workspace)))
    assert "Chris Chief – Chief Executive, NF ICB" in page
    assert "Larry Left" not in page
    assert 'name="from"' in page and 'name="to"' in page
    assert "Your login is not linked to a person in the map" in page
    assert "How routes are worked out" in page


def test_htmx_swaps_only_the_results(client, fenwick, viewer):
    client.force_login(viewer)
    response = client.get(
        url(fenwick.workspace, **{"from": fenwick.amira.pk, "to": fenwick.chris.pk}),
        headers={"HX-Request": "true", "HX-Target": "route-results"},
    )
    page = text(response)
    assert page.lstrip().startswith("<title>")
    assert 'id="route-results"' in page and "<html" not in page and 'name="from"' not in page
    assert "Most trusted route" in page


def test_route_read_takes_a_fixed_number_of_queries(fenwick, django_assert_num_queries):
    today = timezone.localdate()
    ws = fenwick.workspace
    with django_assert_num_queries(1):
        route_page(workspace=ws, source=None, target=None, today=today)
    with django_assert_num_queries(3):
        route_page(workspace=ws, source=fenwick.amira.pk, target=fenwick.chris.pk, today=today)
    with django_assert_num_queries(2):  # no route: no tie to read back
        route_page(workspace=ws, source=fenwick.amira.pk, target=fenwick.cara.pk, today=today)
    # More people and ties: the same count.
    org = OrganisationFactory(workspace=ws)
    extra = [PersonFactory(workspace=ws) for _ in range(20)]
    for person in extra:
        AffiliationFactory(person=person, organisation=org)
    for a, b in zip(extra, extra[1:], strict=False):
        RelationshipFactory(source=a, target=b)
    RelationshipFactory(source=extra[0], target=fenwick.amira)
    with django_assert_num_queries(3):
        route_page(workspace=ws, source=extra[-1].pk, target=fenwick.chris.pk, today=today)


def test_csv_has_the_exact_header_and_one_row_per_hop(client, fenwick, viewer):
    client.force_login(viewer)
    response = client.get(
        url(
            fenwick.workspace,
            "scenario_route_csv",
            **{"from": fenwick.amira.pk, "to": fenwick.chris.pk},
        )
    )
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    day = timezone.localdate().isoformat()
    assert f'filename="north-fenwick-route-{day}.csv"' in response["Content-Disposition"]
    body = text(response)
    assert body.startswith("\ufeff")
    lines = body.lstrip("\ufeff").splitlines()
    assert lines[0] == ",".join(ROUTE_HEADER)
    assert ROUTE_HEADER == (
        "Route", "Hop", "From ref", "To ref", "Kind", "Strength", "Trust", "Hop reliability",
        "Route reliability", "From name", "To name", "To job title", "To organisation",
        "Observed on", "Stale", "Evidence",
    )  # fmt: skip
    rows = list(csv.reader(lines))
    assert [",".join(row[:9]) for row in rows[1:]] == [
        "1,1,AMIRA,BEA,Collaborates with,4,4,0.64,0.64",
        "1,2,BEA,CHRIS,Trusted by,5,5,1.0,0.64",
        "2,1,AMIRA,DAN,Influences,3,,0.36,0.288",
        "2,2,DAN,CHRIS,Collaborates with,5,4,0.8,0.288",
        "3,1,AMIRA,EVE,Collaborates with,5,5,0.5,0.24",
        "3,2,EVE,CHRIS,Reports to,4,3,0.48,0.24",
        "4,1,AMIRA,CHRIS,Influences,1,2,0.08,0.08",
    ]
    # What the page says of each step: names, who the step reaches, when and why.
    today = timezone.localdate()
    assert rows[1][9:] == [
        "Amira Okafor", "Bea Broker", "Head of Partnerships", fenwick.hospital.name,
        today.isoformat(), "No", "Co-chair the elective recovery board",
    ]  # fmt: skip
    assert rows[2][9:] == [
        "Bea Broker", "Chris Chief", "Chief Executive", fenwick.icb.name,
        fenwick.ties["chris-bea"].observed_on.isoformat(), "No", "Chris's sounding board",
    ]  # fmt: skip
    assert rows[5][14] == "Yes"  # observed three years ago: past the retention cutoff


def test_csv_guards_refs_a_spreadsheet_would_run(client, fenwick, viewer):
    fenwick.amira.ref = "=HYPERLINK(1)"
    fenwick.amira.save()
    client.force_login(viewer)
    body = text(
        client.get(
            url(
                fenwick.workspace,
                "scenario_route_csv",
                **{"from": fenwick.amira.pk, "to": fenwick.bea.pk},
            )
        )
    )
    assert "1,1,'=HYPERLINK(1),BEA" in body


def test_csv_without_both_people_is_a_400(client, fenwick, viewer):
    client.force_login(viewer)
    response = client.get(url(fenwick.workspace, "scenario_route_csv", to=fenwick.chris.pk))
    assert response.status_code == 400
    assert "Choose both people" in text(response)


def test_retention_off_means_no_tie_is_stale(client, fenwick, viewer):
    fenwick.workspace.retention_months = None
    fenwick.workspace.save()
    client.force_login(viewer)
    body = text(
        client.get(
            url(
                fenwick.workspace,
                "scenario_route_csv",
                **{"from": fenwick.amira.pk, "to": fenwick.eve.pk},
            )
        )
    )
    assert "1,1,AMIRA,EVE,Collaborates with,5,5,1.0,1.0" in body


def test_only_ties_in_force_today_carry_a_route(client, fenwick, viewer):
    """As the scores count them: a tie that has ended, or starts later, is no route."""
    today = timezone.localdate()
    day = datetime.timedelta(days=1)
    bea_chris = fenwick.ties["chris-bea"]
    bea_chris.end_date = today - day
    bea_chris.save()
    RelationshipFactory(
        source=fenwick.amira, target=fenwick.chris, kind="trusts", strength=5, trust=5,
        start_date=today + day,
    )  # fmt: skip
    client.force_login(viewer)
    query = {"from": fenwick.amira.pk, "to": fenwick.chris.pk}
    page = plain(text(client.get(url(fenwick.workspace, **query))))
    results = page.split("Routes from Amira Okafor to Chris Chief", 1)[1]
    assert "Bea Broker" not in results
    assert "The most trusted route is 29% reliable" in results  # through Dan
    rows = text(client.get(url(fenwick.workspace, "scenario_route_csv", **query)))
    assert f",{fenwick.bea.ref}," not in rows


def test_overview_and_person_pages_link_to_the_scenarios(client, fenwick, viewer):
    client.force_login(viewer)
    overview = text(client.get(reverse("stakeholders:overview", kwargs={"slug": "north-fenwick"})))
    assert reverse("stakeholders:scenario_route", kwargs={"slug": "north-fenwick"}) in overview
    assert reverse("stakeholders:scenario_room", kwargs={"slug": "north-fenwick"}) in overview
    person = text(
        client.get(
            reverse(
                "stakeholders:person_detail",
                kwargs={"slug": "north-fenwick", "pk": fenwick.chris.pk},
            )
        )
    )
    assert f"/scenarios/route/?to={fenwick.chris.pk}" in person
    assert "Find a trusted route to <bdi>Chris Chief</bdi>" in person
