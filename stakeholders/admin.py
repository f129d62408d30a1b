"""The data-entry admin, scoped to the workspaces each staff member may edit.

Access comes from workspace membership, never from Django model permissions: editors
and owners see and change their workspaces' data, only owners manage members, viewers
have no admin at all, and superusers see everything. Every rule lives in
admin_scope.WorkspaceScopeMixin so that no admin, inline or autocomplete can drift from it.
"""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, router, transaction
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import content_disposition_header
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from simple_history.admin import SimpleHistoryAdmin

from stakeholders.admin_scope import (
    WORKSPACE_PATHS,
    WorkspaceScopeMixin,
    is_superuser,
)
from stakeholders.forms import (
    AffiliationAdminForm,
    ForumAdminForm,
    ForumMembershipAdminForm,
    ForumMembershipFormSet,
    MembershipAdminForm,
    OrganisationAdminForm,
    OrganisationAffiliationFormSet,
    OutgoingRelationshipFormSet,
    PersonAdminForm,
    PersonAffiliationForm,
    PersonAffiliationFormSet,
    RelationshipAdminForm,
    VersionedFormMixin,
)
from stakeholders.members.admin import InvitationAdmin
from stakeholders.members.services import other_owner_count
from stakeholders.models import (
    Affiliation,
    Erasure,
    Forum,
    ForumMembership,
    Invitation,
    Membership,
    Organisation,
    Person,
    Provenance,
    Relationship,
    Role,
    Snapshot,
    Survey,
    SurveyAnswer,
    SurveyQuestion,
    SurveyResponse,
    Workspace,
)
from stakeholders.privacy.admin import ErasureAdmin
from stakeholders.privacy.deletion import history_erase, records_delete
from stakeholders.services import EditConflict
from stakeholders.snapshots.admin import SnapshotAdmin
from stakeholders.surveys.admin import SurveyAdmin

admin.site.site_header = "Influence Map administration"
admin.site.site_title = "Influence Map administration"
admin.site.index_title = "Data entry"


def _count(model: type[models.Model], field: str) -> Coalesce:
    """A correlated COUNT, so several counts on one row never multiply each other."""
    rows = (
        model.objects.filter(**{field: OuterRef("pk")})
        .order_by()
        .values(field)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows), 0)


EXPORT_KINDS: dict[type[models.Model], str] = {
    Organisation: "organisations",
    Person: "people",
    Affiliation: "affiliations",
    Relationship: "relationships",
    Forum: "forum-list",
    ForumMembership: "forum-members",
}


@admin.action(description="Export selected as CSV", permissions=["view"])
def export_selected_csv(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: models.QuerySet
) -> HttpResponse | None:
    """The selected rows, as the command-line and browser exports write them (streamed).

    `queryset` is already scoped to the user's workspaces. One workspace at a time:
    refs are unique only within a workspace, so a mixed file could not be imported.
    """
    path = WORKSPACE_PATHS[queryset.model][0]
    workspace_ids = list(queryset.order_by().values_list(path, flat=True).distinct()[:2])
    if len(workspace_ids) != 1:
        modeladmin.message_user(
            request,
            "Select rows from one workspace at a time to export them: filter the list by "
            "workspace first."
            if workspace_ids
            else "None of the selected rows can be exported.",
            level=messages.ERROR,
        )
        return None
    # The exporters load the pages' reads: imported when an export is asked for, not with
    # the admin, which every command and worker loads at start (#16).
    from stakeholders.exports.tables import csv_chunks, export_filename, export_rows

    workspace = Workspace.objects.get(pk=workspace_ids[0])
    kind = EXPORT_KINDS[queryset.model]
    rows = export_rows(kind, workspace=workspace, run=None, ids=queryset.order_by().values("pk"))
    response = StreamingHttpResponse(csv_chunks(rows), content_type="text/csv; charset=utf-8")
    name = export_filename(workspace=workspace, kind=kind, day=timezone.localdate())
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


