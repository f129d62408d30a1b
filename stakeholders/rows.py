"""Long tables' rows, built in Python: what the templates' per-row tags did, once.

A template loop over thousands of rows spends most of its time in `{% url %}` (a
reverse per row) and `floatformat` (a Decimal per value); these do the same work
once per table, or with less machinery, and print exactly what the tags print.
"""

from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal

from django.urls import reverse

_MARKER = 987654321


def person_url(slug: str) -> Callable[[int], str]:
    """pk -> the person page's address in this workspace, reversed once."""
    url = reverse("stakeholders:person_detail", kwargs={"slug": slug, "pk": _MARKER})
    head, tail = url.rsplit(str(_MARKER), 1)  # the pk comes after the slug
    return lambda pk: f"{head}{pk}{tail}"


def whole(value: float | None) -> str:
    """As `{{ value|floatformat:0 }}` prints a score: rounded half up, "" for None."""
    if value is None:
        return ""
    return str(Decimal(repr(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP))
