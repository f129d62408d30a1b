"""Any signed-in user can create a workspace and becomes its owner."""

import pytest
from django.urls import reverse

from stakeholders.members.services import workspace_create
from stakeholders.models import Membership, Role, Workspace
from tests.factories import UserFactory, WorkspaceFactory

URL = reverse("stakeholders:workspace_new")


@pytest.fixture
def someone(client, db):
    user = UserFactory()
    client.force_login(user)
    return user


def test_the_form_is_offered_from_the_home_page(client, someone):
    assert URL in client.get(reverse("stakeholders:home")).content.decode()
    page = client.get(URL)
    assert page.status_code == 200
    assert "Create a workspace" in page.content.decode()


def test_creating_a_workspace_makes_its_creator_the_owner(client, someone):
    response = client.post(URL, {"name": "  Marsh  Vale Place Partnership "})

    workspace = Workspace.objects.get(name="Marsh Vale Place Partnership")
    assert workspace.slug == "marsh-vale-place-partnership"
    assert response.status_code == 302 and response.url == workspace.get_absolute_url()
    assert list(Membership.objects.filter(workspace=workspace).values_list("user", "role")) == [
        (someone.pk, Role.OWNER)
    ]
    overview = client.get(response.url)
    assert overview.status_code == 200
    assert "you are its owner" in overview.content.decode()


def test_a_taken_address_gets_a_number(db):
    WorkspaceFactory(slug="fenwick")
    WorkspaceFactory(slug="fenwick-2")
    user = UserFactory()
    assert workspace_create(user=user, name="Fenwick").slug == "fenwick-3"
    assert workspace_create(user=user, name="!!!").slug == "workspace"


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "This field cannot be blank."),
        ("   ", "This field cannot be blank."),
        ("x" * 201, "at most 200 characters"),
        ("Fenwick\x1bPartnership", "U+001B"),
    ],
)
def test_a_bad_name_is_refused_beside_the_field(client, someone, name, message):
    response = client.post(URL, {"name": name})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert 'href="#id_name"' in response.content.decode()
    assert not Workspace.objects.exists()
    assert not Membership.objects.exists()


def test_signed_out_visitors_are_sent_to_log_in(client, db):
    response = client.post(URL, {"name": "Fenwick"})
    assert response.status_code == 302 and reverse("login") in response.url
    assert not Workspace.objects.exists()
