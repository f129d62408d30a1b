"""Pages: thin views that check access, read through selectors and render."""

from collections.abc import Callable

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers
from django_htmx.middleware import HtmxDetails

from stakeholders.access import membership_or_404
from stakeholders.dashboard import reads
from stakeholders.models import Boundary, Organisation, Person
from stakeholders.selectors import (
    organisation_page,
    person_page,
    score_status,
    search_terms,
    workspace_summaries,
)


class HtmxHttpRequest(HttpRequest):
    """An HttpRequest as django_htmx's middleware leaves it (for type checkers)."""

    htmx: HtmxDetails


# Pages carry who-knows-whom: no shared or back-button cache keeps a copy
# (never_cache), and a fragment is never served in place of a page (Vary).
def member_page(view: Callable | None = None, *, methods: tuple[str, ...] = ("GET",)):
    """A page for logged-in users that may answer with an htmx partial (GET unless told)."""

    def decorate(view: Callable) -> Callable:
        return require_http_methods(list(methods))(
            never_cache(
                vary_on_headers("HX-Request", "HX-History-Restore-Request")(login_required(view))
            )
        )

    return decorate if view is None else decorate(view)


@require_GET
@never_cache
@login_required
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
def workspace_detail(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """A workspace's organisations and people, searchable (by POST) and paginated."""
    membership = membership_or_404(request.user, slug)
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
        request, _partial_or_page(request, "stakeholders/workspace_detail.html", "results"), context
    )


def _bad_request(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "400.html", {"message": message}, status=400)


def _analysis_context(request: HtmxHttpRequest, slug: str) -> dict | HttpResponse:
    """What every analysis page needs: membership, boundary, and the scores' status."""
    membership = membership_or_404(request.user, slug)
    boundary = request.GET.get("boundary", Boundary.ORGANISATION)
    if boundary not in Boundary.values:
        return _bad_request(request, "Choose the boundary organisation, sector or tier.")
    return {
        "workspace": membership.workspace,
        "membership": membership,
        "can_edit": membership.can_edit,
        "boundary": boundary,
        "boundary_label": Boundary(boundary).label.lower(),
        "boundaries": Boundary.choices,
        "status": score_status(workspace=membership.workspace),
    }


def _partial_or_page(request: HtmxHttpRequest, template: str, partial: str) -> str:
    """The partial for an htmx swap of it; the whole page otherwise.

    The analysis region reloading itself after a recompute asks for the whole
    page (it selects #analysis out of it), as does a history restore.
    """
    if (
        request.htmx
        and not request.htmx.history_restore_request
        and request.htmx.target != "analysis"
    ):
        return f"{template}#{partial}"
    return template


@member_page
def overview(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """Headline figures, top brokers, hidden influencers and fragile partnerships."""
    context = _analysis_context(request, slug)
    if isinstance(context, HttpResponse):
        return context
    run = context["status"].run
    if run is not None:
        context["overview"] = reads.overview(
            workspace=context["workspace"], run=run, boundary=context["boundary"]
        )
    return render(request, "stakeholders/overview.html", context)


@member_page
def brokers(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """Everyone ranked by broker score, with every part of the score; sortable, filterable."""
    context = _analysis_context(request, slug)
    if isinstance(context, HttpResponse):
        return context
    sort = request.GET.get("sort", "score")
    if sort not in reads.BROKER_SORTS:
        return _bad_request(request, "That is not a way this table can be sorted.")
    group = request.GET.get("group", "")[:60]
    context.update(
        sort=sort,
        sort_label=reads.BROKER_SORTS[sort][0],
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
        request, _partial_or_page(request, "stakeholders/brokers.html", "broker-table"), context
    )


@require_GET
@never_cache
@login_required
def scores_status(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """The "scores as of" line, polled while a recompute runs.

    When the recompute the page was waiting for has finished, the response
    fires `scores-updated`, and the page's analysis region reloads itself.
    """
    context = _analysis_context(request, slug)
    if isinstance(context, HttpResponse):
        return context
    response = render(request, "stakeholders/_score_status.html", context)
    if request.GET.get("waiting") and not context["status"].updating:
        response["HX-Trigger"] = "scores-updated"
    return response


@member_page
def partnerships(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """Ties between every pair of groups, the fragile pairs and the pairs with no ties."""
    context = _analysis_context(request, slug)
    if isinstance(context, HttpResponse):
        return context
    run = context["status"].run
    if run is not None:
        context["partnerships"] = reads.partnerships(
            workspace=context["workspace"], run=run, boundary=context["boundary"]
        )
        context["matrix_limit"] = reads.MATRIX_MAX_GROUPS
    return render(request, "stakeholders/partnerships.html", context)


@member_page
def person_detail(request: HtmxHttpRequest, slug: str, pk: int) -> HttpResponse:
    """One person: details, affiliations, ties both ways, scores and recent changes."""
    context = _analysis_context(request, slug)
    if isinstance(context, HttpResponse):
        return context
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
    return render(request, "stakeholders/person_detail.html", context)


@member_page
def organisation_detail(request: HtmxHttpRequest, slug: str, pk: int) -> HttpResponse:
    """One organisation: details, its people, its partnerships and recent changes."""
    context = _analysis_context(request, slug)
    if isinstance(context, HttpResponse):
        return context
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
