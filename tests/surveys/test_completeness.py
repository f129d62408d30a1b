"""Completeness (issue #15): whose ties come from their own answers or an editor.

Shown on every analysis page (below 80% a caution, below 65% a warning on the
organisation's figures) and in every export's notes.
"""

import csv
import datetime
import io
import zipfile

import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from stakeholders import score_runs
from stakeholders.exports.tables import about_rows
from stakeholders.models import Provenance, ResponseStatus, Snapshot, Survey, SurveyResponse
from stakeholders.surveys.reads import CAUTION, OK, WARNING, completeness, completeness_level
from tests.factories import (
    AffiliationFactory,
    OrganisationFactory,
    PersonFactory,
    RelationshipFactory,
)

TITLE = "Partnership survey 2027"


def make_survey(workspace, title: str = TITLE) -> Survey:
    return Survey.objects.create(
        workspace=workspace,
        title=title,
        introduction="Who you work with across the system.",
        privacy_notice="Only the mapping team sees your answers.",
        closes_at=timezone.now() + datetime.timedelta(days=14),
    )


def respond(survey: Survey, person, status: str = ResponseStatus.SUBMITTED) -> SurveyResponse:
    return SurveyResponse.objects.create(
        survey=survey,
        person=person,
        nonce=f"nonce-{person.pk}",
        status=status,
        submitted_at=timezone.now() if status == ResponseStatus.SUBMITTED else None,
    )


def _people(workspace, org, count: int, prefix: str) -> list:
    people = []
    for i in range(count):
        person = PersonFactory(workspace=workspace, name=f"{prefix} {i}")
        AffiliationFactory(person=person, organisation=org)
        people.append(person)
    return people


@pytest.fixture
def covered_map(workspace):
    """Alder 4 of 5 covered (80%, ok), Cedar 3 of 4 (75%, caution), Birch 1 of 3 (warning).

    Plus someone inactive (not counted) and someone whose primary affiliation has
    ended (counted overall only): 9 of 13 people, 69%.
    """
    today = timezone.localdate()
    alder = OrganisationFactory(workspace=workspace, name="Alder Trust", short_name="ALD")
    birch = OrganisationFactory(workspace=workspace, name="Birch Council", short_name="BCH")
    cedar = OrganisationFactory(workspace=workspace, name="Cedar Care", short_name="CDR")
    a = _people(workspace, alder, 5, "Alder")
    b = _people(workspace, birch, 3, "Birch")
    c = _people(workspace, cedar, 4, "Cedar")
    survey = make_survey(workspace)
    respond(survey, a[0])  # answered: covered, whatever their ties
    for person in (a[1], a[2], a[3], b[0], c[0], c[1], c[2]):
        RelationshipFactory(source=person, target=a[4])  # entered by an editor
    # Reported ties without a submitted response (withdrawn) do not cover them.
    respond(survey, b[1], status=ResponseStatus.WITHDRAWN)
    RelationshipFactory(source=b[1], target=a[0], provenance=Provenance.REPORTED, survey=survey)
    # An editor's tie that has ended does not either.
    RelationshipFactory(source=b[2], target=a[0], end_date=today - datetime.timedelta(days=30))
    # Ties towards someone do not cover them: only their own ties out.
    RelationshipFactory(source=a[1], target=c[3])
    gone = PersonFactory(workspace=workspace, name="Gone", active=False)
    AffiliationFactory(person=gone, organisation=alder)
    moved = PersonFactory(workspace=workspace, name="Moved on")
    AffiliationFactory(
        person=moved, organisation=birch, end_date=today - datetime.timedelta(days=1)
    )
    RelationshipFactory(source=moved, target=a[0])
    return {"alder": alder, "birch": birch, "cedar": cedar, "survey": survey}


def test_completeness_overall_and_per_organisation(workspace, covered_map):
    result = completeness(workspace.pk)
    assert (result.people, result.covered) == (13, 9)
    assert result.share == pytest.approx(9 / 13)
    assert result.percent == 69
    assert result.level == CAUTION and result.caution
    rows = {o.name: (o.short_name, o.people, o.covered, o.level) for o in result.organisations}
    assert rows == {
        "Alder Trust": ("ALD", 5, 4, OK),
        "Birch Council": ("BCH", 3, 1, WARNING),
        "Cedar Care": ("CDR", 4, 3, CAUTION),
    }
    assert [o.name for o in result.organisations] == ["Alder Trust", "Birch Council", "Cedar Care"]
    assert [o.name for o in result.warnings] == ["Birch Council"]
    birch = result.organisation(covered_map["birch"].pk)
    assert birch.id == covered_map["birch"].pk and birch.share == pytest.approx(1 / 3)
    assert result.organisation(str(covered_map["birch"].pk)) == birch


