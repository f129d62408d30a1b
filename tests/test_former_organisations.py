"""A deleted organisation keeps its name where stored scores and snapshots still group
people by it (models.FormerOrganisation): a board's snapshot taken before an ICB merger
names the old ICB, not its database id."""

import pytest
from django.db import transaction

from stakeholders import score_runs, selectors
from stakeholders.dashboard import reads
from stakeholders.dashboard.heatmap import group_heads
from stakeholders.exports.tables import partnerships_rows
from stakeholders.models import FormerOrganisation, Organisation, Workspace
from stakeholders.privacy.deletion import records_delete
from tests.factories import (
    AffiliationFactory,
    OrganisationFactory,
    PersonFactory,
    RelationshipFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def scored(workspace):
    return scored_map(workspace)


def scored_map(workspace):
    """Two organisations of two people each, tied across; scored."""
    old = OrganisationFactory(workspace=workspace, name="Marsh Vale CCG", short_name="MVCCG")
    new = OrganisationFactory(workspace=workspace, name="Fenwick ICB")
    people = []
    for org in (old, old, new, new):
        person = PersonFactory(workspace=workspace)
        AffiliationFactory(person=person, organisation=org)
        people.append(person)
    for a, b in ((0, 1), (1, 2), (2, 3)):
        RelationshipFactory(source=people[a], target=people[b])
    transaction.get_connection().run_on_commit.clear()
    score_runs.score_run_execute(workspace_id=workspace.pk)
    return old, new, selectors.current_run(workspace_id=workspace.pk)


def test_a_deleted_organisation_is_still_named_in_scores_that_grouped_people_by_it(
    workspace, scored
):
    old, new, run = scored
    key = str(old.pk)
    old.delete()

    labels = selectors.group_labels(workspace_id=workspace.pk, boundary="organisation")
    assert labels[key] == "Marsh Vale CCG"
    assert labels[str(new.pk)] == "Fenwick ICB"
    head = group_heads(workspace_id=workspace.pk, boundary="organisation")[key]
    assert (head.label, head.short) == ("Marsh Vale CCG", "MVCCG")
    (pair,) = list(partnerships_rows(run=run, boundary="organisation"))[1:]
    assert {pair[0], pair[1]} == {"Marsh Vale CCG", "Fenwick ICB"}


def test_the_admin_s_bulk_delete_keeps_the_names_too(workspace, scored):
    old, new, _ = scored
    records_delete(Organisation.objects.filter(pk__in=[old.pk, new.pk]))

    assert dict(
        FormerOrganisation.objects.filter(workspace=workspace).values_list(
            "organisation_id", "name"
        )
    ) == {old.pk: "Marsh Vale CCG", new.pk: "Fenwick ICB"}


def test_an_organisation_no_stored_scores_name_leaves_nothing_behind(workspace, scored):
    spare = OrganisationFactory(workspace=workspace, name="Never scored")
    spare.delete()
    assert not FormerOrganisation.objects.exists()


@pytest.mark.parametrize(
    "delete",
    [
        lambda ws: ws.delete(),
        lambda ws: Workspace.objects.filter(pk=ws.pk).delete(),
        lambda ws: records_delete([ws]),  # the admin's delete
        lambda ws: records_delete(Workspace.objects.filter(pk=ws.pk)),  # its bulk delete
    ],
)
def test_deleting_a_whole_workspace_keeps_nothing(workspace, scored, delete):
    # A row left pointing at the deleted workspace also fails the foreign key check
    # Django makes when the test ends.
    delete(workspace)
    assert not Workspace.objects.filter(pk=workspace.pk).exists()
    assert not FormerOrganisation.objects.exists()


def test_today_s_pages_list_only_today_s_organisations(workspace, scored):
    """The kept name only names old scores: today's overview, untied list and brokers
    filter do not count or offer it."""
    old, new, _ = scored
    old.delete()
    transaction.get_connection().run_on_commit.clear()
    score_runs.score_run_execute(workspace_id=workspace.pk)
    run = selectors.current_run(workspace_id=workspace.pk)

    overview = reads.overview(workspace=workspace, run=run, boundary="organisation")
    brokers = reads.broker_page(
        workspace=workspace, run=run, boundary="organisation", sort="score", group="", page=None
    )

    assert overview.organisations == 1
    assert "Marsh Vale CCG" not in overview.untied_organisations
    assert [label for _, label in brokers.groups] == ["Fenwick ICB"]


def test_a_re_created_organisation_keeps_its_short_name(workspace, scored):
    """Short names are numbered among today's organisations, not the deleted ones."""
    old, _, _ = scored
    key = str(old.pk)
    old.delete()
    again = OrganisationFactory(workspace=workspace, name="Marsh Vale CCG", short_name="MVCCG")

    heads = group_heads(workspace_id=workspace.pk, boundary="organisation")

    assert heads[str(again.pk)].short == "MVCCG"
    assert heads[key].label == "Marsh Vale CCG"  # the old scores still name it
