"""A system leader explores the influence map in a real browser."""

import re

import pytest
from playwright.sync_api import expect

from stakeholders.models import Role
from tests.browser.test_workspace_pages import log_in
from tests.factories import MembershipFactory, UserFactory, WorkspaceFactory
from tests.test_dashboard_views import build_map

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def scored_map():
    workspace = WorkspaceFactory(name="North Fenwick ICS", slug="north-fenwick")
    MembershipFactory(user=UserFactory(username="leader"), workspace=workspace, role=Role.VIEWER)
    build_map(workspace, people_per_org=10)
    return workspace


def test_map_filter_panel_zoom_and_keyboard(page, live_server, scored_map, screenshot):
    log_in(page, live_server, "/w/north-fenwick/map/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Influence map")
    nodes = page.locator("#map-svg a[data-person]")
    expect(nodes).to_have_count(31)
    screenshot("map")

    page.get_by_label("Sector").select_option(label="Voluntary and community sector (VCSE)")
    expect(page).to_have_url(re.compile(r"sector=vcse"))
    expect(nodes).to_have_count(10)

    nodes.first.locator("path").click()
    expect(page.locator("#map-panel h2")).to_contain_text("Fenwick Carers person")
    expect(page.locator("#map-panel")).to_contain_text("Broker score")

    viewport = page.locator("#map-viewport")
    before = viewport.get_attribute("viewBox")
    page.get_by_role("button", name="Zoom in").click()
    expect(viewport).not_to_have_attribute("viewBox", before)

    viewport.focus()
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.getAttribute('data-person')")
    assert focused is not None
    screenshot("map-vcse-panel")
    assert page.csp_violations == []
