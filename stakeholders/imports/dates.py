"""Dates in imported files: ISO (YYYY-MM-DD) or UK day-first (DD/MM/YYYY), never month first.

UK Excel writes dates as 31/01/2026 when a sheet is saved as CSV, so the import takes
that as well as the ISO dates our exports write. 03/04/2026 is always 3 April: a
month-first date such as 10/13/2026 is refused, never guessed.
"""

import datetime
import re

ACCEPTED_DATES = "Use DD/MM/YYYY, day first (31/01/2026), or YYYY-MM-DD (2026-01-31)."

_ISO = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_DAY_FIRST = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})")


def date_from_text(value: str) -> datetime.date:
    """The date `value` names; ValueError with a message for the uploader otherwise."""
    if iso := _ISO.fullmatch(value):
        year, month, day = (int(part) for part in iso.groups())
    elif day_first := _DAY_FIRST.fullmatch(value):
        day, month, year = (int(part) for part in day_first.groups())
        if month > 12 and 1 <= day <= 12:
            # Most likely month first (US order): say so rather than "not a valid date".
            raise ValueError(
                f"'{value}' is not a valid date: the format is DD/MM/YYYY, day first, and "
                f"{month} is not a month. {ACCEPTED_DATES}"
            )
    else:
        raise ValueError(f"'{value}' is not a valid date. {ACCEPTED_DATES}")
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise ValueError(f"'{value}' is not a real date. {ACCEPTED_DATES}") from None
