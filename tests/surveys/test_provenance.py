"""Where each tie came from (issue #15): reported in a survey, or entered by an editor.

Ties both people reported are confirmed; the person page, the map's person panel
and the relationships export say so, and the change history names the respondent.
"""

import csv
import datetime
import io

import pytest
from django.urls import reverse

from stakeholders.models import Provenance, RelationshipKind
from stakeholders.surveys.reads import confirmed_among, confirmed_ties, tie_source
from tests.factories import (
    AffiliationFactory,
    OrganisationFactory,
    PersonFactory,
    RelationshipFactory,
)
from tests.surveys.test_completeness import TITLE, make_survey

REPORTED_ON = datetime.date(2027, 3, 3)
COLLABORATES, TRUSTS = RelationshipKind.COLLABORATES, RelationshipKind.TRUSTS


@pytest.fixture
def reported(workspace):
    """Dev and Ama both report working together; Dev alone says he trusts Ama; an editor
    entered Ama trusting Kofi."""
    org = OrganisationFactory(workspace=workspace, name="Alder Trust")
    dev, ama, kofi = (
        PersonFactory(workspace=workspace, name=name, ref=ref)
        for name, ref in (("Dev Mensah", "DM"), ("Ama Owusu", "AO"), ("Kofi Boateng", "KB"))
    )
    for person in (dev, ama, kofi):
        AffiliationFactory(person=person, organisation=org)
    survey = make_survey(workspace)

    def report(source, target, kind):
        return RelationshipFactory(
            source=source,
            target=target,
            kind=kind,
            provenance=Provenance.REPORTED,
            survey=survey,
            reported_on=REPORTED_ON,
        )

    ties = {
        "dev_ama": report(dev, ama, COLLABORATES),
        "ama_dev": report(ama, dev, COLLABORATES),
        "dev_trusts_ama": report(dev, ama, TRUSTS),
        "ama_trusts_kofi": RelationshipFactory(source=ama, target=kofi, kind=TRUSTS),
    }
    # An editor's tie back does not confirm a reported one.
    RelationshipFactory(source=ama, target=dev, kind=TRUSTS)
    return {"dev": dev, "ama": ama, "kofi": kofi, "survey": survey, **ties}


def test_confirmed_ties_are_those_both_people_reported(
    workspace, reported, django_assert_num_queries
):
    dev, ama = reported["dev"].pk, reported["ama"].pk
    with django_assert_num_queries(1):
        confirmed = confirmed_ties(workspace.pk)
    assert confirmed == {(dev, ama, COLLABORATES), (ama, dev, COLLABORATES)}


def test_confirmed_ties_stay_in_their_workspace(workspace, other_workspace, reported):
    a, b = PersonFactory(workspace=other_workspace), PersonFactory(workspace=other_workspace)
    for source, target in ((a, b), (b, a)):
        RelationshipFactory(source=source, target=target, provenance=Provenance.REPORTED)
    assert confirmed_ties(other_workspace.pk) == {
        (a.pk, b.pk, COLLABORATES),
        (b.pk, a.pk, COLLABORATES),
    }
    assert len(confirmed_ties(workspace.pk)) == 2


def test_confirmed_among_rows_already_read():
    rows = [
        (1, 2, "trusts", Provenance.REPORTED),
        (2, 1, "trusts", Provenance.REPORTED),
        (1, 3, "trusts", Provenance.REPORTED),
        (3, 1, "trusts", Provenance.EDITOR),
        (1, 2, "collaborates", Provenance.REPORTED),
        (2, 1, "influences", Provenance.REPORTED),
    ]
    assert confirmed_among(rows) == {(1, 2, "trusts"), (2, 1, "trusts")}


def test_tie_source_in_words():
    reported = tie_source(
        provenance=Provenance.REPORTED,
        reporter="Dev Mensah",
        survey=TITLE,
        reported_on=REPORTED_ON,
        confirmed=True,
    )
    assert reported.text == "Reported by Dev Mensah (Partnership survey 2027, 3 March 2027)"
    assert reported.confirmed
    gone = tie_source(
        provenance=Provenance.REPORTED,
        reporter="Dev Mensah",
        survey=None,
        reported_on=None,
        confirmed=False,
    )
    assert gone.text == "Reported by Dev Mensah"
    editor = tie_source(
        provenance=Provenance.EDITOR,
        reporter="Dev Mensah",
        survey=TITLE,
        reported_on=REPORTED_ON,
        confirmed=True,
    )
    assert editor.text == "Entered by an editor" and not editor.confirmed


