"""Who reaches which organisation, and how: the reads behind "who to put in the room".

A person reaches an organisation when they currently work there (an affiliation
with no end date, or one ending today or later), or through one tie of at least
the chosen strength, in either direction, to a current person whose current
primary organisation it is. Two queries whatever the size of the map.
"""

import datetime
from dataclasses import dataclass

from stakeholders.models import Affiliation, Relationship, Workspace
from stakeholders.scenarios.choices import current_affiliation
from stakeholders.selectors import in_force_q


@dataclass
class OrganisationReach:
    """Who reaches which organisation, and how (from current affiliations and ties)."""

    works_at: dict[int, set[int]]  # person -> organisations they currently work at
    contact: dict[tuple[int, int], tuple[int, int, int]]  # (person, org) -> (strength, trust, id)

    def organisations(self, person: int) -> set[int]:
        return self.works_at.get(person, set())


def organisation_reach(
    *, workspace: Workspace, today: datetime.date, min_strength: int, wanted: set[int]
) -> OrganisationReach:
    """Who reaches each `wanted` organisation, and how (two queries).

    Current affiliations of current people, and their ties of at least `min_strength`
    to current people whose current primary organisation is wanted.
    """
    works_at: dict[int, set[int]] = {}
    primary: dict[int, int] = {}
    affiliations = (
        Affiliation.objects.filter(person__workspace=workspace, person__active=True)
        .filter(current_affiliation(today))
        .order_by()
        .values_list("person_id", "organisation_id", "is_primary")
    )
    for person, org, is_primary in affiliations:
        works_at.setdefault(person, set()).add(org)
        if is_primary:
            primary[person] = org
    ties = (
        Relationship.objects.filter(
            in_force_q(today),
            source__workspace=workspace,
            source__active=True,
            target__active=True,
            strength__gte=min_strength,
        )
        .order_by()
        .values_list("source_id", "target_id", "strength", "trust")
    )
    contact: dict[tuple[int, int], tuple[int, int, int]] = {}
    for a, b, strength, trust in ties:
        for person, other in ((a, b), (b, a)):
            org = primary.get(other)
            if org is None or org not in wanted or org in works_at.get(person, ()):
                continue
            # The strongest tie, then the most trusted, then the lowest id: the one shown.
            key = (person, org)
            candidate = (strength, trust or 0, -other)
            if key not in contact or candidate > contact[key]:
                contact[key] = candidate
    return OrganisationReach(
        works_at={p: orgs & wanted for p, orgs in works_at.items()},
        contact={k: (s, t, -o) for k, (s, t, o) in contact.items()},
    )
