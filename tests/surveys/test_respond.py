"""The respondent's pages: the link, consent, answering, changing and withdrawing."""

import datetime

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from stakeholders.models import Relationship, ResponseStatus
from stakeholders.surveys.respondent import REFUSALS_PER_HOUR
from stakeholders.surveys.services import (
    response_link_reissue,
    survey_close,
    survey_create,
)
from stakeholders.surveys.tokens import response_token
from tests.factories import AffiliationFactory, OrganisationFactory, PersonFactory

RESPOND = reverse("stakeholders:survey_respond")
ROSTER = reverse("stakeholders:survey_roster")


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def people(workspace):
    trust = OrganisationFactory(workspace=workspace, name="Northgate Hospital")
    council = OrganisationFactory(workspace=workspace, name="Fenwick Council")
    made = {}
    for name, org in (
        ("Ada Lovell", trust),
        ("Ben Okafor", trust),
        ("Bea Okoro", council),
        ("Cal Reyes", council),
    ):
        person = PersonFactory(workspace=workspace, name=name)
        AffiliationFactory(person=person, organisation=org, is_primary=True)
        made[name.split()[0]] = person
    return made


@pytest.fixture
def survey(workspace, people):
    return survey_create(
        workspace=workspace,
        user=None,
        title="Working together 2027",
        introduction="We are mapping how we work across the system.",
        privacy_notice="The ICB's strategy team sees your answers, to plan joint work.",
        closes_at=timezone.now() + datetime.timedelta(days=10),
        questions=[("collaborates", "Who do you work with?"), ("trusts", "Whom do you trust?")],
        people=list(people.values()),
    )


def _open(client, survey, person):
    response = survey.responses.get(person=person)
    answer = client.get(reverse("stakeholders:survey_open", args=[response_token(response)]))
    return response, answer


def _consented(client, survey, person):
    response, _ = _open(client, survey, person)
    client.post(RESPOND, {"consent": "yes"})
    return response


def test_the_link_puts_its_token_in_the_session_and_leaves_the_address(client, survey, people):
    response, answer = _open(client, survey, people["Ada"])
    assert answer.status_code == 302
    assert answer["Location"] == RESPOND
    assert response_token(response) not in answer["Location"]
    page = client.get(RESPOND)
    assert page.status_code == 200
    body = page.content.decode()
    assert "Working together 2027" in body
    assert "The ICB&#x27;s strategy team sees your answers" in body
    assert "I agree, start the survey" in body
    assert response_token(response) not in body
    assert "no-cache" in page["Cache-Control"] or "max-age=0" in page["Cache-Control"]


def test_a_tampered_or_unknown_link_is_refused(client, survey, people):
    response = survey.responses.get(person=people["Ada"])
    token = response_token(response)
    client.get(reverse("stakeholders:survey_open", args=[token[:-3] + "abc"]))
    page = client.get(RESPOND)
    assert page.status_code == 404
    assert "This survey link does not work" in page.content.decode()
    assert client.get(RESPOND).status_code == 404


def test_a_reissued_link_stops_the_old_one_even_mid_session(client, survey, people):
    response, _ = _open(client, survey, people["Ada"])
    assert client.get(RESPOND).status_code == 200
    response_link_reissue(response=response)
    assert client.get(RESPOND).status_code == 404


@pytest.mark.parametrize("how", ["expired", "closed early"])
def test_a_closed_survey_is_refused_clearly(client, survey, people, how):
    _open(client, survey, people["Ada"])
    if how == "expired":
        survey.closes_at = timezone.now() - datetime.timedelta(minutes=1)
        survey.save()
    else:
        survey_close(survey=survey)
    page = client.get(RESPOND)
    assert page.status_code == 410
    assert "This survey has closed" in page.content.decode()


def test_too_many_refused_links_from_one_address_answer_429(client, survey, people):
    for _ in range(REFUSALS_PER_HOUR):
        client.get(reverse("stakeholders:survey_open", args=["not-a-token"]))
        assert client.get(RESPOND).status_code == 404
    good = survey.responses.get(person=people["Ada"])
    answer = client.get(reverse("stakeholders:survey_open", args=[response_token(good)]))
    assert answer.status_code == 429
    assert "Too many attempts" in answer.content.decode()


