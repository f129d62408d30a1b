"""Command-line exports: board-ready CSVs, re-importable data files and graph files."""

import csv
import datetime
import io
import random
from pathlib import Path

import networkx as nx
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from stakeholders import demo, score_runs, selectors
from stakeholders.exports import tables as exports
from stakeholders.exports.tables import (
    BROKERS_HEADER,
    PARTNERSHIPS_HEADER,
    export_rows,
    main_brokerage_role,
    notes_rows,
)
from stakeholders.management.commands.seed_demo import workspace_populate
from stakeholders.models import (
    Affiliation,
    Organisation,
    PairScore,
    Person,
    PersonScore,
    Relationship,
    Workspace,
)
from stakeholders.retention import stale_cutoff
from stakeholders.snapshots.comparison import brokers_change_rows
from tests.factories import (
    AffiliationFactory,
    OrganisationFactory,
    PersonFactory,
    RelationshipFactory,
    WorkspaceFactory,
)

HOSTILE = {
    "R00": '=HYPERLINK("http://evil.example","click")',
    "R01": "+1",
    "R02": "@SUM(A1:A9)",
    "R03": "-2",
    "R04": "\tTabbed",
    "R05": "Zoë Ångström, MBE",
    "R06": "مريم الحسن",
    "R07": "Priya 🙂 Patel",
    "R08": '<script>alert("x")</script> & "Sons"',
}


def _map(workspace, *, size: int, seed: int = 7) -> list[Person]:
    """Three organisations in three sectors and `size` people with random ties."""
    rng = random.Random(seed)
    parent = OrganisationFactory(
        workspace=workspace, name="Fenwick Hospitals", sector="nhs", ods_code="RX1"
    )
    orgs = [
        parent,
        OrganisationFactory(
            workspace=workspace, name="Conseil Général, Nord", sector="local_government",
            tier="place", kind="county_council",
        ),
        OrganisationFactory(
            workspace=workspace, name="Fenwick Carers", sector="vcse", tier="neighbourhood",
            kind="vcse", parent=parent,
        ),
    ]  # fmt: skip
    people = []
    for i in range(size):
        person = PersonFactory(
            workspace=workspace, ref=f"R{i:02d}", name=HOSTILE.get(f"R{i:02d}", f"Person {i:02d}")
        )
        AffiliationFactory(person=person, organisation=orgs[i % 3], role_title=f"Role {i}")
        people.append(person)
    pairs = set()
    while len(pairs) < size * 2:
        a, b = rng.sample(people[: size - 1], 2)  # the last person is an isolate
        pairs.add((a, b, rng.choice(["collaborates", "trusts", "reports_to", "influences"])))
    for a, b, kind in sorted(pairs, key=lambda p: (p[0].ref, p[1].ref, p[2])):
        RelationshipFactory(
            source=a, target=b, kind=kind, strength=rng.randint(1, 5),
            trust=rng.choice([None, 2, 4]), evidence="+44 7700 900123",
        )  # fmt: skip
    # Building the fixture queued a recompute in the test's transaction; start clean.
    transaction.get_connection().run_on_commit.clear()
    return people


@pytest.fixture
def small_map(workspace):
    return _map(workspace, size=12)


@pytest.fixture
def scored(workspace, small_map):
    score_runs.score_run_execute(workspace_id=workspace.pk)
    return small_map


def _export(tmp_path: Path, kind: str, *args: str) -> list[list[str]]:
    target = tmp_path / f"{kind}.csv"
    call_command("export_csv", kind, "--workspace", "north-fenwick", "--output", target, *args)
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def _records(rows: list[list[str]]) -> list[dict[str, str]]:
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


# --- brokers -------------------------------------------------------------------


def test_main_brokerage_role():
    zero = dict.fromkeys(exports.BROKERAGE_ROLES, 0)
    assert main_brokerage_role(zero) == ""
    assert main_brokerage_role({**zero, "coordinator": 1}) == "Coordinator"
    assert main_brokerage_role({**zero, "itinerant": 3, "gatekeeper": 4}) == "Gatekeeper"
    # Ties go to the earlier role: liaison, gatekeeper, representative, itinerant, coordinator.
    assert main_brokerage_role({**zero, "coordinator": 5, "representative": 5}) == "Representative"
    assert main_brokerage_role(dict.fromkeys(exports.BROKERAGE_ROLES, 2)) == "Liaison"


