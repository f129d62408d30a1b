"""Background work: recompute a workspace's scores after its data changes; what-ifs."""

import datetime

from django.tasks import TaskResultStatus, task, task_backends
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from stakeholders.analysis.inputs import FORMAL_OPTIONS, options_from_json, options_to_json


@task
def rescore(
    workspace_id: int,
    options: dict | None = None,
    as_of: str | None = None,
    fresh_layout: bool = False,
) -> int | None:
    """Recompute and store the workspace's scores (of the network on `as_of`); the run's id.

    fresh_layout: an editor asked to tidy the map (issue #13); the run is forced and
    lays the map out afresh, pins kept.

    After today's informal scores (the run every edit queues), the past dates' and the
    informal and formal scores that pages showed lately are queued too, so an edit
    reaches them as well; the others are removed.
    """
    # Imported when a worker runs the task: the score run loads the analysis engine
    # (numba, scipy), which web processes and other commands never need.
    from stakeholders.score_runs import score_choices_tidy, score_run_execute

    run = score_run_execute(
        workspace_id=workspace_id,
        options=options_from_json(options),
        as_of=datetime.date.fromisoformat(as_of) if as_of else None,
        force=fresh_layout,
        fresh_layout=fresh_layout,
    )
    if options is None and as_of is None and run is not None:
        for choice_as_of, formal in score_choices_tidy(workspace_id=workspace_id):
            rescore_choice_enqueue(workspace_id=workspace_id, as_of=choice_as_of, formal=formal)
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
    return _waiting({"workspace_id": workspace_id}, statuses=(TaskResultStatus.READY,))


def rescore_choice_enqueue(
    *, workspace_id: int, as_of: datetime.date | None = None, formal: bool = False
) -> None:
    """Queue a score run of the network on `as_of` and/or of informal and formal ties,
    unless one is queued or running already."""
    kwargs: dict = {"workspace_id": workspace_id}
    if as_of is not None:
        kwargs["as_of"] = as_of.isoformat()
    if formal:
        kwargs["options"] = options_to_json(FORMAL_OPTIONS)
    if not _waiting(kwargs, statuses=(TaskResultStatus.READY, TaskResultStatus.RUNNING)):
        rescore.enqueue(**kwargs)


def _waiting(kwargs: dict, *, statuses: tuple[str, ...]) -> bool:
    """Whether a rescore task with exactly these arguments is in one of `statuses`."""
    # Only the database queue can be asked what is waiting; other backends run at once.
    if not isinstance(task_backends[rescore.backend], DatabaseBackend):
        return False
    tasks = DBTaskResult.objects.filter(
        status__in=statuses,
        task_path=rescore.module_path,
        args_kwargs__kwargs__workspace_id=kwargs["workspace_id"],
    )
    # Compared here, not in SQL: JSON equality differs between SQLite and PostgreSQL.
    return any(
        {k: v for k, v in a["kwargs"].items() if v is not None} == kwargs
        for a in tasks.values_list("args_kwargs", flat=True)
    )
