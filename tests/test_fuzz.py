"""Hostile input anywhere gets a clear 4xx, never a 500.

Hypothesis throws random and hostile values at every query parameter of every page and
download, at every field of the admin's add and change forms and at the import upload.
The test client re-raises any exception a view lets escape, so a 500 fails the test with
its traceback. The values include what Word pastes (U+000B, ESC), NUL, U+FFFE, a lone
surrogate and a 5,000-digit number; a NUL anywhere is a 400 (PostgreSQL cannot hold
one, so SQLite passing it proves nothing). Pinned examples check that the commonest
mistakes get a 400 that says what is wrong.
"""

import csv
import io
import itertools
import string
from urllib.parse import urlencode

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stakeholders import score_runs
from stakeholders.imports.bundle import BUNDLE_FILES, COLUMNS
from stakeholders.models import Affiliation, ImportPreview, Relationship, Role
from stakeholders.text import text_problem
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
    # What Word pastes, what XML cannot hold, and numbers past what int() will read.
    "\x0b",
    "Amira\x0bShah",
    "\x1b[31mred",
    "\x0c",
    "\ufffe",
    "\ud800",
    "a\udfffb",
    "9" * 5000,
    "-" + "1" * 5000,
]
VALUES = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=40),
    st.integers().map(str),
    st.text(alphabet=string.printable, max_size=300),
)


def encoded(data: dict[str, list[str]]) -> str:
    """A query string or form body as a client could send it, lone surrogates included.

    The test client cannot encode a lone surrogate; a hand-made request can send its
    UTF-8 bytes all the same (Django reads them as U+FFFD).
    """
    return urlencode(data, doseq=True, errors="surrogatepass")


def holds_nul(data: dict[str, list[str]]) -> bool:
    return any("\x00" in key or any("\x00" in v for v in values) for key, values in data.items())


FORM = "application/x-www-form-urlencoded"


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
        "map_png": (url("map_png"), MAP_PARAMS),
        "export_board_pack": (url("export_board_pack"), ["boundary", "sort", "group"]),
        "export_scores": (url("export_csv", kind="scores"), ["boundary"]),
        "person_changes": (url("person_changes", pk=person), ["page"]),
        "organisation_changes": (url("organisation_changes", pk=org), ["page"]),
        "key_people": (url("scenario_key_people"), ["boundary", "page"]),
        "import_upload": (url("import_upload"), []),
        "members": (url("members"), []),
        "home": (reverse("stakeholders:home"), []),
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
    "map_png",
    "export_board_pack",
    "export_scores",
    "person_changes",
    "organisation_changes",
    "key_people",
    "import_upload",
    "members",
    "home",
]


# Numbers that pass a quick look and break int(): thousands of digits (also behind
# thousands of zeros), a superscript digit ('²'.isdigit() is True) and a digit
# from another script. Sampled examples can miss a parameter: every one gets each.
AWKWARD_NUMBERS = ["9" * 5000, "0" * 5000 + "1", "\u00b2", "\u0663"]


@pytest.mark.parametrize("page", PAGES)
def test_every_parameter_survives_awkward_numbers(scored, page):
    path, names = _pages(scored)[page]
    for name in names:
        for value in AWKWARD_NUMBERS:
            response = scored["client"].get(path, {name: value})
            _consume(response)
            assert response.status_code in {200, 400, 403, 404, 409}, (name, value[:8])


@pytest.mark.parametrize("page", PAGES)
def test_query_parameters_never_cause_a_server_error(scored, page):
    path, names = _pages(scored)[page]
    client = scored["client"]

    @FUZZ
    @given(query=_query(names), htmx=st.booleans())
    def check(query, htmx):
        headers = {"HX-Request": "true"} if htmx else {}
        response = client.get(f"{path}?{encoded(query)}", headers=headers)
        _consume(response)
        assert response.status_code < 500
        assert response.status_code in {200, 400, 403, 404, 409}, response.status_code
        if response.status_code == 400:
            assert b"<h1" in response.content  # a page that says what is wrong
        if holds_nul(query):
            assert response.status_code == 400
            assert not response.streaming  # refused before a download starts

    check()


def test_people_search_never_causes_a_server_error(scored):
    """The search term arrives in a POST body (it is usually a name)."""
    path, names = _pages(scored)["people"]
    client = scored["client"]

    @FUZZ
    @given(form=_query(names), htmx=st.booleans())
    def check(form, htmx):
        headers = {"HX-Request": "true"} if htmx else {}
        response = client.post(path, encoded(form), FORM, headers=headers)
        assert response.status_code in {200, 400}, response.status_code
        if holds_nul(form):
            assert response.status_code == 400

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
        ("map_svg", {"size": "\x0b"}, "Size people by broker score, influence or betweenness."),
        ("map_svg", {"size": "\x00"}, "holds a null character (%00)"),
        ("brokers", {"group": "\x00"}, "holds a null character (%00)"),
        ("people", {"q": "a\x00b"}, "holds a null character (%00)"),
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
        response = client.post(url, encoded(data), FORM)
        assert response.status_code in {200, 302, 400}, response.status_code
        if holds_nul(data):
            assert response.status_code == 400

    check()


