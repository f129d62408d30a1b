"""What if they leave: key people from the stored scores, and what-if answers.

Key people (the ranking and the most damaging sets) are read from the current
score run, which works them out for everyone (stakeholders.analysis.key_people).
A what-if for a chosen set of people needs the scores of the remaining network,
so a worker computes it (stakeholders.tasks.whatif_run, whatif_compute.py) and
stores it as a WhatIf keyed by (run, people): the same question about the same
scores is answered once. Answers hold ids and numbers only; names and group
labels are looked up here when they are shown.

Fragmentation (Borgatti's KPP-Neg) is the share of pairs of people with no chain
of relationships between them, on every tie in either direction; distance-weighted
fragmentation also counts pairs that are far apart as partly cut off (1 - global
efficiency). A pair of groups loses its last connection when no chain joins
anyone in one to anyone in the other; it loses its last short route when no chain
of at most two relationships does (a direct tie, or one shared contact).
"""

import datetime
import hashlib
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db import IntegrityError, transaction
from django.db.models import BooleanField, ExpressionWrapper, F, FilteredRelation, Q
from django.utils import timezone
from django.utils.http import urlencode

from stakeholders.models import (
    Affiliation,
    Boundary,
    Organisation,
    Person,
    PersonScore,
    RunStatus,
    ScoreRun,
    WhatIf,
    Workspace,
)
from stakeholders.scenarios.choices import BadChoice, current_affiliation
from stakeholders.selectors import group_labels, primary_in_force_q
from stakeholders.tasks import rescore_enqueue, whatif_run

KEY_PEOPLE_PER_PAGE = 25
# Pairs of groups named in a row of the key people table before "N more", and listed
# under it at most; the what-if page and the CSV have them all.
PAIRS_SHOWN = 3
PAIRS_LISTED = 40
# A what-if is about a few people, or everyone in a few organisations.
MAX_PEOPLE = 50
MAX_ORGANISATIONS = 10
# A what-if not finished this long after it was asked lost its worker: ask again.
WHATIF_STALE_AFTER = datetime.timedelta(minutes=10)
# Past this, the page says the answer is late and what happens next.
WHATIF_SLOW_AFTER = datetime.timedelta(minutes=2)
# Lost links and partnerships whose health changes listed on the page; the CSV has all.
LOST_LINKS_SHOWN = 20
PAIR_CHANGES_SHOWN = 25
# Changes smaller than this are rounding, not a change (fragmentation is a share).
EPSILON = 1e-12

NO_GROUP = "No group"
SPLIT = "the map would split, leaving some people with no chain of relationships to the rest"
# The what-if CSV's kind in its file name: <slug>-what-if-<date>.csv.
WHATIF_KIND = "what-if"


def _pairs(stored: Iterable[Iterable[str]]) -> list[tuple[str, str]]:
    return [(str(a), str(b)) for a, b in stored]


def short_routes_only(
    distant: Iterable[tuple[str, str]], disconnected: Iterable[tuple[str, str]]
) -> list[tuple[str, str]]:
    """Pairs that lose their last short route but keep a longer one (no pair listed twice)."""
    cut = set(disconnected)
    return [pair for pair in distant if pair not in cut]


def pairs_from(own: str, pairs: Iterable[tuple[str, str]], labels: dict[str, str]):
    """Group pairs as label pairs for one person's row: their own group's pairs first.

    Each pair reads from `own` when it is in it; pairs are then in label order.
    """
    turned = [(b, a) if b == own and a != own else (a, b) for a, b in pairs]
    named = [(labels.get(a, a), labels.get(b, b), a == own) for a, b in turned]
    named.sort(key=lambda p: (not p[2], p[0].casefold(), p[1].casefold()))
    return [(a, b) for a, b, _ in named]


