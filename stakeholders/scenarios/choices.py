"""Who and what a scenario can be asked about: current people and organisations (one query each).

Scenarios work on the map as it stands today. People recorded as having left
(`active` off) are not offered, not routed through and not put in a room; an
affiliation is current when it has no end date or ends today or later.
"""

import datetime
from dataclasses import dataclass

from django.db.models import FilteredRelation, Q

from stakeholders.models import Organisation, Person, Sector, Tier, Workspace
from stakeholders.selectors import in_force_q, primary_in_force_q


class BadChoice(ValueError):
    """A person, organisation or option that cannot be chosen here; the message says why."""


# Record numbers are database ids: anything longer is not one (and would overflow).
MAX_ID_DIGITS = 18


def parse_id(value: str, what: str) -> int:
    """A record number from the address, or BadChoice."""
    value = value.strip()
    if not value.isdecimal() or not value.isascii() or len(value) > MAX_ID_DIGITS:
        raise BadChoice(f"The {what} in the address is not a record number. Choose again.")
    return int(value)


def parse_ids(values: list[str], what: str) -> tuple[int, ...]:
    """Record numbers from repeated parameters, in order, without repeats or blanks."""
    return tuple(dict.fromkeys(parse_id(v, what) for v in values if v.strip()))


@dataclass(frozen=True)
class PersonChoice:
    id: int
    ref: str
    name: str
    job_title: str
    organisation_id: int | None  # current primary organisation
    organisation: str  # its full name, "" when none
    organisation_label: str  # its short name, or the full name when it has none

    @property
    def label(self) -> str:
        """How a picker shows the person: name, then job title and organisation."""
        where = ", ".join(part for part in (self.job_title, self.organisation_label) if part)
        return f"{self.name} – {where}" if where else self.name


@dataclass(frozen=True)
class OrganisationChoice:
    id: int
    name: str
    short_name: str
    sector: str
    sector_label: str
    tier: str
    tier_label: str

    @property
    def label(self) -> str:
        return self.short_name or self.name


def current_affiliation(today: datetime.date, through: str = "") -> Q:
    """An affiliation (or one reached through `through`) in force on `today`, as the
    scores count it: started by then (or undated), and not ended before."""
    return in_force_q(today, prefix=f"{through}__" if through else "")


def people_choices(*, workspace: Workspace, today: datetime.date) -> dict[int, PersonChoice]:
    """Everyone current in the workspace by id, ordered by name (one query)."""
    rows = (
        Person.objects.filter(workspace=workspace, active=True)
        .annotate(
            primary=FilteredRelation(
                "affiliations", condition=primary_in_force_q(today, "affiliations__")
            )
        )
        .order_by("name", "ref", "pk")
        .values_list(
            "pk",
            "ref",
            "name",
            "job_title",
            "primary__organisation_id",
            "primary__organisation__name",
            "primary__organisation__short_name",
        )
    )
    return {
        pk: PersonChoice(
            id=pk,
            ref=ref,
            name=name,
            job_title=job_title,
            organisation_id=org_id,
            organisation=org_name or "",
            organisation_label=(short or org_name or ""),
        )
        for pk, ref, name, job_title, org_id, org_name, short in rows
    }


def organisation_choices(*, workspace: Workspace) -> dict[int, OrganisationChoice]:
    """Every organisation in the workspace by id, ordered by name (one query)."""
    sectors, tiers = dict(Sector.choices), dict(Tier.choices)
    rows = (
        Organisation.objects.filter(workspace=workspace)
        .order_by("name", "pk")
        .values_list("pk", "name", "short_name", "sector", "tier")
    )
    return {
        pk: OrganisationChoice(
            id=pk,
            name=name,
            short_name=short,
            sector=sector,
            sector_label=sectors.get(sector, sector),
            tier=tier,
            tier_label=tiers.get(tier, tier),
        )
        for pk, name, short, sector, tier in rows
    }


def chosen_person(people: dict[int, PersonChoice], pk: int, what: str) -> PersonChoice:
    """The current person `pk`, or BadChoice naming `what` they were chosen as."""
    if pk not in people:
        raise BadChoice(
            f"The person chosen as {what} is not one of the current people in this "
            "workspace (people recorded as having left cannot be chosen). Choose from the list."
        )
    return people[pk]
