"""Costly reads kept until the workspace's data changes (stakeholders.memo)."""

import datetime
import io
import threading
import time
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from stakeholders import memo
from stakeholders.imports import bundle
from stakeholders.models import (
    Affiliation,
    Forum,
    ForumMembership,
    Person,
    Relationship,
    Role,
    Workspace,
)
from stakeholders.services import data_stamp_move, workspace_data_changed
from tests.factories import (
    AffiliationFactory,
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
    RelationshipFactory,
    UserFactory,
    WorkspaceFactory,
)


class Counter:
    """compute() for kept: how many times it was called, each call's value its count."""

    def __init__(self):
        self.calls = 0

    def __call__(self):
        self.calls += 1
        return self.calls


def stamp(workspace) -> str:
    return str(Workspace.objects.get(pk=workspace.pk).data_stamp)


def commit() -> None:
    """Run what the changes so far left for their commit (the stamp move, the rescore), as
    a commit would: each test runs inside one transaction that is never committed."""
    connection = transaction.get_connection()
    callbacks, connection.run_on_commit[:] = list(connection.run_on_commit), []
    for _, func, _ in callbacks:
        func()


def test_a_value_is_computed_once_while_the_data_stays(workspace):
    compute = Counter()
    assert memo.kept(workspace.pk, ("test", 1), compute) == 1
    assert memo.kept(workspace.pk, ("test", 1), compute) == 1
    assert compute.calls == 1
    # Another key, or another workspace, is another value.
    assert memo.kept(workspace.pk, ("test", 2), compute) == 2
    other = Workspace.objects.create(name="Other", slug="other-memo")
    assert memo.kept(other.pk, ("test", 1), compute) == 3


def test_any_change_to_the_data_computes_again(workspace):
    compute = Counter()
    memo.kept(workspace.pk, ("test",), compute)
    workspace_data_changed(workspace_id=workspace.pk)
    # Inside the changing transaction: read afresh each time, and nothing kept.
    assert memo.kept(workspace.pk, ("test",), compute) == 2
    assert memo.kept(workspace.pk, ("test",), compute) == 3
    commit()  # the stamp moves on
    assert memo.kept(workspace.pk, ("test",), compute) == 4
    assert memo.kept(workspace.pk, ("test",), compute) == 4


@pytest.mark.parametrize("change", ["save", "delete", "organisation", "seat"])
def test_every_saved_or_deleted_row_moves_the_stamp_on(workspace, change):
    """The signals that queue a recompute (stakeholders.signals) move the stamp on too,
    once the change commits."""
    org = OrganisationFactory(workspace=workspace)
    a, b = PersonFactory(workspace=workspace), PersonFactory(workspace=workspace)
    AffiliationFactory(person=a, organisation=org)
    tie = RelationshipFactory(source=a, target=b)
    forum = workspace.forums.create(name="Board", kind="icb_board", tier="system")
    commit()
    before = stamp(workspace)
    if change == "save":
        tie.strength = 5
        tie.save()
    elif change == "delete":
        Relationship.objects.get(pk=tie.pk).delete()
    elif change == "organisation":
        org.name = "Renamed"
        org.save()
    else:
        ForumMembership.objects.create(forum=forum, person=a)
    assert memo.changed_here(workspace.pk) and stamp(workspace) == before
    commit()
    assert stamp(workspace) != before


def test_loaddata_moves_every_stamp_on_and_queues_no_score_run(workspace, tmp_path):
    """loaddata writes rows raw, past the receivers that move a stamp. Once it commits,
    every workspace's stamp moves on, also when the fixture brings back the workspace row
    with the stamp it was dumped with, so a kept map is never read again."""
    other = WorkspaceFactory(slug="other-loaded")
    person = PersonFactory(workspace=workspace, name="Before")
    commit()
    fixture = tmp_path / "dump.json"
    call_command("dumpdata", "stakeholders.workspace", "stakeholders.person", output=fixture)
    compute = Counter()
    memo.kept(workspace.pk, ("test",), compute)
    Person.objects.filter(pk=person.pk).update(name="After")
    before, other_before = stamp(workspace), stamp(other)
    call_command("loaddata", fixture, verbosity=0)
    connection = transaction.get_connection()
    assert len(connection.run_on_commit) == 1  # once for the whole load, no score run
    commit()
    assert Person.objects.get(pk=person.pk).name == "Before"
    assert stamp(workspace) != before and stamp(other) != other_before
    assert memo.kept(workspace.pk, ("test",), compute) == 2


