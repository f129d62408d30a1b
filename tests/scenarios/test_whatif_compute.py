"""The what-if computation: the answer equals a direct computation on the remaining network.

The map (build_leavers_map): Kieran Leach (hospital) is the only link from the
hospital to the council and to the district council. The council and the district
stay connected without him, but only through the carers (three steps), so they lose
their last short route. Iris (carers) has no ties; Nat has no organisation.
"""

import itertools
from dataclasses import dataclass

import networkx as nx
import pytest
from django.db import transaction
from django.utils import timezone

from stakeholders import score_runs
from stakeholders.analysis import BOUNDARIES, analyse, key_people
from stakeholders.analysis.inputs import DEFAULT_OPTIONS, Tie
from stakeholders.models import Organisation, Person, RunStatus, ScoreRun, WhatIf, Workspace
from stakeholders.scenarios import leaves, whatif_compute
from stakeholders.selectors import current_run
from tests.factories import (
    AffiliationFactory,
    OrganisationFactory,
    PersonFactory,
    RelationshipFactory,
)


@dataclass
class LeaversMap:
    workspace: Workspace
    run: ScoreRun
    hospital: Organisation
    council: Organisation
    district: Organisation
    carers: Organisation
    people: dict[str, Person]

    def __getattr__(self, name: str) -> Person:
        try:
            return self.__dict__["people"][name]
        except KeyError:
            raise AttributeError(name) from None


def build_leavers_map(workspace: Workspace, *, score: bool = True) -> LeaversMap:
    hospital = OrganisationFactory(workspace=workspace, name="Fenwick Hospitals")
    council = OrganisationFactory(
        workspace=workspace,
        name="Fenwick County Council",
        kind="county_council",
        sector="local_government",
        tier="place",
    )
    district = OrganisationFactory(
        workspace=workspace,
        name="Marsh Vale District Council",
        kind="district_council",
        sector="local_government",
        tier="place",
    )
    carers = OrganisationFactory(
        workspace=workspace, name="Fenwick Carers", kind="vcse", sector="vcse", tier="neighbourhood"
    )
    people = {}
    for key, name, org, title in (
        ("kieran", "Kieran Leach", hospital, "Director of Partnerships"),
        ("hana", "Hana Hill", hospital, "Deputy Director"),
        ("harry", "Harry Hunt", hospital, "Matron"),
        ("hugo", "Hugo Hart", hospital, "Ward Manager"),
        ("tom", "Tom Green", hospital, "Chief Nurse"),
        ("cora", "Cora Cole", council, "Director of Adult Social Care"),
        ("colin", "Colin Crane", council, "Head of Commissioning"),
        ("cath", "Cath Cross", council, "Social Worker"),
        ("asha", "Asha Patel", district, "Head of Housing"),
        ("dom", "Dom Dale", district, "Housing Officer"),
        ("val", "Val Vance", carers, "Coordinator"),
        ("vic", "Vic Vale", carers, "Volunteer Lead"),
        ("iris", "Iris Alone", carers, "Volunteer"),
        ("nat", "Nat Nowhere", None, "Consultant"),
    ):
        person = PersonFactory(
            workspace=workspace, name=name, ref=f"LM-{key.upper()}", job_title=title
        )
        if org is not None:
            AffiliationFactory(person=person, organisation=org, role_title=title)
        people[key] = person
    p = people
    for source, target, kind in (
        ("kieran", "hana", "collaborates"),
        ("kieran", "cora", "collaborates"),
        ("asha", "kieran", "trusts"),
        ("hana", "harry", "collaborates"),
        ("harry", "hugo", "collaborates"),
        ("hana", "tom", "trusts"),
        ("harry", "tom", "trusts"),
        ("hugo", "nat", "influences"),
        ("cora", "colin", "collaborates"),
        ("colin", "cath", "reports_to"),
        ("cath", "val", "collaborates"),
        ("val", "vic", "collaborates"),
        ("vic", "dom", "collaborates"),
        ("asha", "dom", "collaborates"),
    ):
        RelationshipFactory(source=p[source], target=p[target], kind=kind)
    # The factories queued background runs; this test scores once, by hand.
    transaction.get_connection().run_on_commit.clear()
    run = None
    if score:
        run = score_runs.score_run_execute(workspace_id=workspace.pk)
        assert run.status == RunStatus.SUCCEEDED, run.error
    return LeaversMap(
        workspace=workspace,
        run=run,
        hospital=hospital,
        council=council,
        district=district,
        carers=carers,
        people=people,
    )


