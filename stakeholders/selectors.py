"""Reads for the pages: plain data from a fixed number of queries, whatever the data size."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib.auth.models import AbstractBaseUser
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import (
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from stakeholders.analysis.inputs import DEFAULT_OPTIONS, FORMAL_OPTIONS, Options, options_key
from stakeholders.leases import retrying_after, run_is_running
from stakeholders.models import (
    Affiliation,
    Boundary,
    FormerOrganisation,
    Membership,
    Organisation,
    OrganisationKind,
    Person,
    Relationship,
    Role,
    RunStatus,
    ScoreRun,
    Sector,
    Seniority,
    Snapshot,
    Tier,
    Workspace,
)

PEOPLE_PER_PAGE = 50
ORGANISATIONS_PER_PAGE = 50
# A search box, not a query language: long input is cut, and only the first
# few words count (each must match somewhere).
MAX_QUERY_LENGTH = 100
MAX_QUERY_TERMS = 6


@dataclass(frozen=True)
class WorkspaceSummary:
    name: str
    slug: str
    role: str
    role_label: str
    organisations: int
    people: int
    relationships: int


@dataclass(frozen=True)
class OrganisationRow:
    id: int
    name: str
    short_name: str
    kind_label: str
    sector_label: str
    tier_label: str
    people: int


@dataclass(frozen=True)
class PersonRow:
    id: int
    ref: str
    name: str
    job_title: str
    seniority_label: str
    primary_organisation: str
    active: bool
    ties: int


@dataclass(frozen=True)
class ResultPage[Row]:
    """One page of rows with what a pagination control needs."""

    rows: list[Row]
    number: int
    num_pages: int
    count: int
    start_index: int
    end_index: int
    page_range: list[int | str]
    previous_number: int | None
    next_number: int | None

    @property
    def is_paginated(self) -> bool:
        return self.num_pages > 1


def _count_by(queryset: QuerySet, field: str, outer: str = "pk") -> Coalesce:
    """COUNT(*) of `queryset` rows whose `field` is the outer row's `outer`, as a subquery.

    A subquery per count, never a join: joining two related tables in one query
    multiplies their rows and inflates every count.
    """
    counted = (
        queryset.filter(**{field: OuterRef(outer)})
        .order_by()
        .values(field)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def workspace_summaries(*, user: AbstractBaseUser) -> list[WorkspaceSummary]:
    """The user's workspaces with their role and sizes, in one query."""
    memberships = (
        Membership.objects.filter(user=user)
        .annotate(
            organisation_count=_count_by(Organisation.objects.all(), "workspace", "workspace"),
            person_count=_count_by(Person.objects.all(), "workspace", "workspace"),
            # A tie's two people are always in one workspace (Relationship.clean). Those
            # in force today, as the overview and the scores count them, not ended ones.
            relationship_count=_count_by(
                Relationship.objects.filter(in_force_q(timezone.localdate())),
                "source__workspace",
                "workspace",
            ),
        )
        .order_by("workspace__name", "workspace__slug")
        .values_list(
            "workspace__name",
            "workspace__slug",
            "role",
            "organisation_count",
            "person_count",
            "relationship_count",
        )
    )
    role_labels = dict(Role.choices)
    return [
        WorkspaceSummary(
            name=name,
            slug=slug,
            role=role,
            role_label=role_labels.get(role, role),
            organisations=organisations,
            people=people,
            relationships=relationships,
        )
        for name, slug, role, organisations, people, relationships in memberships
    ]


def search_terms(raw: str) -> list[str]:
    """The words of a search box entry, trimmed to a sane size."""
    return raw[:MAX_QUERY_LENGTH].split()[:MAX_QUERY_TERMS]


