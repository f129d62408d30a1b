"""Hostile names stay text: escaped in HTML, SVG, GEXF and GraphML, formula-safe in CSV.

A person called `<script>alert(1)</script> "O'Brien" <RLO>RTL<RLO> 😀` and an organisation
called `=HYPERLINK("http://x")` go through every page and download that shows names.
"""

import csv
import io
import re
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from stakeholders import score_runs
from stakeholders.exports.tables import unguard_cell
from stakeholders.models import Role
from tests.factories import (
    AffiliationFactory,
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
    RelationshipFactory,
    UserFactory,
)

RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE: reverses the text after it until isolated
NAME = f'<script>alert(1)</script> "O\'Brien" {RLO}RTL{RLO} 😀'
ORG = '=HYPERLINK("http://x")'
# How Django's autoescape writes them.
NAME_HTML = f"&lt;script&gt;alert(1)&lt;/script&gt; &quot;O&#x27;Brien&quot; {RLO}RTL{RLO} 😀"
ORG_HTML = "=HYPERLINK(&quot;http://x&quot;)"


@pytest.fixture
def hostile(workspace):
    """The hostile person brokers between their organisation and a council."""
    org = OrganisationFactory(workspace=workspace, name=ORG, short_name=ORG)
    council = OrganisationFactory(
        workspace=workspace, name="Fenwick Council", sector="local_government"
    )
    person = PersonFactory(workspace=workspace, name=NAME, job_title=NAME)
    AffiliationFactory(person=person, organisation=org, role_title=NAME)
    others = [PersonFactory(workspace=workspace) for _ in range(4)]
    for i, other in enumerate(others):
        AffiliationFactory(person=other, organisation=council if i % 2 else org)
        RelationshipFactory(source=person, target=other, kind="influences", evidence=NAME)
        RelationshipFactory(source=other, target=person, kind="trusts")
    run = score_runs.score_run_execute(workspace_id=workspace.pk)
    assert run.status == "succeeded"
    user = UserFactory(username="reader")
    MembershipFactory(user=user, workspace=workspace, role=Role.EDITOR)
    return {"workspace": workspace, "person": person, "org": org, "user": user}


def _url(name: str, workspace, **kwargs) -> str:
    return reverse(f"stakeholders:{name}", kwargs={"slug": workspace.slug, **kwargs})


def _assert_no_raw_markup(body: str) -> None:
    assert "<script>alert(1)" not in body
    assert "alert(1)</script>" not in body
    assert "O'Brien\"" not in body  # quotes escaped, so no attribute can be closed early
    assert '=HYPERLINK("' not in body


def _assert_isolated(body: str) -> None:
    """Every visible occurrence of the name sits in <bdi>, so its RTL override stays inside.

    Attribute values (aria-label, title) are not laid out as text and are skipped, as
    are the page <title> and inline SVG, where HTML has no <bdi>: there the name sits
    in Unicode isolates instead (test_names_are_isolated_in_titles_and_svg).
    """
    body = re.sub(r"<title>.*?</title>|<svg\b.*?</svg>", "", body, flags=re.DOTALL)
    for match in re.finditer(re.escape(NAME_HTML), body):
        before = body[: match.start()]
        in_attribute = before.rfind('"') > before.rfind(">") and re.search(
            r'[\w-]+="[^"]*$', before[-2000:]
        )
        if in_attribute:
            continue
        # Inside a <bdi> that is still open where the name starts.
        assert before.rfind("<bdi") > before.rfind("</bdi>"), body[
            match.start() - 200 : match.end() + 50
        ]


@pytest.mark.parametrize(
    ("page", "kwargs", "shows_org"),
    [
        ("overview", {}, False),
        ("brokers", {}, False),
        ("person_detail", {"pk": "person"}, True),
        ("organisation_detail", {"pk": "org"}, True),
        ("map", {}, True),
        ("map_person", {"pk": "person"}, True),
        ("workspace_detail", {}, True),
    ],
)
def test_names_are_escaped_in_html_pages(client, hostile, page, kwargs, shows_org):
    client.force_login(hostile["user"])
    kwargs = {k: hostile[v].pk for k, v in kwargs.items()}

    response = client.get(_url(page, hostile["workspace"], **kwargs))

    assert response.status_code == 200
    body = response.content.decode()
    assert NAME_HTML in body
    if shows_org:
        assert ORG_HTML in body
    _assert_no_raw_markup(body)
    _assert_isolated(body)


