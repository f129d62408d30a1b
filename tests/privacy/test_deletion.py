"""Deleting in the admin: people are erased, never deleted; every other delete, alone, in
bulk, in an inline row or by cascade, takes the change history of what it deletes along.
Records deleted before that are erased by `manage.py erase_deleted`."""

import datetime
import io

import pytest
from django.contrib.admin.models import CHANGE, DELETION, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.db.models import RestrictedError
from django.urls import reverse
from django.utils import timezone

from stakeholders import score_runs
from stakeholders.models import (
    Affiliation,
    Erasure,
    Membership,
    Organisation,
    Person,
    Relationship,
    RelationshipKind,
    ScoreRun,
    Snapshot,
    SurveyAnswer,
    Workspace,
)
from stakeholders.privacy.erasure import deleted_person_erase, person_erase
from stakeholders.snapshots.compute import snapshot_execute
from stakeholders.snapshots.services import snapshot_create
from stakeholders.surveys.services import (
    DEFAULT_WORDING,
    AnswerInput,
    response_consent,
    response_save,
    survey_create,
)
from tests.conftest import admin_url as _url
from tests.factories import (
    AffiliationFactory,
    OrganisationFactory,
    PersonFactory,
    RelationshipFactory,
    UserFactory,
)
from tests.privacy.test_privacy import _everywhere
from tests.test_locking import _load

ADA = "Ada Northcott"
BEN = "Ben Northway"
ADA_NOTES = "Prefers Kestrel briefings"
ROLE = "Director of Osprey programmes"
EVIDENCE = "Heron huddle notes"


@pytest.fixture
def north(workspace, editor):
    """Two people with an affiliation each and a tie, each changed once (so with history)."""
    hospital = OrganisationFactory(workspace=workspace, name="Northgate Hospital")
    council = OrganisationFactory(workspace=workspace, name="Fenwick County Council")
    ada = PersonFactory(workspace=workspace, ref="N0001", name=ADA, notes=ADA_NOTES)
    ben = PersonFactory(workspace=workspace, ref="N0002", name=BEN)
    affiliation = AffiliationFactory(person=ada, organisation=hospital, role_title=ROLE)
    AffiliationFactory(person=ben, organisation=council)
    tie = RelationshipFactory(source=ada, target=ben, kind="trusts", evidence=EVIDENCE)
    for record in (ada, affiliation, tie):
        record._history_user = editor
        record.version += 1
        record.save()
    return {
        "hospital": hospital,
        "ada": ada,
        "ben": ben,
        "affiliation": affiliation,
        "tie": tie,
    }


def _deletion_line(model, pk: int) -> LogEntry:
    return LogEntry.objects.get(
        content_type=ContentType.objects.get_for_model(model),
        object_id=str(pk),
        action_flag=DELETION,
    )


# --- People are erased, never deleted ------------------------------------------------


def test_admin_offers_no_delete_of_a_person_alone_or_in_bulk(client, staff_owner, north):
    ada = north["ada"]
    client.force_login(staff_owner)

    assert client.get(_url("person", "delete", ada.pk)).status_code == 403
    assert client.post(_url("person", "delete", ada.pk), {"post": "yes"}).status_code == 403
    changelist = client.get(_url("person")).content.decode()
    assert 'value="delete_selected"' not in changelist
    client.post(
        _url("person"), {"action": "delete_selected", "_selected_action": [ada.pk], "post": "yes"}
    )

    assert Person.objects.filter(pk=ada.pk).exists()


def test_person_change_page_links_owners_to_the_erasure(
    client, staff_owner, staff_editor, workspace, north
):
    ada = north["ada"]
    erase = reverse("stakeholders:person_erase", kwargs={"slug": workspace.slug, "pk": ada.pk})
    client.force_login(staff_owner)
    page = client.get(_url("person", "change", ada.pk)).content.decode()
    assert f'href="{erase}"' in page and "Erase this person" in page
    assert f'href="{_url("person", "delete", ada.pk)}"' not in page

    client.force_login(staff_editor)  # editors do not erase; they are told who can
    page = client.get(_url("person", "change", ada.pk)).content.decode()
    assert erase not in page and "an owner of the workspace erases them" in page


# --- Other deletes take their history along -----------------------------------------


def test_deleting_a_relationship_removes_its_history_and_keeps_who_deleted_it(
    client, staff_editor, north
):
    tie = north["tie"]
    assert _everywhere([EVIDENCE])  # the search can fail
    client.force_login(staff_editor)
    confirm = client.get(_url("relationship", "delete", tie.pk)).content.decode()
    assert "The change history of everything deleted goes with it" in confirm

    response = client.post(_url("relationship", "delete", tie.pk), {"post": "yes"})

    assert response.status_code == 302
    assert not Relationship.history.filter(id=tie.pk).exists()
    assert _everywhere([EVIDENCE]) == []
    line = _deletion_line(Relationship, tie.pk)
    assert (line.object_repr, line.user) == (f"relationship {tie.pk}", staff_editor)
    assert client.get(_url("relationship", "history", tie.pk)).status_code == 404
    # The people at either end keep theirs.
    assert Person.history.filter(id=north["ada"].pk).count() == 2


