"""Long tables' row helpers print what the template tags they replace print."""

import random

import pytest
from django.template.defaultfilters import floatformat
from django.urls import reverse

from stakeholders.rows import person_url, whole


def test_whole_is_floatformat_0():
    rng = random.Random(7)
    values = [0.0, 0.5, 1.5, 2.5, 49.5, 99.5, 100.0, 0.49999999, 1e-7, 33.333, 66.6667]
    values += [rng.uniform(0, 100) for _ in range(2000)]
    values += [round(rng.uniform(0, 100), 1) for _ in range(2000)]  # many exact halves
    for value in values:
        assert whole(value) == floatformat(value, 0), value
    assert whole(None) == floatformat(None, 0) == ""


@pytest.mark.parametrize("slug", ["demo", "nhs-west-2", "a", "ws-987654321"])
def test_person_url_is_reverse(slug):
    url = person_url(slug)
    for pk in (1, 7, 987654321, 10**12):
        assert url(pk) == reverse("stakeholders:person_detail", kwargs={"slug": slug, "pk": pk})
