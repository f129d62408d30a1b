"""CSV exporters: generators of rows (header first) from a fixed number of queries."""

import codecs
import csv
import datetime
import math
import re
from collections.abc import Collection, Iterable, Iterator
from typing import IO
from xml.sax.saxutils import escape, quoteattr

from django.db.models import Count, F, FilteredRelation, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.text import slugify

from stakeholders.dashboard.reads import BROKER_SORTS, BY_BROKER_SCORE
from stakeholders.models import (
    Affiliation,
    Boundary,
    Forum,
    ForumKind,
    ForumMembership,
    Organisation,
    OrganisationKind,
    PairScore,
    Person,
    PersonScore,
    Provenance,
    Relationship,
    RelationshipKind,
    ScoreRun,
    Seat,
    Sector,
    Seniority,
    Snapshot,
    Tier,
    Workspace,
)
from stakeholders.retention import is_stale, stale_cutoff
from stakeholders.rows import whole_number
from stakeholders.scenarios.leaves import key_people_ordering, pairs_from, short_routes_only
from stakeholders.selectors import group_labels, in_force_q, primary_in_force_q
from stakeholders.surveys.reads import completeness, reported_back
from stakeholders.text import strip_refused

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# Text a spreadsheet would run, or that already starts with apostrophes before such a
# character: both get one more apostrophe, so that unguard_cell can take exactly one off.
_GUARDED = re.compile("'*[" + re.escape("".join(FORMULA_PREFIXES)) + "]")

SCORES_HEADER = (
    "Ref", "Name", "Organisation", "Sector", "Tier", "Broker score", "Betweenness",
    "Weighted betweenness", "Boundary betweenness", "Coordinator", "Itinerant", "Gatekeeper",
    "Representative", "Liaison", "Coordinator z", "Itinerant z", "Gatekeeper z",
    "Representative z", "Liaison z", "Constraint", "Effective size", "E-I index",
    "Participation", "Groups reached", "External ties", "Influence", "Hidden influencer",
)  # fmt: skip


def safe_cell(value: object) -> object:
    """A cell a spreadsheet will not run: text starting = + - @ tab or CR gets a leading '.

    Numbers stay numbers; dates are written YYYY-MM-DD; None (undefined) becomes an
    empty cell.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        return ""
    if isinstance(value, int | float):
        return value
    text = str(value)
    return "'" + text if _GUARDED.match(text) else text


def unguard_cell(text: str) -> str:
    """The inverse of safe_cell for text: import_map reads our exports back exactly.

    A hand-typed guard (`'=A1`) is taken off too, as a spreadsheet would.
    """
    return text[1:] if text[:1] == "'" and _GUARDED.match(text, 1) else text


def grouped_by(run: ScoreRun, prefix: str = "person__affiliations__") -> Q:
    """The primary affiliations in force on the run's day (score_runs.score_input): a
    person's main organisation then, for someone the run did not score."""
    return primary_in_force_q(run.as_of or timezone.localdate(run.created_at), prefix)


def stored_groups(run: ScoreRun, path: str = "person__scores") -> dict[str, FilteredRelation]:
    """Annotations `organisation_group`, `sector_group`, `tier_group`: the person's
    stored rows of `run`, whose `group` is where the run placed them on each boundary.

    Read through these, a download names the organisation the scores were worked out
    with, even after the affiliation is edited in place or its organisation deleted.
    """
    return {
        f"{boundary}_group": FilteredRelation(
            path, condition=Q(**{f"{path}__run": run, f"{path}__boundary": boundary})
        )
        for boundary in Boundary.values
    }


def organisation_names(run: ScoreRun) -> dict[str, str]:
    """Organisation names by the key PersonScore.group stores, former ones too: one query."""
    return group_labels(workspace_id=run.workspace_id, boundary=Boundary.ORGANISATION)


def scores_rows(*, run: ScoreRun | None, boundary: str) -> Iterator[tuple]:
    """One row per person under `boundary`, full precision, best broker first."""
    yield SCORES_HEADER
    if run is None:
        return
    names = organisation_names(run)
    sectors, tiers = dict(Sector.choices), dict(Tier.choices)
    scores = (
        PersonScore.objects.filter(run=run, boundary=boundary)
        .annotate(**stored_groups(run))
        .select_related("person")
        .order_by("-broker_score", "person__name", "person_id")
        .annotate(
            organisation_key=F("organisation_group__group"),
            sector_key=F("sector_group__group"),
            tier_key=F("tier_group__group"),
        )
    )
    for s in scores.iterator(chunk_size=2000):
        yield (
            s.person.ref, s.person.name, names.get(s.organisation_key),
            sectors.get(s.sector_key), tiers.get(s.tier_key),
            s.broker_score, s.betweenness, s.weighted_betweenness, s.boundary_betweenness,
            s.coordinator, s.itinerant, s.gatekeeper, s.representative, s.liaison,
            s.coordinator_z, s.itinerant_z, s.gatekeeper_z, s.representative_z, s.liaison_z,
            s.constraint, s.effective_size, s.ei_index, s.participation,
            s.groups_reached, s.external_ties, s.influence, s.hidden_influencer,
        )  # fmt: skip


def write_csv(rows: Iterable[tuple], out: IO[str]) -> None:
    """Write rows as UTF-8 CSV with a BOM (Excel opens it as UTF-8), formula-safe."""
    out.write(codecs.BOM_UTF8.decode("utf-8"))
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])


CHUNK_SIZE = 2000


# Rows per chunk of a streamed CSV: few enough to stay small, enough to be fast.
ROWS_PER_CHUNK = 500


class _Echo:
    """A pseudo-buffer: csv.writer hands back each line instead of storing it."""

    def write(self, value: str) -> str:
        return value


def csv_chunks(rows: Iterable[tuple]) -> Iterator[str]:
    """The same text as write_csv (BOM first, formula-safe), a chunk at a time."""
    yield codecs.BOM_UTF8.decode("utf-8")
    writer = csv.writer(_Echo(), lineterminator="\r\n")
    chunk: list[str] = []
    for row in rows:
        chunk.append(writer.writerow([safe_cell(v) for v in row]))
        if len(chunk) >= ROWS_PER_CHUNK:
            yield "".join(chunk)
            chunk = []
    if chunk:
        yield "".join(chunk)


# Gould-Fernandez roles in tie-break order: a person's main role is the largest count.
BROKERAGE_ROLES = ("liaison", "gatekeeper", "representative", "itinerant", "coordinator")

