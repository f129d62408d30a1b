"""Subject access (UK GDPR): everything held about one person, as a zip of CSV files."""

import datetime
import io
import logging
import zipfile
from collections.abc import Iterable, Iterator
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.text import capfirst

from stakeholders.exports.tables import COLUMN_NOTES, iso_date, write_csv
from stakeholders.history import ACTIONS, record_who, user_label
from stakeholders.models import (
    Affiliation,
    Boundary,
    Forum,
    ForumMembership,
    Organisation,
    Person,
    PersonScore,
    Relationship,
    ScoreRun,
    Survey,
    SurveyAnswer,
    SurveyResponse,
    Workspace,
)
from stakeholders.selectors import current_run, group_labels

logger = logging.getLogger(__name__)

PERSON_HEADER = ("Ref", "Name", "Job title", "Seniority", "Active", "Notes", "Email")
AFFILIATIONS_HEADER = ("Organisation", "Role title", "Primary", "Start date", "End date")
TIES_HEADER = (
    "Other person ref",
    "Other person name",
    "Kind",
    "Strength",
    "Trust",
    "Observed on",
    "Evidence",
    "Start date",
    "End date",
)
HISTORY_HEADER = ("Date", "User", "Record", "Record id", "Action", "Field", "Before", "After")

# scores.csv: (column, PersonScore field, meaning). Meanings are the scores export's
# where the column is the same, so the two downloads never explain a number differently.
_SCORE_NOTES = COLUMN_NOTES["scores"]
SCORE_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("Boundary", "boundary", "What counts as a group: organisation, sector or tier."),
    ("Group", "group", "The person's group under that boundary (from their primary affiliation)."),
    ("Broker score", "broker_score", _SCORE_NOTES["Broker score"]),
    ("Why", "why", "What the broker score means, in plain words."),
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
    ("forum_seats.csv", "The boards and partnerships the person holds or held a seat on."),
    ("ties_out.csv", "Relationships recorded from the person to others, with evidence notes."),
    ("ties_in.csv", "Relationships recorded from others to the person, with evidence notes."),
    ("scores.csv", "The person's scores from the current calculation, one row per boundary."),
    (
        "survey_responses.csv",
        "The relationship surveys the person was invited to: where the link was sent, and when "
        "they consented or declined, saved, submitted or withdrew their answers.",
    ),
    (
        "survey_answers.csv",
        "The person's own survey answers: the people they named for each question, with "
        "strength and trust.",
    ),
    (
        "survey_named_by.csv",
        "Other people's survey answers naming the person: who named them, in which survey, "
        "for which question.",
    ),
    (
        "history.csv",
        "Every recorded change to the person, their affiliations, relationships, forum seats, "
        "survey responses and answers: one row per field changed (or set, on creation; or "
        "held, on deletion).",
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
        person.email,
    )


SURVEY_RESPONSES_HEADER = (
    "Survey",
    "Status",
    "Email",
    "Invited at",
    "Reminded at",
    "Reminders",
    "Consent given at",
    "Declined at",
    "Saved at",
    "Submitted at",
    "Withdrawn at",
)
SURVEY_ANSWERS_HEADER = (
    "Survey",
    "Question",
    "Named person ref",
    "Named person name",
    "Name not on the list",
    "Organisation not on the list",
    "Strength",
    "Trust",
    "Review",
)
SURVEY_NAMED_BY_HEADER = (
    "Survey",
    "Named by ref",
    "Named by name",
    "Question",
    "Strength",
    "Trust",
)


def _when(value: datetime.datetime | None) -> str:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else ""


def _survey_response_rows(person: Person) -> Iterator[tuple]:
    yield SURVEY_RESPONSES_HEADER
    for r in person.survey_responses.select_related("survey").order_by("survey__created_at", "pk"):
        yield (
            r.survey.title,
            r.get_status_display(),
            r.email,
            _when(r.invited_at),
            _when(r.reminded_at),
            r.reminders,
            _when(r.consent_at),
            _when(r.declined_at),
            _when(r.saved_at),
            _when(r.submitted_at),
            _when(r.withdrawn_at),
        )


def _survey_answer_rows(person: Person) -> Iterator[tuple]:
    yield SURVEY_ANSWERS_HEADER
    answers = (
        SurveyAnswer.objects.filter(response__person=person)
        .select_related("response__survey", "target")
        .order_by("response__survey__created_at", "response_id", "kind", "pk")
    )
    for a in answers:
        yield (
            a.response.survey.title,
            a.get_kind_display(),
            a.target.ref if a.target_id else "",
            a.target.name if a.target_id else "",
            a.unlisted_name,
            a.unlisted_organisation,
            a.strength,
            a.trust,
            a.get_review_display() if a.review else "",
        )


def _survey_named_by_rows(person: Person) -> Iterator[tuple]:
    # As ties_in.csv names who recorded a tie towards the person, this names who named them.
    yield SURVEY_NAMED_BY_HEADER
    answers = (
        SurveyAnswer.objects.filter(target=person)
        .exclude(response__person=person)
        .select_related("response__survey", "response__person")
        .order_by("response__survey__created_at", "response__person__name", "kind", "pk")
    )
    for a in answers:
        yield (
            a.response.survey.title,
            a.response.person.ref,
            a.response.person.name,
            a.get_kind_display(),
            a.strength,
            a.trust,
        )


FORUM_SEATS_HEADER = ("Forum", "Seat", "Start date", "End date")


def _forum_seat_rows(person: Person) -> Iterator[tuple]:
    yield FORUM_SEATS_HEADER
    for m in person.forum_memberships.select_related("forum").order_by("forum__name", "pk"):
        yield (m.forum.name, m.get_seat_display(), iso_date(m.start_date), iso_date(m.end_date))


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
            iso_date(t.start_date),
            iso_date(t.end_date),
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
        ("Forum seat", ForumMembership, ForumMembership.history.filter(person_id=pk)),
        ("Survey response", SurveyResponse, SurveyResponse.history.filter(person_id=pk)),
        (
            "Survey answer",
            SurveyAnswer,
            SurveyAnswer.history.filter(
                Q(response_id__in=SurveyResponse.history.filter(person_id=pk).values("id"))
                | Q(target_id=pk)
            ),
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
        elif model is SurveyAnswer:
            person_ids.update(r.target_id for r in records if r.target_id)
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
    forums = dict(Forum.objects.filter(workspace_id=person.workspace_id).values_list("pk", "name"))
    surveys = dict(
        Survey.objects.filter(workspace_id=person.workspace_id).values_list("pk", "title")
    )
    names = {
        "survey": surveys,
        "person": people,
        "source": people,
        "target": people,
        "organisation": organisations,
        "forum": forums,
    }
    rows = []
    for label, model, records in loaded:
        fields = [f.name for f in model._meta.fields if f.editable and f.name not in ("id",)]
        fields = [f for f in fields if f != "workspace"]
        previous = None
        for record in records:
            if previous is not None and previous.id != record.id:
                previous = None
            when = timezone.localtime(record.history_date).isoformat(timespec="seconds")
            base = (when, record_who(record), label, record.id)
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
        ("forum_seats.csv", _forum_seat_rows(person)),
        ("ties_out.csv", _tie_rows(person.ties_out.all(), "target")),
        ("ties_in.csv", _tie_rows(person.ties_in.all(), "source")),
        ("scores.csv", _score_rows(person, run)),
        ("survey_responses.csv", _survey_response_rows(person)),
        ("survey_answers.csv", _survey_answer_rows(person)),
        ("survey_named_by.csv", _survey_named_by_rows(person)),
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
