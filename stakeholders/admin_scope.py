"""Which workspaces each admin user reaches: one mixin for every ModelAdmin and inline.

Access comes from workspace membership, never from Django model permissions: editors
and owners see and change their workspaces' data, only owners manage members, viewers
have no admin at all, and superusers see everything. A delete confirmation names only
records an editor knows, and none of a workspace the user cannot edit.
"""

from collections.abc import Callable

from django.contrib import admin
from django.contrib.admin.utils import NestedObjects, quote
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import models, router
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.text import capfirst

from stakeholders.access import editable_workspace_ids
from stakeholders.models import (
    Affiliation,
    Erasure,
    Forum,
    ForumMembership,
    Invitation,
    Membership,
    Organisation,
    Person,
    Relationship,
    Role,
    Snapshot,
    Survey,
    SurveyAnswer,
    SurveyQuestion,
    SurveyResponse,
    Workspace,
)

# How each model reaches its workspace. A row is in scope only when every path lands in
# a workspace the user may edit: affiliations and ties have two ends, and both count.
WORKSPACE_PATHS: dict[type[models.Model], tuple[str, ...]] = {
    Workspace: ("pk",),
    Membership: ("workspace",),
    Organisation: ("workspace",),
    Person: ("workspace",),
    Affiliation: ("person__workspace", "organisation__workspace"),
    Relationship: ("source__workspace", "target__workspace"),
    Erasure: ("workspace",),
    Forum: ("workspace",),
    ForumMembership: ("forum__workspace", "person__workspace"),
    Invitation: ("workspace",),
    Snapshot: ("workspace",),
    Survey: ("workspace",),
    SurveyQuestion: ("survey__workspace",),
    SurveyResponse: ("survey__workspace", "person__workspace"),
    SurveyAnswer: ("response__survey__workspace", "response__person__workspace"),
}

# A delete confirmation names these records one by one. Every other row a delete takes
# with it (stored scores, map positions and pins, score runs, import previews) is the
# product's own working data: it means nothing to an editor and a score row's name
# gives a person's score, so the confirmation only counts them.
WORKING_ROWS = "stored scores, map layout and other working rows"

# Scope ids: None means every workspace (superusers); otherwise the set of ids.
type Scope = frozenset[int] | None


def is_superuser(request: HttpRequest) -> bool:
    return request.user.is_active and request.user.is_superuser


def editable_scope(request: HttpRequest) -> Scope:
    """Workspaces whose data the user may change, computed once per request."""
    if is_superuser(request):
        return None
    if not hasattr(request, "_admin_editable_workspace_ids"):
        request._admin_editable_workspace_ids = frozenset(editable_workspace_ids(request.user))
    return request._admin_editable_workspace_ids


def owned_scope(request: HttpRequest) -> Scope:
    """Workspaces whose members the user may manage (owners), computed once per request."""
    if is_superuser(request):
        return None
    if not hasattr(request, "_admin_owned_workspace_ids"):
        # Owners are editors too: nobody who edits nothing needs this second query.
        request._admin_owned_workspace_ids = (
            frozenset(
                Membership.objects.filter(user=request.user, role=Role.OWNER).values_list(
                    "workspace_id", flat=True
                )
            )
            if editable_scope(request)
            else frozenset()
        )
    return request._admin_owned_workspace_ids


def scoped(queryset: models.QuerySet, scope: Scope) -> models.QuerySet:
    """Rows of the queryset whose every workspace path lands inside the scope."""
    if scope is None:
        return queryset
    paths = WORKSPACE_PATHS[queryset.model]
    return queryset.filter(**{f"{path}__in": scope for path in paths})


def workspace_ids_of(obj: models.Model) -> list[int | None]:
    """The workspace ids an instance belongs to, one per path (None when unreachable)."""
    ids: list[int | None] = []
    for path in WORKSPACE_PATHS[type(obj)]:
        if path == "pk":
            ids.append(obj.pk)
            continue
        *hops, last = path.split("__")
        node = obj
        try:
            for hop in hops:
                node = getattr(node, hop)
        except ObjectDoesNotExist:
            # A historical version can point at a row that has since been deleted.
            node = None
        ids.append(getattr(node, f"{last}_id", None))
    return ids


class SafeAutocompleteSelect(AutocompleteSelect):
    """An autocomplete box that redisplays a form whose submitted id is not an id.

    Django's widget looks the submitted value up as it is, so a value such as "x"
    or an integer too large for the database turned the form's error page into a 500.
    """

    def optgroups(self, name, value, attr=None):
        remote = self.field.remote_field
        to_field = remote.model._meta.get_field(
            getattr(remote, "field_name", None) or remote.model._meta.pk.name
        )
        kept = []
        for item in value:
            try:
                to_field.clean(item, None)
            except (ValidationError, ValueError, TypeError, OverflowError):
                continue
            kept.append(item)
        return super().optgroups(name, kept, attr)


