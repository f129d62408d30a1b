"""The what-if page, its picker and its CSV, through their URLs."""

import csv
import datetime
import io
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from stakeholders.models import Role, RunStatus, WhatIf
from stakeholders.scenarios import leaves, whatif_compute
from tests.factories import (
    AffiliationFactory,
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
    RelationshipFactory,
    UserFactory,
    WorkspaceFactory,
)
from tests.scenarios.test_whatif_compute import build_leavers_map

WHATIF_HEADER = [
    "Table", "Boundary", "Group A", "Group B", "Ref", "Name", "Organisation", "Measure",
    "Before", "After", "Change", "With ref", "With name", "With organisation", "Note",
]  # fmt: skip


def url(workspace, name="scenario_leaves", query: str = "") -> str:
    path = reverse(f"stakeholders:{name}", kwargs={"slug": workspace.slug})
    return f"{path}?{query}" if query else path


def plain(html: str) -> str:
    """The page's words, tags dropped and spaces collapsed, for reading sentences."""
    words = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    return re.sub(r" ([.,;:)])", r"\1", words)


def rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))


def answered(whatif_id: int) -> None:
    """What the worker does for a queued question."""
    assert whatif_compute.whatif_execute(whatif_id=whatif_id) == RunStatus.SUCCEEDED


@pytest.fixture
def leavers_map(workspace):
    return build_leavers_map(workspace)


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["scenario_leaves", "scenario_leaves_csv"])
def test_what_if_pages_need_membership(client, leavers_map, outsider, viewer, editor, name):
    m = leavers_map
    target = url(m.workspace, name, f"person={m.kieran.pk}")
    response = client.get(target)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    client.force_login(outsider)
    assert client.get(target).status_code == 404
    assert not WhatIf.objects.exists()  # nothing is asked for an outsider
    answered(leaves.whatif_ask(workspace=m.workspace, run=m.run, people=(m.kieran.pk,)).pk)
    for member in (viewer, editor):
        client.force_login(member)
        assert client.get(target).status_code == 200


@pytest.mark.django_db
def test_the_picker_without_anyone_chosen_asks_who_leaves(client, leavers_map, viewer):
    client.force_login(viewer)
    page = plain(client.get(url(leavers_map.workspace)).content.decode())
    assert "Who leaves?" in page
    assert "Find the people or organisation" in page
    assert "(up to 50 people by name, and up to 10 organisations with everyone working there)" in (
        page
    )
    assert "If " not in page.split("Show what happens if they leave")[1]
    assert not WhatIf.objects.exists()


@pytest.mark.django_db
def test_a_new_question_shows_progress_and_polls(
    client, leavers_map, viewer, django_capture_on_commit_callbacks
):
    m = leavers_map
    client.force_login(viewer)
    target = url(m.workspace, query=f"person={m.kieran.pk}")
    with django_capture_on_commit_callbacks() as queued:
        response = client.get(target)
    html = response.content.decode()
    assert "Working this out." in plain(html)
    assert f'hx-get="{target}" hx-trigger="every 2s"' in html.replace("&amp;", "&")
    assert len(queued) == 1  # the worker is asked once
    whatif = WhatIf.objects.get()
    assert whatif.status == RunStatus.QUEUED
    assert whatif.people == [m.kieran.pk]
    assert whatif.run == m.run

    assert "taking longer than usual" not in html
    # Not started two minutes on (a busy or stopped worker): the page says so, and when
    # the question is asked again.
    WhatIf.objects.filter(pk=whatif.pk).update(
        created_at=timezone.now() - leaves.WHATIF_SLOW_AFTER - datetime.timedelta(seconds=1)
    )
    late = plain(client.get(target).content.decode())
    assert "Working this out. " in late
    assert "This is taking longer than usual. The background worker may be busy or stopped. " in (
        late
    )
    assert "If there is still no answer 10 minutes after it was asked, the question is asked " in (
        late
    )

    # While it is worked out the region polls itself as a partial; then the answer.
    poll = client.get(target, headers={"HX-Request": "true", "HX-Target": "whatif-result"})
    assert poll.content.decode().lstrip().startswith('<div id="whatif-result" hx-get=')
    answered(whatif.pk)
    poll = client.get(target, headers={"HX-Request": "true", "HX-Target": "whatif-result"})
    body = poll.content.decode()
    assert body.lstrip().startswith('<div id="whatif-result">')  # no polling any more
    assert "3 pairs of organisations would lose their last connection" in plain(body)
    assert "<h1>" not in body