def _paginate[Row](
    queryset: QuerySet, *, page: str | int | None, per_page: int, to_row: Callable[..., Row]
) -> ResultPage[Row]:
    # Two queries (count, then the page), or one when there is nothing to show.
    paginator = Paginator(queryset, per_page)
    current = paginator.get_page(page)
    rows = [to_row(*values) for values in current.object_list]
    return ResultPage(
        rows=rows,
        number=current.number,
        num_pages=paginator.num_pages,
        count=paginator.count,
        start_index=current.start_index(),
        end_index=current.end_index(),
        page_range=list(paginator.get_elided_page_range(current.number, on_each_side=2, on_ends=1)),
        previous_number=current.previous_page_number() if current.has_previous() else None,
        next_number=current.next_page_number() if current.has_next() else None,
    )


def organisation_page(
    *, workspace: Workspace, terms: list[str], page: str | int | None = 1
) -> ResultPage[OrganisationRow]:
    """A page of the workspace's organisations matching every term, with people counts."""
    organisations = Organisation.objects.filter(workspace=workspace)
    for term in terms:
        organisations = organisations.filter(
            Q(name__icontains=term) | Q(short_name__icontains=term) | Q(ods_code__icontains=term)
        )
    organisations = (
        organisations.annotate(person_count=_count_by(Affiliation.objects.all(), "organisation"))
        .order_by("name", "pk")
        .values_list("pk", "name", "short_name", "kind", "sector", "tier", "person_count")
    )
    kinds, sectors, tiers = (
        dict(OrganisationKind.choices),
        dict(Sector.choices),
        dict(Tier.choices),
    )

    def to_row(pk, name, short_name, kind, sector, tier, people) -> OrganisationRow:
        return OrganisationRow(
            id=pk,
            name=name,
            short_name=short_name,
            kind_label=kinds.get(kind, kind),
            sector_label=sectors.get(sector, sector),
            tier_label=tiers.get(tier, tier),
            people=people,
        )

    return _paginate(organisations, page=page, per_page=ORGANISATIONS_PER_PAGE, to_row=to_row)


def person_page(
    *, workspace: Workspace, terms: list[str], page: str | int | None = 1
) -> ResultPage[PersonRow]:
    """A page of the workspace's people matching every term, with primary organisation and ties.

    A term matches a person's name, ref or job title, or the name or short name
    of any organisation they are affiliated with.
    """
    people = Person.objects.filter(workspace=workspace)
    for term in terms:
        at_matching_organisation = Affiliation.objects.filter(person=OuterRef("pk")).filter(
            Q(organisation__name__icontains=term) | Q(organisation__short_name__icontains=term)
        )
        people = people.filter(
            Q(name__icontains=term)
            | Q(ref__icontains=term)
            | Q(job_title__icontains=term)
            | Exists(at_matching_organisation)
        )
    primary_organisation = Affiliation.objects.filter(
        person=OuterRef("pk"), is_primary=True
    ).values("organisation__name")[:1]
    people = (
        people.annotate(
            primary_organisation=Coalesce(Subquery(primary_organisation), Value("")),
            # Ties out and in are counted in separate subqueries (see _count_by).
            ties=_count_by(Relationship.objects.all(), "source")
            + _count_by(Relationship.objects.all(), "target"),
        )
        .order_by("name", "ref", "pk")
        .values_list(
            "pk",
            "ref",
            "name",
            "job_title",
            "seniority",
            "primary_organisation",
            "active",
            "ties",
        )
    )
    seniorities = dict(Seniority.choices)

    def to_row(pk, ref, name, job_title, seniority, organisation, active, ties) -> PersonRow:
        return PersonRow(
            id=pk,
            ref=ref,
            name=name,
            job_title=job_title,
            seniority_label=seniorities.get(seniority, seniority),
            primary_organisation=organisation,
            active=active,
            ties=ties,
        )

    return _paginate(people, page=page, per_page=PEOPLE_PER_PAGE, to_row=to_row)


# Score runs: pages show the newest successful run and say whether a newer one is coming.


def in_force_q(on: datetime.date, prefix: str = "") -> Q:
    """A filter for ties (or affiliations) in force on `on` (stakeholders.snapshots.in_force).

    `prefix` reaches a related row's dates, e.g. "affiliations__".
    """
    start, end = f"{prefix}start_date", f"{prefix}end_date"
    return (Q(**{f"{start}__isnull": True}) | Q(**{f"{start}__lte": on})) & (
        Q(**{f"{end}__isnull": True}) | Q(**{f"{end}__gte": on})
    )


