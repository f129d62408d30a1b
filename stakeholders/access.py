"""Who may see and change which workspace. Every view goes through here."""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.http import Http404

from stakeholders.models import Membership, Role

EDIT_ROLES = (Role.EDITOR, Role.OWNER)


def editable_workspace_ids(user: AbstractBaseUser | AnonymousUser) -> set[int]:
    """Ids of the workspaces whose data the user may change (editor or owner)."""
    if not user.is_authenticated:
        return set()
    return set(
        Membership.objects.filter(user=user, role__in=EDIT_ROLES)
        .order_by()
        .values_list("workspace_id", flat=True)
    )


def membership_or_404(user: AbstractBaseUser | AnonymousUser, slug: str) -> Membership:
    """The user's membership of the workspace; 404 (never 403) for anyone else."""
    if not user.is_authenticated:
        raise Http404
    try:
        return Membership.objects.select_related("workspace").get(user=user, workspace__slug=slug)
    except Membership.DoesNotExist:
        raise Http404 from None
