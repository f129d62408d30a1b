"""The map's side panel: one person, their ties both ways and an ego map.

The ego map (issue #13) puts the person on the left and their contacts in a
column beside them, one row each, named and grouped under their organisation,
so no two names overlap however many there are (the strongest EGO_LIMIT). Ties
last observed before the workspace's retention cutoff are marked stale.
"""

import datetime
from dataclasses import dataclass

from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from stakeholders.bidi import isolate
from stakeholders.maps.data import NO_GROUP_COLOUR
from stakeholders.maps.marks import (
    EDGE_STYLES,
    short_label,
)
from stakeholders.models import (
    Affiliation,
    Boundary,
    ForumMembership,
    Person,
    PersonScore,
    Relationship,
    RelationshipKind,
    ScoreRun,
    Seat,
    Sector,
    Tier,
)
from stakeholders.retention import is_stale
from stakeholders.selectors import in_force_q
from stakeholders.surveys.reads import TieSource, confirmed_among, tie_source


@dataclass(frozen=True)
class PanelTie:
    """A tie as the map's person panel lists it: the other person, direction, staleness."""

    person_id: int
    name: str
    kind: str
    strength: int
    outgoing: bool
    observed_on: datetime.date | None = None
    stale: bool = False
    # Reported in a survey (by whom, when) or entered by an editor; confirmed by both.
    source: TieSource | None = None

    @property
    def kind_label(self) -> str:
        return RelationshipKind(self.kind).label


@dataclass
class PersonPanel:
    person: Person
    role: str
    organisation: str
    score: PersonScore | None
    group: str
    ties_out: list[PanelTie]
    ties_in: list[PanelTie]
    ties_out_total: int
    ties_in_total: int
    seats: list[tuple[str, str]]  # forum name, kind of seat: the seats held today
    ego_svg: str = ""


PANEL_TIES = 20
MINI = 240


def person_panel(
    *,
    person: Person,
    run: ScoreRun | None,
    boundary: str,
    stale_before: datetime.date | None = None,
) -> PersonPanel:
    """One person for the map's side panel, with their ego map (contacts by organisation).

    Ties observed before `stale_before` (retention.stale_cutoff) are marked stale.
    Six queries (five without scores).
    """
    affiliation = (
        Affiliation.objects.filter(person=person, is_primary=True)
        .select_related("organisation")
        .first()
    )
    provenance = ("provenance", "survey__title", "reported_on")
    ties = list(
        Relationship.objects.filter(source=person).values_list(
            "target_id", "target__name", "kind", "strength", "observed_on", *provenance
        )
    )
    ties_in = list(
        Relationship.objects.filter(target=person).values_list(
            "source_id", "source__name", "kind", "strength", "observed_on", *provenance
        )
    )
    # Both of a confirmed tie's directions touch the person: no further query.
    confirmed = confirmed_among(
        [(person.pk, pk, kind, made) for pk, _, kind, _, _, made, _, _ in ties]
        + [(pk, person.pk, kind, made) for pk, _, kind, _, _, made, _, _ in ties_in]
    )

    def source(reporter: str, made: str, survey: str | None, on, key: tuple) -> TieSource:
        return tie_source(
            provenance=made,
            reporter=reporter,
            survey=survey,
            reported_on=on,
            confirmed=key in confirmed,
        )

    out = [
        PanelTie(
            pk, name, kind, s, True, seen, is_stale(seen, stale_before),
            source(person.name, made, survey, on, (person.pk, pk, kind)),
        )
        for pk, name, kind, s, seen, made, survey, on in ties
    ]  # fmt: skip
    into = [
        PanelTie(
            pk, name, kind, s, False, seen, is_stale(seen, stale_before),
            source(name, made, survey, on, (pk, person.pk, kind)),
        )
        for pk, name, kind, s, seen, made, survey, on in ties_in
    ]  # fmt: skip
    score = None
    if run is not None:
        score = PersonScore.objects.filter(run=run, person=person, boundary=boundary).first()
    ego_svg = ego_map_svg(person.name, out + into, _organisations_of(out + into))
    group = ""
    if score is not None:
        group = score.group
        if boundary == Boundary.SECTOR:
            group = Sector(group).label if group in Sector.values else "no sector"
        elif boundary == Boundary.TIER:
            group = Tier(group).label if group in Tier.values else "no tier"
        else:
            group = affiliation.organisation.name if affiliation else "no organisation"

    seats = [
        (forum, Seat(seat).label)
        for forum, seat in ForumMembership.objects.filter(person=person)
        .filter(in_force_q(timezone.localdate()))
        .order_by("forum__name", "pk")
        .values_list("forum__name", "seat")
    ]

    def order(tie: PanelTie):
        return (-tie.strength, tie.name.casefold(), tie.person_id)

    return PersonPanel(
        person=person,
        role=(affiliation.role_title if affiliation else "") or person.job_title,
        organisation=affiliation.organisation.name if affiliation else "",
        score=score,
        group=group,
        ties_out=sorted(out, key=order)[:PANEL_TIES],
        ties_in=sorted(into, key=order)[:PANEL_TIES],
        ties_out_total=len(out),
        ties_in_total=len(into),
        seats=seats,
        ego_svg=ego_svg,
    )


# --- The ego map: the person in the middle, their contacts named by organisation ---

# As wide as the side panel, so its words show at about their real size.
EGO_WIDTH = 300
EGO_PERSON_X = 24  # the person, on the left
EGO_COLUMN = 96  # the contacts' nodes; names run from here to the right edge
EGO_ROW = 24  # one contact (or organisation heading) per row: names never overlap
EGO_LIMIT = 30
EGO_NAME = 26  # characters of a name or organisation shown (whole words, then …)
EGO_COLOUR = "#005eb8"


