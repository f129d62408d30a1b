"""Data protection: erasure and the retention setting (UK GDPR).

An erasure deletes the person, their affiliations and ties, their survey answers and
other people's answers naming them, and every trace of them in the change history,
old scores, import previews and the admin log, keeping only that an erasure happened
(`Erasure`: by whom, when, counts).
People deleted before the admin stopped offering deletes left their history behind;
deleted_person_erase erases what remains of them by record id.
"""

import base64
import binascii
import datetime
import json
import logging
from dataclasses import dataclass
from typing import Any

from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import Q
from django.db.models.functions import Cast

from stakeholders.history import user_label
from stakeholders.models import (
    Affiliation,
    Erasure,
    ForumMembership,
    ImportPreview,
    ImportPreviewStatus,
    Membership,
    Organisation,
    PairScore,
    Person,
    Relationship,
    ScoreRun,
    Survey,
    SurveyAnswer,
    SurveyResponse,
    Workspace,
)
from stakeholders.selectors import current_run
from stakeholders.services import score_runs_delete, workspace_data_changed

logger = logging.getLogger(__name__)

ERASED = "(erased)"

# --- Erasure ---------------------------------------------------------------------


def _mentions(text: str, needles: tuple[str, ...]) -> bool:
    folded = text.casefold()
    return any(n in folded for n in needles)


def _scrub(value: Any, needles: tuple[str, ...]) -> Any:
    """The JSON-able value with every string that mentions a needle replaced."""
    if isinstance(value, str):
        return ERASED if _mentions(value, needles) else value
    if isinstance(value, list):
        return [_scrub(v, needles) for v in value]
    if isinstance(value, dict):
        return {k: _scrub(v, needles) for k, v in value.items()}
    return value


def _scrub_scores(*, workspace: Workspace, person_id: int) -> None:
    """Drop every score run but the current one and snapshots'; take the person out of those.

    The person's own PersonScore and PersonPosition rows went with them (CASCADE).
    Older runs may still describe them in other people's rows; the current run is
    recomputed when the erasure commits (workspace_data_changed). Snapshots stay.
    """
    current = current_run(workspace_id=workspace.pk)
    # Snapshots are kept (frozen for board papers): the person is taken out of them too.
    stale = ScoreRun.objects.filter(workspace=workspace, snapshot__isnull=True)
    if current is not None:
        stale = stale.exclude(pk=current.pk)
    score_runs_delete(runs=stale)
    kept = list(ScoreRun.objects.filter(workspace=workspace))
    if not kept:
        return
    changed = []
    for pair in PairScore.objects.filter(run__in=kept):
        if person_id in pair.failure_people or person_id in pair.disconnecting_people:
            pair.failure_people = [p for p in pair.failure_people if p != person_id]
            pair.disconnecting_people = [p for p in pair.disconnecting_people if p != person_id]
            changed.append(pair)
    PairScore.objects.bulk_update(changed, ["failure_people", "disconnecting_people"])
    for run in kept:
        sets = (run.key_people or {}).get("sets", [])
        if any(person_id in s.get("people", []) for s in sets):
            for s in sets:
                s["people"] = [p for p in s.get("people", []) if p != person_id]
            run.save(update_fields=["key_people"])


def _preview_mentions(preview: ImportPreview, needles: tuple[str, ...]) -> bool:
    for content in (preview.files or {}).values():
        try:
            text = base64.b64decode(content).decode("utf-8", errors="replace")
        except (binascii.Error, TypeError, ValueError):
            return True  # cannot read it, so cannot show it is clean
        if _mentions(text, needles):
            return True
    return _mentions(json.dumps(preview.summary or {}, ensure_ascii=False), needles)


def _scrub_import_previews(*, workspace: Workspace, needles: tuple[str, ...]) -> None:
    """Empty previews whose files or summary mention the person; pending ones expire."""
    for preview in ImportPreview.objects.filter(workspace=workspace).select_for_update():
        if not _preview_mentions(preview, needles):
            continue
        preview.files = {}
        preview.summary = {}
        if preview.status == ImportPreviewStatus.PENDING:
            preview.status = ImportPreviewStatus.EXPIRED
        preview.save(update_fields=["files", "summary", "status"])


