"""The record of erasures in the admin: read-only, for the owners of each workspace.

Registered from stakeholders.admin (imported at its end), so that it shares the
admin's workspace scoping.
"""

from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from stakeholders.admin import _is_superuser, owned_scope
from stakeholders.models import Erasure


@admin.register(Erasure)
class ErasureAdmin(admin.ModelAdmin):
    """Who erased someone, when, and how much went: nothing about who it was."""

    list_display = [
        "erased_at",
        "workspace",
        "erased_by",
        "affiliations_removed",
        "relationships_removed",
    ]
    list_filter = [("workspace", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["workspace", "erased_by"]
    date_hierarchy = "erased_at"
    fields = list_display
    readonly_fields = list_display
    actions = None

    def get_queryset(self, request: HttpRequest) -> models.QuerySet:
        queryset = super().get_queryset(request)
        scope = owned_scope(request)
        return queryset if scope is None else queryset.filter(workspace_id__in=scope)

    def _owns(self, request: HttpRequest, obj: Erasure | None) -> bool:
        if _is_superuser(request):
            return True
        scope = owned_scope(request)
        return bool(scope) if obj is None else obj.workspace_id in scope

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._owns(request, None)

    def has_view_permission(self, request: HttpRequest, obj: Erasure | None = None) -> bool:
        return self._owns(request, obj)

    # The record is the audit: nobody adds, changes or deletes it by hand.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Erasure | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Erasure | None = None) -> bool:
        return False
