"""Data protection: subject access downloads, erasure and the retention setting (UK GDPR).

A subject access download gathers everything held about one person into a zip of
CSV files. An erasure deletes the person, their affiliations and ties, and every
trace of them in the change history, old scores, import previews and the admin
log, keeping only that an erasure happened (`Erasure`: by whom, when, counts).
"""

import base64
import binascii
import datetime
import io
import json
import logging
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import Q
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.text import capfirst

from stakeholders.exports.tables import COLUMN_NOTES, iso_date, write_csv
from stakeholders.history import ACTIONS, user_label
from stakeholders.models import (
    Affiliation,
    Boundary,
    Erasure,
    ImportPreview,
    ImportPreviewStatus,
    Membership,
    Organisation,
    PairScore,
    Person,
    PersonScore,
    Relationship,
    ScoreRun,
    Workspace,
)
from stakeholders.selectors import current_run, group_labels
from stakeholders.services import workspace_data_changed

logger = logging.getLogger(__name__)

ERASED = "(erased)"

# --- Subject access --------------------------------------------------------------

PERSON_HEADER = ("Ref", "Name", "Job title", "Seniority", "Active", "Notes")
AFFILIATIONS_HEADER = ("Organisation", "Role title", "Primary", "Start date", "End date")
TIES_HEADER = (
    "Other person ref",
    "Other person name",
    "Kind",
    "Strength",
    "Trust",
    "Observed on",
    "Evidence",
)
HISTORY_HEADER = ("Date", "User", "Record", "Record id", "Action", "Field", "Before", "After")

# scores.csv: (column, PersonScore field, meaning). Meanings are the scores export's
# where the column is the same, so the two downloads never explain a number differently.
_SCORE_NOTES = COLUMN_NOTES["scores"]
SCORE_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("Boundary", "boundary", "What counts as a group: organisation, sector or tier."),
    ("Group", "group", "The person's group under that boundary (from their primary affiliation)."),
    ("Broker score", "broker_score", _SCORE_NOTES["Broker score"]),
    ("Why", "why", "The broker score explained in one sentence."),
    ("Degree in", "degree_in", "Relationships recorded towards the person."),
    ("Degree out", "degree_out", "Relationships recorded from the person."),
    ("External ties", "external_ties", _SCORE_NOTES["External ties"]),
    ("Groups reached", "groups_reached", _SCORE_NOTES["Groups reached"]),
    ("E-I index", "ei_index", _SCORE_NOTES["E-I index"]),
    ("Participation", "participation", _SCORE_NOTES["Participation"]),
    ("Betweenness", "betweenness", _SCORE_NOTES["Betweenness"]),
    ("Weighted betweenness", "weighted_betweenness", _SCORE_NOTES["Weighted betweenness"]),
    ("Boundary betweenness", "boundary_betweenness", _SCORE_NOTES["Boundary betweenness"]),
    ("Coordinator", "coordinator", _SCORE_NOTES["Coordinator"]),
    ("Itinerant", "itinerant", _SCORE_NOTES["Itinerant"]),
    ("Gatekeeper", "gatekeeper", _SCORE_NOTES["Gatekeeper"]),
    ("Representative", "representative", _SCORE_NOTES["Representative"]),
    ("Liaison", "liaison", _SCORE_NOTES["Liaison"]),
    ("Coordinator z", "coordinator_z", _SCORE_NOTES["Coordinator z"]),
    ("Itinerant z", "itinerant_z", _SCORE_NOTES["Itinerant z"]),
    ("Gatekeeper z", "gatekeeper_z", _SCORE_NOTES["Gatekeeper z"]),
    ("Representative z", "representative_z", _SCORE_NOTES["Representative z"]),
    ("Liaison z", "liaison_z", _SCORE_NOTES["Liaison z"]),
    ("Constraint", "constraint", _SCORE_NOTES["Constraint"]),
    ("Effective size", "effective_size", _SCORE_NOTES["Effective size"]),
    ("Influence", "influence", _SCORE_NOTES["Influence"]),
    ("Influence percentile", "influence_percentile", "Influence as a percentile, 0 to 1."),
    (
        "Seniority percentile",
        "seniority_percentile",
        "Seniority as a percentile among everyone scored, 0 to 1; empty when unknown.",
    ),
    ("Hidden influencer", "hidden_influencer", _SCORE_NOTES["Hidden influencer"]),
    (
        "Titled but isolated",
        "titled_but_isolated",
        "Yes when seniority is high but influence is not.",
    ),
    (
        "Boundary betweenness percentile",
        "boundary_betweenness_percentile",
        "Part of the broker score: boundary betweenness as a percentile, 0 to 1.",
    ),
    (
        "Cross roles percentile",
        "cross_roles_percentile",
        "Part of the broker score: liaison, gatekeeper and representative roles together, "
        "as a percentile, 0 to 1.",
    ),
    (
        "Openness percentile",
        "openness_percentile",
        "Part of the broker score: one minus constraint, as a percentile, 0 to 1.",
    ),
    (
        "Groups reached percentile",
        "groups_reached_percentile",
        "Part of the broker score: groups reached, as a percentile, 0 to 1.",
    ),
)

