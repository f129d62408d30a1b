"""Forms behind the admin: a readable error for every rule the database enforces.

Most rules reach the user through the model constraints' `violation_error_message`
(ModelForm.validate_constraints). These forms cover what that cannot: rules that span
several inline rows, rows whose parent is not saved yet, and fields not on the form.
"""

from collections.abc import Callable

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import Model, Q
from django.forms.models import BaseInlineFormSet

from stakeholders.members.services import other_owner_count
from stakeholders.models import (
    Affiliation,
    Boundary,
    Forum,
    ForumMembership,
    Membership,
    Organisation,
    Person,
    PersonScore,
    Relationship,
    Role,
    SurveyAnswer,
    SurveyResponse,
)
from stakeholders.services import edit_conflict_message, record_version_claim

PRIMARY_PURPOSE = "it sets which organisation this person counts under in the analysis"

# The largest value a PositiveIntegerField holds on every supported database.
MAX_VERSION = 2_147_483_647


class LoadedVersionField(forms.IntegerField):
    """The version the editor loaded. It never counts as a change: a row whose values
    the editor left as they are in the database is not saved, whatever its version."""

    widget = forms.HiddenInput

    def has_changed(self, initial, data) -> bool:
        return False


class VersionedFormMixin(forms.Form):
    """Optimistic locking for a ModelForm over a model with a `version` counter.

    The form carries the version the editor loaded as a hidden field. Validation refuses
    a stale form early, with the editor's values kept on screen; the save itself then
    claims the version (services.record_version_claim), which settles a race between
    two saves that both passed validation. Saving bumps the version by one.
    """

    loaded_version = LoadedVersionField(required=False, min_value=1, max_value=MAX_VERSION)

    # The stored version, when the instance is an older version being restored from the
    # history; the admin sets it on the form class (ScopedHistoryAdmin.get_form).
    base_version: int | None = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.initial.setdefault("loaded_version", self.base_version or self.instance.version)

    @property
    def checks_version(self) -> bool:
        """Only rows that exist and whose submitted values differ from the stored ones.

        Django compares with the row as it is now, so a row someone else changed since
        the page loaded counts as changed (saving it would undo their edit) and is
        refused, while a row whose values match is left alone and not saved at all.
        """
        if self.instance.pk is None:
            return False
        # A restored version is written whole, even where it matches its own old values.
        return self.base_version is not None or self.has_changed()

    def clean(self):
        cleaned_data = super().clean()
        out_of_date = (
            f"This {self.instance._meta.verbose_name} form is out of date: reload the page "
            "and make your changes again."
        )
        if self._errors.pop("loaded_version", None):
            # Not a number: the page was tampered with. The field is hidden, so say it
            # where the editor can see it.
            self.add_error(None, out_of_date)
            return cleaned_data
        if not self.checks_version:
            return cleaned_data
        loaded = cleaned_data.get("loaded_version")
        if loaded is None:
            self.add_error(None, out_of_date)
            return cleaned_data
        # On PostgreSQL the row stays locked until the save commits (the admin runs
        # each change page in one transaction), so no other save can slip in between.
        rows = type(self.instance)._default_manager.filter(pk=self.instance.pk)
        if transaction.get_connection().in_atomic_block:
            rows = rows.select_for_update()
        current = rows.values_list("version", flat=True).first()
        if current is not None and current != loaded:
            self.add_error(None, edit_conflict_message(instance=self.instance))
        return cleaned_data

    def claim_version(self) -> None:
        """Move the row on from the loaded version, or raise services.EditConflict.

        Every save of an existing row claims, so every save bumps the version by one.
        """
        if self.instance.pk is not None:
            record_version_claim(
                instance=self.instance, expected_version=self.cleaned_data.get("loaded_version")
            )

    def save(self, commit=True):
        if commit:
            with transaction.atomic():
                self.claim_version()
                return super().save(commit=True)
        return super().save(commit=False)


class OrganisationAdminForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = Organisation
        fields = ["workspace", "name", "short_name", "kind", "sector", "tier", "parent", "ods_code"]

    def clean(self):
        cleaned_data = super().clean()
        _refuse_move_with_links(
            self,
            linked=lambda org: (
                Affiliation.objects.filter(organisation=org).exists()
                or Organisation.objects.filter(parent=org).exists()
                or Forum.objects.filter(host=org).exists()
                # Stored scores and snapshots of this workspace name it by its id.
                or PersonScore.objects.filter(
                    run__workspace_id=org.workspace_id,
                    boundary=Boundary.ORGANISATION,
                    group=str(org.pk),
                ).exists()
            ),
            what="An organisation with affiliations, child organisations, forums it hosts "
            "or stored scores",
        )
        return cleaned_data


class PersonAdminForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = Person
        fields = ["workspace", "ref", "name", "job_title", "seniority", "email", "notes", "active"]

    def clean(self):
        cleaned_data = super().clean()
        _refuse_move_with_links(
            self,
            linked=lambda person: (
                Affiliation.objects.filter(person=person).exists()
                or Relationship.objects.filter(Q(source=person) | Q(target=person)).exists()
                or ForumMembership.objects.filter(person=person).exists()
                or SurveyResponse.objects.filter(person=person).exists()
                # Named in someone else's answer, even one withdrawn or never sent.
                or SurveyAnswer.objects.filter(target=person).exists()
            ),
            what="A person with affiliations, relationships, forum seats, or survey answers "
            "they gave or are named in",
        )
        return cleaned_data


def _refuse_move_with_links(
    form: forms.ModelForm, *, linked: Callable[[Model], bool], what: str
) -> None:
    """Moving a linked record would leave its links pointing into another workspace."""
    instance = form.instance
    if instance.pk is None or "workspace" not in form.changed_data:
        return
    new_workspace = form.cleaned_data.get("workspace")
    if new_workspace is None or new_workspace.pk == instance.workspace_id:
        return
    if not linked(instance):
        return
    form.add_error(
        "workspace",
        f"{what} cannot move to another workspace: the records it links to "
        f"belong to {instance.workspace}.",
    )


class MembershipAdminForm(forms.ModelForm):
    # A username box rather than a list of every account: owners must not browse the
    # people of other workspaces.
    user = forms.ModelChoiceField(
        queryset=get_user_model().objects.all(),
        to_field_name="username",
        widget=forms.TextInput,
        label="Username",
        error_messages={
            "invalid_choice": "There is no account with this username; "
            "an administrator creates accounts.",
        },
    )

    class Meta:
        model = Membership
        fields = ["user", "workspace", "role"]
        error_messages = {
            NON_FIELD_ERRORS: {
                "unique_together": "This user is already a member of this workspace.",
            }
        }

    def clean(self):
        cleaned_data = super().clean()
        workspace = cleaned_data.get("workspace")
        instance = self.instance
        # The user is read-only when editing, so validate_constraints() skips the
        # (user, workspace) constraint; check it here instead.
        if (
            "user" not in self.fields
            and instance.pk
            and workspace is not None
            and Membership.objects.filter(user_id=instance.user_id, workspace=workspace)
            .exclude(pk=instance.pk)
            .exists()
        ):
            self.add_error("workspace", "This user is already a member of that workspace.")
        if instance.pk and instance.role == Role.OWNER:
            leaves = cleaned_data.get("role", Role.OWNER) != Role.OWNER or (
                workspace is not None and workspace.pk != instance.workspace_id
            )
            # The admin validates inside the save's transaction: the lock holds to the end.
            if leaves and other_owner_count(instance) == 0:
                raise ValidationError(
                    f"{instance.workspace} must keep at least one owner: "
                    "make someone else an owner first.",
                    code="last_owner",
                )
        return cleaned_data


class WorkspaceInlineFormSet(BaseInlineFormSet):
    """Inline rows linking the parent to another record, which must share its workspace.

    The model clean() cannot check this while the parent is being added (it has no pk
    yet), so the choices themselves are limited to the parent's workspace.
    """

    linked_field = ""
    linked_noun = ""
    duplicate_message = ""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        field = form.fields.get(self.linked_field)
        workspace_id = getattr(self.instance, "workspace_id", None)
        if field is None or workspace_id is None:
            return
        field.queryset = field.queryset.filter(workspace_id=workspace_id)
        field.error_messages["invalid_choice"] = (
            f"Choose {self.linked_noun} in {self.instance.workspace}, "
            f"the workspace of this {self.instance._meta.verbose_name}."
        )

    def get_unique_error_message(self, unique_check):
        return self.duplicate_message or super().get_unique_error_message(unique_check)

    def kept_forms(self) -> list[forms.ModelForm]:
        """Rows that will exist after saving: not deleted, and not blank extra rows."""
        return [
            form
            for form in self.forms
            if getattr(form, "cleaned_data", None)
            and not self._should_delete_form(form)
            and (form.instance.pk is not None or form.has_changed())
        ]


