"""Invitations by email: the owner's form, the emailed link, and joining through it."""

import hashlib
import re
import smtplib
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from stakeholders.members import invitations as invitation_services
from stakeholders.members.invitations import (
    HOURLY_LIMIT,
    InvitationState,
    invitation_create,
    invitation_state,
    token_hash,
)
from stakeholders.models import Invitation, Membership, Role
from tests.factories import PASSWORD, MembershipFactory, UserFactory

HTMX = {"HX-Request": "true"}
ADDRESS = "new.person@example.nhs.uk"
LINK = re.compile(r"(https?://\S+?/invitations/([A-Za-z0-9_-]+)/)")
ACCEPT = "/invitations/accept/"


def invite_url(workspace):
    return reverse("stakeholders:member_invite", kwargs={"slug": workspace.slug})


def members_url(workspace):
    return reverse("stakeholders:members", kwargs={"slug": workspace.slug})


def action_url(invitation, action):
    return reverse(
        f"stakeholders:member_invitation_{action}",
        kwargs={"slug": invitation.workspace.slug, "pk": invitation.pk},
    )


def link_in(message) -> tuple[str, str]:
    """The link in an invitation email, and its token."""
    match = LINK.search(message.body)
    assert match, message.body
    return match[1], match[2]


def link_for(token: str) -> str:
    return f"https://im.example.nhs.uk/invitations/{token}/"


def invite(workspace, owner, email=ADDRESS, role=Role.EDITOR) -> Invitation:
    return invitation_create(
        workspace=workspace, by=owner, email=email, role=role, link_for=link_for
    )


def day(moment) -> str:
    return invitation_services.day(moment)


# The owner invites


def test_owner_invites_an_address_and_it_gets_a_single_link(client, owner, workspace, mailoutbox):
    client.force_login(owner)
    response = client.post(invite_url(workspace), {"email": f" {ADDRESS} ", "role": "editor"})

    assert response.status_code == 302
    assert response["Location"] == members_url(workspace)
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.role, invitation.invited_by) == (
        ADDRESS,
        Role.EDITOR,
        owner,
    )
    assert invitation.expires_at - invitation.created_at == pytest.approx(
        timedelta(days=7), abs=timedelta(seconds=5)
    )
    page = client.get(members_url(workspace)).content.decode()
    assert (
        f"We have sent an invitation to {ADDRESS}. It expires on {day(invitation.expires_at)}."
        in page
    )
    # Nobody became a member yet.
    assert Membership.objects.filter(workspace=workspace).count() == 1

    [message] = mailoutbox
    assert message.to == [ADDRESS]
    assert message.subject == "You are invited to North Fenwick ICS on Influence Map"
    assert message.content_subtype == "plain"
    assert "as editor" in message.body
    assert f"expires on {day(invitation.expires_at)}" in message.body
    link, token = link_in(message)
    assert link == f"http://testserver/invitations/{token}/"
    # Only the hash is stored.
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(list(Invitation.objects.values_list()))


def test_pending_invitations_are_listed_for_owners_only(client, owner, viewer, workspace):
    invitation = invite(workspace, owner)
    client.force_login(owner)
    page = client.get(members_url(workspace)).content.decode()
    assert f'data-invitation="{ADDRESS}"' in page
    assert day(invitation.expires_at) in page
    assert action_url(invitation, "resend") in page
    assert action_url(invitation, "cancel") in page

    client.force_login(viewer)
    page = client.get(members_url(workspace)).content.decode()
    assert ADDRESS not in page


