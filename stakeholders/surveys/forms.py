"""The new-survey form: read what the editor typed, keep it for redisplay, name each problem.

Plain parsing rather than a Django form: the questions are one checkbox and one
wording per kind of tie, and the service (survey_create) checks the rules; this
module turns the form into its arguments and says what is wrong beside each field.
"""

import datetime
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.http import QueryDict

from stakeholders.imports.dates import date_from_text
from stakeholders.models import RelationshipKind, Survey, Workspace
from stakeholders.surveys.services import DEFAULT_WORDING

# A survey closes at the end of its closing day, UK time.
LONDON = ZoneInfo("Europe/London")
EVERYONE, ORGANISATIONS = "everyone", "organisations"
TITLE_MAX = Survey._meta.get_field("title").max_length
TEXT_MAX = 10_000  # introduction, notice and wordings: long enough, never unbounded
DATE_HINT = "Write it as day, month and year, for example 31/03/2027."


def default_introduction(workspace: Workspace) -> str:
    return (
        f"{workspace.name} wants to understand who works with whom across our health and "
        "care system, so that we can see where partnerships are strong and where people "
        "and organisations are not yet connected. You will be asked to name the people "
        "you work with, in any organisation, by choosing them from a list. You can save "
        "your answers and come back before the survey closes."
    )


def default_privacy_notice(workspace: Workspace) -> str:
    return (
        f"Who will see your answers: the members of the {workspace.name} workspace on "
        "Influence Map, the people who look after the map of our system. Your answers "
        "are not published and are not shared outside the workspace.\n\n"
        "Why: to map working relationships across the system, so that we can see where "
        "partnerships are strong and where connections are missing. The people you name "
        "become ties on the map, marked as reported by you.\n\n"
        "Your choice: taking part is voluntary. You can decline now, and if you take part "
        "you can change or withdraw your answers at any time until the closing date; "
        "withdrawing removes them from the map. You can ask the workspace's owners for a "
        "copy of what is held about you, or to have it erased."
    )


@dataclass
class Question:
    kind: str
    label: str
    asked: bool
    wording: str


@dataclass
class SurveyDraft:
    """The form's values as typed (strings and ticks), for redisplay."""

    title: str = ""
    introduction: str = ""
    privacy_notice: str = ""
    closes_on: str = ""
    questions: list[Question] = field(default_factory=list)
    ask_strength: bool = True
    ask_trust: bool = True
    invite: str = EVERYONE
    organisation_ids: set[int] = field(default_factory=set)


def survey_draft_initial(workspace: Workspace, *, today: datetime.date) -> SurveyDraft:
    """A new form: the default notice and wordings, asking who people work with and trust."""
    closes = today + datetime.timedelta(days=21)
    return SurveyDraft(
        introduction=default_introduction(workspace),
        privacy_notice=default_privacy_notice(workspace),
        closes_on=f"{closes:%d/%m/%Y}",
        questions=[
            Question(
                kind=kind,
                label=label,
                asked=kind in (RelationshipKind.COLLABORATES, RelationshipKind.TRUSTS),
                wording=DEFAULT_WORDING.get(kind, ""),
            )
            for kind, label in RelationshipKind.choices
        ],
    )


def _ids(values: list[str]) -> set[int]:
    return {int(v) for v in values if v.isdecimal() and v.isascii() and len(v) < 12}


def survey_draft_from_post(post: QueryDict) -> SurveyDraft:
    """The form as posted, cut to sane lengths (the service checks the rest)."""
    asked = set(post.getlist("question"))
    return SurveyDraft(
        title=post.get("title", "")[: TITLE_MAX * 2],
        introduction=post.get("introduction", "")[:TEXT_MAX],
        privacy_notice=post.get("privacy_notice", "")[:TEXT_MAX],
        closes_on=post.get("closes_at", "").strip()[:40],
        questions=[
            Question(
                kind=kind,
                label=label,
                asked=kind in asked,
                wording=post.get(f"wording_{kind}", "")[:TEXT_MAX],
            )
            for kind, label in RelationshipKind.choices
        ],
        ask_strength=post.get("ask_strength") == "yes",
        ask_trust=post.get("ask_trust") == "yes",
        invite=ORGANISATIONS if post.get("invite") == ORGANISATIONS else EVERYONE,
        organisation_ids=_ids(post.getlist("organisation")),
    )


def closing_moment(value: str) -> tuple[datetime.datetime | None, str | None]:
    """The end of the closing day (23:59:59 UK time), or the problem with the date."""
    if not value:
        return None, f"Enter the closing date. {DATE_HINT}"
    try:
        day = date_from_text(value)
    except ValueError as exc:
        return None, f"Closing date: {exc}"
    end = datetime.datetime.combine(day, datetime.time(23, 59, 59), tzinfo=LONDON)
    return end, None


def question_pairs(draft: SurveyDraft) -> list[tuple[str, str]]:
    """(kind, wording) of each question ticked, in the form's order."""
    return [(q.kind, q.wording) for q in draft.questions if q.asked]
