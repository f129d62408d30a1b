"""Reads for the analysis pages: stored scores as plain data, in a fixed number of queries.

Pages never run the analysis; they show the newest successful score run.
"""

import datetime
import heapq
import json
from dataclasses import dataclass
from typing import NamedTuple

from django.core.paginator import Page, Paginator
from django.db.models import F, Q, Sum, TextField, Window
from django.db.models.functions import Cast, RowNumber

from stakeholders.dashboard.heatmap import GroupHead, group_heads, heat_key, shade, trust_level
from stakeholders.history import HistoryEntry, organisation_history, person_history
from stakeholders.models import (
    Boundary,
    Organisation,
    PairScore,
    Person,
    PersonScore,
    ScoreRun,
    Workspace,
)
from stakeholders.selectors import WithFormer, group_labels
from stakeholders.surveys.reads import TieSource, confirmed_among, tie_source

BROKERS_PER_PAGE = 25
# The overview's short lists; each links to the full list when there are more.
HIDDEN_SHOWN = 10
FRAGILE_SHOWN = 8
# Group pairs lost if someone leaves: long lists the ranking pages never show.
LEAVING_PAIRS = ("pairs_disconnected_if_leaves", "pairs_distant_if_leaves")

# Brokers table orderings: the URL value, its label and the ORM ordering.
BROKER_SORTS = {
    "score": ("Broker score", ("-broker_score",)),
    "bridging": ("Boundary betweenness", (F("boundary_betweenness").desc(nulls_last=True),)),
    "roles": ("Cross-boundary roles", ("-cross_role_count",)),
    "openness": ("Open network (low constraint)", (F("constraint").asc(nulls_last=True),)),
    "reach": ("Groups reached", ("-groups_reached",)),
    "influence": ("Influence", ("-influence",)),
}
# The same orderings in plain words, for the sentence above the table ("sorted by ...");
# {groups} is the boundary's plural ("organisations").
BROKER_SORT_WORDS = {
    "score": "broker score",
    "bridging": "place on the shortest chains of introductions between {groups}",
    "roles": "how many people in different {groups} they stand between",
    "openness": "how spread out their contacts are",
    "reach": "how many other {groups} they reach",
    "influence": "influence",
}


BY_BROKER_SCORE = (F("broker_score").desc(), F("person__name").asc(), F("person_id").asc())


@dataclass(frozen=True)
class BrokerRow:
    rank: int
    person_id: int
    name: str
    job_title: str
    group: str
    score: PersonScore


@dataclass(frozen=True)
class FragilePartnership:
    group_a: str
    group_b: str
    relationships: int
    carried_by: list[str]


@dataclass(frozen=True)
class Overview:
    people: int
    organisations: int
    relationships: int
    cross_boundary_share: float | None
    components: int
    isolates: int
    top_brokers: list[BrokerRow]
    hidden_influencers: list[BrokerRow]
    hidden_count: int
    fragile: list[FragilePartnership]
    fragile_count: int
    untied_organisations: list[str]


def _broker_rows(scores, labels: dict[str, str]) -> list[BrokerRow]:
    return [
        BrokerRow(
            rank=getattr(s, "rank", i + 1),
            person_id=s.person_id,
            name=s.person.name,
            job_title=s.person.job_title,
            group=labels.get(s.group, "No organisation"),
            score=s,
        )
        for i, s in enumerate(scores)
    ]


