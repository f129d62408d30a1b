"""A system leader explores the influence map in a real browser."""

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

    # The PNG download carries the same filters; it is a real PNG picture.
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile(r"^PNG")).click()
    assert download.value.suggested_filename.endswith(".png")
    assert "sector=vcse" in download.value.url
    with open(download.value.path(), "rb") as picture:
        assert picture.read(8) == b"\x89PNG\r\n\x1a\n"
    assert page.csp_violations == []


def test_map_header_lines_up_with_the_wide_page(page, live_server, scored_map):
    log_in(page, live_server, "/w/north-fenwick/map/")
    page.set_viewport_size({"width": 1600, "height": 900})
    # Measured once the browser has restyled at the new size (a loaded machine can
    # report the header's box from before its :has() rule applied).
    page.wait_for_function(
        "() => document.querySelector('.nhsuk-header__container')"
        ".getBoundingClientRect().width > 1100"
    )
    header = page.locator(".nhsuk-header__container").bounding_box()
    main = page.locator("#map-region").bounding_box()
    assert abs(header["x"] - main["x"]) <= 1
    assert header["width"] > 1100  # widened with the map page, not left at ~1020px
