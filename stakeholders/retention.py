"""The one rule for stale ties, shared by the map, the person panel and exports.

A tie is stale when it was last observed before ``today`` minus the workspace's
``retention_months``. A tie with no ``observed_on`` is never stale: its date is
unknown, so it is not flagged. ``retention_months = None`` turns flagging off.
Pure functions (no ORM access) so callers can apply them to plain rows, and
the same rule as an SQL expression (stale_flag) for reads that only count.
"""

from __future__ import annotations

import calendar
from datetime import date
from typing import Protocol

from django.db.models import Case, IntegerField, Value, When


class HasRetention(Protocol):
    retention_months: int | None


def months_before(today: date, months: int) -> date:
    """``today`` minus whole calendar months, clamping the day (31 March - 1 = 28/29 Feb)."""
    index = today.year * 12 + (today.month - 1) - months
    year, month = divmod(index, 12)
    month += 1
    day = min(today.day, calendar.monthrange(year, month)[1])
    return date(year, month, day)


def stale_cutoff(workspace: HasRetention, today: date) -> date | None:
    """The earliest observed date that is still current, or None when retention is off."""
    months = workspace.retention_months
    if months is None:
        return None
    return months_before(today, months)


def is_stale(observed_on: date | None, cutoff: date | None) -> bool:
    """True when the tie was last observed before the cutoff; unknown dates are never stale."""
    if cutoff is None or observed_on is None:
        return False
    return observed_on < cutoff


def stale_flag(cutoff: date | None, field: str = "observed_on") -> Case | Value:
    """is_stale in SQL: 1 where `field` is before the cutoff, else 0 (unknown dates, no cutoff)."""
    if cutoff is None:
        return Value(0)
    before = When(**{f"{field}__lt": cutoff}, then=Value(1))
    return Case(before, default=Value(0), output_field=IntegerField())
