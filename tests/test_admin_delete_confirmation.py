"""The admin's delete confirmation names what an editor entered and only counts the
scores, map layout and other rows the product keeps for itself; the delete still takes
all of it."""

import itertools

import pytest
from django.utils import timezone
from django.utils.html import strip_tags

from stakeholders import score_runs
from stakeholders.admin_scope import WORKING_ROWS
from stakeholders.models import (
    Affiliation,
    Invitation,
    MapPin,
    Organisation,
    OrganisationPosition,
    PersonScore,
    Role,
    RunStatus,
    Workspace,
)
from tests.conftest import admin_url as _url
from tests.conftest import make_staff
from tests.factories import (
    AffiliationFactory,
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
    RelationshipFactory,
    UserFactory,
)

SOUTH_NAME = "Zara Southby"


@pytest.fixture
def scored(workspace):
    """Two organisations of two people each, scored, with the first pinned on the map."""
    orgs = [
        OrganisationFactory(workspace=workspace, name="Northgate Hospital"),
        OrganisationFactory(workspace=workspace, name="Fenwick County Council"),
    ]
    people = [
        PersonFactory(workspace=workspace, name=name)
        for name in ("Ada Northcott", "Ben Northway", "Cal Norris", "Dee Northam")
    ]
    for i, person in enumerate(people):
        AffiliationFactory(person=person, organisation=orgs[i % 2], is_primary=True)
    for a, b in itertools.pairwise(people):
        RelationshipFactory(source=a, target=b, kind="influences")
    assert score_runs.score_run_execute(workspace_id=workspace.pk).status == RunStatus.SUCCEEDED
    MapPin.objects.create(workspace=workspace, organisation=orgs[0], x=100, y=200)
    assert OrganisationPosition.objects.filter(organisation__in=orgs).count() == 2
    return {"orgs": orgs, "people": people}


def _objects(response) -> str:
    """The confirmation page's text from its question on: the summary and what goes."""
    assert response.status_code == 200
    body = strip_tags(response.content.decode())
    assert "Are you sure you want to delete" in body
    return body.split("Are you sure you want to delete", 1)[1]


def _names_no_working_rows(body: str) -> None:
    assert "Organisation position" not in body
    assert "Map pin" not in body
    assert "Person score" not in body
    assert "Score run" not in body
    # Positions and pins are printed "... at (x, y)": none is.
    assert " at (" not in body
    assert " pinned at " not in body


def test_confirmation_names_affiliations_and_only_counts_stored_scores(
    client, staff_editor, scored
):
    client.force_login(staff_editor)
    hospital = scored["orgs"][0]

    body = _objects(client.get(_url("organisation", "delete", hospital.pk)))

    assert "Affiliation: " in body
    assert "Ada Northcott at Northgate Hospital" in body
    assert "Cal Norris at Northgate Hospital" in body
    _names_no_working_rows(body)
    # One organisation position and one map pin go with it.
    assert f"{WORKING_ROWS.capitalize()}: 2" in body
    assert "permission to delete" not in body


def test_editor_deletes_an_organisation_with_stored_scores_as_before(client, staff_editor, scored):
    client.force_login(staff_editor)
    hospital, council = scored["orgs"]

    response = client.post(_url("organisation", "delete", hospital.pk), {"post": "yes"})

    assert response.status_code == 302
    assert not Organisation.objects.filter(pk=hospital.pk).exists()
    assert not Affiliation.objects.filter(organisation_id=hospital.pk).exists()
    assert not OrganisationPosition.objects.filter(organisation_id=hospital.pk).exists()
    assert not MapPin.objects.filter(organisation_id=hospital.pk).exists()
    # Nothing else goes: the other organisation and everyone's scores stay (until rescored).
    assert OrganisationPosition.objects.filter(organisation=council).exists()
    assert PersonScore.objects.filter(person=scored["people"][0]).exists()


def test_bulk_delete_names_affiliations_only_and_deletes(client, staff_editor, scored):
    client.force_login(staff_editor)
    ids = [org.pk for org in scored["orgs"]]
    action = {"action": "delete_selected", "_selected_action": ids}

    body = _objects(client.post(_url("organisation"), action))

    assert "Ben Northway at Fenwick County Council" in body
    assert "Ada Northcott at Northgate Hospital" in body
    _names_no_working_rows(body)
    assert f"{WORKING_ROWS.capitalize()}: 3" in body

    response = client.post(_url("organisation"), action | {"post": "yes"})

    assert response.status_code == 302
    assert not Organisation.objects.filter(pk__in=ids).exists()
    assert not OrganisationPosition.objects.filter(organisation_id__in=ids).exists()


def test_superuser_deleting_a_workspace_sees_no_ones_scores(client, scored, workspace):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))

    body = _objects(client.get(_url("workspace", "delete", workspace.pk)))

    assert "Person: Ada Northcott" in body
    assert "Relationship: Ada Northcott influences Ben Northway" in body
    _names_no_working_rows(body)
    assert f"{WORKING_ROWS.capitalize()}: " in body

    assert (
        client.post(_url("workspace", "delete", workspace.pk), {"post": "yes"}).status_code == 302
    )
    assert not Workspace.objects.filter(pk=workspace.pk).exists()
    assert not PersonScore.objects.exists()


def test_superuser_deletes_a_workspace_that_invited_someone(client, scored, workspace):
    """Invitations are read-only in the admin; they still go with their workspace."""
    Invitation.objects.create(
        workspace=workspace,
        email="new@example.org",
        token_hash="0" * 64,
        expires_at=timezone.now(),
        accepted_at=timezone.now(),
    )
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))

    body = _objects(client.get(_url("workspace", "delete", workspace.pk)))

    assert "Invitation: Invitation to North Fenwick ICS" in body
    response = client.post(_url("workspace", "delete", workspace.pk), {"post": "yes"})
    assert response.status_code == 302
    assert not Workspace.objects.filter(pk=workspace.pk).exists()
    assert not Invitation.objects.exists()


def test_confirmation_never_names_a_record_of_another_workspace(
    client, staff_editor, scored, other_workspace
):
    """A tie across workspaces is refused on entry; were one in the database, deleting
    the organisation would neither name the other workspace's person nor go ahead."""
    zara = PersonFactory(workspace=other_workspace, name=SOUTH_NAME)
    hospital = scored["orgs"][0]
    AffiliationFactory(person=zara, organisation=hospital, is_primary=True)
    client.force_login(staff_editor)

    response = client.get(_url("organisation", "delete", hospital.pk))

    assert response.status_code == 200
    assert SOUTH_NAME not in response.content.decode()
    assert "permission to delete" in response.content.decode()
    response = client.post(_url("organisation", "delete", hospital.pk), {"post": "yes"})
    assert response.status_code == 403
    assert Affiliation.objects.filter(person=zara).exists()


def test_editor_of_both_workspaces_sees_the_record_named(
    client, scored, workspace, other_workspace
):
    """Someone who edits both workspaces may see (and delete) what spans them."""
    user = make_staff(UserFactory(username="both"))
    MembershipFactory(user=user, workspace=workspace, role=Role.EDITOR)
    MembershipFactory(user=user, workspace=other_workspace, role=Role.EDITOR)
    zara = PersonFactory(workspace=other_workspace, name=SOUTH_NAME)
    hospital = scored["orgs"][0]
    AffiliationFactory(person=zara, organisation=hospital, is_primary=True)
    client.force_login(user)

    body = _objects(client.get(_url("organisation", "delete", hospital.pk)))

    assert f"{SOUTH_NAME} at Northgate Hospital" in body
