"""Hostile input anywhere gets a clear 4xx, never a 500.

Hypothesis throws random and hostile values at every query parameter of every page and
download, at every field of the admin's add and change forms and at the import upload.
The test client re-raises any exception a view lets escape, so a 500 fails the test with
its traceback. Pinned examples check that the commonest mistakes get a 400 that says
what is wrong.
"""

import itertools
import string

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stakeholders import score_runs
from stakeholders.models import Affiliation, Relationship, Role
from tests.factories import (
    AffiliationFactory,
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
    RelationshipFactory,
    UserFactory,
)

FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,  # the same examples on every run, so CI never flakes
)

HOSTILE = [
    "",
    " ",
    "0",
    "-1",
    "1",
    "5",
    "6",
    "2.5",
    "1e9",
    "NaN",
    "inf",
    "99999999999999999999999999",
    "-9223372036854775809",
    "9223372036854775808",
    "2147483648",
    "<script>alert(1)</script>",
    "\"'><img src=x onerror=alert(1)>",
    "' OR 1=1 --",
    "'; DROP TABLE stakeholders_person; --",
    "\x00",
    "a\x00b",
    "%00",
    "\u202eRTL\u202e",
    "😀",
    "\ud7ff\ufeff\uffff",
    "../../etc/passwd",
    "2026-02-30",
    "0000-00-00",
    "9999-12-31",
    "-2026-01-01",
    "organisation",
    "sector",
    "tier",
    "score",
    "influences",
    "nhs",
    "system",
    "broker",
    "yes",
    "on",
    "true",
    "x" * 5000,
]
VALUES = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=40),
    st.integers().map(str),
    st.text(alphabet=string.printable, max_size=300),
)


def _query(names: list[str]) -> st.SearchStrategy[dict[str, list[str]]]:
    """Any subset of the parameters, each repeated up to three times, plus a stray one."""
    keys = st.sampled_from([*names, "unexpected", "page[]", "\x00"])
    return st.dictionaries(keys, st.lists(VALUES, min_size=1, max_size=3), max_size=6)


@pytest.fixture
def scored(workspace):
    """A small scored map and an editor of it (every test reuses it across examples)."""
    orgs = [
        OrganisationFactory(workspace=workspace, sector="nhs"),
        OrganisationFactory(workspace=workspace, sector="local_government", tier="place"),
    ]
    people = [PersonFactory(workspace=workspace) for _ in range(6)]
    for i, person in enumerate(people):
        AffiliationFactory(person=person, organisation=orgs[i % 2])
    for a, b in itertools.pairwise(people):
        RelationshipFactory(source=a, target=b, kind="influences")
    score_runs.score_run_execute(workspace_id=workspace.pk)
    user = UserFactory(username="fuzzer", is_staff=True)
    MembershipFactory(user=user, workspace=workspace, role=Role.EDITOR)
    client = Client()
    client.force_login(user)
    return {"workspace": workspace, "client": client, "orgs": orgs, "people": people}


MAP_PARAMS = ["boundary", "organisation", "sector", "tier", "kind", "min_strength", "as_of"]
MAP_PARAMS += ["size"]


def _pages(data) -> dict[str, tuple[str, list[str]]]:
    slug = data["workspace"].slug
    person, org = data["people"][0].pk, data["orgs"][0].pk

    def url(name: str, **kwargs) -> str:
        return reverse(f"stakeholders:{name}", kwargs={"slug": slug, **kwargs})

    return {
        "overview": (url("overview"), ["boundary"]),
        "map": (url("map"), MAP_PARAMS),
        "map_person": (url("map_person", pk=person), MAP_PARAMS),
        "map_svg": (url("map_svg"), MAP_PARAMS),
        "brokers": (url("brokers"), ["boundary", "sort", "group", "page"]),
        "partnerships": (url("partnerships"), ["boundary"]),
        "person": (url("person_detail", pk=person), ["boundary"]),
        "organisation": (url("organisation_detail", pk=org), ["boundary"]),
        "people": (url("workspace_detail"), ["orgs_page", "people_page", "q"]),
        "scores_status": (url("scores_status"), ["boundary", "waiting"]),
        "export_brokers": (
            url("export_csv", kind="brokers"),
            ["boundary", "sort", "group", "notes"],
        ),
        "export_people": (url("export_csv", kind="people"), ["boundary", "notes"]),
        "export_notes": (url("export_notes", kind="brokers"), ["boundary", "sort", "group"]),
        "export_gexf": (url("export_graph", format="gexf"), ["boundary"]),
        "export_graphml": (url("export_graph", format="graphml"), ["boundary"]),
    }