BROKERS_HEADER = (
    "Rank", "Name", "Job title", "Organisation", "Broker score", "Main brokerage role", "Why",
)  # fmt: skip
PARTNERSHIPS_HEADER = (
    "Group A", "Group B", "Ties A to B", "Ties B to A", "Relationships", "Mean strength",
    "Mean trust", "Reciprocity", "Carriers", "Single point of failure", "Failure people",
)  # fmt: skip
KEY_PEOPLE_HEADER = (
    "Rank", "Ref", "Name", "Organisation", "Fragmentation if they leave",
    "Fragmentation increase", "Distance-weighted fragmentation if they leave",
    "Distance-weighted fragmentation increase", "Group pairs disconnected if they leave",
    "Group pairs losing short routes if they leave", "Number of group pairs disconnected",
    "Number of group pairs losing short routes",
)  # fmt: skip
# Spreadsheets hold at most 32,767 characters in a cell (Excel): a longer list of group
# pairs is cut there, saying how many more there are (the counts are always complete).
CELL_LIMIT = 32_767
# The data exports use import_map's column names (matched loosely: "Job title" is
# job_title), so each file can be imported again as that file of a bundle.
PEOPLE_HEADER = ("Ref", "Name", "Job title", "Seniority", "Organisation", "Role title")
AFFILIATIONS_HEADER = ("Person", "Organisation", "Role title", "Start date", "End date")
ORGANISATIONS_HEADER = ("Name", "Short name", "Kind", "Sector", "Tier", "Parent", "ODS code")
RELATIONSHIPS_HEADER = (
    "Source", "Target", "Kind", "Strength", "Trust", "Observed on", "Evidence",
)  # fmt: skip
# Columns added after the contracted ones above (which stay exactly as they are), so
# a spreadsheet or script reading the first columns by position keeps working.
# import_map reads Active; Stale is derived (from Observed on and the workspace's
# retention) and import_map checks it is yes or no and otherwise ignores it.
ADDED_COLUMNS = {
    # The brokers page's other columns (each is a way to sort it), full precision.
    "brokers": (
        "Boundary betweenness",
        "Cross-boundary roles",
        "Constraint",
        "Groups reached",
        "Influence percentile",
    ),  # fmt: skip
    "people": ("Active",),
    "relationships": ("Stale", "Start date", "End date"),
}
# Free-text notes about people: only on request (export_csv --with-notes), as viewers
# may download the other exports and notes are for editors and owners.
NOTES_COLUMN = "Notes"
# Read-only columns that import_map does not accept: added only on request.
EXTRA_COLUMNS = {
    "affiliations": ("Primary",),
    "organisations": ("People",),
    "relationships": ("Source name", "Target name"),
}
# Where each tie came from (issue #15), after every other column (extras included), so
# no column moves. import_map accepts and ignores them (imports.bundle.DERIVED_COLUMNS).
PROVENANCE_COLUMNS = {
    "relationships": ("Provenance", "Survey", "Reported on", "Confirmed"),
}

SCORE_KINDS = ("brokers", "scores", "partnerships", "key-people")
DATA_KINDS = ("people", "organisations", "affiliations", "relationships")
# Formal forums and their seats (issue #18): import_map reads them back as forums.csv and
# forum_members.csv (`export_csv forums` is the Seats and influence table instead).
FORUM_DATA_KINDS = ("forum-list", "forum-members")
FORUM_IMPORT_FILES = {"forum-list": "forums.csv", "forum-members": "forum_members.csv"}
FORUMS_HEADER = ("Name", "Kind", "Tier", "Host")
FORUM_MEMBERS_HEADER = ("Forum", "Person", "Seat", "Start date", "End date")