@pytest.mark.django_db
def test_the_answer_before_and_after(client, leavers_map, viewer):
    m = leavers_map
    answered(leaves.whatif_ask(workspace=m.workspace, run=m.run, people=(m.kieran.pk,)).pk)
    client.force_login(viewer)
    page = plain(client.get(url(m.workspace, query=f"person={m.kieran.pk}")).content.decode())
    assert "If Kieran Leach left" in page
    assert (
        "3 pairs of organisations would lose their last connection (all with Fenwick Hospitals), "
        "1 more pair would lose its "
        "last short route and the map would split into 3 separate parts instead of 2." in page
    )
    before_after = page.split("The whole map now and if they leave")[1].split("Links between")[0]
    assert "Separate parts of the map" in before_after and " 2 3 +1 " in before_after
    assert "People in the map Everyone in the map, before and after they leave. 14 13 -1" in (
        before_after
    )
    # Links that break, each with who could step in and why.
    assert "Fenwick Hospitals and Fenwick County Council Last connection" in page
    assert "Fenwick County Council and Marsh Vale District Council Last short route" in page
    assert (
        "Introduce Hana Hill and Cora Cole: mends 3 of the 4 broken links. Hana Hill already "
        "works with Kieran Leach and is at Fenwick Hospitals; Cora Cole already works with "
        "Kieran Leach and is at Fenwick County Council." in page
    )
    assert "The introduction that would mend most" in page
    assert (
        "4 links between organisations would break: 3 would lose their last connection and 1 "
        "its last short route. Most affected: Fenwick Hospitals, in 3 of the broken links" in page
    )
    # Partnership health, and whose broker score rises.
    assert "Fenwick Hospitals and Fenwick County Council No relationships left 1 → 0 2 → 0" in page
    # "Hangs on one person" beside several people carrying a partnership is explained.
    assert "one person, on either side, is part of every direct relationship between them" in (page)
    assert "Broker scores (0 to 100) that would rise most" in page


@pytest.mark.django_db
def test_the_boundary_switch_keeps_the_question(client, leavers_map, viewer):
    m = leavers_map
    answered(leaves.whatif_ask(workspace=m.workspace, run=m.run, people=(m.kieran.pk,)).pk)
    client.force_login(viewer)
    html = client.get(url(m.workspace, query=f"person={m.kieran.pk}")).content.decode()
    assert f'href="?boundary=tier&amp;person={m.kieran.pk}"' in html
    page = plain(
        client.get(url(m.workspace, query=f"person={m.kieran.pk}&boundary=tier")).content.decode()
    )
    assert "pairs of tiers would lose their last connection" in page
    assert "System and Neighbourhood" in page
    assert WhatIf.objects.count() == 1  # the same answer, read for another boundary


@pytest.mark.django_db
def test_everyone_in_an_organisation_leaves_with_it(client, leavers_map, viewer):
    m = leavers_map
    former = PersonFactory(workspace=m.workspace, name="Fay Former")
    AffiliationFactory(
        person=former,
        organisation=m.council,
        is_primary=False,
        end_date="2020-01-01",
    )
    client.force_login(viewer)
    target = url(m.workspace, query=f"organisation={m.council.pk}")
    page = plain(client.get(target).content.decode())
    assert "If everyone at Fenwick County Council left" in page
    assert "The 3 people who leave" in page
    whatif = WhatIf.objects.get()
    assert whatif.people == sorted([m.cora.pk, m.colin.pk, m.cath.pk])  # not Fay: her role ended
    answered(whatif.pk)
    page = plain(client.get(target).content.decode())
    assert "Everyone at Fenwick County Council (3 people now)" in page
    # Nobody is cut off (no one is left at the council), but its partnerships end: the
    # answer says so instead of "Little effect".
    assert "Little effect" not in page
    assert "would have no relationships left between them" in page


@pytest.mark.django_db
def test_an_organisation_with_nobody_now_asks_nothing(client, leavers_map, viewer):
    m = leavers_map
    empty = OrganisationFactory(workspace=m.workspace, name="Empty Trust")
    client.force_login(viewer)
    page = plain(client.get(url(m.workspace, query=f"organisation={empty.pk}")).content.decode())
    assert "Nobody is at the organisation chosen now" in page
    assert not WhatIf.objects.exists()


