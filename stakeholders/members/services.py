"""Workspace members: who may see and change a workspace, managed by its owners.

Services (`membership_<action>`) are keyword-only and atomic. Each one locks the
workspace row first, so changes to one workspace's members run one at a time on
PostgreSQL: two owners demoting each other at once cannot leave it without an owner
(the second change finds its author is no longer an owner). The reads below return
plain data for the members page.
"""

import itertools
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.text import slugify

from stakeholders.models import Membership, Role, Workspace

LAST_OWNER_MESSAGE = (
    "A workspace needs at least one owner. Make someone else an owner first, "
    "then change this role or remove this member."
)
HISTORY_LIMIT = 50


def _locked_owner_membership(*, workspace: Workspace, by: AbstractBaseUser) -> Membership:
    """Lock the workspace and return the acting user's membership; only owners may act."""
    list(Workspace.objects.select_for_update().filter(pk=workspace.pk).values_list("pk"))
    acting = (
        Membership.objects.select_for_update().filter(workspace=workspace, user=by).first()
        if by.is_authenticated
        else None
    )
    if acting is None or acting.role != Role.OWNER:
        raise PermissionDenied("Only owners of this workspace can manage its members.")
    return acting


def _locked_member(*, workspace: Workspace, membership_id: int) -> Membership:
    try:
        return (
            Membership.objects.select_for_update()
            .select_related("user")
            .get(pk=membership_id, workspace=workspace)
        )
    except Membership.DoesNotExist:
        raise Membership.DoesNotExist(
            "This person is no longer a member of this workspace."
        ) from None


def other_owner_count(membership: Membership) -> int:
    """Owners of the membership's workspace besides it, with the workspace row locked.

    Every change to a workspace's owners (these services and the admin) locks that row
    first, so two of them cannot each see the other as the remaining owner. Outside a
    transaction (nothing to change) it only reads.
    """
    if transaction.get_connection().in_atomic_block:
        list(
            Workspace.objects.select_for_update()
            .filter(pk=membership.workspace_id)
            .values_list("pk")
        )
    # Rows, not COUNT(*): PostgreSQL refuses FOR UPDATE with an aggregate.
    return len(
        Membership.objects.filter(workspace_id=membership.workspace_id, role=Role.OWNER)
        .exclude(pk=membership.pk)
        .values_list("pk", flat=True)
    )


def _valid_role(role: str) -> str:
    if role not in Role.values:
        raise ValidationError({"role": "Choose viewer, editor or owner."})
    return role


def membership_change_role(
    *, workspace: Workspace, by: AbstractBaseUser, membership_id: int, role: str
) -> Membership:
    """Give a member another role; the last owner keeps theirs."""
    role = _valid_role(role)
    with transaction.atomic():
        _locked_owner_membership(workspace=workspace, by=by)
        membership = _locked_member(workspace=workspace, membership_id=membership_id)
        if membership.role == role:
            return membership
        if membership.role == Role.OWNER and other_owner_count(membership) == 0:
            raise ValidationError({"role": LAST_OWNER_MESSAGE})
        membership.role = role
        membership.full_clean()
        membership._history_user = by
        membership.save(update_fields=["role"])
    return membership


def membership_remove(*, workspace: Workspace, by: AbstractBaseUser, membership_id: int) -> None:
    """Take a member out of the workspace; the last owner stays."""
    with transaction.atomic():
        _locked_owner_membership(workspace=workspace, by=by)
        membership = _locked_member(workspace=workspace, membership_id=membership_id)
        if membership.role == Role.OWNER and other_owner_count(membership) == 0:
            raise ValidationError({"role": LAST_OWNER_MESSAGE})
        membership._history_user = by
        membership.delete()


# Reads for the members page.


@dataclass(frozen=True)
class MemberRow:
    id: int
    username: str
    full_name: str
    email: str
    role: str
    role_label: str
    is_you: bool


