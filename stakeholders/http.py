"""Page plumbing: one decorator for every page, partial or page, and refusals.

A workspace page is written one way:

    @member_page(role=Role.EDITOR)            # methods=("GET", "POST") when it posts
    def import_upload(request, membership):   # the URL's slug is checked and dropped
        ...
        raise Refusal("Choose a file to upload.")   # becomes the 400 page

Non-members get 404 (never 403, so nobody learns which workspaces exist); a member
below the role gets 403. A helper that finds something wrong raises Refusal
instead of returning a response for its caller to test.
"""

import contextlib
import dataclasses
import datetime
from collections.abc import Callable, Mapping
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, UnreadablePostError
from django.shortcuts import render
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django.views.decorators.vary import vary_on_headers
from django_htmx.middleware import HtmxDetails

from stakeholders.access import membership_or_404
from stakeholders.models import Boundary, Membership, Role, Snapshot, Workspace
from stakeholders.selectors import ScoresChoice, choice_status
from stakeholders.services import scores_request
from stakeholders.surveys.reads import completeness

# `?layer=`: scores from informal ties (the default) or from informal and formal ones.
LAYER_INFORMAL = "informal"
LAYER_FORMAL = "formal"

ROLE_RANK = {Role.VIEWER: 0, Role.EDITOR: 1, Role.OWNER: 2}


class HtmxHttpRequest(HttpRequest):
    """An HttpRequest as django_htmx's middleware leaves it (for type checkers)."""

    htmx: HtmxDetails


