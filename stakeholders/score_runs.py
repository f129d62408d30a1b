"""Score runs: read a workspace's data, run the analysis, store the scores.

Only background tasks and the `score` command call this; requests read the
stored rows (stakeholders.selectors).
"""

import contextlib
import dataclasses
import datetime
import hashlib
import itertools
import logging
import operator
import time
from collections.abc import Iterable

from django.db import connection, models, transaction
from django.utils import timezone

from stakeholders import analysis
from stakeholders.analysis import key_people, layout
from stakeholders.analysis.inputs import (
    DEFAULT_OPTIONS,
    FORMAL_OPTIONS,
    Options,
    Tie,
    options_from_json,
    options_key,
    options_to_json,
)
from stakeholders.forums.reads import forum_ties
from stakeholders.leases import WORKER_STOPPED, hold_lease, worker_gone
from stakeholders.maps.pins import map_pins
from stakeholders.models import (
    SENIORITY_RANK,
    Affiliation,
    Organisation,
    OrganisationPosition,
    PairScore,
    Person,
    PersonPosition,
    PersonScore,
    Relationship,
    RunStatus,
    ScoreRun,
    Sector,
    Tier,
    Workspace,
)
from stakeholders.selectors import current_run, run_key
from stakeholders.services import score_runs_delete
from stakeholders.snapshots.in_force import rows_in_force

logger = logging.getLogger(__name__)

# Bump when the analysis changes, so stored scores with an old meaning are recomputed.
# 4: only ties and primary affiliations in force today (start and end dates) count.
# 5: the stored "why" sentences are plain English and name the groups a person connects.
# 6: the "why" sentences round the broker score half up, as every page prints it.
ANALYSIS_VERSION = 6


# Sectors and tiers as a sentence names them: "connect the NHS with local government".
SECTOR_WORDS = {
    Sector.NHS: "the NHS",
    Sector.LOCAL_GOVERNMENT: "local government",
    Sector.SOCIAL_CARE: "social care providers",
    Sector.VCSE: "the voluntary and community sector",
    Sector.NATIONAL_BODY: "national bodies",
    Sector.OTHER: "other sectors",
}
TIER_WORDS = {tier.value: f"the {tier.label.lower()} tier" for tier in Tier}


@dataclasses.dataclass(frozen=True)
class ScoreInput:
    """Everything the analysis reads, as plain data."""

    people: tuple[int, ...]
    groups: dict[str, dict[int, str]]
    seniority: dict[int, int]
    ties: tuple[Tie, ...]
    # Per boundary, group key -> words for a sentence ("Fenwick County Council", "the NHS"):
    # the stored "why" sentences name the groups a person connects.
    names: dict[str, dict[str, str]] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(frozen=True)
class PreviousLayout:
    """The map on screen now (none for a fresh layout) and the editors' pins."""

    organisations: dict[int | None, tuple[float, float, float]]
    people: dict[int, tuple[float, float]]
    pins: layout.Pins


def score_input(*, workspace_id: int, as_of: datetime.date | None = None) -> ScoreInput:
    """The network in force on `as_of` (default today): people, groups, ties (three queries).

    People are grouped by their primary affiliation only while it is in force; ties
    count from their start date to their end date (stakeholders.snapshots.in_force).
    """
    on = as_of or timezone.localdate()
    people = Person.objects.filter(workspace_id=workspace_id).order_by("pk")
    people_rows = list(people.values_list("pk", "seniority"))
    primaries = (
        Affiliation.objects.filter(person__workspace_id=workspace_id, is_primary=True)
        .order_by("pk")
        .values_list(
            "person_id",
            "organisation_id",
            "organisation__sector",
            "organisation__tier",
            "organisation__name",
            "start_date",
            "end_date",
        )
    )
    groups: dict[str, dict[int, str]] = {"organisation": {}, "sector": {}, "tier": {}}
    org_names: dict[str, str] = {}
    for person_id, org_id, sector, tier, org_name in rows_in_force(primaries, on):
        groups["organisation"][person_id] = str(org_id)
        groups["sector"][person_id] = sector
        groups["tier"][person_id] = tier
        org_names[str(org_id)] = org_name
    ties_in_force = rows_in_force(
        Relationship.objects.filter(source__workspace_id=workspace_id)
        .order_by("pk")
        .values_list(
            "source_id",
            "target_id",
            "kind",
            "strength",
            "trust",
            "observed_on",
            "start_date",
            "end_date",
        ),
        on,
    )
    ties = tuple(
        Tie(source=s, target=t, kind=k, strength=st, trust=tr, observed_on=seen)
        for s, t, k, st, tr, seen in ties_in_force
    )
    return ScoreInput(
        people=tuple(pk for pk, _ in people_rows),
        groups=groups,
        seniority={pk: SENIORITY_RANK[code] for pk, code in people_rows},
        ties=ties,
        names={"organisation": org_names, "sector": SECTOR_WORDS, "tier": TIER_WORDS},
    )


