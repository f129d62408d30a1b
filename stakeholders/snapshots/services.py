"""Writes for snapshots: take one (a worker computes its scores)."""

import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from stakeholders.models import Snapshot, Workspace
from stakeholders.tasks import snapshot_take


def snapshot_create(
    *,
    workspace: Workspace,
    name: str,
    as_of: datetime.date | None = None,
    taken_by: AbstractBaseUser | None = None,
    enqueue: bool = True,
) -> Snapshot:
    """A queued snapshot of the map as it was on `as_of` (default today).

    Raises ValidationError for a blank or repeated name or a date still to come. With
    `enqueue`, a worker computes it once this transaction commits (snapshot_take).
    """
    today = timezone.localdate()
    snapshot = Snapshot(
        workspace=workspace,
        name=name.strip(),
        as_of=as_of or today,
        taken_by=taken_by if taken_by is not None and taken_by.is_authenticated else None,
    )
    snapshot.full_clean()
    if snapshot.as_of > today:
        raise ValidationError({"as_of": "The date is still to come: choose today or earlier."})
    with transaction.atomic():
        snapshot.save()
        if enqueue:
            transaction.on_commit(lambda: snapshot_take.enqueue(snapshot_id=snapshot.pk))
    return snapshot