# Also the forms of the organisation page's affiliation rows and the person page's
# relationship rows: those inlines choose the columns with their own `fields`.
class AffiliationAdminForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = Affiliation
        fields = ["person", "organisation", "role_title", "is_primary", "start_date", "end_date"]


def _scale(name: str, *, required: bool) -> forms.IntegerField:
    """A 1-5 scale in the admin: its range in the input and in one plain message (as a
    positive integer field, -2 was refused as "not at least 0")."""
    wrong = f"Enter a whole number from 1 to 5 for {name}."
    return forms.IntegerField(
        min_value=1,
        max_value=5,
        required=required,
        help_text=Relationship._meta.get_field(name).help_text,
        error_messages={"min_value": wrong, "max_value": wrong, "invalid": wrong},
    )


class RelationshipAdminForm(VersionedFormMixin, forms.ModelForm):
    strength = _scale("strength", required=True)
    trust = _scale("trust", required=False)

    class Meta:
        model = Relationship
        fields = [
            "source",
            "target",
            "kind",
            "strength",
            "trust",
            "observed_on",
            "start_date",
            "end_date",
            "evidence",
        ]


class PersonAffiliationForm(VersionedFormMixin, forms.ModelForm):
    """One affiliation row on a person; the formset checks the one-primary rule."""

    class Meta:
        model = Affiliation
        fields = ["organisation", "role_title", "is_primary", "start_date", "end_date"]

    def validate_constraints(self):
        # Checked row by row against the database, moving the primary from one row to
        # another in a single save would be refused; the formset checks it across rows.
        exclude = self._get_validation_exclusions() | {"is_primary"}
        try:
            self.instance.validate_constraints(exclude=exclude)
        except ValidationError as e:
            self._update_errors(e)


class PersonAffiliationFormSet(WorkspaceInlineFormSet):
    linked_field = "organisation"
    linked_noun = "an organisation"
    duplicate_message = "Each organisation can appear only once for this person."

    def clean(self):
        super().clean()
        rows = self.kept_forms()
        primaries = [form for form in rows if form.cleaned_data.get("is_primary")]
        if len(primaries) == 1:
            return
        had_primary = any(form.initial.get("is_primary") for form in self.initial_forms)
        if not primaries and not self.instance._state.adding and not had_primary:
            # Someone with no main organisation (imported so, or theirs was deleted)
            # stays editable; a new person, or one losing their primary, is refused.
            return
        if not rows:
            raise ValidationError(
                f"Add at least one affiliation and mark it primary: {PRIMARY_PURPOSE}.",
                code="no_affiliation",
            )
        if not primaries:
            raise ValidationError(
                f"Mark one affiliation as primary: {PRIMARY_PURPOSE}.", code="no_primary"
            )
        names = ", ".join(
            str(form.cleaned_data.get("organisation") or "a row without an organisation")
            for form in primaries
        )
        raise ValidationError(
            f"Only one affiliation can be primary, but {len(primaries)} are marked: {names}.",
            code="several_primaries",
        )

    def save(self, commit=True):
        if commit:
            # The database allows one primary per person at every moment: clear the
            # outgoing primary first, whatever order the rows are saved in.
            demoted = [
                form.instance.pk
                for form in self.initial_forms
                if form.initial.get("is_primary")
                and (self._should_delete_form(form) or not form.cleaned_data.get("is_primary"))
            ]
            if demoted:
                Affiliation.objects.filter(pk__in=demoted).update(is_primary=False)
        return super().save(commit=commit)


class OrganisationAffiliationFormSet(WorkspaceInlineFormSet):
    linked_field = "person"
    linked_noun = "a person"
    duplicate_message = "Each person can appear only once for this organisation."


class OutgoingRelationshipFormSet(WorkspaceInlineFormSet):
    linked_field = "target"
    linked_noun = "a person"
    duplicate_message = (
        "The same person and kind appear in more than one row: "
        "keep one relationship of each kind per pair."
    )


class ForumAdminForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = Forum
        fields = ["workspace", "name", "kind", "tier", "host"]

    def clean(self):
        cleaned_data = super().clean()
        _refuse_move_with_links(
            self,
            linked=lambda forum: ForumMembership.objects.filter(forum=forum).exists(),
            what="A forum with seats",
        )
        return cleaned_data


class ForumMembershipAdminForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = ForumMembership
        fields = ["forum", "person", "seat", "start_date", "end_date"]


class ForumMembershipFormSet(WorkspaceInlineFormSet):
    linked_field = "person"
    linked_noun = "a person"
    duplicate_message = "Each person can have only one seat on this forum."
