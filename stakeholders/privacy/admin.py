"""The record of erasures in the admin: read-only, for the owners of each workspace.

Registered in stakeholders.admin beside every other model; scoped by the same mixin.
"""

from django.contrib import admin
from django.http import HttpRequest

from stakeholders.admin_scope import WorkspaceScopeMixin
from stakeholders.models import Erasure


class ErasureAdmin(WorkspaceScopeMixin, admin.ModelAdmin):
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
    owners_only = True

    # The record is the audit: nobody adds, changes or deletes it by hand.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Erasure | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Erasure | None = None) -> bool:
        return False
