"""Survey emails: each invited person's personal link, and reminders to those still to answer.

One message per person (their link is theirs alone), sent over one connection. Each
person's row records when they were emailed, in the history like every other write,
so a second click sends nothing twice; if the mail server stops answering part way,
those already emailed keep their mark and the rest go on the next try. An address
the server refuses is skipped, unmarked, and its person named to the editor.
"""

import logging
import smtplib
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, mailers
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from simple_history.utils import bulk_update_with_history

from stakeholders.models import ResponseStatus, Survey, SurveyResponse
from stakeholders.surveys.services import survey_is_open
from stakeholders.surveys.tokens import response_token

logger = logging.getLogger(__name__)

INVITATION_TEMPLATE = "stakeholders/surveys/invitation_email.txt"
REMINDER_TEMPLATE = "stakeholders/surveys/reminder_email.txt"
# A second press of "Send reminders" within this time reminds nobody twice.
REMINDER_GAP = timedelta(hours=1)
WAITING = (ResponseStatus.INVITED, ResponseStatus.CONSENTED)


class SendingStopped(Exception):
    """The mail server stopped answering after `sent` emails had gone."""

    def __init__(self, sent: int) -> None:
        super().__init__(f"The email server stopped answering after {sent} emails.")
        self.sent = sent


class AddressesRefused(Exception):
    """The mail server refused some people's addresses; `sent` others went."""

    def __init__(self, sent: int, names: list[str]) -> None:
        super().__init__(f"The email server refused {len(names)} addresses.")
        self.sent = sent
        self.names = names


def survey_link(*, base_url: str, response: SurveyResponse) -> str:
    """The absolute address of a person's personal link (base_url: scheme and host)."""
    path = reverse("stakeholders:survey_open", kwargs={"token": response_token(response)})
    return base_url.rstrip("/") + path


def closing_day(moment: datetime) -> str:
    """ "Friday 31 March 2027", in the site's time zone."""
    return date_format(timezone.localtime(moment), "l j F Y")


def _message(*, survey: Survey, response: SurveyResponse, base_url: str, template: str):
    context = {
        "name": response.person.name,
        "workspace": survey.workspace.name,
        "title": survey.title,
        "link": survey_link(base_url=base_url, response=response),
        "closes": closing_day(survey.closes_at),
        "started": response.status == ResponseStatus.CONSENTED,
    }
    prefix = "Reminder: " if template == REMINDER_TEMPLATE else ""
    subject = " ".join(f"{prefix}{survey.title}: a survey from {survey.workspace.name}".split())
    return EmailMessage(
        subject=subject,
        body=render_to_string(template, context),
        to=[response.email],
    )


def _send(
    *,
    survey: Survey,
    responses: list[SurveyResponse],
    base_url: str,
    template: str,
    mark,
) -> int:
    """Email each response its link; mark (and save with history) those sent."""
    if not survey_is_open(survey):
        raise ValidationError("This survey has closed: its links no longer work, so no email went.")
    sent: list[SurveyResponse] = []
    refused: list[str] = []  # the names of people whose address the server refused
    stopped = False
    if responses:
        try:
            with mailers.default as connection:
                for response in responses:
                    message = _message(
                        survey=survey, response=response, base_url=base_url, template=template
                    )
                    try:
                        connection.send_messages([message])
                    except smtplib.SMTPRecipientsRefused:
                        # This address only: the server still answers, so go on with the
                        # rest (the connection is reset for the next message).
                        refused.append(response.person.name)
                        continue
                    mark(response)
                    sent.append(response)
        except OSError as exc:  # smtplib's errors are OSErrors, as are refused connections
            # No address in the log: it is personal data (the editor sees the message). The
            # error's text and traceback can hold it (SMTPRecipientsRefused does): its kind only.
            logger.warning(
                "Survey %s: emails stopped after %s (%s)", survey.pk, len(sent), type(exc).__name__
            )
            stopped = True
    if sent:
        bulk_update_with_history(sent, SurveyResponse, ["invited_at", "reminded_at", "reminders"])
    if stopped:
        raise SendingStopped(len(sent))
    if refused:
        logger.warning("Survey %s: the email server refused %s addresses", survey.pk, len(refused))
        raise AddressesRefused(len(sent), refused)
    return len(sent)


def _survey_responses(survey: Survey):
    return SurveyResponse.objects.filter(survey=survey).exclude(email="").select_related("person")


def survey_invitations_send(
    *,
    survey: Survey,
    base_url: str,
    responses: Iterable[SurveyResponse] | None = None,
    now: datetime | None = None,
) -> int:
    """Email their link to invited people with an address not emailed yet; returns how many.

    `responses` narrows it to some of the survey's people (still only those not
    emailed yet and not answered). Raises SendingStopped if the mail server fails, and
    AddressesRefused (once the others have gone) if it refused some addresses.
    """
    now = now or timezone.now()
    chosen = _survey_responses(survey).filter(
        invited_at__isnull=True, status=ResponseStatus.INVITED
    )
    if responses is not None:
        chosen = chosen.filter(pk__in=[r.pk for r in responses])

    def mark(response: SurveyResponse) -> None:
        response.invited_at = now

    return _send(
        survey=survey,
        responses=list(chosen.order_by("person__name", "pk")),
        base_url=base_url,
        template=INVITATION_TEMPLATE,
        mark=mark,
    )


def survey_reminders_send(*, survey: Survey, base_url: str, now: datetime | None = None) -> int:
    """Remind people with an address who have not submitted, declined or withdrawn.

    Nobody is reminded twice within REMINDER_GAP (a second click sends nothing).
    Returns how many were emailed; raises SendingStopped if the mail server fails, and
    AddressesRefused (once the others have gone) if it refused some addresses.
    """
    now = now or timezone.now()
    chosen = (
        _survey_responses(survey)
        .filter(status__in=WAITING)
        .exclude(reminded_at__gt=now - REMINDER_GAP)
    )

    def mark(response: SurveyResponse) -> None:
        response.reminded_at = now
        response.reminders += 1
        if response.invited_at is None:
            # The reminder carries the link: the person has had it by email now.
            response.invited_at = now

    return _send(
        survey=survey,
        responses=list(chosen.order_by("person__name", "pk")),
        base_url=base_url,
        template=REMINDER_TEMPLATE,
        mark=mark,
    )
