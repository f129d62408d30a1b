"""Seats and influence: formal forum seats beside informal ties (issue #18), any member.

Broker scores come from the stored (informal) scores; the rest is worked out in the
request from seats, affiliations and ties (a few queries and set operations).
"""

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header

from stakeholders.analysis.forums import HIGH_BROKER_SCORE, LITTLE_REACH
from stakeholders.exports.tables import csv_chunks, export_filename
from stakeholders.forums.reads import FORUMS_KIND, seats_and_influence, seats_rows
from stakeholders.http import HtmxHttpRequest, analysis_context, member_page
from stakeholders.models import Membership

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
TEMPLATE = "stakeholders/forums/seats.html"


@member_page
def forums_page(request: HtmxHttpRequest, membership: Membership) -> HttpResponse:
    """Informal brokers without a seat, seat-holders with little reach, forums, joint posts."""
    context = analysis_context(request, membership)
    context.update(
        page=seats_and_influence(workspace=membership.workspace, run=context["status"].run),
        high_broker_score=HIGH_BROKER_SCORE,
        little_reach=LITTLE_REACH,
    )
    return render(request, TEMPLATE, context)


@member_page
def forums_csv(request: HttpRequest, membership: Membership) -> HttpResponse:
    """The Seats and influence page as one CSV, with a Table column."""
    context = analysis_context(request, membership)
    page = seats_and_influence(workspace=membership.workspace, run=context["status"].run)
    response = StreamingHttpResponse(csv_chunks(seats_rows(page)), content_type=CSV_CONTENT_TYPE)
    name = export_filename(
        workspace=membership.workspace, kind=FORUMS_KIND, day=timezone.localdate()
    )
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response