def primary_in_force_q(on: datetime.date, prefix: str = "") -> Q:
    """A main (primary) affiliation in force on `on`: the one the scores group people by
    (score_runs.score_input). `prefix` as for in_force_q."""
    return Q(**{f"{prefix}is_primary": True}) & in_force_q(on, prefix)


def run_key(options: Options = DEFAULT_OPTIONS, as_of: datetime.date | None = None) -> str:
    """ScoreRun.options_key: the options' key, with the date of a run as of a date."""
    key = options_key(options)
    return key if as_of is None else f"{key}|network_on={as_of.isoformat()}"


def current_run(
    *,
    workspace_id: int,
    options: Options = DEFAULT_OPTIONS,
    as_of: datetime.date | None = None,
) -> ScoreRun | None:
    """The newest successful run for these options (and date): the scores pages show."""
    return (
        ScoreRun.objects.filter(
            workspace_id=workspace_id,
            options_key=run_key(options, as_of),
            status=RunStatus.SUCCEEDED,
        )
        .order_by("-created_at", "-pk")
        .first()
    )


@dataclass(frozen=True)
class ScoreStatus:
    run: ScoreRun | None  # the scores on screen: newest successful run
    updating: bool  # a newer run is computing now
    failed: bool  # the newest attempt failed; the scores shown are older
    # The failure was the worker's or the database's: the worker retries by itself
    # (stakeholders.recovery); otherwise the next change does.
    retrying: bool = False

    @property
    def as_of(self) -> datetime.datetime | None:
        return self.run.created_at if self.run else None


def score_status(
    *,
    workspace: Workspace,
    as_of: datetime.date | None = None,
    options: Options = DEFAULT_OPTIONS,
) -> ScoreStatus:
    """The current scores (or those as of a date) and whether newer ones are being computed.

    One query, plus a lease check per newer run still marked running.
    """
    runs = list(
        ScoreRun.objects.filter(workspace=workspace, options_key=run_key(options, as_of))
        .defer("timings")
        .order_by("-created_at", "-pk")[:10]
    )
    current = next((r for r in runs if r.status == RunStatus.SUCCEEDED), None)
    newer = [r for r in runs if current is None or r.created_at > current.created_at]
    # Each check asks the run's lease (a pg_locks query or a file lock): once per run.
    alive = [run_is_running(r) for r in newer]
    # A newer run whose worker died counts as failed before anything reaps it.
    died = bool(newer) and newer[0].status == RunStatus.RUNNING and not alive[0]
    failed = bool(newer) and newer[0].status == RunStatus.FAILED
    return ScoreStatus(
        run=current,
        updating=any(alive),
        failed=died or failed,
        retrying=died or retrying_after([(r.fingerprint, r.status, r.error) for r in newer]),
    )


@dataclass(frozen=True)
class ScoresChoice:
    """Which scores a page shows: today's informal ties unless the address says otherwise.

    `as_of`: the network in force on a past date; `formal`: informal and formal ties
    (a tie between people sharing a forum seat, issue #18); `snapshot`: a snapshot's
    frozen scores (never with the other two).
    """

    as_of: datetime.date | None = None
    formal: bool = False
    snapshot: Snapshot | None = None

    @property
    def options(self) -> Options:
        return FORMAL_OPTIONS if self.formal else DEFAULT_OPTIONS

    @property
    def day(self) -> datetime.date | None:
        """The day of the network these scores are of; None for today's."""
        return self.snapshot.as_of if self.snapshot is not None else self.as_of

    @property
    def is_today(self) -> bool:
        """Today's informal scores: the ones every edit recomputes."""
        return self.as_of is None and not self.formal and self.snapshot is None

    def params(self) -> list[tuple[str, str]]:
        """The address parameters that ask for these scores (none for today's)."""
        params = []
        if self.snapshot is not None:
            params.append(("snapshot", str(self.snapshot.pk)))
        if self.as_of is not None:
            params.append(("as_of", self.as_of.isoformat()))
        if self.formal:
            params.append(("layer", "formal"))
        return params

    def query(self) -> str:
        """params() as a query string, to carry the choice through links."""
        return urlencode(self.params())

    def file_qualifiers(self) -> list[str]:
        """Parts of a download's name saying which scores it holds."""
        parts = []
        if self.snapshot is not None:
            parts.append(f"snapshot-{self.snapshot.as_of.isoformat()}")
        if self.as_of is not None:
            parts.append(f"as-of-{self.as_of.isoformat()}")
        if self.formal:
            parts.append("formal")
        return parts