class Refusal(Exception):
    """A request a page will not serve, with the page that says why.

    `template` defaults to the site's page for the status (400.html, 403.html);
    a feature passes its own page and context to refuse in place.
    """

    def __init__(
        self,
        message: str = "",
        *,
        status: int = 400,
        template: str | None = None,
        context: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.template = template or f"{status}.html"
        self.context = dict(context or {})

    def response(self, request: HttpRequest) -> HttpResponse:
        context = {"message": self.message, **self.context}
        return render(request, self.template, context, status=self.status)


def not_ready(message: str, workspace: Workspace) -> Refusal:
    """A download whose answer is not there yet (409: the request itself is fine)."""
    return Refusal(
        message,
        status=409,
        template="stakeholders/export_error.html",
        context={"title": "This answer is not ready", "workspace": workspace},
    )


# Pages carry who-knows-whom: no shared or back-button cache keeps a copy
# (never_cache), and a fragment is never served in place of a page (Vary).
def signed_in_page(view: Callable | None = None, *, methods: tuple[str, ...] = ("GET",)):
    """A page for signed-in users that may answer with an htmx partial (GET unless told).

    HEAD is served wherever GET is: the same view, status and headers (the server drops
    the body), as monitors and link checkers expect.
    """
    allowed = [*methods, "HEAD"] if "GET" in methods and "HEAD" not in methods else [*methods]

    def decorate(view: Callable) -> Callable:
        return require_http_methods(allowed)(
            never_cache(
                vary_on_headers("HX-Request", "HX-History-Restore-Request")(login_required(view))
            )
        )

    return decorate if view is None else decorate(view)


type Refuser = Callable[[HttpRequest, Membership], Refusal]


def member_page(
    view: Callable | None = None,
    *,
    methods: tuple[str, ...] = ("GET",),
    role: str = Role.VIEWER,
    refused: Refuser | None = None,
):
    """A page of one workspace: `view(request, membership, **url_kwargs_but_slug)`.

    The user must be a member of the workspace in the URL (404 otherwise) with at
    least `role` (403 otherwise: `refused(request, membership)` gives a feature's
    own page, else the site's 403 page). A Refusal raised inside becomes its page.
    """

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def page(request: HttpRequest, slug: str, **kwargs) -> HttpResponse:
            membership = membership_or_404(request.user, slug)
            try:
                if ROLE_RANK[membership.role] < ROLE_RANK[role]:
                    raise (refused or _forbidden)(request, membership)
                return view(request, membership, **kwargs)
            except Refusal as refusal:
                return refusal.response(request)

        return signed_in_page(page, methods=methods)

    return decorate if view is None else decorate(view)


def _forbidden(request: HttpRequest, membership: Membership) -> Refusal:
    return Refusal(status=403, context={"workspace": membership.workspace})


_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


def _holds_null_character(request: HttpRequest) -> bool:
    if "\x00" in request.path:
        return True
    params = [request.GET]
    if request.method == "POST" and request.content_type in _FORMS:
        with contextlib.suppress(UnreadablePostError):  # the client went away
            params.append(request.POST)
    return any(
        "\x00" in key or any("\x00" in value for value in values)
        for query in params
        for key, values in query.lists()
    )


def refuse_null_characters(get_response: Callable) -> Callable:
    """Middleware: a NUL in the address or a submitted form is a 400, before any view runs.

    PostgreSQL cannot hold or even compare text with a NUL in it, so one in any filter,
    search, admin list or autocomplete was a 500 (and a streamed CSV stopped halfway).
    No name, search or choice contains one, so refusing it everywhere loses nothing.
    """

    def middleware(request: HttpRequest) -> HttpResponse:
        if _holds_null_character(request):
            return Refusal(
                "The address or the form holds a null character (%00), which no name, "
                "search or choice contains."
            ).response(request)
        return get_response(request)

    return middleware


def partial_or_page(request: HtmxHttpRequest, template: str, partial: str) -> str:
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


def boundary_param(request: HttpRequest) -> str:
    """The `boundary` the address asks for (organisation unless told); Refusal if unknown."""
    boundary = request.GET.get("boundary", Boundary.ORGANISATION)
    if boundary not in Boundary.values:
        raise Refusal("Choose the boundary organisation, sector or tier.")
    return boundary


def date_param(value: str, name: str) -> datetime.date:
    """A YYYY-MM-DD date from the address or a form; Refusal naming `name` otherwise."""
    try:
        return datetime.date.fromisoformat(value.strip())
    except ValueError:
        raise Refusal(
            f"{name}: '{value[:40]}' is not a date. The date must be a real date written "
            "YYYY-MM-DD, e.g. 2026-01-31."
        ) from None


def as_of_param(request: HttpRequest) -> datetime.date | None:
    """The `as_of` date the address asks for (None: today's map); Refusal if malformed."""
    value = request.GET.get("as_of", "").strip()
    if not value:
        return None
    as_of = date_param(value, "as_of")
    if as_of > timezone.localdate():
        raise Refusal(f"as_of: {as_of.isoformat()} is still to come; choose today or earlier.")
    return as_of


def scores_choice_param(
    request: HttpRequest, workspace: Workspace, *, layers: bool = True, dated: bool = True
) -> ScoresChoice:
    """Which scores the address asks for: `as_of`, `layer=formal` or `snapshot`.

    `layers=False`: a page whose question is about informal ties only (routes, rooms,
    seats against influence) refuses `layer=formal` rather than ignoring it.
    `dated=False`: a page whose question is about today's map (routes, rooms, what
    if someone leaves) refuses `as_of` and `snapshot` in the same way.
    """
    if not dated and (request.GET.get("as_of") or request.GET.get("snapshot")):
        raise Refusal(
            "This page answers about today's map; leave out as_of and snapshot. "
            "Key people and the other scores pages show the map as it was on a date."
        )
    as_of = as_of_param(request)
    layer = request.GET.get("layer", LAYER_INFORMAL)
    if layer not in (LAYER_INFORMAL, LAYER_FORMAL):
        raise Refusal("layer: choose informal (the default) or formal (informal and formal).")
    if layer == LAYER_FORMAL and not layers:
        raise Refusal("This page reads informal ties only; leave out layer=formal.")
    snapshot = None
    raw = request.GET.get("snapshot", "").strip()
    if raw:
        if as_of is not None or layer == LAYER_FORMAL:
            raise Refusal(
                "snapshot: a snapshot has its own date and ties; leave out as_of and layer."
            )
        snapshot = (
            Snapshot.objects.filter(workspace=workspace, pk=int(raw)).select_related("run").first()
            if raw.isascii() and raw.isdecimal() and len(raw) < 12
            else None
        )
        if snapshot is None:
            raise Refusal("snapshot: there is no such snapshot in this workspace.", status=404)
    return ScoresChoice(as_of=as_of, formal=layer == LAYER_FORMAL, snapshot=snapshot)


def analysis_context(
    request: HttpRequest, membership: Membership, *, layers: bool = True, dated: bool = True
) -> dict[str, Any]:
    """What every analysis page needs: membership, boundary, the scores' status, completeness.

    The address chooses the scores (scores_choice_param): today's by default, those of
    the map as it was on a date (`?as_of=YYYY-MM-DD`), of informal and formal ties
    (`?layer=formal`) or a snapshot's (`?snapshot=ID`). Scores not stored yet are asked
    of a worker here, with progress shown until then.
    """
    boundary = boundary_param(request)
    workspace = membership.workspace
    choice = scores_choice_param(request, workspace, layers=layers, dated=dated)
    status = choice_status(workspace=workspace, choice=choice)
    status = scores_request(workspace=workspace, choice=choice, status=status)
    return {
        "workspace": workspace,
        "membership": membership,
        "can_edit": membership.can_edit,
        "boundary": boundary,
        "boundary_label": Boundary(boundary).label.lower(),
        "boundaries": Boundary.choices,
        "status": status,
        "scores_choice": choice,
        "scores_as_of": choice.as_of,
        "scores_query": choice.query(),
        "layers": layers,
        "layer_switch": _layer_switch(request, boundary, choice) if layers else None,
        "page_query": _same_page(request, boundary, choice),
        "today_query": _same_page(
            request, boundary, dataclasses.replace(choice, as_of=None, snapshot=None)
        ),
        # How many people's ties come from their own answers or an editor (issue #15):
        # read (one query) only when a page shows it.
        "completeness": SimpleLazyObject(lambda: completeness(workspace.pk)),
    }


def _layer_switch(
    request: HttpRequest, boundary: str, choice: ScoresChoice
) -> dict[str, str] | None:
    """The queries of the informal / informal and formal switch (None on a snapshot)."""
    if choice.snapshot is not None:
        return None
    return {
        "informal": _same_page(request, boundary, dataclasses.replace(choice, formal=False)),
        "formal": _same_page(request, boundary, dataclasses.replace(choice, formal=True)),
    }


def _same_page(request: HttpRequest, boundary: str, choice: ScoresChoice) -> str:
    """The query of this page with other scores: what else the address asks (the
    partnership, the filters, the page) is kept; the poll's own flag is not."""
    chosen = {"boundary", "snapshot", "as_of", "layer", "waiting"}
    kept = [(k, v) for k, values in request.GET.lists() if k not in chosen for v in values]
    return urlencode([("boundary", boundary), *kept, *choice.params()])
