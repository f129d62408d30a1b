"""HEAD is served wherever GET is: the same status and headers, and no body."""

import itertools

import pytest
from django.test import Client
from django.urls import reverse

from stakeholders import score_runs
from stakeholders.models import Role
from tests.factories import (
    AffiliationFactory,
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
    RelationshipFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

# The CSP header carries a fresh nonce on every response, and Expires (never_cache) is
# the moment of the response, which may fall in the next second.
VARIES = {"Content-Security-Policy", "Expires"}


@pytest.fixture
def owner_client(workspace):
    org = OrganisationFactory(workspace=workspace)
    people = [PersonFactory(workspace=workspace) for _ in range(4)]
    for person in people:
        AffiliationFactory(person=person, organisation=org)
    for a, b in itertools.pairwise(people):
        RelationshipFactory(source=a, target=b)
    score_runs.score_run_execute(workspace_id=workspace.pk)
    user = UserFactory(username="owner")
    MembershipFactory(user=user, workspace=workspace, role=Role.OWNER)
    client = Client()
    client.force_login(user)
    return client, {"person": people[0].pk, "org": org.pk}


def _pages(slug: str, ids: dict) -> list[str]:
    def url(name: str, **kwargs) -> str:
        return reverse(f"stakeholders:{name}", kwargs={"slug": slug, **kwargs})

    return [
        reverse("stakeholders:home"),
        url("overview"),
        url("map"),
        url("map_svg"),
        url("brokers") + "?boundary=sector",
        url("workspace_detail"),
        url("person_detail", pk=ids["person"]),
        url("organisation_detail", pk=ids["org"]),
        url("person_erase", pk=ids["person"]),
        url("workspace_settings"),
        url("import_upload"),
        url("export_csv", kind="brokers"),
        url("export_graph", format="gexf"),
        url("scenario_route"),
        url("overview") + "?boundary=nonsense",  # a 400 page
        url("person_detail", pk=999_999),  # a 404 page
    ]


def _body(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def test_head_answers_as_get_does_without_a_body(owner_client, workspace):
    client, ids = owner_client
    for path in _pages(workspace.slug, ids):
        get = client.get(path)
        head = client.head(path)

        assert head.status_code == get.status_code, path
        assert {k: v for k, v in head.items() if k not in VARIES} == {
            k: v for k, v in get.items() if k not in VARIES
        }, path
        assert _body(head) == b"", path


def test_head_signs_in_as_get_does(client, workspace):
    path = reverse("stakeholders:overview", kwargs={"slug": workspace.slug})

    response = client.head(path)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_head_is_refused_where_get_is(owner_client, workspace):
    client, _ = owner_client
    path = reverse("stakeholders:member_invite", kwargs={"slug": workspace.slug})

    assert client.get(path).status_code == 405
    assert client.head(path).status_code == 405