def test_a_workspaces_values_under_an_older_stamp_go_when_a_newer_one_is_seen(workspace):
    memo.kept(workspace.pk, ("test", "a"), Counter())
    data_stamp_move(workspace_id=workspace.pk)
    memo.kept(workspace.pk, ("test", "b"), Counter())
    assert [k[2:] for k in memo._kept if k[0] == workspace.pk] == [("test", "b")]


def test_a_workspace_held_in_memory_across_a_change_is_not_trusted(workspace):
    """The stamp is read afresh each time: the caller's copy of the row may be old."""
    compute = Counter()
    memo.kept(workspace.pk, ("test",), compute)
    Workspace.objects.filter(pk=workspace.pk).update(data_stamp=Workspace().data_stamp)
    assert memo.kept(workspace.pk, ("test",), compute) == 2


def test_only_the_latest_entries_are_kept(workspace):
    compute = Counter()
    for n in range(memo.ENTRIES + 1):
        memo.kept(workspace.pk, ("test", n), compute)
    assert compute.calls == memo.ENTRIES + 1
    memo.kept(workspace.pk, ("test", memo.ENTRIES), compute)  # the newest: kept
    assert compute.calls == memo.ENTRIES + 1
    memo.kept(workspace.pk, ("test", 0), compute)  # the oldest: gone
    assert compute.calls == memo.ENTRIES + 2


def test_nothing_is_kept_for_a_workspace_that_is_gone(db):
    compute = Counter()
    assert memo.kept(10**9, ("test",), compute) == 1
    assert memo.kept(10**9, ("test",), compute) == 2


@pytest.mark.parametrize("record", ["organisation", "person", "forum"])
def test_a_record_moved_to_another_workspace_moves_both_stamps_on(workspace, record):
    other = WorkspaceFactory(name="South Moor ICS", slug="south-moor")
    moved = {
        "organisation": lambda: OrganisationFactory(workspace=workspace),
        "person": lambda: PersonFactory(workspace=workspace),
        "forum": lambda: Forum.objects.create(
            workspace=workspace, name="Board", kind="icb_board", tier="system"
        ),
    }[record]()
    commit()
    left, joined = stamp(workspace), stamp(other)
    moved.workspace = other
    moved.save()
    commit()
    assert stamp(workspace) != left and stamp(other) != joined


def _ends(workspace) -> SimpleNamespace:
    """What a link can point at in a workspace: an organisation, two people, a forum."""
    return SimpleNamespace(
        org=OrganisationFactory(workspace=workspace),
        a=PersonFactory(workspace=workspace),
        b=PersonFactory(workspace=workspace),
        forum=Forum.objects.create(
            workspace=workspace, name="Board", kind="icb_board", tier="system"
        ),
    )


def _link(kind: str, ends: SimpleNamespace):
    """A link of the kind between the ends."""
    if kind == "affiliation":
        return AffiliationFactory(person=ends.a, organisation=ends.org)
    if kind == "relationship":
        return RelationshipFactory(source=ends.a, target=ends.b)
    return ForumMembership.objects.create(forum=ends.forum, person=ends.a)


def _link_fields(kind: str, ends: SimpleNamespace) -> dict:
    """The admin's form for a link of the kind between the ends, as the browser sends it."""
    if kind == "affiliation":
        fields = {"person": ends.a.pk, "organisation": ends.org.pk, "is_primary": "on"}
    elif kind == "relationship":
        fields = {"source": ends.a.pk, "target": ends.b.pk, "kind": "collaborates"}
        fields |= {"strength": "3", "trust": "4", "observed_on": "2026-01-15", "evidence": ""}
    else:
        fields = {"forum": ends.forum.pk, "person": ends.a.pk, "seat": "voting_member"}
    return fields | {"start_date": "", "end_date": ""}


