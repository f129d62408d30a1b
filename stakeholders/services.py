"""Writes that span models. Data edits themselves go through the admin and the importer."""

import dataclasses
import logging
import uuid
from collections.abc import Collection

from django.db import DatabaseError, models, transaction
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Cast
from django.utils import timezone

from stakeholders.memo import CHANGED_TAG, changed_here
from stakeholders.models import (
    Boundary,
    FormerOrganisation,
    PairScore,
    PersonScore,
    ScoreRun,
    Workspace,
)
from stakeholders.selectors import ScoresChoice, ScoreStatus
from stakeholders.tasks import rescore_choice_enqueue, rescore_enqueue

logger = logging.getLogger(__name__)


class EditConflict(Exception):
    """Someone else saved the record after this editor loaded it (optimistic locking)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def edit_conflict_message(*, instance: models.Model) -> str:
    """Who changed the record, and when, from its history when there is one."""
    noun = instance._meta.verbose_name
    latest = None
    history = getattr(type(instance), "history", None)
    if history is not None and instance.pk is not None:
        latest = (
            history.filter(id=instance.pk)
            .select_related("history_user")
            .order_by("-history_date", "-history_id")
            .first()
        )
    when = ""
    if latest is not None:
        at = timezone.localtime(latest.history_date).strftime("%H:%M")
        user = latest.history_user
        who = (user.get_full_name() or user.get_username()) if user else "an import or script"
        when = f" (at {at} by {who})"
    return (
        f"Someone else changed this {noun} while you were editing it{when}. "
        "Reload to see their changes; yours were not saved."
    )


def record_version_claim(*, instance: models.Model, expected_version: int | None) -> None:
    """Move a row on from the version the editor loaded, or refuse: one step of a save.

    Call it inside the transaction that then saves the instance. The conditional UPDATE
    is atomic on every database (on PostgreSQL a concurrent claim waits for this
    transaction and then finds the version moved on), so of two editors who loaded
    the same version exactly one wins; the other gets EditConflict and saves nothing.
    """
    model = type(instance)
    claimed = (
        expected_version is not None
        and model._default_manager.filter(pk=instance.pk, version=expected_version).update(
            version=expected_version + 1
        )
        == 1
    )
    if not claimed:
        raise EditConflict(edit_conflict_message(instance=instance))
    instance.version = expected_version + 1


def data_stamp_move(*, workspace_id: int) -> None:
    """Give the workspace's data stamp a new value, so that nothing kept for the old data
    (stakeholders.memo) is read again.

    workspace_data_changed does this once the change commits; call it alone only for a
    change whose scores are deliberately not recomputed (seed_demo's benchmark data
    without --score).
    """
    Workspace.objects.filter(pk=workspace_id).update(data_stamp=uuid.uuid4())


LOADED_TAG = "data_stamps_after_load"


def data_loaded() -> None:
    """Rows written raw (`manage.py loaddata`): once the load commits, every workspace's
    data stamp moves, so nothing kept from before it is read again, nor a stamp that the
    fixture brought back with the workspace row. Scoring is left to `manage.py score`.

    Queued once per transaction, however many rows the load writes.
    """
    connection = transaction.get_connection()
    if any(getattr(func, LOADED_TAG, False) for _, func, _ in connection.run_on_commit):
        return

    def committed() -> None:
        Workspace.objects.update(data_stamp=uuid.uuid4())

    setattr(committed, LOADED_TAG, True)
    transaction.on_commit(committed)


def workspace_data_changed(*, workspace_id: int) -> None:
    """Move the workspace's data stamp on and recompute its scores, once the current
    transaction commits.

    However many rows one transaction touches, the stamp moves once and only one
    recompute is queued per workspace, and none while one is still waiting to start
    (it will read this change); a rolled-back transaction does neither. Moving the
    stamp after the commit, in a statement of its own, takes no lock on the workspace
    row inside the change: an import (which locks that row first) and an edit never
    wait for each other's rows. Until then, reads in the changing transaction are not
    kept (memo.changed_here).
    """
    connection = transaction.get_connection()
    if connection.in_atomic_block and changed_here(workspace_id):
        return

    def committed() -> None:
        try:
            data_stamp_move(workspace_id=workspace_id)
        except DatabaseError:
            # The database gone just after the commit: the recompute below (or the
            # worker's catch-up, stakeholders.recovery) still has to be queued.
            logger.exception("Could not move the data stamp of workspace %s", workspace_id)
        rescore_enqueue(workspace_id=workspace_id)

    setattr(committed, CHANGED_TAG, workspace_id)
    transaction.on_commit(committed)


def scores_request(
    *, workspace: Workspace, choice: ScoresChoice, status: ScoreStatus
) -> ScoreStatus:
    """Ask for the chosen scores: a past date's or informal and formal ones.

    Queues a score run unless the scores are stored, coming or failing, and records that
    a page showed them (at most one write a day), so that edits keep them up to date
    while people look at them (stakeholders.score_runs.score_choices_tidy). Pages call
    this and show progress; a worker computes the scores, never the request. Returns
    the status the page shows (updating once the run is asked for).
    """
    if choice.is_today or choice.snapshot is not None:
        return status
    today = timezone.localdate()
    run = status.run
    if run is not None and run.last_shown_on != today:
        ScoreRun.objects.filter(pk=run.pk).update(last_shown_on=today)
    if run is not None or status.updating or status.failed:
        return status
    workspace_id = workspace.pk
    transaction.on_commit(
        lambda: rescore_choice_enqueue(
            workspace_id=workspace_id, as_of=choice.as_of, formal=choice.formal
        )
    )
    return dataclasses.replace(status, updating=True)


def former_organisations_tidy(*, workspace_ids: Collection[int]) -> None:
    """Forget the deleted organisations no stored scores of their workspace name any more.

    score_runs_delete calls it when it removes score runs: a kept name only serves the
    scores that group people by it (stakeholders.signals.organisation_remembered). One
    statement, however many organisations and runs.
    """
    key = Cast(OuterRef("organisation_id"), models.CharField())
    scores = PersonScore.objects.filter(
        run__workspace_id=OuterRef("workspace_id"), boundary=Boundary.ORGANISATION, group=key
    )
    pairs = PairScore.objects.filter(
        Q(group_a=key) | Q(group_b=key),
        run__workspace_id=OuterRef("workspace_id"),
        boundary=Boundary.ORGANISATION,
    )
    FormerOrganisation.objects.filter(workspace_id__in=workspace_ids).exclude(
        Exists(scores) | Exists(pairs)
    ).delete()


def score_runs_delete(*, runs: models.QuerySet[ScoreRun]) -> None:
    """Delete score runs, and the kept names of deleted organisations only they named.

    Atomic, in the caller's transaction when there is one (no savepoint).
    """
    with transaction.atomic(savepoint=False):
        workspace_ids = set(runs.order_by().values_list("workspace_id", flat=True).distinct())
        if workspace_ids:
            runs.delete()
            former_organisations_tidy(workspace_ids=workspace_ids)
