"""The key people page and its CSV (download and export_csv), through their URLs."""

import csv
import io
import re
import zipfile

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.urls import reverse

from stakeholders import score_runs
from stakeholders.exports import tables
from stakeholders.models import Person, PersonScore, RunStatus, ScoreRun
from stakeholders.scenarios import leaves
from tests.factories import (
    AffiliationFactory,
    OrganisationFactory,
    PersonFactory,
    RelationshipFactory,
)
from tests.scenarios.test_whatif_compute import build_leavers_map

pytestmark = pytest.mark.django_db

KEY_PEOPLE_HEADER = [
    "Rank",
    "Ref",
    "Name",
    "Organisation",
    "Fragmentation if they leave",
    "Fragmentation increase",
    "Distance-weighted fragmentation if they leave",
    "Distance-weighted fragmentation increase",
    "Group pairs disconnected if they leave",
    "Group pairs losing short routes if they leave",
    "Number of group pairs disconnected",
    "Number of group pairs losing short routes",
]


def url(workspace, name="scenario_key_people", **query) -> str:
    path = reverse(f"stakeholders:{name}", kwargs={"slug": workspace.slug})
    return path + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def export_url(workspace, kind="key-people", **query) -> str:
    path = reverse("stakeholders:export_csv", kwargs={"slug": workspace.slug, "kind": kind})
    return path + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def plain(html: str) -> str:
    """The page's words, tags dropped and spaces collapsed, for reading sentences."""
    words = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    return re.sub(r" ([.,;:)])", r"\1", words)


def rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))


@pytest.fixture
def leavers_map(workspace):
    return build_leavers_map(workspace)


def test_key_people_needs_membership(client, leavers_map, outsider, viewer, editor):
    target = url(leavers_map.workspace)
    response = client.get(target)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    client.force_login(outsider)
    assert client.get(target).status_code == 404
    assert client.get(export_url(leavers_map.workspace)).status_code == 404
    for member in (viewer, editor):
        client.force_login(member)
        assert client.get(target).status_code == 200
        assert client.get(export_url(leavers_map.workspace)).status_code == 200


def test_people_are_ranked_by_the_damage_their_leaving_would_do(client, leavers_map, viewer):
    m = leavers_map
    client.force_login(viewer)
    page = plain(client.get(url(m.workspace)).content.decode())
    assert "Key people: who the map hangs on" in page
    table = page.split("most damaging to lose first")[1]
    first_row = table.split(" 2 ")[0]
    assert first_row.startswith(
        " Rank Person What their leaving would mean Links between organisations that would "
    )
    assert "1 Kieran Leach Director of Partnerships, Fenwick Hospitals What if they leave?" in (
        first_row
    )
    assert (
        "3 pairs of organisations would lose their last connection (all with Fenwick Hospitals), "
        "1 more pair would lose its "
        "last short route and the map would split, leaving some people with no chain of "
        "relationships to the rest." in page
    )
    assert "Last connection: Fenwick Hospitals and Fenwick Carers" in page
    assert "Last short route: Fenwick County Council and Marsh Vale District Council" in page
    # The technical figures, in their own columns.
    score = PersonScore.objects.get(run=m.run, person=m.kieran, boundary="organisation")
    before = m.run.key_people["fragmentation"]
    assert (
        f"{score.fragmentation_if_leaves:.4f} (+{score.fragmentation_if_leaves - before:.4f})"
        in (page)
    )
    links = f'href="/w/{m.workspace.slug}/scenarios/leaves/?person={m.kieran.pk}&amp;boundary='
    assert links + 'organisation"' in client.get(url(m.workspace)).content.decode()


def test_the_most_damaging_sets_say_how_they_were_found(client, leavers_map, viewer):
    m = leavers_map
    client.force_login(viewer)
    page = plain(client.get(url(m.workspace)).content.decode())
    assert "The groups of people it would hurt most to lose together" in page
    sets = m.run.key_people["sets"]
    assert [s["size"] for s in sets] == [2, 3, 5]
    for s in sets:
        assert f"What if these {s['size']} leave?" in page
    # 14 people: every group of 2, 3 and 5 can be checked.
    assert page.count("Exact: every possible group of") == 3
    m.run.key_people = {
        **m.run.key_people,
        "sets": [{**sets[0], "method": "greedy with swaps"}],
    }
    m.run.save(update_fields=["key_people"])
    page = plain(client.get(url(m.workspace)).content.decode())
    assert "Searched: picked one at a time, then improved by swapping" in page
    names = sorted(
        p.name for p in m.people.values() if p.pk in sets[0]["people"]
    )  # the set is named
    assert f"2 people: {names[0]} and {names[1]}" in page