class WorkspaceScopeMixin:
    """Limits a ModelAdmin or inline to the workspaces the user may edit (or own).

    Querysets, search and autocomplete results, foreign-key choices and every
    has_*_permission answer come from membership roles. For an inline, `obj` in the
    permission methods is the parent, which is checked against the same scope.
    """

    owners_only = False

    def scope(self, request: HttpRequest) -> Scope:
        return owned_scope(request) if self.owners_only else editable_scope(request)

    def in_scope(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        scope = self.scope(request)
        if scope is None:
            return True
        if obj is None:
            return bool(scope)
        return all(ws_id in scope for ws_id in workspace_ids_of(obj))

    def has_module_permission(self, request):
        return self.in_scope(request)

    def has_view_permission(self, request, obj=None):
        return self.in_scope(request, obj)

    def has_add_permission(self, request, obj=None):
        return self.in_scope(request, obj)

    def has_change_permission(self, request, obj=None):
        return self.in_scope(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self.in_scope(request, obj)

    def get_queryset(self, request):
        return scoped(super().get_queryset(request), self.scope(request))

    def get_search_results(self, request, queryset, search_term):
        # The autocomplete view searches through here too: re-apply the scope so that
        # no search term, however it arrives, reaches another workspace's rows.
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        return scoped(queryset, self.scope(request)), may_have_duplicates

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = SafeAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        related = db_field.related_model
        if related in WORKSPACE_PATHS and "queryset" not in kwargs:
            scope = self.scope(request) if related is Workspace else editable_scope(request)
            if scope is not None:
                kwargs["queryset"] = scoped(related._default_manager.all(), scope)
                noun = related._meta.verbose_name
                article = "an" if noun[0] in "aeiou" else "a"
                where = "you own" if self.owners_only else "you can edit"
                kwargs.setdefault("error_messages", {})["invalid_choice"] = (
                    f"Choose a workspace {where}."
                    if related is Workspace
                    else f"Choose {article} {noun} from a workspace {where}."
                )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_deleted_objects(self, objs, request):
        """What a delete takes with it, as Django lists it, less the working rows.

        The delete itself is unchanged: it cascades to every row as before.
        """
        try:
            model = objs[0]._meta.model
        except IndexError:
            return [], {}, set(), []
        collector = NestedObjects(using=router.db_for_write(model), origin=objs)
        collector.collect(objs)
        perms_needed: set[str] = set()

        def line(obj: models.Model) -> SafeString:
            return self._deleted_line(request, obj, perms_needed)

        to_delete = _named_only(collector.nested(), line)
        protected = [
            line(obj) if type(obj) in WORKSPACE_PATHS else capfirst(obj._meta.verbose_name)
            for obj in collector.protected
        ]
        counts = {
            m._meta.verbose_name_plural: len(rows)
            for m, rows in collector.model_objs.items()
            if m in WORKSPACE_PATHS
        }
        working = sum(
            len(rows) for m, rows in collector.model_objs.items() if m not in WORKSPACE_PATHS
        )
        if working:
            counts[WORKING_ROWS] = working
        return to_delete, counts, perms_needed, protected

    def _deleted_line(
        self, request: HttpRequest, obj: models.Model, perms_needed: set[str]
    ) -> SafeString:
        """One named record of a delete confirmation, linked when it has a change page."""
        opts = obj._meta
        noun = capfirst(opts.verbose_name)
        scope = editable_scope(request)
        if scope is not None and not all(ws_id in scope for ws_id in workspace_ids_of(obj)):
            # Never named, and never deleted from here (Django refuses while perms lack).
            perms_needed.add(opts.verbose_name)
            return format_html("{}: in a workspace you cannot edit", noun)
        if not self.admin_site.is_registered(type(obj)):
            return format_html("{}: {}", noun, obj)
        if not self.admin_site.get_model_admin(type(obj)).has_delete_permission(request, obj):
            perms_needed.add(opts.verbose_name)
        try:
            url = reverse(
                f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_change",
                args=(quote(obj.pk),),
            )
        except NoReverseMatch:
            return format_html("{}: {}", noun, obj)
        return format_html('{}: <a href="{}">{}</a>', noun, url, obj)

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        scope = self.scope(request)
        has_workspace = any(f.name == "workspace" for f in self.model._meta.fields)
        if has_workspace and scope and len(scope) == 1 and "workspace" not in initial:
            initial["workspace"] = next(iter(scope))
        return initial


def _named_only(nested: list, line: Callable[[models.Model], SafeString]) -> list:
    """Django's nested list of deleted rows with the working rows left out.

    `nested` holds rows, each followed by the list of what it takes with it; what a
    left-out row takes with it moves up a level.
    """
    named: list = []
    parent_named = False
    for item in nested:
        if isinstance(item, list):
            children = _named_only(item, line)
            if parent_named and children:
                named.append(children)
            else:
                named.extend(children)
        else:
            parent_named = type(item) in WORKSPACE_PATHS
            if parent_named:
                named.append(line(item))
    return named


class OwnersRecordAdmin(WorkspaceScopeMixin, admin.ModelAdmin):
    """A record kept for the workspace's owners to read (erasures, invitations): listed
    with every field read-only; nobody adds, changes or deletes one in the admin."""

    actions = None
    owners_only = True

    def get_fields(self, request: HttpRequest, obj=None):
        return self.list_display

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        return self.list_display

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
