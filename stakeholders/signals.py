"""Any saved or deleted row that feeds the analysis queues a recompute on commit.

Bulk writes (the importer, seed_demo) bypass these signals and call
services.workspace_data_changed themselves.
"""

from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from stakeholders.models import (
    Affiliation,
    Forum,
    ForumMembership,
    Organisation,
    Person,
    Relationship,
)
from stakeholders.services import workspace_data_changed


def _workspace_id(instance) -> int | None:
    if isinstance(instance, Organisation | Person | Forum):
        return instance.workspace_id
    if isinstance(instance, ForumMembership):
        # Seats feed the informal and formal scores, refreshed after today's.
        return (
            Forum.objects.filter(pk=instance.forum_id)
            .values_list("workspace_id", flat=True)
            .first()
        )
    person_id = instance.person_id if isinstance(instance, Affiliation) else instance.source_id
    return Person.objects.filter(pk=person_id).values_list("workspace_id", flat=True).first()


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
        return
    workspace_id = _workspace_id(instance)
    if workspace_id is not None:
        workspace_data_changed(workspace_id=workspace_id)


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
