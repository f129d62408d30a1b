"""A small survey for the editor's tests: two organisations, six people, known answers.

Northgate (4 invited): Ada submitted, Ben declined, Cat started, Dev not answered
(no email). Southfield (2 invited): Eve submitted, Fay withdrew. Ada named Eve and
someone not on the roster (Zara Unlisted, waiting for review).
"""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from stakeholders.models import Person, RelationshipKind, Survey, SurveyResponse
from stakeholders.surveys.services import (
    DEFAULT_WORDING,
    AnswerInput,
    response_consent,
    response_save,
    response_withdraw,
    survey_create,
)
from tests.factories import AffiliationFactory, OrganisationFactory, PersonFactory

C = RelationshipKind.COLLABORATES


@dataclass
class EditorWorld:
    survey: Survey
    people: dict[str, Person]
    northgate: object
    southfield: object

    def response(self, name: str) -> SurveyResponse:
        return self.survey.responses.select_related("survey", "person").get(
            person=self.people[name]
        )


def build_world(workspace, user) -> EditorWorld:
    northgate = OrganisationFactory(workspace=workspace, name="Northgate Hospital")
    southfield = OrganisationFactory(workspace=workspace, name="Southfield Council")
    people = {}
    for name, org, email in (
        ("Ada", northgate, "ada@example.nhs.uk"),
        ("Ben", northgate, "ben@example.nhs.uk"),
        ("Cat", northgate, "cat@example.nhs.uk"),
        ("Dev", northgate, ""),
        ("Eve", southfield, "eve@example.gov.uk"),
        ("Fay", southfield, "fay@example.gov.uk"),
    ):
        person = PersonFactory(workspace=workspace, name=f"{name} Example", email=email)
        AffiliationFactory(person=person, organisation=org, is_primary=True)
        people[name] = person
    survey = survey_create(
        workspace=workspace,
        user=user,
        title="Working together 2027",
        introduction="Who do you work with?",
        privacy_notice="Members of this workspace see the answers.",
        closes_at=timezone.now() + datetime.timedelta(days=14),
        questions=[(C, DEFAULT_WORDING[C])],
        people=people.values(),
    )
    world = EditorWorld(survey=survey, people=people, northgate=northgate, southfield=southfield)

    def answered(name, answers, submit=True):
        response = world.response(name)
        response_consent(response=response, consent=True)
        response_save(response=world.response(name), answers=answers, submit=submit)

    answered(
        "Ada",
        [
            AnswerInput(kind=C, target_id=people["Eve"].pk, strength=4, trust=4),
            AnswerInput(
                kind=C, unlisted_name="Zara Unlisted", unlisted_organisation="Hill PCN", strength=3
            ),
        ],
    )
    answered("Eve", [AnswerInput(kind=C, target_id=people["Ada"].pk, strength=5)])
    answered("Fay", [AnswerInput(kind=C, target_id=people["Ada"].pk, strength=2)])
    response_withdraw(response=world.response("Fay"))
    response_consent(response=world.response("Ben"), consent=False)
    response_consent(response=world.response("Cat"), consent=True)
    return world