def test_brokers_export(workspace, scored, tmp_path):
    rows = _export(tmp_path, "brokers", "--boundary", "sector")
    assert tuple(rows[0]) == BROKERS_HEADER + exports.ADDED_COLUMNS["brokers"]
    records = _records(rows)
    assert len(records) == 12
    assert [r["Rank"] for r in records] == [str(n) for n in range(1, 13)]
    stored = {
        exports.safe_cell(s.person.name): s
        for s in PersonScore.objects.filter(boundary="sector").select_related("person")
    }
    scores = [int(r["Broker score"]) for r in records]  # whole numbers
    assert scores == sorted(scores, reverse=True)
    for record in records:
        score = stored[record["Name"]]
        assert int(record["Broker score"]) == round(score.broker_score)
        counts = {role: getattr(score, role) for role in exports.BROKERAGE_ROLES}
        assert record["Main brokerage role"] == main_brokerage_role(counts)
        assert record["Why"] == score.why
        assert record["Job title"] == "Programme manager"
        # The page's other columns, at full precision.
        assert record["Cross-boundary roles"] == str(score.cross_roles)
        assert record["Groups reached"] == str(score.groups_reached)
        for column, value in (
            ("Boundary betweenness", score.boundary_betweenness),
            ("Constraint", score.constraint),
            ("Influence percentile", score.influence_percentile),
        ):
            assert record[column] == ("" if value is None else repr(value)), column
    by_name = {r["Name"]: r for r in records}
    assert by_name["Priya 🙂 Patel"]["Organisation"] == "Conseil Général, Nord"
    assert by_name["Person 11"]["Main brokerage role"] == ""  # the isolate brokers no one
    assert {r["Main brokerage role"] for r in records} - {""}  # someone brokers


def _organisations_named(workspace, people, tmp_path) -> dict[str, dict[str, str]]:
    """Ref -> the Organisation column, in each scored download of the current run and in
    the scored graph file."""
    names = {n: p.ref for p in people for n in (p.name, exports.safe_cell(p.name))}
    run = selectors.current_run(workspace_id=workspace.pk)
    tables = {
        kind: _records(_export(tmp_path, kind)) for kind in ("brokers", "scores", "key-people")
    }
    compared = brokers_change_rows(run=run, then=run, boundary="organisation")
    tables["brokers --compare-to"] = [
        dict(zip(BROKERS_HEADER, row[: len(BROKERS_HEADER)], strict=True))
        for row in list(compared)[1:]
    ]
    named = {
        kind: {names[r["Name"]]: r["Organisation"] for r in records}
        for kind, records in tables.items()
    }
    target = tmp_path / "map.graphml"
    call_command(
        "export_graph", "--workspace", workspace.slug, "--format", "graphml", "--output", target
    )
    nodes = dict(nx.read_graphml(target).nodes(data=True))
    named["graph"] = {ref: attrs.get("organisation", "") for ref, attrs in nodes.items()}
    return named


def test_a_main_role_that_has_ended_is_no_organisation_in_the_scored_tables(
    workspace, small_map, tmp_path
):
    """The scores group people by the main role in force on the run's day; the
    downloads name that organisation, or none, as the pages do (not the old one)."""
    left = Affiliation.objects.get(person__ref="R01")
    left.end_date = datetime.date.today() - datetime.timedelta(days=1)
    left.save()
    transaction.get_connection().run_on_commit.clear()
    score_runs.score_run_execute(workspace_id=workspace.pk)
    for kind, organisation in _organisations_named(workspace, small_map, tmp_path).items():
        assert not organisation["R01"], kind
        assert organisation["R04"] == "Conseil Général, Nord", kind


