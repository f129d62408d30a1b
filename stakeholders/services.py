"""Writes that span models. Data edits themselves go through the admin and the importer."""

from django.db import transaction


def workspace_data_changed(*, workspace_id: int) -> None:
    """Recompute the workspace's scores once the current transaction commits.

    However many rows one transaction touches, only one recompute is queued
    per workspace; a rolled-back transaction queues none.
    """
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(
        getattr(func, "rescore_workspace_id", None) == workspace_id
        for _, func, _ in connection.run_on_commit
    ):
        return

    def enqueue() -> None:
        # Imported here: the task pulls in the analysis (numba), which every
        # management command would otherwise pay for at start-up.
        from stakeholders.tasks import rescore

        rescore.enqueue(workspace_id=workspace_id)

    enqueue.rescore_workspace_id = workspace_id
    transaction.on_commit(enqueue)
