"""Invitations in the admin: read-only, for the owners of each workspace.

Registered in stakeholders.admin beside every other model; scoped by the same mixin.
Owners send, resend and cancel invitations on the members page; the token's hash is
never shown.
"""

from django.contrib import admin

from stakeholders.admin_scope import OwnersRecordAdmin


class InvitationAdmin(OwnersRecordAdmin):
    """Who was invited where, by whom, and what became of it."""

    list_display = [
        "email",
        "workspace",
        "role",
        "invited_by",
        "created_at",
        "expires_at",
        "accepted_at",
        "accepted_by",
        "cancelled_at",
    ]
    list_filter = [("workspace", admin.RelatedOnlyFieldListFilter), "role"]
    list_select_related = ["workspace", "invited_by", "accepted_by"]
    search_fields = ["email"]
    date_hierarchy = "created_at"
