"""While scores are recomputed the page says so, then refreshes itself when they are ready."""

import re

import pytest
from playwright.sync_api import expect

from stakeholders import leases, score_runs, selectors
from stakeholders.models import Person, Role, RunStatus, ScoreRun
from tests.browser.test_workspace_pages import log_in
from tests.dashboard.test_dashboard_views import build_map
from tests.factories import MembershipFactory, RelationshipFactory, UserFactory, WorkspaceFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

UPDATING = "Updating scores with the latest changes."


@pytest.fixture
def scored_map():
    workspace = WorkspaceFactory(name="North Fenwick ICS", slug="north-fenwick")
    MembershipFactory(user=UserFactory(username="leader"), workspace=workspace, role=Role.VIEWER)
    build_map(workspace)
    return workspace


def test_recompute_notice_clears_and_scores_refresh_without_reload(
    page,
    live_server,
    scored_map,
    screenshot,
):
    workspace = scored_map
    first = selectors.current_run(workspace_id=workspace.pk)
    # A worker has started a newer run: the page must say the scores are being updated.
    running = ScoreRun.objects.create(
        workspace=workspace,
        options_key=score_runs.options_key(score_runs.DEFAULT_OPTIONS),
        options=score_runs.options_to_json(score_runs.DEFAULT_OPTIONS),
        fingerprint="0" * 64,
        status=RunStatus.RUNNING,
    )
    # The worker holds the run's lease while it computes (a run without one is dead).
    lease = leases.hold_lease(running.pk)
    lease.__enter__()

    log_in(page, live_server, f"/w/{workspace.slug}/")
    status = page.locator("#scores-status")
    expect(status).to_contain_text(UPDATING)
    expect(status).to_contain_text(f"and {first.relationships_count} relationships")
    first_as_of = status.locator("time").get_attribute("datetime")
    relationships = (
        page.locator(".nhsuk-card__content")
        .filter(has=page.get_by_text("relationships", exact=True))
        .locator(".app-figure")
    )
    expect(relationships).to_have_text(str(first.relationships_count))
    # Survives only if the page is never reloaded: swaps keep the window, a reload does not.
    page.evaluate("window.pollingMarker = 'still here'")
    screenshot("polling-updating")

    lease.__exit__(None, None, None)  # the worker is done with it

    # The recompute finishes with one more tie than the scores on screen.
    carer = Person.objects.get(workspace=workspace, name="Fenwick Carers person 0")
    nurse = Person.objects.get(workspace=workspace, name="Fenwick Hospitals person 0")
    RelationshipFactory(source=carer, target=nurse, kind="trusts", strength=4)
    finished = score_runs.score_run_execute(workspace_id=workspace.pk)
    assert finished.status == RunStatus.SUCCEEDED
    assert finished.relationships_count == first.relationships_count + 1

    # The status line polls every 3 s; the analysis region reloads on scores-updated.
    expect(status).not_to_contain_text(UPDATING, timeout=10_000)
    expect(status).to_contain_text(f"and {finished.relationships_count} relationships")
    expect(status.locator("time")).not_to_have_attribute("datetime", first_as_of)
    expect(relationships).to_have_text(str(finished.relationships_count), timeout=10_000)
    assert page.evaluate("window.pollingMarker") == "still here"
    # Polling stops once the scores are current: the status line no longer asks again.
    expect(page.locator("#scores-status[hx-get]")).to_have_count(0)
    expect(page).to_have_url(re.compile(rf"/w/{workspace.slug}/$"))
    screenshot("polling-refreshed")
    assert page.csp_violations == []
