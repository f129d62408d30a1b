"""The admin site, with Django's "view on site" redirect limited to the user's workspaces."""

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.views import shortcut
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path


def _view_on_site(request: HttpRequest, content_type_id: int, object_id: str) -> HttpResponse:
    # Django's shortcut redirects to any object's page, so it would tell a staff user
    # of one workspace the slug of another. Workspaces are the only objects with a page.
    from stakeholders.models import Membership, Workspace

    try:
        model = ContentType.objects.get_for_id(content_type_id).model_class()
    except ContentType.DoesNotExist:
        raise Http404 from None
    if (
        model is Workspace
        and not request.user.is_superuser
        and not (
            object_id.isdigit()
            and Membership.objects.filter(user=request.user, workspace_id=int(object_id)).exists()
        )
    ):
        raise Http404
    return shortcut(request, content_type_id, object_id)


class TwoFactorAwareAdminLoginForm(AdminAuthenticationForm):
    """The admin's login, closed to accounts with two-factor on: they use the site's login,
    which asks for their code (the admin's own form would let them in with a password)."""

    def confirm_login_allowed(self, user) -> None:
        super().confirm_login_allowed(user)
        from stakeholders.accounts.services import two_factor_enabled

        if two_factor_enabled(user=user):
            raise ValidationError(
                "This account uses two-factor authentication. Log in on the main log-in "
                "page, which asks for your code, then open data entry.",
                code="two_factor",
            )


class InfluenceMapAdminSite(admin.AdminSite):
    login_form = TwoFactorAwareAdminLoginForm

    def has_permission(self, request: HttpRequest) -> bool:
        """Staff, and with TWO_FACTOR_REQUIRED_FOR_OWNERS, verified with a code this session."""
        if not super().has_permission(request):
            return False
        if not settings.TWO_FACTOR_REQUIRED_FOR_OWNERS:
            return True
        is_verified = getattr(request.user, "is_verified", None)
        return bool(is_verified and is_verified())

    def get_urls(self):
        urls = super().get_urls()
        scoped = path(
            "r/<int:content_type_id>/<path:object_id>/",
            self.admin_view(_view_on_site),
            name="view_on_site",
        )
        return [scoped if getattr(u, "name", None) == "view_on_site" else u for u in urls]
