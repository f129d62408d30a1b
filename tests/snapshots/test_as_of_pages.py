"""`?as_of=YYYY-MM-DD` on analysis pages: computed by a worker, progress shown until then."""

import datetime

import pytest
from django.db import transaction
from django.urls import reverse

from stakeholders import score_runs, selectors
from stakeholders.models import ScoreRun
from tests.factories import (
    AffiliationFactory,
    OrganisationFactory,
    PersonFactory,
    RelationshipFactory,
)

D = datetime.date(2025, 3, 31)


@pytest.fixture
def dated(workspace):
    org = OrganisationFactory(workspace=workspace, name="Fenwick Hospitals")
    people = [PersonFactory(workspace=workspace, name=f"Dora {i}") for i in range(3)]
    for p in people:
        AffiliationFactory(person=p, organisation=org)
    RelationshipFactory(source=people[0], target=people[1])
    RelationshipFactory(source=people[1], target=people[2], start_date=D + datetime.timedelta(1))
    transaction.get_connection().run_on_commit.clear()
    score_runs.score_run_execute(workspace_id=workspace.pk)
    return people


def _url(workspace, name: str = "brokers", **params) -> str:
    base = reverse(f"stakeholders:{name}", kwargs={"slug": workspace.slug})
    return base + "?" + "&".join(f"{k}={v}" for k, v in params.items())


def test_as_of_asks_a_worker_and_shows_progress_then_the_scores(
    client, workspace, dated, viewer, django_capture_on_commit_callbacks
):
    client.force_login(viewer)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        page = client.get(_url(workspace, as_of="2025-03-31"))
    assert page.status_code == 200
    body = page.content.decode()
    assert "The map as it was on 31 March 2025" in body
    assert "Working out the scores of that day." in body
    assert "as_of=2025-03-31" in body  # the status line polls for this date
    assert len(queued) == 1
    assert selectors.current_run(workspace_id=workspace.pk, as_of=D) is None
    queued[0]()  # the worker (immediate backend) runs the task
    run = selectors.current_run(workspace_id=workspace.pk, as_of=D)
    assert run is not None and run.relationships_count == 1
    status = client.get(
        _url(workspace, "scores_status", as_of="2025-03-31", waiting=1),
        headers={"HX-Request": "true"},
    )
    assert status["HX-Trigger"] == "scores-updated"
    body = client.get(_url(workspace, as_of="2025-03-31")).content.decode()
    assert "Working out" not in body and "1 relationship" in body
    # Today's scores are untouched.
    assert selectors.current_run(workspace_id=workspace.pk).relationships_count == 2


def test_a_stored_as_of_run_is_not_asked_for_again(
    client, workspace, dated, viewer, django_capture_on_commit_callbacks
):
    score_runs.score_run_execute(workspace_id=workspace.pk, as_of=D)
    client.force_login(viewer)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        for name in ("overview", "brokers", "partnerships", "map"):
            assert client.get(_url(workspace, name, as_of="2025-03-31")).status_code == 200
    assert queued == []
    assert ScoreRun.objects.filter(as_of=D).count() == 1


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("31-03-2025", "as_of: &#x27;31-03-2025&#x27; is not a date. The date must be a real date"),
        ("2025-02-30", "is not a date"),
        ("2999-01-01", "as_of: 2999-01-01 is still to come"),
    ],
)
def test_a_bad_as_of_is_a_400_naming_it(client, workspace, viewer, value, message):
    client.force_login(viewer)
    for name in ("overview", "brokers", "partnerships"):
        response = client.get(_url(workspace, name, as_of=value))
        assert response.status_code == 400
        assert message in response.content.decode()


def test_a_past_day_s_map_says_its_lines_follow_today_s_record(client, workspace, dated, viewer):
    """Ties entered or corrected since the scores were worked out show on the map of
    that day, not in its scores: the page says so."""
    run = score_runs.score_run_execute(workspace_id=workspace.pk, as_of=D)
    client.force_login(viewer)
    body = client.get(_url(workspace, "map", as_of="2025-03-31")).content.decode()
    assert "The lines follow today's record of that day and the scores the record as it" in body
    assert f"stood on {run.created_at:%-d %B %Y}: an edit made since changes the lines" in body
    today = client.get(_url(workspace, "map")).content.decode()
    assert "The lines follow today's record" not in today
