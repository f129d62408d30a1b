"""An editor uploads a CSV bundle, checks the preview and confirms it, in a real browser."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from stakeholders.models import Person, Role
from tests.factories import PASSWORD, MembershipFactory, UserFactory, WorkspaceFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GOOD = Path(__file__).resolve().parents[1] / "imports" / "fixtures" / "bundle_good"


@pytest.fixture
def editor_workspace():
    workspace = WorkspaceFactory(name="North Fenwick ICS", slug="north-fenwick")
    MembershipFactory(user=UserFactory(username="leader"), workspace=workspace, role=Role.EDITOR)
    return workspace


def log_in(page, live_server, next_path):
    page.goto(f"{live_server.url}{next_path}")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.get_by_label("Username").fill("leader")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_upload_preview_and_confirm_a_bundle(page, live_server, editor_workspace, screenshot):
    log_in(page, live_server, "/w/north-fenwick/import/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Import from spreadsheet")
    screenshot("import-upload")

    # NHS.UK's file upload component puts a drop zone button in front of the input.
    expect(
        page.get_by_role("button", name=re.compile("Choose the files to import"))
    ).to_be_visible()
    page.locator("input[type=file][name=files]").set_input_files(
        sorted(str(path) for path in GOOD.glob("*.csv"))
    )
    page.get_by_role("button", name="Upload and check").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Check your import")
    expect(page).to_have_url(re.compile(r"/w/north-fenwick/import/[0-9a-f-]{36}/$"))
    counts = page.locator("tr[data-file='relationships.csv'] td")
    expect(counts).to_have_text(["5", "0", "0"])
    expect(page.locator("tr[data-file='affiliations.csv'] td")).to_have_text(["3", "0", "0"])
    page.get_by_text("People: 5 new").click()  # opens the <details> list
    expect(page.get_by_text("P003", exact=True)).to_be_visible()
    assert Person.objects.count() == 0
    screenshot("import-preview")

    page.get_by_role("button", name="Confirm and import").click()
    expect(page).to_have_url(f"{live_server.url}/w/north-fenwick/")
    expect(page.get_by_role("status").first).to_contain_text(
        "Import complete. Organisations: 5 new"
    )
    expect(page.locator("#maincontent")).to_contain_text("Amira Shah")
    screenshot("import-confirmed")
    assert Person.objects.count() == 5
    assert page.csp_violations == []
