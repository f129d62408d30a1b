"""A leader finds a trusted route to the ICB chief executive, and who to put in the room."""

import re

import pytest
from playwright.sync_api import expect

from stakeholders.models import Role
from tests.browser.test_accessibility import assert_accessible, log_in
from tests.factories import MembershipFactory, UserFactory, WorkspaceFactory
from tests.scenarios.conftest import build_fenwick

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def fenwick_map():
    workspace = WorkspaceFactory(name="North Fenwick ICS", slug="north-fenwick")
    MembershipFactory(user=UserFactory(username="leader"), workspace=workspace, role=Role.VIEWER)
    return build_fenwick(workspace)


def test_pick_two_people_and_see_the_routes(page, live_server, fenwick_map, screenshot):
    log_in(page, live_server, "/w/north-fenwick/scenarios/route/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Trusted route to someone")
    assert_accessible(page, "the trusted route page, before choosing")

    page.get_by_label("From").select_option(label="Amira Okafor – Director of Strategy, FHT")
    page.get_by_label("To", exact=True).select_option(label="Chris Chief – Chief Executive, NF ICB")
    page.get_by_role("button", name="Find routes").click()

    # The results swap in place and the address records the question, so it can be shared.
    expect(page).to_have_url(re.compile(r"from=\d+&to=\d+"))
    results = page.locator("#route-results")
    expect(results.get_by_role("heading", name="Most trusted route: 64% reliable")).to_be_visible()
    expect(results.locator(".app-route")).to_have_count(4)
    first = results.locator(".app-route").first
    expect(first.locator("ol > li")).to_have_count(2)
    expect(first).to_contain_text("Recorded as: Amira Okafor collaborates with Bea Broker.")
    expect(first).to_contain_text("Co-chair the elective recovery board")
    expect(results).to_contain_text("Route 3: 24% reliable")
    expect(results.locator(".nhsuk-tag", has_text="Stale")).to_have_count(1)
    expect(page.get_by_text("Larry Left")).to_have_count(0)
    assert_accessible(page, "the trusted route page, with routes")
    screenshot("scenario-route")

    # The start is remembered: coming back with only the person to reach still works.
    page.goto(f"{live_server.url}/w/north-fenwick/scenarios/route/?to={fenwick_map.cara.pk}")
    expect(page.get_by_label("From")).to_have_value(str(fenwick_map.amira.pk))
    expect(page.locator("#route-results")).to_contain_text(
        "No route from Amira Okafor to Cara Carer"
    )
    expect(page.locator("#route-results")).to_contain_text("a part of the map of 2 people")
    assert_accessible(page, "the trusted route page, with no route")
    screenshot("scenario-route-none")
    assert page.csp_violations == []


def test_choose_partners_and_see_who_to_put_in_the_room(page, live_server, fenwick_map, screenshot):
    log_in(page, live_server, "/w/north-fenwick/scenarios/room/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Who to put in the room")
    assert_accessible(page, "the room page, before choosing")

    page.locator("summary", has_text="NHS organisations").click()
    page.get_by_label("North Fenwick ICB").check()
    page.locator("summary", has_text="Local government organisations").click()
    page.get_by_label("Fenwick County Council").check()
    page.get_by_label("Marsh Vale District Council").check()
    page.locator("summary", has_text="Voluntary and community sector").click()
    page.get_by_label("Fenwick Carers").check()
    page.get_by_label("Number of seats (optional)").fill("1")
    page.get_by_role("button", name="Choose the room").click()

    expect(page).to_have_url(re.compile(r"organisation=\d+.*size=1"))
    results = page.locator("#room-results")
    expect(results.get_by_role("heading", name="The smallest room: 2 people")).to_be_visible()
    expect(results).to_contain_text("Chris Chief")
    expect(results).to_contain_text("Cara Carer")
    expect(results.get_by_role("heading", name="The best 1 seat")).to_be_visible()
    expect(results).to_contain_text("Marsh Vale District Council")
    expect(results).to_contain_text("Nobody in the map currently works there")
    assert_accessible(page, "the room page, with a room")
    screenshot("scenario-room")

    # Leave Chris out and choose again: Dan takes his place.
    results.get_by_role("link", name=re.compile("Leave out Chris Chief")).first.click()
    expect(page).to_have_url(re.compile(rf"exclude={fenwick_map.chris.pk}"))
    expect(page.locator("#room-results").locator("table").first).to_contain_text("Dan Dunmore")
    expect(page.get_by_label("Chris Chief – Chief Executive, NF ICB")).to_be_checked()
    screenshot("scenario-room-left-out")
    assert page.csp_violations == []