class ScopedHistoryAdmin(WorkspaceScopeMixin, SimpleHistoryAdmin):
    """A scoped admin with a History view per record (who, when, what changed).

    Deleting a record deletes its change history too, and that of everything deleted
    with it (stakeholders.privacy.deletion): in bulk, one by one and in inline rows.
    """

    # Imports, the demo data and survey answers record a reason; an edit here does not.
    object_history_list_template = "admin/stakeholders/object_history_list.html"

    def _refuse_outside_scope(self, request: HttpRequest, object_id: str) -> None:
        # django-simple-history falls back to the historical rows when the live one is
        # outside get_queryset() or deleted; answer 404, as the change view does, instead:
        # what was deleted before its history went with it is for `erase_deleted`.
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        pk = unquote(object_id)
        try:
            exists = self.model._default_manager.filter(pk=pk).exists()
            visible = self.get_queryset(request).filter(pk=pk).exists()
        except (ValueError, ValidationError):
            raise Http404 from None
        if not exists or not visible:
            raise Http404

    def delete_model(self, request, obj):
        records_delete([obj])

    def delete_queryset(self, request, queryset):
        records_delete(queryset)

    def save_formset(self, request, form, formset, change):
        deleted = {f.instance.pk for f in formset.deleted_forms if f.instance.pk is not None}
        super().save_formset(request, form, formset, change)
        history_erase(deleted={formset.model: deleted})

    def construct_change_message(self, request, form, formsets, add=False):
        # The parent's log line would otherwise keep a deleted row's description.
        message = super().construct_change_message(request, form, formsets, add)
        for entry in message:
            if "deleted" in entry:
                entry["deleted"]["object"] = "(deleted)"
        return message

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # Validation refuses a stale form with the editor's values still on screen.
        # Two saves that both passed validation at the same moment are settled when the
        # version is claimed; the loser's transaction has rolled back by now.
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except EditConflict as conflict:
            self.message_user(request, conflict.message, level=messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def save_model(self, request, obj, form, change):
        if change and isinstance(form, VersionedFormMixin):
            if not form.checks_version:
                # Saving only the rows below: leave this record, its version and its
                # history as they are, so that an editor of this record is not refused.
                return
            form.claim_version()
        super().save_model(request, obj, form, change)

    def history_view(self, request, object_id, extra_context=None):
        self._refuse_outside_scope(request, object_id)
        return super().history_view(request, object_id, extra_context=extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if getattr(request, "_restoring_history", False) and issubclass(form, VersionedFormMixin):
            # Restoring an older version: it replaces the version stored now, so that is
            # the version the editor loaded, not the old one's own number.
            stored = self.model._default_manager.filter(pk=obj.pk).values_list("version")
            form = type(form.__name__, (form,), {"base_version": stored.get()[0]})
        return form

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._refuse_outside_scope(request, object_id)
        request._restoring_history = True
        try:
            # One transaction, as the change page has, for the version check and save.
            with transaction.atomic(using=router.db_for_write(self.model)):
                return super().history_form_view(
                    request, object_id, version_id, extra_context=extra_context
                )
        except EditConflict as conflict:
            self.message_user(request, conflict.message, level=messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


class ScopedInline(WorkspaceScopeMixin, admin.TabularInline):
    extra = 0
    formfield_overrides = {
        models.TextField: {"widget": admin.widgets.AdminTextareaWidget(attrs={"rows": 2})}
    }


class PersonAffiliationInline(ScopedInline):
    model = Affiliation
    fk_name = "person"
    form = PersonAffiliationForm
    formset = PersonAffiliationFormSet
    fields = [
        "organisation",
        "role_title",
        "is_primary",
        "start_date",
        "end_date",
        "loaded_version",
    ]
    autocomplete_fields = ["organisation"]
    verbose_name_plural = "affiliations (mark exactly one as primary)"


class OutgoingRelationshipInline(ScopedInline):
    model = Relationship
    fk_name = "source"
    form = RelationshipAdminForm
    formset = OutgoingRelationshipFormSet
    fields = [
        "target",
        "kind",
        "strength",
        "trust",
        "observed_on",
        "start_date",
        "end_date",
        "evidence",
        "loaded_version",
    ]
    autocomplete_fields = ["target"]
    verbose_name = "relationship from this person"
    verbose_name_plural = "relationships from this person"


class OrganisationAffiliationInline(ScopedInline):
    model = Affiliation
    fk_name = "organisation"
    form = AffiliationAdminForm
    formset = OrganisationAffiliationFormSet
    fields = ["person", "role_title", "is_primary", "start_date", "end_date", "loaded_version"]
    autocomplete_fields = ["person"]
    verbose_name = "person"
    verbose_name_plural = "people (affiliations)"


@admin.register(Workspace)
class WorkspaceAdmin(ScopedHistoryAdmin):
    list_display = ["name", "slug", "organisation_count", "people_count", "member_count"]
    search_fields = ["name", "slug"]
    # Only superusers edit the slug (below). simple_history's version view reads this
    # attribute directly, so it must not name a field that is read-only for others.
    prepopulated_fields = {}

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                n_organisations=_count(Organisation, "workspace"),
                n_people=_count(Person, "workspace"),
                n_members=_count(Membership, "workspace"),
            )
        )

    # Creating and deleting whole workspaces is for superusers; editors and owners may
    # rename theirs.
    def has_add_permission(self, request, obj=None):
        return is_superuser(request)

    def has_delete_permission(self, request, obj=None):
        return is_superuser(request)

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        # Its people go with a workspace (and their history with them), although one
        # person alone is erased from their page, never deleted here. So do the records
        # the admin only shows: invitations (owners handle them on the members page),
        # surveys and their answers (their history goes too), erasure records and
        # snapshots (which only an owner removes one by one).
        for model in (
            Person, Invitation, Survey, SurveyQuestion, SurveyResponse, SurveyAnswer, Erasure,
            Snapshot,
        ):  # fmt: skip
            perms_needed.discard(model._meta.verbose_name)
        return deleted, counts, perms_needed, protected

    def get_readonly_fields(self, request, obj=None):
        # The slug is in every URL of the workspace: only superusers may change it.
        return ["created_at"] if is_superuser(request) else ["slug", "created_at"]

    def get_prepopulated_fields(self, request, obj=None):
        return {"slug": ["name"]} if is_superuser(request) else {}

    @admin.display(description="organisations", ordering="n_organisations")
    def organisation_count(self, obj: Workspace) -> int:
        return obj.n_organisations

    @admin.display(description="people", ordering="n_people")
    def people_count(self, obj: Workspace) -> int:
        return obj.n_people

    @admin.display(description="members", ordering="n_members")
    def member_count(self, obj: Workspace) -> int:
        return obj.n_members


@admin.register(Membership)
class MembershipAdmin(ScopedHistoryAdmin):
    owners_only = True
    form = MembershipAdminForm
    list_display = ["user", "workspace", "role"]
    list_filter = ["role", ("workspace", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["user__username", "user__first_name", "user__last_name", "user__email"]
    list_select_related = ["user", "workspace"]
    # No bulk actions: deleting several memberships at once could remove every owner.
    actions = None

    def get_readonly_fields(self, request, obj=None):
        # A membership belongs to one account; to give access to someone else, add theirs.
        return ["user"] if obj is not None else []

    def has_delete_permission(self, request, obj=None):
        if not super().has_delete_permission(request, obj):
            return False
        # Superusers may still delete a whole workspace, memberships and all.
        return obj is None or is_superuser(request) or not _is_last_owner(obj)


def _is_last_owner(membership: Membership) -> bool:
    # Asked again inside the delete's transaction, where other_owner_count locks.
    return membership.role == Role.OWNER and other_owner_count(membership) == 0


@admin.register(Organisation)
class OrganisationAdmin(ScopedHistoryAdmin):
    actions = [export_selected_csv]
    form = OrganisationAdminForm
    list_display = [
        "name",
        "short_name",
        "kind",
        "sector",
        "tier",
        "parent",
        "ods_code",
        "people_count",
        "workspace",
    ]
    list_filter = [("workspace", admin.RelatedOnlyFieldListFilter), "sector", "kind", "tier"]
    search_fields = ["name", "short_name", "ods_code"]
    list_select_related = ["workspace", "parent"]
    autocomplete_fields = ["parent"]
    inlines = [OrganisationAffiliationInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_people=_count(Affiliation, "organisation"))

    @admin.display(description="people", ordering="n_people")
    def people_count(self, obj: Organisation) -> int:
        return obj.n_people


@admin.register(Person)
class PersonAdmin(ScopedHistoryAdmin):
    actions = [export_selected_csv]
    form = PersonAdminForm
    list_display = [
        "name",
        "ref",
        "job_title",
        "seniority",
        "primary_organisation",
        "active",
        "workspace",
    ]
    list_filter = [("workspace", admin.RelatedOnlyFieldListFilter), "seniority", "active"]
    search_fields = ["name", "ref", "job_title"]
    list_select_related = ["workspace"]
    inlines = [PersonAffiliationInline, OutgoingRelationshipInline]

    # Removing someone is an erasure (UK GDPR Article 17): owners confirm it on the
    # person's page, every trace goes and an erasure record stays. A delete here would
    # skip all three, so none is offered, alone or in bulk; someone who has left is
    # marked inactive. The change page links owners to the erasure.
    def has_delete_permission(self, request, obj=None):
        return False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        context = {"erase_url": _erase_url(request, object_id), **(extra_context or {})}
        return super().change_view(request, object_id, form_url, extra_context=context)

    def get_queryset(self, request):
        primary = Affiliation.objects.filter(person=OuterRef("pk"), is_primary=True)
        return (
            super()
            .get_queryset(request)
            .annotate(
                primary_organisation_id=Subquery(primary.values("organisation_id")[:1]),
                primary_organisation_name=Subquery(primary.values("organisation__name")[:1]),
            )
        )

    @admin.display(description="primary organisation", ordering="primary_organisation_name")
    def primary_organisation(self, obj: Person) -> str:
        if obj.primary_organisation_id is None:
            return self.get_empty_value_display()
        url = reverse("admin:stakeholders_organisation_change", args=[obj.primary_organisation_id])
        return format_html('<a href="{}">{}</a>', url, obj.primary_organisation_name)


def _erase_url(request: HttpRequest, object_id: str) -> str | None:
    """The person's erasure page, for an owner of their workspace (else None)."""
    try:
        row = (
            Person.objects.filter(
                pk=unquote(object_id),
                workspace__memberships__user=request.user,
                workspace__memberships__role=Role.OWNER,
            )
            .values_list("pk", "workspace__slug")
            .first()
        )
    except (ValueError, ValidationError):
        return None
    if row is None:
        return None
    pk, slug = row
    return reverse("stakeholders:person_erase", kwargs={"slug": slug, "pk": pk})


@admin.register(Affiliation)
class AffiliationAdmin(ScopedHistoryAdmin):
    actions = [export_selected_csv]
    form = AffiliationAdminForm
    list_display = [
        "person",
        "organisation",
        "role_title",
        "is_primary",
        "period",
        "workspace",
    ]
    list_filter = [
        "is_primary",
        ("person__workspace", admin.RelatedOnlyFieldListFilter),
        ("organisation", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = [
        "person__name",
        "person__ref",
        "organisation__name",
        "organisation__short_name",
        "role_title",
    ]
    list_select_related = ["person__workspace", "organisation"]
    autocomplete_fields = ["person", "organisation"]

    @admin.display(description="period", ordering="start_date")
    def period(self, obj: Affiliation) -> str:
        if obj.start_date is None and obj.end_date is None:
            return self.get_empty_value_display()
        start = obj.start_date.isoformat() if obj.start_date else "unknown"
        end = obj.end_date.isoformat() if obj.end_date else "present"
        return f"{start} to {end}"

    @admin.display(description="workspace", ordering="person__workspace__name")
    def workspace(self, obj: Affiliation) -> Workspace:
        return obj.person.workspace


@admin.register(Relationship)
class RelationshipAdmin(ScopedHistoryAdmin):
    actions = [export_selected_csv]
    form = RelationshipAdminForm
    list_display = [
        "tie",
        "kind",
        "strength",
        "trust_level",
        "observed_on",
        "in_force",
        "workspace",
    ]
    list_display_links = ["tie"]
    list_filter = [
        "kind",
        "strength",
        "trust",
        "end_date",
        "provenance",
        ("source__workspace", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = [
        "source__name",
        "source__ref",
        "target__name",
        "target__ref",
        "evidence",
    ]
    list_select_related = ["source__workspace", "target"]
    autocomplete_fields = ["source", "target"]
    readonly_fields = ["provenance_note"]

    @admin.display(description="provenance")
    def provenance_note(self, obj: Relationship) -> str:
        if obj.pk is None or obj.provenance != Provenance.REPORTED:
            return Provenance.EDITOR.label
        survey = f" in the survey {obj.survey.title}" if obj.survey_id else ""
        day = f" on {obj.reported_on:%-d %B %Y}" if obj.reported_on else ""
        return f"Reported by {obj.source.name}{survey}{day}"

    @admin.display(description="relationship", ordering="source__name")
    def tie(self, obj: Relationship) -> str:
        return format_html("{} &rarr; {}", obj.source.name, obj.target.name)

    @admin.display(description="trust", ordering="trust")
    def trust_level(self, obj: Relationship) -> str:
        return "unknown" if obj.trust is None else str(obj.trust)

    @admin.display(description="in force", ordering="start_date")
    def in_force(self, obj: Relationship) -> str:
        if obj.start_date is None and obj.end_date is None:
            return "throughout"
        start = obj.start_date.isoformat() if obj.start_date else "…"
        end = obj.end_date.isoformat() if obj.end_date else "…"
        return f"{start} to {end}"

    @admin.display(description="workspace", ordering="source__workspace__name")
    def workspace(self, obj: Relationship) -> Workspace:
        return obj.source.workspace


class ForumMembershipInline(ScopedInline):
    model = ForumMembership
    fk_name = "forum"
    form = ForumMembershipAdminForm
    formset = ForumMembershipFormSet
    fields = ["person", "seat", "start_date", "end_date", "loaded_version"]
    autocomplete_fields = ["person"]
    verbose_name = "seat"
    verbose_name_plural = "seats (forum members)"


@admin.register(Forum)
class ForumAdmin(ScopedHistoryAdmin):
    actions = [export_selected_csv]
    form = ForumAdminForm
    list_display = ["name", "kind", "tier", "host", "member_count", "workspace"]
    list_filter = [("workspace", admin.RelatedOnlyFieldListFilter), "kind", "tier"]
    search_fields = ["name"]
    list_select_related = ["workspace", "host"]
    autocomplete_fields = ["host"]
    inlines = [ForumMembershipInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_members=_count(ForumMembership, "forum"))

    @admin.display(description="members", ordering="n_members")
    def member_count(self, obj: Forum) -> int:
        return obj.n_members


@admin.register(ForumMembership)
class ForumMembershipAdmin(ScopedHistoryAdmin):
    actions = [export_selected_csv]
    form = ForumMembershipAdminForm
    list_display = ["person", "forum", "seat", "start_date", "end_date", "workspace"]
    list_filter = [
        "seat",
        ("forum__workspace", admin.RelatedOnlyFieldListFilter),
        ("forum", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["person__name", "person__ref", "forum__name"]
    list_select_related = ["person", "forum__workspace"]
    autocomplete_fields = ["forum", "person"]

    @admin.display(description="workspace", ordering="forum__workspace__name")
    def workspace(self, obj: ForumMembership) -> Workspace:
        return obj.forum.workspace


admin.site.register(Erasure, ErasureAdmin)
admin.site.register(Snapshot, SnapshotAdmin)
admin.site.register(Invitation, InvitationAdmin)
admin.site.register(Survey, SurveyAdmin)

# django-otp's device admins are for a site without workspaces: a user's two-factor is
# theirs to turn on and off on their account page (stakeholders/accounts).
for _device in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_device):
        admin.site.unregister(_device)
