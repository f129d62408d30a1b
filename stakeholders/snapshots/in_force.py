"""The network in force on a date: pure selection over plain rows (no Django).

A record (relationship or affiliation) is in force on day D when it started on or
before D (or has no start date) and did not end before D (or has no end date): a tie
ending on D still counts on D. Empty dates mean in force throughout.
"""

import datetime
from collections.abc import Iterable


def in_force(start: datetime.date | None, end: datetime.date | None, on: datetime.date) -> bool:
    """Whether a record with these start and end dates holds on day `on`."""
    return (start is None or start <= on) and (end is None or end >= on)


def rows_in_force(rows: Iterable[tuple], on: datetime.date) -> list[tuple]:
    """The rows in force on `on`; each row ends with its (start, end) dates, which are dropped."""
    return [row[:-2] for row in rows if in_force(row[-2], row[-1], on)]