def choice_status(*, workspace: Workspace, choice: ScoresChoice) -> ScoreStatus:
    """score_status for the chosen scores; a snapshot's are frozen, so never updating."""
    snapshot = choice.snapshot
    if snapshot is None:
        return score_status(workspace=workspace, as_of=choice.as_of, options=choice.options)
    done = snapshot.status == RunStatus.SUCCEEDED
    return ScoreStatus(
        run=snapshot.run if done else None,
        updating=snapshot.status in (RunStatus.QUEUED, RunStatus.RUNNING),
        failed=snapshot.status == RunStatus.FAILED,
    )


def cursor_rows(rows: QuerySet) -> list[tuple]:
    """A values_list's rows straight from the database cursor, in one fetch.

    For integer, float and text columns only (booleans come as 0 and 1 on SQLite;
    dates would come as text): at 100,000 rows Django's per-row converters and its
    fetches of 100 rows at a time cost more than the query itself.
    """
    sql, params = rows.query.sql_with_params()
    with connections[rows.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


class WithFormer(dict):
    """Today's groups, which iteration, len and `in` see; a group key of an organisation
    deleted since stored scores used it is still named through [] and get()."""

    def __init__(self, live: dict, former: dict) -> None:
        super().__init__(live)
        self.former = former

    def __missing__(self, key):
        return self.former[key]

    def get(self, key, default=None):
        return self[key] if key in self or key in self.former else default


def group_labels(*, workspace_id: int, boundary: str) -> dict[str, str]:
    """Readable names of the groups on a boundary, keyed as PersonScore.group stores them
    (organisations deleted since a run grouped people by them named too, WithFormer)."""
    if boundary != Boundary.ORGANISATION:
        return group_labels_from(boundary, {})
    live, former = organisations_ever(workspace_id, "name")
    return WithFormer(
        group_labels_from(boundary, {pk: name for pk, (name,) in live.items()}),
        {str(pk): name for pk, (name,) in former.items()},
    )


def organisations_ever(workspace_id: int, *fields: str) -> tuple[dict[int, tuple], dict]:
    """pk -> `fields` of the workspace's organisations, and of those deleted from it
    (models.FormerOrganisation) that stored scores and snapshots may still name: one
    query."""
    live_rows = (
        Organisation.objects.filter(workspace_id=workspace_id)
        .order_by()
        .annotate(live=Value(True))
        .values_list("pk", *fields, "live")
    )
    former_rows = (
        FormerOrganisation.objects.filter(workspace_id=workspace_id)
        .order_by()
        .annotate(live=Value(False))
        .values_list("organisation_id", *fields, "live")
    )
    live: dict[int, tuple] = {}
    former: dict[int, tuple] = {}
    for pk, *values, is_live in live_rows.union(former_rows, all=True):
        (live if is_live else former)[pk] = tuple(values)
    return live, {pk: values for pk, values in former.items() if pk not in live}


def group_labels_from(boundary: str, organisation_names: dict[int, str]) -> dict[str, str]:
    """group_labels from organisation names already read (no query)."""
    if boundary == Boundary.ORGANISATION:
        return {str(pk): name for pk, name in organisation_names.items()}
    return dict(Sector.choices if boundary == Boundary.SECTOR else Tier.choices)
