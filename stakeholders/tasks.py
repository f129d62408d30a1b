"""Background work: recompute a workspace's scores after its data changes."""

from django.tasks import task

from stakeholders.scoring import options_from_json, score_run_execute


@task
def rescore(workspace_id: int, options: dict | None = None) -> int | None:
    """Recompute and store the workspace's scores; returns the current run's id."""
    run = score_run_execute(workspace_id=workspace_id, options=options_from_json(options))
    return run.pk if run else None