@pytest.fixture
def leavers_map(workspace) -> LeaversMap:
    return build_leavers_map(workspace)


def _direct(data: score_runs.ScoreInput, removed: list[int]) -> dict:
    """The what-if figures straight from removal() and analyse(), without the app."""
    gone = set(removed)
    remaining = tuple(p for p in data.people if p not in gone)
    ties = tuple(t for t in data.ties if t.source not in gone and t.target not in gone)
    lost = key_people.removal(
        people=data.people, groups=data.groups, ties=data.ties, removed=removed
    )
    full = analyse(people=data.people, groups=data.groups, ties=data.ties, seniority=data.seniority)
    after = analyse(people=remaining, groups=data.groups, ties=ties, seniority=data.seniority)
    return {"lost": lost, "full": full, "after": after}


def _pair_health(result, boundary) -> dict:
    return {
        (str(p.group_a), str(p.group_b)): (
            p.relationships, len(p.carriers), p.mean_trust, p.single_point_of_failure,
        )
        for p in result.pairs[boundary]
    }  # fmt: skip


def test_the_answer_equals_removal_and_analyse_on_the_remaining_network(leavers_map):
    m = leavers_map
    removed = [m.kieran.pk, m.hugo.pk]
    result = whatif_compute.whatif_result(workspace_id=m.workspace.pk, run=m.run, people=removed)
    data = score_runs.score_input(workspace_id=m.workspace.pk)
    direct = _direct(data, removed)
    lost, full, after = direct["lost"], direct["full"], direct["after"]

    assert result["people"] == sorted(removed)
    assert result["before_from"] == "stored"  # the run's rows: the data has not changed
    assert result["fragmentation"] == [lost.fragmentation_before, lost.fragmentation_after]
    assert result["distance_fragmentation"] == [
        lost.distance_fragmentation_before,
        lost.distance_fragmentation_after,
    ]
    summary_before, summary_after = full.summaries["organisation"], after.summaries["organisation"]
    assert result["components"] == [summary_before.components, summary_after.components]
    assert result["isolates"] == [summary_before.isolates, summary_after.isolates]
    assert result["people_count"] == [len(data.people), len(data.people) - 2]
    for b in BOUNDARIES:
        part = result["boundaries"][b]
        cut = {tuple(sorted(p)) for p in lost.disconnected_pairs[b]}
        assert {tuple(sorted(p)) for p in part["disconnected"]} == cut
        assert {tuple(sorted(p)) for p in part["distant"]} == {
            tuple(sorted(p)) for p in lost.distant_pairs[b]
        } - cut
        # Partnership health: every pair whose figures differ, before and after.
        before, later = _pair_health(full, b), _pair_health(after, b)
        changed = {k for k in before.keys() | later.keys() if before.get(k) != later.get(k)}
        assert {tuple(sorted(c["groups"])) for c in part["pairs"]} == changed
        for c in part["pairs"]:
            key = tuple(sorted(c["groups"]))
            for side, expected in (("before", before.get(key)), ("after", later.get(key))):
                got = c[side]
                assert (
                    None
                    if got is None
                    else (
                        got["relationships"], got["carriers"], got["mean_trust"],
                        got["single_point_of_failure"],
                    )
                ) == expected  # fmt: skip
        # Broker score risers: the largest rises, scores from the two analyses.
        rises = sorted(
            (
                (s.broker.score - full.persons[b][p].broker.score, p)
                for p, s in after.persons[b].items()
                if s.broker.score > full.persons[b][p].broker.score
            ),
            key=lambda r: (-r[0], r[1]),
        )[: whatif_compute.RISERS]
        assert [(r["person"], r["before"], r["after"]) for r in part["risers"]] == [
            (p, full.persons[b][p].broker.score, after.persons[b][p].broker.score) for _, p in rises
        ]


