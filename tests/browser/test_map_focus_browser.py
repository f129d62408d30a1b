"""Issue #13 in a real browser: focus on a person, pins by dragging and by keyboard,
and a map that stays put when people, organisations and ties are added."""

import re
import shutil

import pytest
from django.db import transaction
from playwright.sync_api import expect

from stakeholders import score_runs
from stakeholders.models import MapPin, Role
from tests.browser.test_workspace_pages import log_in
from tests.dashboard.test_dashboard_views import build_map
from tests.factories import (
    AffiliationFactory,
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
    RelationshipFactory,
    UserFactory,
    WorkspaceFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
MAP = "/w/north-fenwick/map/"


@pytest.fixture
def editor_map():
    workspace = WorkspaceFactory(name="North Fenwick ICS", slug="north-fenwick")
    MembershipFactory(user=UserFactory(username="leader"), workspace=workspace, role=Role.EDITOR)
    built = build_map(workspace, people_per_org=4)
    return workspace, built


@pytest.fixture
def shot(screenshot):
    """A screenshot under test-artifacts/, copied to /tmp/h7-<name>.png to look at."""

    def take(name: str) -> None:
        path = screenshot(f"h7-{name}")
        shutil.copy(path, f"/tmp/h7-{name}.png")

    return take


def node(page, pk):
    return page.locator(f'#map-svg a[data-person="{pk}"]')


def settled(page) -> None:
    """Wait until no htmx request, swap or settle is under way (the map redraws)."""
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"
    )


def focused(page):
    return page.locator('#map-svg a[aria-current="true"]')


def test_focus_by_click_keyboard_address_and_search(page, live_server, editor_map, shot):
    _, built = editor_map
    broker = built["broker"]
    log_in(page, live_server, MAP)
    expect(page.locator("#map-svg a[data-person]")).to_have_count(13)

    # Click: the broker and their ties stand out, the rest dim, the address says who.
    node(page, broker.pk).locator("path").click()
    expect(page).to_have_url(re.compile(rf"[?&]person={broker.pk}(&|$)"))
    expect(focused(page)).to_have_attribute("data-person", str(broker.pk))
    expect(page.locator("#map-panel h2")).to_contain_text("Bridget Broker")
    expect(page.locator("#map-svg path[opacity='0.25']")).to_have_count(13 - 3)
    expect(page.locator("#map-panel .app-map-ego")).to_be_visible()
    svg_link = page.get_by_role("link", name=re.compile(r"^SVG"))
    expect(svg_link).to_have_attribute("href", re.compile(rf"person={broker.pk}"))
    shot("focus-click")

    # Escape clears it, from the address too.
    page.keyboard.press("Escape")
    expect(page).not_to_have_url(re.compile(r"person="))
    expect(focused(page)).to_have_count(0)
    expect(page.locator("#map-svg path[opacity='0.25']")).to_have_count(0)

    # Keyboard: Tab into the people, Enter chooses the one with focus.
    page.locator("#map-viewport").focus()
    page.keyboard.press("Tab")
    chosen = page.evaluate("document.activeElement.getAttribute('data-person')")
    assert chosen
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"[?&]person={chosen}(&|$)"))
    expect(focused(page)).to_have_attribute("data-person", chosen)
    page.keyboard.press("Escape")
    expect(page).not_to_have_url(re.compile(r"person="))

    # The address alone: a shared link opens with the same focus and panel.
    page.goto(f"{live_server.url}{MAP}?person={broker.pk}")
    expect(focused(page)).to_have_attribute("data-person", str(broker.pk))
    expect(page.locator("#map-panel h2")).to_contain_text("Bridget Broker")
    shot("focus-address")
    page.keyboard.press("Escape")
    expect(page).not_to_have_url(re.compile(r"person="))
    # Back, to the page as it was loaded: the focus returns with the address.
    settled(page)
    page.go_back()
    expect(page).to_have_url(re.compile(rf"[?&]person={broker.pk}(&|$)"))
    expect(focused(page)).to_have_attribute("data-person", str(broker.pk))
    settled(page)
    page.keyboard.press("Escape")
    expect(page).not_to_have_url(re.compile(r"person="))
    settled(page)  # the redraw without the focus brings a fresh search box

    # The search box finds people drawn, by name; the name never goes in the address.
    search = page.get_by_label("Find a person on this map")
    search.fill("bridg")
    page.get_by_role("button", name="Bridget Broker").click()
    expect(focused(page)).to_have_attribute("data-person", str(broker.pk))
    expect(page).to_have_url(re.compile(rf"[?&]person={broker.pk}(&|$)"))
    assert "bridg" not in page.url.lower()
    # The filters carry the focus once the redraw has settled (a loaded machine
    # can still be swapping when the next choice is made).
    settled(page)
    expect(page.locator("input[data-map-focus-field]")).to_have_value(str(broker.pk))

    # The tier view: bands named on the left, the focus kept.
    page.get_by_label("Arrange").select_option("tiers")
    expect(page).to_have_url(re.compile(r"layout=tiers"))
    expect(page.locator("#map-svg .app-map-bands text")).to_have_text(["System"])
    expect(focused(page)).to_have_attribute("data-person", str(broker.pk))
    shot("tiers")
    assert page.csp_violations == []