def test_scored_tables_name_the_organisation_the_run_grouped_people_by(workspace, scored, tmp_path):
    """A main role edited in place, or an organisation deleted, after a run: that run's
    downloads still name where its scores placed people, as its pages do, and the
    scores table's sector and tier are that organisation's then."""
    moved = Affiliation.objects.get(person__ref="R04")
    moved.organisation = Organisation.objects.get(name="Fenwick Carers")
    moved.save()
    Organisation.objects.filter(name="Conseil Général, Nord").update(sector="nhs")
    Organisation.objects.get(name="Fenwick Hospitals").delete()
    transaction.get_connection().run_on_commit.clear()
    for kind, organisation in _organisations_named(workspace, scored, tmp_path).items():
        assert organisation["R04"] == "Conseil Général, Nord", kind
        assert organisation["R00"] == "Fenwick Hospitals", kind  # deleted since
        assert organisation["R02"] == "Fenwick Carers", kind
    scores = {r["Ref"]: r for r in _records(_export(tmp_path, "scores"))}
    assert (scores["R07"]["Sector"], scores["R07"]["Tier"]) == ("Local government", "Place")
    # Someone added since the run has no scores, and no organisation in them.
    person = PersonFactory(workspace=workspace, ref="R99", name="Newcomer")
    AffiliationFactory(person=person, organisation=Organisation.objects.get(name="Fenwick Carers"))
    transaction.get_connection().run_on_commit.clear()
    assert "R99" not in {r["Ref"] for r in _records(_export(tmp_path, "scores"))}


# --- partnerships --------------------------------------------------------------


def test_partnerships_export_uses_organisation_names(workspace, scored, tmp_path):
    rows = _export(tmp_path, "partnerships")
    assert tuple(rows[0]) == PARTNERSHIPS_HEADER
    records = _records(rows)
    pairs = PairScore.objects.filter(boundary="organisation")
    assert len(records) == pairs.count() > 0
    names = set(Organisation.objects.values_list("name", flat=True))
    assert {r["Group A"] for r in records} | {r["Group B"] for r in records} <= names
    person_names = dict(Person.objects.values_list("pk", "name"))
    for pair in pairs:
        a = Organisation.objects.get(pk=int(pair.group_a)).name
        b = Organisation.objects.get(pk=int(pair.group_b)).name
        (record,) = [r for r in records if (r["Group A"], r["Group B"]) == (a, b)]
        assert int(record["Relationships"]) == pair.relationships
        assert int(record["Ties A to B"]) == pair.arcs_a_to_b
        assert float(record["Mean strength"]) == round(pair.mean_strength, 2)
        assert float(record["Reciprocity"]) == round(pair.reciprocity, 2)
        spof = "Yes" if pair.single_point_of_failure else "No"
        assert record["Single point of failure"] == spof
        expected = "; ".join(sorted(person_names[pk] for pk in pair.failure_people))
        assert record["Failure people"] == exports.safe_cell(expected)
    # The fragile ones first, then most relationships first, as the page lists them.
    order = [(r["Single point of failure"] != "Yes", -int(r["Relationships"])) for r in records]
    assert order == sorted(order)


def test_partnerships_export_uses_sector_labels(workspace, scored, tmp_path):
    records = _records(_export(tmp_path, "partnerships", "--boundary", "sector"))
    labels = {r["Group A"] for r in records} | {r["Group B"] for r in records}
    assert labels == {"NHS", "Local government", "Voluntary and community sector (VCSE)"}


# --- data exports --------------------------------------------------------------


def test_people_export(workspace, small_map, tmp_path):
    small_map[3].active = False
    small_map[3].notes = "Private remark about health"
    small_map[3].save()
    rows = _export(tmp_path, "people")
    # The contracted columns first, exactly; Active after them.
    assert rows[0] == [
        "Ref", "Name", "Job title", "Seniority", "Organisation", "Role title", "Active",
    ]  # fmt: skip
    assert rows[6] == [
        "R05", "Zoë Ångström, MBE", "Programme manager", "Manager", "Fenwick Carers", "Role 5",
        "Yes",
    ]  # fmt: skip
    assert len(rows) == 13
    assert [r["Active"] for r in _records(rows) if r["Ref"] in ("R03", "R04")] == ["No", "Yes"]
    assert "Private remark" not in (tmp_path / "people.csv").read_text("utf-8-sig")
    assert _export(tmp_path, "people", "--extra-columns")[0] == rows[0]