def overview(*, workspace: Workspace, run: ScoreRun, boundary: str) -> Overview:
    """Headline figures and the lists the overview page leads with (seven queries)."""
    labels = group_labels(workspace_id=workspace.pk, boundary=boundary)
    org_labels = (
        labels
        if boundary == Boundary.ORGANISATION
        else group_labels(workspace_id=workspace.pk, boundary=Boundary.ORGANISATION)
    )
    summary = run.summary.get(boundary, {})
    scores = (
        PersonScore.objects.filter(run=run, boundary=boundary)
        .defer(*LEAVING_PAIRS)
        .select_related("person")
    )
    top = scores.order_by("-broker_score", "person__name")[:5]
    hidden_all = scores.filter(hidden_influencer=True)
    hidden = hidden_all.order_by("-influence", "person__name")[:HIDDEN_SHOWN]
    fragile_pairs = PairScore.objects.filter(
        run=run, boundary=boundary, single_point_of_failure=True
    ).order_by("-relationships", "group_a", "group_b")
    fragile_list = list(fragile_pairs[:FRAGILE_SHOWN])
    carrier_ids = {pk for p in fragile_list for pk in p.failure_people}
    names = dict(Person.objects.filter(pk__in=carrier_ids).values_list("pk", "name"))
    tied_groups = set(
        PersonScore.objects.filter(run=run, boundary=Boundary.ORGANISATION)
        .values("group")
        .annotate(ties=Sum(F("degree_in") + F("degree_out")))
        .filter(ties__gt=0)
        .values_list("group", flat=True)
    )
    return Overview(
        people=summary.get("people", 0),
        organisations=len(org_labels),
        relationships=summary.get("relationships", 0),
        cross_boundary_share=summary.get("cross_boundary_share"),
        components=summary.get("components", 0),
        isolates=summary.get("isolates", 0),
        top_brokers=_broker_rows(top, labels),
        hidden_influencers=_broker_rows(hidden, labels),
        hidden_count=hidden_all.count(),
        fragile=[
            FragilePartnership(
                group_a=labels.get(p.group_a, p.group_a),
                group_b=labels.get(p.group_b, p.group_b),
                relationships=p.relationships,
                carried_by=[names[pk] for pk in p.failure_people if pk in names],
            )
            for p in fragile_list
        ],
        fragile_count=fragile_pairs.count(),
        untied_organisations=sorted(
            name for pk, name in org_labels.items() if pk not in tied_groups
        ),
    )


@dataclass(frozen=True)
class BrokerPage:
    page: Page
    rows: list[BrokerRow]
    groups: list[tuple[str, str]]  # (key, label) for the group filter, by label


def broker_page(
    *, workspace: Workspace, run: ScoreRun, boundary: str, sort: str, group: str, page: str | None
) -> BrokerPage:
    """One page of the broker ranking, sorted and optionally limited to one group."""
    labels = group_labels(workspace_id=workspace.pk, boundary=boundary)
    scores = (
        PersonScore.objects.filter(run=run, boundary=boundary)
        .defer(*LEAVING_PAIRS)
        .select_related("person")
        .annotate(
            cross_role_count=F("liaison") + F("gatekeeper") + F("representative"),
            # Rank by broker score among the people shown, whatever the sort.
            rank=Window(RowNumber(), order_by=BY_BROKER_SCORE),
        )
        .order_by(*BROKER_SORTS[sort][1], *BY_BROKER_SCORE)
    )
    if group:
        scores = scores.filter(group=group)
    current = Paginator(scores, BROKERS_PER_PAGE).get_page(page)
    return BrokerPage(
        page=current,
        rows=_broker_rows(current.object_list, labels),
        # Organisations by name; sectors and tiers as the models list them (national first).
        groups=sorted(labels.items(), key=lambda item: item[1].casefold())
        if boundary == Boundary.ORGANISATION
        else list(labels.items()),
    )


# --- Partnerships ------------------------------------------------------------

MATRIX_MAX_GROUPS = 25
PAIR_LIST_MAX = 50


@dataclass(frozen=True)
class MatrixCell:
    relationships: int
    mean_trust: float | None
    shade: int = 0  # heat map shade, 1 (fewest ties) to heatmap.HEAT_LEVELS (most)
    trust_level: int = 0  # trust bar length, 1 to 5; 0 when trust was not recorded
    a: str = ""  # the two groups' keys, for the link to the people carrying the pair
    b: str = ""
    a_label: str = ""
    b_label: str = ""