def test_the_lost_links_match_a_plain_networkx_check(leavers_map):
    m = leavers_map
    result = whatif_compute.whatif_result(
        workspace_id=m.workspace.pk, run=m.run, people=[m.kieran.pk]
    )
    data = score_runs.score_input(workspace_id=m.workspace.pk)
    graph = nx.Graph()
    graph.add_nodes_from(data.people)
    graph.add_edges_from((t.source, t.target) for t in data.ties)
    rest = graph.subgraph(p for p in data.people if p != m.kieran.pk)
    groups = data.groups["organisation"]

    def links(g: nx.Graph, within: int) -> set[tuple[str, str]]:
        found = set()
        for source, lengths in nx.all_pairs_shortest_path_length(g, cutoff=within):
            for target in lengths:
                a, b = groups.get(source), groups.get(target)
                if a and b and a != b:
                    found.add(tuple(sorted((a, b))))
        return found

    left = {groups[p] for p in rest if p in groups}
    alive = {(a, b) for a, b in itertools.combinations(sorted(left), 2)}
    n = len(data.people)
    part = result["boundaries"]["organisation"]
    assert {tuple(sorted(p)) for p in part["disconnected"]} == (
        links(graph, n) - links(rest, n)
    ) & alive
    assert {tuple(sorted(p)) for p in part["distant"]} == (
        (links(graph, 2) - links(rest, 2)) & alive
    ) - (links(graph, n) - links(rest, n))
    hospital, council, district, carers = (
        str(o.pk) for o in (m.hospital, m.council, m.district, m.carers)
    )
    assert {tuple(sorted(p)) for p in part["disconnected"]} == {
        tuple(sorted(p)) for p in [(hospital, council), (hospital, district), (hospital, carers)]
    }
    assert [tuple(sorted(p)) for p in part["distant"]] == [tuple(sorted((council, district)))]
    # The leaver's own organisation is named first in each lost link.
    assert all(p[0] == hospital for p in part["disconnected"])


def _brute_force_restores(data, removed: list[int], boundary: str, u: int, v: int) -> int:
    """Lost links mended by a new tie u - v: removal() run again with the tie added."""
    kw = {"people": data.people, "groups": data.groups, "removed": removed}
    without = key_people.removal(ties=data.ties, **kw)
    with_tie = key_people.removal(
        ties=(*data.ties, Tie(source=u, target=v, kind="collaborates", strength=3)), **kw
    )
    cut = set(without.disconnected_pairs[boundary])
    short = set(without.distant_pairs[boundary]) - cut
    return len(cut - set(with_tie.disconnected_pairs[boundary])) + len(
        short - set(with_tie.distant_pairs[boundary])
    )


@pytest.mark.parametrize("boundary", BOUNDARIES)
def test_each_suggested_tie_mends_as_many_links_as_it_says(leavers_map, boundary):
    m = leavers_map
    removed = [m.kieran.pk]
    result = whatif_compute.whatif_result(workspace_id=m.workspace.pk, run=m.run, people=removed)
    data = score_runs.score_input(workspace_id=m.workspace.pk)
    groups = data.groups[boundary]
    step_in = result["boundaries"][boundary]["step_in"]
    lost = result["boundaries"][boundary]
    assert [s["groups"] for s in step_in] == lost["disconnected"] + lost["distant"]
    for link in step_in:
        assert 0 < len(link["suggestions"]) <= whatif_compute.SUGGESTIONS
        people = [p["person"] for s in link["suggestions"] for p in s["people"]]
        assert len(people) == len(set(people))  # nobody suggested twice for one link
        for s in link["suggestions"]:
            u, v = (p["person"] for p in s["people"])
            assert (groups[u], groups[v]) == tuple(link["groups"])
            assert m.kieran.pk not in (u, v)
            assert s["restores"] == _brute_force_restores(data, removed, boundary, u, v)
        counts = [s["restores"] for s in link["suggestions"]]
        assert counts == sorted(counts, reverse=True)


def test_who_could_step_in_prefers_people_who_already_work_with_the_leaver(leavers_map):
    m = leavers_map
    result = whatif_compute.whatif_result(
        workspace_id=m.workspace.pk, run=m.run, people=[m.kieran.pk]
    )
    step_in = {tuple(s["groups"]): s for s in result["boundaries"]["organisation"]["step_in"]}
    hospital_council = step_in[(str(m.hospital.pk), str(m.council.pk))]
    best = hospital_council["suggestions"][0]
    # Hana and Cora both work with Kieran; a tie between them rejoins the hospital to all three.
    assert [p["person"] for p in best["people"]] == [m.hana.pk, m.cora.pk]
    assert best["restores"] == 3
    assert best["people"][0]["works_with"] == [m.kieran.pk]
    council_district = step_in[(str(m.council.pk), str(m.district.pk))]
    assert council_district["lost"] == "short route"
    assert [p["person"] for p in council_district["suggestions"][0]["people"]] == [
        m.cora.pk,
        m.asha.pk,
    ]

    answer = leaves.whatif_answer(workspace=m.workspace, result=result, boundary="organisation")
    link = next(x for x in answer.lost if x.group_b == "Fenwick County Council")
    assert link.group_a == "Fenwick Hospitals"
    assert link.suggestions[0].reason == (
        "Hana Hill already works with Kieran Leach and is at Fenwick Hospitals; "
        "Cora Cole already works with Kieran Leach and is at Fenwick County Council"
    )
    # Without anyone tied to the leaver, the one trusted by colleagues comes next.
    carers_link = next(x for x in answer.lost if x.group_b == "Fenwick Carers")
    reasons = [s.reason for s in carers_link.suggestions]
    assert any(
        "Tom Green is at Fenwick Hospitals and is trusted by 2 colleagues" in r for r in reasons
    )
    assert answer.best[1].restores == 3


