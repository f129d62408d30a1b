"""The first pages: login and logout, the home page and a workspace's page."""

import datetime
from html.parser import HTMLParser

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.views.defaults import server_error

from stakeholders.models import OrganisationKind, Role, Sector, Seniority, Tier
from tests.factories import (
    PASSWORD,
    AffiliationFactory,
    MembershipFactory,
    OrganisationFactory,
    RelationshipFactory,
    UserFactory,
    WorkspaceFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    # Users are made for nearly every test; PBKDF2 would make each take a second.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


HOME = reverse("stakeholders:home")
LOGIN = reverse("login")
LOGOUT = reverse("logout")
HTMX = {"HX-Request": "true"}


def workspace_url(workspace) -> str:
    return reverse("stakeholders:workspace_detail", kwargs={"slug": workspace.slug})


def person_at(organisation, **person):
    """A person whose primary affiliation is `organisation`."""
    person.setdefault("workspace", organisation.workspace)
    affiliation = AffiliationFactory(
        organisation=organisation,
        **{f"person__{field}": value for field, value in person.items()},
    )
    return affiliation.person


class PageParser(HTMLParser):
    """Collects what the CSP and escaping tests look for."""

    def __init__(self) -> None:
        super().__init__()
        self.inline_scripts = 0
        self.style_elements = 0
        self.style_attributes = 0
        self.script_nonces: list[str | None] = []
        self.ids: list[str] = []
        self._in_inline_script = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if "style" in attributes:
            self.style_attributes += 1
        if "id" in attributes:
            self.ids.append(attributes["id"])
        if tag == "style":
            self.style_elements += 1
        if tag == "script":
            if attributes.get("src"):
                self.script_nonces.append(attributes.get("nonce"))
            else:
                self.inline_scripts += 1


def parse(content: bytes) -> PageParser:
    parser = PageParser()
    parser.feed(content.decode())
    return parser


# --- Login and logout ---------------------------------------------------------------


def test_login_page_renders_labelled_fields(client):
    response = client.get(LOGIN)

    assert response.status_code == 200
    html = response.content.decode()
    assert '<label class="nhsuk-label" for="id_username">Username</label>' in html
    assert '<label class="nhsuk-label" for="id_password">Password</label>' in html
    assert 'autocomplete="current-password"' in html


def test_login_with_right_password_goes_home(client, viewer):
    response = client.post(LOGIN, {"username": "viewer", "password": PASSWORD})

    assert response.status_code == 302
    assert response.url == HOME
    assert client.get(HOME).status_code == 200


def test_login_with_wrong_password_shows_error_and_stays_anonymous(client, viewer):
    response = client.post(LOGIN, {"username": "viewer", "password": "wrong-password"})

    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert "Please enter a correct username and password" in html
    assert "wrong-password" not in html
    assert client.get(HOME).status_code == 302


def test_login_follows_next_to_the_page_asked_for(client, workspace, viewer):
    url = workspace_url(workspace)

    response = client.post(f"{LOGIN}?next={url}", {"username": "viewer", "password": PASSWORD})

    assert response.status_code == 302
    assert response.url == url


def test_logout_by_post_ends_the_session(client, viewer):
    client.force_login(viewer)

    response = client.post(LOGOUT)

    assert response.status_code == 302
    assert response.url == LOGIN
    assert client.get(HOME).status_code == 302


def test_logout_by_get_is_refused(client, viewer):
    client.force_login(viewer)

    assert client.get(LOGOUT).status_code == 405
    assert client.get(HOME).status_code == 200


def test_pages_offer_a_logout_button_form(client, viewer):
    client.force_login(viewer)

    html = client.get(HOME).content.decode()

    assert f'<form class="nhsuk-header__account-form" action="{LOGOUT}" method="post"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert ">Log out</button>" in html


# --- Access ---------------------------------------------------------------------------


@pytest.mark.parametrize("page", ["home", "workspace"])
def test_anonymous_is_sent_to_login(client, workspace, page):
    url = HOME if page == "home" else workspace_url(workspace)

    response = client.get(url)

    assert response.status_code == 302
    assert response.url == f"{LOGIN}?next={url}"


def test_anonymous_htmx_request_is_sent_to_login_too(client, workspace):
    response = client.get(workspace_url(workspace), headers=HTMX)

    assert response.status_code == 302
    assert response.url.startswith(LOGIN)


@pytest.mark.parametrize("member", ["viewer", "editor", "owner"])
def test_members_in_every_role_see_the_workspace(client, workspace, member, request):
    client.force_login(request.getfixturevalue(member))

    response = client.get(workspace_url(workspace))

    assert response.status_code == 200
    assert "North Fenwick ICS" in response.content.decode()


def test_outsider_gets_404_not_403(client, workspace, outsider):
    OrganisationFactory(workspace=workspace, name="Fenwick Hospitals NHS Trust")
    client.force_login(outsider)

    response = client.get(workspace_url(workspace))

    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html
    assert "North Fenwick" not in html
    assert "Fenwick Hospitals" not in html


def test_outsider_htmx_request_gets_404(client, workspace, outsider):
    client.force_login(outsider)

    assert client.get(workspace_url(workspace), headers=HTMX).status_code == 404


def test_unknown_slug_is_404_even_for_a_member(client, workspace, viewer):
    client.force_login(viewer)

    response = client.get(reverse("stakeholders:workspace_detail", kwargs={"slug": "no-such"}))

    assert response.status_code == 404
    assert "no-such" not in response.content.decode()


def test_pages_refuse_post(client, workspace, viewer):
    # The people page takes POST: its search posts the term (tests/test_security.py).
    client.force_login(viewer)

    assert client.post(HOME).status_code == 405


def test_pages_are_not_cached(client, workspace, viewer):
    client.force_login(viewer)

    for url in (HOME, workspace_url(workspace)):
        cache_control = client.get(url).headers["Cache-Control"]
        assert "no-store" in cache_control
        assert "private" in cache_control


# --- Home -----------------------------------------------------------------------------


def test_home_lists_only_my_workspaces_with_counts_and_role(client, workspace, other_workspace):
    me = UserFactory(username="me")
    MembershipFactory(user=me, workspace=workspace, role=Role.EDITOR)
    MembershipFactory(user=me, workspace=other_workspace, role=Role.VIEWER)
    hidden = WorkspaceFactory(name="Hidden Vale ICS", slug="hidden-vale")

    # North Fenwick: 3 organisations, 4 people, 5 ties. One person works at two
    # organisations and has ties both ways, which would multiply a joined count.
    trust, council, vcse = (OrganisationFactory(workspace=workspace) for _ in range(3))
    ann = person_at(trust)
    bob = person_at(council)
    cat = person_at(vcse)
    dan = person_at(trust)
    AffiliationFactory(person=ann, organisation=council, is_primary=False)
    RelationshipFactory(source=ann, target=bob)
    RelationshipFactory(source=ann, target=cat)
    RelationshipFactory(source=bob, target=ann)
    RelationshipFactory(source=cat, target=ann)
    RelationshipFactory(source=dan, target=ann)
    # Ended, or not started yet: not counted, as the overview and the scores do not.
    today = datetime.date.today()
    RelationshipFactory(source=dan, target=bob, end_date=today - datetime.timedelta(days=1))
    RelationshipFactory(source=dan, target=cat, start_date=today + datetime.timedelta(days=1))
    # South Moor: 1 organisation, 2 people, 1 tie.
    moor = OrganisationFactory(workspace=other_workspace)
    RelationshipFactory(source=person_at(moor), target=person_at(moor))
    # Hidden Vale: data I must not see counted anywhere.
    vale = OrganisationFactory(workspace=hidden)
    RelationshipFactory(source=person_at(vale), target=person_at(vale))
    client.force_login(me)

    response = client.get(HOME)

    assert response.status_code == 200
    rows = [
        (ws.name, ws.role_label, ws.organisations, ws.people, ws.relationships)
        for ws in response.context["workspaces"]
    ]
    assert rows == [
        ("North Fenwick ICS", "Editor", 3, 4, 5),
        ("South Moor ICS", "Viewer", 1, 2, 1),
    ]
    html = response.content.decode()
    assert f'href="{reverse("stakeholders:overview", kwargs={"slug": workspace.slug})}"' in html
    assert "Hidden Vale" not in html


def test_home_counts_an_empty_workspace_as_zeros(client, workspace, viewer):
    client.force_login(viewer)

    (summary,) = client.get(HOME).context["workspaces"]

    assert (summary.organisations, summary.people, summary.relationships) == (0, 0, 0)


def test_home_says_helpfully_when_i_belong_to_no_workspace(client, workspace):
    client.force_login(UserFactory(username="newcomer"))

    html = client.get(HOME).content.decode()

    assert "You are not a member of any workspace yet" in html
    assert "ask its owner" in html
    assert "Create a workspace" in html
    assert "North Fenwick" not in html


def test_home_runs_one_query_whatever_the_number_of_workspaces(client, django_assert_num_queries):
    me = UserFactory(username="me")
    for _ in range(4):
        ws = WorkspaceFactory()
        MembershipFactory(user=me, workspace=ws)
        RelationshipFactory(
            source=person_at(OrganisationFactory(workspace=ws)),
            target=person_at(OrganisationFactory(workspace=ws)),
        )
    client.force_login(me)

    # Session, user, then the one query for the workspaces and their counts.
    with django_assert_num_queries(3):
        response = client.get(HOME)

    assert len(response.context["workspaces"]) == 4


# --- Workspace page: content ------------------------------------------------------------


def test_workspace_page_lists_organisations_and_people(client, workspace, viewer):
    trust = OrganisationFactory(
        workspace=workspace,
        name="Fenwick Hospitals NHS Foundation Trust",
        short_name="FHFT",
        kind=OrganisationKind.ACUTE_TRUST,
        sector=Sector.NHS,
        tier=Tier.SYSTEM,
    )
    council = OrganisationFactory(
        workspace=workspace,
        name="Fenwick County Council",
        short_name="FCC",
        kind=OrganisationKind.COUNTY_COUNCIL,
        sector=Sector.LOCAL_GOVERNMENT,
        tier=Tier.PLACE,
    )
    ann = person_at(
        trust,
        name="Ann Okafor",
        ref="AO1",
        job_title="Chief Executive",
        seniority=Seniority.EXECUTIVE,
    )
    bob = person_at(council, name="Bob Jones", ref="BJ2")
    AffiliationFactory(person=ann, organisation=council, is_primary=False)
    RelationshipFactory(source=ann, target=bob)
    RelationshipFactory(source=bob, target=ann, kind="trusts")
    client.force_login(viewer)

    response = client.get(workspace_url(workspace))

    orgs = {row.name: row for row in response.context["organisations"].rows}
    assert orgs["Fenwick Hospitals NHS Foundation Trust"].kind_label == "Acute trust"
    assert orgs["Fenwick Hospitals NHS Foundation Trust"].people == 1
    assert orgs["Fenwick County Council"].sector_label == "Local government"
    assert orgs["Fenwick County Council"].tier_label == "Place"
    assert orgs["Fenwick County Council"].people == 2
    people = {row.name: row for row in response.context["people"].rows}
    assert people["Ann Okafor"].primary_organisation == "Fenwick Hospitals NHS Foundation Trust"
    assert people["Ann Okafor"].seniority_label == "Executive"
    assert people["Ann Okafor"].ties == 2
    assert people["Bob Jones"].ties == 2
    html = response.content.decode()
    for text in ("FHFT", "County council", "Chief Executive", "AO1"):
        assert text in html
    assert "<caption" in html


def test_workspace_page_shows_only_its_own_data(client, workspace, other_workspace, viewer):
    person_at(OrganisationFactory(workspace=other_workspace, name="Moor Trust"), name="Zed")
    client.force_login(viewer)

    html = client.get(workspace_url(workspace)).content.decode()

    assert "Moor Trust" not in html
    assert "Zed" not in html
    assert "There are no people in this workspace yet" in html


def test_person_without_primary_affiliation_says_so(client, workspace, viewer):
    org = OrganisationFactory(workspace=workspace)
    AffiliationFactory(organisation=org, person__workspace=workspace, is_primary=False)
    client.force_login(viewer)

    response = client.get(workspace_url(workspace))

    (row,) = response.context["people"].rows
    assert row.primary_organisation == ""
    assert "None recorded" in response.content.decode()


# --- Search ---------------------------------------------------------------------------


@pytest.fixture
def searchable(workspace):
    trust = OrganisationFactory(workspace=workspace, name="Fenwick Hospitals", short_name="FH")
    council = OrganisationFactory(workspace=workspace, name="Moorside Council", short_name="MC")
    person_at(trust, name="Ann Okafor", ref="AO-17", job_title="Chief Nurse")
    person_at(council, name="Bob Jones", ref="BJ-22", job_title="Director of Public Health")
    person_at(council, name="Cat Smith", ref="CS-31", job_title="Housing lead")
    return workspace


def search(client, workspace, q, **headers):
    # The term is posted, never put in the address (see tests/test_security.py).
    response = client.post(workspace_url(workspace), {"q": q}, headers=headers)
    assert response.status_code == 200
    return (
        [row.name for row in response.context["organisations"].rows],
        [row.name for row in response.context["people"].rows],
    )


@pytest.mark.parametrize(
    ("q", "people"),
    [
        ("okafor", ["Ann Okafor"]),  # name, any case
        ("bj-22", ["Bob Jones"]),  # ref
        ("public health", ["Bob Jones"]),  # job title, several words
        ("moorside", ["Bob Jones", "Cat Smith"]),  # organisation name
        ("FH", ["Ann Okafor"]),  # organisation short name
        ("moorside housing", ["Cat Smith"]),  # every word must match somewhere
        ("nobody-like-this", []),
    ],
)
def test_search_filters_people(client, searchable, viewer, q, people):
    client.force_login(viewer)

    assert search(client, searchable, q)[1] == people


@pytest.mark.parametrize(
    ("q", "organisations"),
    [
        ("fenwick", ["Fenwick Hospitals"]),
        ("MC", ["Moorside Council"]),
        ("okafor", []),
    ],
)
def test_search_filters_organisations(client, searchable, viewer, q, organisations):
    client.force_login(viewer)

    assert search(client, searchable, q)[0] == organisations


def test_search_counts_a_person_once_however_many_organisations_match(client, workspace, viewer):
    first = OrganisationFactory(workspace=workspace, name="Fenwick North")
    ann = person_at(first, name="Ann")
    AffiliationFactory(
        person=ann,
        organisation=OrganisationFactory(workspace=workspace, name="Fenwick South"),
        is_primary=False,
    )
    client.force_login(viewer)

    response = client.post(workspace_url(workspace), {"q": "fenwick"})

    assert [row.name for row in response.context["people"].rows] == ["Ann"]
    assert response.context["people"].count == 1


def test_search_box_keeps_the_query_and_describes_results(client, searchable, viewer):
    client.force_login(viewer)

    html = client.post(workspace_url(searchable), {"q": "moorside"}).content.decode()

    assert 'value="moorside"' in html
    assert '<label class="nhsuk-label nhsuk-label--s" for="q">' in html
    assert "1 organisation and 2 people match" in html
    assert "Clear search" in html


def test_search_form_works_without_javascript_and_with_htmx(client, workspace, viewer):
    client.force_login(viewer)
    url = workspace_url(workspace)

    html = client.get(url).content.decode()

    assert f'<form method="post" action="{url}" hx-post="{url}"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert "hx-push-url" not in html
    assert 'hx-target="#results"' in html


def test_overlong_search_is_cut_not_refused(client, searchable, viewer):
    client.force_login(viewer)

    organisations, people = search(client, searchable, "okafor " + "x" * 5000)

    assert (organisations, people) == ([], [])


# --- HTMX -----------------------------------------------------------------------------


def test_htmx_request_gets_only_the_results_partial(client, searchable, viewer):
    client.force_login(viewer)

    response = client.post(workspace_url(searchable), {"q": "okafor"}, headers=HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert "nhsuk-header" not in html
    assert html.strip().startswith(
        "<title>Search: okafor – North Fenwick ICS – Influence Map</title>"
    )
    assert '<div class="app-results" id="results">' in html
    assert "Ann Okafor" in html
    assert "Bob Jones" not in html
    assert "HX-Request" in response.headers["Vary"]


def test_htmx_history_restore_gets_the_full_page(client, searchable, viewer):
    client.force_login(viewer)

    response = client.get(
        workspace_url(searchable), headers={**HTMX, "HX-History-Restore-Request": "true"}
    )

    html = response.content.decode()
    assert html.startswith("<!DOCTYPE html>")
    assert html.count("– Influence Map</title>") == 1  # the head title only
    assert "nhsuk-header" in html
    assert "Ann Okafor" in html


def test_every_hx_get_has_a_real_href(client, workspace, editor):
    org = OrganisationFactory(workspace=workspace)
    for n in range(120):
        person_at(org, name=f"Person {n:03d}")
    client.force_login(editor)

    html = client.get(workspace_url(workspace)).content.decode()

    class Links(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.pairs: list[tuple[str | None, str]] = []

        def handle_starttag(self, tag, attrs):
            attributes = dict(attrs)
            if tag == "a" and "hx-get" in attributes:
                self.pairs.append((attributes.get("href"), attributes["hx-get"]))

    links = Links()
    links.feed(html)
    assert len(links.pairs) >= 3  # the people pagination: pages 2 and 3, next
    assert all(href and href == hx_get for href, hx_get in links.pairs)


# --- Pagination -----------------------------------------------------------------------


@pytest.fixture
def crowded(workspace):
    orgs = [OrganisationFactory(workspace=workspace, name=f"Org {n:03d}") for n in range(55)]
    for n in range(60):
        person_at(orgs[n % 3], name=f"Person {n:03d}", ref=f"R{n:03d}")
    return workspace


def test_people_are_paginated_fifty_a_page(client, crowded, viewer):
    client.force_login(viewer)
    url = workspace_url(crowded)

    first = client.get(url).context["people"]
    second = client.get(url, {"people_page": 2}).context["people"]

    assert [row.name for row in first.rows] == [f"Person {n:03d}" for n in range(50)]
    assert [row.name for row in second.rows] == [f"Person {n:03d}" for n in range(50, 60)]
    assert (first.count, first.num_pages, second.number) == (60, 2, 2)


def test_organisations_are_paginated_apart_from_people(client, crowded, viewer):
    client.force_login(viewer)

    response = client.get(workspace_url(crowded), {"orgs_page": 2})

    assert [row.name for row in response.context["organisations"].rows] == [
        f"Org {n:03d}" for n in range(50, 55)
    ]
    assert response.context["people"].number == 1


def test_pagination_links_keep_the_other_page(client, crowded, viewer):
    client.force_login(viewer)
    url = workspace_url(crowded)

    html = client.get(url, {"orgs_page": 2}).content.decode()

    assert f'href="{url}?orgs_page=2&amp;people_page=2"' in html
    assert f'href="{url}?orgs_page=1"' in html
    assert 'aria-label="Pages of people"' in html
    assert 'aria-label="Pages of organisations"' in html


def test_search_pages_post_the_search_and_the_other_page(client, crowded, viewer):
    client.force_login(viewer)
    url = workspace_url(crowded)

    html = client.post(url, {"q": "o", "orgs_page": 2}).content.decode()

    assert "?q=" not in html
    assert '<input type="hidden" name="q" value="o">' in html
    assert '<input type="hidden" name="orgs_page" value="2">' in html  # on the people pages
    assert 'name="people_page" value="2"' in html
    assert 'name="orgs_page" value="1"' in html
    assert 'aria-label="Pages of people"' in html
    assert 'aria-label="Pages of organisations"' in html


@pytest.mark.parametrize("page", ["99", "0", "-1", "two", ""])
def test_out_of_range_or_bad_page_numbers_show_a_page_not_an_error(client, crowded, viewer, page):
    client.force_login(viewer)

    response = client.get(workspace_url(crowded), {"people_page": page})

    assert response.status_code == 200
    assert response.context["people"].rows


def test_small_lists_have_no_pagination(client, searchable, viewer):
    client.force_login(viewer)

    html = client.get(workspace_url(searchable)).content.decode()

    assert "nhsuk-pagination" not in html


# --- Editing links --------------------------------------------------------------------


@pytest.fixture
def one_of_each(workspace):
    org = OrganisationFactory(workspace=workspace)
    return org, person_at(org)


@pytest.mark.parametrize("member", ["editor", "owner"])
def test_editors_and_owners_see_admin_links(client, workspace, one_of_each, member, request):
    org, person = one_of_each
    client.force_login(request.getfixturevalue(member))

    html = client.get(workspace_url(workspace)).content.decode()

    assert reverse("admin:stakeholders_organisation_change", args=[org.pk]) in html
    assert reverse("admin:stakeholders_person_change", args=[person.pk]) in html
    assert reverse("admin:stakeholders_person_add") in html
    assert reverse("admin:stakeholders_organisation_add") in html
    assert ">Add person</a>" in html


def test_viewers_see_no_admin_links(client, workspace, one_of_each, viewer):
    client.force_login(viewer)

    html = client.get(workspace_url(workspace)).content.decode()

    assert "/admin/" not in html
    assert "Add person" not in html
    assert "You can see this map but not change it" in html


# --- Query counts ---------------------------------------------------------------------


def build_workspace(size: int):
    """`size` people in size/5 organisations, a ring of ties, some joint appointments."""
    ws = WorkspaceFactory()
    orgs = [OrganisationFactory(workspace=ws) for _ in range(size // 5)]
    people = [person_at(orgs[n % len(orgs)], name=f"Person {n:03d}") for n in range(size)]
    for n, person in enumerate(people):
        RelationshipFactory(source=person, target=people[(n + 1) % size])
        if orgs[n % len(orgs)] != orgs[-1]:
            AffiliationFactory(person=person, organisation=orgs[-1], is_primary=False)
    return ws


@pytest.mark.parametrize("size", [5, 60])
@pytest.mark.parametrize("htmx", [False, True])
def test_workspace_page_runs_a_fixed_number_of_queries(
    client, django_assert_num_queries, size, htmx
):
    ws = build_workspace(size)
    user = UserFactory()
    MembershipFactory(user=user, workspace=ws, role=Role.EDITOR)
    client.force_login(user)

    # Session, user, membership, then a count and a page each of organisations and people.
    with django_assert_num_queries(7):
        response = client.post(workspace_url(ws), {"q": "o"}, headers=HTMX if htmx else {})

    assert response.status_code == 200
    assert len(response.context["people"].rows) == min(size, 50)


# --- Escaping and CSP -----------------------------------------------------------------

HOSTILE = "<script>alert(1)</script>\"'><img src=x onerror=alert(2)>"


def test_hostile_names_are_escaped(client, viewer):
    ws = viewer.memberships.get().workspace
    ws.name = f"ICS {HOSTILE}"
    ws.save()
    org = OrganisationFactory(workspace=ws, name=f"Org {HOSTILE}", short_name="<b>x</b>")
    person_at(
        org,
        name=f"Person {HOSTILE} مرحبا 🙂",
        ref="<i>r</i>",
        job_title=f"Chief {HOSTILE}",
    )
    client.force_login(viewer)

    for method, url, params in (
        (client.get, HOME, {}),
        (client.get, workspace_url(ws), {}),
        (client.post, workspace_url(ws), {"q": HOSTILE}),
    ):
        html = method(url, params).content.decode()
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "<script>alert(1)" not in html
        assert "<img src=x" not in html
        assert "<b>x</b>" not in html
    html = client.get(workspace_url(ws)).content.decode()
    assert "مرحبا 🙂" in html


@pytest.mark.parametrize("page", ["login", "home", "workspace", "partial", "404"])
def test_pages_have_csp_and_no_inline_scripts_or_styles(client, workspace, editor, page):
    person_at(OrganisationFactory(workspace=workspace))
    if page != "login":
        client.force_login(editor)
    url, headers = {
        "login": (LOGIN, {}),
        "home": (HOME, {}),
        "workspace": (workspace_url(workspace), {}),
        "partial": (workspace_url(workspace), HTMX),
        "404": ("/w/no-such-workspace/", {}),
    }[page]

    response = client.get(url, headers=headers)

    csp = response.headers["Content-Security-Policy"]
    # A partial uses no nonce, so its policy names none (Django adds one only when used).
    assert ("script-src 'self';" if page == "partial" else "script-src 'self' 'nonce-") in csp
    assert "style-src 'self';" in csp
    assert "unsafe-inline" not in csp
    parsed = parse(response.content)
    assert parsed.inline_scripts == 0
    assert parsed.style_elements == 0
    assert parsed.style_attributes == 0
    if page != "partial":
        nonce = csp.split("'nonce-")[1].split("'")[0]
        assert parsed.script_nonces  # htmx and our module
        assert set(parsed.script_nonces) == {nonce}


def test_full_pages_have_skip_link_landmarks_and_csrf_header(client, workspace, viewer):
    client.force_login(viewer)

    response = client.get(workspace_url(workspace))

    html = response.content.decode()
    parsed = parse(response.content)
    assert '<a class="nhsuk-skip-link"' in html
    assert 'href="#maincontent"' in html
    assert "maincontent" in parsed.ids
    assert len(parsed.ids) == len(set(parsed.ids))  # no duplicate ids
    token = response.context["csrf_token"]
    assert f"""hx-headers='{{"x-csrftoken": "{token}"}}'""" in html
    assert "<footer" in html
    assert "<h1>" in html


def test_server_error_page_renders_without_context_and_reveals_nothing():
    response = server_error(RequestFactory().get("/w/secret-slug/"))

    html = response.content.decode()
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in html
    assert "secret-slug" not in html
    assert parse(response.content).inline_scripts == 0
