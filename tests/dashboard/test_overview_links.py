"""The overview's short lists each lead to the full list, keeping the page's query (issue #14)."""

import re
from html import unescape

import pytest
from django.db import transaction
from django.urls import reverse

from stakeholders import score_runs
from stakeholders.dashboard import reads
from tests.factories import AffiliationFactory, PersonFactory, RelationshipFactory


def url(name: str, workspace) -> str:
    return reverse(f"stakeholders:{name}", kwargs={"slug": workspace.slug})


def links(page: str) -> dict[str, str]:
    """Link text (tags dropped, spaces collapsed) -> href, for every link on the page."""
    found = {}
    for href, text in re.findall(r'<a [^>]*href="([^"]*)"[^>]*>(.*?)</a>', page, re.S):
        found[" ".join(re.sub(r"<[^>]+>", "", text).split())] = unescape(href)
    return found


@pytest.fixture
def pairs_on_one_person(workspace):
    """Ten pairs of organisations, each joined by one relationship: ten fragile partnerships."""
    for i in range(10):
        a = AffiliationFactory(person=PersonFactory(workspace=workspace, name=f"A{i}")).person
        b = AffiliationFactory(person=PersonFactory(workspace=workspace, name=f"B{i}")).person
        RelationshipFactory(source=a, target=b)
    transaction.get_connection().run_on_commit.clear()
    score_runs.score_run_execute(workspace_id=workspace.pk)


def test_fragile_partnerships_link_to_all_of_them_on_the_partnerships_page(
    client, workspace, viewer, pairs_on_one_person
):
    client.force_login(viewer)
    page = client.get(url("overview", workspace), {"boundary": "organisation"}).content.decode()
    assert "10 pairs of organisations are connected only through one person" in page
    assert page.count(" relationship, all through ") == reads.FRAGILE_SHOWN
    assert f"These are the {reads.FRAGILE_SHOWN} with the most relationships." in page
    href = links(page)["See all 10 partnerships that hang on one person"]
    assert href == (
        url("partnerships", workspace) + "?boundary=organisation&fragile=all#fragile-partnerships"
    )

    full = client.get(href.split("#")[0].replace("&amp;", "&")).content.decode()
    assert 'id="fragile-partnerships"' in full
    assert full.count(" all through ") >= 10


def test_the_partnerships_page_lists_every_fragile_pair_when_asked(
    client, workspace, viewer, pairs_on_one_person, monkeypatch
):
    monkeypatch.setattr(reads, "PAIR_LIST_MAX", 4)
    client.force_login(viewer)
    short = client.get(url("partnerships", workspace)).content.decode()
    assert short.count(" all through ") == 4
    assert "The 4 with the most relationships are listed." in short
    assert "List all 10</a>" in short and "fragile=all#fragile-partnerships" in short
    full = client.get(url("partnerships", workspace), {"fragile": "all"}).content.decode()
    assert full.count(" all through ") == 10 and "List all" not in full


def test_the_short_lists_link_to_the_brokers_page_keeping_the_boundary(
    client, workspace, viewer, pairs_on_one_person
):
    client.force_login(viewer)
    page = client.get(url("overview", workspace), {"boundary": "sector"}).content.decode()
    found = links(page)
    assert found["See everyone ranked as a broker: all 20 people"] == (
        url("brokers", workspace) + "?boundary=sector"
    )
    # Nobody stands out for influence here, and every other list is shown whole.
    assert "Nobody has influence far above their seniority" in page
    assert not [text for text in found if text.startswith("See all")]


def test_hidden_influencers_beyond_those_listed_are_counted_and_linked(
    client, workspace, viewer, monkeypatch
):
    # Two frontline staff whom three managers each trust: influence far above seniority.
    for hub in range(2):
        trusted = PersonFactory(workspace=workspace, name=f"Hub {hub}", seniority="frontline")
        AffiliationFactory(person=trusted)
        for _ in range(3):
            source = AffiliationFactory(person=PersonFactory(workspace=workspace)).person
            RelationshipFactory(source=source, target=trusted, kind="trusts")
    transaction.get_connection().run_on_commit.clear()
    score_runs.score_run_execute(workspace_id=workspace.pk)
    monkeypatch.setattr(reads, "HIDDEN_SHOWN", 1)  # a long list, without building one
    client.force_login(viewer)
    page = client.get(url("overview", workspace), {"boundary": "tier"}).content.decode()
    assert "has more influence than 85% of others on this map" in page
    assert "but is among the least senior on this map" in page
    href = links(page)["See all 2 hidden influencers among everyone ranked by influence"]
    assert href == url("brokers", workspace) + "?boundary=tier&sort=influence"
