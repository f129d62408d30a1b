"""The what-if computation: the map without some people, scored again.

Task side only: this loads the score run and the analysis engine (numba, scipy),
so only the body of stakeholders.tasks.whatif_run and the `whatif` command import
it; pages read the stored answer (stakeholders.scenarios.leaves).

For the people who leave it works out, on the data as it stands:
- fragmentation and distance-weighted fragmentation before and after, and the
  pairs of groups that lose their last connection or their last short route
  (stakeholders.analysis.key_people.removal);
- every score on the remaining network (stakeholders.analysis.analyse): the
  partnership health of each pair of groups and everyone's broker score, set
  against the same figures before (the score run's stored rows when they were
  computed from this same data, else an analysis of the whole network);
- who could step in: for each lost link, up to three new ties between someone on
  each side that would restore the most lost links of that boundary, preferring
  people who already work with a leaver (see _step_in).

The answer holds ids, group keys and numbers only (never names), as JSON.
"""

import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.utils import timezone

from stakeholders import analysis
from stakeholders.analysis import BOUNDARIES, key_people
from stakeholders.analysis.inputs import DEFAULT_OPTIONS
from stakeholders.models import PairScore, PersonScore, RunStatus, ScoreRun, WhatIf
from stakeholders.score_runs import (
    ScoreInput,
    input_fingerprint,
    layout_fingerprint,
    score_input,
    workspace_organisations,
)

logger = logging.getLogger(__name__)

RESULT_VERSION = 2  # 2: suggestions for every lost link (1: the first 60 per boundary)
# Broker score risers kept per boundary.
RISERS = 10
# Suggested new ties per lost link, from this many candidates on each side.
SUGGESTIONS = 3
CANDIDATES_PER_GROUP = 6
# Leavers named as someone's existing contact, at most.
WORKS_WITH_SHOWN = 3


def whatif_execute(*, whatif_id: int) -> str:
    """Answer a queued what-if and store the answer; returns its final status.

    Only a queued question is taken (so two workers never both answer it). A
    failure is stored with its message (ids and library text only) and logged.
    """
    if not WhatIf.objects.filter(pk=whatif_id, status=RunStatus.QUEUED).update(
        status=RunStatus.RUNNING
    ):
        status = WhatIf.objects.filter(pk=whatif_id).values_list("status", flat=True).first()
        return status or "missing"
    whatif = WhatIf.objects.select_related("run").get(pk=whatif_id)
    try:
        result = whatif_result(
            workspace_id=whatif.workspace_id, run=whatif.run, people=whatif.people
        )
    except Exception as exc:
        logger.exception("What-if %s for workspace %s failed", whatif_id, whatif.workspace_id)
        WhatIf.objects.filter(pk=whatif_id).update(
            status=RunStatus.FAILED,
            error=f"{type(exc).__name__}: {exc}"[:2000],
            finished_at=timezone.now(),
        )
        return RunStatus.FAILED
    WhatIf.objects.filter(pk=whatif_id).update(
        status=RunStatus.SUCCEEDED, result=result, error="", finished_at=timezone.now()
    )
    return RunStatus.SUCCEEDED


@dataclass(frozen=True)
class _Before:
    """Scores before anyone leaves, per boundary: broker scores, pair health, map figures."""

    scores: dict[str, dict[int, float]]
    pairs: dict[str, dict[tuple[str, str], dict]]
    components: int
    isolates: int
    people: int
    source: str  # "stored" (the run's rows) or "computed" (the data changed since)


def whatif_result(*, workspace_id: int, run: ScoreRun | None, people: Iterable[int]) -> dict:
    """The what-if answer for these people leaving, as JSON-able ids and numbers."""
    data = score_input(workspace_id=workspace_id)
    present = set(data.people)
    asked = sorted(set(people))
    removed = [p for p in asked if p in present]
    gone = set(removed)
    remaining = tuple(p for p in data.people if p not in gone)
    ties = tuple(t for t in data.ties if t.source not in gone and t.target not in gone)
    lost = key_people.removal(
        people=data.people, groups=data.groups, ties=data.ties, removed=removed
    )
    after = analysis.analyse(
        people=remaining,
        groups=data.groups,
        ties=ties,
        seniority=data.seniority,
        options=DEFAULT_OPTIONS,
        weighted=False,  # broker scores and partnerships only
    )
    before = _before(run, data)
    pairs_after = _analysis_pairs(after)
    summary_after = after.summaries[BOUNDARIES[0]]
    notes = []
    if before.source == "computed" and run is not None:
        notes.append(
            "The data changed after the scores on screen were calculated: this answer "
            "compares the data as it is now with and without them."
        )
    return {
        "version": RESULT_VERSION,
        "people": removed,
        "missing": [p for p in asked if p not in present],
        "before_from": before.source,
        "fragmentation": [lost.fragmentation_before, lost.fragmentation_after],
        "distance_fragmentation": [
            lost.distance_fragmentation_before,
            lost.distance_fragmentation_after,
        ],
        "components": [before.components, summary_after.components],
        "isolates": [before.isolates, summary_after.isolates],
        "people_count": [before.people, summary_after.people],
        "boundaries": {
            b: _boundary(b, data, removed, ties, lost, before, after, pairs_after[b])
            for b in BOUNDARIES
        },
        "notes": notes,
    }


