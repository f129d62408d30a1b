"""Erasure and subject access cover survey answers (issue #15)."""

import io
import zipfile

import pytest

from stakeholders.models import (
    Erasure,
    Provenance,
    ResponseStatus,
    SurveyAnswer,
    SurveyResponse,
)
from stakeholders.privacy.erasure import person_erase
from tests.factories import (
    AffiliationFactory,
    OrganisationFactory,
    PersonFactory,
    RelationshipFactory,
)
from tests.privacy.test_privacy import NAME, REF, _csv, _everywhere, url
from tests.privacy.test_privacy import subject as subject_fixture
from tests.surveys.test_completeness import make_survey

EMAIL = "zebedee.quartermaine@example.nhs.uk"
REASON = f"Survey answer from {NAME}"

subject = subject_fixture


@pytest.fixture
def surveyed(workspace, subject):
    """The person answered a survey, and others named them in it (and by a name alone)."""
    person, broker = subject["person"], subject["broker"]
    person.email = EMAIL
    person.save()
    survey = make_survey(workspace)
    theirs = SurveyResponse(
        survey=survey, person=person, email=EMAIL, nonce="theirs", status=ResponseStatus.SUBMITTED
    )
    theirs._change_reason = REASON
    theirs.save()
    answer = SurveyAnswer(response=theirs, kind="trusts", target=broker, strength=4, trust=5)
    answer._change_reason = REASON
    answer.save()
    SurveyAnswer.objects.create(
        response=theirs, kind="collaborates", unlisted_name="Nell Gwyn", unlisted_organisation="X"
    )
    brokers = SurveyResponse.objects.create(
        survey=survey, person=broker, nonce="brokers", status=ResponseStatus.SUBMITTED
    )
    naming = SurveyAnswer.objects.create(
        response=brokers, kind="collaborates", target=person, strength=3
    )
    unlisted = SurveyAnswer.objects.create(
        response=brokers, kind="trusts", unlisted_name=NAME, unlisted_organisation="Council"
    )
    other = PersonFactory(workspace=workspace, name="Olive Other")
    kept = SurveyAnswer.objects.create(response=brokers, kind="trusts", target=other, strength=2)
    # A tie the person reported, and another record whose history names them as its reason.
    tie = RelationshipFactory(
        source=person, target=other, provenance=Provenance.REPORTED, survey=survey
    )
    other._change_reason = REASON
    other.job_title = "Named in a survey"
    other.save()
    return {
        "survey": survey,
        "theirs": theirs,
        "brokers": brokers,
        "naming": naming,
        "unlisted": unlisted,
        "kept": kept,
        "tie": tie,
    }


def test_subject_access_includes_survey_answers_and_email(
    client, workspace, subject, surveyed, owner
):
    person = subject["person"]
    client.force_login(owner)
    response = client.get(url("person_subject_access", workspace, person.pk))
    pack = zipfile.ZipFile(io.BytesIO(response.content))
    assert {"survey_responses.csv", "survey_answers.csv", "survey_named_by.csv"} <= set(
        pack.namelist()
    )
    readme = pack.read("README.txt").decode()
    assert "survey_named_by.csv: Other people's survey answers naming the person" in readme

    people = _csv(pack, "person.csv")
    assert people[0][-1] == "Email" and people[1][-1] == EMAIL

    responses = _csv(pack, "survey_responses.csv")
    assert responses[0][:3] == ["Survey", "Status", "Email"]
    assert responses[1][:3] == ["Partnership survey 2027", "Submitted", EMAIL]

    answers = _csv(pack, "survey_answers.csv")
    assert answers[0] == [
        "Survey",
        "Question",
        "Named person ref",
        "Named person name",
        "Name not on the list",
        "Organisation not on the list",
        "Strength",
        "Trust",
        "Review",
    ]
    assert sorted(row[1:] for row in answers[1:]) == [
        ["Collaborates with", "", "", "Nell Gwyn", "X", "", "", ""],
        ["Trusts", subject["broker"].ref, "Bridget Broker", "", "", "4", "5", ""],
    ]

    named_by = _csv(pack, "survey_named_by.csv")
    assert named_by[0] == [
        "Survey",
        "Named by ref",
        "Named by name",
        "Question",
        "Strength",
        "Trust",
    ]
    assert named_by[1:] == [
        [
            "Partnership survey 2027",
            subject["broker"].ref,
            "Bridget Broker",
            "Collaborates with",
            "3",
            "",
        ]
    ]

    history = _csv(pack, "history.csv")
    survey_rows = [r for r in history if r[2] in ("Survey response", "Survey answer")]
    assert any(r[2] == "Survey response" and r[1] == REASON for r in survey_rows)
    # Others' answers naming them are in their history too, their name resolved.
    assert any(
        r[2] == "Survey answer" and r[5] == "Target" and r[7].startswith(NAME) for r in survey_rows
    )


