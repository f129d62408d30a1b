"""The partnerships page and the person and organisation pages."""

import datetime
import re

import pytest
from django.db import transaction
from django.urls import reverse

from stakeholders import score_runs
from stakeholders.dashboard import reads as dashboard
from stakeholders.models import Boundary, Forum, ForumMembership
from tests.dashboard.test_dashboard_views import build_map
from tests.factories import (
    AffiliationFactory,
    OrganisationFactory,
    PersonFactory,
    RelationshipFactory,
)


def url(name: str, workspace, pk: int | None = None, **query) -> str:
    kwargs = {"slug": workspace.slug}
    if pk is not None:
        kwargs["pk"] = pk
    path = reverse(f"stakeholders:{name}", kwargs=kwargs)
    if query:
        path += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return path


def rescore(workspace) -> None:
    transaction.get_connection().run_on_commit.clear()
    score_runs.score_run_execute(workspace_id=workspace.pk)


def section(page: str, heading: str) -> str:
    return re.split(rf"<h2[^>]*>{heading}</h2>", page)[1].split("<h2")[0]


@pytest.fixture
def small_map(workspace):
    m = build_map(workspace)
    m["hospital"] = m["broker"].affiliations.get().organisation
    m["council"] = m["people"]["Fenwick County Council"][0].affiliations.get().organisation
    return m


def detail_urls(workspace, m) -> list[str]:
    return [
        url("partnerships", workspace),
        url("person_detail", workspace, m["broker"].pk),
        url("organisation_detail", workspace, m["hospital"].pk),
    ]


def test_pages_need_membership(client, small_map, workspace, outsider, viewer):
    for path in detail_urls(workspace, small_map):
        response = client.get(path)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(outsider)
    for path in detail_urls(workspace, small_map):
        assert client.get(path).status_code == 404
    client.force_login(viewer)
    for path in detail_urls(workspace, small_map):
        assert client.get(path).status_code == 200


def test_another_workspaces_person_or_organisation_is_404_even_for_a_member(
    client, workspace, other_workspace, viewer
):
    stranger = PersonFactory(workspace=other_workspace, name="Secret Person")
    their_org = OrganisationFactory(workspace=other_workspace, name="Secret Trust")
    client.force_login(viewer)
    for path in (
        url("person_detail", workspace, stranger.pk),
        url("organisation_detail", workspace, their_org.pk),
    ):
        response = client.get(path)
        assert response.status_code == 404
        assert "Secret" not in response.content.decode()
    assert client.get(url("person_detail", workspace, 999999)).status_code == 404


def test_without_scores_the_pages_still_render(client, workspace, viewer):
    hospital = OrganisationFactory(workspace=workspace, name="Fenwick Hospitals")
    person = PersonFactory(workspace=workspace, name="Ada Lovelace")
    AffiliationFactory(person=person, organisation=hospital)
    client.force_login(viewer)
    for path in (
        url("partnerships", workspace),
        url("person_detail", workspace, person.pk),
        url("organisation_detail", workspace, hospital.pk),
    ):
        response = client.get(path)
        assert response.status_code == 200
        assert "There are no scores for this workspace yet" in response.content.decode()
    person_page = client.get(url("person_detail", workspace, person.pk)).content.decode()
    assert "Fenwick Hospitals" in person_page
    org_page = client.get(url("organisation_detail", workspace, hospital.pk)).content.decode()
    assert "Ada Lovelace" in org_page


def test_bad_boundary_is_a_clear_400(client, small_map, workspace, viewer):
    client.force_login(viewer)
    for path in detail_urls(workspace, small_map)[:2]:
        response = client.get(path + "?boundary=postcode")
        assert response.status_code == 400


def test_partnerships_matrix_fragile_pairs_and_pairs_with_no_ties(
    client, small_map, workspace, viewer
):
    client.force_login(viewer)
    page = client.get(url("partnerships", workspace)).content.decode()
    assert "Scores as of" in page
    assert '<p class="app-heat-caption" id="matrix-caption">' in page
    # Rows by sector, then name: Hospitals (NHS), County Council (local government),
    # Carers (VCSE); one tie, trust 4, council-hospital.
    matrix = page.split('<table class="app-heat"')[1]
    rows = matrix.split("<tbody>")[1].split("</tbody>")[0].split("</tr>")
    council_row = next(
        r for r in rows if '<span class="app-heat-long"><bdi>Fenwick County Council' in r
    )
    cells = council_row.split("<td")[1:]
    assert '<span class="app-heat-count">1</span>' in cells[0]  # Hospitals
    assert "mean trust 4.0 of 5" in cells[0]
    assert "—" in cells[1]  # itself
    assert "No relationships" in cells[2]  # Carers: no ties
    assert page.count("mean trust 4.0 of 5") == 2  # symmetric

    fragile = section(page, "Fragile partnerships")
    assert "1 pair of organisations is connected only through one person" in fragile
    assert "<bdi>Bridget Broker</bdi>" in fragile.split("all through")[1]

    untied = section(page, "Pairs with no ties")
    assert "2 pairs of organisations" in untied
    assert "<li><bdi>Fenwick County Council</bdi> and <bdi>Fenwick Carers</bdi></li>" in untied
    assert "<li><bdi>Fenwick Hospitals</bdi> and <bdi>Fenwick Carers</bdi></li>" in untied


