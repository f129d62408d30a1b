"""export_csv --snapshot, --as-of and --formal: the pages' ?snapshot=, ?as_of= and ?layer=formal."""

import datetime
import html
import io
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from stakeholders import score_runs
from stakeholders.forums.reads import seats_and_influence
from stakeholders.models import Forum, ForumMembership, Person, Snapshot
from tests.snapshots.test_compare_views import D, history  # noqa: F401 - the fixture

KINDS = ["brokers", "scores", "partnerships", "key-people"]


def command(workspace, kind: str, *args: str) -> str:
    out = io.StringIO()
    call_command(
        "export_csv", kind, "--workspace", workspace.slug, *args, stdout=out, stderr=io.StringIO()
    )
    return out.getvalue()


def download(client, workspace, kind: str, query: str) -> str:
    path = reverse("stakeholders:export_csv", kwargs={"slug": workspace.slug, "kind": kind})
    response = client.get(f"{path}?{query}")
    assert response.status_code == 200
    return b"".join(response.streaming_content).decode()


@pytest.mark.parametrize("kind", KINDS)
def test_a_snapshots_scores_are_the_pages_download(client, workspace, viewer, history, kind):  # noqa: F811
    client.force_login(viewer)
    frozen = command(workspace, kind, "--snapshot", "Board, March 2025")
    assert frozen == download(client, workspace, kind, f"snapshot={history.pk}")
    assert command(workspace, kind, "--snapshot", str(history.pk)) == frozen
    assert frozen != command(workspace, kind)  # Harriet 2's tie came after the snapshot


@pytest.mark.parametrize("kind", KINDS)
def test_scores_as_of_a_date_are_the_pages_download(client, workspace, viewer, history, kind):  # noqa: F811
    """Not stored yet, they are worked out by the command, as a worker would for the page."""
    client.force_login(viewer)
    dated = command(workspace, kind, "--as-of", D.isoformat())
    assert dated == download(client, workspace, kind, f"as_of={D.isoformat()}")
    assert dated != command(workspace, kind)
    assert command(workspace, kind, "--as-of", D.isoformat()) == dated  # stored now


@pytest.mark.parametrize("kind", KINDS)
def test_informal_and_formal_scores_are_the_pages_download(
    client,
    workspace,
    viewer,
    history,  # noqa: F811
    kind,
):
    """A forum seats Harriet 0 beside Harriet 4: a formal tie the informal map lacks."""
    forum = Forum.objects.create(workspace=workspace, name="Board", kind="icb_board", tier="system")
    for ref in ("H0", "H4"):
        ForumMembership.objects.create(forum=forum, person=Person.objects.get(ref=ref))
    score_runs.score_run_execute(workspace_id=workspace.pk)
    client.force_login(viewer)
    formal = command(workspace, kind, "--formal")  # worked out here
    assert formal == download(client, workspace, kind, "layer=formal")
    assert formal != command(workspace, kind)


@pytest.fixture
def seat_until_the_board(workspace, history):  # noqa: F811
    """Harriet 2 sat on the ICB board until the day after D: a seat then, none today."""
    forum = Forum.objects.create(workspace=workspace, name="Board", kind="icb_board", tier="system")
    ForumMembership.objects.create(
        forum=forum, person=Person.objects.get(ref="H2"), end_date=D + datetime.timedelta(1)
    )
    score_runs.score_run_execute(workspace_id=workspace.pk)
    return history


def forums_download(client, workspace, query: str) -> tuple[str, str]:
    """The Seats and influence download as its page links to it: (file name, text)."""
    page = client.get(reverse("stakeholders:forums", kwargs={"slug": workspace.slug}) + query)
    link = re.search(r'href="([^"]*/forums\.csv[^"]*)"', page.content.decode())[1]
    response = client.get(html.unescape(link))
    assert response.status_code == 200
    name = re.search(r'filename="([^"]+)"', response["Content-Disposition"])[1]
    return name, b"".join(response.streaming_content).decode()


