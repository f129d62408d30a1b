"""Forms behind the admin: a readable error for every rule the database enforces.

Most rules reach the user through the model constraints' `violation_error_message`
(ModelForm.validate_constraints). These forms cover what that cannot: rules that span
several inline rows, rows whose parent is not saved yet, and fields not on the form.
"""

from collections.abc import Callable

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Model, Q
from django.forms.models import BaseInlineFormSet

from stakeholders.models import (
    Affiliation,
    Membership,
    Organisation,
    Person,
    Relationship,
    Role,
)

PRIMARY_PURPOSE = "it sets which organisation this person counts under in the analysis"


class OrganisationAdminForm(forms.ModelForm):
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
            ),
            what="An organisation with affiliations or child organisations",
        )
        return cleaned_data


class PersonAdminForm(forms.ModelForm):
    class Meta:
        model = Person
        fields = ["workspace", "ref", "name", "job_title", "seniority", "notes", "active"]

    def clean(self):
        cleaned_data = super().clean()
        _refuse_move_with_links(
            self,
            linked=lambda person: (
                Affiliation.objects.filter(person=person).exists()
                or Relationship.objects.filter(Q(source=person) | Q(target=person)).exists()
            ),
            what="A person with affiliations or relationships",
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
            others = Membership.objects.filter(
                workspace_id=instance.workspace_id, role=Role.OWNER
            ).exclude(pk=instance.pk)
            if leaves and not others.exists():
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


class PersonAffiliationForm(forms.ModelForm):
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
