"""The influence map pages: the map, a person's side panel, and the SVG and PNG downloads."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone

from stakeholders.http import (
    HtmxHttpRequest,
    Refusal,
    analysis_context,
    member_page,
    partial_or_page,
)
from stakeholders.maps.data import PEOPLE_LIMIT, map_data
from stakeholders.maps.document import svg_document
from stakeholders.maps.drawing import draw_map, organisation_link_base
from stakeholders.maps.filters import SIZES, MapFilterError, parse_filters
from stakeholders.maps.marks import EDGE_STYLES
from stakeholders.maps.panel import person_panel
from stakeholders.maps.png import svg_to_png
from stakeholders.models import Boundary, Membership, Person, RelationshipKind, Sector, Tier
from stakeholders.retention import stale_cutoff

TEMPLATE = "stakeholders/map.html"


def _map_context(request: HtmxHttpRequest, membership: Membership, *, page: bool = True) -> dict:
    context = analysis_context(request, membership)
    try:
        filters = parse_filters(request.GET)
        run = context["status"].run
        data = None
        if run is not None:
            data = map_data(
                workspace=context["workspace"],
                run=run,
                filters=filters,
                today=timezone.localdate(),
            )
    except MapFilterError as error:
        raise Refusal(str(error)) from None
    # Person links are built from this prefix: reversing a URL per node is slow.
    panel_base = reverse("stakeholders:map", kwargs={"slug": context["workspace"].slug}) + "person/"
    # The organisation links of the map and its table, built once (a {% querystring %}
    # per row is slow).
    link_base = organisation_link_base(request.path, request.GET)
    context.update(
        map_svg=draw_map(
            data,
            boundary=filters.boundary,
            download=False,
            link_base=link_base,
            panel_base=panel_base,
        )
        if data is not None and page
        else "",
        organisation_link_base=link_base,
        filters=filters,
        map=data,
        query=filters.querydict().urlencode(),
        sectors=Sector.choices,
        tiers=Tier.choices,
        kinds=[(k, label) for k, label in RelationshipKind.choices],
        sizes=SIZES,
        people_limit=PEOPLE_LIMIT,
        edge_styles=EDGE_STYLES,
    )
    return context


@member_page
def map_page(request: HtmxHttpRequest, membership: Membership) -> HttpResponse:
    """The influence map with its filters and its table alternative."""
    context = _map_context(request, membership)
    return render(request, partial_or_page(request, TEMPLATE, "map-region"), context)


def _map_download(request: HtmxHttpRequest, membership: Membership, extension: str) -> HttpResponse:
    context = _map_context(request, membership, page=False)
    if context["map"] is None:
        raise Refusal("There are no scores for this workspace yet, so no map.")
    svg = svg_document(context, request)
    if extension == "png":
        response = HttpResponse(svg_to_png(svg), content_type="image/png")
    else:
        response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
    filename = f"{context['workspace'].slug}-map-{timezone.localdate():%Y-%m-%d}.{extension}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@member_page
def map_svg(request: HtmxHttpRequest, membership: Membership) -> HttpResponse:
    """The map as a standalone SVG file (same filters), carrying its legend and caption."""
    return _map_download(request, membership, "svg")


@member_page
def map_png(request: HtmxHttpRequest, membership: Membership) -> HttpResponse:
    """The map as a PNG picture for board papers: same filters, legend and caption as the SVG."""
    return _map_download(request, membership, "png")


@member_page
def map_person(request: HtmxHttpRequest, membership: Membership, pk: int) -> HttpResponse:
    """A person's side panel: role, scores and why, ties both ways and an ego map."""
    context = analysis_context(request, membership)
    person = get_object_or_404(Person, pk=pk, workspace=context["workspace"])
    context["panel"] = person_panel(
        person=person,
        run=context["status"].run,
        boundary=context["boundary"],
        stale_before=stale_cutoff(context["workspace"], timezone.localdate()),
    )
    context["retention_months"] = context["workspace"].retention_months
    context["boundary_label"] = Boundary(context["boundary"]).label.lower()
    if request.htmx and not request.htmx.history_restore_request:
        return render(request, "stakeholders/_person_panel.html", context)
    # Opened on its own (a new tab, no JavaScript): a page holding the panel.
    return render(request, "stakeholders/map_person.html", context)
