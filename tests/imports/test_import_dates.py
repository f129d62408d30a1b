"""Dates in imported files: ISO or UK day first, never month first."""

import datetime

import pytest

from stakeholders.imports.dates import ACCEPTED_DATES, date_from_text


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("2026-01-31", datetime.date(2026, 1, 31)),
        ("31/01/2026", datetime.date(2026, 1, 31)),
        ("31/1/2026", datetime.date(2026, 1, 31)),
        ("03/04/2026", datetime.date(2026, 4, 3)),
        ("3/4/2026", datetime.date(2026, 4, 3)),
        ("29/02/2024", datetime.date(2024, 2, 29)),
    ],
)
def test_iso_and_day_first_dates(text, date):
    assert date_from_text(text) == date


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "10/13/2026",
            "'10/13/2026' is not a valid date: the format is DD/MM/YYYY, day first, "
            f"and 13 is not a month. {ACCEPTED_DATES}",
        ),
        ("29/02/2026", f"'29/02/2026' is not a real date. {ACCEPTED_DATES}"),
        ("13/13/2026", f"'13/13/2026' is not a real date. {ACCEPTED_DATES}"),
        ("2026-13-01", f"'2026-13-01' is not a real date. {ACCEPTED_DATES}"),
        ("31/01/26", f"'31/01/26' is not a valid date. {ACCEPTED_DATES}"),
        ("31.01.2026", f"'31.01.2026' is not a valid date. {ACCEPTED_DATES}"),
        ("２０２６-01-31", f"'２０２６-01-31' is not a valid date. {ACCEPTED_DATES}"),
    ],
)
def test_other_dates_are_refused_naming_the_formats(text, message):
    with pytest.raises(ValueError) as refused:
        date_from_text(text)
    assert str(refused.value) == message
    assert "DD/MM/YYYY" in message and "YYYY-MM-DD" in message