def _consume(response) -> bytes:
    """The whole body: a streamed download can fail halfway, which a 200 hides."""
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


PAGES = [
    "overview",
    "map",
    "map_person",
    "map_svg",
    "brokers",
    "partnerships",
    "person",
    "organisation",
    "people",
    "scores_status",
    "export_brokers",
    "export_people",
    "export_notes",
    "export_gexf",
    "export_graphml",
]


@pytest.mark.parametrize("page", PAGES)
def test_query_parameters_never_cause_a_server_error(scored, page):
    path, names = _pages(scored)[page]
    client = scored["client"]

    @FUZZ
    @given(query=_query(names), htmx=st.booleans())
    def check(query, htmx):
        headers = {"HX-Request": "true"} if htmx else {}
        response = client.get(path, query, headers=headers)
        _consume(response)
        assert response.status_code < 500
        assert response.status_code in {200, 400, 403, 404, 409}, response.status_code
        if response.status_code == 400:
            assert b"<h1" in response.content  # a page that says what is wrong

    check()


def test_people_search_never_causes_a_server_error(scored):
    """The search term arrives in a POST body (it is usually a name)."""
    path, names = _pages(scored)["people"]
    client = scored["client"]

    @FUZZ
    @given(form=_query(names), htmx=st.booleans())
    def check(form, htmx):
        headers = {"HX-Request": "true"} if htmx else {}
        response = client.post(path, form, headers=headers)
        assert response.status_code in {200, 400}, response.status_code

    check()


def test_a_hand_edited_query_string_never_causes_a_server_error(scored):
    """Raw bytes the browser would never send: bad percent escapes, broken UTF-8."""
    client = scored["client"]
    paths = [path for path, _ in _pages(scored).values()]

    @FUZZ
    @given(
        path=st.sampled_from(paths),
        raw=st.one_of(
            st.sampled_from(["%", "%zz", "%ff%fe", "boundary=%C0%AF", "a=1&&&=", "kind"]),
            st.binary(max_size=60).map(lambda b: b.decode("latin-1")),
        ),
    )
    def check(path, raw):
        response = client.get(f"{path}?{raw}")
        _consume(response)
        assert response.status_code < 500

    check()


@pytest.mark.parametrize(
    ("page", "query", "message"),
    [
        ("overview", {"boundary": "<script>"}, "Choose the boundary organisation, sector or tier."),
        ("brokers", {"sort": "' OR 1=1"}, "That is not a way this table can be sorted."),
        ("map", {"min_strength": "9" * 30}, "The minimum strength must be a whole number"),
        ("map", {"min_strength": "-1"}, "The minimum strength must be a whole number"),
        ("map", {"as_of": "2026-02-30"}, "The date must be a real date written YYYY-MM-DD"),
        ("map", {"organisation": "1e3"}, "The organisation must be chosen from the list."),
        ("map", {"organisation": "9" * 30}, None),
        ("map", {"kind": ["trusts", "<b>"]}, "Each relationship kind must be one of the kinds"),
        ("map_svg", {"size": "\x00"}, "Size people by broker score, influence or betweenness."),
        ("export_brokers", {"sort": "x"}, "That is not a way the brokers table can be sorted."),
        ("export_gexf", {"boundary": "😀"}, "Choose the boundary organisation, sector or tier."),
    ],
)
def test_invalid_values_get_a_400_that_says_what_is_wrong(scored, page, query, message):
    path, _ = _pages(scored)[page]

    response = scored["client"].get(path, query)

    assert response.status_code == 400
    if message is not None:
        assert message in response.content.decode()


# Admin forms -----------------------------------------------------------------------------

