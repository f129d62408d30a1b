"""A system leader reads the overview and the broker ranking in a real browser."""

import re

import pytest
from playwright.sync_api import expect

from stakeholders.models import Role
from tests.browser.test_workspace_pages import log_in
from tests.dashboard.test_dashboard_views import build_map
from tests.factories import MembershipFactory, UserFactory, WorkspaceFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def scored_map():
    workspace = WorkspaceFactory(name="North Fenwick ICS", slug="north-fenwick")
    MembershipFactory(user=UserFactory(username="leader"), workspace=workspace, role=Role.VIEWER)
    build_map(workspace, people_per_org=10)
    return workspace


def test_overview_then_brokers_sorted_filtered_and_explained(
    page, live_server, scored_map, screenshot
):
    log_in(page, live_server, "/w/north-fenwick/")
    expect(page.get_by_role("heading", name="Who brokers across organisations")).to_be_visible()
    expect(page.locator(".app-broker-list li").first).to_contain_text("Bridget Broker")
    screenshot("overview")

    page.get_by_role("link", name="sectors").click()
    expect(page).to_have_url(re.compile(r"boundary=sector"))
    expect(page.get_by_role("heading", name="Who brokers across sectors")).to_be_visible()

    page.get_by_role("link", name="See everyone ranked as a broker").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Brokers across sectors")
    page.get_by_label("Sort by").select_option("reach")
    # The table swaps in place and the address records the choice, so it can be shared.
    expect(page).to_have_url(re.compile(r"sort=reach"))
    expect(page.locator("#brokers-caption")).to_contain_text(
        "sorted by how many other sectors they reach"
    )

    page.get_by_label("Show people in").select_option(label="Voluntary and community sector (VCSE)")
    expect(page.locator("#brokers-caption")).to_contain_text("10 people")

    why = page.locator("details.app-why").first
    why.locator("summary").click()
    expect(why).to_contain_text("Broker score")
    screenshot("brokers")

    assert page.csp_violations == []
