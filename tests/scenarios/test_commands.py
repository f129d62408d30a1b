"""`manage.py route` and `manage.py room`: the same answers as the pages, as CSV on stdout."""

import csv
import io

import pytest
from django.core.management import CommandError, call_command

from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def run(*args) -> tuple[list[list[str]], str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    text = out.getvalue()
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff")))), err.getvalue()


def test_route_prints_every_hop_of_every_route(fenwick):
    rows, _ = run("route", "--workspace", "north-fenwick", "--from", "AMIRA", "--to", "CHRIS")
    assert rows[0] == [
        "Route", "Hop", "From ref", "To ref", "Kind", "Strength", "Trust", "Hop reliability",
        "Route reliability", "From name", "To name", "To job title", "To organisation",
        "Observed on", "Stale", "Evidence",
    ]  # fmt: skip
    assert [row[:9] for row in rows[1:]] == [
        ["1", "1", "AMIRA", "BEA", "Collaborates with", "4", "4", "0.64", "0.64"],
        ["1", "2", "BEA", "CHRIS", "Trusted by", "5", "5", "1.0", "0.64"],
        ["2", "1", "AMIRA", "DAN", "Influences", "3", "", "0.36", "0.288"],
        ["2", "2", "DAN", "CHRIS", "Collaborates with", "5", "4", "0.8", "0.288"],
        ["3", "1", "AMIRA", "EVE", "Collaborates with", "5", "5", "0.5", "0.24"],
        ["3", "2", "EVE", "CHRIS", "Reports to", "4", "3", "0.48", "0.24"],
        ["4", "1", "AMIRA", "CHRIS", "Influences", "1", "2", "0.08", "0.08"],
    ]


def test_route_kinds_read_along_the_route(fenwick):
    # Recorded: Chris trusts Bea, Eve reports to Chris, Amira influences Chris and Dan.
    # Walked from Chris, each row reads From, Kind, To: "CHRIS Influenced by AMIRA".
    rows, _ = run("route", "--workspace", "north-fenwick", "--from", "CHRIS", "--to", "AMIRA")
    kinds = {(r[2], r[3]): r[4] for r in rows[1:]}
    assert kinds == {
        ("CHRIS", "BEA"): "Trusts",
        ("BEA", "AMIRA"): "Collaborates with",
        ("CHRIS", "DAN"): "Collaborates with",
        ("DAN", "AMIRA"): "Influenced by",
        ("CHRIS", "EVE"): "Reported to by",
        ("EVE", "AMIRA"): "Collaborates with",
        ("CHRIS", "AMIRA"): "Influenced by",
    }


def test_route_with_no_route_prints_the_header_and_says_why(fenwick):
    rows, err = run("route", "--workspace", "north-fenwick", "--from", "AMIRA", "--to", "CARA")
    assert rows == [rows[0]] and rows[0][0] == "Route"
    assert "No route from AMIRA to CARA" in err
    # As the page: which part of the map each side is in.
    assert "AMIRA is in a part of the map of 5 people, from " in err
    assert "CARA is in a part of the map of 2 people" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "NOBODY", "--to", "CHRIS"], "--from: no current person with ref 'NOBODY'"),
        (["--from", "AMIRA", "--to", "LARRY"], "--to: no current person with ref 'LARRY'"),
        (["--from", "AMIRA", "--to", "AMIRA"], "Choose two different people"),
    ],
)
def test_route_refuses_unknown_refs_by_name(fenwick, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("route", "--workspace", "north-fenwick", *args, stdout=io.StringIO())


def test_route_refuses_an_unknown_workspace(fenwick):
    with pytest.raises(CommandError, match="No workspace with slug 'nowhere'"):
        call_command("route", "--workspace", "nowhere", "--from", "A", "--to", "B")


def test_room_by_short_and_full_names(fenwick):
    rows, err = run(
        "room", "--workspace", "north-fenwick", "--organisation", "nf icb",
        "--organisation", "Fenwick County Council", "--organisation", "Carers",
    )  # fmt: skip
    header = rows[0]
    assert {"Ref", "Name", "Reaches"} <= set(header)
    reaches = header.index("Reaches")
    assert [(r[header.index("Ref")], r[reaches]) for r in rows[1:]] == [
        ("CHRIS", "Fenwick County Council; North Fenwick ICB"),
        ("CARA", "Fenwick Carers"),
    ]
    assert err == ""


def test_room_of_a_given_size_and_minimum_strength(fenwick):
    rows, _ = run(
        "room", "--workspace", "north-fenwick", "--organisation", "NF ICB",
        "--organisation", "FCC", "--organisation", "Carers", "--size", "1",
    )  # fmt: skip
    room = rows[0].index("Room")
    assert [(r[0], r[room]) for r in rows[1:]] == [
        ("CHRIS", "The smallest room"),
        ("CARA", "The smallest room"),
        ("CHRIS", "The best 1 seat"),
    ]
    rows, err = run(
        "room", "--workspace", "north-fenwick", "--organisation", "FCC", "--exclude", "DAN",
        "--exclude", "CHRIS", "--min-strength", "4",
    )  # fmt: skip
    assert rows[1:] == []
    assert "Cannot be reached: Fenwick County Council. Only people you asked to leave out" in err


def test_room_with_include_sector_and_tier(fenwick):
    rows, _ = run(
        "room", "--workspace", "north-fenwick", "--sector", "vcse", "--tier", "place",
        "--include", "BEA",
    )  # fmt: skip
    header = rows[0]
    must = {r[header.index("Ref")]: r[header.index("Must include")] for r in rows[1:]}
    # Bea (who reaches neither), then one person each for the place tier and the VCSE sector.
    assert must == {"AMIRA": "No", "BEA": "Yes", "CARA": "No"}
    how = {r[header.index("Ref")]: r[header.index("How they reach them")] for r in rows[1:]}
    vcse = "Voluntary and community sector (VCSE) (sector)"
    assert how["CARA"] == f"{vcse}: works there (Fenwick Carers)"
    assert how["BEA"] == ""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--organisation", "Nowhere Trust"], "No organisation called 'Nowhere Trust'"),
        (
            ["--organisation", "FHT", "--include", "NOBODY"],
            "--include: no current person with ref 'NOBODY'",
        ),
        (["--organisation", "FHT", "--size", "0"], "from 1 to 50"),
        (["--organisation", "FHT", "--min-strength", "7"], "from 1 to 5"),
        ([], "Name at least one --organisation"),
    ],
)
def test_room_refuses_what_it_cannot_find_by_name(fenwick, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("room", "--workspace", "north-fenwick", *args, stdout=io.StringIO())


def test_room_refuses_an_ambiguous_short_name_naming_the_candidates(fenwick):
    OrganisationFactory(
        workspace=fenwick.workspace, name="Fenwick Community Care", short_name="FCC"
    )
    with pytest.raises(
        CommandError, match="'FCC' could be any of: Fenwick Community Care, Fenwick County Council"
    ):
        call_command(
            "room", "--workspace", "north-fenwick", "--organisation", "FCC", stdout=io.StringIO()
        )
    # The full name is never ambiguous.
    rows, _ = run(
        "room", "--workspace", "north-fenwick", "--organisation", "Fenwick County Council"
    )
    assert [r[0] for r in rows[1:]] == ["AMIRA"]
