"""Plain English (issue #14): no analysis jargon in any sentence a person reads.

The technical terms may name a column (table headers, the sort options that name the
same columns) and be defined (<dfn>, <abbr>), but never appear in a sentence: the
overview, brokers, person and map panel pages for every boundary, every stored "why"
sentence, and the Why column of the brokers CSV and of the board pack's brokers table.
Names and other recorded data sit in <bdi> and are not our words: a job title such as
"Mental Health Liaison" is left alone.
"""

import csv
import io
import re
import zipfile
from html.parser import HTMLParser
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse

from stakeholders import demo, score_runs
from stakeholders.dashboard.reads import BROKER_SORTS
from stakeholders.models import Boundary, PersonScore, Role, Workspace
from tests.factories import MembershipFactory, UserFactory

BANNED = re.compile(
    r"\b(two-?paths?|constraints?|liaisons?|gatekeepers?|representatives?|betweenness"
    r"|percentiles?)\b",
    re.IGNORECASE,
)
# Column headers and definitions of terms: the one place the terms may appear.
SKIPPED = {"thead", "abbr", "dfn", "option", "bdi", "script", "style"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}
# Attributes a person reads too: tooltips and what a screen reader says.
SPOKEN = ("title", "aria-label", "alt")


class Sentences(HTMLParser):
    """The text a person reads on a page, less column headers, definitions and data."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[bool] = []  # per open element: is its text skipped?
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        skipped = (self.stack and self.stack[-1]) or tag in SKIPPED
        skipped = skipped or (tag == "th" and attrs.get("scope") == "col")
        if not skipped:
            self.text.extend(attrs[name] for name in SPOKEN if attrs.get(name))
        if tag not in VOID:
            self.stack.append(bool(skipped))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()

    def handle_endtag(self, tag):
        if tag not in VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if not (self.stack and self.stack[-1]) and data.strip():
            self.text.append(" ".join(data.split()))


def sentences(html: str) -> list[str]:
    parser = Sentences()
    parser.feed(html)
    return parser.text


def jargon(texts: list[str]) -> list[str]:
    return [t for t in texts if t and BANNED.search(t)]


def test_the_banned_list_catches_the_old_sentences_and_spares_plain_ones():
    old = [
        "brokers 223 open two-paths that cross organisations as liaison, gatekeeper or "
        "representative",
        "has a more open network than 100% of people (constraint 0.08)",
        "influence percentile 95",
        "Betweenness: 0.120",
    ]
    assert jargon(old) == old
    assert jargon(["One of the few people who connect the council with the acute trust"]) == []


def test_the_page_reader_skips_headers_definitions_and_data_only():
    page = (
        "<table><thead><tr><th scope='col'>Constraint</th></tr></thead><tbody><tr>"
        "<th scope='row'>Ann <bdi>Liaison Officer</bdi><p>Betweenness 3</p></th>"
        "<td title='Gatekeeper role'>1</td></tr></tbody></table>"
        "<dl><dt><dfn>Constraint</dfn></dt><dd>How closely knit their contacts are</dd></dl>"
        "<br><p>Liaison <abbr title='x'>GF</abbr></p>"
    )
    assert jargon(sentences(page)) == ["Betweenness 3", "Gatekeeper role", "Liaison"]


@pytest.fixture
def demo_map(db) -> Workspace:
    call_command("seed_demo", stdout=StringIO())
    workspace = Workspace.objects.get(slug=demo.DEMO_SLUG)
    # The seed queued a recompute for after a commit that never comes in a test.
    transaction.get_connection().run_on_commit.clear()
    score_runs.score_run_execute(workspace_id=workspace.pk)
    return workspace


@pytest.fixture
def reader(client, demo_map):
    user = UserFactory(username="plain-reader")
    MembershipFactory(user=user, workspace=demo_map, role=Role.VIEWER)
    client.force_login(user)
    return client


def page(client, name: str, workspace, pk: int | None = None, **query) -> str:
    kwargs = {"slug": workspace.slug} | ({"pk": pk} if pk is not None else {})
    response = client.get(reverse(f"stakeholders:{name}", kwargs=kwargs), query)
    assert response.status_code == 200, name
    return response.content.decode()


def people_to_read(workspace, boundary: str) -> list[int]:
    """The top brokers, the hidden influencers, someone without ties and the lowest."""
    scores = PersonScore.objects.filter(run__workspace=workspace, boundary=boundary)
    chosen = list(scores.order_by("-broker_score", "person_id")[:3])
    chosen += list(scores.filter(hidden_influencer=True)[:2])
    chosen += list(scores.filter(degree_in=0, degree_out=0)[:1])
    chosen += list(scores.filter(groups_reached=0, degree_out__gt=0)[:1])
    chosen += list(scores.order_by("broker_score", "person_id")[:1])
    return sorted({s.person_id for s in chosen})


def test_pages_speak_plainly(reader, demo_map):
    found = {}
    for boundary in Boundary.values:
        html = page(reader, "overview", demo_map, boundary=boundary)
        found[f"overview {boundary}"] = jargon(sentences(html))
        for sort in BROKER_SORTS:
            html = page(reader, "brokers", demo_map, boundary=boundary, sort=sort)
            found[f"brokers {boundary} by {sort}"] = jargon(sentences(html))
        people = people_to_read(demo_map, boundary)
        assert len(people) >= 4
        for pk in people:
            html = page(reader, "person_detail", demo_map, pk, boundary=boundary)
            found[f"person {pk} {boundary}"] = jargon(sentences(html))
            html = page(reader, "map_person", demo_map, pk, boundary=boundary)
            found[f"map panel {pk} {boundary}"] = jargon(sentences(html))
    assert {where: texts for where, texts in found.items() if texts} == {}


def test_every_stored_why_is_plain_and_names_groups(demo_map):
    whys = list(PersonScore.objects.filter(run__workspace=demo_map).values_list("why", flat=True))
    assert whys and jargon(whys) == []
    # Sentences say which organisations, sectors and tiers a person connects, by name.
    assert any(demo.COUNTY_COUNCIL in why for why in whys)
    assert any("the NHS" in why for why in whys)
    assert any("tier" in why for why in whys)


def csv_rows(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def body(response) -> bytes:
    assert response.status_code == 200
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_why_columns_of_the_brokers_exports_are_plain(reader, demo_map):
    brokers = reverse("stakeholders:export_csv", kwargs={"slug": demo_map.slug, "kind": "brokers"})
    pack = reverse("stakeholders:export_board_pack", kwargs={"slug": demo_map.slug})
    for boundary in Boundary.values:
        rows = csv_rows(body(reader.get(brokers, {"boundary": boundary})))
        assert len(rows) > 20
        assert jargon([r["Why"] for r in rows]) == [], boundary

        with zipfile.ZipFile(io.BytesIO(body(reader.get(pack, {"boundary": boundary})))) as z:
            names = [n for n in z.namelist() if "brokers" in n and n.endswith(".csv")]
            assert names
            rows = csv_rows(z.read(names[0]))
        assert len(rows) > 20
        assert jargon([r["Why"] for r in rows]) == [], boundary
