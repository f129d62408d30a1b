"""The editor's survey pages: who may open them, creating, tracking, emails, links, review."""

import csv
import datetime
import html
import io
import re
import smtplib
from zoneinfo import ZoneInfo

import pytest
from django.core.mail.backends import locmem
from django.urls import reverse
from django.utils import timezone

from stakeholders.models import (
    Person,
    Provenance,
    Relationship,
    RelationshipKind,
    Seniority,
    Survey,
    SurveyAnswer,
)
from stakeholders.surveys.tokens import response_for_token, response_token
from stakeholders.surveys.tracking import RESPONSES_HEADER
from tests.factories import PASSWORD, PersonFactory
from tests.surveys.editor_world import build_world

C, T = RelationshipKind.COLLABORATES, RelationshipKind.TRUSTS


@pytest.fixture
def world(workspace, editor):
    return build_world(workspace, editor)


def url(name, world, **extra):
    kwargs = {"slug": world.survey.workspace.slug}
    if name not in ("surveys", "survey_new"):
        kwargs["pk"] = world.survey.pk
    return reverse(f"stakeholders:{name}", kwargs={**kwargs, **extra})


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


# Who may open what

PAGES = ["survey_new", "survey_detail", "survey_responses_csv", "survey_responses_xlsx"]
ACTIONS = ["survey_link", "survey_invite", "survey_remind", "survey_close"]


def test_anonymous_visitors_are_sent_to_log_in(client, world):
    for name in ["surveys", *PAGES]:
        assert client.get(url(name, world)).status_code == 302
    for name in ACTIONS:
        assert client.post(url(name, world)).status_code == 302


def test_members_of_another_workspace_get_404(client, world, outsider):
    login(client, outsider)
    for name in ["surveys", *PAGES]:
        assert client.get(url(name, world)).status_code == 404, name
    for name in ACTIONS:
        assert client.post(url(name, world)).status_code == 404, name


def test_viewers_see_the_list_but_not_who_has_answered(client, world, viewer):
    login(client, viewer)
    page = client.get(url("surveys", world))
    assert page.status_code == 200
    assert "Working together 2027" in page.text
    assert "New survey" not in page.text
    assert "Ada Example" not in page.text
    for name in PAGES:
        assert client.get(url(name, world)).status_code == 403, name
    for name in ACTIONS:
        assert client.post(url(name, world), {"confirm": "yes"}).status_code == 403, name
    answer = SurveyAnswer.objects.get(unlisted_name="Zara Unlisted")
    review = url("survey_review", world, answer_pk=answer.pk)
    assert client.post(review, {"decision": "reject"}).status_code == 403


def test_editors_open_every_page(client, world, editor):
    login(client, editor)
    page = client.get(url("surveys", world))
    assert page.status_code == 200 and "New survey" in page.text
    assert "33%" in page.text
    for name in PAGES:
        assert client.get(url(name, world)).status_code == 200, name


def test_actions_answer_post_only(client, world, editor):
    login(client, editor)
    for name in ACTIONS:
        assert client.get(url(name, world)).status_code == 405, name


def test_a_survey_of_another_workspace_is_404(client, world, outsider, other_workspace):
    other = build_world(other_workspace, outsider)
    login(client, outsider)
    wrong = reverse(
        "stakeholders:survey_detail", kwargs={"slug": other_workspace.slug, "pk": world.survey.pk}
    )
    assert client.get(wrong).status_code == 404
    assert client.get(url("survey_detail", other)).status_code == 200  # their own


# Creating a survey


