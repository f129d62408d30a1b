"""Invitations by email address: an owner invites, the invitee follows a link and joins.

The link carries a random token; only its SHA-256 hash is stored. A link works once
and for INVITATION_DAYS; resending gives a new token (the old link stops working).
The owner's form answers the same whether or not an account has the address, so
inviting never tells an owner who has an account on this server.
"""

import hashlib
import logging
import secrets
import smtplib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from django.contrib.auth.base_user import BaseUserManager
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format

from stakeholders.members.services import _locked_owner_membership, _valid_role
from stakeholders.models import Invitation, Membership, Workspace

logger = logging.getLogger(__name__)

INVITATION_DAYS = 7
# Sent (first sends and resends) per workspace per hour: enough for a team joining at
# once, too few for an owner's account to be used to send mail in bulk.
HOURLY_LIMIT = 20
EMAIL_MAX = Invitation._meta.get_field("email").max_length


class InvitationLimit(ValidationError):
    """The workspace has sent as many invitations as it may this hour."""


class InvitationState(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    UNKNOWN = "unknown"


def token_hash(token: str) -> str:
    """The SHA-256 hex digest stored for a token."""
    return hashlib.sha256(token.encode()).hexdigest()


def _new_token() -> tuple[str, str]:
    token = secrets.token_urlsafe(32)
    return token, token_hash(token)


def day(moment: datetime) -> str:
    """A moment as people read it here: "9 December 2026", in the site's time zone."""
    return date_format(timezone.localtime(moment), "j F Y")


def invitation_state(invitation: Invitation | None, *, now: datetime | None = None) -> str:
    """Whether an invitation's link still works, and if not why."""
    if invitation is None:
        return InvitationState.UNKNOWN
    if invitation.accepted_at is not None:
        return InvitationState.ACCEPTED
    if invitation.cancelled_at is not None:
        return InvitationState.CANCELLED
    if invitation.expires_at <= (now or timezone.now()):
        return InvitationState.EXPIRED
    return InvitationState.PENDING


def invitation_for_token(token: str) -> Invitation | None:
    """The invitation a link's token opens, with its workspace and inviter (None if none)."""
    if not token:
        return None
    return (
        Invitation.objects.select_related("workspace", "invited_by")
        .filter(token_hash=token_hash(token))
        .first()
    )


def _valid_email(email: str) -> str:
    email = " ".join(email.split())
    if not email:
        raise ValidationError({"email": "Enter the email address of the person to invite."})
    if len(email) > EMAIL_MAX:
        raise ValidationError(
            {"email": f"The email address must be {EMAIL_MAX} characters or fewer."}
        )
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError(
            {"email": "Enter an email address in the correct format, like name@example.nhs.uk."}
        ) from None
    return BaseUserManager.normalize_email(email)


def _check_rate(workspace: Workspace, now: datetime) -> None:
    # A send sets expires_at to now + INVITATION_DAYS, so sends within the last hour are
    # those expiring after now + INVITATION_DAYS - 1 hour.
    since = now + timedelta(days=INVITATION_DAYS) - timedelta(hours=1)
    sent = Invitation.objects.filter(workspace=workspace, expires_at__gt=since).count()
    if sent >= HOURLY_LIMIT:
        raise InvitationLimit(
            {
                "email": f"This workspace has sent {HOURLY_LIMIT} invitations in the last hour, "
                "the most it may send. Try again in an hour."
            }
        )


def _send(*, invitation: Invitation, token: str, link_for: Callable[[str], str]) -> None:
    inviter = invitation.invited_by
    context = {
        "workspace": invitation.workspace.name,
        "role": invitation.get_role_display().lower(),
        "inviter": (inviter.get_full_name() or inviter.get_username()) if inviter else "An owner",
        "link": link_for(token),
        "expires": day(invitation.expires_at),
    }
    subject = " ".join(f"You are invited to {invitation.workspace.name} on Influence Map".split())
    body = render_to_string("stakeholders/invitation_email.txt", context)
    send_mail(subject=subject, message=body, from_email=None, recipient_list=[invitation.email])


def _send_or_undo(
    *, invitation: Invitation, token: str, link_for: Callable[[str], str], undo: Callable
) -> None:
    """Send the email; if the mail server fails, undo the change and say so."""
    try:
        _send(invitation=invitation, token=token, link_for=link_for)
    except OSError as exc:  # smtplib's errors are OSErrors, as are refused connections
        # No address in the log: it is personal data (the owner sees the message). The
        # error's text and traceback can hold it (SMTPRecipientsRefused does): its kind only.
        logger.warning(
            "Invitation %s: the email could not be sent (%s)", invitation.pk, type(exc).__name__
        )
        undo()
        if isinstance(exc, smtplib.SMTPRecipientsRefused):
            raise ValidationError(
                {"email": "The email server refused this address: check it, then try again."}
            ) from None
        raise ValidationError(
            {
                "email": "The invitation could not be sent: the email server did not answer. "
                "Try again later, or ask your administrator to check the email settings."
            }
        ) from None


def invitation_create(
    *,
    workspace: Workspace,
    by: AbstractBaseUser,
    email: str,
    role: str,
    link_for: Callable[[str], str],
) -> Invitation:
    """Invite an email address to the workspace with a role, and email the link.

    `link_for(token)` gives the absolute URL of the link. The answer is the same
    whether or not an account has the address. A pending invitation to the same
    address is replaced (its link stops working).
    """
    role = _valid_role(role)
    email = _valid_email(email)
    now = timezone.now()
    with transaction.atomic():
        _locked_owner_membership(workspace=workspace, by=by)
        # Members' addresses are on the members page already: saying so reveals nothing.
        if Membership.objects.filter(workspace=workspace, user__email__iexact=email).exists():
            raise ValidationError(
                {"email": "A member of this workspace already has this email address."}
            )
        _check_rate(workspace, now)
        replaced = list(
            Invitation.objects.filter(
                workspace=workspace,
                email__iexact=email,
                accepted_at__isnull=True,
                cancelled_at__isnull=True,
            ).values_list("pk", flat=True)
        )
        Invitation.objects.filter(pk__in=replaced).update(cancelled_at=now)
        token, hashed = _new_token()
        invitation = Invitation(
            workspace=workspace,
            email=email,
            role=role,
            token_hash=hashed,
            invited_by=by,
            expires_at=now + timedelta(days=INVITATION_DAYS),
        )
        invitation.full_clean()
        invitation.save()

    def undo() -> None:
        # The earlier link (in the invitee's hands) keeps working.
        with transaction.atomic():
            invitation.delete()
            Invitation.objects.filter(pk__in=replaced).update(cancelled_at=None)

    _send_or_undo(invitation=invitation, token=token, link_for=link_for, undo=undo)
    return invitation


def _locked_pending(*, workspace: Workspace, invitation_id: int) -> Invitation:
    invitation = (
        Invitation.objects.select_for_update()
        .filter(
            pk=invitation_id,
            workspace=workspace,
            accepted_at__isnull=True,
            cancelled_at__isnull=True,
        )
        .first()
    )
    if invitation is None:
        raise Invitation.DoesNotExist("This invitation has been accepted or cancelled.")
    return invitation


def invitation_cancel(
    *, workspace: Workspace, by: AbstractBaseUser, invitation_id: int
) -> Invitation:
    """Cancel a pending invitation: its link stops working."""
    with transaction.atomic():
        _locked_owner_membership(workspace=workspace, by=by)
        invitation = _locked_pending(workspace=workspace, invitation_id=invitation_id)
        invitation.cancelled_at = timezone.now()
        invitation.save(update_fields=["cancelled_at"])
    return invitation


def invitation_resend(
    *,
    workspace: Workspace,
    by: AbstractBaseUser,
    invitation_id: int,
    link_for: Callable[[str], str],
) -> Invitation:
    """Email a pending (or expired) invitation again with a new link and a new expiry."""
    now = timezone.now()
    with transaction.atomic():
        _locked_owner_membership(workspace=workspace, by=by)
        invitation = _locked_pending(workspace=workspace, invitation_id=invitation_id)
        _check_rate(workspace, now)
        previous = {"token_hash": invitation.token_hash, "expires_at": invitation.expires_at}
        token, invitation.token_hash = _new_token()
        invitation.expires_at = now + timedelta(days=INVITATION_DAYS)
        invitation.invited_by = by
        invitation.save(update_fields=["token_hash", "expires_at", "invited_by"])
    # If the email cannot go, the earlier link (in the invitee's hands) keeps working.
    _send_or_undo(
        invitation=invitation,
        token=token,
        link_for=link_for,
        undo=lambda: Invitation.objects.filter(pk=invitation.pk).update(**previous),
    )
    return invitation


class AlreadyMember(Exception):
    """The account accepting an invitation is a member of the workspace already."""


def invitation_accept(*, token: str, user: AbstractBaseUser) -> Membership:
    """Join the invitation's workspace with its role, as `user`; the link is then used.

    Raises Invitation.DoesNotExist when the link no longer works (accepted, cancelled,
    expired or unknown) and AlreadyMember when the user is a member already.
    """
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update()
            .select_related("workspace")
            .filter(token_hash=token_hash(token))
            .first()
        )
        if invitation_state(invitation) != InvitationState.PENDING:
            raise Invitation.DoesNotExist("This invitation link no longer works.")
        if Membership.objects.filter(workspace=invitation.workspace, user=user).exists():
            raise AlreadyMember
        membership = Membership(workspace=invitation.workspace, user=user, role=invitation.role)
        membership.full_clean()
        # The history says who let them in: the owner who invited them.
        membership._history_user = invitation.invited_by or user
        membership.save()
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
    return membership


# Reads for the members page.


@dataclass(frozen=True)
class InvitationRow:
    id: int
    email: str
    role_label: str
    invited_by: str
    expires_at: datetime
    expires: str
    expired: bool


def pending_invitations(*, workspace: Workspace) -> list[InvitationRow]:
    """Invitations neither accepted nor cancelled (expired ones too), newest first."""
    labels = dict(Invitation._meta.get_field("role").choices)
    now = timezone.now()
    rows = (
        Invitation.objects.filter(
            workspace=workspace, accepted_at__isnull=True, cancelled_at__isnull=True
        )
        .order_by("-expires_at", "-pk")
        .values_list("pk", "email", "role", "invited_by__username", "expires_at")
    )
    return [
        InvitationRow(
            id=pk,
            email=email,
            role_label=labels.get(role, role),
            invited_by=inviter or "A deleted account",
            expires_at=expires_at,
            expires=day(expires_at),
            expired=expires_at <= now,
        )
        for pk, email, role, inviter, expires_at in rows
    ]