def test_the_answer_is_the_same_whether_or_not_an_account_has_the_address(
    client, owner, workspace, mailoutbox
):
    UserFactory(username="existing", email="has.account@example.nhs.uk")
    client.force_login(owner)
    answers = []
    for email in ("has.account@example.nhs.uk", "no.account@example.nhs.uk"):
        response = client.post(invite_url(workspace), {"email": email, "role": "viewer"})
        page = client.get(members_url(workspace)).content.decode()
        notice = re.search(r"We have sent an invitation to ([^ ]+)\. It expires on ([^<]+)\.", page)
        answers.append((response.status_code, response["Location"], notice[1], notice[2]))

    assert [a[:2] for a in answers] == [(302, members_url(workspace))] * 2
    assert [a[2] for a in answers] == ["has.account@example.nhs.uk", "no.account@example.nhs.uk"]
    assert answers[0][3] == answers[1][3]
    assert [m.to for m in mailoutbox] == [
        ["has.account@example.nhs.uk"],
        ["no.account@example.nhs.uk"],
    ]
    first, second = (LINK.sub("<link>", m.body) for m in mailoutbox)
    assert first == second
    # The existing account is not added until its owner accepts.
    assert not Membership.objects.filter(user__username="existing").exists()


def test_htmx_invite_answers_with_the_region_and_a_notice(client, owner, workspace, mailoutbox):
    client.force_login(owner)
    response = client.post(
        invite_url(workspace), {"email": ADDRESS, "role": "viewer"}, headers=HTMX
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="members-region">')
    assert f"We have sent an invitation to {ADDRESS}." in body
    assert f'data-invitation="{ADDRESS}"' in body


@pytest.mark.parametrize(
    ("email", "role", "message"),
    [
        ("", "viewer", "Enter the email address of the person to invite."),
        ("not-an-address", "viewer", "Enter an email address in the correct format"),
        (ADDRESS, "admin", "Choose viewer, editor or owner."),
        ("Viewer@Example.nhs.uk", "viewer", "A member of this workspace already has this email"),
    ],
)
def test_invite_errors_are_clear(
    client, owner, viewer, workspace, mailoutbox, email, role, message
):
    client.force_login(owner)
    response = client.post(invite_url(workspace), {"email": email, "role": role})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Invitation.objects.exists()
    assert mailoutbox == []


def test_inviting_the_same_address_again_replaces_the_earlier_link(
    client, owner, workspace, mailoutbox
):
    first = invite(workspace, owner, role=Role.VIEWER)
    second = invite(workspace, owner, email="New.Person@example.nhs.uk", role=Role.OWNER)
    first.refresh_from_db()
    assert first.cancelled_at is not None
    assert second.role == Role.OWNER
    _, old_token = link_in(mailoutbox[0])
    response = client.get(f"/invitations/{old_token}/", follow=True)
    assert response.status_code == 410


def test_invitations_are_limited_per_workspace_per_hour(client, owner, workspace, mailoutbox):
    for i in range(HOURLY_LIMIT):
        invite(workspace, owner, email=f"person{i}@example.nhs.uk")
    mailoutbox.clear()
    client.force_login(owner)
    response = client.post(invite_url(workspace), {"email": ADDRESS, "role": "viewer"})
    assert response.status_code == 429
    assert f"This workspace has sent {HOURLY_LIMIT} invitations in the last hour" in (
        response.content.decode()
    )
    assert mailoutbox == []
    # An hour later the workspace may send again.
    Invitation.objects.update(expires_at=timezone.now() + timedelta(days=7, hours=-1))
    assert (
        client.post(invite_url(workspace), {"email": ADDRESS, "role": "viewer"}).status_code == 302
    )


def test_an_email_that_cannot_be_sent_is_reported_and_leaves_no_invitation(
    client, owner, workspace, monkeypatch
):
    def refuse(**kwargs):
        raise smtplib.SMTPServerDisconnected("gone")

    monkeypatch.setattr(invitation_services, "send_mail", refuse)
    client.force_login(owner)
    response = client.post(invite_url(workspace), {"email": ADDRESS, "role": "viewer"})
    assert response.status_code == 400
    assert "The invitation could not be sent" in response.content.decode()
    assert not Invitation.objects.exists()


def test_a_refused_address_stays_out_of_the_log(client, owner, workspace, monkeypatch, caplog):
    """smtplib's SMTPRecipientsRefused carries the address in its text and traceback."""

    def refuse(**kwargs):
        raise smtplib.SMTPRecipientsRefused({ADDRESS: (550, f"<{ADDRESS}> rejected".encode())})

    monkeypatch.setattr(invitation_services, "send_mail", refuse)
    client.force_login(owner)
    with caplog.at_level("WARNING"):
        response = client.post(invite_url(workspace), {"email": ADDRESS, "role": "viewer"})
    assert response.status_code == 400
    assert "the email could not be sent (SMTPRecipientsRefused)" in caplog.text
    assert ADDRESS not in caplog.text
    # The owner is told the address was refused, not that the server did not answer.
    assert "The email server refused this address: check it, then try again." in (
        response.content.decode()
    )
    assert not Invitation.objects.exists()


def test_when_a_resend_cannot_be_sent_the_earlier_link_keeps_working(
    client, owner, workspace, mailoutbox, monkeypatch
):
    invitation = invite(workspace, owner)
    _, token = link_in(mailoutbox[0])

    def refuse(**kwargs):
        raise ConnectionRefusedError

    monkeypatch.setattr(invitation_services, "send_mail", refuse)
    client.force_login(owner)
    assert client.post(action_url(invitation, "resend")).status_code == 400
    # Inviting the address again fails the same way and leaves the first invitation be.
    assert (
        client.post(invite_url(workspace), {"email": ADDRESS, "role": "owner"}).status_code == 400
    )
    invitation.refresh_from_db()
    assert invitation.token_hash == token_hash(token)
    assert invitation_state(invitation) == InvitationState.PENDING
    assert Invitation.objects.count() == 1


# Resend and cancel


def test_resend_sends_a_new_link_and_the_old_one_stops_working(
    client, owner, workspace, mailoutbox
):
    invitation = invite(workspace, owner)
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() + timedelta(days=1)
    )
    _, old_token = link_in(mailoutbox[0])
    client.force_login(owner)
    response = client.post(action_url(invitation, "resend"))
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.expires_at > timezone.now() + timedelta(days=6, hours=23)
    page = client.get(members_url(workspace)).content.decode()
    assert f"We have sent a new invitation to {ADDRESS}." in page
    assert "The link in the earlier email no longer works." in page
    _, new_token = link_in(mailoutbox[1])
    assert new_token != old_token
    assert invitation.token_hash == token_hash(new_token)

    client.logout()
    old = client.get(f"/invitations/{old_token}/", follow=True)
    assert old.status_code == 404
    assert "This invitation link does not work" in old.content.decode()
    new = client.get(f"/invitations/{new_token}/", follow=True)
    assert new.status_code == 200
    assert "Join <bdi>North Fenwick ICS</bdi> as editor" in new.content.decode()


