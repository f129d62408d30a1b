"""Background work: recompute a workspace's scores after its data changes; what-ifs."""

import datetime

from django.tasks import TaskResultStatus, task, task_backends
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from stakeholders.analysis.inputs import options_from_json


@task
def rescore(workspace_id: int, options: dict | None = None, as_of: str | None = None) -> int | None:
    """Recompute and store the workspace's scores (of the network on `as_of`); the run's id."""
    # Imported when a worker runs the task: the score run loads the analysis engine
    # (numba, scipy), which web processes and other commands never need.
    from stakeholders.score_runs import score_run_execute

    run = score_run_execute(
        workspace_id=workspace_id,
        options=options_from_json(options),
        as_of=datetime.date.fromisoformat(as_of) if as_of else None,
    )
    return run.pk if run else None


@task
def whatif_run(whatif_id: int) -> str:
    """Answer a what-if (the map without some people) and store it; returns its status."""
    # Imported when a worker runs the task, as for rescore: it loads the analysis engine.
    from stakeholders.scenarios.whatif_compute import whatif_execute

    return whatif_execute(whatif_id=whatif_id)


@task
def snapshot_take(snapshot_id: int) -> str:
    """Compute a snapshot's scores (the map as it was on its date) and freeze them."""
    # Imported when a worker runs the task, as for rescore: it loads the analysis engine.
    from stakeholders.snapshots.compute import snapshot_execute

    return snapshot_execute(snapshot_id=snapshot_id)


def rescore_enqueue(*, workspace_id: int) -> None:
    """Queue a recompute, unless one for the workspace is queued and not yet started.

    Called after the change has committed: a waiting task reads the data when it
    starts, so it will include this change, and a second one would only repeat it.
    Under a busy editing session this keeps the queue at one task per workspace.
    """
    if not _rescore_waiting(workspace_id):
        rescore.enqueue(workspace_id=workspace_id)


def _rescore_waiting(workspace_id: int) -> bool:
    # Only the database queue can be asked what is waiting; other backends run at once.
    if not isinstance(task_backends[rescore.backend], DatabaseBackend):
        return False
    return DBTaskResult.objects.filter(
        status=TaskResultStatus.READY,
        task_path=rescore.module_path,
        args_kwargs__kwargs__workspace_id=workspace_id,
    ).exists()


def rescore_as_of_enqueue(*, workspace_id: int, as_of: datetime.date) -> None:
    """Queue a score run of the network on `as_of`, unless one is queued already."""
    if not _as_of_waiting(workspace_id, as_of):
        rescore.enqueue(workspace_id=workspace_id, as_of=as_of.isoformat())


def _as_of_waiting(workspace_id: int, as_of: datetime.date) -> bool:
    if not isinstance(task_backends[rescore.backend], DatabaseBackend):
        return False
    return DBTaskResult.objects.filter(
        status__in=(TaskResultStatus.READY, TaskResultStatus.RUNNING),
        task_path=rescore.module_path,
        args_kwargs__kwargs__workspace_id=workspace_id,
        args_kwargs__kwargs__as_of=as_of.isoformat(),
    ).exists()