@pytest.mark.parametrize(
    ("model", "key", "text"),
    [("relationship", "tie", EVIDENCE), ("affiliation", "affiliation", ROLE)],
)
def test_delete_selected_removes_the_history_of_every_row(
    client, staff_editor, north, model, key, text
):
    record = north[key]
    client.force_login(staff_editor)

    response = client.post(
        _url(model),
        {"action": "delete_selected", "_selected_action": [record.pk], "post": "yes"},
    )

    assert response.status_code == 302
    assert not type(record).objects.filter(pk=record.pk).exists()
    assert not type(record).history.filter(id=record.pk).exists()
    assert _everywhere([text]) == []
    assert _deletion_line(type(record), record.pk).object_repr == f"{model} {record.pk}"


def test_deleting_a_tie_row_on_the_person_page_removes_its_history(client, staff_editor, north):
    ada, tie = north["ada"], north["tie"]
    url = _url("person", "change", ada.pk)
    client.force_login(staff_editor)
    form = _load(client, url)
    assert form["ties_out-0-id"] == str(tie.pk)

    response = client.post(url, form | {"ties_out-0-DELETE": "on"})

    assert response.status_code == 302
    assert not Relationship.objects.filter(pk=tie.pk).exists()
    assert not Relationship.history.filter(id=tie.pk).exists()
    assert _everywhere([EVIDENCE]) == []
    line = LogEntry.objects.get(object_id=str(ada.pk), action_flag=CHANGE)
    assert "(deleted)" in line.change_message and BEN not in line.change_message


def test_deleting_an_organisation_removes_its_affiliations_history(client, staff_editor, north):
    hospital, affiliation = north["hospital"], north["affiliation"]
    client.force_login(staff_editor)
    confirm = client.get(_url("organisation", "delete", hospital.pk)).content.decode()
    assert ADA in confirm  # the affiliation that goes with it is listed

    response = client.post(_url("organisation", "delete", hospital.pk), {"post": "yes"})

    assert response.status_code == 302
    assert not Affiliation.history.filter(id=affiliation.pk).exists()
    assert not Organisation.history.filter(id=hospital.pk).exists()
    assert _everywhere([ROLE, "Northgate Hospital"]) == []
    assert Person.objects.filter(pk=north["ada"].pk).exists()


def test_superuser_deleting_a_workspace_leaves_no_history_of_its_people(
    client, workspace, north, owner
):
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    gone = PersonFactory(workspace=workspace, name="Zara Formerly")
    gone.delete()  # deleted before deletes took history along: goes with the workspace
    client.force_login(root)
    confirm = client.get(_url("workspace", "delete", workspace.pk))
    assert confirm.status_code == 200
    assert "except memberships" in confirm.content.decode()

    response = client.post(_url("workspace", "delete", workspace.pk), {"post": "yes"})

    assert response.status_code == 302
    assert not Workspace.objects.filter(pk=workspace.pk).exists()
    assert _everywhere([ADA, BEN, ADA_NOTES, ROLE, EVIDENCE, "Zara Formerly"]) == []
    assert not Person.history.filter(workspace_id=workspace.pk).exists()
    # Who had access stays on record.
    assert Membership.history.filter(workspace_id=workspace.pk, user=owner).exists()


# --- Records deleted before: manage.py erase_deleted -----------------------------------


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("erase_deleted", *args, stdout=out)
    return out.getvalue()


def test_history_of_a_person_deleted_before_is_hidden_then_erased(
    client, workspace, staff_owner, north
):
    ada, ben = north["ada"], north["ben"]
    ada_pk = ada.pk
    ada.delete()  # as the admin used to: her history stays behind
    assert _everywhere([ADA, ADA_NOTES, ROLE, EVIDENCE])
    client.force_login(staff_owner)
    assert client.get(_url("person", "history", ada_pk)).status_code == 404

    dry = _run("--workspace", workspace.slug, "--dry-run")
    assert "north-fenwick: would erase 1 deleted person;" in dry and ADA not in dry
    assert Person.history.filter(id=ada_pk).exists()

    out = _run("--workspace", workspace.slug, "--by", staff_owner.username)

    erasure = Erasure.objects.get()
    assert f"north-fenwick: erased 1 deleted person (erasure records {erasure.pk});" in out
    assert ADA not in out and "N0001" not in out
    assert (erasure.workspace, erasure.erased_by) == (workspace, staff_owner)
    assert (erasure.affiliations_removed, erasure.relationships_removed) == (1, 1)
    assert _everywhere([ADA, ADA_NOTES, ROLE, EVIDENCE, "N0001"]) == []
    assert Person.history.filter(id=ben.pk).exists()
    assert "north-fenwick: erased 0 deleted people;" in _run("--by", staff_owner.username)


