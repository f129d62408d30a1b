"""Downloads from the browser: CSV tables, graph files and the board pack (any member).

The files are streamed: rows go from the database cursor to the response a chunk
at a time, so a workspace of 20,000 people never builds in memory.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.text import capfirst

from stakeholders.dashboard import reads as dashboard_reads
from stakeholders.exports.board_pack import board_pack_zip
from stakeholders.exports.tables import (
    DATA_KINDS,
    FORUM_DATA_KINDS,
    SCORE_KINDS,
    csv_chunks,
    export_filename,
    export_rows,
    gexf_lines,
    graphml_lines,
    notes_rows,
)
from stakeholders.http import Refusal, member_page
from stakeholders.models import Boundary, Membership, ScoreRun, Workspace
from stakeholders.selectors import current_run, group_labels

GRAPH_FORMATS: dict[str, tuple[Callable[..., Iterator[str]], str]] = {
    "gexf": (gexf_lines, "application/gexf+xml; charset=utf-8"),
    "graphml": (graphml_lines, "application/graphml+xml; charset=utf-8"),
}
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"


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

    @property
    def shown(self) -> str:
        """The brokers page's filters in words, for the notes ("" when none)."""
        parts = []
        if self.group:
            labels = group_labels(workspace_id=self.workspace.pk, boundary=self.boundary)
            parts.append(f"only people in {labels.get(self.group, self.group)}")
        if self.sort != "score":
            parts.append(f"sorted by {dashboard_reads.BROKER_SORTS[self.sort][0].lower()}")
        return ", ".join(parts)


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
    return _Export(
        workspace=membership.workspace,
        run=current_run(workspace_id=membership.workspace_id),
        boundary=boundary,
        sort=sort,
        group=request.GET.get("group", "")[:60],
        can_edit=membership.can_edit,
    )


def _no_scores(export: _Export, what: str) -> Refusal:
    # 409: the request is fine; the workspace is not ready for it yet.
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
    return _csv(request, membership, kind, notes=False)


@member_page
def export_notes(request: HttpRequest, membership: Membership, kind: str) -> HttpResponse:
    """The notes for one table: provenance, filters and what each column means."""
    return _csv(request, membership, kind, notes=True)


def _csv(request: HttpRequest, membership: Membership, kind: str, *, notes: bool) -> HttpResponse:
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
    if notes:
        rows = notes_rows(
            kind,
            workspace=export.workspace,
            run=export.run,
            boundary=export.boundary,
            now=now,
            shown=capfirst(export.shown) if kind == "brokers" else "",
            with_notes=with_notes,
        )
    else:
        rows = export_rows(
            kind,
            workspace=export.workspace,
            run=export.run,
            boundary=export.boundary,
            today=timezone.localdate(now),
            with_notes=with_notes,
            **filters,
        )
    response = StreamingHttpResponse(csv_chunks(rows), content_type=CSV_CONTENT_TYPE)
    day = timezone.localdate(now)
    return _attachment(
        response, export_filename(workspace=export.workspace, kind=kind, day=day, notes=notes)
    )


@member_page
def export_graph(request: HttpRequest, membership: Membership, format: str) -> HttpResponse:
    """People and relationships as GEXF or GraphML, with the boundary's scores when scored."""
    export = _export(request, membership)
    if format not in GRAPH_FORMATS:
        message = "The graph can be downloaded as .gexf or .graphml only."
        raise _refusal(message, 404, export.workspace)
    lines, content_type = GRAPH_FORMATS[format]
    response = StreamingHttpResponse(
        lines(workspace=export.workspace, run=export.run, boundary=export.boundary),
        content_type=content_type,
    )
    name = export_filename(
        workspace=export.workspace, kind="graph", day=timezone.localdate(), extension=format
    )
    return _attachment(response, name)


@member_page
def export_board_pack(request: HttpRequest, membership: Membership) -> HttpResponse:
    """brokers.csv, partnerships.csv, scores.csv, notes.csv (and map.svg, map.png) in one zip."""
    export = _export(request, membership)
    if export.run is None:
        raise _no_scores(export, "board pack")
    now = timezone.now()
    pack = board_pack_zip(
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
        extension="zip",
    )
    return FileResponse(pack, as_attachment=True, filename=name, content_type="application/zip")