def _organisations_of(ties: list[PanelTie]) -> dict[int, str]:
    """Each contact's primary organisation name (one query)."""
    return dict(
        Affiliation.objects.filter(
            person_id__in={t.person_id for t in ties}, is_primary=True
        ).values_list("person_id", "organisation__name")
    )


def ego_map_svg(
    name: str, ties: list[PanelTie], organisation_of: dict[int, str]
) -> SafeString | str:
    """The person and their contacts as SVG markup (all text escaped); "" with no ties.

    Contacts are grouped under their organisation in one column, one row each,
    the strongest EGO_LIMIT; lines join each to the person, dashed by kind, with
    an arrowhead where influence flows one way.
    """
    if not ties:
        return ""
    contacts: dict[int, list[PanelTie]] = {}
    for tie in ties:
        contacts.setdefault(tie.person_id, []).append(tie)

    def strength(pk: int) -> tuple:
        best = max(contacts[pk], key=lambda t: t.strength)
        return (-best.strength, best.name.casefold(), pk)

    shown = sorted(contacts, key=strength)[:EGO_LIMIT]
    groups: dict[str, list[int]] = {}
    for pk in shown:
        groups.setdefault(organisation_of.get(pk, "No organisation"), []).append(pk)
    ordered = sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0].casefold()))
    # One row per organisation heading and per person: biggest groups first.
    column: list[tuple[str, object]] = []
    for organisation, people in ordered:
        column.append(("heading", organisation))
        for pk in sorted(people, key=lambda p: contacts[p][0].name.casefold()):
            column.append(("person", pk))
    top = 30  # below the person's name
    height = top + len(column) * EGO_ROW + 12
    middle_x, middle_y = EGO_PERSON_X, top + len(column) * EGO_ROW / 2
    lines: list[str] = []
    marks: list[str] = []
    x, anchor, shift = EGO_COLUMN, "start", 9
    for row, (kind, value) in enumerate(column):
        y = top + row * EGO_ROW + EGO_ROW / 2
        if kind == "heading":
            marks.append(
                f'<text x="{x - 6:.0f}" y="{y + 4:.0f}" text-anchor="{anchor}"'
                f' font-size="13" font-weight="bold" fill="#4c6272">'
                f"{escape(isolate(short_label(str(value), EGO_NAME + 3)))}</text>"
            )
            continue
        pk = int(value)  # type: ignore[arg-type]
        ties_here = contacts[pk]
        best = max(ties_here, key=lambda t: t.strength)
        _, dash, directed = EDGE_STYLES[best.kind]
        stale = all(t.stale for t in ties_here)
        outgoing = any(t.outgoing for t in ties_here)
        incoming = any(not t.outgoing for t in ties_here)
        colour = "#a7b3bb" if stale else "#425563"
        arrows = ""
        if directed and outgoing:
            arrows += ' marker-end="url(#ego-arrow)"'
        if directed and incoming:
            arrows += ' marker-start="url(#ego-arrow)"'
        # Stop short of both nodes, so arrowheads show.
        dx, dy = x - middle_x, y - middle_y
        length = max((dx * dx + dy * dy) ** 0.5, 1)
        x1, y1 = middle_x + dx * 12 / length, middle_y + dy * 12 / length
        x2, y2 = x - dx * 7 / length, y - dy * 7 / length
        lines.append(
            f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{colour}"'
            f' stroke-width="{0.6 + 0.4 * best.strength:.1f}"'
            + (f' stroke-dasharray="{dash}"' if dash else "")
            + f"{arrows}/>"
        )
        marks.append(
            f'<circle cx="{x:.0f}" cy="{y:.0f}" r="5" fill="{NO_GROUP_COLOUR}"'
            f' stroke="#ffffff"><title>{escape(isolate(best.name))}</title></circle>'
            f'<text x="{x + shift:.0f}" y="{y + 4:.0f}"'
            f' text-anchor="{anchor}" font-size="14" fill="#212b32">'
            f"{escape(isolate(short_label(best.name, EGO_NAME)))}</text>"
        )
    more = len(contacts) - len(shown)
    label = (
        f"{name} in the middle and the {len(shown)} people they have ties with, grouped by"
        " organisation" + (f" (the strongest {len(shown)} of {len(contacts)})" if more else "")
    )
    return mark_safe(  # noqa: S308 - every text in it went through escape()
        f'<svg xmlns="http://www.w3.org/2000/svg" class="app-map-ego" viewBox="0 0 {EGO_WIDTH}'
        f' {height:.0f}" width="{EGO_WIDTH}" height="{height:.0f}" role="img"'
        f' aria-label="{escape(label)}" font-family="Arial, sans-serif">'
        '<defs><marker id="ego-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7"'
        ' markerHeight="7" markerUnits="userSpaceOnUse" orient="auto-start-reverse">'
        '<path d="M0 0L10 5L0 10Z" fill="#425563"/></marker></defs>'
        f'<rect x="0.5" y="0.5" width="{EGO_WIDTH - 1}" height="{height - 1:.0f}" fill="#ffffff"'
        ' stroke="#c4ced4"/>'
        + "".join(lines)
        + "".join(marks)
        + f'<circle cx="{middle_x:.0f}" cy="{middle_y:.0f}" r="10" fill="{EGO_COLOUR}"'
        ' stroke="#212b32" stroke-width="1.5"/>'
        f'<text x="8" y="20" font-size="14" font-weight="bold" fill="#212b32">'
        f"{escape(isolate(short_label(name, 36)))}</text>"
        + (
            f'<text x="{EGO_WIDTH / 2:.0f}" y="{height - 6:.0f}" text-anchor="middle"'
            f' font-size="11" fill="#4c6272">and {more} more: see the lists below</text>'
            if more
            else ""
        )
        + "</svg>"
    )