COLUMN_NOTES: dict[str, dict[str, str]] = {
    "brokers": {
        "Rank": "Position by broker score, 1 = strongest broker.",
        "Name": "The person's name.",
        "Job title": "The person's job title as recorded.",
        "Organisation": "The person's primary organisation.",
        "Broker score": "How well placed the person is to connect groups that would otherwise "
        "be apart, 0 to 100, rounded to a whole number: the average of four parts (the scores "
        "file has them), each counted as the share of other people the person ranks above.",
        "Main brokerage role": "The way the person most often stands between two people who "
        "have no direct relationship (Gould and Fernandez's roles): Liaison (between people of "
        "two other groups, belonging to neither), Gatekeeper (lets someone from another group "
        "reach a colleague), Representative (takes a colleague's contact to another group), "
        "Itinerant (between two people of one other group), Coordinator (between two "
        "colleagues in their own group). Empty when the person stands between no one.",
        "Why": "What the broker score means for a leader, in plain words: the partnership the "
        "person matters most to, how many other groups they have relationships with, how often "
        "they are on the shortest chains of introductions between groups, how many people in "
        "different groups they stand between, and how spread out their contacts are.",
        "Cross-boundary roles": "Times the person stands between two people of different "
        "groups who have no direct relationship: Gatekeeper + Representative + Liaison (the "
        "scores file has each).",
        "Influence percentile": "The person's influence (their standing among well-connected "
        "people, PageRank) as the share of others on the map ranked lower, 0 to 1 (the page "
        "shows it out of 100).",
    },
    "scores": {
        "Ref": "The person's stable reference.",
        "Name": "The person's name.",
        "Organisation": "The person's primary organisation.",
        "Sector": "The sector of that organisation.",
        "Tier": "The tier of that organisation.",
        "Broker score": "How well placed the person is to connect groups that would otherwise "
        "be apart, 0 to 100: the average of four parts, each counted as the share of other "
        "people the person ranks above: Boundary betweenness; Gatekeeper + Representative + "
        "Liaison; Constraint (the lower, the better placed); and Groups reached.",
        "Betweenness": "How often the person is on the shortest chain of introductions between "
        "two other people, as a share of all such chains, 0 to 1.",
        "Weighted betweenness": "Betweenness with closer relationships counted as shorter "
        "steps in a chain; empty when not worked out.",
        "Boundary betweenness": "How often the person is on the shortest chain of "
        "introductions between two people in different groups, as a share of all such pairs, "
        "0 to 1; empty when there is no such pair.",
        "Coordinator": "Times the person stands between two colleagues in their own group who "
        "have no direct relationship.",
        "Itinerant": "Times the person stands between two people of one other group who have "
        "no direct relationship.",
        "Gatekeeper": "Times the person lets someone from another group reach a colleague they "
        "have no direct relationship with.",
        "Representative": "Times the person takes a colleague's contact to someone in another "
        "group whom the colleague has no direct relationship with.",
        "Liaison": "Times the person stands between people of two other groups, belonging to "
        "neither, who have no direct relationship.",
        "Coordinator z": "The Coordinator count compared with what chance alone would give "
        "(a z-score: 2 or more is well above chance); empty when it cannot be worked out.",
        "Itinerant z": "The Itinerant count compared with chance, as above.",
        "Gatekeeper z": "The Gatekeeper count compared with chance, as above.",
        "Representative z": "The Representative count compared with chance, as above.",
        "Liaison z": "The Liaison count compared with chance, as above.",
        "Constraint": "Burt's constraint, 0 to 1: how closely knit the person's contacts are. "
        "High when they have few contacts who all know one another; low when their contacts "
        "are many and out of touch with one another, which gives room to broker. Empty for "
        "someone with no relationships.",
        "Effective size": "Burt's effective size: how many of the person's contacts bring "
        "something new, counting contacts who know one another as partly the same person.",
        "E-I index": "Relationships outside the person's group minus those inside, over all "
        "of them: -1 (all inside the group) to 1 (all outside).",
        "Participation": "How evenly the person's relationships spread across groups, 0 (all "
        "in one) to 1.",
        "Groups reached": "Number of other groups the person has a direct tie to.",
        "External ties": "Number of ties to people of other groups.",
        "Influence": "How much sway the person has (PageRank; the figures add up to 1 over "
        "everyone): it grows with the number of people who trust them, report to them, work "
        "with them or are influenced by them, and with those people's own influence.",
        "Hidden influencer": "Yes when the person has far more influence than their seniority "
        "suggests.",
    },
    "partnerships": {
        "Group A": "One group of the pair.",
        "Group B": "The other group of the pair.",
        "Ties A to B": "Relationships recorded from someone in group A to someone in group B.",
        "Ties B to A": "Relationships recorded from someone in group B to someone in group A.",
        "Relationships": "All relationships between the two groups.",
        "Mean strength": "Average strength of those relationships, 1 (occasional) to 5 (very "
        "close), to two decimal places.",
        "Mean trust": "Average trust where recorded, 1 (low) to 5 (high); empty when none is "
        "recorded.",
        "Reciprocity": "Share of connected pairs of people whose tie runs both ways, 0 to 1.",
        "Carriers": "Number of different people carrying the ties between the groups.",
        "Single point of failure": "Yes when the partnership would break if one person left.",
        "Failure people": "The people the partnership depends on (separated by semicolons).",
    },
    "key-people": {
        "Rank": "Position by the damage the person's leaving would do, 1 = most damaging: by "
        "fragmentation if they leave, then distance-weighted fragmentation, then name.",
        "Ref": "The person's stable reference.",
        "Name": "The person's name.",
        "Organisation": "The person's primary organisation.",
        "Fragmentation if they leave": "Share of pairs of the remaining people with no chain of "
        "relationships between them if this person left, 0 to 1 (Borgatti's key player "
        "fragmentation, on every relationship in either direction; full precision).",
        "Fragmentation increase": "Fragmentation if they leave minus fragmentation now (in the "
        "About rows above). When the map is already in several parts it moves slightly even "
        "for someone whose leaving splits nothing, as the share is of the people who stay: "
        "down for someone with no relationships or in a small part, up a little for someone "
        "in a large part.",
        "Distance-weighted fragmentation if they leave": "Like fragmentation, but pairs who are "
        "far apart count as partly cut off: 1 minus the average of 1/distance over pairs of the "
        "remaining people (0 when everyone is directly linked, 1 when nobody is linked).",
        "Distance-weighted fragmentation increase": "Distance-weighted fragmentation if they "
        "leave minus distance-weighted fragmentation now.",
        "Group pairs disconnected if they leave": "Pairs of groups (on the boundary chosen) that "
        "would lose their last connection: no chain of relationships would join anyone in one "
        "to anyone in the other. Pairs are written A / B and separated by semicolons.",
        "Group pairs losing short routes if they leave": "Further pairs of groups that would stay "
        "connected but lose their last short route: nobody in one could reach anyone in the "
        "other directly or through one shared contact. Written as above.",
        "Number of group pairs disconnected": "How many pairs of groups would lose their last "
        "connection (the list above is cut at a spreadsheet cell's 32,767 characters, this "
        "count never is).",
        "Number of group pairs losing short routes": "How many further pairs of groups would "
        "lose their last short route.",
    },
    "people": {
        "Ref": "The person's stable reference.",
        "Name": "The person's name.",
        "Job title": "The person's job title.",
        "Seniority": "Seniority band, from Frontline to Board or elected leader.",
        "Organisation": "The person's primary organisation; empty when none is recorded.",
        "Role title": "The person's role at that organisation.",
        "Active": "Yes when the person is current, No when they have left.",
        "Notes": "Free-text notes about the person, as editors see them; exported only on request.",
    },
    "affiliations": {
        "Person": "The person's ref.",
        "Organisation": "The organisation's name.",
        "Role title": "The person's role there.",
        "Start date": "When the role started (YYYY-MM-DD); empty when unknown.",
        "End date": "When the role ended (YYYY-MM-DD); empty when current or unknown.",
        "Primary": "Yes for the person's primary organisation.",
    },
    "organisations": {
        "Name": "The organisation's full name.",
        "Short name": "The short name used on maps.",
        "Kind": "What kind of organisation it is.",
        "Sector": "The sector it belongs to.",
        "Tier": "The level it works at, from National to Neighbourhood.",
        "Parent": "The organisation it is part of; empty when none.",
        "ODS code": "NHS Organisation Data Service code; empty when none.",
        "People": "Number of people affiliated with it.",
    },
    "relationships": {
        "Source": "Ref of the person the relationship is recorded from.",
        "Target": "Ref of the person it is recorded to.",
        "Kind": "What the relationship is.",
        "Strength": "How close and frequent, 1 (occasional) to 5 (very close).",
        "Trust": "1 (low) to 5 (high); empty when unknown.",
        "Observed on": "When it was last observed (YYYY-MM-DD); empty when unknown.",
        "Evidence": "What the relationship is based on.",
        "Stale": "Yes when the relationship was last observed before the retention cutoff "
        "(see Retention above), so it may no longer hold; No when observed since, when the "
        "observed date is unknown, or when retention is off. Worked out from Observed on and "
        "the workspace's retention setting on the day of the export: import_map checks it is "
        "Yes or No and otherwise ignores it.",
        "Start date": "When the relationship began (YYYY-MM-DD); empty when it has held "
        "throughout.",
        "End date": "When it ended (YYYY-MM-DD); empty while it holds. An ended relationship "
        "is history: it counts in scores as of dates before its end.",
        "Source name": "Name of the source person.",
        "Target name": "Name of the target person.",
        "Provenance": "Reported by the person (the source answered a survey) or Entered by an "
        "editor.",
        "Survey": "The survey the source person reported the relationship in; empty when "
        "entered by an editor.",
        "Reported on": "When the source person reported it (YYYY-MM-DD); empty when entered by "
        "an editor.",
        "Confirmed": "Yes when both people reported it: the target reported the same kind of "
        "relationship back in a survey. No otherwise, including every relationship entered by "
        "an editor.",
    },
}