def test_a_survey_of_another_workspace_does_not_cover_anyone(workspace, other_workspace):
    person = PersonFactory(workspace=workspace)
    SurveyResponse.objects.create(
        survey=make_survey(other_workspace),
        person=person,
        nonce="elsewhere",
        status=ResponseStatus.SUBMITTED,
    )
    assert completeness(workspace.pk).covered == 0


def test_nobody_gives_no_share(workspace):
    result = completeness(workspace.pk)
    assert (result.people, result.covered, result.share, result.percent) == (0, 0, None, None)
    assert result.level is None and not result.caution and result.organisations == []
    assert result.sentence() == ""


@pytest.mark.parametrize(
    ("covered", "people", "level"),
    [
        (4, 5, OK),
        (80, 100, OK),
        (79, 100, CAUTION),
        (65, 100, CAUTION),
        (64, 100, WARNING),
        (0, 3, WARNING),
        (0, 0, None),
    ],
)
def test_levels_at_the_thresholds(covered, people, level):
    assert completeness_level(covered, people) == level


@pytest.mark.parametrize("size", [1, 4])
def test_completeness_is_one_query_whatever_the_size(workspace, django_assert_num_queries, size):
    survey = make_survey(workspace)
    for i in range(size):
        org = OrganisationFactory(workspace=workspace)
        people = _people(workspace, org, size + 1, f"Org {i}")
        respond(survey, people[0])
        RelationshipFactory(source=people[1], target=people[0])
    with django_assert_num_queries(1):
        result = completeness(workspace.pk)
    assert len(result.organisations) == size


def test_sentences_for_exports(workspace, covered_map):
    result = completeness(workspace.pk)
    assert result.sentence() == (
        "Ties come from people's own answers or an editor for 69% of people "
        "(caution below 80%: scores may miss ties)."
    )
    assert result.organisation_sentences() == [
        "Birch Council: ties come from people's own answers or an editor for 33% of its "
        "3 people (warning below 65%: its figures may miss ties)."
    ]


# --- Pages ---------------------------------------------------------------------------

CALLOUT = (
    "Only 69% of people's ties come from their own answers or an editor: scores may miss ties."
)


def page(name: str, workspace, **kwargs) -> str:
    return reverse(f"stakeholders:{name}", kwargs={"slug": workspace.slug, **kwargs})


def _scored(workspace) -> None:
    transaction.get_connection().run_on_commit.clear()
    score_runs.score_run_execute(workspace_id=workspace.pk)


@pytest.mark.parametrize(
    "name",
    [
        "overview",
        "map",
        "brokers",
        "partnerships",
        "scenario_key_people",
        "scenario_leaves",
        "scenario_route",
        "scenario_room",
        "forums",
    ],
)
def test_every_analysis_page_cautions_below_80_percent(
    client, workspace, viewer, covered_map, name
):
    _scored(workspace)
    client.force_login(viewer)
    response = client.get(page(name, workspace))
    assert response.status_code == 200
    body = response.content.decode()
    assert CALLOUT in body
    assert 'class="nhsuk-warning-callout app-completeness"' in body
    # The organisation under 65% is named with a link to its page.
    birch = page("organisation_detail", workspace, pk=covered_map["birch"].pk)
    assert f'<a href="{birch}"><bdi>Birch Council</bdi></a> (33%)' in body


def test_snapshot_comparison_cautions_too(client, workspace, viewer, covered_map):
    transaction.get_connection().run_on_commit.clear()
    call_command("snapshot", "--workspace", workspace.slug, "--name", "Board", stdout=io.StringIO())
    _scored(workspace)
    snapshot = Snapshot.objects.get()
    client.force_login(viewer)
    response = client.get(page("snapshot_compare", workspace) + f"?from={snapshot.pk}&to=now")
    assert response.status_code == 200
    assert CALLOUT in response.content.decode()


def test_person_and_organisation_pages_caution_too(client, workspace, viewer, covered_map):
    _scored(workspace)
    person = covered_map["alder"].affiliations.first().person
    client.force_login(viewer)
    for path in (
        page("person_detail", workspace, pk=person.pk),
        page("organisation_detail", workspace, pk=covered_map["alder"].pk),
    ):
        assert CALLOUT in client.get(path).content.decode()