FILE_NOTES = (
    ("person.csv", "The person's record as held now."),
    ("affiliations.csv", "The organisations the person is recorded as working for or with."),
    ("ties_out.csv", "Relationships recorded from the person to others, with evidence notes."),
    ("ties_in.csv", "Relationships recorded from others to the person, with evidence notes."),
    ("scores.csv", "The person's scores from the current calculation, one row per boundary."),
    (
        "history.csv",
        "Every recorded change to the person, their affiliations and their relationships: "
        "one row per field changed (or set, on creation; or held, on deletion).",
    ),
)


def _person_rows(person: Person) -> Iterator[tuple]:
    yield PERSON_HEADER
    yield (
        person.ref,
        person.name,
        person.job_title,
        person.get_seniority_display(),
        person.active,
        person.notes,
    )


def _affiliation_rows(person: Person) -> Iterator[tuple]:
    yield AFFILIATIONS_HEADER
    for a in person.affiliations.select_related("organisation").order_by(
        "-is_primary", "organisation__name", "pk"
    ):
        yield (
            a.organisation.name,
            a.role_title,
            "Primary" if a.is_primary else "Secondary",
            iso_date(a.start_date),
            iso_date(a.end_date),
        )


def _tie_rows(queryset: models.QuerySet, other: str) -> Iterator[tuple]:
    yield TIES_HEADER
    for t in queryset.select_related(other).order_by(f"{other}__name", "kind", "pk"):
        other_person = getattr(t, other)
        yield (
            other_person.ref,
            other_person.name,
            t.get_kind_display(),
            t.strength,
            t.trust,
            iso_date(t.observed_on),
            t.evidence,
        )


def _score_rows(person: Person, run: ScoreRun | None) -> Iterator[tuple]:
    yield tuple(column for column, _, _ in SCORE_COLUMNS)
    if run is None:
        return
    labels = {
        b: group_labels(workspace_id=person.workspace_id, boundary=b) for b in Boundary.values
    }
    for score in PersonScore.objects.filter(run=run, person=person).order_by("boundary"):
        row = []
        for _, field, _ in SCORE_COLUMNS:
            value = getattr(score, field)
            if field == "boundary":
                value = Boundary(value).label
            elif field == "group":
                value = labels[score.boundary].get(value, "No group") if value else "No group"
            row.append(value)
        yield tuple(row)