# The brokers columns the scores file has too mean the same there.
COLUMN_NOTES["brokers"].update(
    {c: COLUMN_NOTES["scores"][c] for c in ("Boundary betweenness", "Constraint", "Groups reached")}
)
COLUMN_NOTES["forum-list"] = {
    "Name": "The forum's name: a board or partnership where leaders meet.",
    "Kind": "What kind of forum it is (ICB board, health and wellbeing board, ...).",
    "Tier": "The level it works at, from National to Neighbourhood.",
    "Host": "The organisation hosting it; empty when none is recorded.",
}
COLUMN_NOTES["forum-members"] = {
    "Forum": "The forum's name.",
    "Person": "The ref of the person holding the seat.",
    "Seat": "Chair, Voting member or Participant.",
    "Start date": "When the seat was taken (YYYY-MM-DD); empty when unknown.",
    "End date": "When the seat ended (YYYY-MM-DD); empty while it is held.",
}


def header(kind: str, *, extras: bool = False, with_notes: bool = False) -> tuple[str, ...]:
    """The column names of one kind of export (`with_notes` applies to people only)."""
    base = {
        "brokers": BROKERS_HEADER,
        "scores": SCORES_HEADER,
        "partnerships": PARTNERSHIPS_HEADER,
        "key-people": KEY_PEOPLE_HEADER,
        "people": PEOPLE_HEADER,
        "affiliations": AFFILIATIONS_HEADER,
        "organisations": ORGANISATIONS_HEADER,
        "relationships": RELATIONSHIPS_HEADER,
        "forum-list": FORUMS_HEADER,
        "forum-members": FORUM_MEMBERS_HEADER,
    }[kind]
    base += ADDED_COLUMNS.get(kind, ())
    if with_notes and kind == "people":
        base += (NOTES_COLUMN,)
    if extras:
        base += EXTRA_COLUMNS.get(kind, ())
    return base + PROVENANCE_COLUMNS.get(kind, ())


def _round(value: float | None, places: int) -> float | None:
    return None if value is None or not math.isfinite(value) else round(value, places)


def iso_date(value: datetime.date | None) -> str | None:
    """A date as YYYY-MM-DD, the one date format of every export; None stays empty."""
    return value.isoformat() if value else None


def main_brokerage_role(counts: dict[str, int]) -> str:
    """The role with the largest count (ties in BROKERAGE_ROLES order); "" when all are 0."""
    best = max(BROKERAGE_ROLES, key=lambda role: (counts[role], -BROKERAGE_ROLES.index(role)))
    return best.capitalize() if counts[best] > 0 else ""


def brokers_rows(
    *, run: ScoreRun | None, boundary: str, sort: str = "score", group: str = ""
) -> Iterator[tuple]:
    """Board-ready broker ranking under `boundary`: two queries.

    `sort` and `group` are the brokers page's filters; Rank is always the position by
    broker score among the people included, as on the page.
    """
    yield header("brokers")
    if run is not None:
        for _, row in broker_records(run=run, boundary=boundary, sort=sort, group=group):
            yield row


def broker_records(
    *, run: ScoreRun, boundary: str, sort: str = "score", group: str = ""
) -> Iterator[tuple[int, tuple]]:
    """(person id, brokers row) pairs in the order brokers_rows lists them."""
    names = organisation_names(run)
    scores = PersonScore.objects.filter(run=run, boundary=boundary).annotate(**stored_groups(run))
    if group:
        scores = scores.filter(group=group)
    scores = scores.annotate(cross_role_count=F("liaison") + F("gatekeeper") + F("representative"))
    ranked = sort != "score"
    if ranked:
        scores = scores.annotate(rank=Window(RowNumber(), order_by=BY_BROKER_SCORE))
    scores = (
        scores.order_by(*BROKER_SORTS[sort][1], *BY_BROKER_SCORE).values_list(
            *(["rank"] if ranked else []),
            "person_id",
            "person__name",
            "person__job_title",
            "organisation_group__group",
            "broker_score",
            "why",
            "boundary_betweenness",
            "constraint",
            "groups_reached",
            "influence_percentile",
            "cross_role_count",
            *BROKERAGE_ROLES,
        )  # fmt: skip
    )
    for position, values in enumerate(scores.iterator(chunk_size=CHUNK_SIZE), start=1):
        rank, values = (values[0], values[1:]) if ranked else (position, values)
        person, name, job, org, score, why, bridging, constraint, reached, influence, cross = (
            values[:11]
        )
        counts = dict(zip(BROKERAGE_ROLES, values[11:], strict=True))
        yield person, (
            rank, name, job, names.get(org), whole_number(score), main_brokerage_role(counts), why,
            bridging, cross, constraint, reached, influence,
        )  # fmt: skip


def partnerships_rows(*, run: ScoreRun | None, boundary: str) -> Iterator[tuple]:
    """Group pairs and their health, single points of failure first: three queries."""
    yield PARTNERSHIPS_HEADER
    if run is None:
        return
    labels = group_labels(workspace_id=run.workspace_id, boundary=boundary)
    names = dict(Person.objects.filter(workspace_id=run.workspace_id).values_list("pk", "name"))
    rows = []
    for pair in PairScore.objects.filter(run=run, boundary=boundary):
        a, b = labels.get(pair.group_a, pair.group_a), labels.get(pair.group_b, pair.group_b)
        failure = sorted(names[pk] for pk in pair.failure_people if pk in names)
        rows.append(
            (
                a, b, pair.arcs_a_to_b, pair.arcs_b_to_a, pair.relationships,
                _round(pair.mean_strength, 2), _round(pair.mean_trust, 2),
                _round(pair.reciprocity, 2), pair.carriers, pair.single_point_of_failure,
                "; ".join(failure),
            )
        )  # fmt: skip
    # Pairs are few (groups squared at most): the fragile ones first, then as the page
    # lists them, most relationships first.
    rows.sort(key=lambda r: (not r[9], -r[4], r[0].casefold(), r[1].casefold()))
    yield from rows


def _group_pairs(pairs: list[tuple[str, str]]) -> str:
    """Pairs as "A / B; C / D", cut to fit a spreadsheet cell with how many more there are."""
    whole = "; ".join(f"{a} / {b}" for a, b in pairs)
    if len(whole) <= CELL_LIMIT:
        return whole
    text = ""
    for i, (a, b) in enumerate(pairs):
        item = f"{'; ' if i else ''}{a} / {b}"
        left = len(pairs) - i - 1
        if len(text) + len(item) + len(f"; and {left} more" if left else "") > CELL_LIMIT:
            return f"{text}; and {len(pairs) - i} more"
        text += item
    return text