def test_partnerships_by_sector(client, small_map, workspace, viewer):
    client.force_login(viewer)
    page = client.get(url("partnerships", workspace, boundary="sector")).content.decode()
    assert "<h1>Partnerships between sectors</h1>" in page
    assert '<abbr title="Local government"><bdi>LG</bdi></abbr>' in page
    assert "<bdi>Local government</bdi> and <bdi>Voluntary and community sector (VCSE)</bdi>" in (
        section(page, "Pairs with no ties")
    )


def many_groups_map(workspace, groups: int) -> None:
    """`groups` organisations of two people each; organisation i ties to i + 1 only."""
    people = []
    for i in range(groups):
        org = OrganisationFactory(workspace=workspace, name=f"Org {i:02d}")
        pair = [PersonFactory(workspace=workspace, name=f"P{i}-{j}") for j in range(2)]
        for p in pair:
            AffiliationFactory(person=p, organisation=org)
        people.append(pair)
    for i in range(groups - 1):
        RelationshipFactory(source=people[i][1], target=people[i + 1][0])
    rescore(workspace)


def test_above_25_groups_the_matrix_keeps_the_most_tied_and_says_so(client, workspace, viewer):
    many_groups_map(workspace, 30)
    client.force_login(viewer)
    page = client.get(url("partnerships", workspace)).content.decode()
    assert "There are 30 organisations, too many for one table" in page
    assert "(25 of 30)" in page
    header = page.split('<table class="app-heat"')[1].split("</thead>")[0]
    assert header.count('scope="col"') == 25
    # The two ends of the chain have one cross tie, the rest two: the ends drop out first.
    assert "Org 00" not in header and "Org 29" not in header
    untied = section(page, "Pairs with no ties")
    total = 30 * 29 // 2 - 29
    assert f"{total} pairs of organisations" in untied
    assert untied.count("<li>") == dashboard.PAIR_LIST_MAX
    assert "The first 50 are listed, in the order of the table (by sector, then name)." in untied


def test_person_page_lists_their_forum_seats_held_now_and_before(
    client, small_map, workspace, viewer
):
    broker = small_map["broker"]
    client.force_login(viewer)
    page = client.get(url("person_detail", workspace, broker.pk)).content.decode()
    assert "No forum seats recorded." in section(page, "Forum seats")
    board = Forum.objects.create(
        workspace=workspace, name="Fenwick ICB Board", kind="icb_board", tier="system"
    )
    team = Forum.objects.create(
        workspace=workspace,
        name="Marsh Neighbourhood Team",
        kind="neighbourhood_team",
        tier="neighbourhood",
    )
    ForumMembership.objects.create(forum=board, person=broker, seat="chair")
    ForumMembership.objects.create(
        forum=team,
        person=broker,
        start_date=datetime.date(2021, 4, 1),
        end_date=datetime.date(2023, 3, 31),
    )
    seats = section(
        client.get(url("person_detail", workspace, broker.pk)).content.decode(), "Forum seats"
    )
    rows = re.findall(r"<tr class=\"nhsuk-table__row\">(.*?)</tr>", seats, re.S)
    cells = [re.findall(r">([^<>]+)</(?:bdi|td)>", row) for row in rows[1:]]
    assert cells == [
        ["Fenwick ICB Board", "Chair", "–", "–"],
        ["Marsh Neighbourhood Team", "Voting member", "1 April 2021", "31 March 2023"],
    ]
    assert reverse("stakeholders:forums", kwargs={"slug": workspace.slug}) in seats


