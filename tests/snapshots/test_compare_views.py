"""Comparing a snapshot with now (or another snapshot): page, CSV, bad input."""

import csv
import datetime
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.urls import reverse

from stakeholders import score_runs
from stakeholders.models import Snapshot
from tests.factories import (
    AffiliationFactory,
    OrganisationFactory,
    PersonFactory,
    RelationshipFactory,
)

D = datetime.date(2025, 3, 31)


@pytest.fixture
def history(workspace):
    """A trust and a council whose only link, through one person, gained a second since D."""
    trust = OrganisationFactory(workspace=workspace, name="Fenwick Hospitals")
    council = OrganisationFactory(workspace=workspace, name="Fenwick Council")
    people = [
        PersonFactory(workspace=workspace, ref=f"H{i}", name=f"Harriet {i}") for i in range(5)
    ]
    for person, org in zip(people, [trust, trust, trust, council, council], strict=True):
        AffiliationFactory(person=person, organisation=org)
    RelationshipFactory(source=people[0], target=people[1])
    RelationshipFactory(source=people[1], target=people[3])
    RelationshipFactory(source=people[3], target=people[4])
    RelationshipFactory(source=people[2], target=people[4], start_date=D + datetime.timedelta(1))
    transaction.get_connection().run_on_commit.clear()
    call_command(
        "snapshot", "--workspace", workspace.slug, "--name", "Board, March 2025",
        "--as-of", D.isoformat(), stdout=io.StringIO(),
    )  # fmt: skip
    score_runs.score_run_execute(workspace_id=workspace.pk)
    return Snapshot.objects.get()


def _url(workspace, **params) -> str:
    base = reverse("stakeholders:snapshot_compare", kwargs={"slug": workspace.slug})
    return base + "?" + "&".join(f"{k}={v}" for k, v in params.items())


def _csv_url(workspace, **params) -> str:
    base = reverse("stakeholders:snapshot_compare_csv", kwargs={"slug": workspace.slug})
    return base + "?" + "&".join(f"{k}={v}" for k, v in params.items())


def test_compare_needs_membership(client, workspace, history, outsider, viewer, editor):
    target = _url(workspace, **{"from": history.pk, "to": "now"})
    response = client.get(target)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    client.force_login(outsider)
    assert client.get(target).status_code == 404
    assert client.get(_csv_url(workspace, **{"from": history.pk})).status_code == 404
    for member in (viewer, editor):
        client.force_login(member)
        assert client.get(target).status_code == 200


def test_compare_shows_then_now_and_change(client, workspace, history, viewer):
    client.force_login(viewer)
    page = client.get(_url(workspace, **{"from": history.pk, "to": "now"})).content.decode()
    assert "Board, March 2025" in page and "31 March 2025" in page
    assert "Then" in page and "Now" in page and "Change" in page
    assert "Harriet 2" in page  # became a broker between the two organisations
    assert "Fenwick Hospitals" in page and "Fenwick Council" in page
    assert "Single points of failure resolved" in page


def test_every_comparison_table_stacks_as_cards_on_a_phone(client, workspace, history, viewer):
    """Each row becomes a card on a narrow screen; every figure names itself there."""
    client.force_login(viewer)
    page = client.get(_url(workspace, **{"from": history.pk, "to": "now"})).content.decode()
    assert "css/tables.css" in page  # where the cards are drawn
    tables = [t.split("</table>")[0] for t in page.split("<table")[1:]]
    assert tables and all('class="nhsuk-table nhsuk-table--compact app-stack-table"' in t
                          for t in tables)  # fmt: skip
    figures = tables[0]
    assert 'data-label="Then">' in figures and 'data-label="Change">' in figures
    brokers = next(t for t in tables if "Who rose as a broker" in t)
    assert 'data-label="Broker score then">' in brokers
    assert 'data-label="Broker score now">' in brokers
    pairs = next(t for t in tables if "Partnerships that gained ties" in t)
    assert 'data-label="Ties then">1</td>' in pairs and 'data-label="Ties now">2</td>' in pairs
    assert 'data-label="People carrying ties now">' in pairs


def test_compare_two_snapshots(client, workspace, history, viewer):
    call_command("snapshot", "--workspace", workspace.slug, "--name", "Today", stdout=io.StringIO())
    today = Snapshot.objects.get(name="Today")
    client.force_login(viewer)
    response = client.get(_url(workspace, **{"from": history.pk, "to": today.pk}))
    assert response.status_code == 200
    assert "Harriet 2" in response.content.decode()


def test_compare_partial_for_htmx(client, workspace, history, viewer):
    client.force_login(viewer)
    response = client.get(_url(workspace, **{"from": history.pk}), headers={"HX-Request": "true"})
    body = response.content.decode()
    assert response.status_code == 200 and 'id="comparison"' in body and "<h1>" not in body


def test_compare_csv_has_everyone_then_and_now(client, workspace, history, viewer):
    client.force_login(viewer)
    response = client.get(_csv_url(workspace, **{"from": history.pk, "to": "now"}))
    assert response.status_code == 200
    assert "brokers-change" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:5] == ["Ref", "Name", "Broker score then", "Broker score now", "Change"]
    assert {r[0] for r in rows[1:]} == {f"H{i}" for i in range(5)}


def _rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