def key_people_rows(*, run: ScoreRun | None, boundary: str) -> Iterator[tuple]:
    """Everyone by the damage their leaving would do, full precision: two queries.

    Header only for a run from before key people were worked out (the notes say so).
    """
    yield KEY_PEOPLE_HEADER
    if run is None or not run.key_people:
        return
    before = run.key_people["fragmentation"]
    before_distance = run.key_people["distance_fragmentation"]
    labels = group_labels(workspace_id=run.workspace_id, boundary=boundary)
    names = labels if boundary == Boundary.ORGANISATION else organisation_names(run)
    scores = (
        PersonScore.objects.filter(run=run, boundary=boundary)
        .annotate(**stored_groups(run))
        .order_by(*key_people_ordering())
        .values_list(
            "person__ref",
            "person__name",
            "organisation_group__group",
            "group",
            "fragmentation_if_leaves",
            "distance_fragmentation_if_leaves",
            "pairs_disconnected_if_leaves",
            "pairs_distant_if_leaves",
        )
    )
    for rank, row in enumerate(scores.iterator(chunk_size=CHUNK_SIZE), start=1):
        ref, name, org, group, frag, distance, disconnected, distant = row
        cut = [(str(a), str(b)) for a, b in disconnected]
        short = short_routes_only([(str(a), str(b)) for a, b in distant], cut)
        yield (
            rank, ref, name, names.get(org), frag, None if frag is None else frag - before,
            distance, None if distance is None else distance - before_distance,
            _group_pairs(pairs_from(group, cut, labels)),
            _group_pairs(pairs_from(group, short, labels)), len(cut), len(short),
        )  # fmt: skip


# Limits a data export to some rows (the admin's selection): primary keys, or a queryset
# of them used as a subquery. None: every row of the workspace.
type Ids = Collection[int] | QuerySet | None


def _only(queryset: QuerySet, ids: Ids) -> QuerySet:
    return queryset if ids is None else queryset.filter(pk__in=ids)


def _primary_affiliation() -> FilteredRelation:
    return FilteredRelation("affiliations", condition=Q(affiliations__is_primary=True))


def people_rows(
    *, workspace: Workspace, extras: bool = False, ids: Ids = None, with_notes: bool = False
) -> Iterator[tuple]:
    """Every person with their primary organisation, as import_map's people.csv: one query."""
    yield header("people", extras=extras, with_notes=with_notes)
    people = (
        _only(Person.objects.filter(workspace=workspace), ids)
        .annotate(primary=_primary_affiliation())
        .order_by("ref")
        .values_list(
            "ref",
            "name",
            "job_title",
            "seniority",
            "primary__organisation__name",
            "primary__role_title",
            "active",
            *(["notes"] if with_notes else []),
        )  # fmt: skip
    )
    seniority = dict(Seniority.choices)
    for ref, name, job, level, org, role, *rest in people.iterator(chunk_size=CHUNK_SIZE):
        yield (ref, name, job, seniority[level], org, role, *rest)


def affiliations_rows(
    *, workspace: Workspace, extras: bool = False, ids: Ids = None
) -> Iterator[tuple]:
    """Every affiliation (primary ones too, for their dates), as affiliations.csv: one query."""
    yield header("affiliations", extras=extras)
    affiliations = (
        _only(Affiliation.objects.filter(person__workspace=workspace), ids)
        .order_by("person__ref", "organisation__name")
        .values_list(
            "person__ref",
            "organisation__name",
            "role_title",
            "start_date",
            "end_date",
            "is_primary",
        )  # fmt: skip
    )
    for ref, org, role, start, end, primary in affiliations.iterator(chunk_size=CHUNK_SIZE):
        row = (ref, org, role, start, end)
        yield (*row, primary) if extras else row


def organisations_rows(
    *, workspace: Workspace, extras: bool = False, ids: Ids = None
) -> Iterator[tuple]:
    """Every organisation, as import_map's organisations.csv: one query."""
    yield header("organisations", extras=extras)
    orgs = _only(Organisation.objects.filter(workspace=workspace), ids).order_by("name")
    if extras:
        orgs = orgs.annotate(people=Count("affiliations__person", distinct=True))
    fields = ["name", "short_name", "kind", "sector", "tier", "parent__name", "ods_code"]
    kinds, sectors, tiers = dict(OrganisationKind.choices), dict(Sector.choices), dict(Tier.choices)
    for row in orgs.values_list(*fields, *(["people"] if extras else [])).iterator(
        chunk_size=CHUNK_SIZE
    ):
        name, short, kind, sector, tier, parent, ods, *rest = row
        yield (name, short, kinds[kind], sectors[sector], tiers[tier], parent, ods, *rest)


def relationships_rows(
    *,
    workspace: Workspace,
    extras: bool = False,
    ids: Ids = None,
    today: datetime.date | None = None,
) -> Iterator[tuple]:
    """Every relationship, as import_map's relationships.csv, stale as of `today`: one query."""
    yield header("relationships", extras=extras)
    cutoff = stale_cutoff(workspace, today or timezone.localdate())
    fields = [
        "source__ref", "target__ref", "kind", "strength", "trust", "observed_on", "evidence",
        "start_date", "end_date",
    ]  # fmt: skip
    if extras:
        fields += ["source__name", "target__name"]
    fields += ["provenance", "survey__title", "reported_on", "confirmed"]
    ties = (
        _only(Relationship.objects.filter(source__workspace=workspace), ids)
        # Both people reported it (surveys.reads.confirmed_ties), in the same query.
        .annotate(confirmed=reported_back())
        .order_by("source__ref", "target__ref", "kind")
        .values_list(*fields)
    )
    kinds, provenances = dict(RelationshipKind.choices), dict(Provenance.choices)
    for row in ties.iterator(chunk_size=CHUNK_SIZE):
        source, target, kind, strength, trust, on, evidence, start, end, *names = row[:-4]
        made, survey, reported_on, back = row[-4:]
        reported = made == Provenance.REPORTED
        stale = is_stale(on, cutoff)
        yield (
            source, target, kinds[kind], strength, trust, on, evidence, stale, start, end,
            *names, provenances.get(made, made), survey or "", reported_on,
            reported and back,
        )  # fmt: skip


def forum_list_rows(
    *, workspace: Workspace, extras: bool = False, ids: Ids = None
) -> Iterator[tuple]:
    """Every forum, as import_map's forums.csv: one query."""
    yield header("forum-list")
    forums = _only(Forum.objects.filter(workspace=workspace), ids).order_by("name")
    kinds, tiers = dict(ForumKind.choices), dict(Tier.choices)
    for name, kind, tier, host in forums.values_list("name", "kind", "tier", "host__name"):
        yield (name, kinds[kind], tiers[tier], host or "")