def _workspace_log_entries(workspace: Workspace) -> Q:
    """Admin log lines about any record of the workspace (object ids are stored as text)."""
    types = ContentType.objects.get_for_models(
        Workspace,
        Membership,
        Organisation,
        Person,
        Affiliation,
        Relationship,
        ForumMembership,
        Survey,
        SurveyResponse,
        SurveyAnswer,
    )
    rows = {
        Workspace: Workspace.objects.filter(pk=workspace.pk),
        Membership: Membership.objects.filter(workspace=workspace),
        Organisation: Organisation.objects.filter(workspace=workspace),
        Person: Person.objects.filter(workspace=workspace),
        Affiliation: Affiliation.objects.filter(person__workspace=workspace),
        Relationship: Relationship.objects.filter(source__workspace=workspace),
        ForumMembership: ForumMembership.objects.filter(forum__workspace=workspace),
        Survey: Survey.objects.filter(workspace=workspace),
        SurveyResponse: SurveyResponse.objects.filter(survey__workspace=workspace),
        SurveyAnswer: SurveyAnswer.objects.filter(response__survey__workspace=workspace),
    }
    scope = Q(pk__in=[])
    for model, queryset in rows.items():
        ids = queryset.annotate(text_id=Cast("pk", models.CharField())).values("text_id")
        scope |= Q(content_type=types[model], object_id__in=ids)
    return scope


def _scrub_admin_log(
    *,
    workspace: Workspace,
    deleted: dict[type[models.Model], set[int]],
    needles: tuple[str, ...],
    search_terms: tuple[str, ...],
) -> None:
    """Remove the admin log's lines about the erased rows; scrub the workspace's others."""
    types = ContentType.objects.get_for_models(*deleted)
    about = Q(pk__in=[])
    for model, ids in deleted.items():
        if ids:
            about |= Q(content_type=types[model], object_id__in=[str(i) for i in ids])
    LogEntry.objects.filter(about).delete()
    mention = Q(pk__in=[])
    # As typed and casefolded: SQLite's LIKE folds ASCII letters only.
    for term in {*search_terms, *needles}:
        mention |= Q(object_repr__icontains=term) | Q(change_message__icontains=term)
    for entry in LogEntry.objects.filter(_workspace_log_entries(workspace)).filter(mention):
        entry.object_repr = _scrub(entry.object_repr, needles)
        try:
            message = json.loads(entry.change_message)
        except ValueError:
            entry.change_message = ERASED
        else:
            entry.change_message = json.dumps(_scrub(message, needles))
        entry.save(update_fields=["object_repr", "change_message"])


def _survey_rows(*, workspace: Workspace, person_id: int) -> tuple[set[int], set[int]]:
    """Ids of the person's survey responses and of the answers to erase, live or in history.

    The answers are the person's own, others' naming them (as the target), and names
    not on the roster that mention them (an answer waiting for review, or rejected).
    """
    responses = set(
        SurveyResponse.objects.filter(person_id=person_id).values_list("pk", flat=True)
    ) | set(SurveyResponse.history.filter(person_id=person_id).values_list("id", flat=True))
    mine_or_naming = Q(response_id__in=responses) | Q(target_id=person_id)
    answers = set(SurveyAnswer.objects.filter(mine_or_naming).values_list("pk", flat=True)) | set(
        SurveyAnswer.history.filter(mine_or_naming).values_list("id", flat=True)
    )
    # Names only: a short ref ("AN") would match unrelated names ("Anna").
    names = tuple(
        {
            n.casefold()
            for n in [
                *Person.objects.filter(pk=person_id).values_list("name", flat=True),
                *Person.history.filter(id=person_id).values_list("name", flat=True),
            ]
            if n.strip()
        }
    )
    in_workspace = set(
        SurveyResponse.objects.filter(survey__workspace=workspace).values_list("pk", flat=True)
    )
    for model in (SurveyAnswer.objects, SurveyAnswer.history):
        key = "pk" if model is SurveyAnswer.objects else "id"
        unlisted = (
            model.filter(response_id__in=in_workspace, target__isnull=True)
            .exclude(unlisted_name="")
            .values_list(key, "unlisted_name", "unlisted_organisation")
        )
        answers |= {pk for pk, name, _ in unlisted if names and _mentions(name, names)}
    return responses, answers


def _scrub_change_reasons(*, workspace: Workspace, needles: tuple[str, ...]) -> None:
    """History rows whose change reason names the person ("Survey answer from ...")."""
    if not needles:
        return
    mention = Q(pk__in=[])
    for needle in needles:
        mention |= Q(history_change_reason__icontains=needle)
    people = Person.history.filter(workspace_id=workspace.pk).values("id")
    scoped = (
        Person.history.filter(workspace_id=workspace.pk),
        Affiliation.history.filter(person_id__in=people),
        Relationship.history.filter(source_id__in=people),
        Survey.history.filter(workspace_id=workspace.pk),
        SurveyResponse.history.filter(person_id__in=people),
        SurveyAnswer.history.filter(
            response_id__in=SurveyResponse.history.filter(person_id__in=people).values("id")
        ),
    )
    for history in scoped:
        # SQLite's LIKE folds ASCII letters only: check each hit in Python too.
        hits = [
            pk
            for pk, reason in history.filter(mention).values_list(
                "history_id", "history_change_reason"
            )
            if _mentions(reason or "", needles)
        ]
        history.filter(history_id__in=hits).update(history_change_reason=ERASED)


