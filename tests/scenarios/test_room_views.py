"""Who to put in the room, and its download, through their URLs.

The map (conftest.py): who reaches which organisation at the default strength 3.
  ICB: Chris (works there); Bea and Dan (tied 5 to Chris); Eve (4 to Chris).
  Council: Dan (works there); Chris (collaborates with Dan, 5); Amira (influences Dan, 3).
  Carers: Cara and Carl (work there); nobody else.
  Hospital: Amira, Bea, Eve (work there); Chris (5 to Bea, 4 to Eve).
  Marsh Vale District Council: nobody works there.
Eve's council role has ended; Larry has left. With no scores, ties between equally
good rooms go to lower ids: Amira, Bea, Chris, Dan, Eve, Larry, Cara, Carl in that order.
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from stakeholders import score_runs
from stakeholders.models import PersonScore
from stakeholders.scenarios.room import ROOM_HEADER, RoomQuestion, room_page
from stakeholders.selectors import current_run
from tests.factories import AffiliationFactory, OrganisationFactory, PersonFactory
from tests.scenarios.test_route_views import plain, text

pytestmark = pytest.mark.django_db


def url(workspace, name="scenario_room", query=()):
    path = reverse(f"stakeholders:{name}", kwargs={"slug": workspace.slug})
    return path + ("?" + "&".join(f"{k}={v}" for k, v in query) if query else "")


def targets(f, *orgs):
    return [("organisation", o.pk) for o in orgs]


def room(page: str, heading: str = "The smallest room:") -> str:
    """The words from a room's heading to the next heading of the results."""
    rest = page.split(heading, 1)[1]
    for end in ("The best ", "Partners nobody can reach", "Download this room"):
        rest = rest.split(end, 1)[0]
    return rest


@pytest.mark.parametrize("name", ["scenario_room", "scenario_room_csv"])
def test_room_pages_need_membership(client, fenwick, outsider, viewer, editor, name):
    target = url(fenwick.workspace, name, targets(fenwick, fenwick.icb))
    response = client.get(target)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    client.force_login(outsider)
    assert client.get(target).status_code == 404
    for member in (viewer, editor):
        client.force_login(member)
        assert client.get(target).status_code == 200


def test_the_smallest_room_reaches_every_partner_and_says_what_each_adds(client, fenwick, viewer):
    client.force_login(viewer)
    query = targets(fenwick, fenwick.icb, fenwick.council, fenwick.carers)
    page = plain(text(client.get(url(fenwick.workspace, query=query))))
    assert "The smallest room: 2 people" in page
    assert "Together they reach all 3 partners chosen, and no smaller group of people does." in page
    one = plain(text(client.get(url(fenwick.workspace, query=targets(fenwick, fenwick.icb)))))
    assert "They reach the partner chosen." in one and "all 1 partner" not in one
    # Chris works at the ICB and reaches the council through Dan; Cara works at the carers.
    # (Dan would do as well as Chris: the lower id wins, as there are no scores.)
    chosen = room(page)
    assert "Chris Chief" in chosen and "Cara Carer" in chosen
    assert "North Fenwick ICB: works there" in chosen
    assert "Fenwick County Council: through Dan Dunmore, tie strength 5" in chosen
    assert "Fenwick Carers: works there" in chosen
    assert "Amira Okafor" not in chosen and "Dan Dunmore Director" not in chosen


def test_a_partner_nobody_reaches_is_named_with_the_reason(client, fenwick, viewer):
    client.force_login(viewer)
    query = targets(fenwick, fenwick.icb, fenwick.district)
    page = plain(text(client.get(url(fenwick.workspace, query=query))))
    assert "The smallest room: 1 person" in page
    assert "1 cannot be reached at all" in page
    assert (
        "Marsh Vale District Council: Nobody in the map currently works there, so nobody "
        "reaches it directly or through a tie." in page
    )


def test_the_best_room_of_a_given_size(client, fenwick, viewer):
    client.force_login(viewer)
    query = [*targets(fenwick, fenwick.icb, fenwick.council, fenwick.carers), ("size", 1)]
    page = plain(text(client.get(url(fenwick.workspace, query=query))))
    assert "The best 1 seat" in page
    best = room(page, "The best 1 seat")
    assert (
        "1 person can reach at most 2 of the 3 partners chosen. "
        "Not reached by this choice: Fenwick Carers." in best
    )
    assert "Chris Chief" in best and "Cara Carer" not in best