def input_fingerprint(data: ScoreInput, options: Options) -> str:
    """SHA-256 of everything that can change a score: data, options, analysis version."""
    h = hashlib.sha256()
    h.update(f"v{ANALYSIS_VERSION}|{options_key(options)}|".encode())
    h.update(repr(data.people).encode())
    h.update(repr(sorted(data.seniority.items())).encode())
    for boundary in analysis.BOUNDARIES:
        h.update(repr(sorted(data.groups[boundary].items())).encode())
    # Renaming an organisation rewrites the "why" sentences that name it.
    h.update(repr(sorted(data.names.get("organisation", {}).items())).encode())
    # Tie's fields are flat, so this is astuple() without its deep copies (the same text).
    fields = [f.name for f in dataclasses.fields(Tie)]
    h.update(repr(sorted(tuple(getattr(t, f) for f in fields) for t in data.ties)).encode())
    return h.hexdigest()


def workspace_organisations(workspace_id: int) -> tuple[int, ...]:
    """Every organisation's id: the map lays them all out, people or not."""
    organisations = Organisation.objects.filter(workspace_id=workspace_id).order_by("pk")
    return tuple(organisations.values_list("pk", flat=True))


def layout_fingerprint(fingerprint: str, organisations: tuple[int, ...]) -> str:
    """A default run's fingerprint: its data's, the layout version and the organisations."""
    return hashlib.sha256(
        f"{fingerprint}|layout{layout.VERSION}|{organisations!r}".encode()
    ).hexdigest()


def score_runs_reap(*, workspace_id: int) -> list[int]:
    """Mark the workspace's runs whose worker died as failed; returns their ids.

    Cheap (one query, plus one lock test per run still marked running): every new run
    calls it first. The status line asks the same lease through run_is_running.
    """
    now = timezone.now()
    reaped = []
    running = ScoreRun.objects.filter(workspace_id=workspace_id, status=RunStatus.RUNNING)
    for run in running.only("pk", "created_at", "started_at"):
        if not worker_gone(run, now):
            continue
        # Only if still running: a worker that finished meanwhile keeps its result.
        if ScoreRun.objects.filter(pk=run.pk, status=RunStatus.RUNNING).update(
            status=RunStatus.FAILED, error=WORKER_STOPPED, finished_at=now
        ):
            logger.warning("Score run %s for workspace %s: worker stopped", run.pk, workspace_id)
            reaped.append(run.pk)
    return reaped


def score_run_execute(
    *,
    workspace_id: int,
    options: Options = DEFAULT_OPTIONS,
    force: bool = False,
    as_of: datetime.date | None = None,
    fresh_layout: bool = False,
) -> ScoreRun | None:
    """Compute and store every score for a workspace, unless its data has not changed.

    `as_of`: score the network in force on that date (a run of its own, beside the
    current one). `fresh_layout` (an editor's "Tidy the layout", with force): lay the
    map out afresh instead of keeping everyone where they are; pins still hold.
    Returns the run whose scores are now current (the earlier one when nothing
    changed), the failed run when the analysis fails, or None when the workspace no
    longer exists. A failure leaves the last good scores in place.
    """
    if not Workspace.objects.filter(pk=workspace_id).exists():
        return None
    # A run whose worker was killed is recorded as failed before this one starts.
    score_runs_reap(workspace_id=workspace_id)
    started = time.perf_counter()
    data = score_input(workspace_id=workspace_id, as_of=as_of)
    relationships = len(data.ties)  # recorded relationships, before any forum seats
    if options.formal:
        # Informal and formal (issue #18): forum seats add ties; informal runs read none.
        seats = forum_ties(workspace_id=workspace_id, on=as_of)
        data = dataclasses.replace(data, ties=data.ties + seats)
    fingerprint = input_fingerprint(data, options)
    # The default run also lays out the map, which shows every organisation; the
    # informal and formal run uses that layout, but finds its own key people.
    with_layout = options == DEFAULT_OPTIONS
    with_keys = options in (DEFAULT_OPTIONS, FORMAL_OPTIONS)
    organisations = None
    if with_layout:
        organisations = workspace_organisations(workspace_id)
        fingerprint = layout_fingerprint(fingerprint, organisations)
    current = current_run(workspace_id=workspace_id, options=options, as_of=as_of)
    if current is not None and current.fingerprint == fingerprint and not force:
        return current
    previous = None
    # A map as of a date starts from today's map, so the two look alike.
    start_from = current or (current_run(workspace_id=workspace_id) if as_of else None)
    if with_layout:
        previous = _previous_layout(workspace_id, None if fresh_layout else start_from)

    with contextlib.ExitStack() as held:
        # The lease is taken before the running row commits, so no other process ever
        # sees this run running without a live worker behind it.
        with transaction.atomic():
            run = ScoreRun.objects.create(
                workspace_id=workspace_id,
                options_key=run_key(options, as_of),
                options=options_to_json(options),
                as_of=as_of,
                fingerprint=fingerprint,
                status=RunStatus.RUNNING,
                started_at=timezone.now(),
                people_count=len(data.people),
                relationships_count=relationships,
                last_shown_on=_last_shown(current, options, as_of),
            )
            held.enter_context(hold_lease(run.pk))
        _compute_and_store(
            run, data, options, previous, with_layout, with_keys, organisations, started
        )
    return run