@pytest.fixture
def editor_of_both(workspace, other_workspace):
    user = UserFactory(username="both", is_staff=True)
    for each in (workspace, other_workspace):
        MembershipFactory(user=user, workspace=each, role=Role.EDITOR)
    return user


LINKS = {"affiliation": Affiliation, "relationship": Relationship, "seat": ForumMembership}


def _admin_url(row, view: str = "change", *args) -> str:
    return reverse(f"admin:stakeholders_{row._meta.model_name}_{view}", args=[row.pk, *args])


@pytest.mark.parametrize("kind", LINKS)
def test_a_link_moved_to_another_workspace_in_the_admin_moves_both_stamps_on(
    client, workspace, other_workspace, editor_of_both, kind
):
    """Both ends re-pointed (a link never spans two workspaces) move the row out of the
    workspace: what was kept for it is read afresh, as for the workspace it joins."""
    row = _link(kind, _ends(workspace))
    moved = _link_fields(kind, _ends(other_workspace))
    commit()
    compute = Counter()
    memo.kept(workspace.pk, ("test",), compute)
    left, joined = stamp(workspace), stamp(other_workspace)
    client.force_login(editor_of_both)

    response = client.post(_admin_url(row), moved | {"loaded_version": row.version})

    assert response.status_code == 302
    assert _workspace_of(LINKS[kind].objects.get(pk=row.pk)) == other_workspace.pk
    commit()
    assert stamp(workspace) != left and stamp(other_workspace) != joined
    assert memo.kept(workspace.pk, ("test",), compute) == 2


def _workspace_of(row) -> int:
    return (getattr(row, "person", None) or getattr(row, "source", None) or row.forum).workspace_id


@pytest.mark.parametrize("kind", LINKS)
def test_a_version_restored_from_the_history_into_another_workspace_moves_both_stamps_on(
    client, workspace, other_workspace, editor_of_both, kind
):
    """A restored version is built from the history, not loaded: the row it replaces is
    read to find the workspace it leaves."""
    north, south = _ends(workspace), _ends(other_workspace)
    row = _link(kind, north)
    first = row.history.get()
    moved = {
        "affiliation": {"person": south.a, "organisation": south.org},
        "relationship": {"source": south.a, "target": south.b},
        "seat": {"forum": south.forum, "person": south.a},
    }[kind]
    LINKS[kind].objects.filter(pk=row.pk).update(**moved)
    commit()
    left, joined = stamp(other_workspace), stamp(workspace)
    client.force_login(editor_of_both)
    url = _admin_url(row, "simple_history", first.history_id)

    response = client.post(url, _link_fields(kind, north) | {"loaded_version": row.version})

    assert response.status_code == 302
    assert _workspace_of(LINKS[kind].objects.get(pk=row.pk)) == workspace.pk
    commit()
    assert stamp(other_workspace) != left and stamp(workspace) != joined


def test_saving_a_loaded_link_reads_no_workspace_it_might_leave(
    workspace, django_assert_num_queries
):
    """The key the row was loaded with says it stays: no query for the row as stored."""
    affiliation = Affiliation.objects.get(pk=_link("affiliation", _ends(workspace)).pk)
    affiliation.role_title = "Director of strategy"
    # The update, its history row and the workspace whose data changed (signals).
    with django_assert_num_queries(3):
        affiliation.save()
    # Saved, the row remembers its key afresh: saving it again costs no more.
    affiliation.end_date = datetime.date(2026, 3, 31)
    with django_assert_num_queries(3):
        affiliation.save()


def test_saving_a_workspace_loaded_before_a_change_keeps_the_new_stamp(workspace):
    """The admin saves every field of the row it loaded: the stamp is not one of them."""
    held = Workspace.objects.get(pk=workspace.pk)
    workspace_data_changed(workspace_id=workspace.pk)
    commit()
    moved_on = stamp(workspace)
    held.name = "Renamed ICS"
    held.save()
    assert stamp(workspace) == moved_on
    assert Workspace.objects.get(pk=workspace.pk).name == "Renamed ICS"


