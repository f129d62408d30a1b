"""Forums in the data-entry admin: scoped, with history, optimistic locking and seats inline."""

import pytest
from django.test import Client
from django.urls import reverse

from stakeholders.models import Forum, ForumMembership, Role
from tests.factories import MembershipFactory, OrganisationFactory, PersonFactory, UserFactory
from tests.test_locking import CONFLICT, _load

pytestmark = pytest.mark.django_db


def staff_client(workspace, username, role=Role.EDITOR) -> Client:
    user = UserFactory(username=username, is_staff=True)
    MembershipFactory(user=user, workspace=workspace, role=role)
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def board(workspace):
    forum = Forum.objects.create(
        workspace=workspace, name="North Board", kind="icb_board", tier="system"
    )
    ForumMembership.objects.create(forum=forum, person=PersonFactory(workspace=workspace))
    return forum


def test_editors_see_only_their_workspaces_forums_and_seats(workspace, other_workspace, board):
    south = Forum.objects.create(
        workspace=other_workspace, name="South Board", kind="icb_board", tier="system"
    )
    ForumMembership.objects.create(forum=south, person=PersonFactory(workspace=other_workspace))
    client = staff_client(workspace, "ed")
    for model in ("forum", "forummembership"):
        html = client.get(reverse(f"admin:stakeholders_{model}_changelist")).content.decode()
        assert "North Board" in html
        assert "South Board" not in html
    change = reverse("admin:stakeholders_forum_change", args=[south.pk])
    assert client.get(change).status_code == 302  # the missing-id answer


def test_viewers_have_no_forum_admin(workspace, board):
    client = staff_client(workspace, "vi", Role.VIEWER)
    assert client.get(reverse("admin:stakeholders_forum_changelist")).status_code == 403


def test_the_second_save_of_a_forum_is_refused_and_history_kept(workspace, board):
    alice, bob = staff_client(workspace, "alice"), staff_client(workspace, "bob")
    url = reverse("admin:stakeholders_forum_change", args=[board.pk])
    alice_form, bob_form = _load(alice, url), _load(bob, url)
    assert alice.post(url, alice_form | {"name": "Alice Board"}).status_code == 302
    second = bob.post(url, bob_form | {"name": "Bob Board"})
    assert second.status_code == 200
    assert CONFLICT.search(second.content.decode())
    board.refresh_from_db()
    assert (board.name, board.version) == ("Alice Board", 2)
    assert board.history.count() == 2
    history = reverse("admin:stakeholders_forum_history", args=[board.pk])
    assert alice.get(history).status_code == 200


def test_a_seat_for_someone_in_another_workspace_is_refused(workspace, other_workspace, board):
    stranger = PersonFactory(workspace=other_workspace)
    seat = ForumMembership(forum=board, person=stranger)
    with pytest.raises(Exception, match="forum's workspace"):
        seat.full_clean()


def test_a_host_in_another_workspace_is_refused(workspace, other_workspace, board):
    board.host = OrganisationFactory(workspace=other_workspace)
    with pytest.raises(Exception, match="same workspace"):
        board.full_clean()
