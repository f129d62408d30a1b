"""What a task worker does on starting, after losing its database, and now and then.

A worker that dies, or loses its database connection mid-task, leaves its task marked
running in the task table and its score run marked running. Its lease is gone then
(stakeholders.leases), so any worker can mark both failed. Work lost that way, and a
change whose recompute was never queued (the database went away between the commit
and the enqueue), leave a workspace's scores behind its data: the catch-up compares
each workspace's data fingerprint with its last good run's and queues a recompute
where they differ. The worker (`manage.py db_worker`) runs `worker_recover`.
"""

import logging

from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from stakeholders.analysis.inputs import DEFAULT_OPTIONS, options_key
from stakeholders.leases import AUTOMATIC_RETRIES, retrying_after, worker_lease_gone
from stakeholders.models import RunStatus, ScoreRun, Workspace
from stakeholders.score_runs import (
    input_fingerprint,
    layout_fingerprint,
    score_input,
    score_runs_reap,
    workspace_organisations,
)
from stakeholders.selectors import current_run
from stakeholders.tasks import rescore, rescore_enqueue

logger = logging.getLogger(__name__)

TASK_STOPPED = "The worker stopped or lost its database connection before finishing this task."


class WorkerStopped(Exception):
    """A task's worker stopped before finishing it: the failure recorded on the task."""


def tasks_reap(*, current_worker_id: str | None = None) -> list[str]:
    """Mark tasks left running by a worker that is gone as failed; returns their ids.

    `current_worker_id` is the calling worker's: it runs nothing while it recovers, so
    a task still running under its id was cut off (its connection lost mid-task).
    """
    now = timezone.now()
    reaped = []
    running = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).order_by()
    for pk, worker_ids, started_at in running.values_list("pk", "worker_ids", "started_at"):
        worker_id = worker_ids[-1] if worker_ids else ""
        if worker_id != current_worker_id and not worker_lease_gone(
            worker_id, started_at=started_at, now=now
        ):
            continue
        # Only if still running: a worker that finished meanwhile keeps its result.
        if DBTaskResult.objects.filter(pk=pk, status=TaskResultStatus.RUNNING).update(
            status=TaskResultStatus.FAILED,
            finished_at=now,
            return_value=None,
            exception_class_path=f"{__name__}.{WorkerStopped.__qualname__}",
            traceback=f"{__name__}.{WorkerStopped.__qualname__}: {TASK_STOPPED}\n",
        ):
            logger.warning("Task %s: its worker %s stopped before finishing", pk, worker_id)
            reaped.append(str(pk))
    return reaped


def score_runs_reap_all() -> list[int]:
    """score_runs.score_runs_reap for every workspace with a run marked running."""
    running = ScoreRun.objects.filter(status=RunStatus.RUNNING).order_by()
    workspaces = sorted(set(running.values_list("workspace_id", flat=True)))
    return [pk for workspace_id in workspaces for pk in score_runs_reap(workspace_id=workspace_id)]


def _rescores_pending() -> set[int]:
    """Workspaces with a recompute queued or running: it reads their data as it is now."""
    pending = DBTaskResult.objects.filter(
        task_path=rescore.module_path,
        status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING],
    ).order_by()
    workspaces = pending.values_list("args_kwargs__kwargs__workspace_id", flat=True)
    return {int(pk) for pk in workspaces if pk is not None}


def data_fingerprint(*, workspace_id: int) -> tuple[str, bool]:
    """The fingerprint a default run of the data as it is now would have; any people?"""
    data = score_input(workspace_id=workspace_id)
    fingerprint = layout_fingerprint(
        input_fingerprint(data, DEFAULT_OPTIONS), workspace_organisations(workspace_id)
    )
    return fingerprint, bool(data.people)


def _behind(workspace_id: int) -> bool:
    fingerprint, has_people = data_fingerprint(workspace_id=workspace_id)
    good = current_run(workspace_id=workspace_id)
    if good is not None and good.fingerprint == fingerprint:
        return False
    if good is None and not has_people:
        return False  # nothing to score yet
    recent = list(
        ScoreRun.objects.filter(workspace_id=workspace_id, options_key=options_key(DEFAULT_OPTIONS))
        .order_by("-created_at", "-pk")
        .values_list("fingerprint", "status", "error")[:AUTOMATIC_RETRIES]
    )
    if recent and recent[0][0] == fingerprint:
        status = recent[0][1]
        if status == RunStatus.RUNNING:
            return False  # a live worker is scoring this very data (the dead are reaped)
        if status == RunStatus.FAILED and not retrying_after(recent):
            # The analysis fails on this data, or the worker or database did too
            # often in a row: the next change retries.
            return False
    return True


def workspaces_behind() -> list[int]:
    """Workspaces whose data changed after their last good scores, none being recomputed.

    About six queries per workspace (its data, to fingerprint it): the worker asks now
    and then, never a request.
    """
    pending = _rescores_pending()
    workspaces = Workspace.objects.order_by("pk").values_list("pk", flat=True)
    return [pk for pk in workspaces if pk not in pending and _behind(pk)]


def scores_catch_up() -> list[int]:
    """Queue a recompute for every workspace whose scores are behind its data."""
    behind = workspaces_behind()
    for workspace_id in behind:
        logger.warning("Scores of workspace %s are behind its data: recomputing", workspace_id)
        rescore_enqueue(workspace_id=workspace_id)
    return behind


def worker_recover(*, worker_id: str | None = None) -> None:
    """Fail what dead workers left running, then catch up scores left behind."""
    tasks_reap(current_worker_id=worker_id)
    score_runs_reap_all()
    scores_catch_up()
