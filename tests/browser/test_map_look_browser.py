"""The map, brokers and partnerships pages on the demo workspace at 1,400 and 375 px wide:
the page never scrolls sideways, tables stack as cards or scroll in their own box on a
phone, and the map and heat map pass axe's WCAG 2.2 A and AA rules.

Screenshots go to /tmp/h6-<page>-<width>.png for a person to look at.
"""

import io
import re

import pytest
from django.core.management import call_command
from django.db import transaction
from playwright.sync_api import expect

from stakeholders import score_runs
from stakeholders.models import Role, Snapshot, Workspace
from stakeholders.snapshots.compute import snapshot_execute
from tests.browser.test_accessibility import assert_accessible, log_in
from tests.factories import MembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (1400, 375)
PAGES = ("map", "brokers", "partnerships")


@pytest.fixture
def demo():
    """The curated North Fenwick demo (as `manage.py seed_demo` builds it), scored."""
    call_command("seed_demo", stdout=io.StringIO())
    workspace = Workspace.objects.get(slug="demo")
    transaction.get_connection().run_on_commit.clear()
    score_runs.score_run_execute(workspace_id=workspace.pk)
    MembershipFactory(user=UserFactory(username="leader"), workspace=workspace, role=Role.VIEWER)
    return workspace


def _page_width(page) -> tuple[int, int]:
    return page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")


def _too_wide(page) -> list[str]:
    """The elements reaching past the window's right edge (for the failure message)."""
    return page.evaluate(
        """() => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
            .slice(0, 5)
            .map(e => `${e.tagName}.${e.className} ${e.getBoundingClientRect().right}`)"""
    )


def test_pages_never_scroll_sideways_and_pass_axe(page, live_server, demo):
    base = f"{live_server.url}/w/{demo.slug}"
    log_in(page, live_server, f"/w/{demo.slug}/")
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        for name in PAGES:
            page.goto(f"{base}/{name}/")
            page.wait_for_load_state("networkidle")
            scroll_width, window_width = _page_width(page)
            page.screenshot(path=f"/tmp/h6-{name}-{width}.png", full_page=True)
            table = {
                "map": "#map-svg",
                "brokers": "#broker-table",
                "partnerships": "#matrix-caption",
            }
            page.locator(table[name]).evaluate("e => e.scrollIntoView({block: 'start'})")
            page.screenshot(path=f"/tmp/h6-{name}-{width}-table.png")
            if name == "map":
                page.locator("#map-svg").screenshot(path=f"/tmp/h6-map-svg-{width}.png")
            assert scroll_width <= window_width, (name, width, scroll_width, _too_wide(page))
            if name == "brokers" and width == 1400:
                # Every column in view: the table does not even scroll inside its box.
                box = page.locator("#broker-table .nhsuk-scroll__content")
                assert box.evaluate("b => b.scrollWidth <= b.clientWidth + 1")
            if name != "brokers":
                assert_accessible(page, f"the {name} page at {width} px")


# Every body cell of each card table as the phone shows it: its label, the label drawn
# before it, its right edge against the card's, and the row's display.
_CARDS = """tables => tables.map(t => [...t.tBodies].flatMap(b => [...b.rows]).flatMap(tr =>
    [...tr.cells].filter(c => c.tagName === 'TD').map(td => ({
        label: td.dataset.label ?? null,
        colspan: td.colSpan,
        before: getComputedStyle(td, '::before').content,
        right: td.getBoundingClientRect().right,
        tableRight: t.getBoundingClientRect().right,
        row: getComputedStyle(tr).display,
    }))))"""


