"""What if they leave, in a real browser: key people, the picker, progress, the answer."""

import re

import pytest
from playwright.sync_api import expect

from stakeholders.models import Role, RunStatus, WhatIf
from stakeholders.scenarios import whatif_compute
from tests.browser.test_accessibility import assert_accessible
from tests.browser.test_workspace_pages import log_in
from tests.factories import MembershipFactory, UserFactory, WorkspaceFactory
from tests.scenarios.test_whatif_compute import build_leavers_map

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEADLINE = "3 pairs of organisations would lose their last connection"


@pytest.fixture
def leavers():
    workspace = WorkspaceFactory(name="North Fenwick ICS", slug="north-fenwick")
    MembershipFactory(user=UserFactory(username="leader"), workspace=workspace, role=Role.VIEWER)
    return build_leavers_map(workspace)


def test_key_people_lead_to_what_if_they_leave(page, live_server, leavers, screenshot):
    m = leavers
    log_in(page, live_server, f"/w/{m.workspace.slug}/scenarios/key-people/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Key people: who the map hangs on")
    table = page.get_by_role("table", name=re.compile("most damaging to lose first"))
    first = table.locator("tbody tr").first
    expect(first).to_contain_text("Kieran Leach")
    expect(first).to_contain_text(HEADLINE)
    assert_accessible(page, "the key people page")
    screenshot("leaves-key-people")

    first.get_by_role("link", name=re.compile("What if they leave")).click()
    # Under the immediate task backend the answer comes with the page.
    expect(page).to_have_url(re.compile(rf"/scenarios/leaves/\?person={m.kieran.pk}"))
    expect(page.get_by_role("heading", level=2, name="If Kieran Leach left")).to_be_visible()
    expect(page.locator("#whatif-result")).to_contain_text(HEADLINE)
    expect(page.locator("#whatif-result")).to_contain_text("Introduce Hana Hill and Cora Cole")
    assert_accessible(page, "the what-if answer")
    screenshot("leaves-answer")

    # Another boundary reads the same answer.
    page.get_by_role("navigation", name="Boundary").get_by_role("link", name="tiers").click()
    expect(page.locator("#whatif-result")).to_contain_text("pairs of tiers would lose")
    assert WhatIf.objects.count() == 1


def test_choose_people_then_watch_the_answer_arrive(
    page, live_server, leavers, screenshot, settings
):
    m = leavers
    # A worker that has not started yet: the page must show progress, then the answer.
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    log_in(page, live_server, f"/w/{m.workspace.slug}/scenarios/leaves/")
    expect(page.get_by_role("heading", level=1)).to_have_text("What if they leave?")
    assert_accessible(page, "the what-if picker")

    # Search, tick, search again: whoever is ticked moves to "Chosen" and stays ticked.
    search = page.get_by_label("Find the people or organisation")
    search.fill("Kieran")
    kieran = page.get_by_role("checkbox", name=re.compile("Kieran Leach"))
    expect(kieran).to_be_visible()
    expect(page.locator("#picker")).to_contain_text("Director of Partnerships, Fenwick Hospitals")
    kieran.check()
    search.fill("Hugo")
    hugo = page.get_by_role("checkbox", name=re.compile("Hugo Hart"))
    expect(hugo).to_be_visible()
    chosen = page.get_by_role("group", name="Chosen")
    expect(chosen.get_by_role("checkbox", name=re.compile("Kieran Leach"))).to_be_checked()
    hugo.check()
    assert_accessible(page, "the what-if picker with results")
    screenshot("leaves-picker")
    page.get_by_role("button", name="Show what happens if they leave").click()

    # The address holds ids only, never the search term.
    expect(page).to_have_url(
        re.compile(rf"\?person={m.kieran.pk}&person={m.hugo.pk}&boundary=organisation$")
    )
    result = page.locator("#whatif-result")
    expect(result).to_contain_text("Working this out.")
    assert_accessible(page, "the what-if page while it is worked out")
    screenshot("leaves-working")

    whatif = WhatIf.objects.get()
    assert whatif.status == RunStatus.QUEUED
    page.evaluate("window.pollingMarker = 'still here'")
    assert whatif_compute.whatif_execute(whatif_id=whatif.pk) == RunStatus.SUCCEEDED
    # The region polls every 2 s and swaps the answer in without reloading the page.
    expect(result).to_contain_text("Before and after", timeout=10_000)
    expect(result).to_contain_text(HEADLINE)
    expect(page.locator("#whatif-result[hx-get]")).to_have_count(0)
    assert page.evaluate("window.pollingMarker") == "still here"
    assert_accessible(page, "the what-if answer after polling")
    screenshot("leaves-arrived")

    # Untick Hugo and ask again: the chosen list carries the question on.
    page.get_by_role("group", name="Chosen").get_by_role(
        "checkbox", name=re.compile("Hugo Hart")
    ).uncheck()
    page.get_by_role("button", name="Show what happens if they leave").click()
    expect(page).to_have_url(re.compile(rf"\?person={m.kieran.pk}&boundary=organisation$"))
    expect(page.get_by_role("heading", level=2, name="If Kieran Leach left")).to_be_visible()