def test_resending_an_expired_invitation_renews_it(client, owner, workspace, mailoutbox):
    invitation = invite(workspace, owner)
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(days=1)
    )
    client.force_login(owner)
    assert "Expired on" in client.get(members_url(workspace)).content.decode()
    assert client.post(action_url(invitation, "resend")).status_code == 302
    invitation.refresh_from_db()
    assert invitation_state(invitation) == InvitationState.PENDING


def test_cancel_stops_the_link(client, owner, workspace, mailoutbox):
    invitation = invite(workspace, owner)
    _, token = link_in(mailoutbox[0])
    client.force_login(owner)
    response = client.post(action_url(invitation, "cancel"), headers=HTMX)
    assert response.status_code == 200
    assert f"The invitation to {ADDRESS} is cancelled" in response.content.decode()
    assert f'data-invitation="{ADDRESS}"' not in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.cancelled_at is not None
    # Cancelled twice, or resent after cancelling: nothing to act on.
    assert client.post(action_url(invitation, "cancel")).status_code == 404
    assert client.post(action_url(invitation, "resend")).status_code == 404

    client.logout()
    page = client.get(f"/invitations/{token}/", follow=True)
    assert page.status_code == 410
    body = page.content.decode()
    assert "was cancelled" in body
    assert "send you a new invitation" in body


