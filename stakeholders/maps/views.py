"""The influence map pages: the map, a person's side panel, and the SVG and PNG downloads."""

import dataclasses
import functools

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.text import capfirst

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
from stakeholders.maps.filters import COLOURS, SIZES, MapFilterError, MapFilters, parse_filters
from stakeholders.maps.focus_context import focus_base, focus_context
from stakeholders.maps.marks import EDGE_STYLES
from stakeholders.maps.panel import person_panel
from stakeholders.maps.png import svg_to_png
from stakeholders.maps.table import organisation_options, organisation_rows, person_rows
from stakeholders.models import (
    Boundary,
    Membership,
    Person,
    RelationshipKind,
    ScoreRun,
    Sector,
    Tier,
)
from stakeholders.retention import stale_cutoff
from stakeholders.selectors import ScoresChoice, choice_status
from stakeholders.services import scores_request

TEMPLATE = "stakeholders/map.html"


def _map_context(request: HtmxHttpRequest, membership: Membership, *, page: bool = True) -> dict:
    context = analysis_context(request, membership)
    try:
        filters = parse_filters(request.GET)
        snapshot = context["scores_choice"].snapshot
        if snapshot is not None:
            # A snapshot's map draws the ties in force on its day.
            filters = dataclasses.replace(filters, as_of=snapshot.as_of)
        run = context["status"].run
        layout_run = _layout_run(context) if run is not None else None
        data = None
        if layout_run is not None:
            data = map_data(
                workspace=context["workspace"],
                run=run,
                filters=filters,
                today=timezone.localdate(),
                layout_run=layout_run,
            )
    except MapFilterError as error:
        raise Refusal(str(error)) from None
    # Person links put them in focus: this map's address ending in `person=`, built once
    # (reversing a URL per node is slow).
    panel_base = focus_base(request.path, _query(filters, context["scores_choice"]))
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
        query=_query(filters, context["scores_choice"]),
        sectors=Sector.choices,
        tiers=Tier.choices,
        kinds=[(k, label) for k, label in RelationshipKind.choices],
        sizes=SIZES,
        colours=COLOURS,
        colour_label=COLOURS[filters.colour],
        people_limit=PEOPLE_LIMIT,
        edge_styles=EDGE_STYLES,
    )
    if data is not None and page:
        context.update(focus_context(context, data, filters, panel_base))
        style_label = capfirst(COLOURS[filters.colour])  # as the table's header says it
        context.update(
            # Called by the template only where drawn: not in the map region's htmx swap.
            organisation_options=functools.partial(
                organisation_options, data.organisations, filters.organisation
            ),
            map_table_rows=(
                organisation_rows(data.nodes, link_base, data.stale_months, style_label=style_label)
                if data.mode == "organisations"
                else person_rows(
                    data.nodes,
                    slug=context["workspace"].slug,
                    boundary=filters.boundary,
                    stale_months=data.stale_months,
                    style_label=style_label,
                )
            ),
        )
    return context


def _layout_run(context: dict) -> ScoreRun | None:
    """Where people sit: the scores' own run, or for informal and formal scores (which
    have no layout) the informal run of the same day, asked for if not stored yet."""
    choice, run = context["scores_choice"], context["status"].run
    if not choice.formal:
        return run
    informal = dataclasses.replace(choice, formal=False)
    workspace = context["workspace"]
    status = choice_status(workspace=workspace, choice=informal)
    status = scores_request(workspace=workspace, choice=informal, status=status)
    if status.run is None:
        context["status"] = dataclasses.replace(context["status"], updating=True)
    return status.run


def _query(filters: MapFilters, choice: ScoresChoice) -> str:
    """The map's address query: its filters and which scores it shows (as_of is a filter)."""
    query = filters.querydict()
    if choice.snapshot is not None:
        query.pop("as_of", None)  # the snapshot's own day
    for key, value in choice.params():
        query[key] = value
    return query.urlencode()


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