# Holds back the browser's map requests: those that put someone in focus on the first
# layout by FOCUS ms, those for the tier view by TIERS ms (a slow network, a busy server).
SLOW_REQUESTS = """
const open = XMLHttpRequest.prototype.open;
const send = XMLHttpRequest.prototype.send;
XMLHttpRequest.prototype.open = function (method, url, ...rest) {
  this.mapUrl = String(url);
  return open.call(this, method, url, ...rest);
};
XMLHttpRequest.prototype.send = function (...args) {
  const tiers = /layout=tiers/.test(this.mapUrl);
  const focus = /[?&]person=/.test(this.mapUrl);
  const wait = tiers ? TIERS : focus ? FOCUS : 0;
  setTimeout(() => send.apply(this, args), wait);
};
"""


@pytest.mark.parametrize(
    "how, focus_ms, tiers_ms",
    [
        ("click", 1500, 0),  # the focus answers last
        ("search", 1500, 0),
        ("click", 500, 1500),  # the focus answers first, while the tiers are on their way
    ],
)
def test_a_filter_changed_while_the_focus_is_on_its_way_keeps_both(
    page, live_server, editor_map, how, focus_ms, tiers_ms
):
    _, built = editor_map
    broker = built["broker"]
    page.add_init_script(
        SLOW_REQUESTS.replace("FOCUS", str(focus_ms)).replace("TIERS", str(tiers_ms))
    )
    log_in(page, live_server, MAP)
    expect(page.locator("#map-svg a[data-person]")).to_have_count(13)

    # The person is chosen; before their map arrives, the tier view is chosen too.
    if how == "click":
        node(page, broker.pk).locator("path").click()
    else:
        page.get_by_label("Find a person on this map").fill("bridg")
        page.get_by_role("button", name="Bridget Broker").click()
    page.get_by_label("Arrange").select_option("tiers")

    # Both hold, whichever answer comes back last: the tier view, with the focus.
    expect(page.locator("#map-svg .app-map-bands text")).to_have_text(["System"])
    expect(focused(page)).to_have_attribute("data-person", str(broker.pk))
    page.wait_for_timeout(max(focus_ms, tiers_ms) + 500)  # every answer has come
    settled(page)
    expect(page.locator("#map-svg .app-map-bands text")).to_have_text(["System"])
    expect(focused(page)).to_have_attribute("data-person", str(broker.pk))
    expect(page).to_have_url(re.compile(r"layout=tiers"))
    expect(page).to_have_url(re.compile(rf"[?&]person={broker.pk}(&|$)"))

    # Back: the person in focus on the first layout, then the map as it opened.
    page.go_back()
    expect(page).not_to_have_url(re.compile(r"layout=tiers"))
    expect(focused(page)).to_have_attribute("data-person", str(broker.pk))
    expect(page.locator("#map-svg .app-map-bands")).to_have_count(0)
    page.go_back()
    expect(page).not_to_have_url(re.compile(r"person="))
    expect(focused(page)).to_have_count(0)
    assert page.csp_violations == []