def test_an_invitation_of_another_workspace_is_404(
    client, owner, workspace, other_workspace, outsider
):
    theirs = invite(
        other_workspace, MembershipFactory(workspace=other_workspace, role=Role.OWNER).user
    )
    client.force_login(owner)
    for action in ("cancel", "resend"):
        url = reverse(
            f"stakeholders:member_invitation_{action}",
            kwargs={"slug": workspace.slug, "pk": theirs.pk},
        )
        assert client.post(url).status_code == 404
    theirs.refresh_from_db()
    assert theirs.cancelled_at is None


@pytest.mark.parametrize("role_fixture", ["viewer", "editor"])
def test_members_who_are_not_owners_get_403(
    client, request, role_fixture, owner, workspace, mailoutbox
):
    invitation = invite(workspace, owner)
    mailoutbox.clear()
    client.force_login(request.getfixturevalue(role_fixture))
    for url, data in (
        (invite_url(workspace), {"email": "other@example.nhs.uk", "role": "owner"}),
        (action_url(invitation, "cancel"), {}),
        (action_url(invitation, "resend"), {}),
    ):
        response = client.post(url, data)
        assert response.status_code == 403
        assert "Only owners of this workspace" in response.content.decode()
    assert Invitation.objects.count() == 1
    assert mailoutbox == []


def test_outsiders_get_404_and_anonymous_visitors_log_in(client, outsider, owner, workspace):
    invitation = invite(workspace, owner)
    urls = [
        invite_url(workspace),
        action_url(invitation, "cancel"),
        action_url(invitation, "resend"),
    ]
    for url in urls:
        response = client.post(url, {"email": ADDRESS, "role": "owner"})
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    client.force_login(outsider)
    for url in urls:
        assert client.post(url, {"email": ADDRESS, "role": "owner"}).status_code == 404


def test_forms_need_csrf(owner, workspace):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(owner)
    response = strict.post(invite_url(workspace), {"email": ADDRESS, "role": "viewer"})
    assert response.status_code == 403
    assert not Invitation.objects.exists()


def test_the_service_refuses_anyone_but_an_owner(editor, workspace):
    with pytest.raises(PermissionDenied):
        invite(workspace, editor)
    assert not Invitation.objects.exists()


# The invitee follows the link


def open_link(client, token):
    response = client.get(f"/invitations/{token}/")
    assert response.status_code == 302
    # The token leaves the address at once (kept out of Referer headers and later pages).
    assert response["Location"] == ACCEPT
    return client.get(ACCEPT)


def test_signed_in_user_joins_with_their_account(client, owner, workspace, mailoutbox):
    invite(workspace, owner, role=Role.EDITOR)
    _, token = link_in(mailoutbox[0])
    someone = UserFactory(username="sam", email="sam.other@example.nhs.uk")
    client.force_login(someone)

    page = open_link(client, token)
    body = page.content.decode()
    assert page.status_code == 200
    assert "Join <bdi>North Fenwick ICS</bdi> as editor" in body
    # The addresses differ: the page says which account will join.
    assert "You are logged in as <strong><bdi>sam</bdi></strong>" in body
    assert token not in body

    response = client.post(ACCEPT, {"action": "join"})
    assert response.status_code == 302
    assert response["Location"] == workspace.get_absolute_url()
    assert Membership.objects.get(user=someone, workspace=workspace).role == Role.EDITOR
    invitation = Invitation.objects.get()
    assert invitation.accepted_by == someone
    assert invitation.accepted_at is not None
    overview = client.get(response["Location"]).content.decode()
    assert "You have joined North Fenwick ICS as editor." in overview

    # The link works once: for the same account it leads to the workspace...
    again = client.get(f"/invitations/{token}/", follow=True)
    assert again.redirect_chain[-1][0] == workspace.get_absolute_url()
    # ...and for anyone else it says it has been used.
    client.logout()
    used = client.get(f"/invitations/{token}/", follow=True)
    assert used.status_code == 410
    assert "has been used already" in used.content.decode()