def test_more_seats_than_needed_says_the_rest_add_nothing(client, fenwick, viewer):
    client.force_login(viewer)
    query = [*targets(fenwick, fenwick.icb, fenwick.council), ("size", 4)]
    page = plain(text(client.get(url(fenwick.workspace, query=query))))
    assert (
        "at most 2 of the 2 partners chosen. Only 1 person is needed for that, so the other seats"
        in page
    )


def test_must_include_and_leave_out(client, fenwick, viewer):
    client.force_login(viewer)
    base = targets(fenwick, fenwick.icb, fenwick.council, fenwick.carers)
    page = plain(
        text(client.get(url(fenwick.workspace, query=[*base, ("include", fenwick.bea.pk)])))
    )
    # Bea reaches the ICB only: the council and the carers still need one person each.
    assert "The smallest room: 3 people" in page
    assert "Bea Broker" in room(page) and "Must be in the room" in room(page)
    # Leaving Chris out: Dan reaches both the ICB and the council.
    left = [*base, ("exclude", fenwick.chris.pk)]
    chosen = room(plain(text(client.get(url(fenwick.workspace, query=left)))))
    assert "Dan Dunmore" in chosen and "Cara Carer" in chosen
    assert "North Fenwick ICB: through Chris Chief, tie strength 5" in chosen


def test_leaving_out_everyone_who_reaches_a_partner_says_so(client, fenwick, viewer):
    client.force_login(viewer)
    query = [
        *targets(fenwick, fenwick.carers),
        ("exclude", fenwick.cara.pk),
        ("exclude", fenwick.carl.pk),
    ]
    page = plain(text(client.get(url(fenwick.workspace, query=query))))
    assert (
        "Fenwick Carers: Only people you asked to leave out reach it (Cara Carer, Carl Carer)"
        in page
    )
    assert "The smallest room: 0 people" in page


def test_leave_out_links_add_to_those_already_left_out(client, fenwick, viewer):
    client.force_login(viewer)
    query = [*targets(fenwick, fenwick.icb), ("exclude", fenwick.chris.pk)]
    html = text(client.get(url(fenwick.workspace, query=query)))
    # Bea is chosen (tied 5 to Chris; higher in id order than Dan): her link leaves out both.
    assert f"exclude={fenwick.chris.pk}&amp;exclude={fenwick.bea.pk}" in html


def test_sectors_and_tiers_are_reached_through_any_of_their_organisations(client, fenwick, viewer):
    client.force_login(viewer)
    page = plain(
        text(client.get(url(fenwick.workspace, query=[("sector", "vcse"), ("tier", "place")])))
    )
    assert "The smallest room: 2 people" in page
    assert "Voluntary and community sector (VCSE) (sector): works there (Fenwick Carers)" in page
    # Amira (first by id) reaches a place-tier organisation through Dan.
    assert "Place (tier): through Dan Dunmore (Fenwick County Council), tie strength 3" in page


def test_a_higher_minimum_strength_drops_weaker_ties(client, fenwick, viewer):
    client.force_login(viewer)
    # With Dan and Chris left out, Amira reaches the council through her strength-3 tie only.
    query = [*targets(fenwick, fenwick.council), ("exclude", fenwick.dan.pk)]
    query.append(("exclude", fenwick.chris.pk))
    page = plain(text(client.get(url(fenwick.workspace, query=query))))
    assert "Fenwick County Council: through Dan Dunmore, tie strength 3" in room(page)
    page = plain(text(client.get(url(fenwick.workspace, query=[*query, ("min_strength", 4)]))))
    assert "The smallest room: 0 people" in page
    assert (
        "Fenwick County Council: Only people you asked to leave out reach it (Dan Dunmore, "
        "Chris Chief): nobody else works there or has a tie of strength 4 or more to someone "
        "whose main organisation it is." in page
    )


def test_ended_affiliations_do_not_count(client, fenwick, viewer):
    # Eve's council role ended yesterday: she does not reach the council.
    client.force_login(viewer)
    query = [*targets(fenwick, fenwick.council)]
    query += [("exclude", p.pk) for p in (fenwick.dan, fenwick.amira, fenwick.chris)]
    page = plain(text(client.get(url(fenwick.workspace, query=query))))
    assert "Only people you asked to leave out reach it (Dan Dunmore, Amira Okafor, Chris" in page


