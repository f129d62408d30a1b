"""Reads of the change history (django-simple-history) for the record pages, a page at a time.

The person and organisation pages show the first page (through dashboard), the
changes pages any later one ("show more"): the same list, newest first, in a
fixed number of queries (two per history table and one for names). The subject
access file reuses the labels (ACTIONS, user_label, record_who).
"""

import datetime
from dataclasses import dataclass

from django.db.models import F, Q, Window
from django.db.models.functions import Lag
from django.utils.text import capfirst

from stakeholders.models import Affiliation, Organisation, Person, Relationship

HISTORY_LIMIT = 20
ACTIONS = {"+": "Created", "~": "Changed", "-": "Deleted"}


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: str
    new: str


@dataclass(frozen=True)
class HistoryEntry:
    when: datetime.datetime
    who: str
    action: str  # Created, Changed or Deleted
    subject: str  # what was changed, e.g. "Relationship: A trusts B"
    changes: list[FieldChange]


def recent_records(queryset, limit: int) -> list[tuple]:
    """The newest history records with the record before each (two queries at most)."""
    records = list(
        queryset.annotate(
            prev_history_id=Window(
                Lag("history_id"),
                partition_by=[F("id")],
                order_by=[F("history_date").asc(), F("history_id").asc()],
            )
        )
        .select_related("history_user")
        .order_by("-history_date", "-history_id")[:limit]
    )
    prev_ids = [r.prev_history_id for r in records if r.prev_history_id]
    previous = {
        r.history_id: r for r in queryset.model._default_manager.filter(history_id__in=prev_ids)
    }
    return [(r, previous.get(r.prev_history_id)) for r in records]


def user_label(user) -> str:
    """Who made a change, as the history lists show it."""
    if user is None:
        return "Not recorded"
    return user.get_full_name() or user.get_username()


def record_who(record) -> str:
    """Who made the change a history record holds: the user, else its change reason.

    Survey answers are written without a user but with a reason naming the respondent
    ("Survey answer from Dev Mensah"), which is who made the change.
    """
    if record.history_user is None:
        reason = (getattr(record, "history_change_reason", "") or "").strip()
        if reason:
            return reason
    return user_label(record.history_user)


def _display(model, field_name: str, value, names: dict[str, dict]) -> str:
    if value is None or value == "":
        return "(empty)"
    field = model._meta.get_field(field_name)
    if field_name in names:
        return names[field_name].get(value, "(removed)")
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def history_entries(
    pairs: list[tuple],
    model,
    subject,
    names: dict[str, dict],
    private: frozenset[str] = frozenset(),
) -> list[HistoryEntry]:
    entries = []
    for record, prev in pairs:
        changes = []
        if prev is not None and record.history_type == "~":
            for change in record.diff_against(prev, excluded_fields=["workspace"]).changes:
                label = capfirst(model._meta.get_field(change.field).verbose_name)
                if change.field in private:
                    changes.append(FieldChange(label, "(not shown)", "(not shown)"))
                else:
                    changes.append(
                        FieldChange(
                            label,
                            _display(model, change.field, change.old, names),
                            _display(model, change.field, change.new, names),
                        )
                    )
        entries.append(
            HistoryEntry(
                when=record.history_date,
                who=record_who(record),
                action=ACTIONS.get(record.history_type, record.history_type),
                subject=subject(record),
                changes=changes,
            )
        )
    return entries


# Pages are as long as the record pages' list, so page 2 continues where it stops.
HISTORY_PER_PAGE = HISTORY_LIMIT
# "Show more" goes back this far (2,000 changes); each page reads every page before it.
HISTORY_MAX_PAGE = 100


@dataclass(frozen=True)
class HistoryPage:
    entries: list[HistoryEntry]
    number: int
    has_next: bool

    @property
    def next_number(self) -> int | None:
        return self.number + 1 if self.has_next else None

    @property
    def start(self) -> int:
        """The position of the first entry in the whole list (1-based)."""
        return (self.number - 1) * HISTORY_PER_PAGE + 1


