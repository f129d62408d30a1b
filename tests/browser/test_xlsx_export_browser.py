"""A leader downloads the brokers ranking as a spreadsheet, named for what it holds."""

import io
import re
from pathlib import Path

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import expect

from stakeholders.exports.tables import header
from stakeholders.models import Role
from tests.browser.test_workspace_pages import log_in
from tests.dashboard.test_dashboard_views import build_map
from tests.factories import MembershipFactory, UserFactory, WorkspaceFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

XLSX_LINK = "both in one spreadsheet (.xlsx)"


@pytest.fixture
def scored_map():
    workspace = WorkspaceFactory(name="North Fenwick ICS", slug="north-fenwick")
    MembershipFactory(user=UserFactory(username="leader"), workspace=workspace, role=Role.VIEWER)
    build_map(workspace, people_per_org=4)
    return workspace


def test_brokers_download_as_xlsx_at_sector_boundary(page, live_server, scored_map):
    log_in(page, live_server, "/w/north-fenwick/brokers/?boundary=sector")
    expect(page.get_by_role("heading", level=1)).to_have_text("Brokers across sectors")
    day = timezone.localdate().isoformat()

    with page.expect_download() as download_info:
        page.get_by_role("link", name=XLSX_LINK).click()
    download = download_info.value
    assert download.suggested_filename == f"north-fenwick-brokers-sector-{day}.xlsx"
    workbook = load_workbook(io.BytesIO(Path(download.path()).read_bytes()))
    assert workbook.sheetnames == ["brokers", "Notes"]
    rows = list(workbook["brokers"].values)
    assert rows[0] == header("brokers")
    assert len(rows) > 1 and all(isinstance(row[4], int) for row in rows[1:])

    # The link follows the page's filter, and so does the file's name.
    page.get_by_label("Show people in").select_option(label="Local government")
    expect(page).to_have_url(re.compile(r"group=local_government"))
    with page.expect_download() as download_info:
        page.get_by_role("link", name=XLSX_LINK).click()
    assert download_info.value.suggested_filename == (
        f"north-fenwick-brokers-sector-local-government-{day}.xlsx"
    )
    assert page.csp_violations == []