def test_seats_and_influence_on_a_date_is_the_pages_download(
    client, workspace, viewer, seat_until_the_board
):
    """The page on a date counts the seats held that day; its download link keeps the
    date, and `export_csv forums --as-of` prints the same table."""
    client.force_login(viewer)
    page = client.get(
        reverse("stakeholders:forums", kwargs={"slug": workspace.slug}) + f"?as_of={D}"
    ).content.decode()
    assert "Members on 31 March 2025</dt>" in page
    name, dated = forums_download(client, workspace, f"?as_of={D}")
    assert f"as-of-{D.isoformat()}" in name
    assert "Harriet 2" in dated
    assert command(workspace, "forums", "--as-of", D.isoformat()) == dated
    _, today = forums_download(client, workspace, "")
    assert "Harriet 2" not in today and today == command(workspace, "forums")


def test_seats_on_a_date_are_that_days_while_its_scores_are_worked_out(
    workspace, seat_until_the_board
):
    """The page shows progress until the day's scores come; the seats it lists
    meanwhile are that day's, not today's."""
    page = seats_and_influence(workspace=workspace, run=None, on=D)
    (board,) = page.forums
    assert page.day == D and [m.name for m in board.members] == ["Harriet 2"]
    assert seats_and_influence(workspace=workspace, run=None).forums[0].members == []


def test_seats_and_influence_of_a_snapshot_is_the_pages_download(
    client, workspace, viewer, seat_until_the_board
):
    client.force_login(viewer)
    snapshot = seat_until_the_board
    name, frozen = forums_download(client, workspace, f"?snapshot={snapshot.pk}")
    assert f"snapshot-{D.isoformat()}" in name
    assert "Harriet 2" in frozen
    assert command(workspace, "forums", "--snapshot", "Board, March 2025") == frozen


def test_output_dir_names_the_scores_in_the_file(workspace, history, tmp_path):  # noqa: F811
    call_command(
        "export_csv", "brokers", "--workspace", workspace.slug, "--snapshot", str(history.pk),
        "--output-dir", str(tmp_path), stdout=io.StringIO(), stderr=io.StringIO(),
    )  # fmt: skip
    (data,) = [p.name for p in tmp_path.iterdir() if not p.name.endswith("-notes.csv")]
    assert data.startswith(f"{workspace.slug}-brokers-organisation-snapshot-{D.isoformat()}-")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["brokers", "--snapshot", "Nope"], "--snapshot: no snapshot 'Nope' in 'north-fenwick'"),
        (["brokers", "--snapshot", "\u0661"], "--snapshot: no snapshot '\u0661'"),  # not 1
        (["people", "--snapshot", "1"], "--snapshot applies to the scored tables and forums only"),
        (["forums", "--formal"], "--formal applies to the scored tables only"),
        (
            ["brokers", "--snapshot", "Board, March 2025", "--as-of", "2025-01-01"],
            "--snapshot holds its own scores",
        ),
        (
            ["brokers", "--as-of", "2025-01-01", "--compare-to", "Board, March 2025"],
            "--compare-to compares today's scores",
        ),
        (["brokers", "--as-of", "2999-01-01"], "--as-of: 2999-01-01 is still to come"),
    ],
)
def test_bad_choices_are_refused_naming_the_option(workspace, history, args, message):  # noqa: F811
    with pytest.raises(CommandError, match=message):
        call_command("export_csv", *args, "--workspace", workspace.slug, stdout=io.StringIO())


def test_a_snapshot_still_being_taken_has_no_scores(workspace, history):  # noqa: F811
    Snapshot.objects.filter(pk=history.pk).update(run=None, status="queued")
    with pytest.raises(CommandError, match="--snapshot: snapshot 'Board, March 2025' has no"):
        call_command(
            "export_csv", "brokers", "--workspace", workspace.slug, "--snapshot", str(history.pk),
            stdout=io.StringIO(),
        )  # fmt: skip
