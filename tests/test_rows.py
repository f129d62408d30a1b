"""Long tables' row helpers print what the template tags they replace print."""

import random

import pytest
from django.template.defaultfilters import floatformat
from django.urls import reverse

from stakeholders.rows import fixed, person_url, whole


@pytest.mark.parametrize("places", [0, 1, 2])
def test_fixed_is_floatformat(places):
    rng = random.Random(7)
    values = [0.0, 0.5, 1.5, 2.5, 49.5, 99.5, 100.0, 0.49999999, 1e-7, 33.333, 66.6667]
    values += [-0.4, -0.5, -2.5, -0.04, -99.5, 3, -7, 0.05, 0.15, 4.25]
    values += [rng.uniform(-100, 100) for _ in range(2000)]
    values += [round(rng.uniform(-100, 100), places + 1) for _ in range(2000)]  # halves
    for value in values:
        assert fixed(value, places) == floatformat(value, places), (value, places)
    assert fixed(None, places) == floatformat(None, places) == ""
    assert whole(73.5) == floatformat(73.5, 0)


@pytest.mark.parametrize("slug", ["demo", "nhs-west-2", "a", "ws-987654321"])
def test_person_url_is_reverse(slug):
    url = person_url(slug)
    for pk in (1, 7, 987654321, 10**12):
        assert url(pk) == reverse("stakeholders:person_detail", kwargs={"slug": slug, "pk": pk})
