"""A system leader goes from the broker ranking to a person's page, then to partnerships."""

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
    m = build_map(workspace, people_per_org=4)
    return m


def test_broker_to_person_page_then_partnerships(page, live_server, scored_map, screenshot):
    log_in(page, live_server, "/w/north-fenwick/brokers/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Brokers across organisations")
    why = page.locator("details.app-why").first
    why.locator("summary").click()
    why.get_by_role("link", name="Ties, scores and changes for Bridget Broker").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Bridget Broker")
    expect(page.locator(".app-why-sentence")).to_contain_text("Broker score")
    expect(page.get_by_role("link", name="Fenwick County Council person 0")).to_be_visible()
    screenshot("person_detail")

    page.get_by_role("link", name="Fenwick Hospitals").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Fenwick Hospitals")
    expect(page.get_by_role("link", name="Fenwick County Council")).to_be_visible()
    screenshot("organisation_detail")

    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Partnerships").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Partnerships between organisations")
    matrix = page.get_by_role("table", name="Relationships and mean trust between organisations")
    expect(matrix).to_be_visible()
    # Rows and columns by sector: Fenwick Hospitals (NHS) comes first.
    expect(
        matrix.locator("tr", has=page.get_by_role("rowheader", name="Fenwick County Council"))
        .get_by_role("cell")
        .nth(0)
    ).to_contain_text("1 relationship between Fenwick County Council and Fenwick Hospitals")
    expect(page.get_by_text("all through")).to_contain_text("Bridget Broker")
    screenshot("partnerships")

    assert page.csp_violations == []
