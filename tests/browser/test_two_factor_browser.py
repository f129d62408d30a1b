"""A person turns on two-factor authentication with their app, then logs in with a code."""

import re

import pytest
from playwright.sync_api import expect

from tests.accounts.helpers import app_code, secret_key
from tests.browser.test_accessibility import assert_accessible
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, live_server, username, next_path="/"):
    page.goto(f"{live_server.url}{next_path}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_turn_on_two_factor_then_log_in_with_a_code(page, live_server, screenshot):
    UserFactory(username="ada", email="ada@example.nhs.uk")
    log_in(page, live_server, "ada")

    page.get_by_role("link", name="Your account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account")
    expect(page.locator("main")).to_contain_text("ada@example.nhs.uk")
    page.get_by_role("button", name="Turn on two-factor authentication").click()

    expect(page.get_by_role("img", name=re.compile("QR code"))).to_be_visible()
    assert_accessible(page, "two-factor set-up")
    screenshot("two-factor-setup")
    # What a person types into their app by hand; the app's arithmetic is RFC 6238's.
    key = secret_key(page.locator("#two-factor-secret").inner_text())
    page.get_by_label("Code from the app").fill(app_code(key))
    page.get_by_role("button", name="Turn on").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Your recovery codes")
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    screenshot("two-factor-recovery-codes")
    page.get_by_role("link", name="I have kept my codes safe").click()
    expect(page.locator("main")).to_contain_text("10 unused recovery codes")

    page.get_by_role("button", name="Log out").click()
    log_in(page, live_server, "ada", "/account/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your code")
    assert_accessible(page, "login code step")
    # The code for the next 30 seconds: the one just used for set-up cannot be used again.
    page.get_by_label("Code").fill(app_code(key, steps_ahead=1))
    page.get_by_role("button", name="Continue").click()

    expect(page).to_have_url(f"{live_server.url}/account/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account")
    assert not page.csp_violations
