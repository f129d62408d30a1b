"""The roster a respondent picks from: names and organisations, nothing more.

Searched by name within the survey's workspace (active people, never the respondent
themselves), each with the organisation of their primary affiliation in force today.
One query per search, whatever the size of the workspace.
"""

from dataclasses import dataclass

from django.db.models import FilteredRelation
from django.utils import timezone

from stakeholders.models import Person, SurveyResponse
from stakeholders.selectors import primary_in_force_q

MATCHES_LIMIT = 20
MIN_LETTERS = 2  # fewer letters would list half the roster


@dataclass(frozen=True)
class Match:
    id: int
    name: str
    organisation: str


def _with_primary(queryset):
    condition = primary_in_force_q(timezone.localdate(), prefix="affiliations__")
    return queryset.annotate(primary=FilteredRelation("affiliations", condition=condition))


def roster_matches(response: SurveyResponse, text: str) -> list[Match]:
    """People whose name holds every word typed, by name (at most MATCHES_LIMIT)."""
    words = text.split()
    if sum(len(w) for w in words) < MIN_LETTERS:
        return []
    people = Person.objects.filter(workspace_id=response.survey.workspace_id, active=True).exclude(
        pk=response.person_id
    )
    for word in words:
        people = people.filter(name__icontains=word)
    rows = (
        _with_primary(people)
        .order_by("name", "pk")
        .values_list("pk", "name", "primary__organisation__name")[:MATCHES_LIMIT]
    )
    return [Match(pk, name, organisation or "") for pk, name, organisation in rows]


def primary_organisations(person_ids: list[int]) -> dict[int, str]:
    """Each person's current primary organisation by name (one query)."""
    if not person_ids:
        return {}
    rows = _with_primary(Person.objects.filter(pk__in=person_ids)).values_list(
        "pk", "primary__organisation__name"
    )
    return {pk: name or "" for pk, name in rows}
