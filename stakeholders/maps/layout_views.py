"""Editors arrange the influence map: pin a person or an organisation, or tidy the layout.

Both answer a POST from the map page (CSRF-checked, editors and owners only).
With JavaScript the map asks with an `HX-Request` header and gets 204, then
draws the map again; without, the browser is sent back to the map it came from.
"""

from django.db import transaction
from django.http import HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import get_object_or_404
from django.urls import reverse

from stakeholders.http import HtmxHttpRequest, Refusal, member_page
from stakeholders.maps.pins import PinError, map_pin_remove, map_pin_set, pin_coordinate
from stakeholders.models import Membership, Organisation, Person, Role
from stakeholders.tasks import rescore

# The map's own filters may come back in `next`; nothing else does (no open redirect).
KEPT = (
    "boundary",
    "organisation",
    "sector",
    "tier",
    "kind",
    "min_strength",
    "as_of",
    "size",
    "colour",
    "crossing",
    "layout",
    "person",
    "snapshot",
    "layer",
)


def _back(request: HtmxHttpRequest, membership: Membership) -> HttpResponse:
    if request.headers.get("HX-Request"):
        return HttpResponse(status=204)
    asked = QueryDict(request.POST.get("next", "").lstrip("?"))
    query = QueryDict(mutable=True)
    for key in KEPT:
        if key in asked:
            query.setlist(key, asked.getlist(key))
    url = reverse("stakeholders:map", kwargs={"slug": membership.workspace.slug})
    return HttpResponseRedirect(f"{url}?{query.urlencode()}" if query else url, status=303)


def _id(value: str, name: str) -> int:
    if not (value.isdecimal() and value.isascii()) or len(value) > 12:
        raise Refusal(f"{name}: choose a {name} on the map.")
    return int(value)


@member_page(methods=("POST",), role=Role.EDITOR)
def map_pin(request: HtmxHttpRequest, membership: Membership) -> HttpResponse:
    """Pin (or with `unpin`, release) one person or organisation at x, y on the map."""
    workspace = membership.workspace
    target: dict = {}
    if request.POST.get("person"):
        pk = _id(request.POST["person"], "person")
        target["person"] = get_object_or_404(Person, pk=pk, workspace=workspace)
    elif request.POST.get("organisation"):
        pk = _id(request.POST["organisation"], "organisation")
        target["organisation"] = get_object_or_404(Organisation, pk=pk, workspace=workspace)
    else:
        raise Refusal("Choose a person or an organisation on the map to pin.")
    if request.POST.get("action") == "unpin":
        map_pin_remove(workspace=workspace, **target)
        return _back(request, membership)
    try:
        x = pin_coordinate(request.POST.get("x", ""), "x")
        y = pin_coordinate(request.POST.get("y", ""), "y")
    except PinError as error:
        raise Refusal(str(error)) from None
    map_pin_set(workspace=workspace, x=x, y=y, user=request.user, **target)
    return _back(request, membership)


@member_page(methods=("POST",), role=Role.EDITOR)
def map_tidy(request: HtmxHttpRequest, membership: Membership) -> HttpResponse:
    """Lay the map out afresh in the background; pinned people and organisations stay."""
    workspace_id = membership.workspace.pk
    transaction.on_commit(lambda: rescore.enqueue(workspace_id=workspace_id, fresh_layout=True))
    return _back(request, membership)
