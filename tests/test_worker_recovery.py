"""The worker's recovery: work that dead workers left running, and scores behind their data.

tests/test_worker_outage.py runs the real worker through a database outage.
"""

import pytest
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max

from stakeholders import leases, recovery, score_runs, selectors
from stakeholders.analysis.inputs import DEFAULT_OPTIONS, options_key
from stakeholders.models import Relationship, RunStatus, ScoreRun
from stakeholders.tasks import rescore
from tests.factories import (
    AffiliationFactory,
    OrganisationFactory,
    PersonFactory,
    RelationshipFactory,
)

pytestmark = pytest.mark.django_db


def _task(*, status: str, worker_ids: list[str], workspace_id: int = 1) -> DBTaskResult:
    return DBTaskResult.objects.create(
        status=status,
        args_kwargs={"args": [], "kwargs": {"workspace_id": workspace_id}},
        task_path=rescore.module_path,
        backend_name="default",
        run_after=get_date_max(),
        worker_ids=worker_ids,
        started_at=timezone.now() if status != TaskResultStatus.READY else None,
    )


@pytest.fixture
def lease():
    """A live worker's lease, held in this process (its connection, on PostgreSQL)."""
    held = leases.WorkerLease("live-worker")
    held.hold()
    yield held
    held.release()


@pytest.fixture
def scored(workspace):
    """A small map across three organisations, scored."""
    orgs = [OrganisationFactory(workspace=workspace) for _ in range(3)]
    people = [PersonFactory(workspace=workspace) for _ in range(6)]
    for i, person in enumerate(people):
        AffiliationFactory(person=person, organisation=orgs[i % 3])
    for a, b in zip(people, people[1:], strict=False):
        RelationshipFactory(source=a, target=b)
    assert score_runs.score_run_execute(workspace_id=workspace.pk).status == RunStatus.SUCCEEDED
    return people


def _fingerprint(workspace_id: int) -> str:
    return recovery.data_fingerprint(workspace_id=workspace_id)[0]


def _change_without_a_recompute(people) -> None:
    # A queryset update sends no signal: as if the recompute's enqueue had been lost.
    Relationship.objects.filter(source=people[0], target=people[1]).update(strength=1)


def _failed_run(workspace, *, error: str) -> ScoreRun:
    return ScoreRun.objects.create(
        workspace=workspace,
        options_key=options_key(DEFAULT_OPTIONS),
        options={},
        fingerprint=_fingerprint(workspace.pk),
        status=RunStatus.FAILED,
        error=error,
    )


# --- Tasks left running ---------------------------------------------------------


def test_a_task_left_running_by_a_dead_worker_is_marked_failed(lease):
    dead = _task(status=TaskResultStatus.RUNNING, worker_ids=["dead-worker"])
    alive = _task(status=TaskResultStatus.RUNNING, worker_ids=["dead-worker", "live-worker"])
    done = _task(status=TaskResultStatus.SUCCESSFUL, worker_ids=["dead-worker"])
    waiting = _task(status=TaskResultStatus.READY, worker_ids=[])

    assert recovery.tasks_reap() == [str(dead.pk)]

    dead.refresh_from_db()
    assert dead.status == TaskResultStatus.FAILED and dead.finished_at is not None
    [error] = dead.task_result.errors
    assert error.exception_class is recovery.WorkerStopped
    assert recovery.TASK_STOPPED in error.traceback
    statuses = {t.pk: t.status for t in DBTaskResult.objects.all()}
    assert statuses[alive.pk] == TaskResultStatus.RUNNING  # its worker holds its lease
    assert statuses[done.pk] == TaskResultStatus.SUCCESSFUL
    assert statuses[waiting.pk] == TaskResultStatus.READY


def test_a_task_is_reaped_once_its_worker_stops(lease):
    task = _task(status=TaskResultStatus.RUNNING, worker_ids=["live-worker"])
    assert recovery.tasks_reap() == []
    lease.release()
    assert recovery.tasks_reap() == [str(task.pk)]
    assert recovery.tasks_reap() == []


def test_a_recovering_worker_fails_its_own_task_cut_off_by_the_database(lease):
    # Alive, but it runs nothing while it recovers: a task under its id lost its connection.
    task = _task(status=TaskResultStatus.RUNNING, worker_ids=["live-worker"])
    assert recovery.tasks_reap(current_worker_id="live-worker") == [str(task.pk)]
    task.refresh_from_db()
    assert task.status == TaskResultStatus.FAILED


# --- Score runs left running ----------------------------------------------------


