"""Every main page passes axe-core's WCAG 2.0, 2.1 and 2.2 A and AA rules, in a real browser."""

import json
import re
from pathlib import Path

import pytest
from django.urls import NoReverseMatch, reverse
from playwright.sync_api import expect

from stakeholders.models import Role
from tests.dashboard.test_dashboard_views import build_map
from tests.factories import PASSWORD, MembershipFactory, UserFactory, WorkspaceFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text()
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def axe_violations(page) -> list[dict]:
    """Run axe on the page as it is now and return its violations.

    page.evaluate runs in the page's main world from the DevTools protocol, so
    the app's Content Security Policy (script-src 'self' plus a nonce) does
    not apply and need not be bypassed: the page is checked exactly as served.
    """
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE)
    return page.evaluate(
        """tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})
            .then(r => r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                targets: v.nodes.slice(0, 3).map(n => n.target.join(' ')),
                count: v.nodes.length})))""",
        WCAG_TAGS,
    )


def assert_accessible(page, name: str, known: frozenset[tuple[str, str]] = frozenset()) -> None:
    """No axe violations, other than `known` (rule id, target) pairs explained at the call."""
    page.wait_for_load_state("networkidle")
    violations = [
        v
        for v in axe_violations(page)
        if not (v["count"] == 1 and (v["id"], v["targets"][0]) in known)
    ]
    report = "\n".join(
        f"  {v['id']} ({v['impact']}): {v['help']} - {v['count']} element(s), "
        f"e.g. {json.dumps(v['targets'])}"
        for v in violations
    )
    assert violations == [], f"axe found WCAG violations on {name} ({page.url}):\n{report}"
    assert page.csp_violations == []


def log_in(page, live_server, next_path="/", username="leader"):
    page.goto(f"{live_server.url}{next_path}")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


@pytest.fixture
def mapped():
    workspace = WorkspaceFactory(name="North Fenwick ICS", slug="north-fenwick")
    MembershipFactory(user=UserFactory(username="leader"), workspace=workspace, role=Role.VIEWER)
    return workspace, build_map(workspace, people_per_org=6)


def test_login_page(page, live_server, mapped):
    page.goto(f"{live_server.url}/accounts/login/")
    expect(page.get_by_role("button", name="Log in")).to_be_visible()
    assert_accessible(page, "the login page")


def test_pages_a_viewer_reads(page, live_server, mapped):
    workspace, built = mapped
    base = f"{live_server.url}/w/{workspace.slug}"
    log_in(page, live_server)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_accessible(page, "home")

    page.goto(f"{base}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Overview")
    assert_accessible(page, "the overview")

    page.goto(f"{base}/brokers/")
    expect(page.locator("details.app-why").first).to_be_visible()
    assert_accessible(page, "brokers")
    why = page.locator("details.app-why").first
    why.locator("summary").click()
    expect(why).to_contain_text("Broker score")
    assert_accessible(page, "brokers with a 'why' open")

    page.goto(f"{base}/partnerships/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_accessible(page, "partnerships")

    page.goto(f"{base}/people/")
    expect(page.locator("#results")).to_contain_text("Bridget Broker")
    assert_accessible(page, "people and organisations")
    page.locator("#q").fill("council")
    expect(page.locator("#results")).not_to_contain_text("Bridget Broker")
    assert_accessible(page, "people and organisations after a search")

    page.goto(f"{base}/people/{built['broker'].pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Bridget Broker")
    assert_accessible(page, "a person page")

    organisation = built["broker"].affiliations.first().organisation
    page.goto(f"{base}/organisations/{organisation.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(organisation.name)
    assert_accessible(page, "an organisation page")


def test_import_upload_page_for_an_editor(page, live_server, mapped):
    workspace, _ = mapped
    MembershipFactory(user=UserFactory(username="mapper"), workspace=workspace, role=Role.EDITOR)
    log_in(page, live_server, f"/w/{workspace.slug}/import/", username="mapper")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    # NHS.UK frontend's file upload (vendored JS, not our markup) turns the input
    # into a button labelled by the label plus the button itself, as GOV.UK Frontend
    # does after testing with assistive technology. axe computes its name as "Choose
    # the files to import , No file chosen, Choose file or drop file" and its visible
    # text as "No file chosen, Choose file or drop file": every visible word is in the
    # name, yet axe's experimental label-in-name rule flags it. Only that one element
    # is let off that one rule.
    assert_accessible(
        page,
        "the import upload page",
        known=frozenset({("label-content-name-mismatch", "#files")}),
    )


# Map labels are cut at whole words (maps.short_label), so every visible word is in
# the node's accessible name (WCAG 2.5.3).
def test_map_page(page, live_server, mapped):
    workspace, _ = mapped
    try:
        path = reverse("stakeholders:map", kwargs={"slug": workspace.slug})
    except NoReverseMatch:
        pytest.skip("The map page (stakeholders:map) does not exist yet.")
    log_in(page, live_server, path)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_accessible(page, "the map page")