def test_the_boundary_switch_names_that_boundarys_pairs(client, leavers_map, viewer):
    m = leavers_map
    client.force_login(viewer)
    page = plain(client.get(url(m.workspace, boundary="sector")).content.decode())
    assert "pairs of sectors would lose their last connection" in page
    assert "NHS and Voluntary and community sector (VCSE)" in page
    assert client.get(url(m.workspace, boundary="galaxy")).status_code == 400


def test_key_people_are_paginated(client, workspace, viewer, monkeypatch):
    m = build_leavers_map(workspace)
    monkeypatch.setattr(leaves, "KEY_PEOPLE_PER_PAGE", 5)
    client.force_login(viewer)
    first = plain(client.get(url(m.workspace)).content.decode())
    assert "14 people, 1 to 5 shown" in first
    second = client.get(url(m.workspace, page=2), headers={"HX-Request": "true"})
    body = second.content.decode()
    assert '<div id="key-people-table">' in body and "<h1>" not in body
    assert "14 people, 6 to 10 shown" in plain(body)
    # A page past the end shows the last one, never an error.
    assert "11 to 14 shown" in plain(client.get(url(m.workspace, page=99)).content.decode())


def test_without_scores_the_page_says_so(client, workspace, viewer):
    client.force_login(viewer)
    page = client.get(url(workspace)).content.decode()
    assert "There are no scores for this workspace yet" in page


def test_scores_from_before_key_people_say_they_are_being_updated(
    client, leavers_map, viewer, django_capture_on_commit_callbacks
):
    m = leavers_map
    # As a run from before key people: an older analysis, so a recompute changes it.
    ScoreRun.objects.filter(pk=m.run.pk).update(key_people={}, fingerprint="0" * 64)
    client.force_login(viewer)
    with django_capture_on_commit_callbacks() as queued:
        response = client.get(url(m.workspace))
    page = plain(response.content.decode())
    assert "The scores are being updated." in page
    assert "This page fills in by itself" in page
    # A recompute is queued, and the region looks again until it is done.
    assert len(queued) == 1
    assert "every 5s" in response.content.decode()
    # The queued recompute brings key people (the analysis version changed).
    for callback in queued:
        callback()
    newer = ScoreRun.objects.filter(workspace=m.workspace, status=RunStatus.SUCCEEDED).get()
    assert newer.key_people
    page = plain(client.get(url(m.workspace)).content.decode())
    assert "most damaging to lose first" in page


def test_a_failed_recompute_is_not_queued_again_from_the_page(
    client, leavers_map, viewer, django_capture_on_commit_callbacks
):
    m = leavers_map
    ScoreRun.objects.filter(pk=m.run.pk).update(key_people={})
    ScoreRun.objects.create(
        workspace=m.workspace,
        options_key=m.run.options_key,
        options=m.run.options,
        fingerprint="0" * 64,
        status=RunStatus.FAILED,
        error="ValueError: broken",
    )
    client.force_login(viewer)
    with django_capture_on_commit_callbacks() as queued:
        page = plain(client.get(url(m.workspace)).content.decode())
    assert not queued
    assert "The latest recalculation failed" in page


@pytest.mark.parametrize("people_per_org", [2, 12])
def test_query_counts_do_not_grow_with_the_map(
    client, workspace, viewer, django_assert_num_queries, people_per_org
):
    orgs = [OrganisationFactory(workspace=workspace, name=f"Organisation {i}") for i in range(4)]
    people = []
    for org in orgs:
        for i in range(people_per_org):
            person = PersonFactory(workspace=workspace, name=f"{org.name} person {i}")
            AffiliationFactory(person=person, organisation=org)
            people.append(person)
    for a, b in zip(people, people[1:], strict=False):
        RelationshipFactory(source=a, target=b)
    transaction.get_connection().run_on_commit.clear()
    score_runs.score_run_execute(workspace_id=workspace.pk)
    client.force_login(viewer)
    # session + user, membership, score status, completeness, then labels, count, page,
    # set names
    with django_assert_num_queries(9):
        client.get(url(workspace))
    # Sector and tier labels need no query.
    with django_assert_num_queries(8):
        client.get(url(workspace, boundary="sector", page=2))
    # The download: session + user, membership, current run, then labels and rows.
    with django_assert_num_queries(6):
        rows(client.get(export_url(workspace)))


# --- CSV -------------------------------------------------------------------------