def test_the_data_changing_after_the_run_computes_both_sides_from_the_data_now(leavers_map):
    m = leavers_map
    RelationshipFactory(source=m.hugo, target=m.colin, kind="collaborates")
    transaction.get_connection().run_on_commit.clear()
    result = whatif_compute.whatif_result(
        workspace_id=m.workspace.pk, run=m.run, people=[m.kieran.pk]
    )
    assert result["before_from"] == "computed"
    assert result["notes"]
    data = score_runs.score_input(workspace_id=m.workspace.pk)
    direct = _direct(data, [m.kieran.pk])
    # With Hugo - Colin the hospital keeps its connection to everyone.
    assert result["boundaries"]["organisation"]["disconnected"] == []
    risers = result["boundaries"]["organisation"]["risers"]
    full = direct["full"].persons["organisation"]
    assert all(r["before"] == full[r["person"]].broker.score for r in risers)


def test_the_scores_fingerprint_matches_the_score_run(leavers_map):
    m = leavers_map
    data = score_runs.score_input(workspace_id=m.workspace.pk)
    assert whatif_compute.scores_fingerprint(m.workspace.pk, data) == m.run.fingerprint


def test_people_no_longer_in_the_map_are_left_out_and_counted(leavers_map):
    m = leavers_map
    result = whatif_compute.whatif_result(
        workspace_id=m.workspace.pk, run=m.run, people=[m.kieran.pk, 999_999]
    )
    assert result["people"] == [m.kieran.pk]
    assert result["missing"] == [999_999]


def test_everyone_leaving_is_answered_too(leavers_map):
    m = leavers_map
    everyone = [p.pk for p in m.people.values()]
    result = whatif_compute.whatif_result(workspace_id=m.workspace.pk, run=m.run, people=everyone)
    assert result["fragmentation"][1] == 0.0
    assert result["people_count"][1] == 0
    assert all(not part["step_in"] for part in result["boundaries"].values())


# --- The stored question and its worker ----------------------------------------------------


def test_asking_twice_stores_one_question_and_queues_it_once(
    leavers_map, django_capture_on_commit_callbacks
):
    m = leavers_map
    with django_capture_on_commit_callbacks() as queued:
        first = leaves.whatif_ask(workspace=m.workspace, run=m.run, people=(m.hugo.pk, m.kieran.pk))
        again = leaves.whatif_ask(
            workspace=m.workspace, run=m.run, people=(m.kieran.pk, m.hugo.pk, m.kieran.pk)
        )
    assert first.pk == again.pk
    assert first.people == sorted([m.kieran.pk, m.hugo.pk])
    assert first.key == leaves.whatif_key([m.hugo.pk, m.kieran.pk])
    assert first.status == RunStatus.QUEUED
    assert len(queued) == 1
    assert WhatIf.objects.count() == 1


def test_the_worker_answers_a_queued_question_once(leavers_map):
    m = leavers_map
    whatif = leaves.whatif_ask(workspace=m.workspace, run=m.run, people=(m.kieran.pk,))
    assert whatif_compute.whatif_execute(whatif_id=whatif.pk) == RunStatus.SUCCEEDED
    whatif.refresh_from_db()
    assert whatif.status == RunStatus.SUCCEEDED
    assert whatif.finished_at is not None
    assert whatif.result["people"] == [m.kieran.pk]
    # Taken already: a second worker leaves it alone.
    assert whatif_compute.whatif_execute(whatif_id=whatif.pk) == RunStatus.SUCCEEDED
    assert whatif_compute.whatif_execute(whatif_id=999_999) == "missing"


