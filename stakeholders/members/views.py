"""The members page: everyone in a workspace sees who else is; owners manage them.

Non-members get 404 like everywhere else. Members who are not owners may read the
page, and a change they post answers 403 with the page and a message saying why.
Every form is a plain POST that redirects back (so it works without JavaScript);
with htmx the members region is swapped in place. Owners invite people by email
address (members/invitations.py); the invitee's pages are in members/joining.py.
"""

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from stakeholders.access import membership_or_404
from stakeholders.http import (
    HtmxHttpRequest,
    Refusal,
    member_page,
    partial_or_page,
    signed_in_page,
)
from stakeholders.members.invitations import (
    EMAIL_MAX,
    InvitationLimit,
    day,
    invitation_cancel,
    invitation_create,
    invitation_resend,
    pending_invitations,
)
from stakeholders.members.services import (
    WORKSPACE_NAME_MAX,
    member_rows,
    membership_change_role,
    membership_history,
    membership_remove,
    workspace_create,
)
from stakeholders.models import Invitation, Membership, Role

TEMPLATE = "stakeholders/members.html"
FORBIDDEN_MESSAGE = (
    "Only owners of this workspace can add, change or remove members. "
    "Your role is {role}: ask an owner if something here needs changing."
)


def _context(request: HtmxHttpRequest, membership: Membership, **extra) -> dict:
    workspace = membership.workspace
    return {
        "workspace": workspace,
        "membership": membership,
        "can_edit": membership.can_edit,
        "is_owner": membership.role == Role.OWNER,
        "members": member_rows(workspace=workspace, viewer=request.user),
        "history": membership_history(workspace=workspace),
        "roles": Role.choices,
        "errors": [],
        "invite": {"email": "", "role": Role.VIEWER},
        "email_max": EMAIL_MAX,
        "invitations": (
            pending_invitations(workspace=workspace) if membership.role == Role.OWNER else []
        ),
        **extra,
    }


def _template(request: HtmxHttpRequest) -> str:
    return partial_or_page(request, TEMPLATE, "members-region")


def _forbidden(request: HtmxHttpRequest, membership: Membership) -> Refusal:
    message = FORBIDDEN_MESSAGE.format(role=membership.get_role_display().lower())
    context = _context(request, membership, errors=[{"message": message, "field": ""}])
    return Refusal(message, status=403, template=_template(request), context=context)


# Changes are owners' work; anyone else gets the page back with a message saying why.
owner_change = member_page(methods=("POST",), role=Role.OWNER, refused=_forbidden)


@member_page
def members(request: HtmxHttpRequest, membership: Membership) -> HttpResponse:
    """The workspace's members and the history of changes to them."""
    return render(request, _template(request), _context(request, membership))


def _manage(
    request: HtmxHttpRequest, membership: Membership, change: Callable[[Membership], str], **form
) -> HttpResponse:
    """Run one owner-only change and answer with the page, a redirect or the region."""
    slug = membership.workspace.slug
    try:
        notice = change(membership)
    except (Membership.DoesNotExist, Invitation.DoesNotExist):
        raise Http404 from None
    except PermissionDenied:
        # The author stopped being an owner while the request was on its way.
        raise _forbidden(request, membership_or_404(request.user, slug)) from None
    except ValidationError as exc:
        errors = [
            {"message": text, "field": field}
            for field, texts in exc.message_dict.items()
            for text in texts
        ]
        context = _context(request, membership, errors=errors, **form)
        status = 429 if isinstance(exc, InvitationLimit) else 400
        raise Refusal(status=status, template=_template(request), context=context) from None

    # The author may have changed their own role, or left.
    try:
        membership = membership_or_404(request.user, slug)
    except Http404:
        messages.success(request, notice)
        home = reverse("stakeholders:home")
        if request.htmx:
            return HttpResponse(headers={"HX-Redirect": home})
        return redirect(home)
    if request.htmx:
        return render(request, _template(request), _context(request, membership, notice=notice))
    messages.success(request, notice)
    return redirect("stakeholders:members", slug=slug)