# --- Before ------------------------------------------------------------------------


def _pair_values(relationships: int, carriers: int, mean_trust, spof: bool) -> dict:
    return {
        "relationships": relationships,
        "carriers": carriers,
        "mean_trust": mean_trust,
        "single_point_of_failure": bool(spof),
    }


def _analysis_pairs(result: "analysis.Analysis") -> dict[str, dict[tuple[str, str], dict]]:
    return {
        b: {
            (str(p.group_a), str(p.group_b)): _pair_values(
                p.relationships, len(p.carriers), p.mean_trust, p.single_point_of_failure
            )
            for p in rows
        }
        for b, rows in result.pairs.items()
    }


def scores_fingerprint(workspace_id: int, data: ScoreInput) -> str:
    """The fingerprint the default score run stores for this data (score_runs, with layout)."""
    return layout_fingerprint(
        input_fingerprint(data, DEFAULT_OPTIONS), workspace_organisations(workspace_id)
    )


def _before(run: ScoreRun | None, data: ScoreInput) -> _Before:
    """The run's stored scores when they come from this data; else computed now."""
    workspace_id = run.workspace_id if run is not None else None
    if run is not None and run.fingerprint == scores_fingerprint(workspace_id, data):
        scores: dict[str, dict[int, float]] = defaultdict(dict)
        for boundary, person, score in (
            PersonScore.objects.filter(run=run)
            .order_by()
            .values_list("boundary", "person_id", "broker_score")
        ):
            scores[boundary][person] = score
        pairs: dict[str, dict[tuple[str, str], dict]] = defaultdict(dict)
        for boundary, a, b, rels, carriers, trust, spof in (
            PairScore.objects.filter(run=run)
            .order_by()
            .values_list(
                "boundary", "group_a", "group_b", "relationships", "carriers", "mean_trust",
                "single_point_of_failure",
            )
        ):  # fmt: skip
            pairs[boundary][(a, b)] = _pair_values(rels, carriers, trust, spof)
        summary = run.summary.get(BOUNDARIES[0], {})
        return _Before(
            scores=dict(scores),
            pairs=dict(pairs),
            components=summary.get("components", 0),
            isolates=summary.get("isolates", 0),
            people=summary.get("people", run.people_count),
            source="stored",
        )
    full = analysis.analyse(
        people=data.people,
        groups=data.groups,
        ties=data.ties,
        seniority=data.seniority,
        options=DEFAULT_OPTIONS,
        weighted=False,  # broker scores and partnerships only
    )
    summary = full.summaries[BOUNDARIES[0]]
    return _Before(
        scores={
            b: {p: s.broker.score for p, s in by_person.items()}
            for b, by_person in full.persons.items()
        },
        pairs=_analysis_pairs(full),
        components=summary.components,
        isolates=summary.isolates,
        people=summary.people,
        source="computed",
    )


# --- One boundary ---------------------------------------------------------------------


