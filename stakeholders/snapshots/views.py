"""Snapshot pages: the named, frozen maps of past dates (any member sees; editors take).

Taking a snapshot queues a worker (stakeholders.tasks.snapshot_take); the list shows
its progress and refreshes itself until every snapshot is ready.
"""

import datetime

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from stakeholders.exports.downloads import table_download
from stakeholders.exports.tables import about_rows
from stakeholders.http import (
    HtmxHttpRequest,
    Refusal,
    analysis_context,
    boundary_param,
    member_page,
    partial_or_page,
)
from stakeholders.models import Membership, Role
from stakeholders.selectors import current_run
from stakeholders.snapshots.comparison import (
    ComparisonPage,
    Moment,
    comparison,
    comparison_partnership_rows,
    comparison_rows,
)
from stakeholders.snapshots.reads import ready_snapshot, snapshot_rows
from stakeholders.snapshots.services import snapshot_create
from stakeholders.snapshots.table import comparison_tables

TEMPLATE = "stakeholders/snapshots/snapshots.html"
COMPARE_TEMPLATE = "stakeholders/snapshots/compare.html"
NOW = "now"
COMPARE_KIND = "brokers-change"  # the downloads' file name stems
COMPARE_PARTNERSHIPS_KIND = "partnerships-change"


def _context(membership: Membership, **extra) -> dict:
    rows = snapshot_rows(workspace=membership.workspace)
    return {
        "workspace": membership.workspace,
        "membership": membership,
        "can_edit": membership.can_edit,
        "snapshots": rows,
        "working": any(r.working for r in rows),
        "today": timezone.localdate(),
        "errors": {},
        "form": {"name": "", "as_of": ""},
        **extra,
    }


@member_page
def snapshots(request: HtmxHttpRequest, membership: Membership) -> HttpResponse:
    """Every snapshot with its date, size and progress; editors take one here."""
    template = partial_or_page(request, TEMPLATE, "snapshot-list")
    return render(request, template, _context(membership))


@member_page(methods=("POST",), role=Role.EDITOR)
def snapshot_take(request: HtmxHttpRequest, membership: Membership) -> HttpResponse:
    """Take a snapshot: name and date (default today); a worker computes it."""
    name = request.POST.get("name", "")
    raw_date = request.POST.get("as_of", "").strip()
    try:
        as_of = _form_date(raw_date) if raw_date else None
        snapshot_create(
            workspace=membership.workspace, name=name, as_of=as_of, taken_by=request.user
        )
    except ValidationError as exc:
        errors = {field: " ".join(messages) for field, messages in exc.message_dict.items()}
        context = _context(membership, errors=errors, form={"name": name, "as_of": raw_date})
        return render(request, TEMPLATE, context, status=400)
    return HttpResponseRedirect(
        reverse("stakeholders:snapshots", kwargs={"slug": membership.workspace.slug})
    )


def _form_date(value: str) -> datetime.date:
    """The form's date, written as people in England do (31/12/2025) or 2025-12-31."""
    for written in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.datetime.strptime(value, written).date()
        except ValueError:
            pass
    raise ValidationError(
        {"as_of": f"'{value[:40]}' is not a date: write it as 31/12/2025 or 2025-12-31."}
    )


def _moment(membership: Membership, value: str, name: str) -> Moment:
    """The snapshot an address parameter names (an id), or the current scores for "now"."""
    value = value.strip()
    workspace = membership.workspace
    if value in ("", NOW):
        if name == "from":
            raise Refusal("from: choose the snapshot to compare from.")
        run = current_run(workspace_id=workspace.pk)
        if run is None:
            raise Refusal(f"{name}: there are no current scores yet to compare with.")
        return Moment(
            label="the current scores",
            as_of=timezone.localdate(run.created_at),
            run=run,
            current=True,
        )
    if not (value.isdecimal() and value.isascii()) or len(value) > 12:
        raise Refusal(f"{name}: '{value[:40]}' is not a snapshot number (or 'now').")
    snapshot = ready_snapshot(workspace=workspace, snapshot_id=int(value))
    if snapshot is None:
        raise Refusal(f"{name}: there is no snapshot {value} with scores ready in this workspace.")
    return Moment(label=snapshot.name, as_of=snapshot.as_of, run=snapshot.run)


def _comparison(request: HttpRequest, membership: Membership) -> ComparisonPage:
    boundary = boundary_param(request)
    then = _moment(membership, request.GET.get("from", ""), "from")
    now = _moment(membership, request.GET.get("to", ""), "to")
    if not now.current and then.as_of > now.as_of:  # every rise would read as a fall
        raise Refusal(
            f"from: {then.label} ({date_format(then.as_of, 'j F Y')}) is later than "
            f"{now.label} ({date_format(now.as_of, 'j F Y')}). Compare from the earlier one."
        )
    return comparison(workspace=membership.workspace, then=then, now=now, boundary=boundary)


@member_page
def snapshot_compare(request: HtmxHttpRequest, membership: Membership) -> HttpResponse:
    """Then, now and the change: brokers, spanners, partnerships and whole-map figures."""
    context = analysis_context(request, membership, layers=False)
    page = _comparison(request, membership)
    context.update(
        page=page,
        tables=comparison_tables(page, slug=membership.workspace.slug),
        snapshots=[s for s in snapshot_rows(workspace=membership.workspace) if s.ready],
        chosen_from=request.GET.get("from", ""),
        chosen_to=request.GET.get("to", "") or NOW,
    )
    return render(request, partial_or_page(request, COMPARE_TEMPLATE, "comparison"), context)


@member_page
def snapshot_compare_csv(
    request: HttpRequest, membership: Membership, fmt: str = "csv"
) -> HttpResponse:
    """Everyone's broker score then and now, as CSV (or .xlsx)."""
    page = _comparison(request, membership)
    return _compare_download(
        request, membership, comparison_rows(page, membership.workspace), COMPARE_KIND, fmt
    )


@member_page
def snapshot_compare_partnerships_csv(
    request: HttpRequest, membership: Membership, fmt: str = "csv"
) -> HttpResponse:
    """The whole map and the partnerships that moved, as CSV (or .xlsx)."""
    page = _comparison(request, membership)
    rows = comparison_partnership_rows(page)
    return _compare_download(request, membership, rows, COMPARE_PARTNERSHIPS_KIND, fmt)


def _compare_download(
    request: HttpRequest, membership: Membership, rows, kind: str, fmt: str
) -> HttpResponse:
    boundary = boundary_param(request)
    now = timezone.now()
    return table_download(
        rows,
        fmt=fmt,
        workspace=membership.workspace,
        kind=kind,
        day=timezone.localdate(now),
        qualifiers=[boundary],
        notes=about_rows(kind, workspace=membership.workspace, now=now, boundary=boundary),
    )
