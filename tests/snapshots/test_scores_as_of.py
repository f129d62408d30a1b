"""Scores as of a date: the network then, grouped as people were then."""

import datetime
import random

import pytest
from django.db import transaction

from stakeholders import score_runs, selectors
from stakeholders.models import Affiliation, PersonScore, Relationship, RunStatus
from tests.factories import (
    AffiliationFactory,
    OrganisationFactory,
    PersonFactory,
    RelationshipFactory,
    WorkspaceFactory,
)

D = datetime.date(2025, 6, 30)
KINDS = ["collaborates", "trusts", "reports_to", "influences"]
MEASURES = [
    "group", "degree_in", "degree_out", "external_ties", "groups_reached", "betweenness",
    "boundary_betweenness", "liaison", "gatekeeper", "representative", "constraint",
    "influence", "broker_score",
]  # fmt: skip


def _dates(rng: random.Random) -> tuple[datetime.date | None, datetime.date | None]:
    """Undated, started after D, ended before D, or spanning D (start and end mixed)."""
    start = rng.choice([None, D - datetime.timedelta(days=400), D, D + datetime.timedelta(days=1)])
    end = rng.choice([None, None, D, D - datetime.timedelta(days=1), D + datetime.timedelta(100)])
    if start and end and end < start:
        end = None
    return start, end


@pytest.fixture
def dated_map(workspace):
    """Three organisations; ties and primary affiliations with every kind of date."""
    rng = random.Random(12)
    orgs = [
        OrganisationFactory(workspace=workspace, name=f"Org {i}", sector=sector, tier=tier)
        for i, (sector, tier) in enumerate(
            [("nhs", "system"), ("local_government", "place"), ("vcse", "neighbourhood")]
        )
    ]
    people = [
        PersonFactory(workspace=workspace, ref=f"R{i:02d}", name=f"Person {i:02d}")
        for i in range(16)
    ]
    for i, person in enumerate(people[:14]):
        start, end = _dates(rng) if i % 3 == 0 else (None, None)
        AffiliationFactory(person=person, organisation=orgs[i % 3], start_date=start, end_date=end)
    pairs = set()
    while len(pairs) < 45:
        a, b = rng.sample(people, 2)
        pairs.add((a, b, rng.choice(KINDS)))
    for a, b, kind in sorted(pairs, key=lambda p: (p[0].ref, p[1].ref, p[2])):
        start, end = _dates(rng)
        RelationshipFactory(
            source=a, target=b, kind=kind, strength=rng.randint(1, 5), start_date=start,
            end_date=end, observed_on=D + datetime.timedelta(days=30),
        )  # fmt: skip
    transaction.get_connection().run_on_commit.clear()
    return people


def _copy_in_force(workspace, on: datetime.date):
    """A fresh workspace holding only the ties and affiliations in force on `on`, undated."""
    copy = WorkspaceFactory(slug="in-force-copy")
    orgs = {}
    for org in workspace.organisations.order_by("pk"):
        orgs[org.pk] = OrganisationFactory(
            workspace=copy, name=org.name, sector=org.sector, tier=org.tier
        )
    people = {}
    for p in workspace.people.order_by("pk"):
        people[p.pk] = PersonFactory(workspace=copy, ref=p.ref, name=p.name, seniority=p.seniority)
    for a in Affiliation.objects.filter(person__workspace=workspace).order_by("pk"):
        if (a.start_date is None or a.start_date <= on) and (
            a.end_date is None or a.end_date >= on
        ):
            AffiliationFactory(
                person=people[a.person_id], organisation=orgs[a.organisation_id],
                is_primary=a.is_primary,
            )  # fmt: skip
    for r in Relationship.objects.filter(source__workspace=workspace).order_by("pk"):
        if (r.start_date is None or r.start_date <= on) and (
            r.end_date is None or r.end_date >= on
        ):
            RelationshipFactory(
                source=people[r.source_id], target=people[r.target_id], kind=r.kind,
                strength=r.strength, trust=r.trust, observed_on=r.observed_on,
            )  # fmt: skip
    transaction.get_connection().run_on_commit.clear()
    return copy


def _scores(run) -> dict:
    names = dict(run.workspace.organisations.values_list("pk", "name"))
    out = {}
    for s in PersonScore.objects.filter(run=run).select_related("person"):
        values = {m: getattr(s, m) for m in MEASURES}
        if s.boundary == "organisation" and values["group"]:
            values["group"] = names[int(values["group"])]
        out[(s.person.ref, s.boundary)] = values
    return out


def test_scores_as_of_a_date_equal_a_fresh_run_on_the_network_in_force_then(workspace, dated_map):
    as_of = score_runs.score_run_execute(workspace_id=workspace.pk, as_of=D)
    copy = _copy_in_force(workspace, D)
    fresh = score_runs.score_run_execute(workspace_id=copy.pk)
    assert as_of.status == fresh.status == RunStatus.SUCCEEDED
    assert as_of.as_of == D and fresh.as_of is None
    assert as_of.relationships_count == fresh.relationships_count
    assert 0 < as_of.relationships_count < 45  # the dates really did drop some ties
    then, again = _scores(as_of), _scores(fresh)
    assert then.keys() == again.keys()
    for key, values in then.items():
        assert values == pytest.approx(again[key], abs=1e-9), key
    assert _summary(as_of) == _summary(fresh)


def _summary(run) -> dict:
    """Whole-map figures, organisation groups named (ids differ between workspaces)."""
    names = dict(run.workspace.organisations.values_list("pk", "name"))
    summary = {b: dict(s) for b, s in run.summary.items()}
    summary["organisation"]["groups"] = sorted(
        names[int(g)] for g in summary["organisation"]["groups"]
    )
    return summary


def test_a_run_as_of_a_date_leaves_the_current_scores_alone(workspace, dated_map):
    now = score_runs.score_run_execute(workspace_id=workspace.pk)
    then = score_runs.score_run_execute(workspace_id=workspace.pk, as_of=D)
    assert then.pk != now.pk
    assert selectors.current_run(workspace_id=workspace.pk) == now
    assert selectors.current_run(workspace_id=workspace.pk, as_of=D) == then
    # Unchanged data: asking again reuses the stored run.
    assert score_runs.score_run_execute(workspace_id=workspace.pk, as_of=D) == then


def test_todays_scores_ignore_ended_ties_and_ended_affiliations(workspace):
    org_a = OrganisationFactory(workspace=workspace, name="A")
    org_b = OrganisationFactory(workspace=workspace, name="B")
    moved, stayed, other = (PersonFactory(workspace=workspace) for _ in range(3))
    AffiliationFactory(person=moved, organisation=org_a, end_date=datetime.date(2020, 1, 1))
    AffiliationFactory(person=stayed, organisation=org_a)
    AffiliationFactory(person=other, organisation=org_b)
    RelationshipFactory(source=moved, target=stayed)
    RelationshipFactory(source=stayed, target=other, end_date=datetime.date(2020, 1, 1))
    transaction.get_connection().run_on_commit.clear()
    run = score_runs.score_run_execute(workspace_id=workspace.pk)
    assert run.relationships_count == 1
    groups = dict(
        PersonScore.objects.filter(run=run, boundary="organisation").values_list(
            "person_id", "group"
        )
    )
    assert groups == {moved.pk: "", stayed.pk: str(org_a.pk), other.pk: str(org_b.pk)}
