"""The pages an invitee sees: the emailed link, then join with an account or make one.

As Django's password reset does, the emailed `/invitations/<token>/` only puts the
token in the session and redirects to `/invitations/accept/`, so the token never
reaches a Referer header or a later page's address. Opening the link changes
nothing (mail scanners open links too): joining is a POST from the accept page.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.forms import UserCreationForm
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from stakeholders.http import HtmxHttpRequest
from stakeholders.members.invitations import (
    AlreadyMember,
    InvitationState,
    day,
    invitation_accept,
    invitation_for_token,
    invitation_state,
)
from stakeholders.models import Invitation, Membership

SESSION_KEY = "invitation_token"
TEMPLATE = "stakeholders/invitation.html"
# Tokens are 43 characters; anything much longer is not one of ours.
TOKEN_MAX = 100
# login() needs the backend when several are configured (django-axes is the first).
BACKEND = "django.contrib.auth.backends.ModelBackend"


class AccountForm(UserCreationForm):
    """A new account: username, email address and the password twice (validated)."""

    email = forms.EmailField(label="Email address", max_length=254)

    class Meta(UserCreationForm.Meta):
        fields = ("username", "email")


@never_cache
@require_http_methods(["GET", "HEAD"])
def invitation_open(request: HtmxHttpRequest, token: str) -> HttpResponse:
    """The emailed link: keep the token in the session, then show the accept page."""
    request.session[SESSION_KEY] = token[:TOKEN_MAX]
    return redirect("stakeholders:invitation_accept")


def _refused(request: HtmxHttpRequest, state: str, invitation: Invitation | None) -> HttpResponse:
    context = {"state": state, **_about(invitation)}
    return render(request, TEMPLATE, context, status=404 if invitation is None else 410)


def _about(invitation: Invitation | None) -> dict:
    if invitation is None:
        return {}
    inviter = invitation.invited_by
    return {
        "invited_workspace": invitation.workspace.name,
        "role": invitation.get_role_display().lower(),
        "inviter": (inviter.get_full_name() or inviter.get_username()) if inviter else "",
        "email": invitation.email,
        "expires": day(invitation.expires_at),
    }


def _joined(request: HtmxHttpRequest, membership: Membership) -> HttpResponse:
    request.session.pop(SESSION_KEY, None)
    messages.success(
        request,
        f"You have joined {membership.workspace.name} as {membership.get_role_display().lower()}.",
    )
    return redirect(membership.workspace.get_absolute_url())


@sensitive_post_parameters("password1", "password2")
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def invitation_accept_page(request: HtmxHttpRequest) -> HttpResponse:
    """Join the workspace an invitation is for: signed in, or with a new account."""
    token = request.session.get(SESSION_KEY, "")
    invitation = invitation_for_token(token)
    state = invitation_state(invitation)
    user = request.user
    if (
        state == InvitationState.ACCEPTED
        and user.is_authenticated
        and invitation.accepted_by_id == user.pk
    ):
        request.session.pop(SESSION_KEY, None)
        messages.info(request, f"You are a member of {invitation.workspace.name} already.")
        return redirect(invitation.workspace.get_absolute_url())
    if state != InvitationState.PENDING:
        return _refused(request, state, invitation)

    already_member = (
        user.is_authenticated
        and Membership.objects.filter(workspace=invitation.workspace, user=user).exists()
    )
    form = AccountForm(initial={"email": invitation.email})
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "join" and user.is_authenticated:
                return _joined(request, invitation_accept(token=token, user=user))
            if action == "create" and not user.is_authenticated:
                form = AccountForm(request.POST)
                if form.is_valid():
                    with transaction.atomic():
                        account = form.save()
                        membership = invitation_accept(token=token, user=account)
                    login(request, account, backend=BACKEND)
                    return _joined(request, membership)
            status = 400
        except AlreadyMember:
            already_member, status = True, 400
        except Invitation.DoesNotExist:
            # Used, cancelled or expired while the form was open.
            invitation = invitation_for_token(token)
            return _refused(request, invitation_state(invitation), invitation)

    context = {
        "state": state,
        "form": form,
        "already_member": already_member,
        "workspace_url": invitation.workspace.get_absolute_url(),
        "login_url": f"{reverse('login')}?next={reverse('stakeholders:invitation_accept')}",
        **_about(invitation),
    }
    return render(request, TEMPLATE, context, status=status)