def test_declining_is_recorded_and_can_be_changed(client, survey, people):
    response, _ = _open(client, survey, people["Ada"])
    answer = client.post(RESPOND, {"consent": "no"})
    assert answer.status_code == 302
    response.refresh_from_db()
    assert response.status == ResponseStatus.DECLINED
    body = client.get(RESPOND).content.decode()
    assert "You chose not to take part" in body
    client.post(RESPOND, {"consent": "yes"})
    response.refresh_from_db()
    assert response.status == ResponseStatus.CONSENTED


def test_the_roster_search_shows_names_and_organisations_of_this_workspace_only(
    client, survey, people, other_workspace
):
    PersonFactory(workspace=other_workspace, name="Bella Outsider")
    _consented(client, survey, people["Ada"])
    page = client.post(f"{ROSTER}?kind=collaborates", {"q-collaborates": "b"})
    assert "Type at least two letters" in page.content.decode()
    page = client.post(f"{ROSTER}?kind=collaborates", {"q-collaborates": "be"})
    body = page.content.decode()
    assert "Ben Okafor" in body and "Northgate Hospital" in body
    assert "Bea Okoro" in body and "Fenwick Council" in body
    assert "Bella Outsider" not in body
    assert 'value="collaborates:' in body
    # Never the respondent themself.
    assert (
        "Ada Lovell"
        not in client.post(f"{ROSTER}?kind=trusts", {"q-trusts": "ada"}).content.decode()
    )
    assert client.post(f"{ROSTER}?kind=reports_to", {"q-reports_to": "be"}).status_code == 400


def test_the_name_typed_is_posted_never_put_in_the_address(client, survey, people):
    _consented(client, survey, people["Ada"])
    page = client.get(RESPOND).content.decode()
    assert f'hx-post="{ROSTER}?kind=collaborates"' in page
    assert client.get(ROSTER, {"kind": "collaborates", "q-collaborates": "be"}).status_code == 405


def test_the_roster_needs_a_working_link(client, survey, people):
    assert client.post(f"{ROSTER}?kind=collaborates", {"q-collaborates": "ben"}).status_code == 404


def test_find_without_javascript_then_add_save_and_come_back(client, survey, people):
    response = _consented(client, survey, people["Ada"])
    page = client.post(RESPOND, {"find": "collaborates", "q-collaborates": "okafor"})
    assert page.status_code == 200
    assert f'value="collaborates:{people["Ben"].pk}"' in page.content.decode()
    # Enter in the box submits the first button ("enter"): the same search.
    page = client.post(RESPOND, {"action": "enter", "q-trusts": "okoro"})
    assert f'value="trusts:{people["Bea"].pk}"' in page.content.decode()
    answer = client.post(RESPOND, {"add": f"collaborates:{people['Ben'].pk}"})
    assert answer.status_code == 302 and answer["Location"] == f"{RESPOND}#q-collaborates"
    saved = response.answers.get()
    client.post(RESPOND, {f"strength-{saved.pk}": "4", f"trust-{saved.pk}": "5", "action": "save"})
    saved.refresh_from_db()
    assert (saved.strength, saved.trust) == (4, 5)
    assert not Relationship.objects.filter(source=people["Ada"]).exists()  # a draft
    # Closing the tab and coming back through the link: the answers are there.
    client.cookies.clear()
    _open(client, survey, people["Ada"])
    body = client.get(RESPOND).content.decode()
    assert "Ben Okafor" in body and 'value="4" selected' in body


def test_an_addition_that_names_no_record_is_ignored(client, survey, people):
    """'²' passes str.isdigit() but is no record number: nothing is added, no error page."""
    response = _consented(client, survey, people["Ada"])
    for value in ("collaborates:\u00b2", "collaborates:", "collaborates:" + "9" * 40):
        answer = client.post(RESPOND, {"add": value})
        assert answer.status_code in (200, 302)
    assert not response.answers.exists()