def test_erasure_removes_survey_answers_and_their_history(workspace, subject, surveyed, owner):
    person = subject["person"]
    needles = [NAME, REF, EMAIL]
    before = _everywhere(needles)
    for table in (
        "stakeholders_surveyresponse.email",
        "stakeholders_historicalsurveyresponse.history_change_reason",
        "stakeholders_surveyanswer.unlisted_name",
    ):
        assert any(hit.startswith(table) for hit in before), table

    person_erase(workspace=workspace, person=person, erased_by=owner)

    assert _everywhere(needles) == []
    pk = person.pk
    assert not SurveyResponse.objects.filter(person_id=pk).exists()
    assert not SurveyResponse.history.filter(person_id=pk).exists()
    theirs = surveyed["theirs"].pk
    assert not SurveyAnswer.objects.filter(response_id=theirs).exists()
    assert not SurveyAnswer.history.filter(response_id=theirs).exists()
    assert not SurveyAnswer.objects.filter(target_id=pk).exists()
    assert not SurveyAnswer.history.filter(target_id=pk).exists()
    for gone in ("naming", "unlisted"):
        assert not SurveyAnswer.objects.filter(pk=surveyed[gone].pk).exists()
        assert not SurveyAnswer.history.filter(id=surveyed[gone].pk).exists()
    # The rest of the broker's answers, and their response, stay.
    assert SurveyResponse.objects.filter(pk=surveyed["brokers"].pk).exists()
    assert SurveyAnswer.objects.filter(pk=surveyed["kept"].pk).exists()
    assert Erasure.objects.get().relationships_removed == 3


def test_erasure_leaves_other_workspaces_surveys_alone(
    workspace, other_workspace, subject, surveyed, owner
):
    a = PersonFactory(workspace=other_workspace, name=NAME)
    b = PersonFactory(workspace=other_workspace)
    response = SurveyResponse.objects.create(
        survey=make_survey(other_workspace), person=b, nonce="elsewhere"
    )
    answer = SurveyAnswer.objects.create(response=response, kind="trusts", target=a)
    pending = SurveyAnswer.objects.create(response=response, kind="trusts", unlisted_name=NAME)
    person_erase(workspace=workspace, person=subject["person"], erased_by=owner)
    assert SurveyAnswer.objects.filter(pk__in=[answer.pk, pending.pk]).count() == 2


def test_an_editor_sets_a_persons_email_in_data_entry(client, workspace, editor):
    """Person.email (where survey links go) is on the person admin form."""
    from tests.conftest import admin_url as _url
    from tests.conftest import make_staff
    from tests.test_admin import _existing_affiliations, _person_post

    client.force_login(make_staff(editor))
    ada = PersonFactory(workspace=workspace, name="Ada Northcott")
    AffiliationFactory(person=ada, organisation=OrganisationFactory(workspace=workspace))
    assert 'name="email"' in client.get(_url("person", "change", ada.pk)).content.decode()
    data = _person_post(
        workspace, _existing_affiliations(ada), person=ada, email="ada@example.nhs.uk"
    )
    assert client.post(_url("person", "change", ada.pk), data).status_code == 302
    ada.refresh_from_db()
    assert ada.email == "ada@example.nhs.uk"
    data = _person_post(workspace, _existing_affiliations(ada), person=ada, email="not an address")
    body = client.post(_url("person", "change", ada.pk), data).content.decode()
    assert "Enter a valid email address." in body