def test_person_page_shows_details_affiliations_ties_both_ways_and_why(
    client, small_map, workspace, viewer
):
    broker = small_map["broker"]
    colleague = small_map["people"]["Fenwick Hospitals"][1]
    RelationshipFactory(
        source=colleague, target=broker, kind="trusts", trust=5, evidence="Board minutes"
    )
    rescore(workspace)
    client.force_login(viewer)
    page = client.get(url("person_detail", workspace, broker.pk)).content.decode()
    assert "<h1><bdi>Bridget Broker</bdi></h1>" in page
    assert "Director" in page
    affiliations = section(page, "Affiliations")
    assert url("organisation_detail", workspace, small_map["hospital"].pk) in affiliations
    assert "Primary" in affiliations
    scores = section(page, "Scores across organisations")
    assert "Broker score" in scores and "people in different organisations" in scores
    assert "What makes up the broker score" in scores
    assert broker.scores.filter(boundary="organisation").latest("run__created_at").why in scores

    ties = section(page, "Relationships")
    ties_out, ties_in = ties.split("From others to")
    council_0 = small_map["people"]["Fenwick County Council"][0]
    assert url("person_detail", workspace, council_0.pk) in ties_out
    assert "<bdi>Fenwick County Council person 0</bdi>" in ties_out
    assert "Collaborates with" in ties_out
    assert url("person_detail", workspace, colleague.pk) in ties_in
    assert "Trusts" in ties_in and "Board minutes" in ties_in

    by_sector = client.get(url("person_detail", workspace, broker.pk, boundary="sector"))
    assert "Scores across sectors" in by_sector.content.decode()


def test_notes_are_shown_to_editors_only(client, workspace, viewer, editor):
    person = PersonFactory(workspace=workspace, notes="Sceptical about the merger")
    client.force_login(viewer)
    viewer_page = client.get(url("person_detail", workspace, person.pk)).content.decode()
    assert "Sceptical" not in viewer_page
    assert "Change in data entry" not in viewer_page
    client.force_login(editor)
    editor_page = client.get(url("person_detail", workspace, person.pk)).content.decode()
    assert "Sceptical about the merger" in editor_page
    assert reverse("admin:stakeholders_person_change", args=[person.pk]) in editor_page


def test_history_shows_who_changed_what(client, workspace, viewer, editor):
    hospital = OrganisationFactory(workspace=workspace, name="Fenwick Hospitals")
    council = OrganisationFactory(workspace=workspace, name="Fenwick County Council")
    person = PersonFactory(workspace=workspace, name="Ada Lovelace", job_title="Analyst")
    other = PersonFactory(workspace=workspace, name="Grace Hopper")
    affiliation = AffiliationFactory(person=person, organisation=hospital)
    tie = RelationshipFactory(source=other, target=person, strength=2)

    person.job_title = "Chief analyst"
    person.notes = "Private opinion"
    person._history_user = editor
    person.save()
    affiliation.organisation = council
    affiliation._history_user = editor
    affiliation.save()
    tie.strength = 5
    tie._history_user = editor
    tie.save()
    hospital.ods_code = "RTH"
    hospital._history_user = editor
    hospital.save()

    client.force_login(viewer)
    page = client.get(url("person_detail", workspace, person.pk)).content.decode()
    history = page.split("<h2>Recent changes</h2>")[1]
    assert "<bdi>editor</bdi>: <strong>Changed</strong> <bdi>Person details</bdi>" in history
    assert "Job title: <bdi>Analyst</bdi> → <bdi>Chief analyst</bdi>" in history
    assert "Private opinion" not in page
    assert "Notes: <bdi>(not shown)</bdi>" in history
    assert (
        "Organisation: <bdi>Fenwick Hospitals</bdi> → <bdi>Fenwick County Council</bdi>" in history
    )
    assert "<bdi>Relationship: Grace Hopper collaborates with Ada Lovelace</bdi>" in history
    assert "Strength: <bdi>2</bdi> → <bdi>5</bdi>" in history
    assert "<strong>Created</strong>" in history

    client.force_login(editor)
    as_editor = client.get(url("person_detail", workspace, person.pk)).content.decode()
    assert "Notes: <bdi>(empty)</bdi> → <bdi>Private opinion</bdi>" in as_editor

    org_page = client.get(url("organisation_detail", workspace, hospital.pk)).content.decode()
    org_history = org_page.split("<h2>Recent changes</h2>")[1]
    assert "ODS code: <bdi>(empty)</bdi> → <bdi>RTH</bdi>" in org_history
    assert "<bdi>editor</bdi>" in org_history


def test_history_keeps_the_last_twenty(client, workspace, viewer, editor):
    person = PersonFactory(workspace=workspace, job_title="v0")
    for i in range(1, 26):
        person.job_title = f"v{i}"
        person._history_user = editor
        person.save()
    client.force_login(viewer)
    page = client.get(url("person_detail", workspace, person.pk)).content.decode()
    history = page.split("<h2>Recent changes</h2>")[1]
    assert history.count("<strong>Changed</strong>") == 20
    assert "<bdi>v24</bdi> → <bdi>v25</bdi>" in history
    assert "<bdi>v5</bdi> → <bdi>v6</bdi>" in history
    assert "<bdi>v4</bdi> → <bdi>v5</bdi>" not in history


