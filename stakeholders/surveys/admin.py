"""Surveys in the admin: read-only, for the editors and owners of each workspace.

Registered in stakeholders.admin beside every other model; scoped by the same mixin.
Surveys are created, emailed, tracked and closed on the survey pages, where every
write goes through the services (and the history); here they are only looked at.
Personal links are never shown: the nonce that signs them is left out.
"""

from django.contrib import admin
from django.db.models import Count, Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from stakeholders.admin_scope import WorkspaceScopeMixin
from stakeholders.models import ResponseStatus, Survey, SurveyQuestion, SurveyResponse


class ReadOnlyMixin:
    """Looked at, never added, changed or deleted here."""

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class SurveyQuestionInline(ReadOnlyMixin, WorkspaceScopeMixin, admin.TabularInline):
    model = SurveyQuestion
    extra = 0
    fields = ["position", "kind", "wording"]
    readonly_fields = fields
    verbose_name_plural = "questions"


class SurveyResponseInline(ReadOnlyMixin, WorkspaceScopeMixin, admin.TabularInline):
    model = SurveyResponse
    extra = 0
    fields = [
        "person",
        "status",
        "email",
        "invited_at",
        "reminders",
        "consent_at",
        "submitted_at",
        "withdrawn_at",
    ]
    readonly_fields = fields
    verbose_name_plural = "people invited"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("person")


class SurveyAdmin(ReadOnlyMixin, WorkspaceScopeMixin, admin.ModelAdmin):
    """What each survey asked, of whom, and how far it has got."""

    list_display = [
        "title",
        "workspace",
        "closes_at",
        "closed_early_at",
        "invited",
        "submitted",
        "created_by",
        "created_at",
        "tracking",
    ]
    list_filter = [("workspace", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["workspace", "created_by"]
    search_fields = ["title"]
    date_hierarchy = "created_at"
    fields = [
        "title",
        "workspace",
        "introduction",
        "privacy_notice",
        "closes_at",
        "closed_early_at",
        "ask_strength",
        "ask_trust",
        "created_by",
        "created_at",
    ]
    readonly_fields = fields
    inlines = [SurveyQuestionInline, SurveyResponseInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                n_invited=Count("responses"),
                n_submitted=Count(
                    "responses", filter=Q(responses__status=ResponseStatus.SUBMITTED)
                ),
            )
        )

    @admin.display(description="invited", ordering="n_invited")
    def invited(self, obj: Survey) -> int:
        return obj.n_invited

    @admin.display(description="submitted", ordering="n_submitted")
    def submitted(self, obj: Survey) -> int:
        return obj.n_submitted

    @admin.display(description="tracking")
    def tracking(self, obj: Survey) -> str:
        url = reverse(
            "stakeholders:survey_detail", kwargs={"slug": obj.workspace.slug, "pk": obj.pk}
        )
        return format_html('<a href="{}">Who has answered</a>', url)
