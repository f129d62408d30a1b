"""Long tables' rows, built in Python: what the templates' per-row tags did, once.

A template loop over thousands of rows spends most of its time in `{% url %}` (a
reverse per row) and `floatformat` (a Decimal per value); these do the same work
once per table, or with less machinery, and print exactly what the tags print.
"""

from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal

from django.urls import reverse
from django.utils.html import conditional_escape

_MARKER = 987654321


def person_url(slug: str) -> Callable[[int], str]:
    """pk -> the person page's address in this workspace, reversed once."""
    url = reverse("stakeholders:person_detail", kwargs={"slug": slug, "pk": _MARKER})
    head, tail = url.rsplit(str(_MARKER), 1)  # the pk comes after the slug
    return lambda pk: f"{head}{pk}{tail}"


def numeric_cell(value: object, label: str = "") -> str:
    """A right-aligned table cell; `value` is text already escaped, or a number.

    `label` names the column on a phone, where an `app-stack-table` shows each row as a
    card (the header row is hidden there)."""
    attr = f' data-label="{conditional_escape(label)}"' if label else ""
    return f'<td class="nhsuk-table__cell nhsuk-table__cell--numeric"{attr}>{value}</td>'


def text_cell(value: object, label: str) -> str:
    """A table cell of text already escaped, named `label` on a phone's card."""
    return f'<td class="nhsuk-table__cell" data-label="{conditional_escape(label)}">{value}</td>'


def fixed(value: float | None, places: int = 0) -> str:
    """As `{{ value|floatformat:places }}` prints a score (places >= 0): rounded half up
    to that many decimals, never "-0", and "" for None."""
    if value is None:
        return ""
    exp = Decimal(1).scaleb(-places)
    rounded = Decimal(repr(value)).quantize(exp, rounding=ROUND_HALF_UP)
    return str(rounded if rounded else abs(rounded))


def whole(value: float | None) -> str:
    """As `{{ value|floatformat:0 }}`."""
    return fixed(value, 0)


def whole_number(value: float) -> int:
    """A score as a whole number, for downloads: rounded as the pages print it (62.5 is 63)."""
    return int(fixed(value, 0))