def _boundary(
    boundary: str,
    data: ScoreInput,
    removed: Sequence[int],
    ties: Sequence,
    lost: "key_people.Removal",
    before: _Before,
    after: "analysis.Analysis",
    pairs_after: dict[tuple[str, str], dict],
) -> dict:
    groups = data.groups[boundary]
    leaving = {groups[p] for p in removed if p in groups}

    def oriented(pair) -> tuple[str, str]:
        # The leavers' group first, so a list of links reads from where they leave.
        a, b = str(pair[0]), str(pair[1])
        return (b, a) if b in leaving and a not in leaving else (a, b)

    disconnected = [oriented(p) for p in lost.disconnected_pairs.get(boundary, ())]
    cut = set(disconnected)
    short = [
        pair
        for pair in (oriented(p) for p in lost.distant_pairs.get(boundary, ()))
        if pair not in cut
    ]
    pairs_before = before.pairs.get(boundary, {})

    def weight(pair: tuple[str, str]) -> int:
        return pairs_before.get(tuple(sorted(pair)), {}).get("relationships", 0)

    # The links with most relationships before come first, then by group key.
    disconnected.sort(key=lambda p: (-weight(p), p))
    short.sort(key=lambda p: (-weight(p), p))
    scores_before = before.scores.get(boundary, {})
    scores_after = after.persons[boundary]
    return {
        "disconnected": [list(p) for p in disconnected],
        "distant": [list(p) for p in short],
        "pairs": _pair_changes(pairs_before, pairs_after, oriented),
        "risers": _risers(scores_before, scores_after, groups),
        "step_in": _step_in(
            groups=groups,
            remaining=after.people,
            removed=set(removed),
            all_ties=data.ties,
            ties=ties,
            score_after={p: s.broker.score for p, s in scores_after.items()},
            disconnected=disconnected,
            short=short,
        ),
    }


def _pair_changes(
    before: dict[tuple[str, str], dict], after: dict[tuple[str, str], dict], oriented
) -> list[dict]:
    """Pairs of groups whose partnership health changes: lost first, then most relationships."""
    changed = [key for key in before.keys() | after.keys() if before.get(key) != after.get(key)]

    def order(key: tuple[str, str]) -> tuple:
        b, a = before.get(key), after.get(key)
        newly_fragile = bool(a and a["single_point_of_failure"]) and not (
            b and b["single_point_of_failure"]
        )
        lost = (b["relationships"] if b else 0) - (a["relationships"] if a else 0)
        return (a is not None, not newly_fragile, -lost, key)

    return [
        {"groups": list(oriented(key)), "before": before.get(key), "after": after.get(key)}
        for key in sorted(changed, key=order)
    ]


def _risers(
    before: dict[int, float], after: dict[int, "analysis.PersonScores"], groups: dict[int, str]
) -> list[dict]:
    """Whose broker score rises most on the remaining network (rises only)."""
    rises = [
        (s.broker.score - before[p], p)
        for p, s in after.items()
        if p in before and s.broker.score > before[p]
    ]
    rises.sort(key=lambda r: (-r[0], r[1]))
    return [
        {
            "person": p,
            "group": groups.get(p, ""),
            "before": before[p],
            "after": after[p].broker.score,
        }
        for _, p in rises[:RISERS]
    ]


# --- Who could step in --------------------------------------------------------------------


def _components(people: Sequence[int], adjacency: dict[int, set[int]]) -> dict[int, int]:
    """Connected component (a representative id) of each person, by breadth-first search."""
    component: dict[int, int] = {}
    for start in people:
        if start in component:
            continue
        component[start] = start
        frontier = [start]
        while frontier:
            nxt = []
            for v in frontier:
                for w in adjacency[v]:
                    if w not in component:
                        component[w] = start
                        nxt.append(w)
            frontier = nxt
    return component


