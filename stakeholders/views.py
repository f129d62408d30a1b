"""Pages: thin views that check access, read through selectors and render."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers
from django_htmx.middleware import HtmxDetails

from stakeholders.access import membership_or_404
from stakeholders.selectors import (
    organisation_page,
    person_page,
    search_terms,
    workspace_summaries,
)


class HtmxHttpRequest(HttpRequest):
    """An HttpRequest as django_htmx's middleware leaves it (for type checkers)."""

    htmx: HtmxDetails


# Pages carry who-knows-whom: no shared or back-button cache keeps a copy
# (never_cache), and a fragment is never served in place of a page (Vary).
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


@require_GET
@never_cache
@vary_on_headers("HX-Request", "HX-History-Restore-Request")
@login_required
def workspace_detail(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """A workspace's organisations and people, searchable and paginated."""
    membership = membership_or_404(request.user, slug)
    workspace = membership.workspace
    query = request.GET.get("q", "").strip()
    terms = search_terms(query)
    context = {
        "workspace": workspace,
        "membership": membership,
        "can_edit": membership.can_edit,
        "query": query,
        "organisations": organisation_page(
            workspace=workspace, terms=terms, page=request.GET.get("orgs_page")
        ),
        "people": person_page(
            workspace=workspace, terms=terms, page=request.GET.get("people_page")
        ),
    }
    template = "stakeholders/workspace_detail.html"
    if request.htmx and not request.htmx.history_restore_request:
        template += "#results"
    return render(request, template, context)