def test_names_are_escaped_in_the_map_partials(client, hostile):
    client.force_login(hostile["user"])
    for page, kwargs in [("map", {}), ("map_person", {"pk": hostile["person"].pk})]:
        response = client.get(
            _url(page, hostile["workspace"], **kwargs), headers={"HX-Request": "true"}
        )
        body = response.content.decode()
        assert response.status_code == 200
        assert NAME_HTML in body or "&lt;script&gt;" in body
        _assert_no_raw_markup(body)


def _texts(root: ET.Element) -> list[str]:
    """Every text, tail and attribute value in the document."""
    found = []
    for element in root.iter():
        found += [element.text or "", element.tail or "", *element.attrib.values()]
    return found


def test_names_stay_text_in_the_svg(client, hostile):
    client.force_login(hostile["user"])

    response = client.get(_url("map_svg", hostile["workspace"]))

    assert response.status_code == 200
    root = ET.fromstring(response.content)  # well-formed, or this raises
    tags = {element.tag.rsplit("}", 1)[-1] for element in root.iter()}
    assert "script" not in tags
    assert not any(a.startswith("on") for e in root.iter() for a in e.attrib)
    texts = _texts(root)
    assert any(NAME in t for t in texts), "the full name is in a title or label"
    assert any(ORG in t for t in texts)


def test_names_are_isolated_in_titles_and_svg(client, hostile):
    """Where markup has no <bdi>, Unicode isolates keep the override inside the name."""
    client.force_login(hostile["user"])
    person = hostile["person"]
    page = client.get(_url("person_detail", hostile["workspace"], pk=person.pk)).content
    title = re.search(r"<title>(.*?)</title>", page.decode(), re.DOTALL)[1]
    assert f"\u2068{NAME_HTML}\u2069 – " in title
    root = ET.fromstring(client.get(_url("map_svg", hostile["workspace"])).content)
    named = [t for t in _texts(root) if RLO in t]
    assert named, "the name is drawn in the SVG"
    for text in named:
        inside = re.sub(r"\u2068[^\u2068\u2069]*\u2069", "", text)
        assert RLO not in inside, f"an override outside any isolate: {text!r}"


def _outermost_svg(body: str, *, around: int) -> str:
    """The whole <svg> element (nested ones included) that contains position `around`."""
    start = body.rindex("<svg", 0, around)
    while True:
        depth, end = 0, start
        for tag in re.finditer(r"<svg\b|</svg>", body[start:]):
            depth += 1 if tag.group() != "</svg>" else -1
            if depth == 0:
                end = start + tag.end()
                break
        if end > around:
            return body[start:end]
        start = body.rindex("<svg", 0, start)


def test_names_stay_text_in_the_map_on_the_page(client, hostile):
    """The page's inline SVG: the name is never markup, whatever it contains."""
    client.force_login(hostile["user"])
    body = client.get(_url("map", hostile["workspace"])).content.decode()
    svg = _outermost_svg(body, around=body.index("app-map-nodes"))
    root = ET.fromstring(svg.replace("&nbsp;", "&#160;"))
    assert "script" not in {e.tag.rsplit("}", 1)[-1] for e in root.iter()}
    assert any(NAME in t for t in _texts(root))


def _csv_rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body.removeprefix("\ufeff"), newline="")))


@pytest.mark.parametrize("kind", ["people", "organisations", "affiliations", "brokers", "scores"])
def test_names_round_trip_through_csv_and_formulas_are_guarded(client, hostile, kind):
    client.force_login(hostile["user"])

    response = client.get(_url("export_csv", hostile["workspace"], kind=kind))

    assert response.status_code == 200
    rows = _csv_rows(response)
    cells = [cell for row in rows for cell in row]
    # A spreadsheet runs a cell starting with =; the export writes '= instead.
    assert ORG not in cells
    assert not any(cell.startswith(("=", "+", "@")) for cell in cells)
    if kind != "people":
        assert "'" + ORG in cells
        assert ORG in [unguard_cell(cell) for cell in cells]
    if kind != "organisations":
        assert NAME in cells  # every character, quotes and all, read back exactly


@pytest.mark.parametrize("format", ["gexf", "graphml"])
def test_names_stay_text_in_graph_files(client, hostile, format):
    client.force_login(hostile["user"])

    response = client.get(_url("export_graph", hostile["workspace"], format=format))

    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    root = ET.fromstring(body)  # well-formed, or this raises
    texts = _texts(root)
    assert NAME in texts
    assert ORG in texts or any(ORG in t for t in texts)
    assert "script" not in {e.tag.rsplit("}", 1)[-1] for e in root.iter()}
