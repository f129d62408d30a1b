"""With the database queue, a burst of edits leaves one waiting recompute per workspace."""

import pytest
from django.db import transaction
from django.tasks import TaskResultStatus
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from stakeholders.services import workspace_data_changed
from stakeholders.tasks import rescore

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _change(workspace_id: int) -> None:
    # One committed edit: the recompute is queued once the transaction commits.
    with transaction.atomic():
        workspace_data_changed(workspace_id=workspace_id)


def _waiting(workspace_id: int) -> int:
    return DBTaskResult.objects.filter(
        task_path=rescore.module_path,
        status=TaskResultStatus.READY,
        args_kwargs__kwargs__workspace_id=workspace_id,
    ).count()


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DATABASE_QUEUE)
def test_edits_while_a_recompute_waits_do_not_queue_another(workspace, other_workspace):
    for _ in range(5):
        _change(workspace.pk)
    _change(other_workspace.pk)

    assert _waiting(workspace.pk) == 1
    assert _waiting(other_workspace.pk) == 1


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DATABASE_QUEUE)
def test_an_edit_after_the_recompute_started_queues_a_new_one(workspace):
    _change(workspace.pk)
    # A worker has picked the task up: it may already have read the data.
    DBTaskResult.objects.filter(task_path=rescore.module_path).update(
        status=TaskResultStatus.RUNNING
    )

    _change(workspace.pk)

    assert _waiting(workspace.pk) == 1
    assert DBTaskResult.objects.filter(task_path=rescore.module_path).count() == 2


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DATABASE_QUEUE)
def test_a_rolled_back_edit_queues_nothing(workspace):
    with pytest.raises(RuntimeError), transaction.atomic():
        workspace_data_changed(workspace_id=workspace.pk)
        raise RuntimeError("the edit failed")

    assert _waiting(workspace.pk) == 0
