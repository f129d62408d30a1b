"""Request lines in logs lose their query strings and the tokens of emailed links.

The admin's list search and autocomplete send what was typed in the address
(`/admin/stakeholders/person/?q=Jane`), and so do the redirects to the login page
(`?next=...`). Every handler that writes request lines (Django's development server,
django.request, gunicorn's access and error logs through deploy/gunicorn.conf.py)
runs this filter, so a log file keeps the path and never what was searched for.

The links in invitation, survey and password reset emails carry a token in the path
itself (`/invitations/<token>/`, `/surveys/respond/<token>/`,
`/accounts/reset/<uidb64>/<token>/`): anyone who read it in a
log could use a link that has not been used yet, so those segments become "[redacted]".
"""

import logging
import re

# A path or URL followed by "?query": keep the path, drop the query (up to a space,
# quote or the end), e.g. "GET /admin/x/?q=Jane HTTP/1.1" -> "GET /admin/x/ HTTP/1.1".
_QUERY = re.compile(r"(/[^\s?\"']*)\?[^\s\"']*")


REDACTED = "[redacted]"
_SEGMENT = r"[^/\s?\"']+"
# /invitations/<token>/ (not /invitations/accept/, the page it redirects to, nor an
# owner's /w/<slug>/members/invitations/<id>/...).
_INVITATION = re.compile(rf"(?<!/members)(/invitations/)(?!accept/)({_SEGMENT})")
# /surveys/respond/<token>/ (not the pages it redirects to: respond/ and respond/roster/).
_SURVEY = re.compile(rf"(/surveys/respond/)(?!roster/)({_SEGMENT})")
# /reset/<uidb64>/<token>/ (Django's view then redirects to <uidb64>/set-password/).
_RESET = re.compile(rf"(/reset/)(?!done/)({_SEGMENT})(/(?:{_SEGMENT})?)?")


def _reset(match: re.Match) -> str:
    rest = match[3] or ""
    if rest not in ("", "/", "/set-password"):
        rest = f"/{REDACTED}"
    return f"{match[1]}{REDACTED}{rest}"


def without_query_strings(text: str) -> str:
    """The text with every query string and every emailed link's token removed."""
    text = _QUERY.sub(r"\1", text)
    text = _INVITATION.sub(rf"\1{REDACTED}", text)
    text = _SURVEY.sub(rf"\1{REDACTED}", text)
    return _RESET.sub(_reset, text)


class DropQueryStrings(logging.Filter):
    """Rewrites each record's message without query strings or link tokens; drops none."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = without_query_strings(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True
