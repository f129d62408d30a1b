"""The survey's writes: answers become ties with provenance, and come back out cleanly."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from stakeholders.models import (
    Person,
    Provenance,
    Relationship,
    RelationshipKind,
    ResponseStatus,
    Seniority,
    SurveyAnswer,
)
from stakeholders.surveys.services import (
    DEFAULT_WORDING,
    STRENGTH_WHEN_NOT_ASKED,
    AnswerInput,
    answer_review,
    response_consent,
    response_link_reissue,
    response_save,
    response_withdraw,
    survey_answers_apply,
    survey_close,
    survey_create,
)
from stakeholders.surveys.tokens import (
    LinkState,
    link_state,
    response_for_token,
    response_token,
)
from tests.factories import OrganisationFactory, PersonFactory, RelationshipFactory

C, T = RelationshipKind.COLLABORATES, RelationshipKind.TRUSTS


@pytest.fixture
def people(workspace):
    return [PersonFactory(workspace=workspace, name=f"Person {n}") for n in range(4)]


@pytest.fixture
def survey(workspace, editor, people):
    return survey_create(
        workspace=workspace,
        user=editor.user if hasattr(editor, "user") else None,
        title="Partnership survey",
        introduction="Who do you work with?",
        privacy_notice="Members of this workspace see the answers.",
        closes_at=timezone.now() + datetime.timedelta(days=14),
        questions=[(C, DEFAULT_WORDING[C]), (T, DEFAULT_WORDING[T])],
        people=people,
    )


def _response(survey, person):
    return survey.responses.get(person=person)


def _consented(survey, person):
    response = _response(survey, person)
    response_consent(response=response, consent=True)
    response.refresh_from_db()
    return response


def test_create_makes_a_response_per_person_with_a_distinct_link(survey, people):
    responses = list(survey.responses.all())
    assert sorted(r.person_id for r in responses) == sorted(p.pk for p in people)
    assert len({r.nonce for r in responses}) == len(people)
    assert [q.kind for q in survey.questions.all()] == [C, T]


def test_create_refuses_every_problem_at_once(workspace, other_workspace):
    stranger = PersonFactory(workspace=other_workspace)
    with pytest.raises(ValidationError) as caught:
        survey_create(
            workspace=workspace,
            user=None,
            title=" ",
            introduction="x",
            privacy_notice="y",
            closes_at=timezone.now() - datetime.timedelta(days=1),
            questions=[],
            people=[stranger],
        )
    errors = caught.value.message_dict
    assert errors["closes_at"] == ["The closing date must be in the future."]
    assert errors["questions"] == ["Choose at least one question to ask."]
    assert errors["people"] == ["Everyone invited must be in this workspace."]
    assert "title" in errors


def test_token_opens_only_its_own_response_until_reissued(survey, people):
    response = _response(survey, people[0])
    token = response_token(response)
    assert response_for_token(token) == response
    assert link_state(response_for_token(token)) == LinkState.OPEN
    assert response_for_token(token[:-2] + "xx") is None
    assert response_for_token("") is None
    response_link_reissue(response=response)
    assert response_for_token(token) is None
    assert response_for_token(response_token(response)) == response


def test_a_token_signed_for_another_purpose_is_refused(survey, people):
    from django.core import signing

    response = _response(survey, people[0])
    forged = signing.dumps([response.pk, response.nonce], salt="another.purpose")
    assert response_for_token(forged) is None


def test_link_closes_at_the_closing_moment_and_when_closed_early(survey, people):
    response = _response(survey, people[0])
    assert link_state(response, now=survey.closes_at) == LinkState.CLOSED
    survey_close(survey=survey)
    response.refresh_from_db()
    assert link_state(response_for_token(response_token(response))) == LinkState.CLOSED
    with pytest.raises(ValidationError):
        response_consent(response=response, consent=True)


def test_answers_need_consent(survey, people):
    response = _response(survey, people[0])
    with pytest.raises(ValidationError, match="Agree to take part"):
        response_save(response=response, answers=[AnswerInput(C, people[1].pk, strength=3)])


def test_a_draft_makes_no_ties_and_submission_makes_them_reported(survey, people):
    me, them = people[0], people[1]
    response = _consented(survey, me)
    response_save(response=response, answers=[AnswerInput(C, them.pk, strength=4, trust=5)])
    assert not Relationship.objects.filter(source=me).exists()
    response_save(
        response=response, answers=[AnswerInput(C, them.pk, strength=4, trust=5)], submit=True
    )
    tie = Relationship.objects.get(source=me, target=them, kind=C)
    assert (tie.strength, tie.trust, tie.provenance, tie.survey) == (4, 5, "reported", survey)
    assert tie.reported_on == timezone.localdate()
    assert tie.history.first().history_change_reason == f"Survey answer from {me.name}"
    response.refresh_from_db()
    assert response.status == ResponseStatus.SUBMITTED


def test_resubmission_updates_adds_and_removes_ties(survey, people):
    me = people[0]
    response = _consented(survey, me)
    response_save(
        response=response,
        answers=[
            AnswerInput(C, people[1].pk, strength=2),
            AnswerInput(T, people[2].pk, strength=3),
        ],
        submit=True,
    )
    response_save(
        response=response,
        answers=[
            AnswerInput(C, people[1].pk, strength=5),
            AnswerInput(T, people[3].pk, strength=1),
        ],
        submit=True,
    )
    ties = {(t.target_id, t.kind): t.strength for t in Relationship.objects.filter(source=me)}
    assert ties == {(people[1].pk, C): 5, (people[3].pk, T): 1}


def test_an_answer_takes_over_an_editor_tie_and_withdrawal_restores_it(survey, people):
    me, them = people[0], people[1]
    editor_tie = RelationshipFactory(
        source=me,
        target=them,
        kind=C,
        strength=2,
        trust=None,
        end_date=datetime.date(2025, 3, 1),
    )
    response = _consented(survey, me)
    response_save(response=response, answers=[AnswerInput(C, them.pk, strength=5)], submit=True)
    editor_tie.refresh_from_db()
    assert (editor_tie.strength, editor_tie.provenance, editor_tie.end_date) == (
        5,
        "reported",
        None,
    )
    response_withdraw(response=response)
    editor_tie.refresh_from_db()
    assert (editor_tie.strength, editor_tie.trust, editor_tie.provenance) == (2, None, "editor")
    assert editor_tie.end_date == datetime.date(2025, 3, 1)
    assert editor_tie.survey is None and editor_tie.reported_on is None
    response.refresh_from_db()
    assert response.status == ResponseStatus.WITHDRAWN
    assert not response.answers.exists()


def test_withdrawal_deletes_ties_only_the_answers_made(survey, people):
    me = people[0]
    response = _consented(survey, me)
    response_save(
        response=response, answers=[AnswerInput(C, people[1].pk, strength=3)], submit=True
    )
    other = RelationshipFactory(source=me, target=people[2], kind=T)
    response_withdraw(response=response)
    assert list(Relationship.objects.filter(source=me)) == [other]


def test_declining_after_submitting_removes_the_answers(survey, people):
    response = _consented(survey, people[0])
    response_save(
        response=response, answers=[AnswerInput(C, people[1].pk, strength=3)], submit=True
    )
    response_consent(response=response, consent=False)
    response.refresh_from_db()
    assert response.status == ResponseStatus.DECLINED
    assert not Relationship.objects.filter(source=people[0]).exists()


def test_bad_answers_are_refused_together_naming_question_and_person(
    survey, people, other_workspace
):
    response = _consented(survey, people[0])
    stranger = PersonFactory(workspace=other_workspace)
    with pytest.raises(ValidationError) as caught:
        response_save(
            response=response,
            answers=[
                AnswerInput(C, people[0].pk, strength=3),
                AnswerInput(C, stranger.pk, strength=3),
                AnswerInput(T, people[1].pk, strength=9),
                AnswerInput(T, people[2].pk, strength=None),
                AnswerInput(RelationshipKind.INFLUENCES, people[3].pk, strength=3),
                AnswerInput(C, people[3].pk, strength=3),
                AnswerInput(C, people[3].pk, strength=4),
                AnswerInput(C, None, unlisted_name="  ", strength=3),
            ],
            submit=True,
        )
    problems = caught.value.message_dict["answers"]
    assert problems == [
        '"Collaborates with", answer 1: you cannot name yourself.',
        '"Collaborates with", answer 2: that person is not on this survey\'s list.',
        '"Trusts", Person 1: how closely you work together must be a whole number from 1 to 5.',
        '"Trusts", Person 2: choose how closely you work together from 1 to 5.',
        "Answer 5: this survey does not ask about that kind of tie.",
        '"Collaborates with", Person 3: named twice for this question.',
        '"Collaborates with", answer 8: enter the name of the person.',
    ]
    assert not response.answers.exists()


def test_a_draft_may_wait_for_strength_and_makes_no_tie_until_given(survey, people):
    response = _consented(survey, people[0])
    response_save(response=response, answers=[AnswerInput(C, people[1].pk)])
    with pytest.raises(ValidationError, match="choose how closely"):
        response_save(response=response, answers=[AnswerInput(C, people[1].pk)], submit=True)
    response_save(
        response=response, answers=[AnswerInput(C, people[1].pk, strength=2)], submit=True
    )
    # Once submitted, a person added without a strength yet has no tie until given one.
    response_save(
        response=response,
        answers=[AnswerInput(C, people[1].pk, strength=2), AnswerInput(T, people[2].pk)],
    )
    assert list(Relationship.objects.filter(source=people[0]).values_list("target", flat=True)) == [
        people[1].pk
    ]


def test_strength_not_asked_records_the_middle(workspace, people):
    survey = survey_create(
        workspace=workspace,
        user=None,
        title="Short",
        introduction="i",
        privacy_notice="p",
        closes_at=timezone.now() + datetime.timedelta(days=1),
        questions=[(C, "Who?")],
        people=people,
        ask_strength=False,
        ask_trust=False,
    )
    response = _consented(survey, people[0])
    response_save(
        response=response, answers=[AnswerInput(C, people[1].pk, strength=1, trust=1)], submit=True
    )
    tie = Relationship.objects.get(source=people[0])
    assert (tie.strength, tie.trust) == (STRENGTH_WHEN_NOT_ASKED, None)


def test_a_name_not_on_the_roster_waits_for_review_then_enters_the_map(survey, people, workspace):
    response = _consented(survey, people[0])
    response_save(
        response=response,
        answers=[AnswerInput(C, None, "Ada Obi", "Riverside PCN", strength=4)],
        submit=True,
    )
    answer = SurveyAnswer.objects.get(response=response)
    assert answer.review == SurveyAnswer.Review.PENDING
    assert not Relationship.objects.filter(source=people[0]).exists()
    organisation = OrganisationFactory(workspace=workspace)
    with pytest.raises(ValidationError) as caught:
        answer_review(answer=answer, add=True)
    assert set(caught.value.message_dict) == {"organisation", "seniority"}
    added = answer_review(
        answer=answer, add=True, organisation=organisation, seniority=Seniority.MANAGER
    )
    assert added.name == "Ada Obi" and added.affiliations.get().organisation == organisation
    tie = Relationship.objects.get(source=people[0])
    assert (tie.target, tie.strength, tie.provenance) == (added, 4, Provenance.REPORTED)
    # Re-submitting the same answers keeps the reviewed name and its tie.
    response_save(
        response=response,
        answers=[AnswerInput(C, None, "Ada Obi", "Riverside PCN", strength=2)],
        submit=True,
    )
    tie.refresh_from_db()
    assert tie.strength == 2
    assert Person.objects.filter(name="Ada Obi").count() == 1


def test_a_rejected_name_makes_no_tie(survey, people):
    response = _consented(survey, people[0])
    response_save(
        response=response, answers=[AnswerInput(C, None, "Ada Obi", strength=4)], submit=True
    )
    answer = SurveyAnswer.objects.get(response=response)
    answer_review(answer=answer, add=False)
    answer.refresh_from_db()
    assert answer.review == SurveyAnswer.Review.REJECTED
    assert not Relationship.objects.filter(source=people[0]).exists()
    with pytest.raises(ValidationError, match="reviewed already"):
        answer_review(answer=answer, add=False)


def test_apply_writes_every_submitted_answer_once(survey, people):
    for me in people[:3]:
        response = _consented(survey, me)
        response_save(
            response=response,
            answers=[AnswerInput(C, people[3].pk, strength=3)],
            submit=True,
        )
    assert Relationship.objects.filter(provenance="reported").count() == 3
    # Nothing changed since: applying again writes nothing.
    assert survey_answers_apply(survey=survey) == 0
    Relationship.objects.filter(source=people[0]).update(strength=1)
    assert survey_answers_apply(survey=survey) == 1
    assert Relationship.objects.get(source=people[0]).strength == 3
