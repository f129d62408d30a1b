"""Hostile input to the scenario pages and downloads gets a clear 4xx, never a 500.

The same hostile values as tests/test_fuzz.py, mixed with real record numbers of
the map so that valid questions are asked too.
"""

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from stakeholders.models import Role
from tests.factories import MembershipFactory, UserFactory
from tests.test_fuzz import FUZZ, VALUES, _consume, encoded

pytestmark = pytest.mark.django_db

PAGES = {
    "scenario_route": ["from", "to"],
    "scenario_route_csv": ["from", "to"],
    "scenario_room": [
        "organisation", "sector", "tier", "size", "min_strength", "include", "exclude",
    ],
    "scenario_room_csv": [
        "organisation", "sector", "tier", "size", "min_strength", "include", "exclude",
    ],
}  # fmt: skip


@pytest.mark.parametrize("name", PAGES)
def test_scenario_parameters_never_cause_a_server_error(fenwick, name):
    user = UserFactory(username="fuzzer")
    MembershipFactory(user=user, workspace=fenwick.workspace, role=Role.VIEWER)
    client = Client()
    client.force_login(user)
    path = reverse(f"stakeholders:{name}", kwargs={"slug": fenwick.workspace.slug})
    ids = [str(p.pk) for p in fenwick.people.values()]
    ids += [str(o.pk) for o in (fenwick.icb, fenwick.council, fenwick.carers, fenwick.district)]
    values = st.one_of(VALUES, st.sampled_from(ids), st.sampled_from(["nhs", "place", "1", "3"]))
    keys = st.sampled_from([*PAGES[name], "unexpected", "\x00"])
    queries = st.dictionaries(keys, st.lists(values, min_size=1, max_size=3), max_size=6)

    @FUZZ
    @given(query=queries, htmx=st.booleans())
    def check(query, htmx):
        headers = {"HX-Request": "true"} if htmx else {}
        response = client.get(f"{path}?{encoded(query)}", headers=headers)
        _consume(response)
        assert response.status_code in {200, 400}, response.status_code
        if response.status_code == 400:
            assert b"<h1" in response.content  # a page that says what is wrong

    check()