def _person_page(client, workspace, person) -> str:
    path = reverse("stakeholders:person_detail", kwargs={"slug": workspace.slug, "pk": person.pk})
    return client.get(path).content.decode()


def _row(body: str, name: str, kind: str) -> str:
    """The tie table row naming `name` with `kind`."""
    rows = [r for r in body.split('<tr class="nhsuk-table__row">') if f"<bdi>{name}</bdi>" in r]
    return next(r.split("</tr>")[0] for r in rows if f">{kind}</td>" in r)


def test_person_page_says_who_reported_each_tie(client, workspace, viewer, reported):
    client.force_login(viewer)
    body = _person_page(client, workspace, reported["dev"])
    ties_out, ties_in = body.split("From others to ")[0], body.split("From others to ")[1]
    worked = _row(ties_out, "Ama Owusu", "Collaborates with")
    assert "Reported by Dev Mensah (Partnership survey 2027, 3 March 2027)" in worked
    assert "Confirmed by both" in worked
    trusts = _row(ties_out, "Ama Owusu", "Trusts")
    assert "Reported by Dev Mensah" in trusts and "Confirmed by both" not in trusts
    # Towards Dev: reported by Ama herself, and an editor's entry.
    back = _row(ties_in, "Ama Owusu", "Collaborates with")
    assert "Reported by Ama Owusu (Partnership survey 2027, 3 March 2027)" in back
    assert "Confirmed by both" in back
    entered = _row(ties_in, "Ama Owusu", "Trusts")
    assert "Entered by an editor" in entered and "Confirmed by both" not in entered


def test_map_panel_says_who_reported_each_tie(client, workspace, viewer, reported):
    client.force_login(viewer)
    path = reverse(
        "stakeholders:map_person", kwargs={"slug": workspace.slug, "pk": reported["ama"].pk}
    )
    body = client.get(path).content.decode()
    items = body.split("<li>")
    kofi = next(i for i in items if "<bdi>Kofi Boateng</bdi>" in i)
    assert "Entered by an editor" in kofi
    dev = [i for i in items if "<bdi>Dev Mensah</bdi>" in i]
    assert any(
        "Reported by Ama Owusu (Partnership survey 2027, 3 March 2027)" in i
        and "Confirmed by both" in i
        for i in dev
    )
    assert any(
        "Reported by Dev Mensah (Partnership survey 2027, 3 March 2027)" in i
        and "Confirmed by both" in i
        for i in dev
    )
    assert any("Reported by Dev Mensah" in i and "Confirmed" not in i for i in dev)


def test_relationships_export_ends_with_provenance_columns(client, workspace, viewer, reported):
    client.force_login(viewer)
    path = reverse(
        "stakeholders:export_csv", kwargs={"slug": workspace.slug, "kind": "relationships"}
    )
    response = client.get(path)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0] == [
        "Source", "Target", "Kind", "Strength", "Trust", "Observed on", "Evidence", "Stale",
        "Start date", "End date", "Provenance", "Survey", "Reported on", "Confirmed",
    ]  # fmt: skip
    found = {(r[0], r[1], r[2]): r[10:] for r in rows[1:]}
    assert found[("DM", "AO", "Collaborates with")] == [
        "Reported by the person",
        TITLE,
        "2027-03-03",
        "Yes",
    ]
    assert found[("AO", "DM", "Collaborates with")][3] == "Yes"
    assert found[("DM", "AO", "Trusts")] == ["Reported by the person", TITLE, "2027-03-03", "No"]
    assert found[("AO", "KB", "Trusts")] == ["Entered by an editor", "", "", "No"]


def test_history_names_the_respondent_when_no_user_made_the_change(
    client, workspace, viewer, reported
):
    tie = reported["dev_trusts_ama"]
    tie._change_reason = "Survey answer from Dev Mensah"
    tie.strength = 5
    tie.save()
    client.force_login(viewer)
    body = _person_page(client, workspace, reported["dev"])
    changes = body.split("Recent changes")[1]
    assert "<bdi>Survey answer from Dev Mensah</bdi>: <strong>Changed</strong>" in changes
    # A change with neither a user nor a reason stays "Not recorded".
    assert "<bdi>Not recorded</bdi>: <strong>Created</strong>" in changes