def group_phrase(boundary: str, label: str) -> str:
    """Where someone is, in a sentence: "is at X", "is on the NHS side", "is at place level"."""
    if boundary == Boundary.ORGANISATION:
        return f"is at {label}"
    if boundary == Boundary.SECTOR:
        return f"is on the {label} side"
    return f"is at {label.lower()} level"


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def _names(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


# --- Key people ------------------------------------------------------------------


def gathered_around(pairs: list[tuple[str, str]]) -> str:
    """ "all with X" or "most with X" when one group is in every or most of 3+ pairs
    ("most with X and Y" when two are in equally many)."""
    if len(pairs) < 3:
        return ""
    counts = Counter(g for pair in pairs for g in pair)
    n = max(counts.values())
    leaders = sorted(g for g, c in counts.items() if c == n)  # one, when in every pair
    if n == len(pairs):
        return f"all with {leaders[0]}"
    return f"most with {_names(leaders)}" if 2 * n > len(pairs) else ""


def splits_map(*, before: float, after: float, people: int) -> bool:
    """Whether one person's leaving splits their part of the map, from fragmentation alone.

    Leaving without splitting anything still moves F, as the people and pairs counted
    change: by 2 (n (c - 1) - S) / (n (n - 1) (n - 2)) for someone in a part of c people
    (S = sum of s (s - 1) over the parts), at most 2 F / (n - 2) (at c = n). A rise above
    that can only come from a split. Splits of small parts can stay under it (then
    this says no); it never says yes for someone whose leaving splits nothing.
    """
    if people < 3:
        return False
    return after - before > 2 * before / (people - 2) + EPSILON


def leaving_means(
    *,
    disconnected: int,
    short_routes: int,
    split: str,
    lengthens: bool,
    groups: str,
    around: str = "",
    emptied: int = 0,
) -> str:
    """What someone's leaving would do to the map, in one plain sentence.

    `split` says how the map would split ("" when it would not); `around` which group
    the lost connections gather around ("" when none does); `emptied` how many pairs
    of groups would have no relationship left between them, said when no link breaks
    (a group everyone leaves ends its partnerships without cutting anyone off).
    """
    parts = []
    if disconnected:
        its = "its" if disconnected == 1 else "their"
        parts.append(
            f"{_plural(disconnected, 'pair')} of {groups} would lose {its} last connection"
            + (f" ({around})" if around else "")
        )
    if short_routes:
        its = "its" if short_routes == 1 else "their"
        noun = "pair" if short_routes == 1 else "pairs"
        lead = (
            f"{short_routes} more {noun}" if disconnected else f"{short_routes} {noun} of {groups}"
        )
        parts.append(f"{lead} would lose {its} last short route")
    if split:
        parts.append(split)
    if parts:
        sentence = _names(parts)
        return sentence[0].upper() + sentence[1:] + "."
    if emptied:
        return (
            f"No link between {groups} would break, but {_plural(emptied, 'pair')} of "
            f"{groups} would have no relationships left between them"
            + (" and the map would be less closely knit." if lengthens else ".")
        )
    # Distance-weighted fragmentation is over the people who stay: it can rise or fall
    # without any one chain of introductions changing, so it is not said of chains.
    if lengthens:
        return (
            f"No link between {groups} would break, but the map would be less closely knit "
            "(its distance-weighted fragmentation would rise)."
        )
    return (
        f"Little effect: no link between {groups} would break, and the map would be no less "
        "closely knit (its distance-weighted fragmentation would not rise)."
    )


@dataclass(frozen=True)
class KeyPersonRow:
    rank: int
    person_id: int
    name: str
    job_title: str
    group: str
    fragmentation: float
    fragmentation_increase: float
    distance_fragmentation: float
    distance_fragmentation_increase: float
    disconnected: list[tuple[str, str]]  # group labels
    short_routes: list[tuple[str, str]]  # lose their last short route only
    meaning: str  # what their leaving would do, in a sentence

    @property
    def disconnected_shown(self) -> list[tuple[str, str]]:
        return self.disconnected[:PAIRS_SHOWN]

    @property
    def disconnected_more(self) -> list[tuple[str, str]]:
        return self.disconnected[PAIRS_SHOWN:PAIRS_LISTED]

    @property
    def disconnected_more_count(self) -> int:
        return max(0, len(self.disconnected) - PAIRS_SHOWN)

    @property
    def disconnected_unlisted(self) -> int:
        return max(0, len(self.disconnected) - PAIRS_LISTED)

    @property
    def short_routes_shown(self) -> list[tuple[str, str]]:
        return self.short_routes[:PAIRS_SHOWN]

    @property
    def short_routes_more(self) -> list[tuple[str, str]]:
        return self.short_routes[PAIRS_SHOWN:PAIRS_LISTED]

    @property
    def short_routes_more_count(self) -> int:
        return max(0, len(self.short_routes) - PAIRS_SHOWN)

    @property
    def short_routes_unlisted(self) -> int:
        return max(0, len(self.short_routes) - PAIRS_LISTED)


@dataclass(frozen=True)
class KeySet:
    size: int
    people: list[tuple[int, str]]  # (id, name), by name
    fragmentation: float
    increase: float
    exact: bool

    @property
    def ids(self) -> list[int]:
        return [pk for pk, _ in self.people]

    @property
    def fragmentation_percent(self) -> float:
        return self.fragmentation * 100


@dataclass(frozen=True)
class KeyPeople:
    fragmentation: float  # before anyone leaves
    distance_fragmentation: float
    sets: list[KeySet]
    page: Page
    rows: list[KeyPersonRow]

    @property
    def fragmentation_percent(self) -> float:
        return self.fragmentation * 100


def key_people_ordering() -> tuple:
    """Most damaging first: fragmentation if they leave, then distance-weighted, then name."""
    return (
        F("fragmentation_if_leaves").desc(nulls_last=True),
        F("distance_fragmentation_if_leaves").desc(nulls_last=True),
        F("person__name").asc(),
        F("person_id").asc(),
    )


def key_people(
    *, workspace: Workspace, run: ScoreRun, boundary: str, page: str | int | None
) -> KeyPeople | None:
    """One page of people ranked by the damage their leaving does, and the worst sets.

    None when the run is from before key people were worked out. Four queries
    (three on the sector and tier boundaries, whose labels need none).
    """
    summary = run.key_people
    if not summary:
        return None
    before = summary["fragmentation"]
    before_distance = summary["distance_fragmentation"]
    labels = group_labels(workspace_id=workspace.pk, boundary=boundary)
    scores = (
        PersonScore.objects.filter(run=run, boundary=boundary)
        .order_by(*key_people_ordering())
        .values_list(
            "person_id",
            "person__name",
            "person__job_title",
            "group",
            "fragmentation_if_leaves",
            "distance_fragmentation_if_leaves",
            "pairs_disconnected_if_leaves",
            "pairs_distant_if_leaves",
        )
    )
    current = Paginator(scores, KEY_PEOPLE_PER_PAGE).get_page(page)

    rows = []
    for i, values in enumerate(current.object_list):
        pk, name, job, group, frag, dist, disconnected, distant = values
        cut = _pairs(disconnected)
        short = short_routes_only(_pairs(distant), cut)
        lost = pairs_from(group, cut, labels)
        frag = before if frag is None else frag
        dist = before_distance if dist is None else dist
        rows.append(
            KeyPersonRow(
                rank=current.start_index() + i,
                person_id=pk,
                name=name,
                job_title=job,
                group=labels.get(group, group) if group else NO_GROUP,
                fragmentation=frag,
                fragmentation_increase=frag - before,
                distance_fragmentation=dist,
                distance_fragmentation_increase=dist - before_distance,
                disconnected=lost,
                short_routes=pairs_from(group, short, labels),
                meaning=leaving_means(
                    around=gathered_around(lost),
                    disconnected=len(cut),
                    short_routes=len(short),
                    split=SPLIT
                    if splits_map(before=before, after=frag, people=run.people_count)
                    else "",
                    lengthens=dist - before_distance > EPSILON,
                    groups=f"{Boundary(boundary).label.lower()}s",
                ),
            )
        )
    set_ids = {pk for s in summary.get("sets", []) for pk in s["people"]}
    names = dict(
        Person.objects.filter(workspace=workspace, pk__in=set_ids).values_list("pk", "name")
    )
    sets = [
        KeySet(
            size=s["size"],
            people=sorted(
                ((pk, names[pk]) for pk in s["people"] if pk in names),
                key=lambda p: (p[1].casefold(), p[0]),
            ),
            fragmentation=s["fragmentation"],
            increase=s["fragmentation"] - before,
            exact=s["method"] == "exhaustive",
        )
        for s in sorted(summary.get("sets", []), key=lambda s: s["size"])
    ]
    return KeyPeople(
        fragmentation=before,
        distance_fragmentation=before_distance,
        sets=sets,
        page=current,
        rows=rows,
    )


def key_people_rescore(*, workspace: Workspace) -> None:
    """Queue a recompute of scores from before key people were worked out.

    Once the current transaction commits, and only one while it waits to start
    (rescore_enqueue); the page then says the scores are being updated.
    """
    transaction.on_commit(lambda: rescore_enqueue(workspace_id=workspace.pk))


# --- The what-if question ----------------------------------------------------------


@dataclass(frozen=True)
class Leaver:
    id: int
    ref: str
    name: str
    job_title: str
    organisation: str  # primary organisation now, "" when none
    organisation_id: int | None = None


@dataclass(frozen=True)
class Question:
    """Who leaves: people chosen by name, everyone now in some organisations, or both."""

    person_ids: tuple[int, ...]  # chosen one by one, as asked
    organisations: list[tuple[int, str, int]]  # (id, name, people leaving with it)
    leavers: list[Leaver]  # everyone who leaves, by name
    # (id, name, organisation) of people whose main organisation is a chosen one but whose
    # role there is not current: they do not leave with it, though the scores place them there.
    staying: list[tuple[int, str, str]] = field(default_factory=list)

    @property
    def ids(self) -> tuple[int, ...]:
        return tuple(sorted(p.id for p in self.leavers))

    @property
    def asked(self) -> bool:
        return bool(self.person_ids or self.organisations)

    @property
    def organisation_ids(self) -> tuple[int, ...]:
        return tuple(pk for pk, _, _ in self.organisations)

    @property
    def query(self) -> str:
        """The question as address parameters (ids only), without the boundary."""
        return urlencode(
            [("person", pk) for pk in self.person_ids]
            + [("organisation", pk) for pk, _, _ in self.organisations]
        )

    @property
    def main_role_elsewhere(self) -> set[int]:
        """Leavers who go with a chosen organisation though their main role is elsewhere
        (a joint post, an honorary role): they leave the whole map, as asked."""
        chosen, orgs = set(self.person_ids), set(self.organisation_ids) | {None}
        return {p.id for p in self.leavers if p.id not in chosen and p.organisation_id not in orgs}

    @property
    def chosen(self) -> list[Leaver]:
        """The people chosen one by one (for the picker)."""
        wanted = set(self.person_ids)
        return [p for p in self.leavers if p.id in wanted]

    @property
    def who(self) -> str:
        """The leavers in a phrase: "Asha Patel", "everyone at X and Tom Green"."""
        chosen = [p.name for p in self.chosen]
        if len(chosen) > 5:
            chosen = [f"{len(chosen)} people"]
        return _names([f"everyone at {name}" for _, name, _ in self.organisations] + chosen)


def whatif_question(
    *,
    workspace: Workspace,
    people: tuple[int, ...],
    organisations: tuple[int, ...],
    today: datetime.date,
) -> Question:
    """Check who is asked about and find everyone who leaves (one to three queries).

    Anyone in the workspace can be chosen, including people recorded as having
    left (they stay in the map while their ties are recorded). An organisation
    takes everyone whose affiliation with it is current today; someone whose main
    affiliation there has ended stays (the scores place them in no organisation, as
    they count a main affiliation only while it is in force), and the page says so.
    """
    if len(people) > MAX_PEOPLE:
        raise BadChoice(
            f"Choose at most {MAX_PEOPLE} people at a time ({len(people)} were chosen). "
            "To ask about a whole organisation, choose the organisation instead."
        )
    if len(organisations) > MAX_ORGANISATIONS:
        raise BadChoice(f"Choose at most {MAX_ORGANISATIONS} organisations at a time.")
    orgs: dict[int, str] = {}
    affiliated: set[tuple[int, int]] = set()
    staying: list[tuple[int, str, str]] = []  # main role there, not in force today
    if organisations:
        orgs = dict(
            Organisation.objects.filter(workspace=workspace, pk__in=organisations).values_list(
                "pk", "name"
            )
        )
        if len(orgs) < len(organisations):
            unknown = ", ".join(str(pk) for pk in organisations if pk not in orgs)
            raise BadChoice(
                f"organisation: record {unknown} is not an organisation in this workspace. "
                "Choose again."
            )
        current = current_affiliation(today)
        for org, person, name, is_current in (
            Affiliation.objects.filter(organisation_id__in=organisations)
            .filter(current | Q(is_primary=True))
            .annotate(is_current=ExpressionWrapper(current, output_field=BooleanField()))
            .order_by("person__name", "person_id")
            .values_list("organisation_id", "person_id", "person__name", "is_current")
        ):
            if is_current:
                affiliated.add((org, person))
            else:
                staying.append((person, name, orgs[org]))
    wanted = set(people) | {person for _, person in affiliated}
    rows = (
        Person.objects.filter(workspace=workspace, pk__in=wanted)
        .annotate(
            primary=FilteredRelation(
                "affiliations", condition=primary_in_force_q(today, "affiliations__")
            )
        )
        .order_by("name", "ref", "pk")
        .values_list(
            "pk",
            "ref",
            "name",
            "job_title",
            "primary__organisation__name",
            "primary__organisation_id",
        )
    )
    leavers = [
        Leaver(id=pk, ref=ref, name=name, job_title=job, organisation=org or "", organisation_id=o)
        for pk, ref, name, job, org, o in rows
    ]
    found = {p.id for p in leavers}
    unknown = ", ".join(str(pk) for pk in people if pk not in found)
    if unknown:
        raise BadChoice(f"person: record {unknown} is not someone in this workspace. Choose again.")
    return Question(
        person_ids=people,
        organisations=[
            (pk, orgs[pk], sum(1 for org, _ in affiliated if org == pk)) for pk in organisations
        ],
        leavers=leavers,
        staying=[(pk, name, org) for pk, name, org in staying if pk not in found],
    )


def whatif_key(people: Iterable[int]) -> str:
    """SHA-256 of the sorted ids: the same people, the same key."""
    return hashlib.sha256(",".join(str(p) for p in sorted(people)).encode()).hexdigest()


def whatif_ask(*, workspace: Workspace, run: ScoreRun, people: tuple[int, ...]) -> WhatIf | None:
    """The stored answer for these people on this run, asking a worker for it if needed.

    A question asked before is answered from the store (get or create by run and
    key). A new one, or one whose worker stopped, is queued once the current
    transaction commits; under the immediate task backend it is answered before
    this returns. None when the run has just been replaced by newer scores.
    """
    people = tuple(sorted(set(people)))
    try:
        whatif, created = WhatIf.objects.get_or_create(
            run=run,
            key=whatif_key(people),
            defaults={"workspace": workspace, "people": list(people)},
        )
    except IntegrityError:
        # Newer scores replaced (and deleted) the run a moment ago: None, so the page
        # asks again, about the new scores.
        return None
    now = timezone.now()
    stale = (
        not created
        and whatif.status in (RunStatus.QUEUED, RunStatus.RUNNING)
        and whatif.created_at < now - WHATIF_STALE_AFTER
    )
    if stale:
        # Only if nobody has finished or re-asked it meanwhile.
        stale = bool(
            WhatIf.objects.filter(
                pk=whatif.pk, status=whatif.status, created_at=whatif.created_at
            ).update(status=RunStatus.QUEUED, created_at=now, error="")
        )
    if created or stale:
        transaction.on_commit(lambda: whatif_run.enqueue(whatif_id=whatif.pk))
        if not transaction.get_connection().in_atomic_block:
            whatif.refresh_from_db()
    return whatif


# --- The answer, named ---------------------------------------------------------------


@dataclass(frozen=True)
class Named:
    id: int
    ref: str
    name: str
    organisation: str  # primary organisation, "" when none


@dataclass(frozen=True)
class Figure:
    label: str
    meaning: str
    before: float
    after: float
    share: bool  # a share (shown as a percentage) or a count

    @property
    def change(self) -> float:
        return self.after - self.before

    @property
    def before_shown(self) -> float:
        return self.before * 100 if self.share else self.before

    @property
    def after_shown(self) -> float:
        return self.after * 100 if self.share else self.after

    @property
    def change_shown(self) -> float:
        return self.change * 100 if self.share else self.change


@dataclass(frozen=True)
class Suggestion:
    first: Named  # on the first group's side
    second: Named
    restores: int  # lost links (of this boundary) the new tie would restore
    reason: str


@dataclass(frozen=True)
class LostLink:
    group_a: str
    group_b: str
    lost: str  # "connection" or "short route"
    suggestions: list[Suggestion]
    worked_out: bool  # False: past the links that get suggestions (the CSV says so too)

    @property
    def lost_label(self) -> str:
        return "Last connection" if self.lost == "connection" else "Last short route"


@dataclass(frozen=True)
class PairState:
    relationships: int
    carriers: int
    mean_trust: float | None
    single_point_of_failure: bool


@dataclass(frozen=True)
class PairChange:
    group_a: str
    group_b: str
    before: PairState | None
    after: PairState | None

    @property
    def summary(self) -> str:
        if self.after is None:
            return "No relationships left"
        if self.before is None:
            return "New"
        if self.after.single_point_of_failure and not self.before.single_point_of_failure:
            return "Now hangs on one person"
        if self.after.relationships < self.before.relationships:
            return "Fewer relationships"
        return "Changed"


@dataclass(frozen=True)
class Riser:
    person: Named
    group: str
    before: float
    after: float

    @property
    def change(self) -> float:
        return self.after - self.before


@dataclass(frozen=True)
class Answer:
    boundary: str
    leavers: list[Named]
    missing: int  # people asked about who are no longer in the map
    figures: list[Figure]
    lost: list[LostLink]
    disconnected: int
    short_routes: int
    pair_changes: list[PairChange]
    risers: list[Riser]
    notes: list[str] = field(default_factory=list)

    @property
    def fragmentation(self) -> Figure:
        return self.figures[0]

    @property
    def components(self) -> Figure:
        return self.figures[2]

    @property
    def headline(self) -> str:
        """The answer in plain words: links lost, and whether the map splits."""
        distance, parts = self.figures[1], self.components
        # Leaving never adds a part unless it splits one (people leaving alone remove theirs).
        split = ""
        if parts.after > parts.before:
            split = (
                f"the map would split into {_plural(int(parts.after), 'separate part')} "
                f"instead of {int(parts.before)}"
            )
        cut = [(link.group_a, link.group_b) for link in self.lost if link.lost == "connection"]
        return leaving_means(
            around=gathered_around(cut),
            disconnected=self.disconnected,
            short_routes=self.short_routes,
            split=split,
            lengthens=distance.after - distance.before > EPSILON,
            groups=f"{Boundary(self.boundary).label.lower()}s",
            emptied=sum(1 for change in self.pair_changes if change.after is None),
        )

    @property
    def best(self) -> tuple[LostLink, Suggestion] | None:
        """The one new relationship that would mend most broken links (the first of equals)."""
        found = [
            (s.restores, -i, link, s)
            for i, link in enumerate(self.lost)
            for s in link.suggestions[:1]
        ]
        if not found:
            return None
        _, _, link, suggestion = max(found, key=lambda f: (f[0], f[1]))
        return link, suggestion

    @property
    def most_affected(self) -> list[tuple[str, int]]:
        """Groups in three or more of the lost links, most first (at most five): who is cut off."""
        counts = Counter(g for link in self.lost for g in (link.group_a, link.group_b))
        ranked = sorted(counts.items(), key=lambda c: (-c[1], c[0].casefold()))
        return [(group, n) for group, n in ranked if n >= 3][:5]

    @property
    def lost_shown(self) -> list[LostLink]:
        return self.lost[:LOST_LINKS_SHOWN]

    @property
    def lost_more(self) -> int:
        return max(0, len(self.lost) - LOST_LINKS_SHOWN)

    @property
    def pair_changes_shown(self) -> list[PairChange]:
        return self.pair_changes[:PAIR_CHANGES_SHOWN]

    @property
    def pair_changes_more(self) -> int:
        return max(0, len(self.pair_changes) - PAIR_CHANGES_SHOWN)


def _result_people(result: dict, boundary: str) -> set[int]:
    ids = set(result["people"])
    part = result["boundaries"].get(boundary, {})
    ids.update(r["person"] for r in part.get("risers", []))
    for lost in part.get("step_in", []):
        for s in lost["suggestions"]:
            for fact in s["people"]:
                ids.add(fact["person"])
                ids.update(fact["works_with"])
    return ids


def _people(workspace_id: int, ids: set[int]) -> dict[int, Named]:
    # Named by the main organisation in force today, as the what-if's scores group them.
    main = primary_in_force_q(timezone.localdate(), "affiliations__")
    rows = (
        Person.objects.filter(workspace_id=workspace_id, pk__in=ids)
        .annotate(primary=FilteredRelation("affiliations", condition=main))
        .values_list("pk", "ref", "name", "primary__organisation__name")
    )
    return {
        pk: Named(id=pk, ref=ref, name=name, organisation=org or "") for pk, ref, name, org in rows
    }


def _unknown(pk: int) -> Named:
    # Erased since the answer was stored: the answer keeps ids only, so nothing names them.
    return Named(id=pk, ref="", name="(removed)", organisation="")


def _reason(fact: dict, group: str, boundary: str, people: dict[int, Named]) -> str:
    """Why someone is suggested, in words: who they already work with, where, who trusts them."""
    person = people.get(fact["person"], _unknown(fact["person"]))
    where = group_phrase(boundary, group)
    leavers = [people[pk].name for pk in fact["works_with"] if pk in people]
    trusted = fact["trusted_by"]
    trust = f"is trusted by {_plural(trusted, 'colleague')} there" if trusted else ""
    if leavers:
        tail = f", {where} and {trust}" if trust else f" and {where}"
        return f"{person.name} already works with {_names(leavers)}{tail}"
    if trust:
        return f"{person.name} {where} and {trust}"
    knows = fact["knows"]
    if knows:
        return f"{person.name} {where} and knows {_plural(knows, 'person', 'people')} on the map"
    return f"{person.name} {where}"


def _state(values: dict | None) -> PairState | None:
    if values is None:
        return None
    return PairState(
        relationships=values["relationships"],
        carriers=values["carriers"],
        mean_trust=values["mean_trust"],
        single_point_of_failure=values["single_point_of_failure"],
    )


FIGURE_MEANINGS = (
    (
        "fragmentation",
        "Pairs of people who cannot reach each other (fragmentation)",
        "The share of pairs of people with no chain of relationships between them, 0 to 1 "
        "(0% to 100%).",
        True,
    ),
    (
        "distance_fragmentation",
        "Distance-weighted fragmentation",
        "Like fragmentation, but pairs who are far apart count as partly cut off: 0 when "
        "everyone knows everyone directly, 1 (100%) when nobody knows anyone.",
        True,
    ),
    (
        "components",
        "Separate parts of the map",
        "Groups of people with no relationship to anyone outside their group "
        "(people with no relationships count as a part each).",
        False,
    ),
    ("isolates", "People with no relationships", "People with no recorded relationship.", False),
    (
        "people_count",
        "People in the map",
        "Everyone in the map, before and after they leave.",
        False,
    ),
)


def whatif_answer(*, workspace: Workspace, result: dict, boundary: str) -> Answer:
    """A stored what-if result with names and group labels, for one boundary (two queries)."""
    labels = group_labels(workspace_id=workspace.pk, boundary=boundary)
    people = _people(workspace.pk, _result_people(result, boundary))
    part = result["boundaries"][boundary]

    def label(group: str) -> str:
        return labels.get(group, group)

    def person(pk: int) -> Named:
        return people.get(pk, _unknown(pk))

    suggestions = {tuple(s["groups"]): s for s in part["step_in"]}
    lost = []
    disconnected = _pairs(part["disconnected"])
    short = short_routes_only(_pairs(part["distant"]), disconnected)
    for kind, pairs in (("connection", disconnected), ("short route", short)):
        for a, b in pairs:
            found = suggestions.get((a, b), {}).get("suggestions", [])
            lost.append(
                LostLink(
                    group_a=label(a),
                    group_b=label(b),
                    lost=kind,
                    suggestions=[
                        Suggestion(
                            first=person(s["people"][0]["person"]),
                            second=person(s["people"][1]["person"]),
                            restores=s["restores"],
                            reason="; ".join(
                                _reason(fact, label(g), boundary, people)
                                for fact, g in zip(s["people"], (a, b), strict=True)
                            ),
                        )
                        for s in found
                    ],
                    worked_out=(a, b) in suggestions,
                )
            )
    figures = [
        Figure(
            label=title,
            meaning=meaning,
            before=result[key][0],
            after=result[key][1],
            share=share,
        )
        for key, title, meaning, share in FIGURE_MEANINGS
    ]
    changes = [
        PairChange(
            group_a=label(c["groups"][0]),
            group_b=label(c["groups"][1]),
            before=_state(c["before"]),
            after=_state(c["after"]),
        )
        for c in part["pairs"]
    ]
    risers = [
        Riser(
            person=person(r["person"]),
            group=label(r["group"]) if r["group"] else NO_GROUP,
            before=r["before"],
            after=r["after"],
        )
        for r in part["risers"]
    ]
    leavers = sorted(
        (person(pk) for pk in result["people"]), key=lambda p: (p.name.casefold(), p.id)
    )
    return Answer(
        boundary=boundary,
        leavers=leavers,
        missing=len(result.get("missing", [])),
        figures=figures,
        lost=lost,
        disconnected=len(disconnected),
        short_routes=len(short),
        pair_changes=changes,
        risers=risers,
        notes=list(result.get("notes", [])),
    )


# --- CSV --------------------------------------------------------------------------

WHATIF_HEADER = (
    "Table", "Boundary", "Group A", "Group B", "Ref", "Name", "Organisation", "Measure",
    "Before", "After", "Change", "With ref", "With name", "With organisation", "Note",
)  # fmt: skip


def whatif_rows(answer: Answer) -> Iterator[tuple]:
    """Every table of the what-if page, one CSV with a Table column, full precision."""
    yield WHATIF_HEADER
    boundary = Boundary(answer.boundary).label
    blank = ("",) * 3
    notes = list(answer.notes)
    if answer.missing:
        notes.append(
            f"{_plural(answer.missing, 'person', 'people')} asked about "
            f"{'is' if answer.missing == 1 else 'are'} not in the map any more and left out."
        )
    for note in notes:
        yield ("Notes", "", "", "", "", "", "", "", "", "", "", *blank, note)
    for p in answer.leavers:
        yield ("Who leaves", "", "", "", p.ref, p.name, p.organisation, "", "", "", "", *blank, "")
    for f in answer.figures:
        yield ("Before and after", "", "", "", "", "", "", f.label, f.before, f.after, f.change,
               *blank, f.meaning)  # fmt: skip
    for link in answer.lost:
        yield ("Links that would break", boundary, link.group_a, link.group_b, "", "", "",
               link.lost_label, "", "", "", *blank, "")  # fmt: skip
    for link in answer.lost:
        for s in link.suggestions:
            yield (
                "Who could step in", boundary, link.group_a, link.group_b, s.first.ref,
                s.first.name, s.first.organisation, "Lost links a new tie would restore", "",
                s.restores, "", s.second.ref, s.second.name, s.second.organisation, s.reason,
            )  # fmt: skip
    for c in answer.pair_changes:
        for measure, attr in (
            ("Relationships", "relationships"),
            ("People carrying the ties", "carriers"),
            ("Mean trust", "mean_trust"),
            ("Hangs on one person", "single_point_of_failure"),
        ):
            # A side with no relationships has none, and nobody carrying them (as the
            # page shows); its mean trust and single point of failure are undefined.
            none = 0 if attr in ("relationships", "carriers") else None
            before = getattr(c.before, attr) if c.before else none
            after = getattr(c.after, attr) if c.after else none
            change = (
                after - before
                if isinstance(before, int | float)
                and isinstance(after, int | float)
                and not isinstance(before, bool)
                else None
            )
            yield ("Partnership health", boundary, c.group_a, c.group_b, "", "", "", measure,
                   before, after, change, *blank, c.summary)  # fmt: skip
    for r in answer.risers:
        yield ("Broker score risers", boundary, r.group, "", r.person.ref, r.person.name,
               r.person.organisation, "Broker score", r.before, r.after, r.change,
               *blank, "")  # fmt: skip
