"""A small map whose routes and rooms are worked out by hand in the tests.

Routes from Amira (hospital) to Chris (ICB chief executive):
  1. Amira -> Bea -> Chris: collaborates 4/4 (0.64), trusts 5/5 (1.0): 64%
  2. Amira -> Dan -> Chris: influences 3/unknown (0.36), collaborates 5/4 (0.8): 28.8%
  3. Amira -> Eve -> Chris: 5/5 but stale (0.5), 4/3 (0.48): 24%
  4. Amira -> Chris directly: 1/2 (0.08): 8%
Larry (ICB) has left: his 5/5 ties to both would make a 100% route, never used.
Cara and Carl (carers) know only each other: a separate part of the map.
"""

import datetime
from dataclasses import dataclass

import pytest
from django.db import transaction
from django.utils import timezone

from stakeholders.models import Organisation, Person, Relationship, Workspace
from tests.factories import (
    AffiliationFactory,
    OrganisationFactory,
    PersonFactory,
    RelationshipFactory,
)


@dataclass
class Fenwick:
    workspace: Workspace
    icb: Organisation
    hospital: Organisation
    council: Organisation
    carers: Organisation
    district: Organisation  # nobody works there
    people: dict[str, Person]
    ties: dict[str, Relationship]

    def __getattr__(self, name: str) -> Person:
        try:
            return self.__dict__["people"][name]
        except KeyError:
            raise AttributeError(name) from None


def build_fenwick(workspace: Workspace) -> Fenwick:
    today = timezone.localdate()
    icb = OrganisationFactory(
        workspace=workspace, name="North Fenwick ICB", short_name="NF ICB", kind="icb"
    )
    hospital = OrganisationFactory(
        workspace=workspace, name="Fenwick Hospitals NHS Trust", short_name="FHT"
    )
    council = OrganisationFactory(
        workspace=workspace,
        name="Fenwick County Council",
        short_name="FCC",
        kind="county_council",
        sector="local_government",
        tier="place",
    )
    carers = OrganisationFactory(
        workspace=workspace,
        name="Fenwick Carers",
        short_name="Carers",
        kind="vcse",
        sector="vcse",
        tier="neighbourhood",
    )
    district = OrganisationFactory(
        workspace=workspace,
        name="Marsh Vale District Council",
        short_name="MVDC",
        kind="district_council",
        sector="local_government",
        tier="place",
    )
    people = {}
    for key, name, org, title, active in (
        ("amira", "Amira Okafor", hospital, "Director of Strategy", True),
        ("bea", "Bea Broker", hospital, "Head of Partnerships", True),
        ("chris", "Chris Chief", icb, "Chief Executive", True),
        ("dan", "Dan Dunmore", council, "Director of Adult Social Care", True),
        ("eve", "Eve Evans", hospital, "Medical Director", True),
        ("larry", "Larry Left", icb, "Former Chair", False),
        ("cara", "Cara Carer", carers, "Coordinator", True),
        ("carl", "Carl Carer", carers, "Volunteer lead", True),
    ):
        person = PersonFactory(
            workspace=workspace, name=name, ref=key.upper(), job_title=title, active=active
        )
        AffiliationFactory(person=person, organisation=org)
        people[key] = person
    # A role that ended: Eve no longer works at the council (it does not count).
    AffiliationFactory(
        person=people["eve"],
        organisation=council,
        is_primary=False,
        end_date=today - datetime.timedelta(days=1),
    )
    p = people
    long_ago = today - datetime.timedelta(days=3 * 365)
    ties = {
        "amira-bea": RelationshipFactory(
            source=p["amira"], target=p["bea"], kind="collaborates", strength=4, trust=4,
            observed_on=today, evidence="Co-chair the elective recovery board",
        ),
        "chris-bea": RelationshipFactory(
            source=p["chris"], target=p["bea"], kind="trusts", strength=5, trust=5,
            evidence="Chris's sounding board",
        ),
        "amira-dan": RelationshipFactory(
            source=p["amira"], target=p["dan"], kind="influences", strength=3, trust=None,
        ),
        "dan-chris": RelationshipFactory(
            source=p["dan"], target=p["chris"], kind="collaborates", strength=5, trust=4,
        ),
        "amira-eve": RelationshipFactory(
            source=p["amira"], target=p["eve"], kind="collaborates", strength=5, trust=5,
            observed_on=long_ago,
        ),
        "eve-chris": RelationshipFactory(
            source=p["eve"], target=p["chris"], kind="reports_to", strength=4, trust=3,
        ),
        "amira-chris": RelationshipFactory(
            source=p["amira"], target=p["chris"], kind="influences", strength=1, trust=2,
        ),
        "amira-larry": RelationshipFactory(
            source=p["amira"], target=p["larry"], kind="trusts", strength=5, trust=5,
        ),
        "larry-chris": RelationshipFactory(
            source=p["larry"], target=p["chris"], kind="trusts", strength=5, trust=5,
        ),
        "cara-carl": RelationshipFactory(
            source=p["cara"], target=p["carl"], kind="collaborates", strength=4, trust=4,
        ),
    }  # fmt: skip
    # No background score runs: these tests read the data as it is.
    transaction.get_connection().run_on_commit.clear()
    return Fenwick(
        workspace=workspace,
        icb=icb,
        hospital=hospital,
        council=council,
        carers=carers,
        district=district,
        people=people,
        ties=ties,
    )


@pytest.fixture
def fenwick(workspace) -> Fenwick:
    return build_fenwick(workspace)
