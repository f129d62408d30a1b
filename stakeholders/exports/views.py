"""Downloads from the browser: tables (CSV or .xlsx), graph files and the board pack.

Any member may download. CSVs and graph files are streamed: rows go from the database
cursor to the response a chunk at a time, so a workspace of 20,000 people never builds
in memory. A workbook is written row by row to a temporary file, then sent.
"""

import datetime
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cached_property

from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.text import capfirst

from stakeholders.dashboard import reads as dashboard_reads
from stakeholders.exports.board_pack import board_pack_zip
from stakeholders.exports.downloads import csv_response, xlsx_response
from stakeholders.exports.tables import (
    DATA_KINDS,
    FORUM_DATA_KINDS,
    SCORE_KINDS,
    export_filename,
    export_rows,
    gexf_lines,
    graphml_lines,
    notes_rows,
    table_qualifiers,
)
from stakeholders.http import Refusal, member_page, scores_choice_param
from stakeholders.maps.filters import COLOURS as MAP_COLOURS
from stakeholders.models import Boundary, Membership, ScoreRun, Workspace
from stakeholders.selectors import ScoresChoice, choice_status, current_run, group_labels
from stakeholders.services import scores_request

GRAPH_FORMATS: dict[str, tuple[Callable[..., Iterator[str]], str]] = {
    "gexf": (gexf_lines, "application/gexf+xml; charset=utf-8"),
    "graphml": (graphml_lines, "application/graphml+xml; charset=utf-8"),
}


def _attachment(response: HttpResponse, filename: str) -> HttpResponse:
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


@dataclass(frozen=True)
class _Export:
    workspace: Workspace
    run: ScoreRun | None
    boundary: str
    sort: str
    group: str
    can_edit: bool
    choice: ScoresChoice = ScoresChoice()

    @cached_property
    def _labels(self) -> dict[str, str]:
        return group_labels(workspace_id=self.workspace.pk, boundary=self.boundary)

    @property
    def shown(self) -> str:
        """The brokers page's filters in words, for the notes ("" when none)."""
        parts = []
        if self.group:
            parts.append(f"only people in {self._labels.get(self.group, self.group)}")
        if self.sort != "score":
            parts.append(f"sorted by {dashboard_reads.BROKER_SORTS[self.sort][0].lower()}")
        return ", ".join(parts)

    def qualifiers(self, kind: str) -> list[str]:
        """What a file of `kind` holds, for its name: the boundary, the brokers filters
        and which scores (a date, a snapshot's, informal and formal)."""
        if kind not in SCORE_KINDS and kind not in ("graph", "board-pack"):
            return []  # recorded data: the same whatever the boundary
        chosen = self.choice.file_qualifiers()
        if kind not in ("brokers", "board-pack"):
            return table_qualifiers(boundary=self.boundary) + chosen
        # Only a group's name goes in a file name, never what was typed in the address.
        group = self._labels.get(self.group, "unknown-group") if self.group else ""
        return table_qualifiers(boundary=self.boundary, group_label=group, sort=self.sort) + chosen

    @property
    def ties_on(self) -> datetime.date | None:
        """The day whose ties a graph or map holds (None: today)."""
        snapshot = self.choice.snapshot
        return snapshot.as_of if snapshot is not None else self.choice.as_of


_TITLES = {
    400: "Something in the address is not right",
    403: "You cannot download notes about people",
    404: "There is no such download",
    409: "There are no scores to export yet",
}


def _refusal(message: str, status: int, workspace: Workspace | None = None) -> Refusal:
    context = {"title": _TITLES[status], "workspace": workspace}
    return Refusal(
        message, status=status, template="stakeholders/export_error.html", context=context
    )


def _export(request: HttpRequest, membership: Membership) -> _Export:
    """The boundary and the brokers filters, checked."""
    boundary = request.GET.get("boundary", Boundary.ORGANISATION)
    if boundary not in Boundary.values:
        raise _refusal("Choose the boundary organisation, sector or tier.", 400)
    sort = request.GET.get("sort", "score")
    if sort not in dashboard_reads.BROKER_SORTS:
        raise _refusal("That is not a way the brokers table can be sorted.", 400)
    workspace = membership.workspace
    try:
        choice = scores_choice_param(request, workspace)
    except Refusal as refused:
        raise _refusal(refused.message, refused.status, workspace) from None
    if choice.is_today:
        run = current_run(workspace_id=membership.workspace_id)
    else:
        # Not stored yet: a worker is asked for them, as a page would (409 meanwhile).
        status = choice_status(workspace=workspace, choice=choice)
        run = scores_request(workspace=workspace, choice=choice, status=status).run
    return _Export(
        workspace=workspace,
        run=run,
        boundary=boundary,
        sort=sort,
        group=request.GET.get("group", "")[:60],
        can_edit=membership.can_edit,
        choice=choice,
    )


def _no_scores(export: _Export, what: str) -> Refusal:
    # 409: the request is fine; the workspace is not ready for it yet.
    if not export.choice.is_today:
        message = (
            f"The {what} needs the scores asked for, and they are not ready: a background "
            "worker is working them out now. Try the download again in a minute."
        )
        return _refusal(message, 409, export.workspace)
    message = (
        f"The {what} needs scores, and this workspace has none yet. They are calculated in "
        "the background once people and their relationships are entered. The recorded data "
        "(people, organisations, affiliations and relationships) can be downloaded now."
    )
    return _refusal(message, 409, export.workspace)