def test_erase_deleted_by_ref_or_id_erases_only_that_person(workspace, owner, north):
    ada, ben = north["ada"], north["ben"]
    ada_pk, ben_pk = ada.pk, ben.pk
    north["tie"].delete()
    ada.delete()
    ben.delete()

    _run("--workspace", workspace.slug, "--ref", "N0001", "--by", owner.username)
    assert not Person.history.filter(id=ada_pk).exists()
    assert Person.history.filter(id=ben_pk).exists()
    _run("--workspace", workspace.slug, "--id", str(ben_pk), "--by", owner.username)
    assert not Person.history.filter(id=ben_pk).exists()
    assert Erasure.objects.count() == 2
    with pytest.raises(CommandError, match="Nobody deleted"):
        _run("--workspace", workspace.slug, "--ref", "N0001", "--by", owner.username)


def test_erase_deleted_removes_leftover_ties_organisations_and_workspaces(
    workspace, other_workspace, owner, north
):
    tie_pk = north["tie"].pk
    north["tie"].delete()
    elsewhere_pk = PersonFactory(workspace=other_workspace, name="Yusuf Southall").pk
    other_pk = other_workspace.pk
    other_workspace.delete()
    assert Relationship.history.filter(id=tie_pk).exists()

    out = _run("--by", owner.username)

    assert "removed the history of 0 organisations, 0 affiliations and 1 relationship." in out
    assert "Deleted workspaces: removed the history of 1 workspace." in out
    assert not Relationship.history.filter(id=tie_pk).exists()
    assert not Person.history.filter(id=elsewhere_pk).exists()
    assert not Workspace.history.filter(id=other_pk).exists()
    assert Person.history.filter(id=north["ada"].pk).exists()


def test_erase_deleted_needs_an_account_and_a_workspace_for_refs(workspace, north):
    with pytest.raises(CommandError, match="--by"):
        _run("--workspace", workspace.slug)
    with pytest.raises(CommandError, match="need --workspace"):
        _run("--ref", "N0001", "--dry-run")


def test_a_live_person_is_erased_from_their_page_not_over_history(workspace, owner, north):
    with pytest.raises(Person.DoesNotExist):
        deleted_person_erase(workspace=workspace, person_id=north["ada"].pk, erased_by=owner)
    assert Person.objects.filter(pk=north["ada"].pk).exists()


def test_superuser_deletes_a_workspace_with_a_snapshot_a_survey_and_an_erasure(
    client, workspace, north, editor
):
    """Whatever the workspace has done, it can go, and every trace of its people with it:
    a snapshot's frozen scores, survey answers and their history, erasure records."""
    ada, ben = north["ada"], north["ben"]
    score_runs.score_run_execute(workspace_id=workspace.pk)
    snapshot = snapshot_create(workspace=workspace, name="Board, March", enqueue=False)
    snapshot_execute(snapshot_id=snapshot.pk)
    run_id = Snapshot.objects.get(pk=snapshot.pk).run_id
    with pytest.raises(RestrictedError):  # its scores alone never go (pruning)
        ScoreRun.objects.filter(pk=run_id).delete()
    kind = RelationshipKind.COLLABORATES
    survey = survey_create(
        workspace=workspace,
        user=None,
        title="Partnership survey",
        introduction="Who do you work with?",
        privacy_notice="Members of this workspace see the answers.",
        closes_at=timezone.now() + datetime.timedelta(days=14),
        questions=[(kind, DEFAULT_WORDING[kind])],
        people=[ada, ben],
    )
    response = survey.responses.get(person=ben)
    response_consent(response=response, consent=True)
    response.refresh_from_db()
    response_save(response=response, answers=[AnswerInput(kind, ada.pk, strength=4)], submit=True)
    assert SurveyAnswer.history.exists()
    gone = PersonFactory(workspace=workspace, name="Zara Formerly")
    person_erase(workspace=workspace, person=gone, erased_by=editor)
    assert Erasure.objects.filter(workspace=workspace).exists()
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))

    confirm = client.get(_url("workspace", "delete", workspace.pk)).content.decode()
    assert "Cannot delete" not in confirm and "permission" not in confirm

    response = client.post(_url("workspace", "delete", workspace.pk), {"post": "yes"})

    assert response.status_code == 302
    assert not Workspace.objects.filter(pk=workspace.pk).exists()
    assert _everywhere([ADA, BEN, ADA_NOTES, ROLE, EVIDENCE, "Partnership survey"]) == []
    assert not ScoreRun.objects.filter(pk=run_id).exists()
