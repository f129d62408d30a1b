"""Seats and influence: formal forum seats beside informal ties (issue #18), any member.

Broker scores come from the stored (informal) scores; the rest is worked out in the
request from seats, affiliations and ties (a few queries and set operations).
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format

from stakeholders.analysis.forums import HIGH_BROKER_SCORE, LITTLE_REACH
from stakeholders.exports.downloads import table_download
from stakeholders.exports.tables import about_rows
from stakeholders.forums.reads import FORUMS_KIND, seats_and_influence, seats_rows
from stakeholders.forums.table import broker_rows, joint_rows
from stakeholders.http import HtmxHttpRequest, analysis_context, member_page, not_ready
from stakeholders.models import Membership

TEMPLATE = "stakeholders/forums/seats.html"


@member_page
def forums_page(request: HtmxHttpRequest, membership: Membership) -> HttpResponse:
    """Informal brokers without a seat, seat-holders with little reach, forums, joint posts."""
    context = analysis_context(request, membership, layers=False)
    page = seats_and_influence(
        workspace=membership.workspace,
        run=context["status"].run,
        on=context["scores_choice"].day,
    )
    context.update(
        page=page,
        when="today"
        if page.day == timezone.localdate()
        else f"on {date_format(page.day, 'j F Y')}",
        broker_rows=broker_rows(page.brokers_without_seat, slug=membership.workspace.slug),
        joint_rows=joint_rows(page.joint_appointments, slug=membership.workspace.slug),
        high_broker_score=HIGH_BROKER_SCORE,
        little_reach=LITTLE_REACH,
    )
    return render(request, TEMPLATE, context)


@member_page
def forums_csv(request: HttpRequest, membership: Membership, fmt: str = "csv") -> HttpResponse:
    """The Seats and influence page as one CSV (or .xlsx), with a Table column."""
    context = analysis_context(request, membership, layers=False)
    choice, run = context["scores_choice"], context["status"].run
    if run is None and not choice.is_today:
        raise not_ready(
            "This download needs the scores asked for, and they are not ready: a background "
            "worker is working them out now. Try the download again in a minute.",
            membership.workspace,
        )
    page = seats_and_influence(workspace=membership.workspace, run=run, on=choice.day)
    now = timezone.now()
    return table_download(
        seats_rows(page),
        fmt=fmt,
        workspace=membership.workspace,
        kind=FORUMS_KIND,
        day=timezone.localdate(now),
        qualifiers=choice.file_qualifiers(),
        notes=about_rows(FORUMS_KIND, workspace=membership.workspace, now=now, run=run),
    )