def _unknown_kind(export: _Export) -> Refusal:
    kinds = ", ".join((*SCORE_KINDS, *DATA_KINDS, *FORUM_DATA_KINDS))
    message = f"There is no such export. The tables that can be downloaded are: {kinds}."
    return _refusal(message, 404, export.workspace)


@member_page
def export_csv(request: HttpRequest, membership: Membership, kind: str) -> HttpResponse:
    """One table as CSV, for the boundary (and, for brokers, the page's filters)."""
    return _table(request, membership, kind, fmt="csv")


@member_page
def export_notes(request: HttpRequest, membership: Membership, kind: str) -> HttpResponse:
    """The notes for one table: provenance, filters and what each column means."""
    return _table(request, membership, kind, fmt="csv", notes=True)


@member_page
def export_xlsx(request: HttpRequest, membership: Membership, kind: str) -> HttpResponse:
    """One table as a workbook: the CSV's rows, then its notes on a sheet named Notes."""
    return _table(request, membership, kind, fmt="xlsx")


def _table(
    request: HttpRequest, membership: Membership, kind: str, *, fmt: str, notes: bool = False
) -> HttpResponse:
    export = _export(request, membership)
    if kind not in (*SCORE_KINDS, *DATA_KINDS, *FORUM_DATA_KINDS):
        raise _unknown_kind(export)
    if kind in SCORE_KINDS and export.run is None:
        raise _no_scores(export, f"{kind} export")
    filters = {"sort": export.sort, "group": export.group} if kind == "brokers" else {}
    # ?notes=yes adds the people file's Notes column: what editors and owners see.
    with_notes = request.GET.get("notes") == "yes"
    if with_notes and kind != "people":
        raise _refusal("Notes can be added to the people download only.", 400)
    if with_notes and not export.can_edit:
        message = (
            "Notes about people are seen by the workspace's editors and owners only, so only "
            "they can download them. The people download without notes is open to you."
        )
        raise _refusal(message, 403, export.workspace)
    now = timezone.now()
    about = notes_rows(
        kind,
        workspace=export.workspace,
        run=export.run,
        boundary=export.boundary,
        now=now,
        shown=capfirst(export.shown) if kind == "brokers" else "",
        with_notes=with_notes,
    )
    rows = export_rows(
        kind,
        workspace=export.workspace,
        run=export.run,
        boundary=export.boundary,
        today=timezone.localdate(now),
        with_notes=with_notes,
        **filters,
    )
    name = export_filename(
        workspace=export.workspace,
        kind=kind,
        day=timezone.localdate(now),
        qualifiers=export.qualifiers(kind),
        notes=notes,
        extension=fmt,
    )
    if fmt == "xlsx":
        return xlsx_response(rows, about, sheet=kind, filename=name)
    return csv_response(about if notes else rows, name)


@member_page
def export_graph(request: HttpRequest, membership: Membership, format: str) -> HttpResponse:
    """People and relationships as GEXF or GraphML, with the boundary's scores when scored."""
    export = _export(request, membership)
    if format not in GRAPH_FORMATS:
        message = "The graph can be downloaded as .gexf or .graphml only."
        raise _refusal(message, 404, export.workspace)
    lines, content_type = GRAPH_FORMATS[format]
    if export.run is None and not export.choice.is_today:
        raise _no_scores(export, "graph of those scores")
    response = StreamingHttpResponse(
        lines(
            workspace=export.workspace,
            run=export.run,
            boundary=export.boundary,
            ties_on=export.ties_on,
        ),
        content_type=content_type,
    )
    name = export_filename(
        workspace=export.workspace,
        kind="graph",
        day=timezone.localdate(),
        qualifiers=export.qualifiers("graph") if export.run is not None else (),
        extension=format,
    )
    return _attachment(response, name)


@member_page
def export_board_pack(request: HttpRequest, membership: Membership) -> HttpResponse:
    """brokers.csv, partnerships.csv, scores.csv, notes.csv (and map.svg, map.png) in one zip."""
    export = _export(request, membership)
    if export.run is None:
        raise _no_scores(export, "board pack")
    # The map's colour choice (sector, tier or organisation) when the pack is made from it.
    colour = request.GET.get("colour") or "sector"
    if colour not in MAP_COLOURS:
        raise _refusal("Colour the map by sector, tier or organisation.", 400)
    # The map's arrangement and the person in focus, as on screen (issue #13).
    layout, person = request.GET.get("layout", ""), request.GET.get("person", "")
    if layout not in ("", "tiers"):
        raise _refusal("Arrange the map as laid out, or in tiers.", 400)
    if person and not (person.isdecimal() and person.isascii() and len(person) <= 12):
        raise _refusal("The person to focus on must be chosen on the map.", 400)
    now = timezone.now()
    layout_run = export.run
    if export.choice.formal:
        # Informal and formal scores have no positions: today's (or that day's) map's.
        layout_run = current_run(workspace_id=export.workspace.pk, as_of=export.choice.as_of)
    pack = board_pack_zip(
        map_colour=colour,
        map_layout_run=layout_run,
        map_view={"layout": layout, "person": int(person) if person else None},
        as_of=export.ties_on,
        workspace=export.workspace,
        run=export.run,
        boundary=export.boundary,
        brokers_filters={"sort": export.sort, "group": export.group},
        shown=export.shown,
        now=now,
    )
    name = export_filename(
        workspace=export.workspace,
        kind="board-pack",
        day=timezone.localdate(now),
        qualifiers=export.qualifiers("board-pack"),
        extension="zip",
    )
    return FileResponse(pack, as_attachment=True, filename=name, content_type="application/zip")
