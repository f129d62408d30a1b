"""The personal survey link: a signed, single-purpose token for one person in one survey.

The token signs the response's id and nonce with a salt used for nothing else, so a
token minted for another purpose, a changed id or a re-issued link (new nonce) is
refused. It works until the survey closes; the link page trades it for a session.
"""

import secrets
from datetime import datetime
from enum import StrEnum

from django.core import signing
from django.utils import timezone

from stakeholders.models import SurveyResponse

SALT = "stakeholders.surveys.respond"
# Tokens are about 60 characters; anything much longer is not one of ours.
TOKEN_MAX = 200


class LinkState(StrEnum):
    OPEN = "open"
    CLOSED = "closed"
    UNKNOWN = "unknown"


def new_nonce() -> str:
    """A fresh nonce: a response's earlier links stop working."""
    return secrets.token_urlsafe(16)


def response_token(response: SurveyResponse) -> str:
    """The token of a response's current personal link."""
    return signing.dumps([response.pk, response.nonce], salt=SALT, compress=False)


def response_for_token(token: str) -> SurveyResponse | None:
    """The response a token opens (None if tampered, unknown or re-issued)."""
    if not token or len(token) > TOKEN_MAX:
        return None
    try:
        pk, nonce = signing.loads(token, salt=SALT)
    except (signing.BadSignature, TypeError, ValueError):
        return None
    if not isinstance(pk, int) or not isinstance(nonce, str):
        return None
    response = (
        SurveyResponse.objects.select_related("survey", "survey__workspace", "person")
        .filter(pk=pk)
        .first()
    )
    if response is None or not secrets.compare_digest(response.nonce, nonce):
        return None
    return response


def link_state(response: SurveyResponse | None, *, now: datetime | None = None) -> LinkState:
    """Whether a link still opens its survey, and if not why."""
    if response is None:
        return LinkState.UNKNOWN
    survey = response.survey
    if survey.closed_early_at is not None or survey.closes_at <= (now or timezone.now()):
        return LinkState.CLOSED
    return LinkState.OPEN
