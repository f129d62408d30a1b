"""An editor uploads an Excel workbook, checks the preview and confirms it, in a real browser."""

import datetime
import re

import pytest
from openpyxl import Workbook
from playwright.sync_api import expect

from stakeholders.models import Person, Relationship, Role
from tests.factories import PASSWORD, MembershipFactory, UserFactory, WorkspaceFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def editor_workspace():
    workspace = WorkspaceFactory(name="North Fenwick ICS", slug="north-fenwick")
    MembershipFactory(user=UserFactory(username="leader"), workspace=workspace, role=Role.EDITOR)
    return workspace


@pytest.fixture
def workbook(tmp_path):
    """A small map as an analyst keeps it: a cover sheet, numbers and real date cells."""
    book = Workbook()
    book.active.title = "Cover"
    book.active.append(["North Fenwick stakeholder map"])
    sheets = {
        "Organisations": [
            ["name", "short_name", "kind", "sector", "tier"],
            ["North Fenwick ICB", "ICB", "ICB", "NHS", "System"],
        ],
        "People": [
            ["ref", "name", "seniority", "organisation", "active"],
            ["P001", "Amira Shah", "Executive", "North Fenwick ICB", True],
            ["P002", "Ben Okafor", "Director", "North Fenwick ICB", True],
        ],
        "Relationships": [
            ["source", "target", "kind", "strength", "trust", "observed_on"],
            ["P001", "P002", "Collaborates with", 4, 5.0, datetime.date(2026, 1, 15)],
        ],
    }
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    path = tmp_path / "north-fenwick-map.xlsx"
    book.save(path)
    return path


def test_upload_a_workbook_check_and_confirm(
    page, live_server, editor_workspace, workbook, screenshot
):
    page.goto(f"{live_server.url}/w/north-fenwick/import/")
    page.get_by_label("Username").fill("leader")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import from spreadsheet")
    file_input = page.locator("input[type=file][name=files]")
    expect(file_input).to_have_attribute("accept", re.compile(r"\.xlsx"))

    file_input.set_input_files(str(workbook))
    page.get_by_role("button", name="Upload and check").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Check your import")
    expect(page.locator("#maincontent")).to_contain_text(
        "Read from the workbook north-fenwick-map.xlsx: sheets Organisations, People, "
        "Relationships."
    )
    expect(page.locator("#maincontent")).to_contain_text(
        "Ignored sheets (not named like a file of the import): Cover."
    )
    expect(page.locator("tr[data-file='people.csv'] td")).to_have_text(["2", "0", "0"])
    expect(page.locator("tr[data-file='relationships.csv'] th")).to_contain_text(
        "sheet Relationships"
    )
    assert Person.objects.count() == 0
    screenshot("xlsx-import-preview")

    page.get_by_role("button", name="Confirm and import").click()

    expect(page).to_have_url(f"{live_server.url}/w/north-fenwick/")
    expect(page.get_by_role("status").first).to_contain_text("Import complete.")
    relationship = Relationship.objects.get()
    assert (relationship.strength, relationship.trust, relationship.observed_on) == (
        4,
        5,
        datetime.date(2026, 1, 15),
    )
    assert page.csp_violations == []