def test_only_ties_and_roles_in_force_today_reach_a_partner(client, fenwick, viewer):
    """As the scores count them: Dan's tie to Chris has ended, and Amira's council
    role starts next week, so neither reaches the council through them."""
    today = timezone.localdate()
    dan_chris = fenwick.ties["dan-chris"]
    dan_chris.end_date = today - datetime.timedelta(days=1)
    dan_chris.save()
    AffiliationFactory(
        person=fenwick.amira,
        organisation=fenwick.council,
        is_primary=False,
        start_date=today + datetime.timedelta(days=7),
    )
    client.force_login(viewer)
    query = [*targets(fenwick, fenwick.council), ("exclude", fenwick.dan.pk)]
    page = plain(text(client.get(url(fenwick.workspace, query=query))))
    assert "Fenwick County Council: through Dan Dunmore, tie strength 3" in room(page)
    assert "Chris Chief" not in room(page)


def test_broker_scores_break_ties_when_there_are_scores(client, fenwick, viewer):
    score_runs.score_run_execute(workspace_id=fenwick.workspace.pk)
    run = current_run(workspace_id=fenwick.workspace.pk)
    # Bea and Dan both reach the ICB alone; make Dan the stronger broker.
    PersonScore.objects.filter(run=run, person=fenwick.dan).update(broker_score=99)
    PersonScore.objects.filter(run=run, person=fenwick.bea).update(broker_score=1)
    PersonScore.objects.filter(run=run, person=fenwick.chris).update(broker_score=0)
    PersonScore.objects.filter(run=run, person=fenwick.eve).update(broker_score=0)
    client.force_login(viewer)
    query = [*targets(fenwick, fenwick.icb), ("exclude", fenwick.chris.pk)]
    page = plain(text(client.get(url(fenwick.workspace, query=query))))
    assert "Dan Dunmore" in room(page) and "Bea Broker" not in room(page)
    assert "by broker score across organisations" in page


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ([("organisation", "abc")], "not a record number"),
        ([("organisation", "99999999")], "not in this workspace"),
        ([("organisation", "1" * 30)], "not a record number"),
        ([("sector", "postcode")], "There is no sector called"),
        ([("tier", "galactic")], "There is no tier called"),
        ([("sector", "nhs"), ("size", "0")], "from 1 to 50"),
        ([("sector", "nhs"), ("size", "1000000")], "from 1 to 50"),
        ([("sector", "nhs"), ("size", "99999999999999")], "must be a whole number"),
        ([("sector", "nhs"), ("size", "two")], "must be a whole number"),
        ([("sector", "nhs"), ("size", "-3")], "must be a whole number"),
        ([("sector", "nhs"), ("min_strength", "9")], "from 1 to 5"),
        ([("sector", "nhs"), ("min_strength", "0")], "from 1 to 5"),
        ([("sector", "nhs"), ("include", "x")], "not a record number"),
        ([("sector", "nhs"), ("exclude", "99999999")], "not one of the current people"),
    ],
)
def test_bad_parameters_get_a_clear_400(client, fenwick, viewer, query, message):
    client.force_login(viewer)
    response = client.get(url(fenwick.workspace, query=query))
    assert response.status_code == 400
    assert message in text(response)
    assert client.get(url(fenwick.workspace, "scenario_room_csv", query)).status_code == 400


def test_contradictions_are_refused(client, fenwick, viewer):
    client.force_login(viewer)
    both = [("sector", "nhs"), ("include", fenwick.bea.pk), ("exclude", fenwick.bea.pk)]
    response = client.get(url(fenwick.workspace, query=both))
    assert response.status_code == 400
    assert "both required in the room and left out" in text(response)
    crowded = [
        ("sector", "nhs"),
        ("include", fenwick.bea.pk),
        ("include", fenwick.dan.pk),
        ("size", 1),
    ]
    response = client.get(url(fenwick.workspace, query=crowded))
    assert response.status_code == 400
    assert "2 people must be in the room, more than the 1 places" in text(response)


def test_another_workspaces_organisations_and_people_are_refused(
    client, fenwick, viewer, other_workspace
):
    theirs = OrganisationFactory(workspace=other_workspace, name="Southern Hospital")
    stranger = PersonFactory(workspace=other_workspace, name="Southern Person")
    client.force_login(viewer)
    for query in ([("organisation", theirs.pk)], [("sector", "nhs"), ("include", stranger.pk)]):
        response = client.get(url(fenwick.workspace, query=query))
        assert response.status_code == 400
        assert "Southern" not in text(response)


