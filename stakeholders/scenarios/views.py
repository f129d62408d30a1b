"""Scenario pages: questions leaders bring, answered from the map (any member).

A trusted route to someone and who to put in the room are worked out in the
request from the data as it stands (well under a second at 5,000 people;
bench/scenarios.py), not from the last score run. Key people come from the stored
scores. A what-if is computed by a worker (stakeholders.tasks.whatif_run) and
stored, so the page shows progress and swaps the answer in when it is ready; the
address (person and organisation ids, and the boundary) fully determines it. The
what-if picker's search posts its term, so no name typed there reaches an address,
a history entry or an access log. Ids in addresses are record numbers, never names.
"""

import datetime
from collections.abc import Iterable

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.utils.html import escape
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe

from stakeholders.exports.downloads import table_download
from stakeholders.exports.tables import about_rows
from stakeholders.http import (
    HtmxHttpRequest,
    Refusal,
    analysis_context,
    member_page,
    not_ready,
    partial_or_page,
    scores_choice_param,
)
from stakeholders.models import Membership, RunStatus, ScoreRun
from stakeholders.scenarios import leaves, room, routes
from stakeholders.scenarios.choices import BadChoice, PersonChoice, parse_ids
from stakeholders.selectors import current_run, organisation_page, person_page, search_terms

# There is no link from a login to a person in the map: the start of a route is
# remembered per workspace for the session instead, once the user has chosen it.
REMEMBERED_START = "scenario-route-from:{}"


def person_options(people: Iterable[PersonChoice], chosen: int | None = None) -> SafeString:
    """A picker's <option>s, one per person, `chosen` selected.

    Built here rather than in a template loop: a workspace of 5,000 people has two
    pickers of 5,000 options, which a template renders ten times more slowly.
    """
    options = "".join(f'<option value="{p.id}">{escape(p.label)}</option>' for p in people)
    if chosen is not None:
        options = options.replace(
            f'<option value="{chosen}">', f'<option value="{chosen}" selected>', 1
        )
    return mark_safe(options)  # every label is escaped above


def _optional_id(request: HttpRequest, name: str, what: str) -> int | None:
    value = request.GET.get(name, "")
    return _ids_or_refuse([value], what)[0] if value.strip() else None


def _ids(request: HttpRequest, name: str, what: str) -> tuple[int, ...]:
    return _ids_or_refuse(request.GET.getlist(name), what)


def _ids_or_refuse(values: list[str], what: str) -> tuple[int, ...]:
    try:
        return parse_ids(values, what)
    except BadChoice as refused:
        raise Refusal(str(refused)) from None


def _whole(request: HttpRequest, name: str, what: str, default: int | None) -> int | None:
    value = request.GET.get(name, "").strip()
    if not value:
        return default
    if not (value.isdecimal() and value.isascii()) or len(value) > 9:
        raise Refusal(f"The {what} must be a whole number.")
    return int(value)


def _route_page(request: HttpRequest, membership: Membership) -> routes.RoutePage:
    """The pickers and routes for `from` and `to`; `from` defaults to the start last chosen."""
    key = REMEMBERED_START.format(membership.workspace_id)
    source = _optional_id(request, "from", "start (from)")
    target = _optional_id(request, "to", "person to reach (to)")
    remembered = request.session.get(key) if "from" not in request.GET else None
    try:
        page = routes.route_page(
            workspace=membership.workspace,
            source=source if source is not None else remembered,
            target=target,
            today=timezone.localdate(),
        )
    except BadChoice as refused:
        if remembered is None:
            raise Refusal(str(refused)) from None
        # The remembered start has left or been erased since: forget them, ask again.
        del request.session[key]
        return _route_page(request, membership)
    if page.source is not None:
        request.session[key] = page.source.id
    return page


@member_page
def scenario_route(request: HtmxHttpRequest, membership: Membership) -> HttpResponse:
    """The most trusted route from one person to another, and up to three alternatives."""
    context = analysis_context(request, membership, layers=False, dated=False)
    page = _route_page(request, membership)
    context.update(
        route=page,
        from_options=person_options(page.people, page.source.id if page.source else None),
        to_options=person_options(page.people, page.target.id if page.target else None),
    )
    template = partial_or_page(request, "stakeholders/scenarios/route.html", "route-results")
    return render(request, template, context)


@member_page
def scenario_route_csv(
    request: HttpRequest, membership: Membership, fmt: str = "csv"
) -> HttpResponse:
    """The routes as CSV (or .xlsx): one row per hop, route 1 the most trusted."""
    _todays_map(request, membership)
    page = _route_page(request, membership)
    if page.answer is None:
        raise Refusal("Choose both people: the start (from) and the person to reach (to).")
    return _download(routes.route_rows(page.answer), membership, "route", fmt)


