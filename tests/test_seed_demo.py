"""`manage.py seed_demo`: the curated demo, synthetic workspaces and the demo user."""

import datetime
import re
from io import StringIO

import networkx as nx
import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count, F, Q
from django.test.utils import CaptureQueriesContext

from stakeholders import demo
from stakeholders.management.commands import seed_demo
from stakeholders.models import (
    SENIORITY_RANK,
    Affiliation,
    Membership,
    Organisation,
    OrganisationKind,
    Person,
    PersonScore,
    Relationship,
    RelationshipKind,
    Role,
    RunStatus,
    ScoreRun,
    Sector,
    Seniority,
    Snapshot,
    Tier,
    Workspace,
)
from tests.factories import MembershipFactory, PersonFactory, RelationshipFactory, UserFactory

User = get_user_model()
SENIOR = ("director", "executive", "board")


@pytest.fixture(autouse=True)
def no_demo_password(monkeypatch):
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)


def run(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def seeded(db) -> Workspace:
    run()
    return Workspace.objects.get(slug="demo")


def snapshot(slug: str) -> tuple:
    """Every field of every row, keyed by natural keys (names and refs), never by pk."""
    ws = Workspace.objects.get(slug=slug)
    return (
        ws.name,
        sorted(
            Organisation.objects.filter(workspace=ws).values_list(
                "name", "short_name", "kind", "sector", "tier", "parent__name", "ods_code"
            ),
            key=repr,
        ),
        sorted(
            Person.objects.filter(workspace=ws).values_list(
                "ref", "name", "job_title", "seniority", "notes", "active"
            )
        ),
        sorted(
            Affiliation.objects.filter(person__workspace=ws).values_list(
                "person__ref",
                "organisation__name",
                "role_title",
                "is_primary",
                "start_date",
                "end_date",
            ),
            key=repr,
        ),
        sorted(
            Relationship.objects.filter(source__workspace=ws).values_list(
                "source__ref", "target__ref", "kind", "strength", "trust", "observed_on", "evidence"
            ),
            key=repr,
        ),
    )


def rows(dataset: demo.Dataset) -> tuple:
    """A dataset in the shape of `snapshot`."""
    return (
        dataset.name,
        sorted(
            (
                (o.name, o.short_name, o.kind, o.sector, o.tier, o.parent or None, o.ods_code)
                for o in dataset.organisations
            ),
            key=repr,
        ),
        sorted(
            (p.ref, p.name, p.job_title, p.seniority, p.notes, p.active) for p in dataset.people
        ),
        sorted(
            (
                (a.person_ref, a.organisation, a.role_title, a.is_primary, a.start_date, a.end_date)
                for a in dataset.affiliations
            ),
            key=repr,
        ),
        sorted(
            (
                (r.source_ref, r.target_ref, r.kind, r.strength, r.trust, r.observed_on, r.evidence)
                for r in dataset.relationships
            ),
            key=repr,
        ),
    )


def table_counts() -> dict[str, int]:
    """Rows in every table of the project, history tables included."""
    models = [*apps.get_app_config("stakeholders").get_models(), User]
    return {model._meta.label: model.objects.count() for model in models}


def primary_org(ws: Workspace) -> dict[int, str]:
    return dict(
        Affiliation.objects.filter(person__workspace=ws, is_primary=True).values_list(
            "person_id", "organisation__name"
        )
    )


def ties(ws: Workspace) -> list[tuple]:
    return list(
        Relationship.objects.filter(source__workspace=ws).values_list(
            "source_id", "target_id", "kind", "strength"
        )
    )


def person(ws: Workspace, org: str, title: str) -> Person:
    return Person.objects.get(workspace=ws, job_title=title, affiliations__organisation__name=org)


# --- The generator ------------------------------------------------------------------


def test_generator_codes_match_the_models():
    assert tuple(Seniority.values) == demo.SENIORITY
    assert demo.RANK == SENIORITY_RANK
    assert set(demo.TIERS) == set(Tier.values)
    assert set(demo.SECTORS) == set(Sector.values)
    assert set(demo.KINDS) == set(RelationshipKind.values)
    dataset = demo.demo_dataset()
    assert {o.kind for o in dataset.organisations} <= set(OrganisationKind.values)


def test_generating_twice_gives_identical_rows():
    assert demo.demo_dataset() == demo.demo_dataset()
    assert demo.synthetic_dataset(people=500, seed=3) == demo.synthetic_dataset(people=500, seed=3)
    assert demo.synthetic_dataset(people=500, seed=3) != demo.synthetic_dataset(people=500, seed=4)


def test_no_generated_name_belongs_to_a_well_known_person():
    names = {p.name for p in demo.demo_dataset().people}
    names |= {p.name for p in demo.synthetic_dataset(people=3000, seed=1).people}
    assert not names & demo.AVOIDED_NAMES


def test_curated_names_are_unique():
    people = demo.demo_dataset().people
    assert len({p.name for p in people}) == len(people)


@pytest.mark.parametrize(
    ("break_it", "message"),
    [
        (
            lambda d: d.relationships[0].__class__(
                "NF-0001", "NF-0001", "trusts", 3, None, datetime.date(2025, 1, 1), ""
            ),
            "Relationship 'NF-0001' -> 'NF-0001' (trusts): a self-tie.",
        ),
        (
            lambda d: d.relationships[0].__class__(
                "NF-0001", "NF-0002", "trusts", 9, None, datetime.date(2025, 1, 1), ""
            ),
            "Relationship 'NF-0001' -> 'NF-0002' (trusts): strength 9 is outside 1-5.",
        ),
    ],
)
def test_validate_names_the_bad_row(break_it, message):
    dataset = demo.demo_dataset()
    broken = demo.Dataset(
        name=dataset.name,
        organisations=dataset.organisations,
        people=dataset.people,
        affiliations=dataset.affiliations,
        relationships=(*dataset.relationships, break_it(dataset)),
    )
    with pytest.raises(ValueError) as error:
        demo.validate(broken)
    assert str(error.value) == message


def test_validate_rejects_a_second_primary_affiliation():
    dataset = demo.demo_dataset()
    extra = demo.AffiliationRow("NF-0001", demo.ICB, "Adviser", True, None, None)
    broken = demo.Dataset(
        dataset.name,
        dataset.organisations,
        dataset.people,
        (*dataset.affiliations, extra),
        dataset.relationships,
    )
    with pytest.raises(ValueError, match="'NF-0001': needs exactly one primary affiliation"):
        demo.validate(broken)


# --- The curated demo -----------------------------------------------------------------


def test_seed_demo_writes_exactly_the_generated_rows(seeded):
    assert snapshot("demo") == rows(demo.demo_dataset())
    assert seeded.name == "North Fenwick Health and Care Partnership (demo)"


def test_two_builds_into_fresh_workspaces_are_identical(seeded):
    run("--workspace", "demo-copy")
    first = snapshot("demo")
    assert snapshot("demo-copy") == first
    run("--reset")
    assert snapshot("demo") == first


def test_second_run_changes_nothing(seeded, monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "a-long-demo-password-42")
    run()  # the first run with DEMO_PASSWORD sets it once
    counts, data = table_counts(), snapshot("demo")
    password = User.objects.get(username="demo").password
    out = run()
    assert "already has data: nothing changed" in out
    assert table_counts() == counts
    assert snapshot("demo") == data
    assert User.objects.get(username="demo").password == password


def test_demo_has_the_expected_size(seeded):
    assert 22 <= Organisation.objects.filter(workspace=seeded).count() <= 30
    assert 160 <= Person.objects.filter(workspace=seeded).count() <= 200
    relationships = Relationship.objects.filter(source__workspace=seeded)
    assert 800 <= relationships.count() <= 1000
    by_kind = dict(relationships.values_list("kind").annotate(n=Count("id")))
    assert set(by_kind) == set(RelationshipKind.values)
    assert min(by_kind.values()) >= 80
    unknown_trust = relationships.filter(trust__isnull=True).count()
    assert 0.05 <= unknown_trust / relationships.count() <= 0.3
    seniorities = set(Person.objects.filter(workspace=seeded).values_list("seniority", flat=True))
    assert seniorities == set(Seniority.values)


def test_every_relationship_is_valid(seeded):
    relationships = Relationship.objects.filter(source__workspace=seeded)
    assert not relationships.filter(source=F("target")).exists()
    assert not relationships.exclude(strength__range=(1, 5)).exists()
    assert not relationships.exclude(Q(trust__isnull=True) | Q(trust__range=(1, 5))).exists()
    assert not relationships.exclude(target__workspace=seeded).exists()
    dates = relationships.values_list("observed_on", flat=True)
    assert min(dates) >= demo.OBSERVED_FROM
    assert max(dates) <= demo.OBSERVED_TO
    assert relationships.exclude(evidence="").count() > 0.8 * relationships.count()


def test_every_person_has_exactly_one_primary_affiliation(seeded):
    counts = Person.objects.filter(workspace=seeded).annotate(
        primaries=Count("affiliations", filter=Q(affiliations__is_primary=True))
    )
    assert set(counts.values_list("primaries", flat=True)) == {1}


def test_affiliations_have_dates_joint_posts_and_leavers(seeded):
    affiliations = Affiliation.objects.filter(person__workspace=seeded)
    assert affiliations.filter(start_date__isnull=False).count() > 0.7 * affiliations.count()
    assert affiliations.filter(end_date__isnull=False, is_primary=False).exists()
    two = Person.objects.filter(workspace=seeded).annotate(n=Count("affiliations")).filter(n=2)
    assert two.count() >= 3
    leavers = Person.objects.filter(workspace=seeded, active=False)
    assert 3 <= leavers.count() <= 10
    for leaver in leavers:
        last_day = leaver.affiliations.get(is_primary=True).end_date
        assert last_day is not None
        late = Relationship.objects.filter(
            Q(source=leaver) | Q(target=leaver), observed_on__gt=last_day
        )
        assert not late.exists(), leaver.ref


def test_all_tiers_and_sectors_with_natural_parents(seeded):
    orgs = Organisation.objects.filter(workspace=seeded)
    assert set(orgs.values_list("tier", flat=True)) == set(Tier.values)
    assert set(orgs.values_list("sector", flat=True)) == set(Sector.values)
    for pcn in orgs.filter(kind=OrganisationKind.PCN):
        assert pcn.parent.kind == OrganisationKind.ICB
    for practice in orgs.filter(kind=OrganisationKind.GP_PRACTICE):
        assert practice.parent.kind == OrganisationKind.PCN
    codes = [code for code in orgs.values_list("ods_code", flat=True) if code]
    assert len(codes) == len(set(codes)) >= 8
    assert all(re.fullmatch(r"[A-Z0-9]{3,6}", code) for code in codes)


def test_ties_are_mostly_within_organisations_and_the_line_follows_seniority(seeded):
    home = primary_org(seeded)
    rank = {
        pk: SENIORITY_RANK[s]
        for pk, s in Person.objects.filter(workspace=seeded).values_list("id", "seniority")
    }
    all_ties = ties(seeded)
    within = sum(home[s] == home[t] for s, t, _, _ in all_ties) / len(all_ties)
    assert 0.6 <= within <= 0.85
    line = [(s, t) for s, t, kind, _ in all_ties if kind == RelationshipKind.REPORTS_TO]
    assert all(rank[t] >= rank[s] for s, t in line)
    assert nx.is_directed_acyclic_graph(nx.DiGraph(line))
    # Nearly everyone below the top of an organisation has a line manager.
    has_manager = {s for s, _ in line}
    staff = [pk for pk, r in rank.items() if r < SENIORITY_RANK["executive"]]
    covered = sum(pk in has_manager for pk in staff) / len(staff)
    assert covered > 0.9


# --- The four deliberate structures -----------------------------------------------------


def test_joint_appointment_spans_the_council_and_the_icb(seeded):
    joint = person(seeded, demo.COUNTY_COUNCIL, demo.JOINT_DIRECTOR_TITLE)
    assert joint.seniority == "director"
    affiliations = dict(joint.affiliations.values_list("organisation__name", "is_primary"))
    assert affiliations == {demo.COUNTY_COUNCIL: True, demo.ICB: False}
    home = primary_org(seeded)
    neighbours = {t if s == joint.pk else s for s, t, _, _ in ties(seeded) if joint.pk in (s, t)}
    assert sum(home[p] == demo.COUNTY_COUNCIL for p in neighbours) >= 5
    assert sum(home[p] == demo.ICB for p in neighbours) >= 5
    bosses = set(
        Relationship.objects.filter(source=joint, kind="reports_to").values_list(
            "target__job_title", "target__affiliations__organisation__name"
        )
    )
    assert bosses == {("Chief Executive", demo.COUNTY_COUNCIL), ("Chief Executive", demo.ICB)}


def test_hidden_influencer_is_a_practice_manager_many_directors_trust(seeded):
    influencer = person(seeded, demo.PRACTICE, demo.HIDDEN_INFLUENCER_TITLE)
    assert influencer.seniority == "manager"
    home = primary_org(seeded)
    senior = set(
        Person.objects.filter(workspace=seeded, seniority__in=SENIOR).values_list("id", flat=True)
    )
    trusted_by: dict[int, set[int]] = {}
    for s, t, kind, _ in ties(seeded):
        if kind == RelationshipKind.TRUSTS and s in senior and home[s] != home[t]:
            trusted_by.setdefault(t, set()).add(s)
    mine = trusted_by[influencer.pk]
    assert len(mine) >= 8
    assert len({home[s] for s in mine}) >= 5
    # Nobody else, whatever their seniority, is trusted by as many senior outsiders.
    assert all(len(v) < len(mine) for k, v in trusted_by.items() if k != influencer.pk)

    # On the influence graph (arcs from the one who defers to the one with sway) the
    # practice manager ranks in the top 5% despite a seniority in the bottom half.
    graph = nx.DiGraph()
    graph.add_nodes_from(home)
    for s, t, kind, strength in ties(seeded):
        arcs = {
            "collaborates": [(s, t), (t, s)],
            "trusts": [(s, t)],
            "reports_to": [(s, t)],
            "influences": [(t, s)],
        }[kind]
        for a, b in arcs:
            weight = graph.get_edge_data(a, b, {"weight": 0})["weight"]
            graph.add_edge(a, b, weight=weight + strength)
    rank = nx.pagerank(graph, alpha=0.85, weight="weight")
    order = sorted(rank, key=lambda pk: (-rank[pk], pk))
    assert order.index(influencer.pk) < 0.05 * len(order)


def test_acute_trust_and_district_council_hang_on_one_person(seeded):
    def people_of(org: str) -> set[int]:
        return set(
            Affiliation.objects.filter(
                person__workspace=seeded, organisation__name=org
            ).values_list("person_id", flat=True)
        )

    acute, district = people_of(demo.ACUTE_TRUST), people_of(demo.DISTRICT_COUNCIL)
    between = [
        {s, t}
        for s, t, _, _ in ties(seeded)
        if (s in acute and t in district) or (s in district and t in acute)
    ]
    assert len(between) >= 3
    (carrier,) = set.intersection(*between)
    assert carrier == person(seeded, demo.ACUTE_TRUST, demo.BRIDGE_TITLE).pk
    assert len(set.union(*between) & district) >= 3  # one person, several contacts
    # Take the carrier away and not one tie is left between the two organisations.
    partnership = nx.Graph([tuple(pair) for pair in between])
    partnership.remove_node(carrier)
    assert partnership.number_of_edges() == 0
    # Both sides are otherwise well connected beyond their own walls.
    for side in (acute, district):
        external = [1 for s, t, _, _ in ties(seeded) if (s in side) != (t in side)]
        assert len(external) >= 10


def test_exactly_two_organisations_have_people_but_no_ties(seeded):
    tied = set()
    for s, t, _, _ in ties(seeded):
        tied |= {s, t}
    members: dict[str, set[int]] = {}
    for pk, org in Affiliation.objects.filter(person__workspace=seeded).values_list(
        "person_id", "organisation__name"
    ):
        members.setdefault(org, set()).add(pk)
    untied = {org for org, people in members.items() if not people & tied}
    assert untied == set(demo.ISOLATED_ORGANISATIONS)
    assert all(len(members[org]) >= 2 for org in untied)
    assert set(members) == set(
        Organisation.objects.filter(workspace=seeded).values_list("name", flat=True)
    )


# --- History, scores and writing ----------------------------------------------------------


def test_demo_rows_have_created_history(seeded):
    people = Person.objects.filter(workspace=seeded)
    assert Person.history.filter(workspace=seeded, history_type="+").count() == people.count()
    ties_count = Relationship.objects.filter(source__workspace=seeded).count()
    assert Relationship.history.filter(source__workspace=seeded).count() == ties_count
    assert set(Person.history.values_list("history_change_reason", flat=True)) == {"seed_demo"}


def test_demo_is_scored_once_saved_with_a_snapshot_of_a_year_ago(
    db, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        out = run()
    assert len(callbacks) == 2  # today's scores, and the snapshot's
    assert "Scores will be computed" in out
    today = ScoreRun.objects.get(workspace__slug="demo", as_of=None)
    snapshot = Snapshot.objects.get(workspace__slug="demo")
    year_ago = datetime.date.today() - datetime.timedelta(days=365)
    assert snapshot.as_of == year_ago and snapshot.name.startswith("Partnership board, ")
    assert snapshot.status == RunStatus.SUCCEEDED
    # Ties begun in the last year are missing from it; leavers' ties still count then.
    then, now = snapshot.run.relationships_count, today.relationships_count
    in_force = Relationship.objects.filter(source__workspace__slug="demo").filter(
        Q(start_date__isnull=True) | Q(start_date__lte=datetime.date.today()),
        Q(end_date__isnull=True) | Q(end_date__gte=datetime.date.today()),
    )
    assert now == in_force.count() and 50 <= now - then <= 200


def test_demo_ties_have_start_and_end_dates(seeded):
    ties = Relationship.objects.filter(source__workspace=seeded)
    ended = ties.filter(end_date__isnull=False)
    assert 20 <= ended.count() <= 60
    # A leaver's ties end on their last day: the day their primary affiliation ended.
    for tie in ended.select_related("source", "target")[:10]:
        last_days = {
            a.end_date
            for p in (tie.source, tie.target)
            for a in p.affiliations.filter(is_primary=True)
            if not p.active
        }
        assert tie.end_date in last_days
    begun = ties.filter(start_date__isnull=False)
    assert 80 <= begun.count() <= 250
    assert all(t.start_date <= t.observed_on for t in begun)


def test_a_failed_build_writes_nothing(db, monkeypatch):
    real = seed_demo.bulk_create_with_history

    def fail_on_relationships(objs, model, **kwargs):
        if model is Relationship:
            raise RuntimeError("disk full")
        return real(objs, model, **kwargs)

    monkeypatch.setattr(seed_demo, "bulk_create_with_history", fail_on_relationships)
    with pytest.raises(RuntimeError, match="disk full"):
        run()
    assert not Workspace.objects.exists()
    assert not Person.objects.exists()
    assert not User.objects.filter(username="demo").exists()


def test_write_takes_the_same_queries_whatever_the_size(db, monkeypatch):
    monkeypatch.setattr(seed_demo, "BATCH_SIZE", 100_000)  # one insert per table and depth
    counts = []
    for people in (100, 300):
        with CaptureQueriesContext(connection) as queries:
            run("--people", str(people))
        counts.append(len(queries))
    assert counts[0] == counts[1]


# --- Synthetic workspaces ----------------------------------------------------------------


def test_synthetic_workspace_has_the_demo_shape(db):
    out = run("--people", "500", "--seed", "3")
    assert "no history records" in out
    ws = Workspace.objects.get(slug="synthetic-500")
    assert snapshot("synthetic-500") == rows(demo.synthetic_dataset(people=500, seed=3))
    assert Person.objects.filter(workspace=ws).count() == 500
    orgs = Organisation.objects.filter(workspace=ws)
    assert 50 <= orgs.count() <= 100
    assert set(orgs.values_list("tier", flat=True)) == set(Tier.values)
    assert set(orgs.values_list("sector", flat=True)) == set(Sector.values)
    all_ties = ties(ws)
    assert 4 * 500 <= len(all_ties) <= 6 * 500
    assert {kind for _, _, kind, _ in all_ties} == set(RelationshipKind.values)
    home = primary_org(ws)
    assert len(home) == 500  # one primary each
    within = sum(home[s] == home[t] for s, t, _, _ in all_ties) / len(all_ties)
    assert 0.65 <= within <= 0.9
    primaries = Affiliation.objects.filter(person__workspace=ws, is_primary=True)
    sizes = sorted(
        primaries.values("organisation").annotate(n=Count("id")).values_list("n", flat=True)
    )
    assert sizes[0] >= 2
    assert sizes[-1] >= 4 * sizes[len(sizes) // 2]  # skewed, like real organisations
    assert not Person.history.filter(workspace=ws).exists()


def test_synthetic_build_is_deterministic_and_seeded(db):
    run("--people", "500", "--seed", "3")
    run("--people", "500", "--seed", "3", "--workspace", "synthetic-500-again")
    run("--people", "500", "--seed", "4", "--workspace", "synthetic-500-other")
    first = snapshot("synthetic-500")
    assert snapshot("synthetic-500-again")[1:] == first[1:]
    assert snapshot("synthetic-500-other")[1:] != first[1:]


def test_synthetic_reset_rebuilds_only_that_workspace(
    workspace, django_capture_on_commit_callbacks
):
    other_tie = RelationshipFactory(
        source=PersonFactory(workspace=workspace), target=PersonFactory(workspace=workspace)
    )
    with django_capture_on_commit_callbacks(execute=True):
        out = run("--people", "80", "--score")
    assert "Scores will be computed" in out and "not queued" not in out
    ws = Workspace.objects.get(slug="synthetic-80")
    assert PersonScore.objects.filter(person__workspace=ws).exists()
    before = snapshot("synthetic-80")
    out = run("--people", "80", "--reset")
    assert "Deleted workspace 'synthetic-80'" in out
    assert snapshot("synthetic-80") == before
    assert not ScoreRun.objects.filter(workspace__slug="synthetic-80").exists()
    assert not PersonScore.objects.filter(person__workspace__slug="synthetic-80").exists()
    assert Relationship.objects.filter(pk=other_tie.pk).exists()
    assert Person.objects.filter(workspace=workspace).count() == 2


def test_curated_reset_rebuilds_only_the_demo(seeded, workspace):
    PersonFactory(workspace=workspace)
    demo_person = Person.objects.filter(workspace=seeded).first()
    demo_person.name = "Edited by hand"
    demo_person.save()
    run("--reset")
    assert snapshot("demo") == rows(demo.demo_dataset())
    assert Person.objects.filter(workspace=workspace).count() == 1
    assert Person.history.filter(history_type="-").exists()  # the deletion is on record


def test_synthetic_scores_only_on_request(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        out = run("--people", "60")
    assert callbacks == []
    assert "Scores were not queued (add --score to queue them)." in out
    assert "will be computed" not in out


# --- The demo user -----------------------------------------------------------------------


def test_demo_user_owns_the_demo_only(seeded, workspace):
    # The owner, so that members, retention, subject access and erasure can be tried.
    user = User.objects.get(username="demo")
    assert user.is_staff
    assert not user.is_superuser
    assert list(Membership.objects.filter(user=user).values_list("workspace__slug", "role")) == [
        ("demo", Role.OWNER)
    ]
    models = set(user.user_permissions.values_list("content_type__model", flat=True))
    assert models == {
        "organisation",
        "person",
        "affiliation",
        "relationship",
        "forum",
        "forummembership",
    }


def test_an_editor_from_an_older_seed_becomes_the_owner(seeded):
    membership = Membership.objects.get(user__username="demo", workspace=seeded)
    membership.role = Role.EDITOR
    membership.save(update_fields=["role"])
    User.objects.get(username="demo").user_permissions.clear()

    out = run()

    membership.refresh_from_db()
    assert membership.role == Role.OWNER
    assert "is now the owner of 'demo'" in out
    assert User.objects.get(username="demo").user_permissions.count() > 0


def test_generated_password_is_printed_once_and_works(db):
    out = run()
    password = re.search(r"with password: (\S+)", out).group(1)
    assert len(password) >= 12
    assert User.objects.get(username="demo").check_password(password)
    again = run()
    assert password not in again
    assert "password is unchanged" in again


def test_demo_password_from_the_environment_is_never_printed(db, monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "a-long-demo-password-42")
    out = run()
    assert "a-long-demo-password-42" not in out
    assert "with DEMO_PASSWORD" in out
    assert User.objects.get(username="demo").check_password("a-long-demo-password-42")


def test_existing_user_keeps_its_password_unless_demo_password_is_set(db, monkeypatch):
    user = UserFactory(username="demo")
    old_hash = user.password
    out = run()
    user.refresh_from_db()
    assert user.password == old_hash
    assert "password is unchanged" in out
    monkeypatch.setenv("DEMO_PASSWORD", "another-long-password-7")
    out = run()
    user.refresh_from_db()
    assert user.check_password("another-long-password-7")
    assert "its password is now DEMO_PASSWORD" in out
    assert "another-long-password-7" not in out


def test_existing_viewer_membership_is_left_alone_and_explained(seeded):
    membership = Membership.objects.get(user__username="demo", workspace=seeded)
    membership.role = Role.VIEWER
    membership.save()
    out = run()
    membership.refresh_from_db()
    assert membership.role == Role.VIEWER
    assert "stays a viewer" in out


def test_synthetic_workspace_gets_the_demo_user_only_if_it_exists(db):
    out = run("--people", "60")
    assert not User.objects.filter(username="demo").exists()
    assert "No user 'demo' yet" in out
    run()
    run("--people", "60", "--reset")
    assert (
        Membership.objects.get(user__username="demo", workspace__slug="synthetic-60").role
        == Role.EDITOR
    )


def test_existing_memberships_of_other_users_survive(seeded):
    other = MembershipFactory(workspace=seeded, role=Role.OWNER)
    run()
    assert Membership.objects.filter(pk=other.pk, role=Role.OWNER).exists()


# --- Bad input ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--people", "5"], "argument --people: must be between 60 and 200,000, not 5"),
        (["--people", "lots"], "argument --people: must be a whole number, not 'lots'"),
        (["--seed", "3"], "--seed only applies with --people"),
        (["--score"], "--score only applies with --people"),
        (["--workspace", "Not a slug!"], "'Not a slug!' is not a slug"),
    ],
)
def test_bad_options_are_refused_with_a_reason(db, args, message):
    with pytest.raises(CommandError, match=re.escape(message)):
        run(*args)
    assert not Workspace.objects.exists()