def forum_members_rows(
    *, workspace: Workspace, extras: bool = False, ids: Ids = None
) -> Iterator[tuple]:
    """Every forum seat, as import_map's forum_members.csv: one query."""
    yield header("forum-members")
    seats = (
        _only(ForumMembership.objects.filter(forum__workspace=workspace), ids)
        .order_by("forum__name", "person__ref")
        .values_list("forum__name", "person__ref", "seat", "start_date", "end_date")
    )
    labels = dict(Seat.choices)
    for forum, ref, seat, start, end in seats.iterator(chunk_size=CHUNK_SIZE):
        yield (forum, ref, labels[seat], start, end)


def export_rows(
    kind: str,
    *,
    workspace: Workspace,
    run: ScoreRun | None,
    boundary: str = Boundary.ORGANISATION,
    extras: bool = False,
    sort: str = "score",
    group: str = "",
    ids: Ids = None,
    with_notes: bool = False,
    today: datetime.date | None = None,
) -> Iterator[tuple]:
    """The rows of one kind of export: the one entry point for commands and views.

    `sort` and `group` apply to brokers only, `ids` to the data kinds only, `with_notes`
    to people and `today` (the day ties are stale as of; default today) to relationships.
    """
    if kind == "scores":
        return scores_rows(run=run, boundary=boundary)
    if kind == "brokers":
        return brokers_rows(run=run, boundary=boundary, sort=sort, group=group)
    if kind == "partnerships":
        return partnerships_rows(run=run, boundary=boundary)
    if kind == "key-people":
        return key_people_rows(run=run, boundary=boundary)
    if kind == "people":
        return people_rows(workspace=workspace, extras=extras, ids=ids, with_notes=with_notes)
    if kind == "relationships":
        return relationships_rows(workspace=workspace, extras=extras, ids=ids, today=today)
    exporter = {
        "affiliations": affiliations_rows,
        "organisations": organisations_rows,
        "forum-list": forum_list_rows,
        "forum-members": forum_members_rows,
    }[kind]
    return exporter(workspace=workspace, extras=extras, ids=ids)


def describe_retention(workspace: Workspace, today: datetime.date) -> str:
    """The workspace's retention setting in words, with the cutoff it gives `today`."""
    cutoff = stale_cutoff(workspace, today)
    if cutoff is None:
        return "Off: no relationship is marked stale"
    months = workspace.retention_months
    return (
        f"{months} month{'s' if months != 1 else ''}: relationships last observed before "
        f"{cutoff.isoformat()} are marked stale"
    )


def _describe_options(options: dict) -> str:
    kinds = options.get("kinds")
    labels = dict(RelationshipKind.choices)
    parts = [
        "Relationship kinds: "
        + ("all" if kinds is None else ", ".join(labels.get(k, k) for k in kinds)),
        f"minimum strength: {options.get('min_strength', 1)}",
        f"relationships observed on or before: {options.get('as_of') or 'any date'}",
    ]
    return "; ".join(parts)


def describe_network(run: ScoreRun | None) -> str:
    """Which network the scores are of: the day, a snapshot's, and whether seats count."""
    if run is None:
        return ""
    snapshot = Snapshot.objects.filter(run=run).values_list("name", flat=True).first()
    day = run.as_of or timezone.localdate(run.created_at)
    words = f"The relationships and affiliations in force on {day.isoformat()}"
    if snapshot is not None:
        words += f" (snapshot: {snapshot})"
    if (run.options or {}).get("formal"):
        words += ", and shared forum seats held that day counted as ties (informal and formal)"
    else:
        words += "; informal ties only (forum seats not counted)"
    return words


def completeness_rows(workspace: Workspace) -> Iterator[tuple]:
    """Notes on how many people's ties come from their own answers or an editor (one query).

    Issue #15: under 80% the scores may miss ties; each organisation under 65% is named.
    """
    covered = completeness(workspace.pk)
    if not covered.people:
        return
    yield ("About", "Completeness", covered.sentence())
    for sentence in covered.organisation_sentences():
        yield ("About", "Completeness under 65%", sentence)


def _describe_key_people(run: ScoreRun | None) -> str:
    summary = run.key_people if run is not None else {}
    if not summary:
        return (
            "Not worked out for these scores yet: they are from before key people were added "
            "and are being recalculated (the file has no rows until then)"
        )
    return (
        f"Fragmentation now {summary['fragmentation']!r}; distance-weighted fragmentation now "
        f"{summary['distance_fragmentation']!r}"
    )


def _key_set_rows(run: ScoreRun | None) -> Iterator[tuple]:
    """The key-people page's table of the groups most damaging to lose together, one
    note per size, full precision (one query)."""
    summary = run.key_people if run is not None else {}
    sets = sorted(summary.get("sets", []) if summary else [], key=lambda s: s["size"])
    if not sets:
        return
    people = {
        pk: (name, ref)
        for pk, name, ref in Person.objects.filter(
            pk__in={pk for s in sets for pk in s["people"]}
        ).values_list("pk", "name", "ref")
    }
    for s in sets:
        named = sorted(people.get(pk, ("(removed)", "")) for pk in s["people"])
        who = "; ".join(f"{name} ({ref})" if ref else name for name, ref in named)
        how = (
            "exact: every group of that size was checked"
            if s["method"] == "exhaustive"
            else "searched (greedy with swaps): another group could do slightly more damage"
        )
        increase = s["fragmentation"] - summary["fragmentation"]
        yield (
            "Key sets",
            f"{s['size']} people",
            f"{who}. Fragmentation if they all leave {s['fragmentation']!r} "
            f"(increase {increase!r}); {how}",
        )