def test_the_answer_holds_ids_and_numbers_never_names(leavers_map):
    m = leavers_map
    whatif = leaves.whatif_ask(workspace=m.workspace, run=m.run, people=(m.kieran.pk,))
    whatif_compute.whatif_execute(whatif_id=whatif.pk)
    whatif.refresh_from_db()
    stored = str(whatif.result)
    for person in m.people.values():
        assert person.name not in stored
    for org in (m.hospital, m.council, m.district, m.carers):
        assert org.name not in stored


def test_a_failure_is_stored_with_its_message(leavers_map, monkeypatch):
    m = leavers_map
    whatif = leaves.whatif_ask(workspace=m.workspace, run=m.run, people=(m.kieran.pk,))

    def broken(**kwargs):
        raise ValueError("the engine broke")

    monkeypatch.setattr(whatif_compute, "whatif_result", broken)
    assert whatif_compute.whatif_execute(whatif_id=whatif.pk) == RunStatus.FAILED
    whatif.refresh_from_db()
    assert whatif.status == RunStatus.FAILED
    assert whatif.error == "ValueError: the engine broke"


def test_a_question_whose_worker_stopped_is_asked_again(
    leavers_map, django_capture_on_commit_callbacks
):
    m = leavers_map
    whatif = leaves.whatif_ask(workspace=m.workspace, run=m.run, people=(m.kieran.pk,))
    WhatIf.objects.filter(pk=whatif.pk).update(
        status=RunStatus.RUNNING,
        created_at=timezone.now() - leaves.WHATIF_STALE_AFTER * 2,
    )
    with django_capture_on_commit_callbacks() as queued:
        again = leaves.whatif_ask(workspace=m.workspace, run=m.run, people=(m.kieran.pk,))
    assert again.pk == whatif.pk
    assert WhatIf.objects.get(pk=whatif.pk).status == RunStatus.QUEUED
    assert len(queued) == 1


def test_answers_go_with_their_score_run(leavers_map):
    m = leavers_map
    leaves.whatif_ask(workspace=m.workspace, run=m.run, people=(m.kieran.pk,))
    RelationshipFactory(source=m.hugo, target=m.colin)
    transaction.get_connection().run_on_commit.clear()
    newer = score_runs.score_run_execute(workspace_id=m.workspace.pk)
    assert newer.pk != m.run.pk
    assert current_run(workspace_id=m.workspace.pk) == newer
    assert not WhatIf.objects.exists()


def test_the_run_stores_what_key_people_needs(leavers_map):
    m = leavers_map
    assert set(m.run.key_people) == {"fragmentation", "distance_fragmentation", "sets"}
    assert m.run.options_key == score_runs.options_key(DEFAULT_OPTIONS)


def test_the_restore_count_equals_its_definition_on_random_maps():
    # _restore_counter's set arithmetic against the definition, pair by pair: a new
    # tie u - v restores a lost connection {X, Y} when it joins a part holding X to a
    # part holding Y, and a lost short route {X, Y} when u is in X and v or one of
    # v's contacts in Y (or the other way round).
    import random

    for seed in range(40):
        rng = random.Random(seed)
        names = [f"g{i}" for i in range(rng.randint(3, 8))]
        people = list(range(rng.randint(4, 30)))
        groups = {p: rng.choice(names) for p in people}
        component = {p: rng.randint(0, 3) for p in people}
        component_groups = {}
        for p in people:
            component_groups.setdefault(component[p], set()).add(groups[p])
        near = {p: {groups[p]} | set(rng.sample(names, rng.randint(0, 3))) for p in people}
        pairs = list(itertools.combinations(sorted(names), 2))
        disconnected = rng.sample(pairs, rng.randint(0, len(pairs)))
        short = [p for p in pairs if p not in disconnected and rng.random() < 0.5]
        restores = whatif_compute._restore_counter(
            disconnected=disconnected,
            short=short,
            groups=groups,
            component=component,
            component_groups=component_groups,
            near_groups=near.__getitem__,
        )
        for u, v in itertools.permutations(people, 2):
            if groups[u] == groups[v]:
                continue
            gu, gv = groups[u], groups[v]
            in_u, in_v = component_groups[component[u]], component_groups[component[v]]
            expected = 0
            if component[u] != component[v]:
                expected += sum(
                    1
                    for x, y in disconnected
                    if (x in in_u and y in in_v) or (y in in_u and x in in_v)
                )
            expected += sum(
                1
                for x, y in short
                if (gu == x and y in near[v])
                or (gv == x and y in near[u])
                or (gu == y and x in near[v])
                or (gv == y and x in near[u])
            )
            assert restores(u, v) == expected, (seed, u, v)
