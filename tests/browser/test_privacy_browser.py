"""An owner reads a person's change history, downloads their data, erases them, sets retention."""

import io
import zipfile

import pytest
from playwright.sync_api import expect

from stakeholders.models import Erasure, Person, Role, Workspace
from tests.browser.test_accessibility import assert_accessible
from tests.browser.test_workspace_pages import log_in
from tests.dashboard.test_dashboard_views import build_map
from tests.factories import MembershipFactory, PersonFactory, UserFactory, WorkspaceFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def owned_map():
    workspace = WorkspaceFactory(name="North Fenwick ICS", slug="north-fenwick")
    leader = UserFactory(username="leader")
    MembershipFactory(user=leader, workspace=workspace, role=Role.OWNER)
    m = build_map(workspace, people_per_org=3)
    person = PersonFactory(workspace=workspace, name="Zebedee Quartermaine", ref="ZQ-7781")
    for i in range(1, 26):
        person.job_title = f"Title {i}"
        person._history_user = leader
        person.save()
    return {"workspace": workspace, "person": person, **m}


def test_owner_reads_history_downloads_and_erases(page, live_server, owned_map, screenshot):
    person = owned_map["person"]
    log_in(page, live_server, f"/w/north-fenwick/people/{person.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Zebedee Quartermaine")

    # "Show more" adds the older changes in place.
    history = page.locator("ol.app-history")
    expect(history.locator("> li")).to_have_count(20)
    page.get_by_role("link", name="Show more changes").click()
    expect(page.locator("ol.app-history > li")).to_have_count(26)
    expect(page.get_by_text("Title 1 → Title 2")).to_be_visible()
    expect(page.get_by_role("link", name="Show more changes")).to_have_count(0)
    expect(page).to_have_url(f"{live_server.url}/w/north-fenwick/people/{person.pk}/")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download everything held about this person").click()
    download = download_info.value
    assert download.suggested_filename.startswith(f"north-fenwick-subject-access-{person.pk}-")
    pack = zipfile.ZipFile(io.BytesIO(open(download.path(), "rb").read()))  # noqa: SIM115
    assert "history.csv" in pack.namelist()
    screenshot("privacy_person_page")
    assert_accessible(page, "person page with all changes shown")

    page.get_by_role("link", name="Erase this person").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Erase Zebedee Quartermaine (ref ZQ-7781)"
    )
    page.get_by_label("Type the person's ref or full name to confirm").fill("ZQ-0000")
    page.get_by_role("button", name="Erase this person").click()
    expect(page.get_by_role("alert")).to_contain_text("That is not this person's ref")
    screenshot("privacy_erase_error")
    assert_accessible(page, "erase confirmation with an error")
    assert Person.objects.filter(pk=person.pk).exists()

    page.get_by_label("Type the person's ref or full name to confirm").fill("ZQ-7781")
    page.get_by_role("button", name="Erase this person").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Retention and erasures")
    expect(page.get_by_role("status")).to_contain_text("The person was erased")
    erasures = page.get_by_role("table", name="Erasures, newest first")
    expect(erasures.locator("tbody tr")).to_have_count(1)
    expect(erasures).to_contain_text("leader")
    expect(page.get_by_text("Zebedee")).to_have_count(0)
    screenshot("privacy_settings_after_erasure")
    assert_accessible(page, "retention and erasures")
    assert not Person.objects.filter(pk=person.pk).exists()
    assert Erasure.objects.count() == 1

    page.get_by_label("Flag ties as stale after this many months").fill("500")
    page.get_by_role("button", name="Save retention").click()
    expect(page.get_by_role("alert")).to_contain_text("1 to 240")
    page.get_by_label("Flag ties as stale after this many months").fill("18")
    page.get_by_role("button", name="Save retention").click()
    expect(page.get_by_role("status")).to_contain_text("not observed for 18 months")
    assert Workspace.objects.get(slug="north-fenwick").retention_months == 18

    page.goto(f"{live_server.url}/w/north-fenwick/people/{owned_map['broker'].pk}/changes/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Changes to Bridget Broker")
    assert_accessible(page, "a person's changes")

    assert page.csp_violations == []