@pytest.mark.django_db
def test_a_failed_answer_says_so(client, leavers_map, viewer):
    m = leavers_map
    whatif = leaves.whatif_ask(workspace=m.workspace, run=m.run, people=(m.kieran.pk,))
    WhatIf.objects.filter(pk=whatif.pk).update(status=RunStatus.FAILED, error="ValueError: x")
    client.force_login(viewer)
    html = client.get(url(m.workspace, query=f"person={m.kieran.pk}")).content.decode()
    assert "This could not be worked out" in html
    assert "ValueError" not in html
    assert 'hx-trigger="every 2s"' not in html


@pytest.mark.django_db
def test_without_scores_the_page_says_so(client, workspace, viewer):
    m = build_leavers_map(workspace, score=False)
    client.force_login(viewer)
    page = plain(client.get(url(m.workspace, query=f"person={m.kieran.pk}")).content.decode())
    assert "There are no scores for this workspace yet" in page
    assert not WhatIf.objects.exists()
    response = client.get(url(m.workspace, "scenario_leaves_csv", f"person={m.kieran.pk}"))
    assert response.status_code == 409


BAD_QUESTIONS = {
    "person=abc": "is not a record number",
    "person=-4": "is not a record number",
    "person=1e3": "is not a record number",
    "person=99999999999999999999999": "is not a record number",
    "organisation=x": "is not a record number",
    "person=999999": "person: record 999999 is not someone in this workspace",
    "organisation=999999": "organisation: record 999999 is not an organisation in this workspace",
    "boundary=galaxy": "Choose the boundary organisation, sector or tier",
}


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["scenario_leaves", "scenario_leaves_csv"])
@pytest.mark.parametrize("query", BAD_QUESTIONS)
def test_bad_questions_are_refused_with_400(client, leavers_map, viewer, name, query):
    client.force_login(viewer)
    response = client.get(url(leavers_map.workspace, name, query))
    assert response.status_code == 400
    assert BAD_QUESTIONS[query] in plain(response.content.decode())


@pytest.mark.django_db
def test_another_workspaces_people_and_organisations_are_refused(client, leavers_map, viewer):
    other = WorkspaceFactory(slug="elsewhere")
    stranger = PersonFactory(workspace=other, name="Stranger Danger")
    org = OrganisationFactory(workspace=other, name="Elsewhere Trust")
    client.force_login(viewer)
    m = leavers_map
    for query in (
        f"person={stranger.pk}",
        f"person={m.kieran.pk}&person={stranger.pk}",
        f"organisation={org.pk}",
    ):
        for name in ("scenario_leaves", "scenario_leaves_csv"):
            response = client.get(url(m.workspace, name, query))
            assert response.status_code == 400, query
            assert "Stranger Danger" not in response.content.decode()
            assert "Elsewhere Trust" not in response.content.decode()
    assert not WhatIf.objects.exists()


@pytest.mark.django_db
def test_too_many_people_or_organisations_are_refused(client, leavers_map, viewer):
    m = leavers_map
    many = [PersonFactory(workspace=m.workspace).pk for _ in range(leaves.MAX_PEOPLE + 1)]
    client.force_login(viewer)
    response = client.get(url(m.workspace, query="&".join(f"person={pk}" for pk in many)))
    assert response.status_code == 400
    assert "Choose at most 50 people at a time (51 were chosen)" in plain(response.content.decode())
    ok = client.get(url(m.workspace, query="&".join(f"person={pk}" for pk in many[:50])))
    assert ok.status_code == 200
    orgs = "&".join(f"organisation={n}" for n in range(1, leaves.MAX_ORGANISATIONS + 2))
    response = client.get(url(m.workspace, query=orgs))
    assert response.status_code == 400
    assert "Choose at most 10 organisations" in plain(response.content.decode())


@pytest.mark.django_db
def test_repeated_and_blank_choices_are_one_question(client, leavers_map, viewer):
    m = leavers_map
    client.force_login(viewer)
    client.get(url(m.workspace, query=f"person={m.kieran.pk}&person=&person={m.hana.pk}"))
    client.get(
        url(m.workspace, query=f"person={m.hana.pk}&person={m.kieran.pk}&person={m.hana.pk}")
    )
    assert WhatIf.objects.count() == 1