@dataclass(frozen=True)
class MembershipEvent:
    when: datetime
    by: str
    member: str
    action: str
    before: str
    after: str


def member_rows(*, workspace: Workspace, viewer: AbstractBaseUser) -> list[MemberRow]:
    """The workspace's members, owners first, in one query."""
    labels = dict(Role.choices)
    order = {Role.OWNER: 0, Role.EDITOR: 1, Role.VIEWER: 2}
    rows = Membership.objects.filter(workspace=workspace).values_list(
        "pk",
        "user_id",
        "user__username",
        "user__first_name",
        "user__last_name",
        "user__email",
        "role",
    )
    members = [
        MemberRow(
            id=pk,
            username=username,
            full_name=f"{first} {last}".strip(),
            email=email,
            role=role,
            role_label=labels.get(role, role),
            is_you=user_id == viewer.pk,
        )
        for pk, user_id, username, first, last, email, role in rows
    ]
    return sorted(members, key=lambda m: (order.get(m.role, 9), m.username.lower()))


def membership_history(*, workspace: Workspace) -> list[MembershipEvent]:
    """Recent changes to the workspace's members: who, when, the role before and after.

    Two queries: the historical rows (newest first) and the names of the accounts
    they mention. A member's earlier row gives the role before each change.
    """
    historical = Membership.history.model
    rows = list(
        historical.objects.filter(workspace_id=workspace.pk)
        .order_by("history_date", "history_id")
        .values_list("id", "user_id", "role", "history_type", "history_date", "history_user_id")
    )
    user_ids = {r[1] for r in rows} | {r[5] for r in rows if r[5] is not None}
    names = dict(get_user_model().objects.filter(pk__in=user_ids).values_list("pk", "username"))
    labels = dict(Role.choices)
    previous: dict[int, str] = {}
    events: list[MembershipEvent] = []
    for pk, user_id, role, kind, when, by_id in rows:
        before = previous.get(pk, "")
        label = labels.get(role, role)
        if kind == "+":
            action, before_label, after_label = "Added", "", label
        elif kind == "-":
            action, before_label, after_label = "Removed", label, ""
        else:
            if before == role:
                continue
            action = "Role changed"
            before_label, after_label = labels.get(before, before), label
        previous[pk] = role
        events.append(
            MembershipEvent(
                when=when,
                by=names.get(by_id, "System") if by_id else "System",
                member=names.get(user_id, "A deleted account"),
                action=action,
                before=before_label,
                after=after_label,
            )
        )
    events.reverse()
    return events[:HISTORY_LIMIT]


# --- New workspaces ----------------------------------------------------------------

WORKSPACE_NAME_MAX = Workspace._meta.get_field("name").max_length
SLUG_MAX = Workspace._meta.get_field("slug").max_length


def workspace_create(*, user: AbstractBaseUser, name: str) -> Workspace:
    """A new, empty workspace, with `user` its owner; its address comes from its name.

    Raises ValidationError (keyed by field) for a blank, overlong or unsavable name.
    The address is the name as a slug, with -2, -3, ... when another workspace has it.
    """
    name = " ".join(name.split())
    workspace = Workspace(name=name, slug="-")
    workspace.full_clean(exclude=["slug"])
    base = (slugify(name) or "workspace")[: SLUG_MAX - 4].strip("-") or "workspace"
    for _ in range(5):  # another workspace may take the same address at the same moment
        try:
            with transaction.atomic():
                taken = set(
                    Workspace.objects.filter(slug__startswith=base).values_list("slug", flat=True)
                )
                workspace.slug = next(
                    slug
                    for slug in itertools.chain([base], (f"{base}-{i}" for i in itertools.count(2)))
                    if slug not in taken
                )
                workspace.save()
                Membership.objects.create(user=user, workspace=workspace, role=Role.OWNER)
                return workspace
        except IntegrityError:
            workspace.pk = None
    raise ValidationError({"name": ["Please try again: the address was taken meanwhile."]})