def test_submit_makes_ties_and_a_missing_strength_is_named(client, survey, people):
    response = _consented(client, survey, people["Ada"])
    client.post(RESPOND, {"add": f"collaborates:{people['Ben'].pk}"})
    saved = response.answers.get()
    page = client.post(RESPOND, {"action": "submit"})
    assert page.status_code == 400
    assert "Ben Okafor: choose how closely you work together from 1 to 5." in page.content.decode()
    answer = client.post(RESPOND, {"action": "submit", f"strength-{saved.pk}": "3"})
    assert answer.status_code == 302
    tie = Relationship.objects.get(source=people["Ada"], target=people["Ben"])
    assert (tie.provenance, tie.survey_id, tie.strength) == ("reported", survey.pk, 3)
    body = client.get(RESPOND).content.decode()
    assert "Thank you: your answers are in" in body
    assert "Change my answers" in body and "Withdraw my answers" in body


def test_changing_submitted_answers_updates_the_ties(client, survey, people):
    response = _consented(client, survey, people["Ada"])
    client.post(RESPOND, {"add": f"collaborates:{people['Ben'].pk}"})
    saved = response.answers.get()
    client.post(RESPOND, {"action": "submit", f"strength-{saved.pk}": "3"})
    assert "Submit my changes" in client.get(RESPOND + "?change=1").content.decode()
    answer = client.post(RESPOND, {"change": "1", "remove": str(saved.pk)})
    assert answer["Location"] == f"{RESPOND}?change=1"
    assert not Relationship.objects.filter(source=people["Ada"]).exists()


def test_withdrawing_asks_first_then_removes_the_ties(client, survey, people):
    response = _consented(client, survey, people["Ada"])
    client.post(RESPOND, {"add": f"trusts:{people['Cal'].pk}"})
    saved = response.answers.get()
    client.post(RESPOND, {"action": "submit", f"strength-{saved.pk}": "2"})
    assert Relationship.objects.filter(source=people["Ada"]).exists()
    page = client.post(RESPOND, {"action": "withdraw"})
    assert "Withdraw your answers?" in page.content.decode()
    assert Relationship.objects.filter(source=people["Ada"]).exists()
    client.post(RESPOND, {"action": "withdraw", "confirm": "yes"})
    response.refresh_from_db()
    assert response.status == ResponseStatus.WITHDRAWN
    assert not Relationship.objects.filter(source=people["Ada"]).exists()
    assert "You withdrew your answers" in client.get(RESPOND).content.decode()


def test_someone_not_on_the_list_waits_for_review(client, survey, people):
    response = _consented(client, survey, people["Ada"])
    client.post(
        RESPOND,
        {
            "add_unlisted": "collaborates",
            "unlisted-name-collaborates": "Zara Newton",
            "unlisted-organisation-collaborates": "Riverside PCN",
        },
    )
    answer = response.answers.get()
    assert (answer.unlisted_name, answer.review) == ("Zara Newton", "pending")
    body = client.get(RESPOND).content.decode()
    assert "Zara Newton" in body and "waiting for review" in body


def test_one_survey_session_never_shows_another_persons_answers(client, survey, people):
    other = _consented(client, survey, people["Ben"])
    client.post(RESPOND, {"add": f"collaborates:{people['Cal'].pk}"})
    assert other.answers.exists()
    client.cookies.clear()
    _consented(client, survey, people["Ada"])
    body = client.get(RESPOND).content.decode()
    assert "Cal Reyes" not in body


def test_behind_the_proxy_refusals_count_per_client_address(client, survey, people, settings):
    settings.AXES_CLIENT_IP_CALLABLE = "influence_map.proxy.client_ip"
    for _ in range(REFUSALS_PER_HOUR):
        client.get(
            reverse("stakeholders:survey_open", args=["not-a-token"]),
            HTTP_X_FORWARDED_FOR="203.0.113.7",
        )
        client.get(RESPOND, HTTP_X_FORWARDED_FOR="203.0.113.7")
    good = reverse(
        "stakeholders:survey_open",
        args=[response_token(survey.responses.get(person=people["Ada"]))],
    )
    assert client.get(good, HTTP_X_FORWARDED_FOR="203.0.113.7").status_code == 429
    assert client.get(good, HTTP_X_FORWARDED_FOR="198.51.100.2").status_code == 302
