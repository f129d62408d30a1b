"""Reads of the change history (django-simple-history) for the record pages, a page at a time.

The person and organisation pages show the newest changes (dashboard); these
selectors serve "show more": any page of the same list, newest first, in a
fixed number of queries (two per history table and one for names).
"""

from dataclasses import dataclass

from django.db.models import Q

from stakeholders.dashboard import (
    HISTORY_LIMIT,
    HistoryEntry,
    _history_entries,
    _recent_records,
    group_labels,
)
from stakeholders.models import Affiliation, Boundary, Organisation, Person, Relationship

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
    if not raw.isdigit():
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


def person_history(*, person: Person, show_notes: bool, page: int = 1) -> HistoryPage:
    """Changes to a person, their affiliations and their ties both ways, newest first."""
    pk = person.pk
    limit = page * HISTORY_PER_PAGE + 1
    people_records = _recent_records(Person.history.filter(id=pk), limit)
    affiliation_records = _recent_records(Affiliation.history.filter(person_id=pk), limit)
    relationship_records = _recent_records(
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
    org_names = group_labels(workspace=person.workspace, boundary=Boundary.ORGANISATION)
    org_by_id = {int(k): v for k, v in org_names.items()}
    kinds = dict(Relationship._meta.get_field("kind").flatchoices)
    entries = [
        *_history_entries(
            people_records,
            Person,
            lambda r: "Person details",
            {},
            frozenset() if show_notes else frozenset({"notes"}),
        ),
        *_history_entries(
            affiliation_records,
            Affiliation,
            lambda r: f"Affiliation with {org_by_id.get(r.organisation_id, '(removed)')}",
            {"organisation": org_by_id, "person": people},
        ),
        *_history_entries(
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


def organisation_history(*, organisation: Organisation, page: int = 1) -> HistoryPage:
    """Changes to an organisation's details and to its affiliations, newest first."""
    pk = organisation.pk
    limit = page * HISTORY_PER_PAGE + 1
    org_records = _recent_records(Organisation.history.filter(id=pk), limit)
    affiliation_records = _recent_records(Affiliation.history.filter(organisation_id=pk), limit)
    person_ids = {r.person_id for pair in affiliation_records for r in pair if r is not None}
    people = dict(
        Person.objects.filter(
            workspace_id=organisation.workspace_id, pk__in=person_ids
        ).values_list("pk", "name")
    )
    org_names = group_labels(workspace=organisation.workspace, boundary=Boundary.ORGANISATION)
    org_by_id = {int(k): v for k, v in org_names.items()}
    entries = [
        *_history_entries(
            org_records, Organisation, lambda r: "Organisation details", {"parent": org_by_id}
        ),
        *_history_entries(
            affiliation_records,
            Affiliation,
            lambda r: f"Affiliation of {people.get(r.person_id, '(removed)')}",
            {"organisation": org_by_id, "person": people},
        ),
    ]
    return _page(entries, page)
