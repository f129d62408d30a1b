"""The members page and the membership services: roles, the last owner, history."""

import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse

from stakeholders.members.services import (
    LAST_OWNER_MESSAGE,
    membership_change_role,
    membership_history,
    membership_remove,
)
from stakeholders.models import Membership, Role
from tests.factories import MembershipFactory, UserFactory

HTMX = {"HX-Request": "true"}


def members_url(workspace):
    return reverse("stakeholders:members", kwargs={"slug": workspace.slug})


def invite_url(workspace):
    return reverse("stakeholders:member_invite", kwargs={"slug": workspace.slug})


def role_url(membership):
    return reverse(
        "stakeholders:member_role", kwargs={"slug": membership.workspace.slug, "pk": membership.pk}
    )


def remove_url(membership):
    return reverse(
        "stakeholders:member_remove",
        kwargs={"slug": membership.workspace.slug, "pk": membership.pk},
    )


def membership_of(user, workspace):
    return Membership.objects.get(user=user, workspace=workspace)


@pytest.fixture
def newcomer(db):
    return UserFactory(username="newcomer", email="New.Comer@example.nhs.uk")


# The page


@pytest.mark.parametrize("role_fixture", ["viewer", "editor", "owner"])
def test_every_member_sees_the_members(client, request, role_fixture, owner, workspace):
    user = request.getfixturevalue(role_fixture)
    client.force_login(user)
    response = client.get(members_url(workspace))
    assert response.status_code == 200
    body = response.content.decode()
    assert "owner@example.nhs.uk" in body
    assert f'{user.username}</bdi> <span class="app-table-secondary">(you)' in body
    if role_fixture == "owner":
        assert f'action="{invite_url(workspace)}"' in body
    else:
        assert invite_url(workspace) not in body
        assert "Only owners can add, change or remove members." in body


def test_members_page_is_in_the_workspace_navigation(client, viewer, workspace):
    client.force_login(viewer)
    body = client.get(reverse("stakeholders:overview", kwargs={"slug": workspace.slug}))
    assert f'href="{members_url(workspace)}"' in body.content.decode()


def test_outsider_and_anonymous_cannot_see_members(client, outsider, owner, workspace):
    response = client.get(members_url(workspace))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    client.force_login(outsider)
    response = client.get(members_url(workspace))
    assert response.status_code == 404
    assert "owner@example.nhs.uk" not in response.content.decode()


def test_htmx_request_gets_the_region_only(client, owner, workspace):
    client.force_login(owner)
    body = client.get(members_url(workspace), headers=HTMX).content.decode()
    assert body.lstrip().startswith('<div id="members-region">')


# Adding members


def test_the_invite_form_takes_an_email_address_only(client, owner, workspace, newcomer):
    """A username is not an address: the form answers the same for any name (no lookup)."""
    client.force_login(owner)
    for name in ("newcomer", "nobody-here"):
        response = client.post(invite_url(workspace), {"email": name, "role": "editor"})
        assert response.status_code == 400
        body = response.content.decode()
        assert "Enter an email address in the correct format" in body
        assert "no account" not in body
    assert not Membership.objects.filter(user=newcomer).exists()


# Changing roles and removing


def test_owner_changes_a_role_and_history_shows_before_and_after(client, owner, editor, workspace):
    client.force_login(owner)
    response = client.post(role_url(membership_of(editor, workspace)), {"role": "viewer"})
    assert response.status_code == 302
    assert membership_of(editor, workspace).role == Role.VIEWER
    latest = membership_history(workspace=workspace)[0]
    assert (latest.by, latest.member, latest.action, latest.before, latest.after) == (
        "owner",
        "editor",
        "Role changed",
        "Editor",
        "Viewer",
    )
    page = client.get(members_url(workspace)).content.decode()
    assert "Role changed" in page