def test_too_many_targets_is_refused(client, fenwick, viewer):
    orgs = [OrganisationFactory(workspace=fenwick.workspace) for _ in range(101)]
    client.force_login(viewer)
    response = client.get(url(fenwick.workspace, query=[("organisation", o.pk) for o in orgs]))
    assert response.status_code == 400
    assert "at most 100" in text(response)


def test_the_form_without_targets(client, fenwick, viewer):
    client.force_login(viewer)
    response = client.get(url(fenwick.workspace))
    assert response.status_code == 200
    page = text(response)
    assert "What must the room reach?" in page
    assert 'name="organisation"' in page and "Fenwick Carers" in page
    assert "How the room is chosen" in page
    assert "The smallest room:" not in page
    assert "Larry Left" not in page
    csv = client.get(url(fenwick.workspace, "scenario_room_csv"))
    assert csv.status_code == 400
    assert "Choose at least one organisation" in text(csv)


def test_chosen_people_stay_on_the_form_to_be_unticked(client, fenwick, viewer):
    client.force_login(viewer)
    query = [*targets(fenwick, fenwick.icb), ("include", fenwick.bea.pk)]
    html = text(client.get(url(fenwick.workspace, query=query)))
    assert (
        f'id="room-include-{fenwick.bea.pk}" name="include" type="checkbox" '
        f'value="{fenwick.bea.pk}" checked' in html
    )
    assert f'id="room-org-{fenwick.icb.pk}" name="organisation" type="checkbox"' in html


def test_htmx_swaps_only_the_results(client, fenwick, viewer):
    client.force_login(viewer)
    response = client.get(
        url(fenwick.workspace, query=targets(fenwick, fenwick.icb)),
        headers={"HX-Request": "true", "HX-Target": "room-results"},
    )
    page = text(response)
    assert 'id="room-results"' in page and "<html" not in page and 'name="organisation"' not in page


def test_room_read_takes_a_fixed_number_of_queries(fenwick, django_assert_num_queries):
    today = timezone.localdate()
    ws = fenwick.workspace
    question = RoomQuestion(organisations=(fenwick.icb.pk, fenwick.carers.pk), size=1)
    with django_assert_num_queries(2):
        room_page(workspace=ws, run=None, question=RoomQuestion(), today=today)
    with django_assert_num_queries(4):
        room_page(workspace=ws, run=None, question=question, today=today)
    score_runs.score_run_execute(workspace_id=ws.pk)
    run = current_run(workspace_id=ws.pk)
    with django_assert_num_queries(5):
        room_page(workspace=ws, run=run, question=question, today=today)
    for _ in range(10):
        OrganisationFactory(workspace=ws)
        PersonFactory(workspace=ws)
    bigger = RoomQuestion(sectors=("nhs", "vcse"), tiers=("place",), include=(fenwick.dan.pk,))
    with django_assert_num_queries(5):
        room_page(workspace=ws, run=run, question=bigger, today=today)


def test_csv_lists_the_room_with_what_each_person_reaches(client, fenwick, viewer):
    client.force_login(viewer)
    query = targets(fenwick, fenwick.icb, fenwick.council, fenwick.carers)
    response = client.get(url(fenwick.workspace, "scenario_room_csv", query))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    day = timezone.localdate().isoformat()
    assert f'filename="north-fenwick-room-{day}.csv"' in response["Content-Disposition"]
    body = text(response)
    assert body.startswith("\ufeff")
    lines = body.lstrip("\ufeff").splitlines()
    assert lines[0] == ",".join(ROOM_HEADER)
    assert {"Ref", "Name", "Reaches"} <= set(ROOM_HEADER)
    assert lines[1:] == [
        "CHRIS,Chris Chief,Chief Executive,North Fenwick ICB,"
        "Fenwick County Council; North Fenwick ICB,Fenwick County Council; North Fenwick ICB,No,"
        'The smallest room,"Fenwick County Council: through Dan Dunmore, tie strength 5; '
        'North Fenwick ICB: works there"',
        "CARA,Cara Carer,Coordinator,Fenwick Carers,Fenwick Carers,Fenwick Carers,No,"
        "The smallest room,Fenwick Carers: works there",
    ]
    # With a size, the download adds the best room of that size, as the page does.
    sized = client.get(url(fenwick.workspace, "scenario_room_csv", [*query, ("size", 1)]))
    best = lines[1].replace("The smallest room", "The best 1 seat")
    assert text(sized).lstrip("\ufeff").splitlines()[1:] == [*lines[1:], best]