def form(**changes):
    data = {
        "title": "Spring survey",
        "introduction": "Who do you work with?",
        "privacy_notice": "The workspace's members see your answers.",
        "closes_at": (timezone.localdate() + datetime.timedelta(days=10)).strftime("%d/%m/%Y"),
        "question": [C, T],
        f"wording_{C}": "Who do you work with?",
        f"wording_{T}": "Whom do you trust?",
        "ask_strength": "yes",
        "ask_trust": "yes",
        "invite": "everyone",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_the_new_form_is_prefilled_with_a_notice_naming_the_workspace(client, workspace, editor):
    login(client, editor)
    page = client.get(reverse("stakeholders:survey_new", kwargs={"slug": workspace.slug}))
    assert page.status_code == 200
    assert "members of the North Fenwick ICS workspace" in page.text
    assert "withdraw" in page.text
    assert 'name="wording_collaborates"' in page.text


def test_create_makes_a_response_for_everyone_active(client, world, editor):
    PersonFactory(workspace=world.survey.workspace, active=False)
    login(client, editor)
    answer = client.post(url("survey_new", world), form())
    survey = Survey.objects.get(title="Spring survey")
    assert answer.status_code == 302
    assert answer["Location"] == url("survey_detail", world).replace(
        str(world.survey.pk), str(survey.pk)
    )
    assert survey.responses.count() == 6
    assert [q.kind for q in survey.questions.all()] == [C, T]
    closes = survey.closes_at.astimezone(ZoneInfo("Europe/London"))
    assert (closes.hour, closes.minute, closes.second) == (23, 59, 59)
    assert closes.date() == timezone.localdate() + datetime.timedelta(days=10)
    assert "is ready" in client.get(answer["Location"]).text


def test_create_for_chosen_organisations(client, world, editor):
    login(client, editor)
    client.post(
        url("survey_new", world),
        form(invite="organisations", organisation=[str(world.southfield.pk)]),
    )
    survey = Survey.objects.get(title="Spring survey")
    assert {r.person.name for r in survey.responses.all()} == {"Eve Example", "Fay Example"}


def test_create_accepts_an_iso_date(client, world, editor):
    login(client, editor)
    closes = timezone.localdate() + datetime.timedelta(days=3)
    client.post(url("survey_new", world), form(closes_at=closes.isoformat()))
    assert (
        Survey.objects.get(title="Spring survey")
        .closes_at.astimezone(ZoneInfo("Europe/London"))
        .date()
        == closes
    )


def test_create_names_every_problem_and_makes_nothing(client, world, editor):
    login(client, editor)
    yesterday = (timezone.localdate() - datetime.timedelta(days=1)).strftime("%d/%m/%Y")
    answer = client.post(
        url("survey_new", world),
        form(title="", question=None, closes_at=yesterday, invite="organisations"),
    )
    assert answer.status_code == 400
    text = answer.text
    assert "Error:" in text
    assert "Choose at least one question to ask." in text
    assert "The closing date must be in the future." in text
    assert "Who is invited: tick at least one organisation." in text
    assert 'href="#title"' in text
    assert Survey.objects.count() == 1


def test_create_refuses_a_date_that_is_not_one(client, world, editor):
    login(client, editor)
    answer = client.post(url("survey_new", world), form(closes_at="12/31/2027"))
    assert answer.status_code == 400
    assert "Closing date:" in answer.text and "day first" in answer.text
    assert not Survey.objects.filter(title="Spring survey").exists()


def test_create_refuses_when_nobody_is_invited(client, workspace, editor):
    login(client, editor)
    answer = client.post(
        reverse("stakeholders:survey_new", kwargs={"slug": workspace.slug}), form()
    )
    assert answer.status_code == 400
    assert "Choose at least one person to invite." in answer.text
    assert not Survey.objects.exists()


# Tracking


def test_tracking_shows_counts_rates_and_who(client, world, editor):
    login(client, editor)
    text = client.get(url("survey_detail", world)).text
    assert "2 of 6 (33%)" in text
    assert "Northgate Hospital" in text and "25%" in text
    assert "Southfield Council" in text and "50%" in text
    assert "under 65%" in text
    for label in ("Submitted", "Declined", "Withdrawn", "Started", "Not answered yet"):
        assert label in text
    assert 'id="without-email"' in text and "Dev Example" in text
    assert "Zara Unlisted" in text and "Named by" in text


def test_tracking_never_shows_a_personal_link(client, world, editor):
    login(client, editor)
    text = client.get(url("survey_detail", world)).text
    for response in world.survey.responses.all():
        assert response_token(response) not in text
        assert response.nonce not in text
    assert "/surveys/respond/" not in text


def test_copy_link_issues_a_new_link_shown_once(client, world, editor):
    login(client, editor)
    cat = world.response("Cat")
    old = response_token(cat)
    page = client.post(url("survey_link", world), {"response": cat.pk})
    assert page.status_code == 200
    assert response_for_token(old) is None
    assert "no longer works" in page.text
    # The page shows one link, Cat's new one (a token carries the second it was signed,
    # so it is read from the page rather than signed again here).
    prefix = page.wsgi_request.build_absolute_uri(
        reverse("stakeholders:survey_open", kwargs={"token": "TOKEN"})
    ).split("TOKEN")[0]
    tokens = set(re.findall(re.escape(prefix) + r"([^/\"<\s]+)/", page.text))
    assert len(tokens) == 1
    new = tokens.pop()
    opened = response_for_token(new)
    assert opened is not None and opened.pk == cat.pk
    # The next visit shows no link at all.
    next_visit = client.get(url("survey_detail", world)).text
    assert new not in next_visit and "/surveys/respond/" not in next_visit


def test_copy_link_refuses_someone_of_another_survey(client, world, editor, other_workspace):
    other = build_world(other_workspace, editor)
    login(client, editor)
    answer = client.post(url("survey_link", world), {"response": other.response("Cat").pk})
    assert answer.status_code == 400


def test_email_invitations_says_how_many_went(client, world, editor, mailoutbox):
    dan = PersonFactory(workspace=world.survey.workspace, email="dan@example.nhs.uk")
    world.survey.responses.create(person=dan, email=dan.email, nonce="fresh-nonce")
    login(client, editor)
    answer = client.post(url("survey_invite", world), follow=True)
    assert "We sent 1 email (invitations)." in answer.text
    assert [m.to for m in mailoutbox] == [["dan@example.nhs.uk"]]
    token = re.search(r"/surveys/respond/([^/\s]+)/", mailoutbox[0].body)[1]
    assert token not in answer.text


def test_a_refused_address_is_named_to_the_editor(client, world, editor, mailoutbox, monkeypatch):
    for name in ("Dan Dale", "Eve East"):
        person = PersonFactory(
            workspace=world.survey.workspace, name=name, email=f"{name[:3].lower()}@example.nhs.uk"
        )
        world.survey.responses.create(person=person, email=person.email, nonce=f"n-{name}")
    real_send = locmem.EmailBackend.send_messages

    def send(self, messages):
        if messages[0].to == ["dan@example.nhs.uk"]:
            raise smtplib.SMTPRecipientsRefused({"dan@example.nhs.uk": (550, b"no such user")})
        return real_send(self, messages)

    monkeypatch.setattr(locmem.EmailBackend, "send_messages", send)
    login(client, editor)
    answer = client.post(url("survey_invite", world), follow=True)
    assert (
        "We sent 1 email (invitations). The email server refused the address of Dan Dale: "
        "check it in their record, then send again." in html.unescape(answer.text)
    )
    assert [m.to for m in mailoutbox] == [["eve@example.nhs.uk"]]


def test_send_reminders_skips_those_done(client, world, editor, mailoutbox):
    login(client, editor)
    answer = client.post(url("survey_remind", world), follow=True)
    assert "We sent 1 email (reminders)." in answer.text
    assert [m.to for m in mailoutbox] == [["cat@example.nhs.uk"]]


def test_close_early_needs_the_tick_then_stops_every_link(client, world, editor):
    login(client, editor)
    refused = client.post(url("survey_close", world))
    assert refused.status_code == 400 and "tick to confirm" in refused.text
    answer = client.post(url("survey_close", world), {"confirm": "yes"}, follow=True)
    assert "The survey is closed" in answer.text
    world.survey.refresh_from_db()
    assert world.survey.closed_early_at is not None
    assert "Closed early" in answer.text
    assert client.post(url("survey_invite", world)).status_code == 400
    assert (
        client.post(url("survey_link", world), {"response": world.response("Cat").pk}).status_code
        == 400
    )


# Names not on the roster


def test_review_adds_a_new_person_and_the_tie_reported(client, world, editor):
    answer = SurveyAnswer.objects.get(unlisted_name="Zara Unlisted")
    login(client, editor)
    done = client.post(
        url("survey_review", world, answer_pk=answer.pk),
        {
            "decision": "new",
            "organisation": world.southfield.pk,
            "seniority": Seniority.MANAGER,
        },
        follow=True,
    )
    assert "Zara Unlisted is on the map" in done.text
    zara = Person.objects.get(name="Zara Unlisted")
    assert zara.affiliations.get().organisation == world.southfield
    tie = Relationship.objects.get(source=world.people["Ada"], target=zara, kind=C)
    assert tie.provenance == Provenance.REPORTED and tie.survey_id == world.survey.pk
    assert "No names are waiting for review." in done.text


def test_review_adds_as_someone_on_the_map(client, world, editor):
    answer = SurveyAnswer.objects.get(unlisted_name="Zara Unlisted")
    login(client, editor)
    client.post(
        url("survey_review", world, answer_pk=answer.pk),
        {"decision": "existing", "person": world.people["Cat"].pk},
    )
    assert Relationship.objects.filter(
        source=world.people["Ada"], target=world.people["Cat"], provenance=Provenance.REPORTED
    ).exists()


def test_review_do_not_add(client, world, editor):
    answer = SurveyAnswer.objects.get(unlisted_name="Zara Unlisted")
    login(client, editor)
    client.post(url("survey_review", world, answer_pk=answer.pk), {"decision": "reject"})
    answer.refresh_from_db()
    assert answer.review == SurveyAnswer.Review.REJECTED
    assert not Person.objects.filter(name="Zara Unlisted").exists()


def test_review_names_the_missing_field(client, world, editor):
    answer = SurveyAnswer.objects.get(unlisted_name="Zara Unlisted")
    login(client, editor)
    refused = client.post(url("survey_review", world, answer_pk=answer.pk), {"decision": "new"})
    assert refused.status_code == 400
    assert "Choose the organisation of the new person." in refused.text
    assert "Choose the seniority of the new person." in refused.text


# The download


def test_responses_csv_header_and_rows(client, world, editor):
    login(client, editor)
    answer = client.get(url("survey_responses_csv", world))
    assert answer["Content-Type"].startswith("text/csv")
    body = b"".join(answer.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert (
        tuple(rows[0])
        == RESPONSES_HEADER
        == (
            "Ref",
            "Name",
            "Organisation",
            "Status",
            "Consent given",
            "Submitted on",
            "Ties reported",
        )
    )
    assert len(rows) == 7
    ada = next(r for r in rows if r[1] == "Ada Example")
    assert ada[3:5] == ["Submitted", "Yes"] and ada[6] == "1"
    assert "survey-responses" in answer["Content-Disposition"]


def test_responses_xlsx_downloads(client, world, editor):
    login(client, editor)
    answer = client.get(url("survey_responses_xlsx", world))
    assert answer.status_code == 200
    assert "spreadsheetml" in answer["Content-Type"]


# The admin: read-only, scoped to the workspaces the user may edit


def test_admin_shows_surveys_read_only_to_their_editors(client, world, editor, outsider):
    editor.is_staff = outsider.is_staff = True
    editor.save()
    outsider.save()
    login(client, editor)
    listing = client.get(reverse("admin:stakeholders_survey_changelist"))
    assert listing.status_code == 200 and "Working together 2027" in listing.text
    change = reverse("admin:stakeholders_survey_change", args=[world.survey.pk])
    page = client.get(change)
    assert page.status_code == 200
    assert "Ada Example" in page.text and "Save" not in page.text
    for response in world.survey.responses.all():
        assert response.nonce not in page.text
    assert client.post(change, {"title": "Renamed"}).status_code == 403
    assert client.get(reverse("admin:stakeholders_survey_add")).status_code == 403
    client.logout()
    login(client, outsider)
    listing = client.get(reverse("admin:stakeholders_survey_changelist"))
    assert "Working together 2027" not in listing.text
    assert client.get(change).status_code == 302  # a hidden id: back to the admin index