def test_the_whole_map_and_partnerships_download_as_the_page_shows_them(
    client, workspace, history, viewer
):
    client.force_login(viewer)
    query = {"from": history.pk, "to": "now"}
    base = reverse(
        "stakeholders:snapshot_compare_partnerships_csv", kwargs={"slug": workspace.slug}
    )
    address = base + f"?from={history.pk}&to=now"
    page = client.get(_url(workspace, **query))
    assert address.replace("&", "&amp;") in page.content.decode()
    response = client.get(address)
    assert "partnerships-change" in response["Content-Disposition"]
    rows = _rows(response)
    assert rows[0] == ["Table", "Group A", "Group B", "Measure", "Then", "Now", "Change"]
    figures = page.context["page"].figures
    whole = [r for r in rows if r[0] == "The whole map"]
    assert [r[3] for r in whole] == [f.label for f in figures]
    relationships = next(r for r in whole if r[3] == "Relationships")
    assert relationships[4:] == ["3", "4", "1"]  # one tie begun since the snapshot
    # The trust and the council: 1 tie then (through Harriet 1), 2 now, no longer one person.
    pair = {
        (r[0], r[3]): r[4:]
        for r in rows
        if {r[1], r[2]} == {"Fenwick Hospitals", "Fenwick Council"}
    }
    assert pair[("Partnerships that gained ties", "Relationships")] == ["1", "2", "1"]
    assert pair[("Partnerships that gained ties", "People carrying the ties")] == ["2", "4", "2"]
    resolved = pair[("Single points of failure resolved", "Hangs on one person")]
    assert resolved == ["Yes", "No", ""]
    # The command gives the same rows.
    out = io.StringIO()
    call_command(
        "export_csv", "partnerships", "--workspace", workspace.slug, "--compare-to",
        "Board, March 2025", stdout=out,
    )  # fmt: skip
    assert list(csv.reader(io.StringIO(out.getvalue().lstrip("\ufeff")))) == rows


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({}, "from: choose the snapshot"),
        ({"from": "abc"}, "from: &#x27;abc&#x27; is not a snapshot number"),
        ({"from": "999999"}, "from: there is no snapshot 999999"),
        ({"from": "SNAP", "to": "12x"}, "to: &#x27;12x&#x27; is not a snapshot number"),
        ({"from": "SNAP", "boundary": "planet"}, "Choose the boundary"),
    ],
)
def test_bad_input_is_a_400_naming_the_parameter(
    client, workspace, history, viewer, params, message
):
    client.force_login(viewer)
    params = {k: (history.pk if v == "SNAP" else v) for k, v in params.items()}
    for url in (_url(workspace, **params), _csv_url(workspace, **params)):
        response = client.get(url)
        assert response.status_code == 400, url
        assert message in response.content.decode()


def test_a_later_snapshot_compared_with_an_earlier_one_is_refused(
    client, workspace, history, viewer
):
    """Backwards, every rise would read as a fall: the page says which is later."""
    call_command(
        "snapshot", "--workspace", workspace.slug, "--name", "Board, May 2025",
        "--as-of", (D + datetime.timedelta(days=61)).isoformat(), stdout=io.StringIO(),
    )  # fmt: skip
    later = Snapshot.objects.get(name="Board, May 2025")
    client.force_login(viewer)
    backwards = {"from": later.pk, "to": history.pk}
    for url in (_url(workspace, **backwards), _csv_url(workspace, **backwards)):
        response = client.get(url)
        assert response.status_code == 400, url
        assert (
            "from: Board, May 2025 (31 May 2025) is later than Board, March 2025 "
            "(31 March 2025). Compare from the earlier one."
        ) in response.content.decode()
    forwards = _url(workspace, **{"from": history.pk, "to": later.pk})
    assert client.get(forwards).status_code == 200


def test_another_workspaces_snapshot_is_unknown(client, workspace, other_workspace, viewer):
    theirs = Snapshot.objects.create(
        workspace=other_workspace, name="Theirs", as_of=D, status="succeeded"
    )
    client.force_login(viewer)
    response = client.get(_url(workspace, **{"from": theirs.pk}))
    assert response.status_code == 400


def _export(workspace, *args: str) -> list[list[str]]:
    out = io.StringIO()
    call_command("export_csv", "brokers", "--workspace", workspace.slug, *args, stdout=out)
    return list(csv.reader(io.StringIO(out.getvalue().lstrip("\ufeff"))))


def test_export_csv_brokers_compare_to_adds_change_columns(workspace, history):
    plain = _export(workspace)
    rows = _export(workspace, "--compare-to", "Board, March 2025")
    assert rows[0] == plain[0] + [
        "Broker score then", "Broker score change", "Rank then", "Rank change",
    ]  # fmt: skip
    width = len(plain[0])
    assert [r[:width] for r in rows] == plain  # the brokers table itself is unchanged
    by_name = {r[1]: r for r in rows[1:]}
    harriet = by_name["Harriet 2"]
    then, change = int(harriet[width]), int(harriet[width + 1])
    assert change == int(harriet[4]) - then
    assert change > 0  # became a broker since the snapshot
    assert _export(workspace, "--compare-to", str(history.pk)) == rows


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["brokers", "--compare-to", "Nope"], "--compare-to: no snapshot 'Nope'"),
        (
            ["people", "--compare-to", "Board, March 2025"],
            "--compare-to applies to brokers and partnerships only",
        ),
    ],
)
def test_export_csv_compare_to_refuses_bad_input(workspace, history, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("export_csv", *args, "--workspace", workspace.slug, stdout=io.StringIO())
