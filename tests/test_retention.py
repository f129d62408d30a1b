from datetime import date
from types import SimpleNamespace

import pytest

from stakeholders.models import Relationship
from stakeholders.retention import is_stale, months_before, stale_cutoff, stale_flag
from tests.factories import RelationshipFactory


def _ws(months):
    return SimpleNamespace(retention_months=months)


@pytest.mark.parametrize(
    ("today", "months", "expected"),
    [
        (date(2026, 11, 26), 24, date(2024, 11, 26)),
        (date(2026, 11, 26), 1, date(2026, 10, 26)),
        (date(2026, 1, 15), 1, date(2025, 12, 15)),
        (date(2026, 3, 31), 1, date(2026, 2, 28)),
        (date(2024, 3, 31), 1, date(2024, 2, 29)),
        (date(2026, 5, 31), 12, date(2025, 5, 31)),
        (date(2026, 11, 26), 240, date(2006, 11, 26)),
    ],
)
def test_months_before_counts_calendar_months_and_clamps_the_day(today, months, expected):
    assert months_before(today, months) == expected


def test_cutoff_is_none_when_retention_is_off():
    assert stale_cutoff(_ws(None), date(2026, 11, 26)) is None


def test_cutoff_is_today_minus_retention_months():
    assert stale_cutoff(_ws(24), date(2026, 11, 26)) == date(2024, 11, 26)


def test_tie_observed_before_cutoff_is_stale():
    assert is_stale(date(2024, 11, 25), date(2024, 11, 26)) is True


def test_tie_observed_on_or_after_cutoff_is_not_stale():
    assert is_stale(date(2024, 11, 26), date(2024, 11, 26)) is False
    assert is_stale(date(2026, 1, 1), date(2024, 11, 26)) is False


def test_tie_without_observed_date_is_never_stale():
    assert is_stale(None, date(2024, 11, 26)) is False


def test_nothing_is_stale_when_retention_is_off():
    assert is_stale(date(1990, 1, 1), None) is False


def test_works_with_a_real_workspace_model():
    from stakeholders.models import Workspace

    ws = Workspace(name="W", slug="w", retention_months=6)
    assert stale_cutoff(ws, date(2026, 11, 26)) == date(2026, 5, 26)
    assert Workspace(name="W", slug="w").retention_months == 24


@pytest.mark.django_db
@pytest.mark.parametrize("cutoff", [None, date(2024, 11, 26)])
def test_the_sql_flag_agrees_with_is_stale(cutoff):
    """The map's organisation level counts stale ties in SQL (stakeholders.maps.data)."""
    days = [None, date(2024, 11, 25), date(2024, 11, 26), date(2024, 11, 27), date(1990, 1, 1)]
    ties = [RelationshipFactory(observed_on=day) for day in days]
    flags = dict(
        Relationship.objects.filter(pk__in=[t.pk for t in ties])
        .annotate(old=stale_flag(cutoff))
        .values_list("pk", "old")
    )
    assert flags == {t.pk: int(is_stale(t.observed_on, cutoff)) for t in ties}
    assert sum(flags.values()) == (2 if cutoff else 0)
