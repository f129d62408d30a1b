"""Snapshots in the admin: renamed by editors, deleted by owners, taken on the snapshots page.

Registered in stakeholders.admin beside every other model; scoped by the same mixin.
"""

from django.contrib import admin
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from stakeholders.admin_scope import WorkspaceScopeMixin, owned_scope
from stakeholders.models import ScoreRun, Snapshot
from stakeholders.services import score_runs_delete


class SnapshotAdmin(WorkspaceScopeMixin, admin.ModelAdmin):
    """The name is the only thing to change: the date and scores are frozen."""

    list_display = ["name", "as_of", "status", "workspace", "taken_by", "created_at", "opened"]
    list_filter = [("workspace", admin.RelatedOnlyFieldListFilter), "status"]
    list_select_related = ["workspace", "taken_by", "run"]
    search_fields = ["name"]
    date_hierarchy = "as_of"
    fields = ["name", "as_of", "status", "workspace", "taken_by", "created_at", "fingerprint"]
    readonly_fields = ["as_of", "status", "workspace", "taken_by", "created_at", "fingerprint"]

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # a worker computes a snapshot: take one on the snapshots page

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        # Board papers cite snapshots: only an owner may remove one.
        scope = owned_scope(request)
        if scope is None:
            return True
        if obj is None:
            return bool(scope)
        return obj.workspace_id in scope

    @admin.display(description="open")
    def opened(self, obj: Snapshot) -> str:
        if obj.run_id is None:
            return "–"
        url = reverse("stakeholders:map", kwargs={"slug": obj.workspace.slug})
        return format_html('<a href="{}?snapshot={}">On the map</a>', url, obj.pk)

    def delete_model(self, request: HttpRequest, obj: Snapshot) -> None:
        self.delete_queryset(request, Snapshot.objects.filter(pk=obj.pk))

    def delete_queryset(self, request: HttpRequest, queryset) -> None:
        # The frozen scores go with the snapshot (nothing else keeps them).
        with transaction.atomic():
            runs = list(queryset.exclude(run=None).values_list("run_id", flat=True))
            queryset.delete()
            score_runs_delete(runs=ScoreRun.objects.filter(pk__in=runs))