def _names_and_refs(person_id: int) -> tuple[str, ...]:
    """Every name and ref the person has been recorded under, now and in their history."""
    rows = [
        *Person.objects.filter(pk=person_id).values_list("name", "ref"),
        *Person.history.filter(id=person_id).order_by().values_list("name", "ref").distinct(),
    ]
    return tuple(sorted({s for row in rows for s in row if s.strip()}))


def _erase(*, workspace: Workspace, person_id: int, erased_by: AbstractBaseUser | None) -> Erasure:
    """Remove the person (if still there), their ties and affiliations, and every trace.

    Call inside a transaction. The counts are the rows removed; for someone already
    deleted, whose rows went with them, the affiliations and ties their history held.
    """
    pk = person_id
    terms = _names_and_refs(pk)
    needles = tuple({s.casefold() for s in terms})
    ties = Relationship.objects.filter(Q(source_id=pk) | Q(target_id=pk))
    live_tie_ids = set(ties.values_list("pk", flat=True))
    tie_ids = live_tie_ids | set(
        Relationship.history.filter(Q(source_id=pk) | Q(target_id=pk)).values_list("id", flat=True)
    )
    live_affiliation_ids = set(
        Affiliation.objects.filter(person_id=pk).values_list("pk", flat=True)
    )
    affiliation_ids = live_affiliation_ids | set(
        Affiliation.history.filter(person_id=pk).values_list("id", flat=True)
    )
    # Forum seats (issue #18): removed with their history like affiliations.
    seat_ids = set(ForumMembership.objects.filter(person_id=pk).values_list("pk", flat=True)) | set(
        ForumMembership.history.filter(person_id=pk).values_list("id", flat=True)
    )
    # Survey answers (issue #15): theirs, and others' naming them, with their history.
    response_ids, answer_ids = _survey_rows(workspace=workspace, person_id=pk)
    still_there = Person.objects.filter(pk=pk).exists()
    SurveyAnswer.objects.filter(pk__in=answer_ids).delete()
    SurveyResponse.objects.filter(pk__in=response_ids).delete()
    ties.delete()
    Affiliation.objects.filter(person_id=pk).delete()
    ForumMembership.objects.filter(person_id=pk).delete()
    Person.objects.filter(pk=pk).delete()
    # After the deletes: their '-' history rows hold the full content too.
    Relationship.history.filter(Q(source_id=pk) | Q(target_id=pk)).delete()
    Affiliation.history.filter(person_id=pk).delete()
    ForumMembership.history.filter(person_id=pk).delete()
    SurveyAnswer.history.filter(id__in=answer_ids).delete()
    SurveyResponse.history.filter(id__in=response_ids).delete()
    Person.history.filter(id=pk).delete()
    _scrub_change_reasons(workspace=workspace, needles=needles)
    _scrub_scores(workspace=workspace, person_id=pk)
    _scrub_import_previews(workspace=workspace, needles=needles)
    _scrub_admin_log(
        workspace=workspace,
        deleted={
            Person: {pk},
            Affiliation: affiliation_ids,
            Relationship: tie_ids,
            ForumMembership: seat_ids,
            SurveyResponse: response_ids,
            SurveyAnswer: answer_ids,
        },
        needles=needles,
        search_terms=terms,
    )
    erasure = Erasure.objects.create(
        workspace=workspace,
        erased_by=erased_by,
        affiliations_removed=len(live_affiliation_ids if still_there else affiliation_ids),
        relationships_removed=len(live_tie_ids if still_there else tie_ids),
    )
    workspace_data_changed(workspace_id=workspace.pk)
    return erasure


def person_erase(*, workspace: Workspace, person: Person, erased_by: AbstractBaseUser) -> Erasure:
    """Erase a person and every trace of them; keep only that an erasure happened.

    One transaction: the person's ties (both ways), affiliations and record, their
    survey responses and answers and others' answers naming them; every history row
    of these (simple_history also records each deletion with the
    full row, so those go too); score runs other than the current one (recomputed on
    commit); import previews and admin log lines that mention them, under any name or
    ref they have had. Raises Person.DoesNotExist if the person is not in this workspace.
    """
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk, workspace=workspace)
        erasure = _erase(workspace=workspace, person_id=person.pk, erased_by=erased_by)
    logger.info("Erasure %s in workspace %s by user %s", erasure.pk, workspace.pk, erased_by.pk)
    return erasure


