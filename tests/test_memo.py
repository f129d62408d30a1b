"""Costly reads kept until the workspace's data changes (stakeholders.memo)."""

import io

import pytest
from django.core.management import call_command

from stakeholders import memo
from stakeholders.imports import bundle
from stakeholders.models import Forum, ForumMembership, Relationship, Workspace
from stakeholders.services import workspace_data_changed
from tests.factories import (
    AffiliationFactory,
    OrganisationFactory,
    PersonFactory,
    RelationshipFactory,
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
    assert memo.kept(workspace.pk, ("test",), compute) == 2
    assert memo.kept(workspace.pk, ("test",), compute) == 2


@pytest.mark.parametrize("change", ["save", "delete", "organisation", "seat"])
def test_every_saved_or_deleted_row_moves_the_stamp_on(workspace, change):
    """The signals that queue a recompute (stakeholders.signals) move the stamp on too,
    in the same transaction: nothing is left to commit for it to hold."""
    org = OrganisationFactory(workspace=workspace)
    a, b = PersonFactory(workspace=workspace), PersonFactory(workspace=workspace)
    AffiliationFactory(person=a, organisation=org)
    tie = RelationshipFactory(source=a, target=b)
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
        forum = workspace.forums.create(name="Board", kind="icb_board", tier="system")
        before = stamp(workspace)
        ForumMembership.objects.create(forum=forum, person=a)
    assert stamp(workspace) != before


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
    left, joined = stamp(workspace), stamp(other)
    moved.workspace = other
    moved.save()
    assert stamp(workspace) != left and stamp(other) != joined


def test_saving_a_workspace_loaded_before_a_change_keeps_the_new_stamp(workspace):
    """The admin saves every field of the row it loaded: the stamp is not one of them."""
    held = Workspace.objects.get(pk=workspace.pk)
    workspace_data_changed(workspace_id=workspace.pk)
    moved_on = stamp(workspace)
    held.name = "Renamed ICS"
    held.save()
    assert stamp(workspace) == moved_on
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
    before = stamp(workspace)
    files = {"forums.csv": FORUMS, "forum_members.csv": SEATS}
    assert bundle.bundle_import(workspace_slug=workspace.slug, files=files).ok
    assert ForumMembership.objects.filter(forum__workspace=workspace).count() == 1
    assert stamp(workspace) != before


def test_seed_demo_without_scores_moves_the_stamp_on(workspace):
    before = stamp(workspace)
    call_command("seed_demo", "--people", "60", "--workspace", workspace.slug, stdout=io.StringIO())
    assert stamp(workspace) != before