def _last_shown(
    current: ScoreRun | None, options: Options, as_of: datetime.date | None
) -> datetime.date | None:
    """A new run of shown scores is as recently shown as the run it replaces."""
    if options == DEFAULT_OPTIONS and as_of is None:
        return None  # today's informal scores: always kept up to date
    if current is not None and current.last_shown_on is not None:
        return current.last_shown_on
    return timezone.localdate()


# Scores of a past date, or of informal and formal ties, that no page has shown for this
# many days are removed (snapshots' are never); those shown are refreshed after edits.
CHOICE_DAYS = 30


def score_choices_tidy(*, workspace_id: int) -> list[tuple[datetime.date | None, bool]]:
    """Remove the unshown scores of past dates or formal ties; (as_of, formal) of the rest.

    Called after every recompute of today's scores (stakeholders.tasks.rescore): the
    rest are queued again, so edits reach every page people look at.
    """
    runs = ScoreRun.objects.filter(
        workspace_id=workspace_id, status=RunStatus.SUCCEEDED, snapshot__isnull=True
    ).exclude(options_key=run_key())
    cutoff = timezone.localdate() - datetime.timedelta(days=CHOICE_DAYS)
    stale, keep = [], set()
    for pk, options, as_of, shown in runs.values_list("pk", "options", "as_of", "last_shown_on"):
        chosen = options_from_json(options)
        if chosen not in (DEFAULT_OPTIONS, FORMAL_OPTIONS):
            continue  # other options (`score --kinds ...`): not a page's choice
        if shown is None or shown < cutoff:
            stale.append(pk)
        else:
            keep.add((as_of, chosen.formal))
    if stale:
        score_runs_delete(runs=ScoreRun.objects.filter(pk__in=stale))
    return sorted(keep, key=lambda k: (k[0] or datetime.date.max, k[1]))


def _compute_and_store(
    run: ScoreRun,
    data: ScoreInput,
    options: Options,
    previous: PreviousLayout | None,
    with_layout: bool,
    with_keys: bool,
    organisations: tuple[int, ...] | None,
    started: float,
) -> None:
    """Run the analysis and store its results, or record the failure on the run."""
    workspace_id = run.workspace_id
    timings = {"load": time.perf_counter() - started}
    try:
        t = time.perf_counter()
        result = analysis.analyse(
            people=data.people,
            groups=data.groups,
            ties=data.ties,
            seniority=data.seniority,
            options=options,
        )
        timings["analyse"] = time.perf_counter() - t
        positions = keys = None
        if with_layout:
            t = time.perf_counter()
            positions = _layout(data, organisations, previous)
            timings["layout"] = time.perf_counter() - t
        if with_keys:
            # Who the network hangs on: on every tie of the layer, whatever its strength.
            t = time.perf_counter()
            keys = key_people.key_people(people=data.people, groups=data.groups, ties=data.ties)
            timings["key_people"] = time.perf_counter() - t
        t = time.perf_counter()
        with transaction.atomic():
            _insert(PersonScore, _person_rows(run, result, keys, data.names))
            _insert(PairScore, _pair_rows(run, result))
            if positions is not None:
                _insert(OrganisationPosition, _org_position_rows(run, positions))
                _insert(PersonPosition, _person_position_rows(run, positions))
            timings["store"] = time.perf_counter() - t
            run.status = RunStatus.SUCCEEDED
            run.summary = {b: _jsonable(dataclasses.asdict(s)) for b, s in result.summaries.items()}
            run.key_people = _key_people_summary(keys)
            run.timings = timings
            run.finished_at = timezone.now()
            run.save(update_fields=["status", "summary", "key_people", "timings", "finished_at"])
            # Older scores for the same options are superseded; keep only the newest.
            # A snapshot's run is frozen: never pruned.
            score_runs_delete(
                runs=ScoreRun.objects.filter(
                    workspace_id=workspace_id,
                    options_key=run.options_key,
                    status=RunStatus.SUCCEEDED,
                    created_at__lte=run.created_at,
                    snapshot__isnull=True,
                ).exclude(pk=run.pk)
            )
    except Exception as exc:
        # The message carries ids and library text only, never names or notes.
        logger.exception("Score run %s for workspace %s failed", run.pk, workspace_id)
        run.status = RunStatus.FAILED
        run.error = f"{type(exc).__name__}: {exc}"[:2000]
        run.timings = timings
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "error", "timings", "finished_at"])


