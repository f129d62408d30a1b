"""Pages: thin views that check access, read through selectors and render."""

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render

from stakeholders.dashboard import heatmap, reads
from stakeholders.http import (
    HtmxHttpRequest,
    Refusal,
    analysis_context,
    member_page,
    partial_or_page,
    signed_in_page,
)
from stakeholders.models import Boundary, Membership, Organisation, Person
from stakeholders.selectors import (
    organisation_page,
    person_page,
    search_terms,
    workspace_summaries,
)
from stakeholders.snapshots.chart import score_chart
from stakeholders.snapshots.reads import broker_history


@signed_in_page
def home(request: HtmxHttpRequest) -> HttpResponse:
    """The workspaces the user belongs to, with their sizes and the user's role."""
    return render(
        request,
        "stakeholders/home.html",
        {"workspaces": workspace_summaries(user=request.user)},
    )


# The search term is personal data (it is usually a name): it arrives in a POST body,
# never in the address, so that no access log, history entry or referrer carries it.
@member_page(methods=("GET", "POST"))
def workspace_detail(request: HtmxHttpRequest, membership: Membership) -> HttpResponse:
    """A workspace's organisations and people, searchable (by POST) and paginated."""
    workspace = membership.workspace
    data = request.POST if request.method == "POST" else request.GET
    query = request.POST.get("q", "").strip()  # empty on a GET
    terms = search_terms(query)
    context = {
        "workspace": workspace,
        "membership": membership,
        "can_edit": membership.can_edit,
        "query": query,
        "organisations": organisation_page(
            workspace=workspace, terms=terms, page=data.get("orgs_page")
        ),
        "people": person_page(workspace=workspace, terms=terms, page=data.get("people_page")),
    }
    return render(
        request, partial_or_page(request, "stakeholders/workspace_detail.html", "results"), context
    )


@member_page
def overview(request: HtmxHttpRequest, membership: Membership) -> HttpResponse:
    """Headline figures, top brokers, hidden influencers and fragile partnerships."""
    context = analysis_context(request, membership)
    run = context["status"].run
    if run is not None:
        context["overview"] = reads.overview(
            workspace=context["workspace"], run=run, boundary=context["boundary"]
        )
    return render(request, "stakeholders/overview.html", context)


@member_page
def brokers(request: HtmxHttpRequest, membership: Membership) -> HttpResponse:
    """Everyone ranked by broker score, with every part of the score; sortable, filterable."""
    context = analysis_context(request, membership)
    sort = request.GET.get("sort", "score")
    if sort not in reads.BROKER_SORTS:
        raise Refusal("That is not a way this table can be sorted.")
    group = request.GET.get("group", "")[:60]
    context.update(
        sort=sort,
        sort_words=reads.BROKER_SORT_WORDS[sort].format(groups=f"{context['boundary_label']}s"),
        group=group,
        sorts=reads.BROKER_SORTS,
    )
    run = context["status"].run
    if run is not None:
        context["brokers"] = reads.broker_page(
            workspace=context["workspace"],
            run=run,
            boundary=context["boundary"],
            sort=sort,
            group=group,
            page=request.GET.get("page"),
        )
    return render(
        request, partial_or_page(request, "stakeholders/brokers.html", "broker-table"), context
    )


@member_page
def scores_status(request: HtmxHttpRequest, membership: Membership) -> HttpResponse:
    """The "scores as of" line, polled while a recompute runs.

    When the recompute the page was waiting for has finished, the response
    fires `scores-updated`, and the page's analysis region reloads itself.
    """
    context = analysis_context(request, membership)
    response = render(request, "stakeholders/_score_status.html", context)
    if request.GET.get("waiting") and not context["status"].updating:
        response["HX-Trigger"] = "scores-updated"
    return response


@member_page
def partnerships(request: HtmxHttpRequest, membership: Membership) -> HttpResponse:
    """Ties between every pair of groups, the fragile pairs and the pairs with no ties."""
    context = analysis_context(request, membership)
    run = context["status"].run
    if run is not None:
        context["partnerships"] = reads.partnerships(
            workspace=context["workspace"],
            run=run,
            boundary=context["boundary"],
            all_fragile=request.GET.get("fragile") == "all",
        )
        context["matrix_limit"] = reads.MATRIX_MAX_GROUPS
    return render(request, "stakeholders/partnerships.html", context)


@member_page
def partnership_people(request: HtmxHttpRequest, membership: Membership) -> HttpResponse:
    """The people carrying one partnership (groups `a` and `b`): a heat map cell opened."""
    context = analysis_context(request, membership)
    workspace, boundary = context["workspace"], context["boundary"]
    heads = heatmap.group_heads(workspace_id=workspace.pk, boundary=boundary)
    a, b = request.GET.get("a", ""), request.GET.get("b", "")
    if not heatmap.is_pair(heads, a, b):
        # Another workspace's organisation answers as a missing one: ids cannot be probed.
        raise Http404("There is no such partnership in this workspace.")
    run = context["status"].run
    context["pair_heads"] = (heads[a], heads[b])
    if run is not None:
        context["pair"] = heatmap.partnership_people(
            workspace=workspace, run=run, boundary=boundary, heads=heads, a=a, b=b
        )
    return render(request, "stakeholders/partnership_people.html", context)


@member_page
def person_detail(request: HtmxHttpRequest, membership: Membership, pk: int) -> HttpResponse:
    """One person: details, affiliations, ties both ways, scores and recent changes."""
    context = analysis_context(request, membership)
    person = get_object_or_404(
        Person.objects.select_related("workspace"), pk=pk, workspace=context["workspace"]
    )
    context["detail"] = reads.person_detail(
        person=person,
        run=context["status"].run,
        boundary=context["boundary"],
        # Notes are the mappers' own opinions of a person: editors and owners only.
        show_notes=context["can_edit"],
    )
    context["broker_chart"] = score_chart(
        broker_history(
            workspace=context["workspace"], person_id=person.pk, boundary=context["boundary"]
        )
    )
    return render(request, "stakeholders/person_detail.html", context)


@member_page
def organisation_detail(request: HtmxHttpRequest, membership: Membership, pk: int) -> HttpResponse:
    """One organisation: details, its people, its partnerships and recent changes."""
    context = analysis_context(request, membership)
    organisation = get_object_or_404(
        Organisation.objects.select_related("workspace", "parent"),
        pk=pk,
        workspace=context["workspace"],
    )
    # Scores on this page are always across organisations.
    context.update(boundary=Boundary.ORGANISATION, boundary_label="organisation")
    context["detail"] = reads.organisation_detail(
        organisation=organisation, run=context["status"].run
    )
    return render(request, "stakeholders/organisation_detail.html", context)