def test_owner_removes_a_member_and_history_records_it(client, owner, viewer, workspace):
    client.force_login(owner)
    response = client.post(remove_url(membership_of(viewer, workspace)))
    assert response.status_code == 302
    assert not Membership.objects.filter(user=viewer, workspace=workspace).exists()
    latest = membership_history(workspace=workspace)[0]
    assert (latest.by, latest.member, latest.action, latest.before) == (
        "owner",
        "viewer",
        "Removed",
        "Viewer",
    )


def test_last_owner_cannot_be_demoted_or_removed(client, owner, workspace):
    client.force_login(owner)
    mine = membership_of(owner, workspace)
    for response in (
        client.post(role_url(mine), {"role": "editor"}),
        client.post(remove_url(mine)),
    ):
        assert response.status_code == 400
        assert "A workspace needs at least one owner." in response.content.decode()
    assert membership_of(owner, workspace).role == Role.OWNER


def test_owner_steps_down_when_another_owner_remains(client, owner, workspace):
    second = UserFactory(username="second")
    MembershipFactory(user=second, workspace=workspace, role=Role.OWNER)
    client.force_login(owner)
    response = client.post(role_url(membership_of(owner, workspace)), {"role": "viewer"})
    assert response.status_code == 302
    assert membership_of(owner, workspace).role == Role.VIEWER
    # Now a viewer: the forms are gone and further changes are refused.
    page = client.get(members_url(workspace)).content.decode()
    assert invite_url(workspace) not in page
    refused = client.post(role_url(membership_of(owner, workspace)), {"role": "owner"})
    assert refused.status_code == 403
    assert membership_of(owner, workspace).role == Role.VIEWER


def test_owner_leaving_goes_home(client, owner, workspace):
    second = UserFactory(username="second")
    MembershipFactory(user=second, workspace=workspace, role=Role.OWNER)
    client.force_login(owner)
    response = client.post(remove_url(membership_of(owner, workspace)))
    assert response.status_code == 302
    assert response["Location"] == reverse("stakeholders:home")
    assert client.get(members_url(workspace)).status_code == 404


@pytest.mark.parametrize("role_fixture", ["viewer", "editor"])
def test_members_who_are_not_owners_get_403_with_a_reason(
    client, request, role_fixture, owner, workspace, newcomer
):
    user = request.getfixturevalue(role_fixture)
    client.force_login(user)
    mine = membership_of(user, workspace)
    owners = membership_of(owner, workspace)
    attempts = [
        client.post(invite_url(workspace), {"email": "new.comer@example.nhs.uk", "role": "owner"}),
        client.post(role_url(mine), {"role": "owner"}),
        client.post(role_url(owners), {"role": "viewer"}),
        client.post(remove_url(owners)),
    ]
    for response in attempts:
        assert response.status_code == 403
        assert "Only owners of this workspace can add, change or remove members." in (
            response.content.decode()
        )
    assert membership_of(user, workspace).role == mine.role
    assert membership_of(owner, workspace).role == Role.OWNER
    assert not Membership.objects.filter(user=newcomer).exists()


def test_outsider_posts_answer_404_and_change_nothing(client, outsider, owner, workspace):
    client.force_login(outsider)
    owners = membership_of(owner, workspace)
    for url, data in (
        (invite_url(workspace), {"email": "outsider@example.nhs.uk", "role": "owner"}),
        (role_url(owners), {"role": "viewer"}),
        (remove_url(owners), {}),
    ):
        assert client.post(url, data).status_code == 404
    assert membership_of(owner, workspace).role == Role.OWNER
    assert not Membership.objects.filter(user=outsider, workspace=workspace).exists()


def test_owner_cannot_touch_a_membership_of_another_workspace(
    client, owner, outsider, workspace, other_workspace
):
    client.force_login(owner)
    theirs = membership_of(outsider, other_workspace)
    # The other workspace's membership id under this workspace's slug: 404.
    url = reverse("stakeholders:member_remove", kwargs={"slug": workspace.slug, "pk": theirs.pk})
    assert client.post(url).status_code == 404
    url = reverse("stakeholders:member_role", kwargs={"slug": workspace.slug, "pk": theirs.pk})
    assert client.post(url, {"role": "viewer"}).status_code == 404
    assert membership_of(outsider, other_workspace).role == Role.EDITOR