def _insert(model: type[models.Model], rows: Iterable[dict]) -> None:
    """Insert rows (dicts of field attname -> value) in bulk.

    bulk_create spends ~0.25 ms of Python per wide row, mostly building model
    instances; a 20,000-person run stores 60,000 of them. Numbers, booleans and
    text go in as they are; other values (JSON, dates) go through the field's
    get_db_prep_save, as the ORM would, once for all the empty values (most of
    the JSON lists). SQLite takes one prepared single-row INSERT for every row
    (executemany, in C); PostgreSQL takes multi-row INSERTs, one round trip a
    thousand rows.
    """
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    plain = {"FloatField", "PositiveIntegerField", "BooleanField", "CharField", "TextField"}
    prepared = [
        (i, f.get_db_prep_save)
        for i, f in enumerate(fields)
        if f.get_internal_type() not in plain and not f.is_relation
    ]
    empty: dict[int, object] = {}  # field position -> its empty list, prepared
    names = [f.attname for f in fields]
    row_values = operator.itemgetter(*names) if len(names) > 1 else lambda r: (r[names[0]],)

    def values(row: dict) -> tuple | list:
        out = row_values(row)
        if prepared:
            out = list(out)
            for i, prep in prepared:
                value = out[i]
                if isinstance(value, list) and not value:
                    if i not in empty:
                        empty[i] = prep(value, connection)
                    out[i] = empty[i]
                else:
                    out[i] = prep(value, connection)
        return out

    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    placeholder = "(" + ", ".join(["%s"] * len(fields)) + ")"
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            sql = f"INSERT INTO {table} ({columns}) VALUES {placeholder}"
            cursor.executemany(sql, [values(row) for row in rows])
            return
        for batch in itertools.batched(rows, 1000):
            sql = f"INSERT INTO {table} ({columns}) VALUES {', '.join([placeholder] * len(batch))}"
            cursor.execute(sql, [value for row in batch for value in values(row)])


def _previous_layout(workspace_id: int, run: ScoreRun | None) -> PreviousLayout:
    """Positions of `run` (everyone stays where they are: issue #13) and the pins (3 queries)."""
    organisations: dict[int | None, tuple[float, float, float]] = {}
    people: dict[int, tuple[float, float]] = {}
    if run is not None:
        organisations = {
            org: (x, y, r)
            for org, x, y, r in OrganisationPosition.objects.filter(run=run)
            .order_by()
            .values_list("organisation_id", "x", "y", "r")
        }
        people = {
            pk: (x, y)
            for pk, x, y in PersonPosition.objects.filter(run=run)
            .order_by()
            .values_list("person_id", "x", "y")
        }
    pins = map_pins(workspace_id=workspace_id)
    return PreviousLayout(
        organisations,
        people,
        layout.Pins(people=pins.people, organisations=pins.organisations),
    )


def _layout(
    data: ScoreInput, organisations: tuple[int, ...], previous: PreviousLayout | dict | None
) -> layout.Layout:
    by_org = data.groups["organisation"]
    members = {p: int(by_org[p]) if p in by_org else None for p in data.people}
    person_ties = [(t.source, t.target) for t in data.ties]
    if isinstance(previous, dict):  # organisation positions only: warm start
        previous = PreviousLayout(previous, {}, layout.Pins())
    return layout.compute_layout(
        organisations=organisations,
        org_weights=layout.organisation_weights(members=members, person_ties=person_ties),
        members=members,
        person_ties=person_ties,
        previous=previous.organisations if previous else None,
        previous_people=previous.people if previous else None,
        pins=previous.pins if previous else None,
    )