def _room_question(request: HttpRequest) -> room.RoomQuestion:
    return room.RoomQuestion(
        organisations=_ids(request, "organisation", "organisation"),
        sectors=tuple(dict.fromkeys(v for v in request.GET.getlist("sector") if v)),
        tiers=tuple(dict.fromkeys(v for v in request.GET.getlist("tier") if v)),
        size=_whole(request, "size", "size of the room", None),
        min_strength=_whole(
            request, "min_strength", "minimum tie strength", room.DEFAULT_MIN_STRENGTH
        ),
        include=_ids(request, "include", "person to include"),
        exclude=_ids(request, "exclude", "person to leave out"),
    )


def _room_page(request: HttpRequest, membership: Membership, run: ScoreRun | None) -> room.RoomPage:
    try:
        return room.room_page(
            workspace=membership.workspace,
            run=run,
            question=_room_question(request),
            today=timezone.localdate(),
        )
    except BadChoice as refused:
        raise Refusal(str(refused)) from None


@member_page
def scenario_room(request: HtmxHttpRequest, membership: Membership) -> HttpResponse:
    """The smallest set of people who together reach every chosen partner; the best k."""
    context = analysis_context(request, membership, layers=False, dated=False)
    page = _room_page(request, membership, context["status"].run)
    context.update(
        room=page,
        person_options=person_options(page.people),
        max_targets=room.MAX_TARGETS,
        max_size=room.MAX_SIZE,
        people_lists=[
            (
                "include",
                page.include,
                "Must be in the room",
                "Add someone who must be in the room",
                "They are always chosen, and take one of the seats.",
            ),
            (
                "exclude",
                page.exclude,
                "Left out",
                "Add someone to leave out",
                "They are never chosen, though others may still reach a partner through them.",
            ),
        ],
    )
    template = partial_or_page(request, "stakeholders/scenarios/room.html", "room-results")
    return render(request, template, context)


@member_page
def scenario_room_csv(
    request: HttpRequest, membership: Membership, fmt: str = "csv"
) -> HttpResponse:
    """The chosen room as CSV (or .xlsx): one row per person, with what they reach and how."""
    _todays_map(request, membership)
    run = current_run(workspace_id=membership.workspace_id)
    page = _room_page(request, membership, run)
    if page.answer is None:
        raise Refusal("Choose at least one organisation, sector or tier the room must reach.")
    return _download(room.room_rows(page.answer), membership, "room", fmt)


def _todays_map(request: HttpRequest, membership: Membership) -> None:
    """A download refuses what its page refuses: a date, a snapshot, formal ties."""
    scores_choice_param(request, membership.workspace, layers=False, dated=False)


def _download(
    rows, membership: Membership, kind: str, fmt: str, boundary: str | None = None
) -> HttpResponse:
    now = timezone.now()
    return table_download(
        rows,
        fmt=fmt,
        workspace=membership.workspace,
        kind=kind,
        day=timezone.localdate(now),
        qualifiers=[boundary] if boundary else (),
        notes=about_rows(kind, workspace=membership.workspace, now=now, boundary=boundary),
    )


KEY_PEOPLE_TEMPLATE = "stakeholders/scenarios/key_people.html"
LEAVES_TEMPLATE = "stakeholders/scenarios/leaves.html"


@member_page
def scenario_key_people(request: HtmxHttpRequest, membership: Membership) -> HttpResponse:
    """People ranked by how much their leaving would split the map; the worst sets."""
    context = analysis_context(request, membership)
    status = context["status"]
    old_run = status.run is not None and not status.run.key_people
    if old_run and not (status.updating or status.failed):
        # Scores from before key people were worked out: make sure a recompute is coming
        # (the immediate task backend has run it by now, so read the status again).
        leaves.key_people_rescore(workspace=membership.workspace)
        context = analysis_context(request, membership)
    run = context["status"].run
    if run is not None:
        context["key_people"] = leaves.key_people(
            workspace=membership.workspace,
            run=run,
            boundary=context["boundary"],
            page=request.GET.get("page"),
        )
    template = partial_or_page(request, KEY_PEOPLE_TEMPLATE, "key-people-table")
    return render(request, template, context)


def _question(data, membership: Membership) -> leaves.Question:
    """Who leaves, from the address (or the picker's form); BadChoice if it cannot be asked."""
    return leaves.whatif_question(
        workspace=membership.workspace,
        people=parse_ids(data.getlist("person"), "person"),
        organisations=parse_ids(data.getlist("organisation"), "organisation"),
        today=timezone.localdate(),
    )