def test_a_workspace_saved_afresh_or_partly_loaded_saves_as_django_would(workspace):
    """The stamp is left out of updates only: pk None adds a new row (workspace_create's
    retry does this), and fields not loaded are not read back to be written."""
    copy = Workspace.objects.get(pk=workspace.pk)
    copy.pk, copy.slug = None, "north-fenwick-2"
    copy.save()
    assert Workspace.objects.filter(slug__startswith="north-fenwick").count() == 2
    named = Workspace.objects.only("name").get(pk=workspace.pk)
    named.name = "Renamed ICS"
    with CaptureQueriesContext(connection) as queries:
        named.save()
    (update,) = [q["sql"] for q in queries if q["sql"].startswith("UPDATE")]
    assert "name" in update and "retention_months" not in update and "data_stamp" not in update
    assert Workspace.objects.get(pk=workspace.pk).name == "Renamed ICS"


ORGANISATIONS = "name,kind,sector,tier\nNorthgate Hospital,acute trust,NHS,system\n"
PEOPLE = "ref,name,seniority,organisation\nP1,Ada Lane,director,Northgate Hospital\n"
FORUMS = "name,kind,tier,host\nFenwick Board,ICB board,system,Northgate Hospital\n"
SEATS = "forum,person,seat,start_date,end_date\nFenwick Board,P1,chair,,\n"


def test_importing_only_forums_and_seats_moves_the_stamp_on(workspace):
    """Seats feed Seats and influence and the formal scores; the importer's raw writes
    send no signals."""
    files = {"organisations.csv": ORGANISATIONS, "people.csv": PEOPLE}
    assert bundle.bundle_import(workspace_slug=workspace.slug, files=files).ok
    commit()
    before = stamp(workspace)
    files = {"forums.csv": FORUMS, "forum_members.csv": SEATS}
    assert bundle.bundle_import(workspace_slug=workspace.slug, files=files).ok
    assert ForumMembership.objects.filter(forum__workspace=workspace).count() == 1
    commit()
    assert stamp(workspace) != before


def test_seed_demo_without_scores_moves_the_stamp_on(workspace):
    before = stamp(workspace)
    call_command("seed_demo", "--people", "60", "--workspace", workspace.slug, stdout=io.StringIO())
    assert stamp(workspace) != before


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_an_edit_during_an_import_waits_for_it_without_a_deadlock(monkeypatch):
    """The importer locks the workspace row first and then writes people; an edit locks
    its person and then, were the stamp moved inside the change, the workspace row."""
    workspace = WorkspaceFactory(name="Fenwick", slug="fenwick-locks")
    files = {"organisations.csv": ORGANISATIONS, "people.csv": PEOPLE}
    assert bundle.bundle_import(workspace_slug=workspace.slug, files=files).ok
    ada = Person.objects.get(workspace=workspace, ref="P1")
    planned, plan = threading.Event(), bundle.bundle_plan

    def slow_plan(**kwargs):
        result = plan(**kwargs)
        planned.set()  # the import holds the workspace row
        time.sleep(1.0)  # the edit locks Ada meanwhile
        return result

    monkeypatch.setattr(bundle, "bundle_plan", slow_plan)
    outcome = {}

    def importer():
        try:
            renamed = PEOPLE.replace("Ada Lane", "Ada Lane-Smith")
            files = {"people.csv": renamed}
            outcome["import"] = bundle.bundle_import(workspace_slug=workspace.slug, files=files)
        except Exception as error:  # noqa: BLE001 - the outcome is what the test checks
            outcome["import"] = error
        finally:
            connection.close()

    def editor():
        planned.wait()
        try:
            with transaction.atomic():
                person = Person.objects.get(pk=ada.pk)
                person.job_title = "Edited in data entry"
                person.save()
            outcome["edit"] = "saved"
        except Exception as error:  # noqa: BLE001
            outcome["edit"] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=importer), threading.Thread(target=editor)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert outcome["edit"] == "saved"
    assert getattr(outcome["import"], "ok", False), outcome["import"]
