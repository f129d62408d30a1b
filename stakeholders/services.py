"""Writes that span models. Data edits themselves go through the admin and the importer."""

from django.db import models, transaction
from django.utils import timezone

from stakeholders.tasks import rescore_enqueue


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


def workspace_data_changed(*, workspace_id: int) -> None:
    """Recompute the workspace's scores once the current transaction commits.

    However many rows one transaction touches, only one recompute is queued
    per workspace, and none while one is still waiting to start (it will read
    this change); a rolled-back transaction queues none.
    """
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(
        getattr(func, "rescore_workspace_id", None) == workspace_id
        for _, func, _ in connection.run_on_commit
    ):
        return

    def enqueue() -> None:
        rescore_enqueue(workspace_id=workspace_id)

    enqueue.rescore_workspace_id = workspace_id
    transaction.on_commit(enqueue)
