"""Request lines in logs lose their query strings: searches put names in them.

The admin's list search and autocomplete send what was typed in the address
(`/admin/stakeholders/person/?q=Jane`), and so do the redirects to the login page
(`?next=...`). Every handler that writes request lines (Django's development server,
django.request, gunicorn's access and error logs through deploy/gunicorn.conf.py)
runs this filter, so a log file keeps the path and never what was searched for.
"""

import logging
import re

# A path or URL followed by "?query": keep the path, drop the query (up to a space,
# quote or the end), e.g. "GET /admin/x/?q=Jane HTTP/1.1" -> "GET /admin/x/ HTTP/1.1".
_QUERY = re.compile(r"(/[^\s?\"']*)\?[^\s\"']*")


def without_query_strings(text: str) -> str:
    """The text with the query string of every path or URL in it removed."""
    return _QUERY.sub(r"\1", text)


class DropQueryStrings(logging.Filter):
    """Rewrites each record's message without query strings; drops no record."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = without_query_strings(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True