def test_a_person_chosen_while_a_filter_is_on_its_way_keeps_both(page, live_server, editor_map):
    """The other order: the tier view chosen, then a person on the map it has not yet
    replaced (whose links still carry the first layout)."""
    _, built = editor_map
    broker = built["broker"]
    page.add_init_script(SLOW_REQUESTS.replace("FOCUS", "0").replace("TIERS", "1500"))
    log_in(page, live_server, MAP)
    expect(page.locator("#map-svg a[data-person]")).to_have_count(13)
    page.get_by_label("Arrange").select_option("tiers")
    node(page, broker.pk).locator("path").click()
    expect(page.locator("#map-svg .app-map-bands text")).to_have_text(["System"])
    expect(focused(page)).to_have_attribute("data-person", str(broker.pk))
    page.wait_for_timeout(2000)  # every answer has come
    settled(page)
    expect(page.locator("#map-svg .app-map-bands text")).to_have_text(["System"])
    expect(focused(page)).to_have_attribute("data-person", str(broker.pk))
    expect(page).to_have_url(re.compile(r"layout=tiers"))
    expect(page).to_have_url(re.compile(rf"[?&]person={broker.pk}(&|$)"))
    assert page.csp_violations == []


def test_editor_drags_a_person_to_pin_them_and_pins_by_keyboard(
    page, live_server, editor_map, shot
):
    _, built = editor_map
    person = built["people"]["Fenwick Carers"][0]
    log_in(page, live_server, MAP)
    mark = node(page, person.pk)
    mark_x = mark.get_attribute("data-x")
    x0, y0 = float(mark_x), float(mark.get_attribute("data-y"))
    mark.locator("path").scroll_into_view_if_needed()
    box = mark.locator("path").bounding_box()
    start = (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.move(*start)
    page.mouse.down()
    for step in range(1, 11):
        page.mouse.move(start[0] + 6 * step, start[1] + 4 * step)
    page.mouse.up()
    expect(node(page, person.pk)).not_to_have_attribute("data-x", mark_x)
    pin = MapPin.objects.get(person=person)
    assert pin.x > x0 and pin.y > y0
    expect(node(page, person.pk)).to_have_attribute("data-x", f"{pin.x:g}")
    # A drag is not a click: nobody was put in focus.
    assert "person=" not in page.url
    shot("pinned-by-drag")

    # Keyboard: focus the person, P, two steps right, Enter.
    node(page, person.pk).focus()
    page.keyboard.press("p")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")
    expect(node(page, person.pk)).to_have_attribute("data-x", f"{pin.x + 10:g}")
    MapPin.objects.get(person=person, x=pin.x + 10, y=pin.y)

    # The panel's form unpins.
    node(page, person.pk).locator("path").click()
    expect(page.get_by_role("group", name=re.compile("Move and pin"))).to_be_visible()
    page.get_by_role("button", name="Unpin").click()
    expect(page.get_by_role("button", name="Pin here")).to_be_visible()
    assert not MapPin.objects.filter(person=person).exists()


def positions(page) -> dict[str, tuple]:
    """Each person's drawn position (map units) and their node's middle on screen (pixels,
    from the map's top left corner: the words above the map may change)."""
    return page.evaluate(
        """() => {
          const map = document.getElementById('map-viewport').getBoundingClientRect();
          return Object.fromEntries([...document.querySelectorAll('#map-svg a[data-person]')]
            .map((a) => {
              const r = a.querySelector('path').getBoundingClientRect();
              return [a.dataset.person, [a.dataset.x, a.dataset.y,
                      r.x + r.width / 2 - map.x, r.y + r.height / 2 - map.y]];
            }));
        }"""
    )


def test_existing_people_stay_put_to_the_pixel(page, live_server, editor_map, shot):
    workspace, built = editor_map
    log_in(page, live_server, MAP)
    expect(page.locator("#map-svg a[data-person]")).to_have_count(13)
    before = positions(page)
    shot("before-additions")

    hospital = built["broker"].affiliations.get().organisation
    OrganisationFactory(workspace=workspace, name="Fenwick Community Trust")
    newcomer = PersonFactory(workspace=workspace, name="Nadia Newcomer")
    AffiliationFactory(person=newcomer, organisation=hospital)
    RelationshipFactory(source=newcomer, target=built["broker"])
    carers = built["people"]["Fenwick Carers"]
    RelationshipFactory(source=carers[0], target=carers[1])
    transaction.get_connection().run_on_commit.clear()
    score_runs.score_run_execute(workspace_id=workspace.pk)

    page.reload()
    expect(page.locator("#map-svg a[data-person]")).to_have_count(14)
    after = positions(page)
    for pk, (x, y, sx, sy) in before.items():
        ax, ay, asx, asy = after[pk]
        assert (ax, ay) == (x, y)
        assert abs(asx - sx) < 0.5 and abs(asy - sy) < 0.5  # on screen, to the pixel
    shot("after-additions")
