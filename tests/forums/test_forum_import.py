"""forums.csv and forum_members.csv in the import bundle: checked, all or nothing, upsert."""

import io

import pytest
from django.urls import reverse

from stakeholders.exports.tables import export_rows, write_csv
from stakeholders.imports import bundle
from stakeholders.models import Forum, ForumMembership, Person, Workspace

pytestmark = pytest.mark.django_db

ORGS = "name,kind,sector,tier\nNorthgate Hospital,acute trust,NHS,system\n"
PEOPLE = "ref,name,seniority,organisation\nP1,Ada Lane,director,Northgate Hospital\n"
PEOPLE2 = PEOPLE + "P2,Ben Moss,manager,Northgate Hospital\n"
FORUMS = "name,kind,tier,host\nFenwick Board,ICB board,system,Northgate Hospital\n"
SEATS = "forum,person,seat,start_date,end_date\nFenwick Board,P1,chair,2022-07-01,\n"


def run(files, slug="fenwick"):
    return bundle.bundle_import(workspace_slug=slug, files=files)


def test_a_bundle_with_forums_and_seats_is_written_with_history():
    plan = run(
        {
            "organisations.csv": ORGS,
            "people.csv": PEOPLE,
            "forums.csv": FORUMS,
            "forum_members.csv": SEATS,
        }
    )
    assert plan.ok, [str(e) for e in plan.errors]
    forum = Forum.objects.get(name="Fenwick Board")
    assert (forum.kind, forum.tier, forum.host.name) == (
        "icb_board",
        "system",
        "Northgate Hospital",
    )
    seat = ForumMembership.objects.get()
    assert (seat.person.ref, seat.seat, seat.start_date.isoformat()) == (
        "P1",
        "chair",
        "2022-07-01",
    )
    assert forum.history.count() == 1 and seat.history.count() == 1
    assert plan.summaries["forum_members.csv"].created == ["P1 on Fenwick Board"]


def test_importing_again_updates_by_forum_and_person():
    run({"organisations.csv": ORGS, "people.csv": PEOPLE, "forums.csv": FORUMS})
    run({"forum_members.csv": SEATS})
    plan = run({"forum_members.csv": "forum,person,seat\nFenwick Board,P1,participant\n"})
    assert plan.ok
    assert plan.summaries["forum_members.csv"].updated == ["P1 on Fenwick Board"]
    seat = ForumMembership.objects.get()
    # The dates were left out of the file, so they stay.
    assert (seat.seat, seat.start_date.isoformat(), seat.version) == (
        "participant",
        "2022-07-01",
        2,
    )


@pytest.mark.parametrize(
    ("files", "message"),
    [
        (
            {"forums.csv": "name,kind,tier\nBoard,council cabinet,system\n"},
            "forums.csv, row 2, column kind: ",
        ),
        (
            {"forums.csv": "name,kind,tier,host\nBoard,other,system,Nowhere\n"},
            "forums.csv, row 2, column host: there is no organisation 'Nowhere'",
        ),
        (
            {"forum_members.csv": "forum,person\nNo Such Board,P1\n"},
            "forum_members.csv, row 2, column forum: there is no forum 'No Such Board'",
        ),
        (
            {"forum_members.csv": "forum,person\nFenwick Board,P9\n"},
            "forum_members.csv, row 2, column person: there is no person with ref 'P9'",
        ),
        (
            {"forum_members.csv": "forum,person,seat\nFenwick Board,P1,observer\n"},
            "forum_members.csv, row 2, column seat: ",
        ),
        (
            {
                "forum_members.csv": "forum,person,start_date,end_date\n"
                "Fenwick Board,P1,2024-01-01,2023-01-01\n"
            },
            "forum_members.csv, row 2, column end_date: The end date cannot be before",
        ),
        (
            {"forum_members.csv": "forum,person\nFenwick Board,P1\nFenwick Board,P1\n"},
            "forum_members.csv, row 3, column forum: duplicate",
        ),
    ],
)
def test_bad_rows_are_named_and_nothing_is_written(files, message):
    run({"organisations.csv": ORGS, "people.csv": PEOPLE2, "forums.csv": FORUMS})
    before = (Forum.objects.count(), ForumMembership.objects.count())
    plan = run({**files, "people.csv": PEOPLE2 + "P3,Cy Dee,manager,Northgate Hospital\n"})
    assert not plan.ok
    assert any(str(e).startswith(message) for e in plan.errors), [str(e) for e in plan.errors]
    assert (Forum.objects.count(), ForumMembership.objects.count()) == before
    assert not Person.objects.filter(ref="P3").exists()


def csv_text(rows) -> str:
    out = io.StringIO()
    write_csv(rows, out)
    return out.getvalue()


def test_the_forum_exports_import_back_unchanged():
    run(
        {
            "organisations.csv": ORGS,
            "people.csv": PEOPLE,
            "forums.csv": FORUMS,
            "forum_members.csv": SEATS,
        }
    )
    ws = Workspace.objects.get(slug="fenwick")
    forums = csv_text(export_rows("forum-list", workspace=ws, run=None))
    seats = csv_text(export_rows("forum-members", workspace=ws, run=None))
    assert (
        forums.lstrip("\ufeff").splitlines()[1]
        == "Fenwick Board,ICB board,System,Northgate Hospital"
    )
    assert seats.lstrip("\ufeff").splitlines()[1] == "Fenwick Board,P1,Chair,2022-07-01,"
    plan = run({"forums.csv": forums, "forum_members.csv": seats})
    assert plan.ok, [str(e) for e in plan.errors]
    assert plan.summaries["forums.csv"].unchanged == ["Fenwick Board"]
    assert plan.summaries["forum_members.csv"].unchanged == ["P1 on Fenwick Board"]
    copy = run(
        {
            "organisations.csv": ORGS,
            "people.csv": PEOPLE,
            "forums.csv": forums,
            "forum_members.csv": seats,
        },
        slug="fenwick-copy",
    )
    assert copy.ok
    copied = Workspace.objects.get(slug="fenwick-copy")
    assert csv_text(export_rows("forum-members", workspace=copied, run=None)) == seats


def test_the_forum_downloads_and_notes(client, workspace, viewer, forum_map):
    client.force_login(viewer)
    for kind in ("forum-list", "forum-members"):
        url = reverse("stakeholders:export_csv", kwargs={"slug": workspace.slug, "kind": kind})
        response = client.get(url)
        assert response.status_code == 200
        assert f"north-fenwick-{kind}-" in response["Content-Disposition"]
        notes = reverse("stakeholders:export_notes", kwargs={"slug": workspace.slug, "kind": kind})
        assert (
            "import_map reads this file back as"
            in b"".join(client.get(notes).streaming_content).decode()
        )
