"""A snapshot's scores: a score run of the network in force on its date, then frozen.

Task side only (it loads the score run and the analysis engine): the body of
stakeholders.tasks.snapshot_take and the `snapshot` command import it.
"""

import logging

from django.db import transaction

from stakeholders.models import RunStatus, ScoreRun, Snapshot
from stakeholders.score_runs import score_run_execute

logger = logging.getLogger(__name__)


def snapshot_execute(*, snapshot_id: int) -> str:
    """Compute a queued snapshot's scores and freeze them; returns its final status."""
    if not Snapshot.objects.filter(pk=snapshot_id, status=RunStatus.QUEUED).update(
        status=RunStatus.RUNNING
    ):
        status = Snapshot.objects.filter(pk=snapshot_id).values_list("status", flat=True).first()
        return status or "missing"
    snapshot = Snapshot.objects.get(pk=snapshot_id)
    try:
        run = _frozen_run(snapshot)
    except Exception as exc:
        logger.exception("Snapshot %s for workspace %s failed", snapshot_id, snapshot.workspace_id)
        run, error = None, f"{type(exc).__name__}: {exc}"[:2000]
    else:
        error = "" if run is not None and run.status == RunStatus.SUCCEEDED else "No scores."
        if run is not None and run.status == RunStatus.FAILED:
            error = run.error
    if error:
        Snapshot.objects.filter(pk=snapshot_id).update(status=RunStatus.FAILED, error=error)
        return RunStatus.FAILED
    return RunStatus.SUCCEEDED


def _frozen_run(snapshot: Snapshot) -> ScoreRun | None:
    """The run of the network on the snapshot's date, linked so nothing prunes it."""
    run = score_run_execute(workspace_id=snapshot.workspace_id, as_of=snapshot.as_of)
    for _ in range(2):
        if run is None or run.status != RunStatus.SUCCEEDED:
            return run
        with transaction.atomic():
            # Linked only while still stored and nobody else's: a run is one snapshot's.
            # (The run row is locked first: PostgreSQL cannot lock through the outer join
            # that a "no snapshot" filter on the run would need.)
            stored = ScoreRun.objects.select_for_update().filter(pk=run.pk)
            if (
                list(stored.values_list("pk", flat=True))
                and not Snapshot.objects.filter(run_id=run.pk).exists()
            ):
                Snapshot.objects.filter(pk=snapshot.pk).update(
                    run=run, fingerprint=run.fingerprint, status=RunStatus.SUCCEEDED, error=""
                )
                return run
        # Another snapshot froze the same scores (or newer ones replaced them): compute
        # this snapshot's own copy.
        run = score_run_execute(
            workspace_id=snapshot.workspace_id, as_of=snapshot.as_of, force=True
        )
    return None