def test_member_pages_refuse_get_on_post_urls(client, owner, workspace):
    client.force_login(owner)
    assert client.get(invite_url(workspace)).status_code == 405
    assert client.get(remove_url(membership_of(owner, workspace))).status_code == 405


def test_forms_need_csrf(owner, workspace, newcomer):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(owner)
    response = strict.post(
        invite_url(workspace), {"email": "new.comer@example.nhs.uk", "role": "viewer"}
    )
    assert response.status_code == 403
    assert not Membership.objects.filter(user=newcomer).exists()


# The services


def test_services_refuse_anyone_but_an_owner(editor, owner, workspace, newcomer):
    target = membership_of(owner, workspace)
    with pytest.raises(PermissionDenied):
        membership_change_role(
            workspace=workspace, by=editor, membership_id=target.pk, role="viewer"
        )
    with pytest.raises(PermissionDenied):
        membership_change_role(
            workspace=workspace,
            by=editor,
            membership_id=membership_of(editor, workspace).pk,
            role="owner",
        )
    with pytest.raises(PermissionDenied):
        membership_remove(workspace=workspace, by=editor, membership_id=target.pk)
    assert membership_of(editor, workspace).role == Role.EDITOR


def test_service_keeps_the_last_owner(owner, workspace):
    mine = membership_of(owner, workspace)
    with pytest.raises(ValidationError) as demoted:
        membership_change_role(workspace=workspace, by=owner, membership_id=mine.pk, role="viewer")
    assert demoted.value.message_dict == {"role": [LAST_OWNER_MESSAGE]}
    with pytest.raises(ValidationError):
        membership_remove(workspace=workspace, by=owner, membership_id=mine.pk)
    assert membership_of(owner, workspace).role == Role.OWNER


def test_two_owners_demoting_each_other_in_turn_leave_one_owner(owner, workspace):
    second = UserFactory(username="second")
    theirs = MembershipFactory(user=second, workspace=workspace, role=Role.OWNER)
    mine = membership_of(owner, workspace)
    membership_change_role(workspace=workspace, by=owner, membership_id=theirs.pk, role="viewer")
    # The second owner's request was made while they were still an owner; it arrives after.
    with pytest.raises(PermissionDenied):
        membership_change_role(workspace=workspace, by=second, membership_id=mine.pk, role="viewer")
    assert Membership.objects.filter(workspace=workspace, role=Role.OWNER).count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_demotions_never_leave_no_owner(workspace):
    """Two owners demote each other from two threads at once: one wins, one is refused."""
    first = UserFactory(username="first")
    second = UserFactory(username="second")
    a = MembershipFactory(user=first, workspace=workspace, role=Role.OWNER)
    b = MembershipFactory(user=second, workspace=workspace, role=Role.OWNER)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def demote(by, target_pk):
        barrier.wait()
        try:
            membership_change_role(
                workspace=workspace, by=by, membership_id=target_pk, role="viewer"
            )
            outcomes.append("changed")
        except (PermissionDenied, ValidationError):
            outcomes.append("refused")
        except Exception as exc:  # SQLite: a writer that cannot get the lock gives up.
            outcomes.append(f"failed: {type(exc).__name__}")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=demote, args=(first, b.pk)),
        threading.Thread(target=demote, args=(second, a.pk)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(outcomes) == 2
    assert outcomes.count("changed") <= 1
    assert Membership.objects.filter(workspace=workspace, role=Role.OWNER).count() >= 1


def test_history_is_read_in_two_queries(owner, workspace, django_assert_num_queries):
    for i in range(5):
        added = Membership(workspace=workspace, user=UserFactory(username=f"member{i}"))
        added._history_user = owner
        added.save()
    with django_assert_num_queries(2):
        events = membership_history(workspace=workspace)
    added = [e for e in events if e.action == "Added" and e.by == "owner"]
    assert len(added) == 5