def test_people_notes_are_exported_only_on_request(workspace, small_map, tmp_path):
    small_map[3].notes = "Private remark about health\n-second line"
    small_map[3].save()
    rows = _export(tmp_path, "people", "--with-notes")
    assert rows[0][-2:] == ["Active", "Notes"]
    notes = {r["Ref"]: r["Notes"] for r in _records(rows)}
    assert notes["R03"] == "Private remark about health\n-second line"
    assert notes["R04"] == ""
    with pytest.raises(CommandError, match="--with-notes applies to people only"):
        call_command("export_csv", "relationships", "--workspace", workspace.slug, "--with-notes")
    notes_file = tmp_path / "people-notes.csv"
    _export(tmp_path, "people", "--with-notes", "--notes", notes_file)
    assert ",Notes," in notes_file.read_text("utf-8-sig")


def test_organisations_export(workspace, small_map, tmp_path):
    rows = _export(tmp_path, "organisations")
    assert rows == [
        ["Name", "Short name", "Kind", "Sector", "Tier", "Parent", "ODS code"],
        ["Conseil Général, Nord", rows[1][1], "County council", "Local government", "Place", "",
         ""],
        ["Fenwick Carers", rows[2][1], "Voluntary or community organisation (VCSE)",
         "Voluntary and community sector (VCSE)", "Neighbourhood", "Fenwick Hospitals", ""],
        ["Fenwick Hospitals", rows[3][1], "Acute trust", "NHS", "System", "", "RX1"],
    ]  # fmt: skip
    extra = _records(_export(tmp_path, "organisations", "--extra-columns"))
    assert [r["People"] for r in extra] == ["4", "4", "4"]


def test_relationships_and_affiliations_export(workspace, small_map, tmp_path):
    tie = Relationship.objects.order_by("source__ref", "target__ref", "kind").first()
    tie.observed_on = datetime.date(2026, 3, 9)
    tie.save()
    rows = _export(tmp_path, "relationships", "--extra-columns")
    assert rows[0] == [
        "Source", "Target", "Kind", "Strength", "Trust", "Observed on", "Evidence", "Stale",
        "Start date", "End date", "Source name", "Target name",
        "Provenance", "Survey", "Reported on", "Confirmed",
    ]  # fmt: skip
    assert len(rows) == Relationship.objects.count() + 1
    first = _records(rows)[0]
    assert first["Source"] == tie.source.ref and first["Target"] == tie.target.ref
    assert first["Kind"] == tie.get_kind_display()
    assert first["Strength"] == str(tie.strength)  # a number, not '3
    assert first["Trust"] == ("" if tie.trust is None else str(tie.trust))
    assert first["Observed on"] == "2026-03-09"
    assert first["Evidence"] == "'+44 7700 900123"
    Affiliation.objects.filter(person__ref="R01").update(start_date=datetime.date(2024, 4, 1))
    affiliations = _records(_export(tmp_path, "affiliations"))
    assert affiliations[1] == {
        "Person": "R01", "Organisation": "Conseil Général, Nord", "Role title": "Role 1",
        "Start date": "2024-04-01", "End date": "",
    }  # fmt: skip


def _stale_by_tie(rows: list[list[str]]) -> dict[tuple[str, str], str]:
    return {(r["Source"], r["Target"]): r["Stale"] for r in _records(rows)}


