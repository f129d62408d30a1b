"""Change history pages, subject access, erasure and the retention setting.

History is for every member (notes stay hidden from viewers, as on the person
page). Subject access, erasure and the settings are for owners: other members
get 403, anyone else 404. No URL or log line carries a person's name.
"""

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header

from stakeholders import history
from stakeholders.http import HtmxHttpRequest, Refusal, member_page, partial_or_page
from stakeholders.models import Boundary, Membership, Organisation, Person, Role, Workspace
from stakeholders.privacy import erasure, subject_access
from stakeholders.selectors import group_labels


def _changes_page(
    request: HtmxHttpRequest, membership: Membership, pk: int, *, model, read, covers: str
) -> HttpResponse:
    """One page of a record's changes; `read(record, membership, org_names, number)`."""
    record = get_object_or_404(
        model.objects.select_related("workspace"), pk=pk, workspace=membership.workspace
    )
    number = history.history_page_number(request.GET.get("page"))
    if number is None:
        raise Refusal(f"Choose a page from 1 to {history.HISTORY_MAX_PAGE}.")
    org_names = group_labels(workspace_id=membership.workspace.pk, boundary=Boundary.ORGANISATION)
    name = model._meta.model_name
    context = {
        "workspace": membership.workspace,
        "membership": membership,
        "record_name": record.name,
        "record_url": f"stakeholders:{name}_detail",
        "changes_url": f"stakeholders:{name}_changes",
        "record_pk": record.pk,
        "covers": covers,
        "page": read(record, membership, org_names, number),
    }
    template = partial_or_page(request, "stakeholders/record_changes.html", "more-changes")
    return render(request, template, context)


@member_page
def person_changes(request: HtmxHttpRequest, membership: Membership, pk: int) -> HttpResponse:
    """Every change to a person, their affiliations and ties, a page at a time."""
    return _changes_page(
        request,
        membership,
        pk,
        model=Person,
        read=lambda person, membership, org_names, number: history.person_history(
            person=person, show_notes=membership.can_edit, org_names=org_names, page=number
        ),
        covers="this person, their affiliations and their relationships",
    )


@member_page
def organisation_changes(request: HtmxHttpRequest, membership: Membership, pk: int) -> HttpResponse:
    """Every change to an organisation and its affiliations, a page at a time."""
    return _changes_page(
        request,
        membership,
        pk,
        model=Organisation,
        read=lambda organisation, _membership, org_names, number: history.organisation_history(
            organisation=organisation, org_names=org_names, page=number
        ),
        covers="this organisation's details and the affiliations of people with it",
    )


@member_page(role=Role.OWNER)
def person_subject_access(
    request: HtmxHttpRequest, membership: Membership, pk: int
) -> HttpResponse:
    """Everything held about one person as a zip of CSV files (owners only)."""
    workspace = membership.workspace
    person = get_object_or_404(Person, pk=pk, workspace=workspace)
    now = timezone.now()
    data = subject_access.subject_access_zip(
        workspace=workspace, person=person, generated_by=request.user, now=now
    )
    response = HttpResponse(data, content_type="application/zip")
    name = subject_access.subject_access_filename(
        workspace=workspace, person=person, day=timezone.localdate(now)
    )
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


class EraseForm(forms.Form):
    confirmation = forms.CharField(
        label="Type the person's ref or full name to confirm",
        max_length=200,
        error_messages={"required": "Type the person's ref or full name to confirm."},
    )

    def __init__(self, *args, person: Person, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.person = person

    def clean_confirmation(self) -> str:
        typed = " ".join(self.cleaned_data["confirmation"].split()).casefold()
        expected = {" ".join(s.split()).casefold() for s in (self.person.ref, self.person.name)}
        if typed not in expected:
            raise forms.ValidationError(
                "That is not this person's ref or full name. Nothing was erased."
            )
        return typed


def _erase_context(membership: Membership, person: Person, form: EraseForm) -> dict:
    return {
        "workspace": membership.workspace,
        "membership": membership,
        "person": person,
        "form": form,
        "affiliation_count": person.affiliations.count(),
        "tie_count": person.ties_out.count() + person.ties_in.count(),
        "mentions": erasure.erasure_mentions(workspace=membership.workspace, person=person),
    }


@member_page(methods=("GET", "POST"), role=Role.OWNER)
def person_erase(request: HtmxHttpRequest, membership: Membership, pk: int) -> HttpResponse:
    """Confirm (GET), then erase (POST) a person and every trace of them (owners only)."""
    workspace = membership.workspace
    person = get_object_or_404(Person, pk=pk, workspace=workspace)
    if request.method != "POST":  # GET or HEAD
        form = EraseForm(person=person)
        return render(
            request, "stakeholders/person_erase.html", _erase_context(membership, person, form)
        )
    form = EraseForm(request.POST, person=person)
    if not form.is_valid():
        return render(
            request,
            "stakeholders/person_erase.html",
            _erase_context(membership, person, form),
            status=400,
        )
    try:
        record = erasure.person_erase(workspace=workspace, person=person, erased_by=request.user)
    except Person.DoesNotExist:
        # Erased by someone else between the page and the confirmation.
        messages.info(request, "That person had already been erased.")
        return redirect("stakeholders:workspace_settings", slug=workspace.slug)
    messages.success(
        request,
        f"The person was erased, with {record.affiliations_removed} "
        f"affiliation{'s' if record.affiliations_removed != 1 else ''} and "
        f"{record.relationships_removed} "
        f"relationship{'s' if record.relationships_removed != 1 else ''}, and their change "
        "history. Scores are being recalculated without them.",
    )
    return redirect("stakeholders:workspace_settings", slug=workspace.slug)


class RetentionForm(forms.ModelForm):
    class Meta:
        model = Workspace
        fields = ["retention_months"]
        labels = {"retention_months": "Flag ties as stale after this many months"}
        help_texts = {
            "retention_months": "From 1 to 240. Leave empty to never flag ties as stale.",
        }
        widgets = {
            "retention_months": forms.NumberInput(
                attrs={"class": "nhsuk-input nhsuk-input--width-4", "min": 1, "max": 240}
            )
        }

    def clean_retention_months(self) -> int | None:
        value = self.cleaned_data["retention_months"]
        if value is not None and not 1 <= value <= 240:
            raise forms.ValidationError(
                "Enter a number of months from 1 to 240, or leave it empty."
            )
        return value


@member_page(methods=("GET", "POST"), role=Role.OWNER)
def workspace_settings(request: HtmxHttpRequest, membership: Membership) -> HttpResponse:
    """The retention setting and the record of erasures (owners only)."""
    workspace = membership.workspace
    status = 200
    if request.method == "POST":
        form = RetentionForm(request.POST, instance=workspace)
        if form.is_valid():
            erasure.workspace_retention_update(
                workspace=workspace, retention_months=form.cleaned_data["retention_months"]
            )
            months = form.cleaned_data["retention_months"]
            messages.success(
                request,
                f"Ties not observed for {months} months are now flagged as stale."
                if months
                else "Ties are no longer flagged as stale, however long ago they were observed.",
            )
            return redirect("stakeholders:workspace_settings", slug=workspace.slug)
        status = 400
    else:
        form = RetentionForm(instance=workspace)
    context = {
        "workspace": workspace,
        "membership": membership,
        "form": form,
        "erasures": erasure.workspace_erasures(workspace=workspace),
    }
    return render(request, "stakeholders/workspace_settings.html", context, status=status)
