"""Which scores a page shows, in a real browser: informal and formal ties, a snapshot."""

import re

import pytest
from django.db import transaction
from playwright.sync_api import expect

from stakeholders import score_runs
from stakeholders.models import Role
from stakeholders.snapshots.compute import snapshot_execute
from stakeholders.snapshots.services import snapshot_create
from tests.browser.test_accessibility import assert_accessible
from tests.browser.test_workspace_pages import log_in
from tests.factories import MembershipFactory, UserFactory
from tests.forums.conftest import forum_map as forum_map_fixture  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

forum_map = forum_map_fixture


@pytest.fixture
def leader(workspace, forum_map):
    user = UserFactory(username="leader")
    MembershipFactory(user=user, workspace=workspace, role=Role.VIEWER)
    transaction.get_connection().run_on_commit.clear()
    score_runs.score_run_execute(workspace_id=workspace.pk)
    snapshot = snapshot_create(workspace=workspace, name="ICB board, March 2027", enqueue=False)
    snapshot_execute(snapshot_id=snapshot.pk)
    return user


def test_switch_to_informal_and_formal_ties_and_back(
    page, live_server, workspace, leader, screenshot
):
    log_in(page, live_server, f"/w/{workspace.slug}/brokers/?boundary=sector")
    switch = page.get_by_role("navigation", name="Ties counted")
    expect(switch).to_contain_text("informal only")
    switch.get_by_role("link", name="informal and formal").click()
    # The immediate task backend computes the scores with the page.
    expect(page).to_have_url(re.compile(r"\?boundary=sector&layer=formal$"))
    expect(page.get_by_text("Informal and formal ties", exact=True)).to_be_visible()
    expect(switch.locator("[aria-current=true]")).to_have_text("informal and formal")
    assert_accessible(page, "the brokers page with forum seats counted")
    screenshot("scores-choice-formal-brokers")
    page.get_by_role("navigation", name="Boundary").get_by_role("link", name="tiers").click()
    expect(page).to_have_url(re.compile(r"boundary=tier.*layer=formal"))
    page.get_by_role("navigation", name="Ties counted").get_by_role(
        "link", name="informal only"
    ).click()
    # Back to informal ties, the rest of the address (the sort) kept.
    expect(page).to_have_url(re.compile(r"\?boundary=tier&sort=score$"))
    assert page.csp_violations == []


def test_open_a_snapshot_on_the_map_from_the_list(page, live_server, workspace, leader, screenshot):
    log_in(page, live_server, f"/w/{workspace.slug}/snapshots/")
    page.get_by_role("link", name=re.compile("Open on the map")).click()
    expect(page).to_have_url(re.compile(r"/map/\?snapshot=\d+$"))
    expect(page.locator("#scores-status")).to_contain_text(
        "Snapshot ICB board, March 2027: the map as it was on"
    )
    expect(page.locator("svg [data-person]").first).to_be_visible()
    expect(page.get_by_role("navigation", name="Ties counted")).to_have_count(0)
    assert_accessible(page, "a snapshot on the map")
    screenshot("scores-choice-snapshot-map")
    assert page.csp_violations == []
