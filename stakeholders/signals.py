"""Any saved or deleted row that feeds the analysis queues a recompute on commit.

Bulk writes (the importer, seed_demo) bypass these signals and call
services.workspace_data_changed themselves.
"""

import threading

from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver

from stakeholders.models import (
    Affiliation,
    Boundary,
    FormerOrganisation,
    Forum,
    ForumMembership,
    Organisation,
    Person,
    PersonScore,
    Relationship,
    Workspace,
)
from stakeholders.services import data_loaded, workspace_data_changed

# Ids per statement: SQLite refuses queries with too many variables.
BATCH = 500


def _workspace_id(instance) -> int | None:
    if isinstance(instance, Organisation | Person | Forum):
        return instance.workspace_id
    # Through the person, the tie's source or the seat's forum (models.WorkspaceLink).
    # Seats feed the informal and formal scores, refreshed after today's.
    link = instance._meta.get_field(instance.workspace_link)
    return (
        link.related_model._default_manager.filter(pk=getattr(instance, link.attname))
        .values_list("workspace_id", flat=True)
        .first()
    )


@receiver(post_save, sender=Organisation)
@receiver(post_save, sender=Person)
@receiver(post_save, sender=Affiliation)
@receiver(post_save, sender=Relationship)
@receiver(post_save, sender=Forum)
@receiver(post_save, sender=ForumMembership)
@receiver(post_delete, sender=Forum)
@receiver(post_delete, sender=ForumMembership)
@receiver(post_delete, sender=Organisation)
@receiver(post_delete, sender=Person)
@receiver(post_delete, sender=Affiliation)
@receiver(post_delete, sender=Relationship)
def data_changed(sender, instance, raw: bool = False, **kwargs) -> None:
    if raw:  # loaddata: leave scoring to an explicit `manage.py score`
        data_loaded()
        return
    workspace_id = _workspace_id(instance)
    if workspace_id is not None:
        workspace_data_changed(workspace_id=workspace_id)


@receiver(post_save, sender=Workspace)
def workspace_loaded(sender, instance, raw: bool = False, **kwargs) -> None:
    """A workspace row loaded with loaddata carries the data stamp it was dumped with."""
    if raw:
        data_loaded()


@receiver(pre_save, sender=Organisation)
@receiver(pre_save, sender=Person)
@receiver(pre_save, sender=Forum)
def moved_away(sender, instance, raw: bool = False, **kwargs) -> None:
    """A record moved to another workspace changes the one it leaves too (data_changed
    sees only the one it joins)."""
    if raw or instance.pk is None:
        return
    before = (
        sender._default_manager.filter(pk=instance.pk)
        .values_list("workspace_id", flat=True)
        .first()
    )
    if before is not None and before != instance.workspace_id:
        workspace_data_changed(workspace_id=before)


@receiver(pre_save, sender=Affiliation)
@receiver(pre_save, sender=Relationship)
@receiver(pre_save, sender=ForumMembership)
def link_moved_away(sender, instance, raw: bool = False, update_fields=None, **kwargs) -> None:
    """A link re-pointed into another workspace (an affiliation given a person and an
    organisation of another workspace in the admin) changes the one it leaves too."""
    if raw or instance.pk is None:
        return
    link = sender._meta.get_field(sender.workspace_link)
    if update_fields is not None and not {link.name, link.attname} & set(update_fields):
        return
    now = getattr(instance, link.attname)
    if getattr(instance, "loaded_workspace_link", None) == now:
        # Loaded (or last saved) with this key, so no query on an ordinary save. A row
        # someone else re-pointed meanwhile is refused by the admin's version check.
        return
    # Re-pointed, or not loaded from the database (a version restored from the history).
    before = (
        sender._default_manager.filter(pk=instance.pk)
        .values_list(link.attname, f"{link.name}__workspace_id")
        .first()
    )
    if before is None or before[0] == now:
        return
    after = (
        link.related_model._default_manager.filter(pk=now)
        .values_list("workspace_id", flat=True)
        .first()
    )
    if before[1] != after:
        workspace_data_changed(workspace_id=before[1])


# Organisations a deletion is about to remove, by deletion (its origin, kept so that
# its id is never another's): the first post_delete keeps every name in one go.
_leaving = threading.local()


def _leaving_by_origin() -> dict[int, tuple[object, dict[int, FormerOrganisation]]]:
    if not hasattr(_leaving, "by_origin"):
        _leaving.by_origin = {}
    return _leaving.by_origin


@receiver(pre_delete, sender=Organisation)
def organisation_leaving(sender, instance, origin=None, **kwargs) -> None:
    """Note the organisation as it was; organisation_remembered decides on them all."""
    # What the deletion started from: a record, a queryset or (the admin's) a list.
    starts = origin if isinstance(origin, list | tuple) else [origin]
    if any(isinstance(o, Workspace) or getattr(o, "model", None) is Workspace for o in starts):
        return
    _, rows = _leaving_by_origin().setdefault(id(origin), (origin, {}))
    rows[instance.pk] = FormerOrganisation(
        workspace_id=instance.workspace_id,
        organisation_id=instance.pk,
        name=instance.name,
        short_name=instance.short_name,
        sector=instance.sector,
        tier=instance.tier,
    )


@receiver(post_delete, sender=Organisation)
def organisation_remembered(sender, instance, origin=None, **kwargs) -> None:
    """Keep a deleted organisation's name (nothing else) while stored scores, a
    snapshot's among them, group people by it; not when its whole workspace goes.

    Django sends every pre_delete of a deletion before its first post_delete, so that
    one post_delete sees the whole selection: a few queries however many there are.
    """
    leaving = _leaving_by_origin()
    entry = leaving.get(id(origin))
    if entry is None or entry[0] is not origin:
        return  # a whole workspace, or kept already by this deletion's first post_delete
    del leaving[id(origin)]
    rows = list(entry[1].values())
    grouped: set[tuple[int, str]] = set()
    for start in range(0, len(rows), BATCH):
        batch = rows[start : start + BATCH]
        grouped.update(
            PersonScore.objects.filter(
                run__workspace_id__in={r.workspace_id for r in batch},
                boundary=Boundary.ORGANISATION,
                group__in=[str(r.organisation_id) for r in batch],
            )
            .order_by()
            .values_list("run__workspace_id", "group")
            .distinct()
        )
    FormerOrganisation.objects.bulk_create(
        [r for r in rows if (r.workspace_id, str(r.organisation_id)) in grouped],
        update_conflicts=True,
        unique_fields=["workspace", "organisation_id"],
        update_fields=["name", "short_name", "sector", "tier"],
    )