def test_the_download_has_a_row_per_person_at_full_precision(client, leavers_map, viewer):
    m = leavers_map
    client.force_login(viewer)
    response = client.get(export_url(m.workspace))
    assert response["Content-Disposition"].startswith(
        f'attachment; filename="{m.workspace.slug}-key-people-'
    )
    table = rows(response)
    assert table[0] == KEY_PEOPLE_HEADER
    assert len(table) == 1 + len(m.people)
    assert [r[0] for r in table[1:]] == [str(i) for i in range(1, len(m.people) + 1)]
    kieran = next(r for r in table if r[2] == "Kieran Leach")
    score = PersonScore.objects.get(run=m.run, person=m.kieran, boundary="organisation")
    before = m.run.key_people["fragmentation"]
    assert kieran[1] == "LM-KIERAN"
    assert kieran[3] == "Fenwick Hospitals"
    assert kieran[4] == repr(score.fragmentation_if_leaves)
    assert kieran[5] == repr(score.fragmentation_if_leaves - before)
    assert kieran[6] == repr(score.distance_fragmentation_if_leaves)
    assert kieran[8] == (
        "Fenwick Hospitals / Fenwick Carers; Fenwick Hospitals / Fenwick County Council; "
        "Fenwick Hospitals / Marsh Vale District Council"
    )
    assert kieran[9] == "Fenwick County Council / Marsh Vale District Council"
    assert kieran[10:12] == ["3", "1"]
    # The same order as the page.
    assert table[1][2] == "Kieran Leach"
    nat = next(r for r in table if r[2] == "Nat Nowhere")
    assert nat[3] == ""  # no organisation


def test_the_notes_explain_every_column_and_give_the_figures_now(client, leavers_map, viewer):
    m = leavers_map
    client.force_login(viewer)
    path = reverse(
        "stakeholders:export_notes", kwargs={"slug": m.workspace.slug, "kind": "key-people"}
    )
    notes = rows(client.get(path))
    assert [r[1] for r in notes if r[0] == "Column"] == KEY_PEOPLE_HEADER
    about = {r[1]: r[2] for r in notes if r[0] == "About"}
    assert about["Key people"] == (
        f"Fragmentation now {m.run.key_people['fragmentation']!r}; distance-weighted "
        f"fragmentation now {m.run.key_people['distance_fragmentation']!r}"
    )
    # The page's table of the groups most damaging to lose together, one note a size.
    sets = {r[1]: r[2] for r in notes if r[0] == "Key sets"}
    stored = m.run.key_people["sets"]
    assert list(sets) == [f"{s['size']} people" for s in sorted(stored, key=lambda s: s["size"])]
    page = client.get(
        reverse("stakeholders:scenario_key_people", kwargs={"slug": m.workspace.slug})
    )
    for s in stored:
        note = sets[f"{s['size']} people"]
        for person in Person.objects.filter(pk__in=s["people"]):
            assert f"{person.name} ({person.ref})" in note
            assert person.name in page.content.decode()
        assert f"Fragmentation if they all leave {s['fragmentation']!r}" in note
        assert note.endswith("every group of that size was checked")  # a small map: exact


def test_export_csv_writes_key_people_for_a_boundary(leavers_map):
    m = leavers_map
    out = io.StringIO()
    call_command(
        "export_csv",
        "key-people",
        "--workspace",
        m.workspace.slug,
        "--boundary",
        "tier",
        stdout=out,
    )
    table = list(csv.reader(io.StringIO(out.getvalue().lstrip("\ufeff"))))
    assert table[0] == KEY_PEOPLE_HEADER
    assert len(table) == 1 + len(m.people)
    kieran = next(r for r in table if r[2] == "Kieran Leach")
    assert kieran[8] == "System / Neighbourhood; System / Place"
    assert list(tables.header("key-people")) == KEY_PEOPLE_HEADER


def test_export_csv_refuses_key_people_from_old_scores(leavers_map):
    m = leavers_map
    ScoreRun.objects.filter(pk=m.run.pk).update(key_people={})
    with pytest.raises(CommandError, match="from before key people"):
        call_command("export_csv", "key-people", "--workspace", m.workspace.slug)


def test_export_csv_refuses_key_people_without_scores(workspace):
    with pytest.raises(CommandError, match="has no scores yet"):
        call_command("export_csv", "key-people", "--workspace", workspace.slug)


def test_the_download_of_old_scores_is_the_header_and_the_notes_say_why(
    client, leavers_map, viewer
):
    m = leavers_map
    ScoreRun.objects.filter(pk=m.run.pk).update(key_people={})
    client.force_login(viewer)
    assert rows(client.get(export_url(m.workspace))) == [KEY_PEOPLE_HEADER]
    path = reverse(
        "stakeholders:export_notes", kwargs={"slug": m.workspace.slug, "kind": "key-people"}
    )
    about = {r[1]: r[2] for r in rows(client.get(path)) if r[0] == "About"}
    assert about["Key people"].startswith("Not worked out for these scores yet")


