"""A leader follows the overview's "See all" to every fragile partnership (issue #14)."""

import re

import pytest
from playwright.sync_api import expect

from stakeholders import score_runs
from stakeholders.models import Role
from tests.browser.test_workspace_pages import log_in
from tests.factories import (
    AffiliationFactory,
    MembershipFactory,
    PersonFactory,
    RelationshipFactory,
    UserFactory,
    WorkspaceFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def ten_fragile_pairs():
    """Ten pairs of organisations, each joined through one relationship only."""
    workspace = WorkspaceFactory(name="North Fenwick ICS", slug="north-fenwick")
    MembershipFactory(user=UserFactory(username="leader"), workspace=workspace, role=Role.VIEWER)
    for i in range(10):
        a = AffiliationFactory(person=PersonFactory(workspace=workspace, name=f"Ann {i}")).person
        b = AffiliationFactory(person=PersonFactory(workspace=workspace, name=f"Bob {i}")).person
        RelationshipFactory(source=a, target=b)
    # Each save queued a rescore that ran on commit; this one makes sure of the last.
    score_runs.score_run_execute(workspace_id=workspace.pk)
    return workspace


def test_see_all_fragile_partnerships_from_the_overview(
    page, live_server, ten_fragile_pairs, screenshot
):
    log_in(page, live_server, "/w/north-fenwick/?boundary=organisation")
    expect(
        page.get_by_text("10 pairs of organisations are connected only through one person")
    ).to_be_visible()
    fragile = page.locator("h2:has-text('Partnerships that hang on one person') + p + ul li")
    expect(fragile).to_have_count(8)
    screenshot("overview-fragile")

    page.get_by_role("link", name="See all 10").click()
    address = r"/partnerships/\?boundary=organisation&fragile=all#fragile-partnerships$"
    expect(page).to_have_url(re.compile(address))
    expect(page.get_by_role("heading", name="Fragile partnerships")).to_be_in_viewport()
    all_ten = page.get_by_text("10 pairs of organisations are connected only through one")
    expect(all_ten).to_be_visible()

    page.go_back()
    page.get_by_role("link", name=re.compile("See everyone ranked as a broker")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Brokers across organisations")
    page.get_by_role("link", name="What the columns mean").click()
    expect(page.get_by_role("heading", name="What the columns mean")).to_be_in_viewport()
    assert page.csp_violations == []