ADMIN_FIELDS = {
    "organisation": [
        "workspace",
        "name",
        "short_name",
        "kind",
        "sector",
        "tier",
        "parent",
        "ods_code",
        "loaded_version",
    ],
    "person": [
        "workspace",
        "ref",
        "name",
        "job_title",
        "seniority",
        "notes",
        "active",
        "loaded_version",
    ],
    "affiliation": [
        "person",
        "organisation",
        "role_title",
        "is_primary",
        "start_date",
        "end_date",
        "loaded_version",
    ],
    "relationship": [
        "source",
        "target",
        "kind",
        "strength",
        "trust",
        "observed_on",
        "evidence",
        "loaded_version",
    ],
}
INLINE_PREFIXES = {
    "organisation": {"affiliations": ["person", "role_title", "is_primary", "loaded_version"]},
    "person": {
        "affiliations": ["organisation", "role_title", "is_primary", "loaded_version"],
        "ties_out": ["target", "kind", "strength", "trust", "loaded_version"],
    },
}


def _object(model: str, data):
    return {
        "organisation": data["orgs"][0],
        "person": data["people"][0],
        "affiliation": Affiliation.objects.filter(person=data["people"][0]).first(),
        "relationship": Relationship.objects.filter(source=data["people"][0]).first(),
    }[model]


@st.composite
def _admin_post(draw, model: str, ids: list[str]):
    """Hostile field values, sometimes a real id in a choice field, and hostile inlines."""
    values = st.one_of(VALUES, st.sampled_from(ids))
    data = {name: draw(values) for name in ADMIN_FIELDS[model] if draw(st.booleans())}
    for prefix, fields in INLINE_PREFIXES.get(model, {}).items():
        # Not thousands: Django builds (and renders) up to 2,000 rows for any claimed
        # count, which is slow but not an error.
        total = draw(st.sampled_from(["0", "1", "2", "-1", "x", ""]))
        initial = draw(st.sampled_from(["0", "1", "x", "99"]))
        data |= {f"{prefix}-TOTAL_FORMS": total, f"{prefix}-INITIAL_FORMS": initial}
        for name in fields:
            if draw(st.booleans()):
                data[f"{prefix}-0-{name}"] = draw(values)
        if draw(st.booleans()):
            data[f"{prefix}-0-id"] = draw(values)
    return data


@pytest.mark.parametrize("model", list(ADMIN_FIELDS))
@pytest.mark.parametrize("view", ["add", "change"])
def test_admin_forms_never_cause_a_server_error(scored, model, view):
    client = scored["client"]
    obj = _object(model, scored)
    url = (
        reverse(f"admin:stakeholders_{model}_add")
        if view == "add"
        else reverse(f"admin:stakeholders_{model}_change", args=[obj.pk])
    )
    ids = [
        str(scored["workspace"].pk),
        str(scored["orgs"][1].pk),
        str(scored["people"][1].pk),
        str(obj.pk),
        "1",
    ]

    @FUZZ
    @given(data=_admin_post(model, ids))
    def check(data):
        response = client.post(url, data)
        assert response.status_code in {200, 302, 400}, response.status_code

    check()


# Import upload ---------------------------------------------------------------------------


def test_import_upload_of_random_files_never_causes_a_server_error(scored):
    client = scored["client"]
    url = reverse("stakeholders:import_upload", kwargs={"slug": scored["workspace"].slug})
    names = st.one_of(
        st.sampled_from(
            ["people.csv", "relationships.csv", "bundle.zip", "x.zip", "../../people.csv"]
        ),
        st.text(alphabet=st.characters(exclude_characters="\x00/\\"), min_size=1, max_size=40),
    )
    contents = st.one_of(
        st.binary(max_size=2000),
        st.sampled_from(
            [
                b"PK\x03\x04" + b"\x00" * 40,  # the start of a zip, then nothing
                b"\xef\xbb\xbfref,name\n<script>,=cmd|' /C calc'!A0\n",
                b"ref,name\n" + b"x," * 5000 + b"\n",
                "ref,name\n\u202e1,😀\n".encode(),
                b"\xff\xfe\x00r\x00e\x00f",
            ]
        ),
        st.text(max_size=500).map(str.encode),
    )

    @FUZZ
    @given(files=st.lists(st.tuples(names, contents), min_size=0, max_size=3))
    def check(files):
        uploads = [SimpleUploadedFile(name, body, "text/csv") for name, body in files]
        response = client.post(url, {"files": uploads})
        assert response.status_code in {302, 400}, response.status_code

    check()