def notes_rows(
    kind: str,
    *,
    workspace: Workspace,
    run: ScoreRun | None,
    boundary: str = Boundary.ORGANISATION,
    extras: bool = False,
    now: datetime.datetime | None = None,
    shown: str = "",
    with_notes: bool = False,
) -> Iterator[tuple]:
    """The companion notes: what the export holds and what each column means.

    `shown` describes the page filters a download from the browser applied, if any.
    """
    now = now or timezone.now()
    scored = kind in SCORE_KINDS
    yield ("Section", "Item", "Meaning")
    yield ("About", "Export", kind)
    yield ("About", "Workspace", f"{workspace.name} (slug: {workspace.slug})")
    yield ("About", "Data as of", timezone.localtime(now).isoformat(timespec="seconds"))
    yield from completeness_rows(workspace)
    if scored:
        finished = run.finished_at if run is not None else None
        yield (
            "About",
            "Scores as of",
            timezone.localtime(finished).isoformat(timespec="seconds") if finished else "",
        )
        yield ("About", "Boundary", f"Groups are {Boundary(boundary).label.lower()}s")
        yield ("About", "Filters", _describe_options(run.options if run is not None else {}))
        yield ("About", "Network", describe_network(run))
        if kind == "key-people":
            yield ("About", "Key people", _describe_key_people(run))
            yield from _key_set_rows(run)
        if shown:
            yield ("About", "Rows shown", shown)
    else:
        yield ("About", "Scores as of", "Not used: this export holds recorded data only")
        yield ("About", "Boundary", "Not used: this export holds recorded data only")
        yield ("About", "Filters", "None: every row of the workspace")
        if kind == "relationships":
            yield ("About", "Retention", describe_retention(workspace, timezone.localdate(now)))
        if kind in FORUM_IMPORT_FILES:
            yield (
                "About",
                "Import",
                f"import_map reads this file back as {FORUM_IMPORT_FILES[kind]}",
            )
        elif not extras:
            yield ("About", "Import", "import_map reads this file back unchanged")
    for column in header(kind, extras=extras, with_notes=with_notes):
        yield ("Column", column, COLUMN_NOTES[kind][column])


# Each part of a file name is cut to this many characters: a long organisation name
# still leaves the date and the extension readable in a downloads folder.
FILENAME_PART_LIMIT = 40


def filename_part(text: str) -> str:
    """One part of a download's name as a slug ("NHS acute" -> "nhs-acute"); may be ""."""
    slug = slugify(text) or slugify(text, allow_unicode=True)
    return slug[:FILENAME_PART_LIMIT].strip("-")


def export_filename(
    *,
    workspace: Workspace,
    kind: str,
    day: datetime.date,
    qualifiers: Iterable[str] = (),
    notes: bool = False,
    extension: str = "csv",
) -> str:
    """`<workspace>-<kind>[-<qualifier>...]-<YYYY-MM-DD>[-notes].<extension>`.

    Qualifiers say what the file holds, in order (boundary, group filter, sort, ...): each
    is slugified and empty ones are left out. Never pass a person's name: the file name
    ends up in downloads folders, e-mail attachments and logs.
    """
    parts = [workspace.slug, kind, *(filename_part(q) for q in qualifiers), day.isoformat()]
    stem = "-".join(p for p in parts if p)
    return f"{stem}{'-notes' if notes else ''}.{extension}"


def table_qualifiers(*, boundary: str, group_label: str = "", sort: str = "score") -> list[str]:
    """The qualifiers of a scored table's file name: boundary, then the brokers filters.

    `group_label` is the group's readable name (an organisation, sector or tier).
    """
    return [boundary, group_label, "" if sort == "score" else f"by-{sort}"]


def about_rows(
    kind: str,
    *,
    workspace: Workspace,
    now: datetime.datetime,
    boundary: str | None = None,
    run: ScoreRun | None = None,
) -> Iterator[tuple]:
    """Notes for a page's download that has no notes file of its own: what it is, when,
    and (given the run its scores come from) which network."""
    yield ("Section", "Item", "Meaning")
    yield ("About", "Export", kind)
    yield ("About", "Workspace", f"{workspace.name} (slug: {workspace.slug})")
    yield ("About", "Data as of", timezone.localtime(now).isoformat(timespec="seconds"))
    if run is not None:
        yield ("About", "Network", describe_network(run))
    yield from completeness_rows(workspace)
    if boundary is not None:
        yield ("About", "Boundary", f"Groups are {Boundary(boundary).label.lower()}s")


BOARD_PACK_KINDS = ("brokers", "partnerships", "scores", "key-people")


def board_pack_notes_rows(
    *,
    workspace: Workspace,
    run: ScoreRun,
    boundary: str,
    now: datetime.datetime,
    shown: str = "",
    map_note: str,
) -> Iterator[tuple]:
    """The board pack's notes: provenance once, then the columns of each CSV in the pack."""
    about = [
        row
        for row in notes_rows("brokers", workspace=workspace, run=run, boundary=boundary, now=now)
        if row[0] == "About" and row[1] != "Export"
    ]
    yield ("Section", "Item", "Meaning")
    yield ("About", "Export", "Board pack: " + ", ".join(f"{k}.csv" for k in BOARD_PACK_KINDS))
    yield from about
    yield ("About", "Rows shown", shown or "brokers.csv: everyone, by broker score")
    yield ("About", "Map", map_note)
    yield ("About", "Key people", _describe_key_people(run))
    yield from _key_set_rows(run)
    for kind in BOARD_PACK_KINDS:
        for column in header(kind):
            yield (f"{kind}.csv", column, COLUMN_NOTES[kind][column])


# --- Graph formats ---------------------------------------------------------------

# PersonScore fields exported as node attributes (the run, person and group are not scores).
# Group pairs lost if someone leaves are lists: the key-people table carries them.
_SCORE_SKIP = {
    "id", "run", "person", "boundary", "group",
    "pairs_disconnected_if_leaves", "pairs_distant_if_leaves",
}  # fmt: skip
_XML_TYPES = {
    "FloatField": "double",
    "PositiveIntegerField": "long",
    "BooleanField": "boolean",
    "TextField": "string",
}


def _score_fields() -> list[tuple[str, str]]:
    return [
        (f.name, _XML_TYPES[f.get_internal_type()])
        for f in PersonScore._meta.concrete_fields
        if f.name not in _SCORE_SKIP and f.attname not in {"run_id", "person_id"}
    ]


NODE_TEXT_ATTRIBUTES = ("ref", "name", "job_title", "organisation", "sector", "tier")
EDGE_ATTRIBUTES = (
    ("kind", "string"), ("strength", "long"), ("trust", "long"), ("observed_on", "string"),
    ("stale", "boolean"),
)  # fmt: skip


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    # XML 1.0 cannot hold some characters even escaped: rows from before the rule drop them.
    return strip_refused(str(value))


