"""An admin edit cannot move a record to another workspace while records of its old
workspace link to it: those links would cross workspaces (a forum of one workspace
seating a person of another shows that person to the first workspace's viewers)."""

import pytest

from stakeholders.forms import ForumAdminForm, OrganisationAdminForm, PersonAdminForm
from stakeholders.models import (
    Forum,
    ForumMembership,
    Organisation,
    RelationshipKind,
    ResponseStatus,
    SurveyAnswer,
)
from tests.factories import OrganisationFactory, PersonFactory
from tests.surveys.test_completeness import make_survey, respond
from tests.test_former_organisations import scored_map

pytestmark = pytest.mark.django_db


def _move(form_class, instance, fields, to):
    data = {name: getattr(instance, name) for name in fields}
    form = form_class(
        {**data, "workspace": to.pk, "loaded_version": str(instance.version)},
        instance=type(instance).objects.get(pk=instance.pk),
    )
    return form


def _person_move(person, to):
    return _move(PersonAdminForm, person, ("ref", "name", "job_title", "seniority"), to)


@pytest.fixture
def elsewhere(other_workspace):
    return other_workspace


def test_a_person_with_only_a_forum_seat_stays(workspace, elsewhere):
    person = PersonFactory(workspace=workspace)
    assert _person_move(person, elsewhere).is_valid()  # nothing links to them yet
    forum = Forum.objects.create(
        workspace=workspace, name="ICB board", kind="icb_board", tier="system"
    )
    ForumMembership.objects.create(forum=forum, person=person)

    form = _person_move(person, elsewhere)

    assert not form.is_valid()
    assert "forum seats" in form.errors["workspace"][0]
    assert "cannot move to another workspace" in form.errors["workspace"][0]


def test_a_person_with_only_survey_answers_stays(workspace, elsewhere):
    person = PersonFactory(workspace=workspace)
    respond(make_survey(workspace), person)

    form = _person_move(person, elsewhere)

    assert not form.is_valid()
    assert "survey answers" in form.errors["workspace"][0]


def test_a_person_only_named_in_someone_else_s_survey_answer_stays(workspace, elsewhere):
    named = PersonFactory(workspace=workspace)
    respondent = PersonFactory(workspace=workspace)
    response = respond(make_survey(workspace), respondent, status=ResponseStatus.WITHDRAWN)
    SurveyAnswer.objects.create(response=response, kind=RelationshipKind.COLLABORATES, target=named)

    form = _person_move(named, elsewhere)

    assert not form.is_valid()
    assert "survey answers they gave or are named in" in form.errors["workspace"][0]
    assert "cannot move to another workspace" in form.errors["workspace"][0]


def test_a_forum_with_seats_stays_and_one_without_moves(workspace, elsewhere):
    forum = Forum.objects.create(
        workspace=workspace, name="ICB board", kind="icb_board", tier="system"
    )
    fields = ("name", "kind", "tier")
    form = _move(ForumAdminForm, forum, fields, elsewhere)
    assert form.is_valid(), form.errors
    ForumMembership.objects.create(forum=forum, person=PersonFactory(workspace=workspace))

    form = _move(ForumAdminForm, forum, fields, elsewhere)

    assert not form.is_valid()
    assert form.errors["workspace"] == [
        "A forum with seats cannot move to another workspace: the records it links to "
        f"belong to {workspace}."
    ]


def test_an_organisation_hosting_a_forum_stays(workspace, elsewhere):
    council = OrganisationFactory(workspace=workspace, name="Fenwick County Council")
    Forum.objects.create(
        workspace=workspace,
        name="Health and wellbeing board",
        kind="health_and_wellbeing_board",
        tier="place",
        host=council,
    )

    form = _move(
        OrganisationAdminForm, council, ("name", "short_name", "kind", "sector", "tier"), elsewhere
    )

    assert not form.is_valid()
    assert "forums it hosts" in form.errors["workspace"][0]
    assert Organisation.objects.get(pk=council.pk).workspace_id == workspace.pk


def test_an_organisation_stored_scores_group_people_by_stays(workspace, elsewhere):
    """Its old scores and snapshots name it by id: moved away, they could not."""
    old, _, _ = scored_map(workspace)
    for affiliation in old.affiliations.all():
        affiliation.delete()

    form = _move(
        OrganisationAdminForm, old, ("name", "short_name", "kind", "sector", "tier"), elsewhere
    )

    assert not form.is_valid()
    assert "stored scores" in form.errors["workspace"][0]