def test_organisation_page_people_scores_and_partnerships(client, small_map, workspace, viewer):
    hospital = small_map["hospital"]
    child = OrganisationFactory(workspace=workspace, name="Fenwick Hospitals Pharmacy")
    child.parent = hospital
    child.save()
    visitor = PersonFactory(workspace=workspace, name="Visiting Consultant")
    AffiliationFactory(
        person=visitor, organisation=hospital, is_primary=False, role_title="Honorary"
    )
    client.force_login(viewer)
    page = client.get(url("organisation_detail", workspace, hospital.pk)).content.decode()
    assert "<h1><bdi>Fenwick Hospitals</bdi></h1>" in page
    assert "Acute trust" in page and "NHS" in page and "System" in page
    assert url("organisation_detail", workspace, child.pk) in page
    people = section(page, "People")
    assert url("person_detail", workspace, small_map["broker"].pk) in people
    broker_score = small_map["broker"].scores.get(boundary=Boundary.ORGANISATION).broker_score
    assert f"{broker_score:.0f}</td>" in people
    assert "Visiting Consultant" in people and "Secondary" in people and "Honorary" in people
    partners = section(page, "Partnerships")
    assert url("organisation_detail", workspace, small_map["council"].pk) in partners
    assert "<bdi>Fenwick County Council</bdi>" in partners
    assert "Yes: " in partners and "<bdi>Bridget Broker</bdi>" in partners
    carers_page = client.get(
        url("organisation_detail", workspace, small_map["hospital"].pk + 2)
    ).content.decode()
    assert "Nobody here has a recorded relationship with anyone in another organisation" in (
        carers_page
    )


def test_names_link_to_the_detail_pages(client, small_map, workspace, viewer):
    client.force_login(viewer)
    broker_link = url("person_detail", workspace, small_map["broker"].pk)
    assert broker_link in client.get(url("overview", workspace)).content.decode()
    assert broker_link in client.get(url("brokers", workspace)).content.decode()
    listing = client.get(reverse("stakeholders:workspace_detail", args=[workspace.slug]))
    assert broker_link in listing.content.decode()
    assert url("organisation_detail", workspace, small_map["hospital"].pk) in (
        listing.content.decode()
    )
    nav = client.get(url("partnerships", workspace)).content.decode()
    menu = nav.split('aria-label="Menu"')[1].split("</nav>")[0]
    assert menu.index("Brokers") < menu.index("Partnerships") < menu.index("People and")
    assert 'aria-current="page">Partnerships' in menu


@pytest.mark.parametrize("people_per_org", [2, 12])
def test_query_counts_do_not_grow_with_the_map(
    client, workspace, viewer, editor, django_assert_num_queries, people_per_org
):
    m = build_map(workspace, people_per_org=people_per_org)
    broker = m["broker"]
    hospital = broker.affiliations.get().organisation
    # One change of each kind, so that every history read has a record before it.
    for obj in (broker, broker.affiliations.get(), broker.ties_out.first(), hospital):
        obj._history_user = editor
        obj.save()
    for person in m["people"]["Fenwick Hospitals"]:
        RelationshipFactory(source=person, target=broker, kind="trusts")
    rescore(workspace)
    client.force_login(viewer)
    # session + user, membership, score status, completeness, then the page's own reads
    with django_assert_num_queries(9):
        client.get(url("partnerships", workspace))
    with django_assert_num_queries(8):
        client.get(url("partnerships", workspace, boundary="sector"))
    # ... and their broker score in each snapshot (one query, however many snapshots).
    with django_assert_num_queries(20):  # ... and their forum seats
        client.get(url("person_detail", workspace, broker.pk))
    # Including the history of the organisation and of its affiliations.
    with django_assert_num_queries(17):
        client.get(url("organisation_detail", workspace, hospital.pk))


def test_hostile_names_are_escaped(client, small_map, workspace, viewer):
    broker = small_map["broker"]
    broker.name = "<script>alert(1)</script>"
    broker.save()
    hospital = small_map["hospital"]
    hospital.name = "<script>alert(2)</script>"
    hospital.save()
    rescore(workspace)
    client.force_login(viewer)
    for path in detail_urls(workspace, small_map):
        body = client.get(path).content.decode()
        assert "<script>alert(" not in body
        assert "&lt;script&gt;alert(" in body
