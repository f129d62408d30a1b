"""The admin site, with Django's "view on site" redirect limited to the user's workspaces."""

from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.views import shortcut
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


class InfluenceMapAdminSite(admin.AdminSite):
    def get_urls(self):
        urls = super().get_urls()
        scoped = path(
            "r/<int:content_type_id>/<path:object_id>/",
            self.admin_view(_view_on_site),
            name="view_on_site",
        )
        return [scoped if getattr(u, "name", None) == "view_on_site" else u for u in urls]
