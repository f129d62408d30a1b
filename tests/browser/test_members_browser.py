"""An owner manages members in a real browser; the people search keeps names out of the URL."""

import re

import pytest
from playwright.sync_api import expect

from stakeholders.models import Membership, Role
from tests.browser.conftest import open_from_menu
from tests.browser.test_accessibility import assert_accessible
from tests.factories import (
    PASSWORD,
    MembershipFactory,
    PersonFactory,
    UserFactory,
    WorkspaceFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def team():
    workspace = WorkspaceFactory(name="North Fenwick ICS", slug="north-fenwick")
    owner = UserFactory(username="olivia", first_name="Olivia", last_name="Owner")
    MembershipFactory(user=owner, workspace=workspace, role=Role.OWNER)
    return workspace


def log_in(page, live_server, username, next_path="/"):
    page.goto(f"{live_server.url}{next_path}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_owner_invites_changes_a_role_and_cannot_remove_the_last_owner(
    page, live_server, team, screenshot
):
    MembershipFactory(user=UserFactory(username="newcomer"), workspace=team, role=Role.EDITOR)
    log_in(page, live_server, "olivia", "/w/north-fenwick/")
    open_from_menu(page, "Members")
    expect(page).to_have_url(f"{live_server.url}/w/north-fenwick/members/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Members")

    # Invite by email address, as an editor (tests/browser/test_invitations_browser.py
    # follows the link).
    page.get_by_label("Email address").fill("someone.new@example.nhs.uk")
    page.get_by_label("Role", exact=True).select_option("editor")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_role("status")).to_contain_text(
        "We have sent an invitation to someone.new@example.nhs.uk."
    )
    # htmx swapped the region in place: the address did not change.
    expect(page).to_have_url(f"{live_server.url}/w/north-fenwick/members/")

    # Something that is not an email address gets a clear error next to the field.
    page.get_by_label("Email address").fill("nobody-here")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text(
        "Enter an email address in the correct format"
    )

    # Change the newcomer's role to viewer.
    row = page.locator('tr[data-member="newcomer"]')
    row.get_by_label("Role of newcomer").select_option("viewer")
    row.get_by_role("button", name="Change role").click()
    expect(page.get_by_role("status")).to_contain_text("newcomer is now viewer.")
    assert Membership.objects.get(user__username="newcomer").role == Role.VIEWER

    # The last owner cannot remove themselves.
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator('tr[data-member="olivia"]').get_by_role("button", name="Remove").click()
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("A workspace needs at least one owner.")
    expect(summary).to_be_focused()
    assert Membership.objects.get(user__username="olivia").role == Role.OWNER

    # The history shows who changed what, before and after.
    history = page.locator("#member-history-caption").locator("xpath=..")
    expect(history).to_contain_text("Role changed")
    expect(history).to_contain_text("Editor")
    screenshot("members-last-owner")
    assert_accessible(page, "the members page with an error")
    assert page.csp_violations == []


def test_members_page_works_without_javascript(browser, live_server, team):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        log_in(page, live_server, "olivia", "/w/north-fenwick/members/")
        page.get_by_label("Email address").fill("someone.new@example.nhs.uk")
        page.get_by_role("button", name="Send invitation").click()
        expect(page).to_have_url(f"{live_server.url}/w/north-fenwick/members/")
        expect(page.locator(".app-messages")).to_contain_text("We have sent an invitation")
        page.locator('tr[data-member="olivia"]').get_by_role("button", name="Remove").click()
        expect(page.locator(".nhsuk-error-summary")).to_contain_text(
            "A workspace needs at least one owner."
        )
    finally:
        context.close()


def test_viewer_sees_members_read_only(page, live_server, team):
    viewer = UserFactory(username="vera")
    MembershipFactory(user=viewer, workspace=team, role=Role.VIEWER)
    log_in(page, live_server, "vera", "/w/north-fenwick/members/")
    expect(page.locator('tr[data-member="olivia"]')).to_contain_text("Owner")
    expect(page.get_by_role("button", name="Send invitation")).to_have_count(0)
    expect(page.get_by_text("Only owners can add, change or remove members.")).to_be_visible()


def test_search_never_puts_the_term_in_the_address(page, live_server, team, screenshot):
    for i in range(55):
        PersonFactory(workspace=team, ref=f"Z{i:03d}", name=f"Zed Person {i:03d}")
    PersonFactory(workspace=team, ref="A1", name="Amira Okafor")
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    log_in(page, live_server, "olivia", "/w/north-fenwick/people/")
    results = page.locator("#results")
    expect(results).to_contain_text("Amira Okafor")

    page.get_by_label("Search people and organisations").fill("zed person")
    expect(results).to_contain_text("55 people match")
    expect(results).not_to_contain_text("Amira Okafor")
    expect(page).to_have_url(f"{live_server.url}/w/north-fenwick/people/")

    # The next page of results keeps the search, still without it in any address.
    page.get_by_role("navigation", name="Pages of people").get_by_role(
        "button", name="Page 2 of people"
    ).click()
    expect(results).to_contain_text("Zed Person 054")
    expect(results).not_to_contain_text("Zed Person 000")
    expect(page).to_have_url(f"{live_server.url}/w/north-fenwick/people/")
    assert_accessible(page, "the second page of search results")
    assert not [url for url in requests if re.search(r"q=|zed", url, re.IGNORECASE)]
    page.get_by_role("navigation", name="Pages of people").scroll_into_view_if_needed()
    screenshot("people-search-page-2")
    assert page.csp_violations == []
