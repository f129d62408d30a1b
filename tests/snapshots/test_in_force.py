"""The network in force on a date: the pure selection (no database)."""

import datetime

from stakeholders.snapshots.in_force import in_force, rows_in_force

D = datetime.date(2026, 3, 31)
DAY = datetime.timedelta(days=1)


def test_undated_records_are_in_force_throughout():
    assert in_force(None, None, D)


def test_a_record_counts_from_its_start_date():
    assert in_force(D, None, D)
    assert not in_force(D + DAY, None, D)


def test_a_record_ending_on_the_day_still_counts_that_day():
    assert in_force(None, D, D)
    assert not in_force(None, D - DAY, D)


def test_rows_in_force_keeps_the_rows_then_and_drops_their_dates():
    rows = [
        (1, "a", None, None),
        (2, "b", D + DAY, None),
        (3, "c", D - DAY, D),
        (4, "d", None, D - DAY),
    ]
    assert rows_in_force(rows, D) == [(1, "a"), (3, "c")]
