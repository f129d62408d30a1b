"""A person logs in, finds their workspace and searches it, in a real browser."""

import re

import pytest
from playwright.sync_api import expect

from stakeholders.models import Role
from tests.browser.conftest import open_from_menu
from tests.factories import (
    PASSWORD,
    AffiliationFactory,
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
    UserFactory,
    WorkspaceFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_map():
    workspace = WorkspaceFactory(name="North Fenwick ICS", slug="north-fenwick")
    hidden = WorkspaceFactory(name="South Moor ICS", slug="south-moor")
    user = UserFactory(username="leader")
    MembershipFactory(user=user, workspace=workspace, role=Role.VIEWER)
    hospital = OrganisationFactory(workspace=workspace, name="Fenwick Hospitals NHS Trust")
    council = OrganisationFactory(
        workspace=workspace, name="Fenwick County Council", sector="local_government"
    )
    for i, (name, org) in enumerate(
        [("Amira Okafor", hospital), ("Brian Whitley", council), ("Ceri Jones", council)]
    ):
        AffiliationFactory(
            person=PersonFactory(workspace=workspace, ref=f"NF{i}", name=name), organisation=org
        )
    AffiliationFactory(person=PersonFactory(workspace=hidden, name="Secret Person"))
    return workspace


def log_in(page, live_server, next_path="/"):
    page.goto(f"{live_server.url}{next_path}")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.get_by_label("Username").fill("leader")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_log_in_open_workspace_and_search(page, live_server, demo_map, screenshot):
    log_in(page, live_server)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.get_by_text("South Moor ICS")).to_have_count(0)
    page.get_by_role("link", name="North Fenwick ICS").first.click()
    expect(page).to_have_url(f"{live_server.url}/w/north-fenwick/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Overview")
    open_from_menu(page, "People and organisations")
    expect(page).to_have_url(f"{live_server.url}/w/north-fenwick/people/")
    results = page.locator("#results")
    expect(results).to_contain_text("Amira Okafor")
    expect(results).to_contain_text("Brian Whitley")

    page.locator("#q").fill("county")
    # Live search swaps the results in place and keeps the term out of the address.
    expect(results).to_contain_text("Brian Whitley")
    expect(page).to_have_url(f"{live_server.url}/w/north-fenwick/people/")
    expect(results).not_to_contain_text("Amira Okafor")
    expect(page.get_by_text("Secret Person")).to_have_count(0)
    screenshot("workspace-search")

    page.get_by_role("link", name="Clear search").click()
    expect(page.locator("#results")).to_contain_text("Amira Okafor")
    assert page.csp_violations == []


def test_wrong_password_is_refused(page, live_server, demo_map):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("leader")
    page.get_by_label("Password", exact=True).fill("not-the-password")
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    expect(page.locator(".nhsuk-error-summary")).to_be_visible()


def test_log_out(page, live_server, demo_map):
    log_in(page, live_server)
    page.get_by_role("button", name="Log out").click()
    page.goto(f"{live_server.url}/w/north-fenwick/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))


def test_a_newcomer_creates_a_workspace_and_owns_it(page, live_server, screenshot):
    UserFactory(username="leader")
    log_in(page, live_server)
    expect(page.get_by_text("You are not a member of any workspace yet")).to_be_visible()
    page.get_by_role("link", name="Create a workspace").click()
    page.get_by_role("button", name="Create the workspace").click()
    expect(page.get_by_role("alert")).to_contain_text("This field cannot be blank.")
    page.get_by_label("Name of the system or partnership").fill("Marsh Vale Place Partnership")
    screenshot("workspace-new")
    page.get_by_role("button", name="Create the workspace").click()
    expect(page).to_have_url(f"{live_server.url}/w/marsh-vale-place-partnership/")
    expect(page.get_by_text("you are its owner")).to_be_visible()
    page.goto(f"{live_server.url}/w/marsh-vale-place-partnership/members/")
    expect(page.locator("main")).to_contain_text("leader")
    expect(page.locator("main")).to_contain_text("Owner")