def _history_value(model: type[models.Model], field_name: str, value: Any, names: dict) -> Any:
    if value is None or value == "":
        return ""
    if field_name in names:
        return names[field_name].get(value, f"(removed, id {value})")
    field = model._meta.get_field(field_name)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def _history_rows(person: Person) -> Iterator[tuple]:
    """Every history row about the person, one CSV row per field, oldest first."""
    yield HISTORY_HEADER
    pk = person.pk
    sources = (
        ("Person", Person, Person.history.filter(id=pk)),
        ("Affiliation", Affiliation, Affiliation.history.filter(person_id=pk)),
        (
            "Relationship",
            Relationship,
            Relationship.history.filter(Q(source_id=pk) | Q(target_id=pk)),
        ),
    )
    loaded = []
    person_ids: set[int] = {pk}
    for label, model, queryset in sources:
        records = list(
            queryset.select_related("history_user").order_by("id", "history_date", "history_id")
        )
        if model is Relationship:
            for r in records:
                person_ids.update((r.source_id, r.target_id))
        loaded.append((label, model, records))
    people = {
        p: f"{name} (ref {ref})"
        for p, name, ref in Person.objects.filter(
            workspace_id=person.workspace_id, pk__in=person_ids
        ).values_list("pk", "name", "ref")
    }
    organisations = dict(
        Organisation.objects.filter(workspace_id=person.workspace_id).values_list("pk", "name")
    )
    names = {"person": people, "source": people, "target": people, "organisation": organisations}
    rows = []
    for label, model, records in loaded:
        fields = [f.name for f in model._meta.fields if f.editable and f.name not in ("id",)]
        fields = [f for f in fields if f != "workspace"]
        previous = None
        for record in records:
            if previous is not None and previous.id != record.id:
                previous = None
            when = timezone.localtime(record.history_date).isoformat(timespec="seconds")
            base = (when, user_label(record.history_user), label, record.id)
            action = ACTIONS.get(record.history_type, record.history_type)
            if record.history_type == "~" and previous is not None:
                changes = record.diff_against(previous, excluded_fields=["workspace"]).changes
                items = [(c.field, c.old, c.new) for c in changes]
            elif record.history_type == "-":
                items = [(f, getattr(record, _attname(model, f)), None) for f in fields]
            else:
                items = [(f, None, getattr(record, _attname(model, f))) for f in fields]
            for field, old, new in items:
                verbose = capfirst(model._meta.get_field(field).verbose_name)
                rows.append(
                    (
                        record.history_date,
                        record.history_id,
                        (
                            *base,
                            action,
                            verbose,
                            _history_value(model, field, old, names),
                            _history_value(model, field, new, names),
                        ),
                    )
                )
            if not items:
                rows.append((record.history_date, record.history_id, (*base, action, "", "", "")))
            previous = record
    rows.sort(key=lambda r: (r[0], r[1]))
    for _, _, row in rows:
        yield row


def _attname(model: type[models.Model], field: str) -> str:
    return model._meta.get_field(field).attname


def _readme(
    *, workspace: Workspace, person: Person, generated_by: AbstractBaseUser, now: datetime.datetime
) -> str:
    lines = [
        "Subject access download",
        "=======================",
        "",
        "Everything this Influence Map workspace holds about one person, for a subject",
        "access request under UK GDPR Article 15.",
        "",
        f"Workspace: {workspace.name} (slug: {workspace.slug})",
        f"Person: ref {person.ref} (record id {person.pk})",
        f"Generated: {timezone.localtime(now).isoformat(timespec='seconds')}",
        f"Generated by: {user_label(generated_by)}",
        "",
        "Files",
        "-----",
        *(f"{name}: {meaning}" for name, meaning in FILE_NOTES),
        "",
        "The CSV files are UTF-8 with a byte order mark. A text cell that starts with",
        "= + - @ or a tab has a ' in front, so that a spreadsheet does not run it.",
        "Dates are YYYY-MM-DD; times are ISO 8601 with the UTC offset.",
        "",
        "scores.csv columns",
        "------------------",
        *(f"{column}: {meaning}" for column, _, meaning in SCORE_COLUMNS),
        "",
    ]
    return "\r\n".join(lines)


def subject_access_filename(*, workspace: Workspace, person: Person, day: datetime.date) -> str:
    """`<slug>-subject-access-<person id>-<YYYY-MM-DD>.zip`: never the person's name."""
    return f"{workspace.slug}-subject-access-{person.pk}-{day.isoformat()}.zip"