def test_no_caution_at_80_percent_or_more(client, workspace, viewer):
    org = OrganisationFactory(workspace=workspace)
    people = _people(workspace, org, 5, "Person")
    for person in people[:4]:
        RelationshipFactory(source=person, target=people[4])
    client.force_login(viewer)
    for name in ("overview", "scenario_route"):
        body = client.get(page(name, workspace)).content.decode()
        assert "app-completeness" not in body
        assert "scores may miss ties" not in body


def test_organisation_page_gives_its_level(client, workspace, viewer, covered_map):
    client.force_login(viewer)

    def row(org) -> str:
        body = client.get(page("organisation_detail", workspace, pk=org.pk)).content.decode()
        return body.split("Ties from people's own answers or an editor</dt>")[1].split("</dd>")[0]

    birch = row(covered_map["birch"])
    assert "33% of the 3 people whose primary organisation it is" in birch
    assert "Warning" in birch and "under 65%: its figures may miss ties" in birch
    cedar = row(covered_map["cedar"])
    assert "75% of the 4 people" in cedar and "Caution" in cedar
    alder = row(covered_map["alder"])
    assert "80% of the 5 people" in alder
    assert "Warning" not in alder and "Caution" not in alder


def test_partnership_rows_mark_organisations_under_65_percent(
    client, workspace, viewer, covered_map
):
    _scored(workspace)
    client.force_login(viewer)
    body = client.get(page("partnerships", workspace)).content.decode()
    rows = {
        cell.split("<bdi>")[1].split("</bdi>")[0]: cell
        for cell in body.split('<th class="app-heat-row" scope="row">')[1:]
    }
    assert "app-completeness-mark" in rows["Birch Council"].split("</th>")[0]
    assert "only 33% of its people" in rows["Birch Council"].split("</th>")[0]
    for name in ("Alder Trust", "Cedar Care"):
        assert "app-completeness-mark" not in rows[name].split("</th>")[0]
    # Sectors and tiers are not organisations: no marks.
    body = client.get(page("partnerships", workspace) + "?boundary=sector").content.decode()
    assert "app-completeness-mark" not in body


def test_status_poll_still_answers(client, workspace, viewer, covered_map):
    client.force_login(viewer)
    assert client.get(page("scores_status", workspace)).status_code == 200


# --- Exports -------------------------------------------------------------------------


def _rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


COMPLETENESS = [
    "About",
    "Completeness",
    "Ties come from people's own answers or an editor for 69% of people "
    "(caution below 80%: scores may miss ties).",
]
BIRCH = [
    "About",
    "Completeness under 65%",
    "Birch Council: ties come from people's own answers or an editor for 33% of its 3 people "
    "(warning below 65%: its figures may miss ties).",
]


@pytest.mark.parametrize("kind", ["relationships", "people", "brokers", "partnerships"])
def test_export_notes_state_completeness(client, workspace, viewer, covered_map, kind):
    _scored(workspace)
    client.force_login(viewer)
    notes = _rows(client.get(page("export_notes", workspace, kind=kind)))
    assert COMPLETENESS in notes
    assert BIRCH in notes


def test_page_downloads_state_completeness(workspace, covered_map):
    """Downloads with no notes file of their own (forums, route, ...) carry it too."""
    rows = list(about_rows("forums", workspace=workspace, now=timezone.now()))
    assert tuple(COMPLETENESS) in rows and tuple(BIRCH) in rows


def test_board_pack_notes_state_completeness(client, workspace, viewer, covered_map):
    _scored(workspace)
    client.force_login(viewer)
    response = client.get(page("export_board_pack", workspace))
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    pack = zipfile.ZipFile(io.BytesIO(body))
    notes = list(csv.reader(io.StringIO(pack.read("notes.csv").decode("utf-8-sig"))))
    assert COMPLETENESS in notes and BIRCH in notes


def test_notes_without_caution_say_the_share_only(client, workspace, viewer):
    org = OrganisationFactory(workspace=workspace)
    people = _people(workspace, org, 2, "Person")
    RelationshipFactory(source=people[0], target=people[1])
    RelationshipFactory(source=people[1], target=people[0])
    client.force_login(viewer)
    notes = _rows(client.get(page("export_notes", workspace, kind="people")))
    assert [
        "About",
        "Completeness",
        "Ties come from people's own answers or an editor for 100% of people.",
    ] in notes
    assert not any(row[1] == "Completeness under 65%" for row in notes)