def _asked(request: HttpRequest, membership: Membership) -> leaves.Question:
    try:
        return _question(request.GET, membership)
    except BadChoice as refused:
        raise Refusal(str(refused)) from None


@member_page(methods=("GET", "POST"))
def scenario_leaves(request: HtmxHttpRequest, membership: Membership) -> HttpResponse:
    """Choose who leaves; see the map before and after, what breaks and who could step in."""
    context = analysis_context(request, membership, layers=False, dated=False)
    context.update(max_people=leaves.MAX_PEOPLE, max_organisations=leaves.MAX_ORGANISATIONS)
    if request.method == "POST":
        return _picker(request, membership, context)
    question = _asked(request, membership)
    # The answer is for the question in the address (the picker's form only chooses).
    context.update(question=question, question_query=question.query, answering=question.asked)
    run = context["status"].run
    if run is not None and question.ids:
        whatif = leaves.whatif_ask(workspace=membership.workspace, run=run, people=question.ids)
        context["whatif"] = whatif
        # No answer stored: the scores were replaced as it was asked; the region asks again.
        context["working"] = whatif is None or whatif.status in (
            RunStatus.QUEUED,
            RunStatus.RUNNING,
        )
        context["late"] = (
            context["working"]
            and whatif is not None
            and whatif.created_at < timezone.now() - leaves.WHATIF_SLOW_AFTER
        )
        context["stale_minutes"] = leaves.WHATIF_STALE_AFTER // datetime.timedelta(minutes=1)
        if whatif is not None and whatif.status == RunStatus.SUCCEEDED:
            context["answer"] = leaves.whatif_answer(
                workspace=membership.workspace, result=whatif.result, boundary=context["boundary"]
            )
    template = partial_or_page(request, LEAVES_TEMPLATE, "whatif-result")
    return render(request, template, context)


def _picker(request: HtmxHttpRequest, membership: Membership, context: dict) -> HttpResponse:
    """The picker's form: search (a read, posted to keep names out of addresses) or show.

    "Show" redirects to the question's own address, ids only, which answers it.
    """
    try:
        question = _question(request.POST, membership)
    except BadChoice as refused:
        question = leaves.Question(person_ids=(), organisations=[], leavers=[])
        context["picker_error"] = str(refused)
    if "show" in request.POST and "picker_error" not in context:
        if question.asked:
            address = (
                f"{request.path}?{question.query}&{urlencode({'boundary': context['boundary']})}"
            )
            response = HttpResponseRedirect(address)
            response.status_code = 303  # See Other: fetch the answer with a GET
            return response
        context["picker_error"] = (
            "Tick at least one person or organisation, then show what happens."
        )
    query = request.POST.get("q", "").strip()
    terms = search_terms(query)
    context.update(question=question, question_query=question.query, query=query)
    if terms:
        workspace = membership.workspace
        context["found_people"] = person_page(workspace=workspace, terms=terms)
        context["found_organisations"] = organisation_page(workspace=workspace, terms=terms)
    return render(request, partial_or_page(request, LEAVES_TEMPLATE, "picker"), context)


@member_page
def scenario_leaves_csv(
    request: HttpRequest, membership: Membership, fmt: str = "csv"
) -> HttpResponse:
    """Every table of the what-if page as one CSV (or .xlsx), with a Table column."""
    context = analysis_context(request, membership, layers=False, dated=False)
    question = _asked(request, membership)
    if not question.asked:
        raise Refusal("Choose who leaves: one or more people (person) or an organisation.")
    if not question.ids:
        raise Refusal("Nobody is at the organisation chosen now, so nobody leaves with it.")
    run = context["status"].run
    if run is None:
        raise not_ready(
            "There are no scores for this workspace yet, so there is nothing to compare with. "
            "They are calculated in the background once people and their relationships are "
            "entered.",
            membership.workspace,
        )
    whatif = leaves.whatif_ask(workspace=membership.workspace, run=run, people=question.ids)
    if whatif is None or whatif.status != RunStatus.SUCCEEDED:
        raise not_ready(
            "This answer is still being worked out, or could not be. Open the what-if page "
            "for these people and download it once the page shows the answer.",
            membership.workspace,
        )
    answer = leaves.whatif_answer(
        workspace=membership.workspace, result=whatif.result, boundary=context["boundary"]
    )
    rows = leaves.whatif_rows(answer)
    return _download(rows, membership, leaves.WHATIF_KIND, fmt, boundary=context["boundary"])