@dataclass(frozen=True)
class MatrixRow:
    key: str
    label: str
    cells: list[MatrixCell | None | str]  # a cell, None (no ties) or "self" (the diagonal)
    head: GroupHead | None = None


@dataclass(frozen=True)
class Partnerships:
    groups: int  # non-empty groups on the boundary
    columns: list[tuple[str, str]]  # (key, label) of the groups in the matrix
    rows: list[MatrixRow]
    heads: list[GroupHead]  # the columns' headers: short name, full name, sector
    heat_key: list[tuple[int, int, int]]  # (shade, fewest, most ties) for the key
    matrix_trimmed: bool  # only the groups with most cross ties are in the matrix
    fragile: list[FragilePartnership]
    fragile_count: int
    untied_pairs: list[tuple[str, str]]  # (label, label)
    untied_count: int


def _pair_key(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a <= b else (b, a)


class _Pair(NamedTuple):
    """The columns of a PairScore the partnerships page uses."""

    group_a: str
    group_b: str
    relationships: int
    mean_trust: float | None
    single_point_of_failure: bool
    failure_text: str  # failure_people as JSON text, decoded only for the pairs listed


def partnerships(
    *, workspace: Workspace, run: ScoreRun, boundary: str, all_fragile: bool = False
) -> Partnerships:
    """Ties between every pair of groups, fragile pairs and pairs with no ties (four queries).

    `all_fragile`: list every fragile pair, not only the PAIR_LIST_MAX with most ties.

    The matrix is ordered by sector then name (organisations) or as the models list
    sectors and tiers, and shaded by the number of ties.
    """
    heads = group_heads(workspace_id=workspace.pk, boundary=boundary)
    labels = WithFormer(
        {key: head.label for key, head in heads.items()},
        {key: head.label for key, head in heads.former.items()},
    )
    present = set(
        PersonScore.objects.filter(run=run, boundary=boundary)
        .exclude(group="")
        .order_by()
        .values_list("group", flat=True)
        .distinct()
    )
    # Plain tuples of the columns used: model instances of every pair (about
    # 4,000 at 5,000 people) cost ten times as much to build as the page needs. The
    # people carrying each pair stay JSON text: at 20,000 people decoding all 15,000
    # lists took a fifth of the page, for the few pairs listed.
    pairs = {
        _pair_key(p.group_a, p.group_b): p
        for p in PairScore.objects.filter(run=run, boundary=boundary)
        .order_by()
        .annotate(failure_text=Cast("failure_people", TextField()))
        .values_list(*_Pair._fields, named=True)
    }

    def label(key: str) -> str:
        return labels.get(key, key)

    cross: dict[str, int] = dict.fromkeys(present, 0)
    for (a, b), p in pairs.items():
        for g in (a, b):
            if g in cross:
                cross[g] += p.relationships
    shown = sorted(present, key=lambda g: (-cross[g], label(g).casefold(), g))
    trimmed = len(shown) > MATRIX_MAX_GROUPS

    def head(key: str) -> GroupHead:
        return heads.get(key) or GroupHead(key, key, key, "", (10_000, key))

    shown = sorted(shown[:MATRIX_MAX_GROUPS], key=lambda g: (head(g).order, g))
    shown_set = set(shown)
    top = max(
        (p.relationships for (a, b), p in pairs.items() if a in shown_set and b in shown_set),
        default=0,
    )
    rows = []
    for a in shown:
        cells: list[MatrixCell | None | str] = []
        for b in shown:
            p = None if a == b else pairs.get(_pair_key(a, b))
            cells.append(
                "self"
                if a == b
                else MatrixCell(
                    p.relationships,
                    p.mean_trust,
                    shade(p.relationships, top),
                    trust_level(p.mean_trust),
                    a,
                    b,
                    label(a),
                    label(b),
                )
                if p
                else None
            )
        rows.append(MatrixRow(key=a, label=label(a), cells=cells, head=head(a)))

    fragile_all = [p for p in pairs.values() if p.single_point_of_failure]

    def most_ties_first(p: _Pair) -> tuple:
        return (-p.relationships, label(p.group_a).casefold(), label(p.group_b).casefold())

    fragile_list = (
        sorted(fragile_all, key=most_ties_first)
        if all_fragile
        else heapq.nsmallest(PAIR_LIST_MAX, fragile_all, key=most_ties_first)
    )
    carriers = [json.loads(p.failure_text) for p in fragile_list]
    carrier_ids = {pk for people in carriers for pk in people}
    names = dict(
        Person.objects.filter(workspace=workspace, pk__in=carrier_ids).values_list("pk", "name")
    )

    ordered = sorted(present, key=lambda g: (head(g).order, g))  # as the matrix: tiers in order
    untied: list[tuple[str, str]] = []
    tied_present = sum(1 for a, b in pairs if a in present and b in present)
    for i, a in enumerate(ordered):
        if len(untied) >= PAIR_LIST_MAX:
            break
        for b in ordered[i + 1 :]:
            if _pair_key(a, b) not in pairs:
                untied.append((label(a), label(b)))
                if len(untied) >= PAIR_LIST_MAX:
                    break
    n = len(present)
    return Partnerships(
        groups=n,
        columns=[(g, label(g)) for g in shown],
        rows=rows,
        heads=[head(g) for g in shown],
        heat_key=heat_key(top),
        matrix_trimmed=trimmed,
        fragile=[
            FragilePartnership(
                group_a=label(p.group_a),
                group_b=label(p.group_b),
                relationships=p.relationships,
                carried_by=[names[pk] for pk in people if pk in names],
            )
            for p, people in zip(fragile_list, carriers, strict=True)
        ],
        fragile_count=len(fragile_all),
        untied_pairs=untied,
        untied_count=n * (n - 1) // 2 - tied_present,
    )


# --- Person page ---------------------------------------------------------------


@dataclass(frozen=True)
class DetailTie:
    """A tie as the person page lists it, with its trust and evidence."""

    other_id: int
    other_name: str
    kind: str
    strength: int
    trust: int | None
    observed_on: datetime.date | None
    evidence: str
    # Reported in a survey (by whom, when) or entered by an editor; confirmed by both.
    source: TieSource | None = None


@dataclass(frozen=True)
class PersonDetail:
    person: Person
    affiliations: list
    seats: list  # ForumMembership, with its forum: held now or before
    ties_out: list[DetailTie]
    ties_in: list[DetailTie]
    score: PersonScore | None
    group: str
    history: list[HistoryEntry]


def _tie_records(queryset, other: str) -> list:
    return list(queryset.select_related(other, "survey").order_by(f"{other}__name", "kind", "pk"))


def _ties(records: list, other: str, person: Person, confirmed: set) -> list[DetailTie]:
    def reporter(r) -> str:
        return person.name if other == "target" else r.source.name

    return [
        DetailTie(
            other_id=getattr(r, f"{other}_id"),
            other_name=getattr(r, other).name,
            kind=r.get_kind_display(),
            strength=r.strength,
            trust=r.trust,
            observed_on=r.observed_on,
            evidence=r.evidence,
            source=tie_source(
                provenance=r.provenance,
                reporter=reporter(r),
                survey=r.survey.title if r.survey_id else None,
                reported_on=r.reported_on,
                confirmed=(r.source_id, r.target_id, r.kind) in confirmed,
            ),
        )
        for r in records
    ]


def person_detail(
    *, person: Person, run: ScoreRun | None, boundary: str, show_notes: bool
) -> PersonDetail:
    """Everything about one person: ties both ways, scores and recent changes.

    A fixed number of queries, whatever the size of the map.
    """
    workspace = person.workspace
    org_names = group_labels(workspace_id=workspace.pk, boundary=Boundary.ORGANISATION)
    labels = (
        org_names
        if boundary == Boundary.ORGANISATION
        else group_labels(workspace_id=workspace.pk, boundary=boundary)
    )
    score = None
    if run is not None:
        score = PersonScore.objects.filter(run=run, person=person, boundary=boundary).first()
    out = _tie_records(person.ties_out.all(), "target")
    into = _tie_records(person.ties_in.all(), "source")
    # Both of a confirmed tie's directions touch the person: no further query.
    confirmed = confirmed_among(
        (r.source_id, r.target_id, r.kind, r.provenance) for r in out + into
    )
    return PersonDetail(
        person=person,
        affiliations=list(
            person.affiliations.select_related("organisation").order_by(
                "-is_primary", "organisation__name"
            )
        ),
        seats=list(
            person.forum_memberships.select_related("forum").order_by(
                # Undated first on every database (SQLite and PostgreSQL differ by default).
                "forum__name",
                F("start_date").asc(nulls_first=True),
                "pk",
            )
        ),
        ties_out=_ties(out, "target", person, confirmed),
        ties_in=_ties(into, "source", person, confirmed),
        score=score,
        group=labels.get(score.group, "No organisation") if score else "",
        history=person_history(person=person, show_notes=show_notes, org_names=org_names).entries,
    )


# --- Organisation page ---------------------------------------------------------


@dataclass(frozen=True)
class OrgPerson:
    person_id: int
    name: str
    job_title: str
    role_title: str
    is_primary: bool
    active: bool
    broker_score: float | None


@dataclass(frozen=True)
class OrgPartnership:
    partner_id: int | None
    partner: str
    pair: PairScore
    carried_by: list[str]


@dataclass(frozen=True)
class OrganisationDetail:
    organisation: Organisation
    children: list[Organisation]
    people: list[OrgPerson]
    partnerships: list[OrgPartnership]
    history: list[HistoryEntry]


def organisation_detail(*, organisation: Organisation, run: ScoreRun | None) -> OrganisationDetail:
    """One organisation: its people and their broker scores, partnerships and changes.

    A fixed number of queries, whatever the size of the map.
    """
    workspace = organisation.workspace
    key = str(organisation.pk)
    org_names = group_labels(workspace_id=workspace.pk, boundary=Boundary.ORGANISATION)
    affiliations = list(
        organisation.affiliations.select_related("person").order_by(
            "-is_primary", "person__name", "person_id"
        )
    )
    scores: dict[int, float] = {}
    pairs: list[PairScore] = []
    if run is not None:
        scores = dict(
            PersonScore.objects.filter(
                run=run,
                boundary=Boundary.ORGANISATION,
                person__affiliations__organisation=organisation,
            )
            .order_by()
            .values_list("person_id", "broker_score")
        )
        pairs = list(
            PairScore.objects.filter(run=run, boundary=Boundary.ORGANISATION).filter(
                Q(group_a=key) | Q(group_b=key)
            )
        )
    carrier_ids = {pk for p in pairs if p.single_point_of_failure for pk in p.failure_people}
    names = dict(
        Person.objects.filter(workspace=workspace, pk__in=carrier_ids).values_list("pk", "name")
    )
    partnerships = []
    for p in pairs:
        other = p.group_b if p.group_a == key else p.group_a
        partnerships.append(
            OrgPartnership(
                partner_id=int(other) if other.isdigit() and other in org_names else None,
                partner=org_names.get(other, "(removed)"),
                pair=p,
                carried_by=[names[pk] for pk in p.failure_people if pk in names]
                if p.single_point_of_failure
                else [],
            )
        )
    partnerships.sort(key=lambda o: (-o.pair.relationships, o.partner.casefold()))
    return OrganisationDetail(
        organisation=organisation,
        children=list(organisation.children.order_by("name")),
        people=[
            OrgPerson(
                person_id=a.person_id,
                name=a.person.name,
                job_title=a.person.job_title,
                role_title=a.role_title,
                is_primary=a.is_primary,
                active=a.person.active,
                broker_score=scores.get(a.person_id),
            )
            for a in affiliations
        ],
        partnerships=partnerships,
        history=organisation_history(organisation=organisation, org_names=org_names).entries,
    )