def subject_access_zip(
    *,
    workspace: Workspace,
    person: Person,
    generated_by: AbstractBaseUser,
    now: datetime.datetime | None = None,
) -> bytes:
    """A zip of CSV files with everything held about one person, and a README."""
    if person.workspace_id != workspace.pk:
        raise Person.DoesNotExist
    now = now or timezone.now()
    run = current_run(workspace_id=workspace.pk)
    tables: list[tuple[str, Iterable[tuple]]] = [
        ("person.csv", _person_rows(person)),
        ("affiliations.csv", _affiliation_rows(person)),
        ("ties_out.csv", _tie_rows(person.ties_out.all(), "target")),
        ("ties_in.csv", _tie_rows(person.ties_in.all(), "source")),
        ("scores.csv", _score_rows(person, run)),
        ("history.csv", _history_rows(person)),
    ]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as pack:
        pack.writestr(
            "README.txt",
            _readme(workspace=workspace, person=person, generated_by=generated_by, now=now),
        )
        for name, rows in tables:
            with pack.open(name, "w") as raw:
                out = io.TextIOWrapper(raw, encoding="utf-8", newline="")
                write_csv(rows, out)
                out.flush()
                out.detach()
    # Ids only: the log must not carry who the request was about.
    logger.info(
        "Subject access download: person %s, workspace %s, user %s",
        person.pk,
        workspace.pk,
        generated_by.pk,
    )
    return buffer.getvalue()


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
    """Drop every score run but the current one; take the person out of the current one.

    The person's own PersonScore and PersonPosition rows went with them (CASCADE).
    Older runs may still describe them in other people's rows; the current run is
    recomputed when the erasure commits (workspace_data_changed).
    """
    current = current_run(workspace_id=workspace.pk)
    stale = ScoreRun.objects.filter(workspace=workspace)
    if current is not None:
        stale = stale.exclude(pk=current.pk)
    stale.delete()
    if current is None:
        return
    changed = []
    for pair in PairScore.objects.filter(run=current):
        if person_id in pair.failure_people or person_id in pair.disconnecting_people:
            pair.failure_people = [p for p in pair.failure_people if p != person_id]
            pair.disconnecting_people = [p for p in pair.disconnecting_people if p != person_id]
            changed.append(pair)
    PairScore.objects.bulk_update(changed, ["failure_people", "disconnecting_people"])


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
        Workspace, Membership, Organisation, Person, Affiliation, Relationship
    )
    rows = {
        Workspace: Workspace.objects.filter(pk=workspace.pk),
        Membership: Membership.objects.filter(workspace=workspace),
        Organisation: Organisation.objects.filter(workspace=workspace),
        Person: Person.objects.filter(workspace=workspace),
        Affiliation: Affiliation.objects.filter(person__workspace=workspace),
        Relationship: Relationship.objects.filter(source__workspace=workspace),
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


def person_erase(*, workspace: Workspace, person: Person, erased_by: AbstractBaseUser) -> Erasure:
    """Erase a person and every trace of them; keep only that an erasure happened.

    One transaction: the person's ties (both ways), affiliations and record; every
    history row of the three (simple_history also records each deletion with the
    full row, so those go too); score runs other than the current one (recomputed on
    commit); import previews and admin log lines that mention them. Raises
    Person.DoesNotExist if the person is not in this workspace.
    """
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk, workspace=workspace)
        pk = person.pk
        needles = tuple({s.casefold() for s in (person.name, person.ref) if s.strip()})
        ties = Relationship.objects.filter(Q(source_id=pk) | Q(target_id=pk))
        tie_ids = set(ties.values_list("pk", flat=True))
        tie_ids |= set(
            Relationship.history.filter(Q(source_id=pk) | Q(target_id=pk)).values_list(
                "id", flat=True
            )
        )
        affiliation_ids = set(Affiliation.objects.filter(person_id=pk).values_list("pk", flat=True))
        affiliation_ids |= set(
            Affiliation.history.filter(person_id=pk).values_list("id", flat=True)
        )
        _, deleted = ties.delete()
        relationships_removed = deleted.get(Relationship._meta.label, 0)
        _, deleted = Affiliation.objects.filter(person_id=pk).delete()
        affiliations_removed = deleted.get(Affiliation._meta.label, 0)
        person.delete()
        # After the deletes: their '-' history rows hold the full content too.
        Relationship.history.filter(Q(source_id=pk) | Q(target_id=pk)).delete()
        Affiliation.history.filter(person_id=pk).delete()
        Person.history.filter(id=pk).delete()
        _scrub_scores(workspace=workspace, person_id=pk)
        _scrub_import_previews(workspace=workspace, needles=needles)
        _scrub_admin_log(
            workspace=workspace,
            deleted={Person: {pk}, Affiliation: affiliation_ids, Relationship: tie_ids},
            needles=needles,
            search_terms=(person.name, person.ref),
        )
        erasure = Erasure.objects.create(
            workspace=workspace,
            erased_by=erased_by,
            affiliations_removed=affiliations_removed,
            relationships_removed=relationships_removed,
        )
        workspace_data_changed(workspace_id=workspace.pk)
    logger.info("Erasure %s in workspace %s by user %s", erasure.pk, workspace.pk, erased_by.pk)
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
