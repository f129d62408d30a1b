"""The record of erasures in the admin: read-only, for the owners of each workspace.

Registered in stakeholders.admin beside every other model; scoped by the same mixin.
"""

from django.contrib import admin

from stakeholders.admin_scope import OwnersRecordAdmin


class ErasureAdmin(OwnersRecordAdmin):
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