def test_wide_tables_stack_as_cards_or_scroll_in_their_own_box_at_375_px(page, live_server, demo):
    """Seats and influence, changes since a snapshot and the map's table become cards on a
    phone, each value beside its column's name; the heat map, still wider than a phone,
    scrolls in its own box. The page never scrolls sideways."""
    snapshot = Snapshot.objects.get(workspace=demo)
    snapshot_execute(snapshot_id=snapshot.pk)
    log_in(page, live_server, f"/w/{demo.slug}/")
    for name, path, tables in (
        ("forums", "forums/", 3),
        ("compare", f"snapshots/compare/?from={snapshot.pk}&to=now", 2),
        ("map", "map/", 1),
        ("partnerships", "partnerships/", 0),
    ):
        page.set_viewport_size({"width": 375, "height": 900})
        page.goto(f"{live_server.url}/w/{demo.slug}/{path}")
        page.wait_for_load_state("networkidle")
        page.screenshot(path=f"/tmp/h6-{name}-375.png", full_page=True)
        scroll_width, window_width = _page_width(page)
        assert scroll_width <= window_width, (name, scroll_width, _too_wide(page))
        cards = page.locator("table.app-stack-table")
        assert cards.count() >= tables, name
        for i, cells in enumerate(cards.evaluate_all(_CARDS)):
            assert cells, (name, i)  # every card table shows rows
            for cell in cells:
                assert cell["row"] == "block", (name, i, cell)  # a card, not a table row
                assert cell["right"] <= cell["tableRight"] + 1 <= window_width + 1, (name, cell)
                if cell["label"] is None:  # only a "nobody" row, across the whole table
                    assert cell["colspan"] > 1 and cell["before"] == "none", (name, cell)
                else:  # the column's name is shown beside the value
                    assert cell["before"] == f'"{cell["label"]}"', (name, cell)
        for box in page.locator(".nhsuk-scroll__content, .app-heat-scroll").all():
            if box.locator("table.app-stack-table").count():
                # Cards fit the phone: nothing is left to scroll to, or to cut off.
                assert box.evaluate("b => b.scrollWidth <= b.clientWidth + 1"), name
        if name == "partnerships":
            # The one table still wider than a phone scrolls in its box, not the page.
            heat = page.locator(".app-heat-scroll")
            assert heat.evaluate("b => b.scrollWidth > b.clientWidth"), name
        assert_accessible(page, f"the {name} page at 375 px")
        if tables:
            # On a wide screen the same tables are tables again, their headers shown.
            page.set_viewport_size({"width": 1366, "height": 900})
            rows = cards.evaluate_all(_CARDS)
            assert {cell["row"] for table in rows for cell in table} == {"table-row"}, name
            assert {cell["before"] for table in rows for cell in table} == {"none"}, name
            expect(cards.first.locator("thead th").first).to_be_visible()
            page.screenshot(path=f"/tmp/h6-{name}-1366.png", full_page=True)


def test_heat_map_scrolls_in_its_box_with_headers_in_view(page, live_server, demo):
    log_in(page, live_server, f"/w/{demo.slug}/partnerships/")
    page.set_viewport_size({"width": 375, "height": 800})
    box = page.locator(".app-heat-scroll")
    expect(box).to_be_visible()
    assert box.evaluate("b => b.scrollWidth > b.clientWidth")  # it scrolls, not the page
    first_column = page.locator(".app-heat-row").first
    left_before = first_column.bounding_box()["x"]
    box.evaluate("b => { b.scrollLeft = 400; b.scrollTop = 200; }")
    assert abs(first_column.bounding_box()["x"] - left_before) < 1  # row headers stay put
    header = page.locator(".app-heat thead th").first
    assert header.bounding_box()["y"] >= box.bounding_box()["y"] - 1  # so do column headers
    page.screenshot(path="/tmp/h6-partnerships-scrolled-375.png", full_page=True)
    # A cell opens the people carrying that partnership.
    page.set_viewport_size({"width": 1400, "height": 900})
    box.evaluate("b => { b.scrollLeft = 0; b.scrollTop = 0; }")
    page.locator(".app-heat td > a").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("People carrying the partnership")
    assert page.locator("tbody tr").count() >= 1
    page.screenshot(path="/tmp/h6-carriers-1400.png", full_page=True)


def test_map_colour_and_crossing_controls(page, live_server, demo):
    log_in(page, live_server, f"/w/{demo.slug}/map/")
    page.set_viewport_size({"width": 1400, "height": 900})
    # The filters swap the map through htmx: wait until the page (and htmx) has loaded.
    expect(page.locator("#map-svg")).to_be_visible()
    page.wait_for_load_state("networkidle")
    page.get_by_label("Colour by").select_option("tier")
    # Redrawing the 175-person demo map can take seconds on a busy CI machine.
    expect(page).to_have_url(re.compile(r"colour=tier"), timeout=20_000)
    expect(page.locator(".app-map-legend")).to_contain_text("the tier of each")
    page.get_by_label("Only ties across the boundary").check()
    expect(page).to_have_url(re.compile(r"crossing=only"), timeout=20_000)
    page.wait_for_load_state("networkidle")
    assert page.locator('.app-map-edges line[data-crossing="false"]').count() == 0
    assert page.locator('.app-map-edges line[data-crossing="true"]').count() > 0
    download = page.get_by_role("link", name="PNG")
    assert "colour=tier" in download.get_attribute("href")
    page.locator("#map-svg").screenshot(path="/tmp/h6-map-tier-crossing-1400.png")
