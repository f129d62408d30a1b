import datetime

import pytest

from stakeholders import score_runs
from stakeholders.models import Forum, ForumMembership, Sector
from tests.factories import (
    AffiliationFactory,
    OrganisationFactory,
    PersonFactory,
    RelationshipFactory,
)


@pytest.fixture
def forum_map(workspace):
    """A small map: a broker with no seat, a seated person with no reach, a joint post.

    Hospital: Hana (seat on the board), Hugo. Council: Cora (joint post, also at the
    hospital), Cyril. Charity: Vera. Bea (hospital) is the informal broker: tied to
    someone in every organisation, and on no forum.
    """
    hospital = OrganisationFactory(workspace=workspace, name="Northgate Hospital", short_name="")
    council = OrganisationFactory(
        workspace=workspace, name="Fenwick Council", short_name="", sector=Sector.LOCAL_GOVERNMENT
    )
    charity = OrganisationFactory(
        workspace=workspace, name="Fenwick Carers", short_name="", sector=Sector.VCSE
    )
    people = {}
    for name, org in (
        ("Hana", hospital),
        ("Hugo", hospital),
        ("Bea", hospital),
        ("Cora", council),
        ("Cyril", council),
        ("Vera", charity),
    ):
        people[name] = PersonFactory(workspace=workspace, name=name)
        AffiliationFactory(person=people[name], organisation=org)
    AffiliationFactory(person=people["Cora"], organisation=hospital, is_primary=False)
    for a, b in (("Bea", "Cyril"), ("Bea", "Vera"), ("Bea", "Hugo"), ("Cora", "Cyril")):
        RelationshipFactory(source=people[a], target=people[b])
    board = Forum.objects.create(
        workspace=workspace, name="Fenwick Board", kind="icb_board", tier="system", host=hospital
    )
    team = Forum.objects.create(
        workspace=workspace, name="Marsh Team", kind="neighbourhood_team", tier="neighbourhood"
    )
    ForumMembership.objects.create(forum=board, person=people["Hana"], seat="chair")
    ForumMembership.objects.create(forum=board, person=people["Cyril"])
    ForumMembership.objects.create(forum=team, person=people["Hana"])
    ForumMembership.objects.create(forum=team, person=people["Cyril"])
    # An ended seat is history: not a seat today.
    ForumMembership.objects.create(
        forum=team,
        person=people["Bea"],
        start_date=datetime.date(2020, 1, 1),
        end_date=datetime.date(2021, 1, 1),
    )
    score_runs.score_run_execute(workspace_id=workspace.pk)
    return {"people": people, "board": board, "team": team, "hospital": hospital}