def _graph_data(
    *,
    workspace: Workspace,
    run: ScoreRun | None,
    boundary: str,
    ties_on: datetime.date | None = None,
):
    """Nodes (attribute dicts) and edges, streamed: two queries, three with scores.

    `ties_on`: the ties in force that day (default today), as the map and scores
    of that day have them: an ended tie is history, not part of the network.
    """
    score_fields = [name for name, _ in _score_fields()] if run is not None else []
    # With scores, the organisation, sector and tier the scores grouped people by: as
    # stored with them, or for someone the run did not score, their main role that day.
    primary = (
        _primary_affiliation()
        if run is None
        else FilteredRelation("affiliations", condition=grouped_by(run, prefix="affiliations__"))
    )
    people = Person.objects.filter(workspace=workspace).annotate(primary=primary).order_by("ref")
    values = ["ref", "name", "job_title", "primary__organisation__name",
              "primary__organisation__sector", "primary__organisation__tier"]  # fmt: skip
    names: dict[str, str] = {}
    if run is not None:
        names = organisation_names(run)
        people = people.annotate(
            score=FilteredRelation(
                "scores", condition=Q(scores__run=run, scores__boundary=boundary)
            ),
            **stored_groups(run, path="scores"),
        )
        values += [f"{b}_group__group" for b in Boundary.values]
        values += [f"score__{name}" for name in score_fields]
    sectors, tiers = dict(Sector.choices), dict(Tier.choices)

    def nodes():
        for ref, name, job, org, sector, tier, *scores in people.values_list(*values).iterator(
            chunk_size=CHUNK_SIZE
        ):
            if run is not None:
                stored, scores = scores[:3], scores[3:]
                if stored[0] is not None:  # scored: where the run placed them
                    org, sector, tier = names.get(stored[0]), stored[1], stored[2]
            attrs = dict(
                zip(
                    NODE_TEXT_ATTRIBUTES,
                    (ref, name, job, org, sectors.get(sector), tiers.get(tier)),
                    strict=True,
                )
            )
            attrs.update(zip(score_fields, scores, strict=True))
            yield ref, name, attrs

    def edges():
        cutoff = stale_cutoff(workspace, timezone.localdate())
        ties = Relationship.objects.filter(
            in_force_q(ties_on or timezone.localdate()), source__workspace=workspace
        )
        ties = (
            ties.order_by("source__ref", "target__ref", "kind").values_list(
                "pk", "source__ref", "target__ref", "kind", "strength", "trust", "observed_on"
            )  # fmt: skip
        )
        for pk, source, target, kind, strength, trust, on in ties.iterator(chunk_size=CHUNK_SIZE):
            attrs = {
                "kind": kind,
                "strength": strength,
                "trust": trust,
                "observed_on": iso_date(on),
                "stale": is_stale(on, cutoff),
            }
            yield pk, source, target, strength, attrs

    node_attributes = [(a, "string") for a in NODE_TEXT_ATTRIBUTES]
    if run is not None:
        node_attributes += _score_fields()
    return node_attributes, nodes(), edges()


def gexf_lines(
    *,
    workspace: Workspace,
    run: ScoreRun | None,
    boundary: str,
    ties_on: datetime.date | None = None,
) -> Iterator[str]:
    """GEXF 1.3: people as nodes, relationships as directed edges weighted by strength."""
    node_attributes, nodes, edges = _graph_data(
        workspace=workspace, run=run, boundary=boundary, ties_on=ties_on
    )
    today = timezone.localdate().isoformat()
    yield '<?xml version="1.0" encoding="UTF-8"?>\n'
    yield '<gexf xmlns="http://gexf.net/1.3" version="1.3">\n'
    yield f'  <meta lastmodifieddate="{today}">\n'
    yield "    <creator>Influence Map</creator>\n"
    yield f"    <description>{escape(_text(workspace.name))}</description>\n  </meta>\n"
    yield '  <graph defaultedgetype="directed" mode="static">\n'
    for cls, attributes in (("node", node_attributes), ("edge", EDGE_ATTRIBUTES)):
        yield f'    <attributes class="{cls}">\n'
        for name, kind in attributes:
            yield f'      <attribute id="{name}" title="{name}" type="{kind}"/>\n'
        yield "    </attributes>\n"

    def attvalues(attrs: dict) -> str:
        values = "".join(
            f'<attvalue for="{k}" value={quoteattr(_text(v))}/>'
            for k, v in attrs.items()
            if v is not None
        )
        return f"<attvalues>{values}</attvalues>"

    yield "    <nodes>\n"
    for ref, name, attrs in nodes:
        yield (
            f"      <node id={quoteattr(_text(ref))} label={quoteattr(_text(name))}>"
            f"{attvalues(attrs)}</node>\n"
        )
    yield "    </nodes>\n    <edges>\n"
    for pk, source, target, strength, attrs in edges:
        yield (
            f'      <edge id="e{pk}" source={quoteattr(_text(source))} '
            f'target={quoteattr(_text(target))} weight="{strength}">{attvalues(attrs)}</edge>\n'
        )
    yield "    </edges>\n  </graph>\n</gexf>\n"


def graphml_lines(
    *,
    workspace: Workspace,
    run: ScoreRun | None,
    boundary: str,
    ties_on: datetime.date | None = None,
) -> Iterator[str]:
    """GraphML: people as nodes, relationships as directed edges (parallel by kind)."""
    node_attributes, nodes, edges = _graph_data(
        workspace=workspace, run=run, boundary=boundary, ties_on=ties_on
    )
    yield '<?xml version="1.0" encoding="UTF-8"?>\n'
    yield '<graphml xmlns="http://graphml.graphdrawing.org/xmlns">\n'
    for cls, attributes in (("node", node_attributes), ("edge", EDGE_ATTRIBUTES)):
        for name, kind in attributes:
            yield f'  <key id="{cls}_{name}" for="{cls}" attr.name="{name}" attr.type="{kind}"/>\n'
    yield '  <graph id="G" edgedefault="directed">\n'

    def data(cls: str, attrs: dict) -> str:
        return "".join(
            f'<data key="{cls}_{k}">{escape(_text(v))}</data>'
            for k, v in attrs.items()
            if v is not None
        )

    for ref, _name, attrs in nodes:
        yield f"    <node id={quoteattr(_text(ref))}>{data('node', attrs)}</node>\n"
    for pk, source, target, _strength, attrs in edges:
        yield (
            f'    <edge id="e{pk}" source={quoteattr(_text(source))} '
            f"target={quoteattr(_text(target))}>{data('edge', attrs)}</edge>\n"
        )
    yield "  </graph>\n</graphml>\n"


__all__ = [
    "BROKERS_HEADER",
    "DATA_KINDS",
    "KEY_PEOPLE_HEADER",
    "PARTNERSHIPS_HEADER",
    "SCORES_HEADER",
    "SCORE_KINDS",
    "about_rows",
    "board_pack_notes_rows",
    "broker_records",
    "brokers_rows",
    "csv_chunks",
    "export_filename",
    "export_rows",
    "filename_part",
    "gexf_lines",
    "graphml_lines",
    "header",
    "key_people_rows",
    "notes_rows",
    "partnerships_rows",
    "safe_cell",
    "scores_rows",
    "table_qualifiers",
    "write_csv",
]