# --- The picker ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_search_posts_its_term_and_offers_people_with_their_organisation(
    client, leavers_map, viewer
):
    m = leavers_map
    client.force_login(viewer)
    target = url(m.workspace, query="boundary=organisation")
    response = client.post(
        target,
        {"q": "Fenwick", "person": [m.kieran.pk]},
        headers={"HX-Request": "true", "HX-Target": "picker"},
    )
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="picker">')
    page = plain(body)
    # Those ticked so far stay ticked, as chosen; the results are offered besides.
    assert "Chosen Untick anyone to take them off. Kieran Leach Director of Partnerships" in page
    assert "Hana Hill Deputy Director, Fenwick Hospitals" in page
    assert "Everyone at Fenwick County Council" in page
    assert f'id="found-person-{m.hana.pk}" name="person" type="checkbox" value="{m.hana.pk}">' in (
        body
    )
    assert f'id="found-person-{m.kieran.pk}"' not in body  # chosen already
    assert f'id="found-org-{m.council.pk}"' in body
    assert not WhatIf.objects.exists()  # a search asks nothing


@pytest.mark.django_db
def test_the_search_without_javascript_keeps_the_people_ticked(client, leavers_map, viewer):
    m = leavers_map
    client.force_login(viewer)
    response = client.post(
        url(m.workspace), {"q": "Asha", "person": [m.kieran.pk], "search": "yes"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>What if they leave?</h1>" in html
    chosen = f'id="chosen-person-{m.kieran.pk}" name="person" type="checkbox"'
    assert f'{chosen} value="{m.kieran.pk}" checked' in html
    assert f'id="found-person-{m.asha.pk}"' in html
    assert "could not be worked out" not in html  # no answer here: the search only chooses
    assert 'id="whatif-result"' not in html
    assert not WhatIf.objects.exists()


@pytest.mark.django_db
def test_show_goes_to_the_questions_own_address(client, leavers_map, viewer):
    m = leavers_map
    client.force_login(viewer)
    response = client.post(
        url(m.workspace, query="boundary=sector"),
        {"q": "Asha", "person": [m.kieran.pk, m.asha.pk], "organisation": [m.carers.pk],
         "show": "yes"},
    )  # fmt: skip
    assert response.status_code == 303
    assert response["Location"] == url(
        m.workspace,
        query=f"person={m.kieran.pk}&person={m.asha.pk}&organisation={m.carers.pk}&boundary=sector",
    )
    assert "Asha" not in response["Location"]  # the search term never reaches an address


@pytest.mark.django_db
def test_show_with_nobody_ticked_says_what_to_do(client, leavers_map, viewer):
    client.force_login(viewer)
    response = client.post(url(leavers_map.workspace), {"q": "", "show": "yes"})
    assert response.status_code == 200
    assert "Tick at least one person or organisation, then show what happens." in plain(
        response.content.decode()
    )


@pytest.mark.django_db
def test_a_bad_choice_in_the_picker_is_said_in_the_picker(client, leavers_map, viewer):
    other = PersonFactory(workspace=WorkspaceFactory(slug="elsewhere"), name="Stranger Danger")
    client.force_login(viewer)
    response = client.post(
        url(leavers_map.workspace),
        {"q": "Kieran", "person": [other.pk]},
        headers={"HX-Request": "true", "HX-Target": "picker"},
    )
    body = response.content.decode()
    assert "is not someone in this workspace" in plain(body)
    assert "Stranger Danger" not in body
    assert "Kieran Leach" in plain(body)


@pytest.mark.django_db
def test_the_search_finds_nobody_in_another_workspace(client, leavers_map, viewer):
    other = WorkspaceFactory(slug="elsewhere")
    PersonFactory(workspace=other, name="Kieran Elsewhere")
    client.force_login(viewer)
    body = client.post(
        url(leavers_map.workspace), {"q": "Kieran"}, headers={"HX-Request": "true"}
    ).content.decode()
    assert "Kieran Leach" in body and "Kieran Elsewhere" not in body


# --- CSV ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_csv_has_every_table_of_the_page(client, leavers_map, viewer):
    m = leavers_map
    answered(leaves.whatif_ask(workspace=m.workspace, run=m.run, people=(m.kieran.pk,)).pk)
    client.force_login(viewer)
    response = client.get(url(m.workspace, "scenario_leaves_csv", f"person={m.kieran.pk}"))
    assert response["Content-Disposition"].startswith(
        f'attachment; filename="{m.workspace.slug}-what-if-'
    )
    table = rows(response)
    assert table[0] == WHATIF_HEADER
    assert {r[0] for r in table[1:]} == {
        "Who leaves",
        "Before and after",
        "Links that would break",
        "Who could step in",
        "Partnership health",
        "Broker score risers",
    }
    who = next(r for r in table if r[0] == "Who leaves")
    assert who[:7] == ["Who leaves", "", "", "", "LM-KIERAN", "Kieran Leach", "Fenwick Hospitals"]
    result = WhatIf.objects.get().result
    fragmentation = next(r for r in table if r[7].endswith("(fragmentation)"))
    assert fragmentation[8:11] == [
        repr(result["fragmentation"][0]),
        repr(result["fragmentation"][1]),
        repr(result["fragmentation"][1] - result["fragmentation"][0]),
    ]
    # Its note gives the scale of the fractions it holds (the page shows percentages).
    assert fragmentation[-1].endswith("0 to 1 (0% to 100%).")
    broken = [r[2:4] + [r[7]] for r in table if r[0] == "Links that would break"]
    assert ["Fenwick Hospitals", "Fenwick County Council", "Last connection"] in broken
    assert len(broken) == 4
    # That partnership's health: its relationships and carriers fall to 0, as on the page.
    health = {
        r[7]: r[8:11]
        for r in table
        if r[0] == "Partnership health"
        and r[2:4] == ["Fenwick Hospitals", "Fenwick County Council"]
    }
    assert health["Relationships"][1:] == ["0", str(-int(health["Relationships"][0]))]
    assert health["People carrying the ties"][1] == "0"
    assert health["Mean trust"][1] == "" and health["Hangs on one person"][1:] == ["", ""]
    step_in = next(r for r in table if r[0] == "Who could step in")
    assert step_in[4:7] == ["LM-HANA", "Hana Hill", "Fenwick Hospitals"]
    assert step_in[9] == "3"
    assert step_in[11:14] == ["LM-CORA", "Cora Cole", "Fenwick County Council"]


@pytest.mark.django_db
def test_the_csv_waits_for_the_answer(client, leavers_map, viewer):
    m = leavers_map
    client.force_login(viewer)
    response = client.get(url(m.workspace, "scenario_leaves_csv", f"person={m.kieran.pk}"))
    assert response.status_code == 409
    assert "still being worked out" in plain(response.content.decode())
    assert client.get(url(m.workspace, "scenario_leaves_csv")).status_code == 400


# --- Under the immediate task backend the answer comes with the page ---------------------


@pytest.mark.django_db(transaction=True)
def test_the_immediate_backend_answers_within_the_request():
    workspace = WorkspaceFactory(slug="immediate")
    user = UserFactory(username="immediate-viewer")
    MembershipFactory(user=user, workspace=workspace, role=Role.VIEWER)
    m = build_leavers_map(workspace)
    client = Client()
    client.force_login(user)
    page = plain(client.get(url(workspace, query=f"person={m.kieran.pk}")).content.decode())
    assert "Working this out" not in page
    assert "3 pairs of organisations would lose their last connection" in page
    assert WhatIf.objects.get().status == RunStatus.SUCCEEDED


# --- Links in -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_person_page_asks_what_if_they_leave(client, leavers_map, viewer):
    m = leavers_map
    client.force_login(viewer)
    path = reverse("stakeholders:person_detail", kwargs={"slug": m.workspace.slug, "pk": m.asha.pk})
    html = client.get(path, {"boundary": "sector"}).content.decode()
    link = f'href="{url(m.workspace)}?person={m.asha.pk}&amp;boundary=sector"'
    assert link in html
    assert "What if they leave?" in plain(html.split(link)[1].split("</a>")[0])


@pytest.mark.django_db
def test_the_overview_links_to_the_what_if_and_the_board_pack(client, leavers_map, viewer):
    m = leavers_map
    client.force_login(viewer)
    html = client.get(reverse("stakeholders:overview", kwargs={"slug": m.workspace.slug})).content
    page = html.decode()
    assert f'href="{url(m.workspace, "scenario_key_people")}?boundary=organisation"' in page
    assert f'href="{url(m.workspace)}?boundary=organisation">What if they leave?</a>' in page
    assert "Board pack (zip): brokers, partnerships, scores, key people and notes" in page


@pytest.mark.django_db
def test_an_answer_from_changed_data_says_so_on_the_page_and_in_the_csv(
    client, leavers_map, viewer
):
    m = leavers_map
    RelationshipFactory(source=m.hugo, target=m.colin)
    whatif = leaves.whatif_ask(workspace=m.workspace, run=m.run, people=(m.kieran.pk,))
    answered(whatif.pk)
    client.force_login(viewer)
    page = plain(client.get(url(m.workspace, query=f"person={m.kieran.pk}")).content.decode())
    assert "The data changed after the scores on screen were calculated" in page
    table = rows(client.get(url(m.workspace, "scenario_leaves_csv", f"person={m.kieran.pk}")))
    notes = [r for r in table if r[0] == "Notes"]
    assert notes and notes[0][-1].startswith("The data changed after the scores")


@pytest.mark.django_db
def test_scores_replaced_while_asking_make_the_page_ask_again(
    client, leavers_map, viewer, monkeypatch
):
    from django.db import IntegrityError

    def replaced(**kwargs):
        raise IntegrityError("insert or update on table violates foreign key constraint")

    monkeypatch.setattr(WhatIf.objects, "get_or_create", replaced)
    m = leavers_map
    client.force_login(viewer)
    response = client.get(url(m.workspace, query=f"person={m.kieran.pk}"))
    assert response.status_code == 200
    assert 'hx-trigger="every 2s"' in response.content.decode()
    assert "Working this out." in plain(response.content.decode())
    csv_response = client.get(url(m.workspace, "scenario_leaves_csv", f"person={m.kieran.pk}"))
    assert csv_response.status_code == 409


@pytest.mark.django_db
def test_someone_whose_role_there_ended_stays_and_the_page_says_so(client, leavers_map, viewer):
    from stakeholders.models import Affiliation

    m = leavers_map
    Affiliation.objects.filter(person=m.cath).update(end_date="2020-01-01")
    client.force_login(viewer)
    page = plain(
        client.get(url(m.workspace, query=f"organisation={m.council.pk}")).content.decode()
    )
    assert "The 2 people who leave" in page
    assert (
        "Not leaving with it: Cath Cross ( Fenwick County Council). Their main role there has "
        "ended (or has not started yet), so the map places them in no organisation today, and "
        "they do not leave with it." in page
    )
    assert WhatIf.objects.get().people == sorted([m.cora.pk, m.colin.pk])
    # Asked about by name, she leaves, and is named with no organisation, as the scores
    # place her (a main role counts while it is in force).
    page = plain(client.get(url(m.workspace, query=f"person={m.cath.pk}")).content.decode())
    assert "Cath Cross" in page and "Fenwick County Council" not in page


@pytest.mark.django_db
def test_risers_are_not_called_gap_fillers_when_nobody_leaving_bridges(client, leavers_map, viewer):
    m = leavers_map
    hugo = m.people["hugo"]  # ties at his own hospital, and to Nat, in no organisation
    answered(leaves.whatif_ask(workspace=m.workspace, run=m.run, people=(hugo.pk,)).pk)
    client.force_login(viewer)
    page = plain(client.get(url(m.workspace, query=f"person={hugo.pk}")).content.decode())
    assert "nobody leaving carries a relationship between two organisations" in page
    assert "Broker scores (0 to 100) that would rise most" in page  # percentile ranks shift
    assert "likeliest to take on some of the bridging" not in page
    assert "Nobody leaving bridges two organisations, so there is no bridging for anyone" in page


@pytest.mark.django_db
def test_a_joint_post_leaving_with_an_organisation_is_marked(client, leavers_map, viewer):
    m = leavers_map
    # Asha's main role is at the district council; she also holds a post at the county.
    AffiliationFactory(person=m.asha, organisation=m.council, is_primary=False)
    client.force_login(viewer)
    target = url(m.workspace, query=f"organisation={m.council.pk}")
    page = plain(client.get(target).content.decode())
    assert "The 4 people who leave" in page
    assert (
        "Everyone with a current role there leaves the whole map, including 1 person whose "
        "main role is elsewhere" in page
    )
    assert "Asha Patel, Head of Housing, Marsh Vale District Council (main role elsewhere)" in page
    assert page.count("(main role elsewhere)") == 1  # not the county's own staff
    # Chosen by name as well, she is not marked: she was asked about.
    both = f"organisation={m.council.pk}&person={m.asha.pk}"
    assert "main role elsewhere" not in plain(
        client.get(url(m.workspace, query=both)).content.decode()
    )