def history_page_number(raw: str | None) -> int | None:
    """The page asked for, or None when it is not a page number in range."""
    if raw is None or raw == "":
        return 1
    # isdigit() also passes '²', which int() refuses; a long number is out of range anyway.
    if not (raw.isascii() and raw.isdecimal()) or len(raw) > 6:
        return None
    number = int(raw)
    return number if 1 <= number <= HISTORY_MAX_PAGE else None


def _page(entries: list[HistoryEntry], number: int) -> HistoryPage:
    # Each source is newest first; a stable sort keeps ties in a fixed order.
    entries.sort(key=lambda e: e.when, reverse=True)
    end = number * HISTORY_PER_PAGE
    return HistoryPage(
        entries=entries[end - HISTORY_PER_PAGE : end],
        number=number,
        has_next=len(entries) > end,
    )


def person_history(
    *, person: Person, show_notes: bool, org_names: dict[str, str], page: int = 1
) -> HistoryPage:
    """Changes to a person, their affiliations and their ties both ways, newest first.

    `org_names` is selectors.group_labels for the organisation boundary.
    """
    pk = person.pk
    limit = page * HISTORY_PER_PAGE + 1
    people_records = recent_records(Person.history.filter(id=pk), limit)
    affiliation_records = recent_records(Affiliation.history.filter(person_id=pk), limit)
    relationship_records = recent_records(
        Relationship.history.filter(Q(source_id=pk) | Q(target_id=pk)), limit
    )
    person_ids = {pk}
    for pair in relationship_records:
        for r in pair:
            if r is not None:
                person_ids.update((r.source_id, r.target_id))
    people = dict(
        Person.objects.filter(workspace_id=person.workspace_id, pk__in=person_ids).values_list(
            "pk", "name"
        )
    )
    org_by_id = {int(k): v for k, v in org_names.items()}
    kinds = dict(Relationship._meta.get_field("kind").flatchoices)
    entries = [
        *history_entries(
            people_records,
            Person,
            lambda r: "Person details",
            {},
            frozenset() if show_notes else frozenset({"notes"}),
        ),
        *history_entries(
            affiliation_records,
            Affiliation,
            lambda r: f"Affiliation with {org_by_id.get(r.organisation_id, '(removed)')}",
            {"organisation": org_by_id, "person": people},
        ),
        *history_entries(
            relationship_records,
            Relationship,
            lambda r: (
                f"Relationship: {people.get(r.source_id, '(removed)')} "
                f"{str(kinds.get(r.kind, r.kind)).lower()} "
                f"{people.get(r.target_id, '(removed)')}"
            ),
            {"source": people, "target": people},
        ),
    ]
    return _page(entries, page)


def organisation_history(
    *, organisation: Organisation, org_names: dict[str, str], page: int = 1
) -> HistoryPage:
    """Changes to an organisation's details and to its affiliations, newest first.

    `org_names` is selectors.group_labels for the organisation boundary.
    """
    pk = organisation.pk
    limit = page * HISTORY_PER_PAGE + 1
    org_records = recent_records(Organisation.history.filter(id=pk), limit)
    affiliation_records = recent_records(Affiliation.history.filter(organisation_id=pk), limit)
    person_ids = {r.person_id for pair in affiliation_records for r in pair if r is not None}
    people = dict(
        Person.objects.filter(
            workspace_id=organisation.workspace_id, pk__in=person_ids
        ).values_list("pk", "name")
    )
    org_by_id = {int(k): v for k, v in org_names.items()}
    entries = [
        *history_entries(
            org_records, Organisation, lambda r: "Organisation details", {"parent": org_by_id}
        ),
        *history_entries(
            affiliation_records,
            Affiliation,
            lambda r: f"Affiliation of {people.get(r.person_id, '(removed)')}",
            {"organisation": org_by_id, "person": people},
        ),
    ]
    return _page(entries, page)
