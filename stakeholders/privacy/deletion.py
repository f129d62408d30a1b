"""Deleting records in data entry: what is deleted leaves no change history behind.

simple_history keeps every version of a record and, when it is deleted, one more
copy of the whole row; the admin log keeps its description. Deleting an
organisation, affiliation or relationship, or a whole workspace, therefore also
removes the history and admin log lines of everything deleted with it. The admin
log keeps that the deletion happened, by whom and when, as "<kind> <id>".

Deleting a person is not offered in the admin: that is an erasure, with its
confirmation and record (stakeholders.privacy.erasure). Membership history is kept
even when a membership goes: it is the record of who had access to the data.
"""

from collections.abc import Iterable, Iterator

from django.contrib.admin.models import DELETION, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import models, router, transaction
from django.db.models import Q, Value
from django.db.models.deletion import Collector
from django.db.models.functions import Concat

from stakeholders.models import (
    Affiliation,
    Forum,
    ForumMembership,
    Organisation,
    Person,
    Relationship,
    Survey,
    SurveyAnswer,
    SurveyQuestion,
    SurveyResponse,
    Workspace,
)

# Records whose history holds personal data or points at it.
HISTORY_ERASED: tuple[type[models.Model], ...] = (
    Workspace,
    Organisation,
    Person,
    Affiliation,
    Relationship,
    Forum,
    ForumMembership,
    Survey,
    SurveyQuestion,
    SurveyResponse,
    SurveyAnswer,
)

# What is (or was) deleted: record ids by model.
type Deleted = dict[type[models.Model], set[int]]

# Ids per statement: SQLite refuses queries with too many variables.
BATCH = 500


def _batches(ids: Iterable[int]) -> Iterator[list[int]]:
    ordered = sorted(ids)
    for start in range(0, len(ordered), BATCH):
        yield ordered[start : start + BATCH]


def records_delete(records: models.QuerySet | list[models.Model]) -> Deleted:
    """Delete the records, what cascades from them, and the change history of all of it."""
    model = records.model if isinstance(records, models.QuerySet) else type(records[0])
    using = router.db_for_write(model)
    with transaction.atomic(using=using):
        collector = Collector(using=using, origin=records)
        collector.collect(records)
        deleted = {
            m: {obj.pk for obj in objs} for m, objs in collector.data.items() if m in HISTORY_ERASED
        }
        collector.delete()
        history_erase(deleted=deleted)
    return deleted


def _everything_in_workspaces(workspace_ids: set[int]) -> Deleted:
    """Every record the history tables hold of these workspaces."""
    people = Person.history.filter(workspace_id__in=workspace_ids).values("id")
    organisations = Organisation.history.filter(workspace_id__in=workspace_ids).values("id")
    ids = {
        Person: people,
        Organisation: organisations,
        Affiliation: Affiliation.history.filter(
            Q(person_id__in=people) | Q(organisation_id__in=organisations)
        ).values("id"),
        Relationship: Relationship.history.filter(
            Q(source_id__in=people) | Q(target_id__in=people)
        ).values("id"),
        Forum: Forum.history.filter(workspace_id__in=workspace_ids).values("id"),
        ForumMembership: ForumMembership.history.filter(person_id__in=people).values("id"),
    }
    surveys = Survey.history.filter(workspace_id__in=workspace_ids).values("id")
    responses = SurveyResponse.history.filter(
        Q(survey_id__in=surveys) | Q(person_id__in=people)
    ).values("id")
    ids |= {
        Survey: surveys,
        SurveyQuestion: SurveyQuestion.history.filter(survey_id__in=surveys).values("id"),
        SurveyResponse: responses,
        SurveyAnswer: SurveyAnswer.history.filter(response_id__in=responses).values("id"),
    }
    return {model: set(rows.values_list("id", flat=True)) for model, rows in ids.items()}


def _gone(model: type[models.Model], ids: Iterable[int]) -> set[int]:
    """The ids of records that no longer exist."""
    gone = set(ids)
    for batch in _batches(list(gone)):
        gone.difference_update(
            model._default_manager.filter(pk__in=batch).values_list("pk", flat=True)
        )
    return gone


def history_erase(*, deleted: Deleted) -> None:
    """Remove the change history and admin log lines of deleted records.

    A deleted workspace takes the history of everything that was ever in it. Ids
    whose record still exists are left alone, so a record moved to another workspace
    keeps its history.
    """
    deleted = {m: set(ids) for m, ids in deleted.items() if m in HISTORY_ERASED and ids}
    if deleted.get(Workspace):
        for model, ids in _everything_in_workspaces(deleted[Workspace]).items():
            deleted.setdefault(model, set()).update(ids)
    deleted = {model: _gone(model, ids) for model, ids in deleted.items()}
    types = ContentType.objects.get_for_models(*deleted)
    for model, ids in deleted.items():
        noun = model._meta.verbose_name
        for batch in _batches(ids):
            lines = LogEntry.objects.filter(
                content_type=types[model], object_id__in=[str(pk) for pk in batch]
            )
            lines.exclude(action_flag=DELETION).delete()
            lines.update(object_repr=Concat(Value(f"{noun} "), "object_id"), change_message="")
            model.history.filter(id__in=batch).delete()


def _ids(rows: models.QuerySet, field: str = "id") -> set[int]:
    return set(rows.order_by().values_list(field, flat=True).distinct()) - {None}


def leftover_history(*, workspace: Workspace | None = None) -> Deleted:
    """Records deleted before deletes took their history along, whose history remains.

    Organisations, affiliations and relationships of the workspace (of every workspace
    when None, and then workspaces deleted with everything in them). People are not
    here: erase them one by one (erasure.deleted_people), so each erasure is on record.
    """
    organisations = Organisation.history.all()
    people = Person.objects.all()
    if workspace is not None:
        organisations = organisations.filter(workspace_id=workspace.pk)
        people = people.filter(workspace_id=workspace.pk)
    found = {
        Organisation: _ids(organisations),
        Affiliation: _ids(
            Affiliation.history.filter(
                Q(person_id__in=people.values("pk"))
                | Q(organisation_id__in=organisations.values("id"))
            )
        ),
        Relationship: _ids(
            Relationship.history.filter(
                Q(source_id__in=people.values("pk")) | Q(target_id__in=people.values("pk"))
            )
        ),
    }
    if workspace is None:
        found[Workspace] = (
            _ids(Workspace.history.all())
            | _ids(Person.history.all(), "workspace_id")
            | _ids(Organisation.history.all(), "workspace_id")
        )
    left = {model: _gone(model, ids) for model, ids in found.items()}
    return {model: ids for model, ids in left.items() if ids}