# Each admin list's search, filters, ordering and page, as the address carries them.
ADMIN_LISTS = {
    "workspace": [],
    "membership": ["role__exact", "workspace__id__exact"],
    "organisation": ["workspace__id__exact", "sector__exact", "kind__exact", "tier__exact"],
    "person": ["workspace__id__exact", "seniority__exact", "active__exact"],
    "affiliation": ["is_primary__exact", "person__workspace__id__exact", "organisation__id__exact"],
    "relationship": [
        "kind__exact", "strength__exact", "trust__exact", "trust__isnull",
        "source__workspace__id__exact",
    ],
    "erasure": [],
}  # fmt: skip


@pytest.mark.parametrize("model", list(ADMIN_LISTS))
def test_admin_lists_never_cause_a_server_error(scored, model):
    client = scored["client"]
    url = reverse(f"admin:stakeholders_{model}_changelist")
    names = [*ADMIN_LISTS[model], "q", "o", "p", "all", "e", "_changelist_filters"]

    @FUZZ
    @given(query=_query(names))
    def check(query):
        response = client.get(f"{url}?{encoded(query)}")
        _consume(response)
        # 302: Django's admin sends an unknown filter back to the list with ?e=1.
        assert response.status_code in {200, 302, 400, 403}, response.status_code
        if holds_nul(query):
            assert response.status_code == 400

    check()


def test_admin_autocomplete_never_causes_a_server_error(scored):
    client = scored["client"]
    url = reverse("admin:autocomplete")
    fields = [
        ("organisation", "parent"),
        ("affiliation", "person"),
        ("affiliation", "organisation"),
        ("relationship", "source"),
        ("relationship", "target"),
    ]

    @FUZZ
    @given(field=st.sampled_from(fields), term=VALUES, page=VALUES, junk=st.booleans())
    def check(field, term, page, junk):
        model, name = field
        query = {"app_label": "stakeholders", "model_name": model, "field_name": name}
        query |= {"term": term, "page": page} if junk else {"term": term}
        response = client.get(f"{url}?{encoded(query)}")
        assert response.status_code in {200, 400, 403, 404}, response.status_code
        if holds_nul({key: [value] for key, value in query.items()}):
            assert response.status_code == 400

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


# Hostile cells in the files an upload holds -----------------------------------------

KUMU_COLUMNS = {
    "Elements.csv": ["Label", "Type", "Sector", "Tier", "Seniority"],
    "Connections.csv": ["From", "To", "Type", "Strength", "Description"],
}
# A believable value per column, so that some rows get past the first checks.
PLAUSIBLE = {
    "name": "North Fenwick ICB", "short_name": "ICB", "kind": "icb", "sector": "nhs",
    "tier": "system", "ods_code": "QU9", "ref": "P1", "job_title": "Director",
    "seniority": "director", "organisation": "North Fenwick ICB", "role_title": "Director",
    "active": "yes", "person": "P1", "start_date": "2024-01-01", "source": "P1",
    "target": "P2", "strength": "3", "trust": "4", "observed_on": "2026-01-01",
    "evidence": "Board", "label": "Amira Shah", "type": "Person", "from": "Amira Shah",
    "to": "North Fenwick ICB", "description": "Board",
}  # fmt: skip


def _csv_bytes(records: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(records)
    return out.getvalue().encode("utf-8", "surrogatepass")


@st.composite
def _sheets(draw) -> tuple[bool, dict[str, list[list[str]]]]:
    """Our bundle or a Kumu map, with hostile values in its cells and header cells."""
    kumu = draw(st.booleans())
    columns = KUMU_COLUMNS if kumu else {name: list(COLUMNS[name]) for name in BUNDLE_FILES}
    chosen = draw(st.lists(st.sampled_from(list(columns)), min_size=1, unique=True))
    sheets = {}
    for name in chosen:
        header = [draw(st.one_of(st.just(c), st.just(c), VALUES)) for c in columns[name]]
        rows = [
            [draw(st.one_of(st.just(PLAUSIBLE.get(c.lower(), "")), VALUES)) for c in header]
            for _ in range(draw(st.integers(1, 3)))
        ]
        sheets[name] = [header, *rows]
    return kumu, sheets


def test_import_upload_of_hostile_cells_never_causes_a_server_error(scored):
    """Every refused character in a cell or column name is a listed problem, never a 500."""
    client = scored["client"]
    url = reverse("stakeholders:import_upload", kwargs={"slug": scored["workspace"].slug})

    @FUZZ
    @given(upload=_sheets())
    def check(upload):
        kumu, sheets = upload
        files = [SimpleUploadedFile(n, _csv_bytes(r), "text/csv") for n, r in sheets.items()]
        response = client.post(url, {"files": files})
        assert response.status_code in {302, 400}, response.status_code
        if response.status_code != 302:
            return
        summary = ImportPreview.objects.latest("created_at").summary
        for error in summary["errors"]:
            # Stored as JSON: PostgreSQL refuses a NUL in it, and the page shows it.
            assert text_problem(error["message"]) is None
            assert text_problem(error["column"] or "") is None
        refused = any(
            text_problem(cell.strip()) for rows in sheets.values() for r in rows for cell in r
        )
        if refused and not kumu:
            assert summary["errors"]
        assert client.get(response.url).status_code == 200

    check()
