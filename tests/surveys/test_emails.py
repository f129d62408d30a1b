"""Survey emails: one personal link each, once; reminders only to those still to answer."""

import datetime
import re
import smtplib

import pytest
from django.core.exceptions import ValidationError
from django.core.mail.backends import locmem
from django.urls import resolve
from django.utils import timezone

from stakeholders.models import ResponseStatus
from stakeholders.surveys import emails
from stakeholders.surveys.emails import (
    AddressesRefused,
    SendingStopped,
    survey_invitations_send,
    survey_reminders_send,
)
from stakeholders.surveys.services import DEFAULT_WORDING, survey_close, survey_create
from stakeholders.surveys.tokens import response_for_token
from tests.factories import PersonFactory, UserFactory
from tests.surveys.editor_world import C, build_world

BASE = "https://im.example.nhs.uk"
LINK = re.compile(r"(https://im\.example\.nhs\.uk(/\S+))")


@pytest.fixture
def fresh(workspace):
    """A survey nobody has answered: three people with an address, one without."""
    people = [
        PersonFactory(workspace=workspace, name=name, email=email)
        for name, email in (
            ("Ann Able", "ann@example.nhs.uk"),
            ("Bob Best", "bob@example.nhs.uk"),
            ("Cy Clear", "cy@example.nhs.uk"),
            ("Di Dark", ""),
        )
    ]
    return survey_create(
        workspace=workspace,
        user=UserFactory(username="maker"),
        title="Working together 2027",
        introduction="Who do you work with?",
        privacy_notice="Members of this workspace see the answers.",
        closes_at=timezone.now() + datetime.timedelta(days=14),
        questions=[(C, DEFAULT_WORDING[C])],
        people=people,
    )


def link_in(message) -> tuple[str, str]:
    match = LINK.search(message.body)
    assert match, message.body
    return match[1], match[2]


def test_invitations_go_once_to_each_address_with_its_own_link(fresh, mailoutbox):
    assert survey_invitations_send(survey=fresh, base_url=BASE) == 3
    assert sorted(m.to[0] for m in mailoutbox) == [
        "ann@example.nhs.uk",
        "bob@example.nhs.uk",
        "cy@example.nhs.uk",
    ]
    for message in mailoutbox:
        assert "Working together 2027" in message.subject
        url, path = link_in(message)
        match = resolve(path)
        assert match.view_name == "stakeholders:survey_open"
        response = response_for_token(match.kwargs["token"])
        assert response is not None and response.email == message.to[0]
        assert response.person.name in message.body
    assert len({link_in(m)[0] for m in mailoutbox}) == 3
    # A second press sends nothing: everyone with an address has theirs.
    assert survey_invitations_send(survey=fresh, base_url=BASE) == 0
    assert len(mailoutbox) == 3
    assert fresh.responses.filter(invited_at__isnull=False).count() == 3


def test_the_emailed_link_opens_the_survey(client, fresh, mailoutbox):
    survey_invitations_send(survey=fresh, base_url=BASE)
    _, path = link_in(mailoutbox[0])
    answer = client.get(path)
    assert answer.status_code == 302


def test_invitations_can_be_narrowed_to_some_people(fresh, mailoutbox):
    ann = fresh.responses.get(person__name="Ann Able")
    assert survey_invitations_send(survey=fresh, base_url=BASE, responses=[ann]) == 1
    assert [m.to for m in mailoutbox] == [["ann@example.nhs.uk"]]


def test_sending_is_recorded_in_the_history(fresh, mailoutbox):
    survey_invitations_send(survey=fresh, base_url=BASE)
    ann = fresh.responses.get(person__name="Ann Able")
    assert ann.history.filter(invited_at__isnull=False).exists()


def test_reminders_skip_submitted_declined_withdrawn_and_no_address(workspace, mailoutbox):
    world = build_world(workspace, UserFactory(username="maker"))
    # Only Cat (started, with an address) is still to answer by email; Dev has no address.
    assert survey_reminders_send(survey=world.survey, base_url=BASE) == 1
    [message] = mailoutbox
    assert message.to == ["cat@example.nhs.uk"]
    assert message.subject.startswith("Reminder: ")
    assert "not sent your answers yet" in message.body
    cat = world.response("Cat")
    assert (cat.reminders, cat.status) == (1, ResponseStatus.CONSENTED)
    assert cat.reminded_at is not None


def test_nobody_is_reminded_twice_within_the_hour(fresh, mailoutbox):
    now = timezone.now()
    assert survey_reminders_send(survey=fresh, base_url=BASE, now=now) == 3
    assert survey_reminders_send(survey=fresh, base_url=BASE, now=now) == 0
    later = now + emails.REMINDER_GAP + datetime.timedelta(seconds=1)
    assert survey_reminders_send(survey=fresh, base_url=BASE, now=later) == 3
    ann = fresh.responses.get(person__name="Ann Able")
    assert ann.reminders == 2


def test_a_closed_survey_sends_nothing(fresh, mailoutbox):
    survey_close(survey=fresh)
    with pytest.raises(ValidationError, match="closed"):
        survey_invitations_send(survey=fresh, base_url=BASE)
    with pytest.raises(ValidationError, match="closed"):
        survey_reminders_send(survey=fresh, base_url=BASE)
    assert mailoutbox == []


def test_a_mail_server_failure_keeps_those_already_sent(fresh, mailoutbox, monkeypatch):
    real = emails._message
    calls = []

    def failing(**kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise smtplib.SMTPServerDisconnected("gone")
        return real(**kwargs)

    monkeypatch.setattr(emails, "_message", failing)
    with pytest.raises(SendingStopped) as stopped:
        survey_invitations_send(survey=fresh, base_url=BASE)
    assert stopped.value.sent == 1
    assert fresh.responses.filter(invited_at__isnull=False).count() == 1
    monkeypatch.setattr(emails, "_message", real)
    assert survey_invitations_send(survey=fresh, base_url=BASE) == 2


def test_a_refused_address_is_skipped_named_and_kept_out_of_the_log(
    fresh, mailoutbox, monkeypatch, caplog
):
    """smtplib's SMTPRecipientsRefused is about one address, and carries it in its text:
    the others are still emailed, the refused person is named to the editor (not in
    the log) and is not marked as emailed, so the next try sends to them again."""
    first = fresh.responses.exclude(email="").order_by("person__name", "pk").first()
    real_send = locmem.EmailBackend.send_messages

    def send(self, messages):
        if messages[0].to == [first.email]:
            raise smtplib.SMTPRecipientsRefused({first.email: (550, b"5.1.1 rejected")})
        return real_send(self, messages)

    monkeypatch.setattr(locmem.EmailBackend, "send_messages", send)
    with caplog.at_level("WARNING"), pytest.raises(AddressesRefused) as refused:
        survey_invitations_send(survey=fresh, base_url=BASE)
    assert refused.value.names == [first.person.name]
    assert refused.value.sent == len(mailoutbox) == fresh.responses.exclude(email="").count() - 1
    assert first.email not in caplog.text and "refused 1 addresses" in caplog.text
    first.refresh_from_db()
    assert first.invited_at is None
    monkeypatch.setattr(locmem.EmailBackend, "send_messages", real_send)
    assert survey_invitations_send(survey=fresh, base_url=BASE) == 1  # only them, now
