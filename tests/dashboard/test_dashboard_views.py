"""The analysis pages: overview, brokers and the scores status line."""

import datetime

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from stakeholders import leases, score_runs
from stakeholders.models import RunStatus, ScoreRun
from tests.factories import (
    AffiliationFactory,
    OrganisationFactory,
    PersonFactory,
    RelationshipFactory,
)


def url(name: str, workspace, **query) -> str:
    path = reverse(f"stakeholders:{name}", kwargs={"slug": workspace.slug})
    if query:
        path += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return path


def build_map(workspace, people_per_org: int = 3) -> dict:
    """Hospital and council joined only through one broker; a carers group with no ties."""
    hospital = OrganisationFactory(workspace=workspace, name="Fenwick Hospitals")
    council = OrganisationFactory(
        workspace=workspace, name="Fenwick County Council", sector="local_government"
    )
    carers = OrganisationFactory(workspace=workspace, name="Fenwick Carers", sector="vcse")
    people = {}
    for org in (hospital, council, carers):
        for i in range(people_per_org):
            person = PersonFactory(workspace=workspace, name=f"{org.name} person {i}")
            AffiliationFactory(person=person, organisation=org)
            people.setdefault(org.name, []).append(person)
    broker = PersonFactory(workspace=workspace, name="Bridget Broker", job_title="Director")
    AffiliationFactory(person=broker, organisation=hospital)
    for org in ("Fenwick Hospitals", "Fenwick County Council"):
        members = people[org]
        for a, b in zip(members, members[1:], strict=False):
            RelationshipFactory(source=a, target=b)
        RelationshipFactory(source=broker, target=members[0], strength=5)
    transaction.get_connection().run_on_commit.clear()
    score_runs.score_run_execute(workspace_id=workspace.pk)
    return {"broker": broker, "people": people}


@pytest.mark.parametrize("name", ["overview", "brokers", "scores_status"])
def test_analysis_pages_need_membership(client, workspace, outsider, viewer, name):
    assert client.get(url(name, workspace)).status_code == 302
    client.force_login(outsider)
    assert client.get(url(name, workspace)).status_code == 404
    client.force_login(viewer)
    assert client.get(url(name, workspace)).status_code == 200


@pytest.mark.parametrize("name", ["overview", "brokers"])
def test_without_scores_the_page_says_so(client, workspace, viewer, name):
    client.force_login(viewer)
    response = client.get(url(name, workspace))
    assert "There are no scores for this workspace yet" in response.content.decode()


def test_overview_leads_with_brokers_fragile_partnerships_and_untied_organisations(
    client, workspace, viewer
):
    build_map(workspace)
    client.force_login(viewer)
    page = client.get(url("overview", workspace)).content.decode()
    assert "Scores as of" in page
    assert page.index("Bridget Broker") < page.index("Hidden influencers")
    fragile = page.split("Partnerships that hang on one person")[1].split("<h2")[0]
    assert "1 pair of organisations is connected only through one person" in fragile
    assert "<bdi>Fenwick County Council</bdi>" in fragile
    assert "<bdi>Fenwick Hospitals</bdi>" in fragile
    assert "<bdi>Bridget Broker</bdi>" in fragile.split("all through")[1]
    untied = page.split("Organisations with no relationships")[1]
    assert "Fenwick Carers" in untied and "Fenwick Hospitals" not in untied


def test_overview_by_sector(client, workspace, viewer):
    build_map(workspace)
    client.force_login(viewer)
    page = client.get(url("overview", workspace, boundary="sector")).content.decode()
    assert "Who brokers across sectors" in page
    assert "<bdi>Local government</bdi> and <bdi>NHS</bdi>" in page


@pytest.mark.parametrize(
    ("name", "query"),
    [("overview", {"boundary": "postcode"}), ("brokers", {"sort": "height"})],
)
def test_bad_parameters_get_a_clear_400(client, workspace, viewer, name, query):
    client.force_login(viewer)
    response = client.get(url(name, workspace, **query))
    assert response.status_code == 400
    assert "Something in the address is not right" in response.content.decode()


def test_brokers_ranked_sorted_and_filtered(client, workspace, viewer):
    m = build_map(workspace)
    client.force_login(viewer)
    page = client.get(url("brokers", workspace)).content.decode()
    first_row = page.split('<tbody class="nhsuk-table__body">')[1].split("</tr>")[0]
    assert "Bridget Broker" in first_row and ">1<" in first_row
    assert "Why" not in first_row or "Broker score" in first_row

    council = m["people"]["Fenwick County Council"][0].affiliations.get().organisation
    filtered = client.get(url("brokers", workspace, group=council.pk)).content.decode()
    assert "Fenwick County Council person 0" in filtered
    assert "Bridget Broker" not in filtered

    by_influence = client.get(url("brokers", workspace, sort="influence")).content.decode()
    assert "sorted by influence" in by_influence