def _org_position_rows(run: ScoreRun, positions: layout.Layout) -> Iterable[dict]:
    for org_id, (x, y, r) in positions.organisations.items():
        yield dict(run_id=run.pk, organisation_id=org_id, x=x, y=y, r=r)


def _person_position_rows(run: ScoreRun, positions: layout.Layout) -> Iterable[dict]:
    for person_id, (x, y) in positions.people.items():
        yield dict(run_id=run.pk, person_id=person_id, x=x, y=y)


def _jsonable(value):
    if isinstance(value, tuple | list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    return value


def _key_people_summary(keys: key_people.KeyPeople | None) -> dict:
    if keys is None:
        return {}
    return {
        "fragmentation": keys.fragmentation,
        "distance_fragmentation": keys.distance_fragmentation,
        "sets": [
            {"size": s.size, "people": list(s.people), "fragmentation": s.fragmentation,
             "method": s.method}
            for s in keys.sets
        ],
    }  # fmt: skip


def _person_rows(
    run: ScoreRun,
    result: analysis.Analysis,
    keys: key_people.KeyPeople | None,
    names: dict[str, dict[str, str]],
) -> Iterable[dict]:
    by_key = {k.person: k for k in keys.people} if keys is not None else {}
    for boundary, by_person in result.persons.items():
        bridges = analysis.person_bridges(result.pairs[boundary])
        words = names.get(boundary, {})
        for person_id, s in by_person.items():
            r, b = s.roles, s.broker
            k = by_key.get(person_id)
            yield dict(
                run_id=run.pk,
                person_id=person_id,
                boundary=boundary,
                group="" if s.group is None else str(s.group),
                degree_in=s.degree_in,
                degree_out=s.degree_out,
                external_ties=s.external_ties,
                groups_reached=s.groups_reached,
                ei_index=s.ei_index,
                participation=s.participation,
                betweenness=s.betweenness,
                weighted_betweenness=s.weighted_betweenness,
                boundary_betweenness=s.boundary_betweenness,
                coordinator=r.coordinator,
                itinerant=r.itinerant,
                gatekeeper=r.gatekeeper,
                representative=r.representative,
                liaison=r.liaison,
                coordinator_z=r.coordinator_z,
                itinerant_z=r.itinerant_z,
                gatekeeper_z=r.gatekeeper_z,
                representative_z=r.representative_z,
                liaison_z=r.liaison_z,
                constraint=s.constraint,
                effective_size=s.effective_size,
                influence=s.influence,
                influence_percentile=s.influence_percentile,
                seniority_percentile=s.seniority_percentile,
                hidden_influencer=s.hidden_influencer,
                titled_but_isolated=s.titled_but_isolated,
                broker_score=b.score,
                boundary_betweenness_percentile=b.boundary_betweenness_percentile,
                cross_roles_percentile=b.cross_roles_percentile,
                openness_percentile=b.openness_percentile,
                groups_reached_percentile=b.groups_reached_percentile,
                why=analysis.explain(s, bridges=bridges.get(person_id, ()), names=words),
                fragmentation_if_leaves=k.fragmentation if k else None,
                distance_fragmentation_if_leaves=k.distance_fragmentation if k else None,
                pairs_disconnected_if_leaves=_pairs(k.disconnected_pairs, boundary) if k else [],
                pairs_distant_if_leaves=_pairs(k.distant_pairs, boundary) if k else [],
            )


def _pairs(by_boundary: dict[str, tuple[tuple[str, str], ...]], boundary: str) -> list[list[str]]:
    return [[a, b] for a, b in by_boundary.get(boundary, ())]


def _pair_rows(run: ScoreRun, result: analysis.Analysis) -> Iterable[dict]:
    for boundary, pairs in result.pairs.items():
        for p in pairs:
            yield dict(
                run_id=run.pk,
                boundary=boundary,
                group_a=str(p.group_a),
                group_b=str(p.group_b),
                arcs_a_to_b=p.arcs_a_to_b,
                arcs_b_to_a=p.arcs_b_to_a,
                relationships=p.relationships,
                mean_strength=p.mean_strength,
                mean_trust=p.mean_trust,
                connected_person_pairs=p.connected_person_pairs,
                reciprocity=p.reciprocity,
                carriers=len(p.carriers),
                single_point_of_failure=p.single_point_of_failure,
                failure_people=list(p.failure_people),
                disconnecting_people=list(p.disconnecting_people),
            )