def test_recovery_marks_a_score_run_without_a_worker_failed(workspace, other_workspace, scored):
    good = selectors.current_run(workspace_id=workspace.pk)
    dead = ScoreRun.objects.create(
        workspace=workspace,
        options_key=options_key(DEFAULT_OPTIONS),
        options={},
        fingerprint=good.fingerprint,
        status=RunStatus.RUNNING,
        started_at=timezone.now(),
    )
    live = ScoreRun.objects.create(
        workspace=other_workspace,
        options_key=options_key(DEFAULT_OPTIONS),
        options={},
        fingerprint="x",
        status=RunStatus.RUNNING,
        started_at=timezone.now(),
    )
    with leases.hold_lease(live.pk):
        recovery.worker_recover(worker_id="live-worker")
        live.refresh_from_db()
        assert live.status == RunStatus.RUNNING

    dead.refresh_from_db()
    assert dead.status == RunStatus.FAILED and dead.error == leases.WORKER_STOPPED
    # The dead run was scoring the data the good run has: nothing to catch up.
    assert selectors.current_run(workspace_id=workspace.pk).pk == good.pk


def test_the_status_line_says_who_retries_a_failed_run(workspace, scored):
    _failed_run(workspace, error=leases.WORKER_STOPPED)
    status = selectors.score_status(workspace=workspace)
    assert status.failed and status.retrying

    _failed_run(workspace, error="ValueError: the analysis broke")
    status = selectors.score_status(workspace=workspace)
    assert status.failed and not status.retrying


# --- Catching up ----------------------------------------------------------------


def test_scores_that_match_the_data_are_not_behind(workspace, other_workspace, scored):
    assert recovery.workspaces_behind() == []  # other_workspace: empty, never scored


def test_data_changed_after_the_last_good_run_is_caught_up(workspace, other_workspace, scored):
    before = selectors.current_run(workspace_id=workspace.pk)
    _change_without_a_recompute(scored)
    PersonFactory(workspace=other_workspace)  # people, never scored: behind too
    ScoreRun.objects.filter(workspace=other_workspace).delete()

    assert recovery.workspaces_behind() == [workspace.pk, other_workspace.pk]

    assert recovery.scores_catch_up() == [workspace.pk, other_workspace.pk]
    after = selectors.current_run(workspace_id=workspace.pk)
    assert after.pk != before.pk and after.fingerprint == _fingerprint(workspace.pk)
    assert recovery.workspaces_behind() == []


def test_a_queued_recompute_is_left_to_catch_up(workspace, scored):
    _change_without_a_recompute(scored)
    _task(status=TaskResultStatus.READY, worker_ids=[], workspace_id=workspace.pk)
    assert recovery.workspaces_behind() == []


def test_a_run_cut_off_by_its_worker_is_retried(workspace, scored):
    _change_without_a_recompute(scored)
    _failed_run(workspace, error=leases.WORKER_STOPPED)
    assert recovery.workspaces_behind() == [workspace.pk]


def test_a_run_cut_off_by_the_database_is_retried(workspace, scored):
    _change_without_a_recompute(scored)
    _failed_run(workspace, error="OperationalError: terminating connection")
    assert recovery.workspaces_behind() == [workspace.pk]


def test_data_the_analysis_fails_on_waits_for_the_next_change(workspace, scored):
    _change_without_a_recompute(scored)
    _failed_run(workspace, error="ValueError: the analysis broke")
    assert recovery.workspaces_behind() == []

    Relationship.objects.filter(source=scored[1], target=scored[2]).update(strength=1)
    assert recovery.workspaces_behind() == [workspace.pk]


def test_the_worker_gives_up_after_three_cut_off_attempts_at_the_same_data(workspace, scored):
    # An analysis that gets its worker killed (out of memory) would otherwise loop.
    _change_without_a_recompute(scored)
    for attempt in range(1, leases.AUTOMATIC_RETRIES + 1):
        _failed_run(workspace, error=leases.WORKER_STOPPED)
        retried = attempt < leases.AUTOMATIC_RETRIES
        assert recovery.workspaces_behind() == ([workspace.pk] if retried else [])
        assert selectors.score_status(workspace=workspace).retrying is retried

    Relationship.objects.filter(source=scored[1], target=scored[2]).update(strength=1)
    assert recovery.workspaces_behind() == [workspace.pk]  # new data: tried again


def test_retrying_after_counts_only_a_streak_on_the_same_data():
    stopped = ("a", RunStatus.FAILED, leases.WORKER_STOPPED)
    broke = ("a", RunStatus.FAILED, "ValueError: the analysis broke")
    assert leases.retrying_after([stopped])
    assert leases.retrying_after([stopped, stopped])
    assert not leases.retrying_after([stopped, stopped, stopped])
    assert leases.retrying_after([stopped, stopped, ("b", RunStatus.FAILED, leases.WORKER_STOPPED)])
    assert leases.retrying_after([stopped, broke, stopped])
    assert not leases.retrying_after([broke])
    assert not leases.retrying_after([])
    assert not leases.retrying_after([("a", RunStatus.SUCCEEDED, "")])