def test_the_board_pack_carries_key_people(client, leavers_map, viewer, monkeypatch):
    from stakeholders.exports import board_pack

    m = leavers_map
    monkeypatch.setattr(board_pack, "render_map_svg", lambda **kwargs: None)
    client.force_login(viewer)
    path = reverse("stakeholders:export_board_pack", kwargs={"slug": m.workspace.slug})
    response = client.get(path, {"boundary": "sector"})
    pack = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert "key-people.csv" in pack.namelist()
    table = list(csv.reader(io.StringIO(pack.read("key-people.csv").decode("utf-8-sig"))))
    assert table[0] == KEY_PEOPLE_HEADER
    assert len(table) == 1 + len(m.people)
    assert table[1][2] == "Kieran Leach"
    assert "NHS / Voluntary and community sector (VCSE)" in table[1][8]  # the boundary chosen
    notes = list(csv.reader(io.StringIO(pack.read("notes.csv").decode("utf-8-sig"))))
    assert [r[1] for r in notes if r[0] == "key-people.csv"] == KEY_PEOPLE_HEADER
    about = {r[1]: r[2] for r in notes if r[0] == "About"}
    assert "key-people.csv" in about["Export"]
    assert about["Key people"].startswith("Fragmentation now ")
    # The groups most damaging to lose together, as the page leads with and the
    # key-people notes give them.
    sets = {r[1]: r[2] for r in notes if r[0] == "Key sets"}
    stored = sorted(m.run.key_people["sets"], key=lambda s: s["size"])
    assert stored and list(sets) == [f"{s['size']} people" for s in stored]
    assert all("Fragmentation if they all leave" in note for note in sets.values())


def test_a_list_of_pairs_too_long_for_a_spreadsheet_cell_is_cut_and_counted(
    client, leavers_map, viewer, monkeypatch
):
    m = leavers_map
    monkeypatch.setattr(tables, "CELL_LIMIT", 60)
    client.force_login(viewer)
    kieran = next(r for r in rows(client.get(export_url(m.workspace))) if r[2] == "Kieran Leach")
    assert kieran[8] == "Fenwick Hospitals / Fenwick Carers; and 2 more"
    assert kieran[10] == "3"


def test_long_lists_of_pairs_open_in_place_then_lead_to_the_what_if_page(
    client, leavers_map, viewer, monkeypatch
):
    m = leavers_map
    monkeypatch.setattr(leaves, "PAIRS_SHOWN", 1)
    monkeypatch.setattr(leaves, "PAIRS_LISTED", 2)
    client.force_login(viewer)
    html = client.get(url(m.workspace)).content.decode()
    row = plain(html.split("most damaging to lose first")[1].split("</tr>")[1])
    assert "Last connection: Fenwick Hospitals and Fenwick Carers 2 more" in row
    assert "Fenwick Hospitals and Fenwick County Council and 1 more: see them all" in row
    link = f'href="{url(m.workspace, "scenario_leaves")}?person={m.kieran.pk}&amp;boundary='
    assert html.count(link) >= 2


@pytest.mark.parametrize(
    ("pairs", "said"),
    [
        ([("A", "B"), ("A", "C"), ("A", "D")], "all with A"),
        ([("A", "B"), ("A", "C"), ("B", "C"), ("A", "D")], "most with A"),
        # Two groups in equally many pairs, more than half: both are named.
        ([("A", "B"), ("A", "C"), ("B", "D")], "most with A and B"),
        ([("A", "B"), ("C", "D"), ("E", "F")], ""),
    ],
)
def test_lost_links_gather_around_every_group_in_most_of_them(pairs, said):
    assert leaves.gathered_around(pairs) == said


def test_leaving_that_breaks_nothing_says_nothing_about_single_chains():
    # Distance-weighted fragmentation is over the people who stay, so a rise or a fall
    # says nothing about any one chain of introductions: the sentence says so.
    common = {"disconnected": 0, "short_routes": 0, "split": "", "groups": "organisations"}
    assert leaves.leaving_means(**common, lengthens=False) == (
        "Little effect: no link between organisations would break, and the map would be no "
        "less closely knit (its distance-weighted fragmentation would not rise)."
    )
    assert leaves.leaving_means(**common, lengthens=True) == (
        "No link between organisations would break, but the map would be less closely knit "
        "(its distance-weighted fragmentation would rise)."
    )
    assert "chain" not in leaves.leaving_means(**common, lengthens=True, emptied=2)