def test_relationships_export_marks_stale_ties(workspace, small_map, tmp_path):
    today = datetime.date.today()
    a, b, c, d = small_map[:4]
    Relationship.objects.update(observed_on=today)
    Relationship.objects.filter(source=d).delete()
    RelationshipFactory(source=d, target=a, observed_on=today - datetime.timedelta(days=400))
    RelationshipFactory(source=d, target=b, observed_on=today - datetime.timedelta(days=300))
    RelationshipFactory(source=d, target=c, observed_on=None)
    workspace.retention_months = 12
    workspace.save()
    notes = tmp_path / "relationships-notes.csv"
    rows = _export(tmp_path, "relationships", "--notes", notes)
    assert rows[0][7] == "Stale"
    stale = _stale_by_tie(rows)
    assert stale[("R03", "R00")] == "Yes"  # observed over a year ago
    assert stale[("R03", "R01")] == "No"  # within the year
    assert stale[("R03", "R02")] == "No"  # date unknown: never stale
    assert list(stale.values()).count("Yes") == 1
    about = {
        item: meaning
        for section, item, meaning in csv.reader(io.StringIO(notes.read_text("utf-8-sig")))
        if section == "About"
    }
    cutoff = stale_cutoff(workspace, today)
    assert about["Retention"] == (
        f"12 months: relationships last observed before {cutoff.isoformat()} are marked stale"
    )

    workspace.retention_months = None
    workspace.save()
    rows = _export(tmp_path, "relationships", "--notes", notes)
    assert set(_stale_by_tie(rows).values()) == {"No"}
    assert "Retention,Off: no relationship is marked stale" in notes.read_text("utf-8-sig")


def test_stale_is_worked_out_as_of_the_day_given(workspace, small_map):
    Relationship.objects.filter(source=small_map[3]).delete()
    RelationshipFactory(
        source=small_map[3], target=small_map[0], observed_on=datetime.date(2024, 6, 1)
    )
    workspace.retention_months = 24
    rows = list(
        export_rows("relationships", workspace=workspace, run=None, today=datetime.date(2026, 6, 1))
    )
    tie = next(r for r in rows if r[:2] == ("R03", "R00"))
    assert tie[7] is False
    rows = list(
        export_rows("relationships", workspace=workspace, run=None, today=datetime.date(2026, 6, 2))
    )
    tie = next(r for r in rows if r[:2] == ("R03", "R00"))
    assert tie[7] is True


# --- safety, empties, errors ---------------------------------------------------


def test_hostile_cells_are_escaped_and_text_survives(workspace, scored, tmp_path):
    for kind in ("people", "brokers", "scores"):
        names = {r["Name"] for r in _records(_export(tmp_path, kind))}
        assert '\'=HYPERLINK("http://evil.example","click")' in names
        assert {"'+1", "'@SUM(A1:A9)", "'-2", "'\tTabbed"} <= names
        assert {"Zoë Ångström, MBE", "مريم الحسن", "Priya 🙂 Patel"} <= names
        assert '<script>alert("x")</script> & "Sons"' in names
    scores = _records(_export(tmp_path, "scores"))
    assert all(not r["Betweenness"].startswith("'") for r in scores)
    assert all(float(r["Betweenness"]) >= 0 for r in scores)


def test_empty_workspace_exports_headers_only(workspace, tmp_path):
    for kind in exports.DATA_KINDS:
        assert _export(tmp_path, kind) == [list(exports.header(kind))]
    score_runs.score_run_execute(workspace_id=workspace.pk)
    for kind in exports.SCORE_KINDS:
        assert _export(tmp_path, kind) == [list(exports.header(kind))]


def test_score_kinds_need_scores_data_kinds_do_not(workspace, small_map, tmp_path):
    for kind in exports.SCORE_KINDS:
        with pytest.raises(CommandError, match="no scores yet: run `python manage.py score"):
            call_command("export_csv", kind, "--workspace", workspace.slug)
    assert len(_export(tmp_path, "people")) == 13
    with pytest.raises(CommandError, match="No workspace with slug 'nowhere'"):
        call_command("export_csv", "people", "--workspace", "nowhere")
    with pytest.raises(CommandError, match="--extra-columns applies to"):
        call_command("export_csv", "brokers", "--workspace", workspace.slug, "--extra-columns")


def test_stdout_export(workspace, small_map):
    out = io.StringIO()
    call_command("export_csv", "organisations", "--workspace", workspace.slug, stdout=out)
    assert out.getvalue().startswith("\ufeffName,Short name,Kind")