def _step_in(
    *,
    groups: dict[int, str],
    remaining: Sequence[int],
    removed: set[int],
    all_ties: Sequence,
    ties: Sequence,
    score_after: dict[int, float],
    disconnected: list[tuple[str, str]],
    short: list[tuple[str, str]],
) -> list[dict]:
    """Up to three new ties per lost link that would restore the most lost links.

    A new tie u - v (u in group A, v in group B) restores a lost connection
    between X and Y when it joins a part of the map holding people of X to a part
    holding people of Y; it restores a lost short route between X and Y when it
    makes a chain of at most two relationships between them: u in X and v, or
    one of v's contacts, in Y (or the other way round). Candidates on each side
    are the people there who already work with a leaver, then those most trusted
    by colleagues (a `trusts` tie from someone in their group), then by broker
    score on the remaining network, taking someone from each separate part of the
    map first. Among the candidate ties the ones restoring most lost links win,
    then the same preferences; no person is suggested twice for one link.
    """
    if not disconnected and not short:
        return []
    adjacency: dict[int, set[int]] = {p: set() for p in remaining}
    trusted_by: dict[int, set[int]] = defaultdict(set)
    for t in ties:
        if t.source == t.target:
            continue
        adjacency[t.source].add(t.target)
        adjacency[t.target].add(t.source)
        colleagues = groups.get(t.source) is not None and groups.get(t.source) == groups.get(
            t.target
        )
        if t.kind == "trusts" and colleagues:
            trusted_by[t.target].add(t.source)
    leaver_contacts: dict[int, set[int]] = defaultdict(set)
    for t in all_ties:
        if t.source in removed and t.target not in removed:
            leaver_contacts[t.target].add(t.source)
        elif t.target in removed and t.source not in removed:
            leaver_contacts[t.source].add(t.target)
    component = _components(remaining, adjacency)
    component_groups: dict[int, set[str]] = defaultdict(set)
    members: dict[str, list[int]] = defaultdict(list)
    for p in remaining:
        g = groups.get(p)
        if g is not None:
            component_groups[component[p]].add(g)
            members[g].append(p)
    near = {}  # groups within one step: one's own and one's contacts'

    def near_groups(p: int) -> set[str]:
        if p not in near:
            near[p] = {groups[w] for w in adjacency[p] if w in groups} | {groups[p]}
        return near[p]

    def preference(p: int) -> tuple:
        return (-len(leaver_contacts[p]), -len(trusted_by[p]), -score_after.get(p, 0.0), p)

    candidates: dict[str, list[int]] = {}

    def candidates_in(g: str) -> list[int]:
        if g not in candidates:
            ranked = sorted(members[g], key=preference)
            chosen, parts = [], set()
            for p in ranked:  # someone from each part of the map first
                if component[p] not in parts and len(chosen) < CANDIDATES_PER_GROUP:
                    chosen.append(p)
                    parts.add(component[p])
            for p in ranked:
                if len(chosen) >= CANDIDATES_PER_GROUP:
                    break
                if p not in chosen:
                    chosen.append(p)
            candidates[g] = sorted(chosen, key=preference)
        return candidates[g]

    restores = _restore_counter(
        disconnected=disconnected,
        short=short,
        groups=groups,
        component=component,
        component_groups=component_groups,
        near_groups=near_groups,
    )

    def fact(p: int) -> dict:
        return {
            "person": p,
            "works_with": sorted(leaver_contacts[p])[:WORKS_WITH_SHOWN],
            "trusted_by": len(trusted_by[p]),
            "knows": len(adjacency[p]),
        }

    answers = []
    links = [(p, "connection") for p in disconnected] + [(p, "short route") for p in short]
    # Per candidate, once: works with a leaver, then -trusted by, then -broker score.
    ties_break = {
        p: (-bool(leaver_contacts[p]), *preference(p)[1:3])
        for group in {g for link, _ in links for g in link}
        for p in candidates_in(group)
    }
    for (a, b), kind in links:
        scored = []
        for u in candidates_in(a):
            tu = ties_break[u]
            for v in candidates_in(b):
                tv = ties_break[v]
                scored.append((-restores(u, v), tu[0] + tv[0], tu[1] + tv[1], tu[2] + tv[2], u, v))
        scored.sort()
        picked, used = [], set()
        for negative, *_, u, v in scored:
            if u in used or v in used:
                continue
            picked.append({"people": [fact(u), fact(v)], "restores": -negative})
            used.update((u, v))
            if len(picked) == SUGGESTIONS:
                break
        answers.append({"groups": [a, b], "lost": kind, "suggestions": picked})
    return answers


def _restore_counter(
    *,
    disconnected: list[tuple[str, str]],
    short: list[tuple[str, str]],
    groups: dict[int, str],
    component: dict[int, int],
    component_groups: dict[int, set[str]],
    near_groups,
):
    """How many lost links a new tie u - v restores (see _step_in), in a few set lookups.

    Connections: the count depends only on the two parts of the map the tie joins,
    so it is worked out once per pair of parts. Short routes: the lost pairs
    {gu, h} with h near v, and {gv, h} with h near u; the two sets share at most
    the pair {gu, gv} itself (u and v are never in the same group).
    """
    by_parts: dict[tuple[int, int], int] = {}
    partners: dict[str, set[str]] = defaultdict(set)
    for x, y in short:
        partners[x].add(y)
        partners[y].add(x)

    def restores(u: int, v: int) -> int:
        cu, cv = component[u], component[v]
        count = 0
        if cu != cv:
            key = (min(cu, cv), max(cu, cv))
            if key not in by_parts:
                in_u, in_v = component_groups[cu], component_groups[cv]
                by_parts[key] = sum(
                    1
                    for x, y in disconnected
                    if (x in in_u and y in in_v) or (y in in_u and x in in_v)
                )
            count = by_parts[key]
        gu, gv = groups[u], groups[v]
        count += len(partners[gu] & near_groups(v)) + len(partners[gv] & near_groups(u))
        return count - (gv in partners[gu])

    return restores