def test_brokers_htmx_swaps_only_the_table(client, workspace, viewer):
    build_map(workspace)
    client.force_login(viewer)
    headers = {"HX-Request": "true", "HX-Target": "broker-table"}
    partial = client.get(url("brokers", workspace, sort="reach"), headers=headers)
    body = partial.content.decode()
    assert "<html" not in body and 'id="broker-table"' in body
    # The analysis region reloading after a recompute gets the whole page.
    region = client.get(url("brokers", workspace), headers={**headers, "HX-Target": "analysis"})
    assert "<html" in region.content.decode()


def test_brokers_paginate(client, workspace, viewer):
    build_map(workspace, people_per_org=10)
    client.force_login(viewer)
    first = client.get(url("brokers", workspace)).content.decode()
    second = client.get(url("brokers", workspace, page=2)).content.decode()
    assert "31 people, 1 to 25 shown" in first
    assert "31 people, 26 to 31 shown" in second
    assert 'rel="next"' in first and 'rel="prev"' in second


@pytest.mark.parametrize("people_per_org", [2, 12])
def test_query_counts_do_not_grow_with_the_map(
    client, workspace, viewer, django_assert_num_queries, people_per_org
):
    build_map(workspace, people_per_org=people_per_org)
    client.force_login(viewer)
    # session + user, membership, score status, completeness, then the page's own reads
    with django_assert_num_queries(13):
        client.get(url("overview", workspace))
    with django_assert_num_queries(8):
        client.get(url("brokers", workspace))


def test_status_polls_while_a_recompute_runs_and_fires_an_update_when_done(
    client, workspace, viewer
):
    build_map(workspace)
    client.force_login(viewer)
    running = ScoreRun.objects.create(
        workspace=workspace,
        options_key=score_runs.options_key(score_runs.DEFAULT_OPTIONS),
        options={},
        fingerprint="x",
        status=RunStatus.RUNNING,
    )
    with leases.hold_lease(running.pk):  # what a live worker holds while it computes
        page = client.get(url("overview", workspace)).content.decode()
        assert "Updating scores with the latest changes" in page
        assert 'hx-trigger="every 3s"' in page

        still = client.get(url("scores_status", workspace, waiting=1))
        assert "HX-Trigger" not in still

    running.status = RunStatus.SUCCEEDED
    running.save()
    done = client.get(url("scores_status", workspace, waiting=1))
    assert done["HX-Trigger"] == "scores-updated"
    assert "every 3s" not in done.content.decode()


def test_a_run_whose_worker_died_is_reported_failed_not_updating(client, workspace, viewer):
    build_map(workspace)
    ScoreRun.objects.create(
        workspace=workspace,
        options_key=score_runs.options_key(score_runs.DEFAULT_OPTIONS),
        options={},
        fingerprint="x",
        status=RunStatus.RUNNING,
    )
    client.force_login(viewer)
    page = client.get(url("overview", workspace)).content.decode()
    assert "Updating scores with the latest changes" not in page
    assert "every 3s" not in page
    assert "The latest recalculation failed" in page
    assert "Bridget Broker" in page


def test_a_failed_recompute_is_reported_and_old_scores_stay(client, workspace, viewer):
    build_map(workspace)
    ScoreRun.objects.create(
        workspace=workspace,
        options_key=score_runs.options_key(score_runs.DEFAULT_OPTIONS),
        options={},
        fingerprint="y",
        status=RunStatus.FAILED,
        error="MemoryError",
    )
    client.force_login(viewer)
    page = client.get(url("overview", workspace)).content.decode()
    assert "The latest recalculation failed" in page
    assert "Bridget Broker" in page
    assert "MemoryError" not in page


def test_a_run_killed_long_ago_does_not_mean_updating(client, workspace, viewer):
    build_map(workspace)
    stale = ScoreRun.objects.create(
        workspace=workspace,
        options_key=score_runs.options_key(score_runs.DEFAULT_OPTIONS),
        options={},
        fingerprint="z",
        status=RunStatus.RUNNING,
    )
    ScoreRun.objects.filter(pk=stale.pk).update(
        created_at=timezone.now() - datetime.timedelta(hours=2)
    )
    client.force_login(viewer)
    assert "Updating scores" not in client.get(url("overview", workspace)).content.decode()


def test_hostile_names_are_escaped(client, workspace, viewer):
    m = build_map(workspace)
    m["broker"].name = "<script>alert(1)</script>"
    m["broker"].save()
    transaction.get_connection().run_on_commit.clear()
    score_runs.score_run_execute(workspace_id=workspace.pk)
    client.force_login(viewer)
    for name in ("overview", "brokers"):
        body = client.get(url(name, workspace)).content.decode()
        assert "<script>alert(1)</script>" not in body
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
