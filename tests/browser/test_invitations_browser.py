"""An owner invites an email address; the invitee opens the emailed link and joins."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from stakeholders.models import Invitation, Membership, Role
from tests.browser.conftest import ARTIFACTS, open_from_menu
from tests.browser.test_accessibility import assert_accessible
from tests.factories import PASSWORD, MembershipFactory, UserFactory, WorkspaceFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ADDRESS = "nia.newcomer@example.nhs.uk"
LINK = re.compile(r"https?://\S+?/invitations/[A-Za-z0-9_-]+/")


@pytest.fixture
def team():
    workspace = WorkspaceFactory(name="North Fenwick ICS", slug="north-fenwick")
    owner = UserFactory(username="olivia", first_name="Olivia", last_name="Owner")
    MembershipFactory(user=owner, workspace=workspace, role=Role.OWNER)
    return workspace


def test_owner_invites_and_a_new_person_joins_with_a_new_account(
    browser, page, live_server, team, screenshot
):
    mail.outbox.clear()
    page.goto(f"{live_server.url}/w/north-fenwick/")
    page.get_by_label("Username").fill("olivia")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    open_from_menu(page, "Members")

    page.get_by_label("Email address").fill(ADDRESS)
    page.get_by_label("Role", exact=True).select_option("editor")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_role("status")).to_contain_text(f"We have sent an invitation to {ADDRESS}.")
    row = page.locator(f'tr[data-invitation="{ADDRESS}"]')
    expect(row).to_contain_text("Editor")
    expect(row).to_contain_text("olivia")
    expect(row.get_by_role("button", name=f"Cancel the invitation to {ADDRESS}")).to_be_visible()
    assert_accessible(page, "the members page with an invitation")
    screenshot("invitation-sent")
    assert page.csp_violations == []

    [message] = mail.outbox
    assert message.to == [ADDRESS]
    link = LINK.search(message.body)[0]

    # The invitee, in a browser of their own.
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    invitee = context.new_page()
    invitee.csp_violations = []
    invitee.on(
        "console",
        lambda msg: (
            invitee.csp_violations.append(msg.text)
            if "Content Security Policy" in msg.text
            else None
        ),
    )
    requests: list[str] = []
    invitee.on("request", lambda request: requests.append(request.headers.get("referer", "")))
    try:
        invitee.goto(link)
        # The token leaves the address bar at once.
        expect(invitee).to_have_url(f"{live_server.url}/invitations/accept/")
        expect(invitee.get_by_role("heading", level=1)).to_have_text(
            "Join North Fenwick ICS as editor"
        )
        expect(invitee.get_by_label("Email address")).to_have_value(ADDRESS)
        assert_accessible(invitee, "the invitation page")
        invitee.get_by_label("Username").fill("nia")
        invitee.get_by_label("Password", exact=True).fill(PASSWORD)
        invitee.get_by_label("Confirm password").fill(PASSWORD + "-typo")
        invitee.get_by_role("button", name="Create account and join").click()
        expect(invitee.locator(".nhsuk-error-summary")).to_contain_text(
            "The two password fields didn’t match."
        )
        invitee.get_by_label("Password", exact=True).fill(PASSWORD)
        invitee.get_by_label("Confirm password").fill(PASSWORD)
        invitee.get_by_role("button", name="Create account and join").click()

        expect(invitee).to_have_url(f"{live_server.url}/w/north-fenwick/")
        expect(invitee.locator("body")).to_contain_text(
            "You have joined North Fenwick ICS as editor."
        )
        ARTIFACTS.mkdir(exist_ok=True)
        invitee.screenshot(path=str(ARTIFACTS / "invitation-joined.png"), full_page=True)
        assert not [r for r in requests if "/invitations/" in r and "accept" not in r]
        assert invitee.csp_violations == []
    finally:
        context.close()

    membership = Membership.objects.get(user__username="nia", workspace=team)
    assert membership.role == Role.EDITOR
    assert Invitation.objects.get().accepted_by == membership.user

    # The owner sees the new member and no invitation waiting.
    page.reload()
    expect(page.locator('tr[data-member="nia"]')).to_be_visible()
    expect(page.get_by_text("There are no invitations waiting to be accepted.")).to_be_visible()
