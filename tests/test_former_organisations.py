"""A deleted organisation keeps its name where stored scores and snapshots still group
people by it (models.FormerOrganisation): a board's snapshot taken before an ICB merger
names the old ICB, not its database id."""

import datetime
import itertools

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from stakeholders import score_runs, selectors
from stakeholders.dashboard import reads
from stakeholders.dashboard.heatmap import group_heads
from stakeholders.exports.tables import partnerships_rows
from stakeholders.models import (
    FormerOrganisation,
    Organisation,
    PairScore,
    PersonScore,
    ScoreRun,
    Workspace,
)
from stakeholders.privacy.deletion import records_delete
from stakeholders.privacy.erasure import person_erase
from stakeholders.services import former_organisations_tidy
from stakeholders.snapshots.compute import snapshot_execute
from stakeholders.snapshots.services import snapshot_create
from tests.conftest import admin_url, make_staff
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


def _rescore(workspace):
    transaction.get_connection().run_on_commit.clear()
    score_runs.score_run_execute(workspace_id=workspace.pk)


def _kept(workspace) -> set[int]:
    return set(
        FormerOrganisation.objects.filter(workspace=workspace).values_list(
            "organisation_id", flat=True
        )
    )


def test_a_kept_name_goes_when_the_scores_that_named_it_are_superseded(workspace, scored):
    old, _, _ = scored
    pk = old.pk
    old.delete()
    assert _kept(workspace) == {pk}

    _rescore(workspace)

    assert _kept(workspace) == set()


def test_a_snapshot_keeps_the_name_until_an_owner_deletes_it(client, workspace, scored, owner):
    old, _, _ = scored
    snapshot = snapshot_create(workspace=workspace, name="ICB board", enqueue=False)
    snapshot_execute(snapshot_id=snapshot.pk)
    pk = old.pk
    old.delete()
    _rescore(workspace)
    assert _kept(workspace) == {pk}  # the snapshot still groups people by it

    client.force_login(make_staff(owner))
    response = client.post(admin_url("snapshot", "delete", snapshot.pk), {"post": "yes"})

    assert response.status_code == 302
    assert _kept(workspace) == set()


def test_a_past_date_s_scores_keep_the_name_until_they_are_removed_unshown(workspace, scored):
    old, _, _ = scored
    transaction.get_connection().run_on_commit.clear()
    past = score_runs.score_run_execute(
        workspace_id=workspace.pk, as_of=timezone.localdate() - datetime.timedelta(days=1)
    )
    pk = old.pk
    old.delete()
    _rescore(workspace)
    assert _kept(workspace) == {pk}

    long_ago = timezone.localdate() - datetime.timedelta(days=score_runs.CHOICE_DAYS + 1)
    ScoreRun.objects.filter(pk=past.pk).update(last_shown_on=long_ago)
    score_runs.score_choices_tidy(workspace_id=workspace.pk)

    assert not ScoreRun.objects.filter(pk=past.pk).exists()
    assert _kept(workspace) == set()


def test_a_partnership_score_alone_keeps_the_name(workspace, other_workspace, scored):
    old, _, run = scored
    pk = old.pk
    key = str(pk)
    old.delete()
    PersonScore.objects.filter(run=run, group=key).delete()
    assert (
        PairScore.objects.filter(run=run, group_a=key).exists()
        or PairScore.objects.filter(run=run, group_b=key).exists()
    )
    # Another workspace's scores never keep this workspace's names.
    _, _, theirs = scored_map(other_workspace)
    PairScore.objects.filter(run=theirs).update(group_a=key)

    former_organisations_tidy(workspace_ids=[workspace.pk])
    assert _kept(workspace) == {pk}

    PairScore.objects.filter(run=run).delete()
    former_organisations_tidy(workspace_ids=[workspace.pk])
    assert _kept(workspace) == set()


def test_forgetting_names_is_one_statement_however_many(
    workspace, scored, django_assert_num_queries
):
    for _ in range(5):
        gone = OrganisationFactory(workspace=workspace)
        FormerOrganisation.objects.create(
            workspace=workspace,
            organisation_id=gone.pk,
            name=gone.name,
            sector=gone.sector,
            tier=gone.tier,
        )
        Organisation.objects.filter(pk=gone.pk).delete()
    with django_assert_num_queries(1):
        former_organisations_tidy(workspace_ids=[workspace.pk])
    assert _kept(workspace) == set()


def test_an_erasure_that_drops_old_scores_drops_the_names_only_they_kept(workspace, scored, owner):
    old, _, _ = scored
    transaction.get_connection().run_on_commit.clear()
    score_runs.score_run_execute(
        workspace_id=workspace.pk, as_of=timezone.localdate() - datetime.timedelta(days=1)
    )
    pk = old.pk
    old.delete()
    _rescore(workspace)
    assert _kept(workspace) == {pk}

    leaver = PersonFactory(workspace=workspace)
    person_erase(workspace=workspace, person=leaver, erased_by=owner)

    assert _kept(workspace) == set()


def _kept_name_queries(client, organisations) -> int:
    """Queries of the admin's bulk delete that look for stored scores or keep names."""
    action = {"action": "delete_selected", "_selected_action": [o.pk for o in organisations]}
    with CaptureQueriesContext(connection) as queries:
        response = client.post(admin_url("organisation"), action | {"post": "yes"})
    assert response.status_code == 302
    return sum(
        "stakeholders_personscore" in q["sql"] or "stakeholders_formerorganisation" in q["sql"]
        for q in queries.captured_queries
    )


def test_the_admin_s_bulk_delete_keeps_names_in_queries_that_do_not_grow(client, workspace, owner):
    organisations = [OrganisationFactory(workspace=workspace) for _ in range(25)]
    people = [PersonFactory(workspace=workspace) for _ in organisations]
    for person, organisation in zip(people, organisations, strict=True):
        AffiliationFactory(person=person, organisation=organisation)
    for a, b in itertools.pairwise(people):
        RelationshipFactory(source=a, target=b)
    _rescore(workspace)
    client.force_login(make_staff(owner))

    few = _kept_name_queries(client, organisations[:5])
    many = _kept_name_queries(client, organisations[5:])

    assert few == many <= 2
    assert _kept(workspace) == {o.pk for o in organisations}