def test_failed_export_leaves_no_file(workspace, small_map, tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        yield exports.PEOPLE_HEADER
        raise RuntimeError("database went away")

    monkeypatch.setattr(exports, "people_rows", broken)
    target = tmp_path / "people.csv"
    with pytest.raises(RuntimeError):
        call_command("export_csv", "people", "--workspace", workspace.slug, "--output", target)
    assert list(tmp_path.iterdir()) == []


# --- notes and file names ------------------------------------------------------


def test_notes_file_and_output_dir(workspace, scored, tmp_path):
    notes = tmp_path / "notes.csv"
    rows = _export(tmp_path, "brokers", "--boundary", "tier", "--notes", notes)
    assert tuple(rows[0]) == exports.header("brokers")  # the data file stays clean
    lines = list(csv.reader(io.StringIO(notes.read_text("utf-8-sig"), newline="")))
    about = {item: meaning for section, item, meaning in lines[1:] if section == "About"}
    assert about["Workspace"] == "North Fenwick ICS (slug: north-fenwick)"
    assert about["Boundary"] == "Groups are tiers"
    run = selectors.current_run(workspace_id=workspace.pk)
    assert about["Scores as of"].startswith(run.finished_at.date().isoformat())
    assert about["Filters"].startswith("Relationship kinds: all; minimum strength: 1")
    datetime.datetime.fromisoformat(about["Data as of"])
    columns = [item for section, item, _ in lines[1:] if section == "Column"]
    assert tuple(columns) == exports.header("brokers")

    out = tmp_path / "out"
    out.mkdir()
    call_command("export_csv", "people", "--workspace", workspace.slug, "--output-dir", out)
    today = datetime.date.today().isoformat()
    assert sorted(p.name for p in out.iterdir()) == [
        f"north-fenwick-people-{today}-notes.csv",
        f"north-fenwick-people-{today}.csv",
    ]
    people_notes = (out / f"north-fenwick-people-{today}-notes.csv").read_text("utf-8-sig")
    assert "Not used: this export holds recorded data only" in people_notes


def test_every_column_is_defined(db):
    # The notes state completeness (issue #15), read from the database.
    ws = Workspace.objects.create(name="W", slug="w")
    for kind in (*exports.SCORE_KINDS, *exports.DATA_KINDS):
        for extras in (False, True) if kind in exports.DATA_KINDS else (False,):
            for with_notes in (False, True) if kind == "people" else (False,):
                rows = list(
                    notes_rows(kind, workspace=ws, run=None, extras=extras, with_notes=with_notes)
                )
                columns = [item for section, item, _ in rows if section == "Column"]
                assert tuple(columns) == exports.header(kind, extras=extras, with_notes=with_notes)
                assert all(meaning for section, _, meaning in rows[1:] if section == "Column")


# --- query counts --------------------------------------------------------------

QUERIES = {
    "brokers": 2,  # organisation names, scores
    "scores": 2,
    "partnerships": 3,  # organisation names, people names, pairs
    "people": 1,
    "organisations": 1,
    "affiliations": 1,
    "relationships": 1,
}


@pytest.mark.parametrize("size", [6, 60])
def test_query_counts_are_fixed(size, db, django_assert_num_queries, monkeypatch):
    workspace = WorkspaceFactory(slug=f"size-{size}")
    _map(workspace, size=size, seed=size)
    score_runs.score_run_execute(workspace_id=workspace.pk)
    run = selectors.current_run(workspace_id=workspace.pk)
    monkeypatch.setattr(exports, "CHUNK_SIZE", 7)  # many chunks, still one query each
    for kind, count in QUERIES.items():
        for extras in (False, True) if kind in exports.DATA_KINDS else (False,):
            with django_assert_num_queries(count):
                rows = list(export_rows(kind, workspace=workspace, run=run, extras=extras))
            assert len(rows) > 1
    for lines in (exports.gexf_lines, exports.graphml_lines):
        with django_assert_num_queries(3):  # organisation names, people, ties
            list(lines(workspace=workspace, run=run, boundary="organisation"))


# --- round trip ----------------------------------------------------------------


def _snapshot(workspace) -> dict[str, list[tuple]]:
    return {
        "organisations": sorted(
            Organisation.objects.filter(workspace=workspace).values_list(
                "name", "short_name", "kind", "sector", "tier", "parent__name", "ods_code"
            )
        ),
        "people": sorted(
            Person.objects.filter(workspace=workspace).values_list(
                "ref", "name", "job_title", "seniority"
            )
        ),
        "affiliations": sorted(
            Affiliation.objects.filter(person__workspace=workspace).values_list(
                "person__ref",
                "organisation__name",
                "role_title",
                "is_primary",
                "start_date",
                "end_date",
            )  # fmt: skip
        ),
        "relationships": sorted(
            Relationship.objects.filter(source__workspace=workspace).values_list(
                "source__ref",
                "target__ref",
                "kind",
                "strength",
                "trust",
                "observed_on",
                "evidence",
            ),  # fmt: skip
            key=repr,
        ),
    }


def test_round_trip_through_import_map(db, tmp_path):
    original = WorkspaceFactory(slug="demo-original")
    workspace_populate(workspace=original, dataset=demo.demo_dataset(), history=False)
    bundle = tmp_path / "bundle"
    bundle.mkdir()
    for kind in exports.DATA_KINDS:
        call_command(
            "export_csv", kind, "--workspace", original.slug, "--output", bundle / f"{kind}.csv"
        )
    call_command("import_map", bundle, "--workspace", "demo-copy", stdout=io.StringIO())
    copy = Workspace.objects.get(slug="demo-copy")
    before, after = _snapshot(original), _snapshot(copy)
    assert all(before.values())
    assert after == before


# --- graph files ---------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["gexf", "graphml"])
def test_export_graph(fmt, workspace, scored, tmp_path):
    scored[9].name = "Control\x01char"
    scored[9].save()
    workspace.retention_months = 1
    workspace.save()
    old = Relationship.objects.order_by("pk").first()
    old.observed_on = datetime.date.today() - datetime.timedelta(days=90)
    old.save()
    Relationship.objects.exclude(pk=old.pk).update(observed_on=datetime.date.today())
    target = tmp_path / f"map.{fmt}"
    call_command(
        "export_graph", "--workspace", workspace.slug, "--format", fmt, "--boundary", "sector",
        "--output", target,
    )  # fmt: skip
    graph = nx.read_gexf(target) if fmt == "gexf" else nx.read_graphml(target)
    assert graph.number_of_nodes() == 12
    assert graph.number_of_edges() == Relationship.objects.count()
    nodes = dict(graph.nodes(data=True))
    for ref, name in HOSTILE.items():
        assert nodes[ref]["name"] == name
    assert nodes["R09"]["name"] == "Controlchar"
    assert nodes["R07"]["organisation"] == "Conseil Général, Nord"
    assert nodes["R07"]["sector"] == "Local government"
    assert nodes["R05"]["tier"] == "Neighbourhood"
    stored = PersonScore.objects.get(person=scored[5], boundary="sector")
    assert nodes["R05"]["broker_score"] == pytest.approx(stored.broker_score)
    assert nodes["R05"]["liaison"] == stored.liaison
    assert nodes["R05"]["hidden_influencer"] is stored.hidden_influencer
    tie = Relationship.objects.filter(trust__isnull=False).select_related("source", "target")[0]
    edges = graph.get_edge_data(tie.source.ref, tie.target.ref).values()
    (edge,) = [e for e in edges if e["kind"] == tie.kind]
    assert edge["strength"] == tie.strength and edge["trust"] == tie.trust
    assert edge["observed_on"] == tie.observed_on.isoformat()
    stale = {
        (source, target, data["kind"]): data["stale"]
        for source, target, data in graph.edges(data=True)
    }
    assert stale.pop((old.source.ref, old.target.ref, old.kind)) is True
    assert set(stale.values()) == {False}


def test_export_graph_without_scores(workspace, small_map, tmp_path):
    target = tmp_path / "map.graphml"
    err = io.StringIO()
    call_command(
        "export_graph", "--workspace", workspace.slug, "--format", "graphml", "--output", target,
        stderr=err,
    )  # fmt: skip
    assert "no scores yet" in err.getvalue()
    graph = nx.read_graphml(target)
    assert graph.number_of_nodes() == 12
    assert "broker_score" not in graph.nodes["R01"]
    with pytest.raises(CommandError, match="No workspace"):
        call_command("export_graph", "--workspace", "nowhere", "--format", "gexf")