def _member_name(workspace, pk: int) -> str:
    row = (
        Membership.objects.filter(pk=pk, workspace=workspace)
        .values_list("user__username", flat=True)
        .first()
    )
    if row is None:
        raise Http404
    return row


def _link_for(request: HtmxHttpRequest) -> Callable[[str], str]:
    """The absolute address of an invitation link, on the host the owner is using."""

    def link_for(token: str) -> str:
        return request.build_absolute_uri(
            reverse("stakeholders:invitation_open", kwargs={"token": token})
        )

    return link_for


@owner_change
def member_invite(request: HtmxHttpRequest, membership: Membership) -> HttpResponse:
    """Invite an email address to the workspace (owners only).

    The answer is the same whether or not an account has the address.
    """
    email = request.POST.get("email", "")[: EMAIL_MAX + 1]
    role = request.POST.get("role", "")

    def change(membership: Membership) -> str:
        invitation = invitation_create(
            workspace=membership.workspace,
            by=request.user,
            email=email,
            role=role,
            link_for=_link_for(request),
        )
        return (
            f"We have sent an invitation to {invitation.email}. "
            f"It expires on {day(invitation.expires_at)}."
        )

    return _manage(request, membership, change, invite={"email": email.strip(), "role": role})


@owner_change
def member_invitation_resend(
    request: HtmxHttpRequest, membership: Membership, pk: int
) -> HttpResponse:
    """Email an invitation again with a new link; the old link stops working (owners only)."""

    def change(membership: Membership) -> str:
        invitation = invitation_resend(
            workspace=membership.workspace,
            by=request.user,
            invitation_id=pk,
            link_for=_link_for(request),
        )
        return (
            f"We have sent a new invitation to {invitation.email}. It expires on "
            f"{day(invitation.expires_at)}. The link in the earlier email no longer works."
        )

    return _manage(request, membership, change)


@owner_change
def member_invitation_cancel(
    request: HtmxHttpRequest, membership: Membership, pk: int
) -> HttpResponse:
    """Cancel a pending invitation: its link stops working (owners only)."""

    def change(membership: Membership) -> str:
        invitation = invitation_cancel(
            workspace=membership.workspace, by=request.user, invitation_id=pk
        )
        return f"The invitation to {invitation.email} is cancelled: its link no longer works."

    return _manage(request, membership, change)


@owner_change
def member_role(request: HtmxHttpRequest, membership: Membership, pk: int) -> HttpResponse:
    """Change a member's role (owners only; the last owner keeps theirs)."""
    role = request.POST.get("role", "")

    def change(membership: Membership) -> str:
        name = _member_name(membership.workspace, pk)
        changed = membership_change_role(
            workspace=membership.workspace, by=request.user, membership_id=pk, role=role
        )
        return f"{name} is now {changed.get_role_display().lower()}."

    return _manage(request, membership, change)


@owner_change
def member_remove(request: HtmxHttpRequest, membership: Membership, pk: int) -> HttpResponse:
    """Remove a member from the workspace (owners only; never the last owner)."""

    def change(membership: Membership) -> str:
        name = _member_name(membership.workspace, pk)
        membership_remove(workspace=membership.workspace, by=request.user, membership_id=pk)
        return f"{name} is no longer a member of this workspace."

    return _manage(request, membership, change)


@signed_in_page(methods=("GET", "POST"))
def workspace_new(request: HtmxHttpRequest) -> HttpResponse:
    """Any signed-in user creates a workspace and becomes its owner."""
    name, errors = "", []
    if request.method == "POST":
        name = request.POST.get("name", "")
        try:
            workspace = workspace_create(user=request.user, name=name)
        except ValidationError as exc:
            errors = [m for messages_ in exc.message_dict.values() for m in messages_]
        else:
            messages.success(
                request,
                "Your workspace is ready, and you are its owner. Add its organisations, people "
                "and relationships by importing a spreadsheet bundle or in data entry, then "
                "invite colleagues from the members page.",
            )
            return redirect(workspace.get_absolute_url())
    context = {"name": name, "errors": errors, "max_length": WORKSPACE_NAME_MAX}
    return render(
        request, "stakeholders/workspace_new.html", context, status=400 if errors else 200
    )