def deleted_people(*, workspace: Workspace, refs: tuple[str, ...] = ()) -> list[int]:
    """Ids of people deleted from the workspace whose change history remains.

    Before deleting a person in the admin was refused, a delete left their history
    (name, notes, ties) behind. With `refs`, only those who were ever recorded under one.
    """
    history = Person.history.filter(workspace_id=workspace.pk)
    if refs:
        history = history.filter(ref__in=refs)
    ids = set(history.values_list("id", flat=True))
    ids -= set(Person.objects.filter(pk__in=ids).values_list("pk", flat=True))
    return sorted(ids)


def deleted_person_erase(
    *, workspace: Workspace, person_id: int, erased_by: AbstractBaseUser | None
) -> Erasure:
    """Erase what a deleted person left behind: their history and every other trace.

    The same erasure as person_erase, run over the history by record id. Raises
    Person.DoesNotExist unless the workspace holds history of a person deleted from it.
    """
    with transaction.atomic():
        left_behind = Person.history.filter(id=person_id, workspace_id=workspace.pk).exists()
        if not left_behind or Person.objects.filter(pk=person_id).exists():
            raise Person.DoesNotExist(f"No deleted person {person_id} in this workspace.")
        erasure = _erase(workspace=workspace, person_id=person_id, erased_by=erased_by)
    logger.info(
        "Erasure %s (history of a deleted person) in workspace %s by user %s",
        erasure.pk,
        workspace.pk,
        erased_by.pk if erased_by else None,
    )
    return erasure


# --- Retention -------------------------------------------------------------------


def workspace_retention_update(*, workspace: Workspace, retention_months: int | None) -> Workspace:
    """Set how many months after their last observation ties count as stale (None: never)."""
    with transaction.atomic():
        workspace = Workspace.objects.select_for_update().get(pk=workspace.pk)
        workspace.retention_months = retention_months
        workspace.full_clean()
        workspace.save(update_fields=["retention_months"])
    return workspace


@dataclass(frozen=True)
class ErasureRow:
    erased_at: datetime.datetime
    erased_by: str
    affiliations_removed: int
    relationships_removed: int


ERASURES_SHOWN = 100


def workspace_erasures(*, workspace: Workspace, limit: int = ERASURES_SHOWN) -> list[ErasureRow]:
    """The workspace's newest erasures: when, by whom and how much (one query)."""
    return [
        ErasureRow(
            erased_at=e.erased_at,
            erased_by=user_label(e.erased_by) if e.erased_by else "A removed user",
            affiliations_removed=e.affiliations_removed,
            relationships_removed=e.relationships_removed,
        )
        for e in Erasure.objects.filter(workspace=workspace)
        .select_related("erased_by")
        .order_by("-erased_at", "-pk")[:limit]
    ]


@dataclass(frozen=True)
class Mention:
    person_id: int
    person_name: str
    where: str  # "notes" or "evidence of a relationship with <name>"


MENTIONS_SHOWN = 50


def erasure_mentions(*, workspace: Workspace, person: Person) -> list[Mention]:
    """Other records whose free text names the person: erasure does not rewrite them.

    Notes of other people and evidence of ties between other people may mention
    the person by name or ref; the owner should review those by hand (two queries).
    """
    needles = [s for s in (person.name, person.ref) if s.strip()]
    notes = Q(pk__in=[])
    evidence = Q(pk__in=[])
    for needle in needles:
        notes |= Q(notes__icontains=needle)
        evidence |= Q(evidence__icontains=needle)
    mentions = [
        Mention(person_id=pk, person_name=name, where="notes")
        for pk, name in Person.objects.filter(workspace=workspace)
        .exclude(pk=person.pk)
        .filter(notes)
        .order_by("name", "pk")
        .values_list("pk", "name")[:MENTIONS_SHOWN]
    ]
    ties = (
        Relationship.objects.filter(source__workspace=workspace)
        .exclude(source=person)
        .exclude(target=person)
        .filter(evidence)
        .order_by("source__name", "target__name", "pk")
        .values_list("source_id", "source__name", "target__name")[:MENTIONS_SHOWN]
    )
    mentions += [
        Mention(
            person_id=source_id,
            person_name=source_name,
            where=f"evidence of a relationship with {target_name}",
        )
        for source_id, source_name, target_name in ties
    ]
    return mentions