def test_new_person_creates_an_account_and_joins(client, owner, workspace, mailoutbox):
    invite(workspace, owner, role=Role.VIEWER)
    _, token = link_in(mailoutbox[0])

    page = open_link(client, token)
    body = page.content.decode()
    assert f'value="{ADDRESS}"' in body  # the email address, filled in
    assert f'href="{reverse("login")}?next={ACCEPT}"' in body

    refused = client.post(
        ACCEPT,
        {
            "action": "create",
            "username": "newperson",
            "email": ADDRESS,
            "password1": "password",
            "password2": "password",
        },
    )
    assert refused.status_code == 400
    assert "This password is too common." in refused.content.decode()
    assert not get_user_model().objects.filter(username="newperson").exists()

    response = client.post(
        ACCEPT,
        {
            "action": "create",
            "username": "newperson",
            "email": ADDRESS,
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert response.status_code == 302
    assert response["Location"] == workspace.get_absolute_url()
    user = get_user_model().objects.get(username="newperson")
    assert user.email == ADDRESS
    assert user.check_password(PASSWORD)
    assert Membership.objects.get(user=user, workspace=workspace).role == Role.VIEWER
    # Signed in as the new account.
    assert client.get(workspace.get_absolute_url()).status_code == 200
    assert Invitation.objects.get().accepted_by == user


def test_account_form_errors_are_clear(client, owner, workspace, mailoutbox):
    UserFactory(username="taken")
    invite(workspace, owner)
    _, token = link_in(mailoutbox[0])
    open_link(client, token)
    response = client.post(
        ACCEPT,
        {
            "action": "create",
            "username": "Taken",
            "email": ADDRESS,
            "password1": PASSWORD,
            "password2": PASSWORD + "x",
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "A user with that username already exists." in body
    assert "The two password fields didn’t match." in body
    assert "There is a problem" in body
    assert Invitation.objects.get().accepted_at is None


def test_signing_in_keeps_the_invitation(client, owner, workspace, mailoutbox):
    invite(workspace, owner)
    _, token = link_in(mailoutbox[0])
    UserFactory(username="kim")
    open_link(client, token)
    response = client.post(
        f"{reverse('login')}?next={ACCEPT}",
        {"username": "kim", "password": PASSWORD, "next": ACCEPT},
    )
    assert response.status_code == 302
    assert response["Location"] == ACCEPT
    page = client.get(ACCEPT).content.decode()
    assert "You are logged in as <strong><bdi>kim</bdi></strong>" in page


def test_a_member_already_is_told_so(client, owner, viewer, workspace, mailoutbox):
    invite(workspace, owner, email="someone.else@example.nhs.uk")
    _, token = link_in(mailoutbox[0])
    client.force_login(viewer)
    page = open_link(client, token).content.decode()
    assert "is a member of <bdi>North Fenwick ICS</bdi> already" in page
    response = client.post(ACCEPT, {"action": "join"})
    assert response.status_code == 400
    assert "already" in response.content.decode()
    assert Membership.objects.get(user=viewer, workspace=workspace).role == Role.VIEWER
    assert Invitation.objects.get().accepted_at is None


def test_an_expired_link_explains_what_to_do(client, owner, workspace, mailoutbox):
    invitation = invite(workspace, owner)
    _, token = link_in(mailoutbox[0])
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    page = open_link(client, token)
    assert page.status_code == 410
    body = page.content.decode()
    assert "This invitation link does not work" in body
    assert "expired on" in body
    assert "send you a new invitation" in body
    # Joining is refused too.
    client.force_login(UserFactory(username="late"))
    assert client.post(ACCEPT, {"action": "join"}).status_code == 410
    assert not Membership.objects.filter(user__username="late").exists()


def test_a_link_that_expires_while_the_form_is_open_is_refused(
    client, owner, workspace, mailoutbox
):
    invitation = invite(workspace, owner)
    _, token = link_in(mailoutbox[0])
    open_link(client, token)
    Invitation.objects.filter(pk=invitation.pk).update(cancelled_at=timezone.now())
    response = client.post(
        ACCEPT,
        {
            "action": "create",
            "username": "newperson",
            "email": ADDRESS,
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert response.status_code == 410
    assert not get_user_model().objects.filter(username="newperson").exists()


@pytest.mark.parametrize("token", ["made-up", "x" * 300])
def test_an_unknown_link_explains_what_to_do(client, db, token):
    page = client.get(f"/invitations/{token}/", follow=True)
    assert page.status_code == 404
    assert "This invitation link does not work" in page.content.decode()
    assert client.get(ACCEPT).status_code == 404
    assert client.post(ACCEPT, {"action": "join"}).status_code == 404


def test_opening_the_link_changes_nothing(client, owner, workspace, mailoutbox):
    """Mail scanners open links: only the POST from the page joins."""
    invite(workspace, owner)
    _, token = link_in(mailoutbox[0])
    client.force_login(UserFactory(username="scanner"))
    for _ in range(2):
        client.head(f"/invitations/{token}/")
        open_link(client, token)
    assert Invitation.objects.get().accepted_at is None
    assert not Membership.objects.filter(user__username="scanner").exists()


def test_the_accept_page_refuses_other_methods(client):
    assert client.put(ACCEPT).status_code == 405
    assert client.post("/invitations/some-token/").status_code == 405


# The model


def test_state_follows_the_dates(owner, workspace):
    invitation = invite(workspace, owner)
    assert invitation_state(invitation) == InvitationState.PENDING
    assert invitation_state(invitation, now=invitation.expires_at) == InvitationState.EXPIRED
    invitation.cancelled_at = timezone.now()
    assert invitation_state(invitation) == InvitationState.CANCELLED
    assert invitation_state(None) == InvitationState.UNKNOWN


def test_the_database_refuses_an_invitation_both_accepted_and_cancelled(owner, workspace):
    from django.db import IntegrityError, transaction

    invitation = invite(workspace, owner)
    with pytest.raises(IntegrityError), transaction.atomic():
        Invitation.objects.filter(pk=invitation.pk).update(
            accepted_at=timezone.now(), cancelled_at=timezone.now()
        )


def test_joining_is_recorded_in_the_member_history(client, owner, workspace, mailoutbox):
    from stakeholders.members.services import membership_history

    invite(workspace, owner)
    _, token = link_in(mailoutbox[0])
    client.force_login(UserFactory(username="joiner"))
    open_link(client, token)
    client.post(ACCEPT, {"action": "join"})
    latest = membership_history(workspace=workspace)[0]
    assert (latest.by, latest.member, latest.action, latest.after) == (
        "owner",
        "joiner",
        "Added",
        "Editor",
    )


def test_owners_read_invitations_in_the_admin_without_the_token_hash(client, owner, workspace):
    invitation = invite(workspace, owner)
    owner.is_staff = True
    owner.save()
    client.force_login(owner)
    listing = client.get(reverse("admin:stakeholders_invitation_changelist"))
    assert listing.status_code == 200
    assert ADDRESS in listing.content.decode()
    page = client.get(reverse("admin:stakeholders_invitation_change", args=[invitation.pk]))
    assert page.status_code == 200
    assert invitation.token_hash not in page.content.decode()
    assert client.get(reverse("admin:stakeholders_invitation_add")).status_code == 403
