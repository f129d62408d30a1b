"""The CSV bundle importer, through `manage.py import_map` (and its service for uploads)."""

import datetime
import io
import shutil
from pathlib import Path
from textwrap import dedent

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from stakeholders.imports import bundle as imports
from stakeholders.management.commands.import_map import Command as ImportMap
from stakeholders.models import (
    Affiliation,
    ForumMembership,
    Organisation,
    OrganisationKind,
    Person,
    Relationship,
    RelationshipKind,
    ScoreRun,
    Sector,
    Seniority,
    Tier,
    Workspace,
)
from tests.factories import (
    AffiliationFactory,
    OrganisationFactory,
    PersonFactory,
    RelationshipFactory,
)

GOOD = Path(__file__).parent / "fixtures" / "bundle_good"
MODELS = (Workspace, Organisation, Person, Affiliation, Relationship)

pytestmark = pytest.mark.django_db


def run_import(directory: Path, slug: str = "fenwick-import", *args: str, **options) -> str:
    out = io.StringIO()
    call_command("import_map", str(directory), "--workspace", slug, *args, stdout=out, **options)
    return out.getvalue()


def import_errors(directory: Path, slug: str = "fenwick-import", *args: str) -> list[str]:
    """The problem lines of a failed import (the first line of the message is a count)."""
    with pytest.raises(CommandError) as failure:
        run_import(directory, slug, *args)
    first, *lines = str(failure.value).splitlines()
    problems = len(lines)
    assert first == (
        f"{problems} problem{'s' if problems != 1 else ''} found; nothing was written."
    )
    return lines


def bundle(directory: Path, **files: str) -> Path:
    """Write CSV files (organisations="...", ...) into a directory; return it."""
    directory.mkdir(exist_ok=True)
    for name, text in files.items():
        (directory / f"{name}.csv").write_text(dedent(text).lstrip(), encoding="utf-8")
    return directory


def good_copy(tmp_path: Path) -> Path:
    return Path(shutil.copytree(GOOD, tmp_path / "bundle"))


def row_counts() -> dict[str, int]:
    counts = {model.__name__: model.objects.count() for model in MODELS}
    for model in MODELS:
        counts[f"history of {model.__name__}"] = model.history.count()
    return counts


ORGS_HEADER = "name,short_name,kind,sector,tier,parent,ods_code\n"
TWO_ORGS = ORGS_HEADER + "Trust A,,acute_trust,nhs,system,,\nTrust B,,acute_trust,nhs,system,,\n"
TWO_PEOPLE = """\
    ref,name,job_title,seniority,organisation,role_title
    P1,Ann,,manager,Trust A,
    P2,Bob,,manager,Trust B,
"""


# --- A good bundle --------------------------------------------------------------


def test_good_bundle_creates_the_workspace_and_everything_in_it():
    out = run_import(GOOD)

    assert out.splitlines() == [
        "Workspace fenwick-import (Fenwick Import): created",
        "organisations.csv: 5 created, 0 updated, 0 unchanged",
        "people.csv: 5 created, 0 updated, 0 unchanged",
        "affiliations.csv: 3 created, 0 updated, 0 unchanged",
        "relationships.csv: 5 created, 0 updated, 0 unchanged",
        "Import complete.",
    ]
    workspace = Workspace.objects.get(slug="fenwick-import")
    assert workspace.name == "Fenwick Import"
    orgs = {o.name: o for o in Organisation.objects.filter(workspace=workspace)}
    assert len(orgs) == 5
    icb = orgs["North Fenwick ICB"]
    # Labels, codes and any case: "Integrated care board (ICB)", "acute_trust", "COUNTY COUNCIL".
    assert (icb.kind, icb.sector, icb.tier, icb.ods_code) == ("icb", "nhs", "system", "QU9")
    hospital = orgs["North Fenwick Hospitals NHS Trust"]
    assert (hospital.kind, hospital.tier, hospital.parent) == ("acute_trust", "system", icb)
    # The first row names its parent before the parent's own row; `ry9` is upper-cased.
    community = orgs["Fenwick Community Health NHS Trust"]
    assert (community.kind, community.tier, community.parent, community.ods_code) == (
        "community_trust",
        "place",
        icb,
        "RY9",
    )
    council = orgs["Fenwick County Council"]
    assert (council.kind, council.sector, council.parent) == (
        "county_council",
        "local_government",
        None,
    )
    carers = orgs["Fenwick Carers Network"]
    assert (carers.kind, carers.sector, carers.tier, carers.short_name) == (
        "vcse",
        "vcse",
        "neighbourhood",
        "",
    )

    people = {p.ref: p for p in Person.objects.filter(workspace=workspace)}
    assert {ref: p.seniority for ref, p in people.items()} == {
        "P001": "board",
        "P002": "director",
        "P003": "senior_manager",
        "P004": "frontline",
        "P005": "manager",
    }
    assert people["P001"].name == "Amira Shah"
    assert people["P001"].job_title == "Chief executive"

    affiliations = {
        (a.person.ref, a.organisation.name): a
        for a in Affiliation.objects.select_related("person", "organisation")
    }
    assert len(affiliations) == 7  # five primary, two secondary
    assert {key for key, a in affiliations.items() if a.is_primary} == {
        ("P001", "North Fenwick Hospitals NHS Trust"),
        ("P002", "North Fenwick ICB"),
        ("P003", "Fenwick County Council"),
        ("P004", "Fenwick Community Health NHS Trust"),
        ("P005", "Fenwick Carers Network"),
    }
    joint = affiliations[("P002", "Fenwick County Council")]
    assert (joint.is_primary, joint.role_title, joint.start_date, joint.end_date) == (
        False,
        "Joint director of integration",
        datetime.date(2024, 4, 1),
        None,
    )
    # affiliations.csv names P001's primary organisation: it adds the date, stays primary.
    ceo = affiliations[("P001", "North Fenwick Hospitals NHS Trust")]
    assert (ceo.is_primary, ceo.role_title, ceo.start_date) == (
        True,
        "Chief executive",
        datetime.date(2019, 9, 1),
    )
    assert affiliations[("P004", "Fenwick Community Health NHS Trust")].role_title == ""
    vcse = affiliations[("P005", "North Fenwick ICB")]
    assert (vcse.start_date, vcse.end_date) == (
        datetime.date(2023, 1, 15),
        datetime.date(2026, 3, 31),
    )

    ties = {
        (r.source.ref, r.target.ref, r.kind): r
        for r in Relationship.objects.select_related("source", "target")
    }
    assert set(ties) == {
        ("P001", "P002", "collaborates"),
        ("P002", "P003", "trusts"),
        ("P003", "P002", "reports_to"),
        ("P005", "P002", "influences"),
        ("P004", "P001", "collaborates"),
    }
    first = ties[("P001", "P002", "collaborates")]
    assert (first.strength, first.trust, first.observed_on) == (5, 4, datetime.date(2026, 1, 15))
    assert ties[("P002", "P003", "trusts")].evidence == (
        'Joint commissioning board; "confides in her"'
    )
    reports = ties[("P003", "P002", "reports_to")]
    assert (reports.trust, reports.evidence) == (None, "")
    assert ties[("P005", "P002", "influences")].observed_on is None


def test_new_workspace_takes_the_name_option():
    run_import(GOOD, "fenwick-import", "--name", "North Fenwick ICS")

    assert Workspace.objects.get(slug="fenwick-import").name == "North Fenwick ICS"


def test_headers_and_codes_are_read_loosely_and_crlf_and_bom_are_fine(tmp_path):
    text = (
        "\ufeffName , Short name,KIND,Sector,Tier,Parent,ODS-code\r\n"
        " Trust A ,TA,  Acute-Trust ,NHS,System,,rth\r\n"
        ",,,,,,\r\n"  # the empty rows spreadsheets leave at the end are skipped
    )
    (tmp_path / "Organisations.CSV").write_bytes(text.encode("utf-8"))

    run_import(tmp_path)

    org = Organisation.objects.get()
    assert (org.name, org.short_name, org.kind, org.ods_code) == (
        "Trust A",
        "TA",
        "acute_trust",
        "RTH",
    )


def test_references_may_name_rows_already_in_the_workspace(workspace, tmp_path):
    trust = OrganisationFactory(workspace=workspace, name="Trust A")
    OrganisationFactory(workspace=workspace, name="Council")
    existing = PersonFactory(workspace=workspace, ref="P1")
    bundle(
        tmp_path,
        organisations=ORGS_HEADER + "Trust A Surgery,,gp_practice,nhs,neighbourhood,Trust A,\n",
        people="""\
            ref,name,seniority,organisation
            P2,Bob,manager,Council
        """,
        affiliations="""\
            person,organisation
            P1,Trust A Surgery
        """,
        relationships="""\
            source,target,kind,strength
            P1,P2,trusts,4
        """,
    )

    run_import(tmp_path, "north-fenwick")

    assert Organisation.objects.get(name="Trust A Surgery").parent == trust
    bob = Person.objects.get(ref="P2")
    assert bob.affiliations.get().organisation.name == "Council"
    assert existing.affiliations.get().organisation.name == "Trust A Surgery"
    assert Relationship.objects.get().source == existing


# --- Re-importing ---------------------------------------------------------------


def test_reimporting_the_same_bundle_changes_nothing():
    run_import(GOOD)
    before = row_counts()

    out = run_import(GOOD)

    assert "organisations.csv: 0 created, 0 updated, 5 unchanged" in out
    assert "people.csv: 0 created, 0 updated, 5 unchanged" in out
    assert "affiliations.csv: 0 created, 0 updated, 3 unchanged" in out
    assert "relationships.csv: 0 created, 0 updated, 5 unchanged" in out
    assert row_counts() == before  # no history rows for rows that did not change


def test_reimporting_updates_changed_rows_only(tmp_path):
    run_import(GOOD)
    directory = good_copy(tmp_path)
    orgs = directory / "organisations.csv"
    orgs.write_text(orgs.read_text("utf-8-sig").replace("place,,\n", "system,,\n"), "utf-8")
    people = directory / "people.csv"
    people.write_text(people.read_text().replace("Ben Okafor", "Benedict Okafor"))
    ties = directory / "relationships.csv"
    ties.write_text(
        ties.read_text().replace("P004,P001,collaborates,1,,,", "P004,P001,collaborates,2,3,,")
    )
    before = row_counts()

    out = run_import(directory)

    assert "organisations.csv: 0 created, 1 updated, 4 unchanged" in out
    assert "people.csv: 0 created, 1 updated, 4 unchanged" in out
    assert "relationships.csv: 0 created, 1 updated, 4 unchanged" in out
    assert Organisation.objects.get(name="Fenwick County Council").tier == "system"
    assert Person.objects.get(ref="P002").name == "Benedict Okafor"
    tie = Relationship.objects.get(source__ref="P004")
    assert (tie.strength, tie.trust) == (2, 3)
    after = row_counts()
    assert after["Relationship"] == before["Relationship"]
    assert after["history of Organisation"] == before["history of Organisation"] + 1
    assert after["history of Person"] == before["history of Person"] + 1
    assert after["history of Relationship"] == before["history of Relationship"] + 1


def test_a_missing_optional_column_keeps_existing_values(tmp_path):
    run_import(GOOD)
    bundle(
        tmp_path,
        organisations="""\
            name,kind,sector,tier
            North Fenwick Hospitals NHS Trust,acute trust,nhs,system
        """,
        relationships="""\
            source,target,kind,strength
            P001,P002,collaborates,2
        """,
    )

    run_import(tmp_path)

    hospital = Organisation.objects.get(name="North Fenwick Hospitals NHS Trust")
    assert (hospital.short_name, hospital.ods_code, hospital.parent.name) == (
        "NFH",
        "RTH",
        "North Fenwick ICB",
    )
    tie = Relationship.objects.get(source__ref="P001")
    assert (tie.strength, tie.trust, tie.evidence) == (
        2,
        4,
        "Weekly system leadership meeting",
    )


def test_an_empty_optional_cell_blanks_the_value(tmp_path):
    run_import(GOOD)
    bundle(
        tmp_path,
        relationships="""\
            source,target,kind,strength,trust,observed_on,evidence
            P001,P002,collaborates,5,,,
        """,
    )

    run_import(tmp_path)

    tie = Relationship.objects.get(source__ref="P001")
    assert (tie.trust, tie.observed_on, tie.evidence) == (None, None, "")


def test_a_new_primary_organisation_keeps_the_old_one_as_secondary(tmp_path):
    run_import(GOOD)
    directory = good_copy(tmp_path)
    people = directory / "people.csv"
    people.write_text(
        people.read_text().replace(
            "P001,Amira Shah,Chief executive,Board or elected leader,"
            "North Fenwick Hospitals NHS Trust,Chief executive",
            "P001,Amira Shah,Chief executive,Board or elected leader,"
            "North Fenwick ICB,Chief executive",
        )
    )
    (directory / "affiliations.csv").unlink()

    out = run_import(directory)

    assert "people.csv: 0 created, 1 updated, 4 unchanged" in out
    amira = Person.objects.get(ref="P001")
    held = {a.organisation.name: a.is_primary for a in amira.affiliations.all()}
    assert held == {"North Fenwick ICB": True, "North Fenwick Hospitals NHS Trust": False}
    assert amira.affiliations.get(is_primary=True).role_title == "Chief executive"


def test_moving_back_to_a_secondary_organisation_promotes_it(tmp_path):
    run_import(GOOD)
    bundle(
        tmp_path,
        people="""\
            ref,name,seniority,organisation
            P002,Ben Okafor,director,Fenwick County Council
        """,
    )

    run_import(tmp_path)

    ben = Person.objects.get(ref="P002")
    held = {a.organisation.name: (a.is_primary, a.role_title) for a in ben.affiliations.all()}
    assert held == {
        "Fenwick County Council": (True, "Joint director of integration"),
        "North Fenwick ICB": (False, "Director of strategy"),
    }


def test_organisations_may_swap_ods_codes(tmp_path):
    run_import(GOOD)
    bundle(
        tmp_path,
        organisations=ORGS_HEADER
        + "North Fenwick ICB,ICB,icb,nhs,system,,RTH\n"
        + "North Fenwick Hospitals NHS Trust,NFH,acute_trust,nhs,system,North Fenwick ICB,QU9\n",
    )

    run_import(tmp_path)

    assert Organisation.objects.get(name="North Fenwick ICB").ods_code == "RTH"
    assert Organisation.objects.get(name="North Fenwick Hospitals NHS Trust").ods_code == "QU9"


# --- Dry runs -------------------------------------------------------------------


def test_dry_run_reports_counts_and_writes_nothing():
    out = run_import(GOOD, "fenwick-import", "--dry-run")

    assert out.splitlines() == [
        "Workspace fenwick-import (Fenwick Import): would be created",
        "organisations.csv: 5 would be created, 0 would be updated, 0 unchanged",
        "people.csv: 5 would be created, 0 would be updated, 0 unchanged",
        "affiliations.csv: 3 would be created, 0 would be updated, 0 unchanged",
        "relationships.csv: 5 would be created, 0 would be updated, 0 unchanged",
        "Dry run: nothing was written.",
    ]
    assert all(count == 0 for count in row_counts().values())


def test_dry_run_of_changes_lists_the_keys_with_verbosity_2(tmp_path):
    run_import(GOOD)
    before = row_counts()
    bundle(
        tmp_path,
        relationships="""\
            source,target,kind,strength
            P001,P002,collaborates,1
            P001,P003,trusts,3
            P003,P002,reports_to,3
        """,
    )

    out = run_import(tmp_path, "fenwick-import", "--dry-run", verbosity=2)

    assert out.splitlines() == [
        "Workspace fenwick-import (Fenwick Import): exists",
        "relationships.csv: 1 would be created, 1 would be updated, 1 unchanged",
        "  created: P001 -> P003 (trusts)",
        "  updated: P001 -> P002 (collaborates)",
        "  unchanged: P003 -> P002 (reports_to)",
        "Dry run: nothing was written.",
    ]
    assert row_counts() == before
    assert Relationship.objects.get(source__ref="P001").strength == 5


# --- History --------------------------------------------------------------------


def test_every_imported_row_has_a_history_row(tmp_path):
    run_import(GOOD)

    for model, count in ((Organisation, 5), (Person, 5), (Affiliation, 7), (Relationship, 5)):
        records = model.history.all()
        assert records.count() == count
        assert {(r.history_type, r.history_change_reason) for r in records} == {
            ("+", imports.CHANGE_REASON)
        }
    # A history row holds the whole row, as simple_history itself records it.
    tie = Relationship.objects.get(source__ref="P001")
    record = tie.history.get()
    assert (record.source_id, record.target_id, record.kind, record.strength, record.trust) == (
        tie.source_id,
        tie.target_id,
        "collaborates",
        5,
        4,
    )
    assert record.observed_on == datetime.date(2026, 1, 15)
    assert Organisation.history.get(name="North Fenwick Hospitals NHS Trust").parent_id == (
        Organisation.objects.get(name="North Fenwick ICB").pk
    )

    bundle(
        tmp_path,
        relationships="""\
            source,target,kind,strength,trust
            P001,P002,collaborates,2,
        """,
    )
    run_import(tmp_path)

    latest = tie.history.first()
    assert (latest.history_type, latest.strength, latest.trust) == ("~", 2, None)
    assert latest.instance == Relationship.objects.get(pk=tie.pk)
    assert latest.prev_record.strength == 5


def test_history_records_the_uploading_user(workspace, editor):
    plan = imports.bundle_import(
        workspace_slug=workspace.slug,
        files={"organisations.csv": TWO_ORGS.encode()},
        user=editor,
    )

    assert plan.ok
    assert {r.history_user for r in Organisation.history.all()} == {editor}


# --- Bad input: one test per kind of problem -------------------------------------


def test_unknown_code_lists_the_accepted_values(tmp_path):
    bundle(tmp_path, organisations=ORGS_HEADER + "Trust A,,hospital,nhs,system,,\n")

    [error] = import_errors(tmp_path)

    assert error.startswith(
        "organisations.csv, row 2, column kind: 'hospital' is not a known organisation kind. "
        "Use one of these codes or labels: acute_trust (Acute trust); "
    )
    assert "icb (Integrated care board (ICB)); " in error


@pytest.mark.parametrize(
    ("column", "value", "noun"),
    [
        ("sector", "health", "sector"),
        ("tier", "county", "tier"),
    ],
)
def test_unknown_sector_or_tier(tmp_path, column, value, noun):
    row = {"sector": "nhs", "tier": "system", column: value}
    bundle(
        tmp_path,
        organisations=ORGS_HEADER + f"Trust A,,acute_trust,{row['sector']},{row['tier']},,\n",
    )

    [error] = import_errors(tmp_path)

    assert error.startswith(
        f"organisations.csv, row 2, column {column}: '{value}' is not a known {noun}."
    )


def test_unknown_seniority_and_relationship_kind(tmp_path):
    bundle(
        tmp_path,
        organisations=TWO_ORGS,
        people="""\
            ref,name,seniority,organisation
            P1,Ann,boss,Trust A
            P2,Bob,manager,Trust B
        """,
        relationships="""\
            source,target,kind,strength
            P1,P2,likes,3
        """,
    )

    errors = import_errors(tmp_path)

    assert [e.split(". Use one")[0] for e in errors] == [
        "people.csv, row 2, column seniority: 'boss' is not a known seniority",
        "relationships.csv, row 2, column kind: 'likes' is not a known relationship kind",
    ]
    assert errors[1].endswith(
        "collaborates (Collaborates with); trusts (Trusts); reports_to (Reports to); "
        "influences (Influences)."
    )


def test_missing_required_column(tmp_path):
    bundle(
        tmp_path,
        people="""\
            ref,name,organisation
            P1,Ann,Trust A
        """,
    )

    assert import_errors(tmp_path) == [
        "people.csv, row 1, column seniority: this required column is missing."
    ]


def test_unknown_and_repeated_columns(tmp_path):
    bundle(
        tmp_path,
        relationships="""\
            source,target,kind,strength,Weight,Kind
            P1,P2,trusts,3,9,trusts
        """,
    )

    assert import_errors(tmp_path) == [
        "relationships.csv, row 1, column Weight: unknown column. The columns are: "
        "source, target, kind, strength, trust, observed_on, evidence, start_date, end_date.",
        "relationships.csv, row 1, column Kind: the column appears twice (columns C and F).",
        "relationships.csv, row 2, column source: there is no person with ref 'P1' "
        "in this workspace.",
        "relationships.csv, row 2, column target: there is no person with ref 'P2' "
        "in this workspace.",
    ]


def test_value_in_a_column_without_a_name(tmp_path):
    bundle(tmp_path, organisations=ORGS_HEADER + "Trust A,,acute_trust,nhs,system,,,oops\n")

    assert import_errors(tmp_path) == [
        "organisations.csv, row 2, column H: this cell has a value but no column name."
    ]


def test_blank_required_cell(tmp_path):
    bundle(
        tmp_path,
        organisations=TWO_ORGS,
        people="""\
            ref,name,seniority,organisation
            P1,,manager,Trust A
            ,Bob,,
        """,
    )

    assert import_errors(tmp_path) == [
        "people.csv, row 2, column name: This field cannot be blank.",
        "people.csv, row 3, column ref: This field cannot be blank.",
        "people.csv, row 3, column seniority: This field cannot be blank.",
    ]


def test_too_long_values_use_the_model_field_messages(tmp_path):
    long_name = "N" * 201
    bundle(
        tmp_path,
        organisations=ORGS_HEADER + f"{long_name},,acute_trust,nhs,system,,RT-H\n",
    )

    assert import_errors(tmp_path) == [
        "organisations.csv, row 2, column name: "
        "Ensure this value has at most 200 characters (it has 201).",
        "organisations.csv, row 2, column ods_code: ODS codes are capital letters and digits only.",
    ]


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        (
            {"organisations": TWO_ORGS + "Trust A,,icb,nhs,system,,\n"},
            "organisations.csv, row 4, column name: duplicate: 'Trust A' is already on row 2.",
        ),
        (
            {"organisations": TWO_ORGS, "people": TWO_PEOPLE + "    P1,Ann,,manager,Trust B,\n"},
            "people.csv, row 4, column ref: duplicate: ref 'P1' is already on row 2.",
        ),
        (
            {
                "organisations": TWO_ORGS,
                "people": TWO_PEOPLE,
                "affiliations": """\
                    person,organisation
                    P1,Trust B
                    P1,Trust B
                """,
            },
            "affiliations.csv, row 3, column person: "
            "duplicate: 'P1' at 'Trust B' is already on row 2.",
        ),
        (
            {
                "organisations": TWO_ORGS,
                "people": TWO_PEOPLE,
                "relationships": """\
                    source,target,kind,strength
                    P1,P2,trusts,3
                    P2,P1,trusts,3
                    P1,P2,Trusts,4
                """,
            },
            "relationships.csv, row 4, column source: "
            "duplicate: P1 -> P2 (trusts) is already on row 2.",
        ),
    ],
    ids=["organisation", "person", "affiliation", "relationship"],
)
def test_duplicate_key_within_a_file(tmp_path, files, expected):
    bundle(tmp_path, **files)

    assert import_errors(tmp_path) == [expected]


def test_references_to_unknown_people_and_organisations(tmp_path):
    bundle(
        tmp_path,
        organisations=TWO_ORGS + "Surgery,,gp_practice,nhs,neighbourhood,Trust C,\n",
        people="""\
            ref,name,seniority,organisation
            P1,Ann,manager,trust a
        """,
        affiliations="""\
            person,organisation
            P9,Trust B
        """,
        relationships="""\
            source,target,kind,strength
            P1,p2,trusts,3
        """,
    )

    assert import_errors(tmp_path) == [
        "organisations.csv, row 4, column parent: "
        "there is no organisation 'Trust C' in organisations.csv or in this workspace.",
        "people.csv, row 2, column organisation: "
        "there is no organisation 'trust a' in organisations.csv or in this workspace. "
        "Did you mean 'Trust A'? (Names and refs are case-sensitive.)",
        "affiliations.csv, row 2, column person: "
        "there is no person with ref 'P9' in people.csv or in this workspace.",
        "relationships.csv, row 2, column target: "
        "there is no person with ref 'p2' in people.csv or in this workspace.",
    ]


def test_a_new_organisation_differing_only_in_case_is_refused(workspace, tmp_path):
    """'trust a' beside an existing 'Trust A' (or twice in one file) is a typo that would
    make a second organisation, not a new one."""
    run_import(bundle(tmp_path / "first", organisations=TWO_ORGS), workspace.slug)
    bundle(
        tmp_path / "second",
        organisations=ORGS_HEADER
        + "trust a,,acute_trust,nhs,system,,\n"
        + "Trust C,,acute_trust,nhs,system,,\n"
        + "TRUST C,,acute_trust,nhs,system,,\n",
    )

    assert import_errors(tmp_path / "second", workspace.slug) == [
        "organisations.csv, row 2, column name: an organisation 'Trust A' already exists in "
        "this workspace, differing only in letter case: this would make a second one. "
        "Write 'Trust A' to mean it.",
        "organisations.csv, row 4, column name: an organisation 'Trust C' already exists in "
        "organisations.csv, differing only in letter case: this would make a second one. "
        "Write 'Trust C' to mean it.",
    ]
    assert Organisation.objects.filter(workspace=workspace).count() == 2


def test_a_reference_with_an_invisible_character_names_it_and_where_it_is(tmp_path):
    """Pasted from a web page, 'Trust A' may hold a no-break space, and a ref a
    zero-width space: the name looks right, so the error says what is in it."""
    bundle(
        tmp_path,
        organisations=TWO_ORGS,
        people="""\
            ref,name,seniority,organisation
            P1,Ann,manager,Trust\u00a0A
            P2,Bob,manager,Trust B
        """,
        affiliations="""\
            person,organisation
            P2,Trust\u00a0Z
        """,
        relationships="""\
            source,target,kind,strength
            P1\u200b,P2,trusts,3
            P2,\u00adP1\u00a0,trusts,3
        """,
    )

    assert import_errors(tmp_path) == [
        "people.csv, row 2, column organisation: "
        "there is no organisation 'Trust\u00a0A' in organisations.csv or in this workspace. "
        "It contains a no-break space (U+00A0) after 'Trust' (character 6): it looks like "
        "a space. With a normal space there, it would match 'Trust A'.",
        "affiliations.csv, row 2, column organisation: "
        "there is no organisation 'Trust\u00a0Z' in organisations.csv or in this workspace. "
        "It contains a no-break space (U+00A0) after 'Trust' (character 6): it looks like "
        "a space.",
        "relationships.csv, row 2, column source: "
        "there is no person with ref 'P1\u200b' in people.csv or in this workspace. "
        "It contains a zero-width space (U+200B) after 'P1' (character 3): it cannot be "
        "seen. Without it, it would match 'P1'.",
        "relationships.csv, row 3, column target: "
        "there is no person with ref '\u00adP1' in people.csv or in this workspace. "
        "It contains a soft hyphen (U+00AD) at the start: it cannot be seen. Without it, "
        "it would match 'P1'.",
    ]


def test_a_reference_into_another_workspace_is_unknown(workspace, other_workspace, tmp_path):
    PersonFactory(workspace=workspace, ref="P1")
    PersonFactory(workspace=other_workspace, ref="P2")
    bundle(
        tmp_path,
        relationships="""\
            source,target,kind,strength
            P1,P2,trusts,3
        """,
    )

    assert import_errors(tmp_path, "north-fenwick") == [
        "relationships.csv, row 2, column target: "
        "there is no person with ref 'P2' in this workspace."
    ]


def test_self_tie(tmp_path):
    bundle(
        tmp_path,
        organisations=TWO_ORGS,
        people=TWO_PEOPLE,
        relationships="""\
            source,target,kind,strength
            P1,P1,trusts,3
        """,
    )

    assert import_errors(tmp_path) == [
        "relationships.csv, row 2, column target: "
        "A person cannot have a relationship with themselves."
    ]


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("strength", "0", "0 is out of range. Strength must be between 1 and 5."),
        ("strength", "6", "6 is out of range. Strength must be between 1 and 5."),
        ("strength", "high", "'high' is not a whole number. Strength must be between 1 and 5."),
        ("strength", "3.5", "'3.5' is not a whole number. Strength must be between 1 and 5."),
        ("strength", "", "This field cannot be blank. Strength must be between 1 and 5."),
        ("trust", "0", "0 is out of range. Trust must be between 1 and 5, or empty."),
        ("trust", "9", "9 is out of range. Trust must be between 1 and 5, or empty."),
        ("trust", "?", "'?' is not a whole number. Trust must be between 1 and 5, or empty."),
    ],
)
def test_strength_and_trust_out_of_range(tmp_path, column, value, message):
    cells = {"strength": "3", "trust": "3", column: value}
    bundle(
        tmp_path,
        organisations=TWO_ORGS,
        people=TWO_PEOPLE,
        relationships=f"""\
            source,target,kind,strength,trust
            P1,P2,trusts,{cells["strength"]},{cells["trust"]}
        """,
    )

    assert import_errors(tmp_path) == [f"relationships.csv, row 2, column {column}: {message}"]


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("2026-02-30", "is not a real date."),
        ("31/02/2026", "is not a real date."),
        ("2026-1-5", "is not a valid date."),
        ("31-01-2026", "is not a valid date."),
        ("1/2/26", "is not a valid date."),
        ("yesterday", "is not a valid date."),
        (
            "10/13/2026",
            "is not a valid date: the format is DD/MM/YYYY, day first, and 13 is not a month.",
        ),
    ],
)
def test_bad_date(tmp_path, value, problem):
    bundle(
        tmp_path,
        organisations=TWO_ORGS,
        people=TWO_PEOPLE,
        relationships=f"""\
            source,target,kind,strength,observed_on
            P1,P2,trusts,3,{value}
        """,
    )

    assert import_errors(tmp_path) == [
        f"relationships.csv, row 2, column observed_on: '{value}' {problem} "
        "Use DD/MM/YYYY, day first (31/01/2026), or YYYY-MM-DD (2026-01-31)."
    ]


@pytest.mark.parametrize(
    ("value", "date"),
    [
        ("2026-01-31", datetime.date(2026, 1, 31)),
        ("31/01/2026", datetime.date(2026, 1, 31)),
        ("31/1/2026", datetime.date(2026, 1, 31)),
        ("03/04/2026", datetime.date(2026, 4, 3)),  # 3 April: day first, never month first
        ("3/4/2026", datetime.date(2026, 4, 3)),
    ],
)
def test_dates_iso_or_day_first_in_every_dated_file(tmp_path, value, date):
    bundle(
        tmp_path,
        organisations=TWO_ORGS,
        people=TWO_PEOPLE,
        affiliations=f"""\
            person,organisation,start_date,end_date
            P1,Trust B,{value},{value}
        """,
        relationships=f"""\
            source,target,kind,strength,observed_on,start_date,end_date
            P1,P2,trusts,3,{value},{value},{value}
        """,
        forums="""\
            name,kind,tier
            Board,ICB board,System
        """,
        forum_members=f"""\
            forum,person,start_date,end_date
            Board,P1,{value},{value}
        """,
    )

    run_import(tmp_path)

    relationship = Relationship.objects.get()
    assert (relationship.observed_on, relationship.start_date, relationship.end_date) == (
        date,
        date,
        date,
    )
    affiliation = Affiliation.objects.get(person__ref="P1", organisation__name="Trust B")
    assert (affiliation.start_date, affiliation.end_date) == (date, date)
    seat = ForumMembership.objects.get()
    assert (seat.start_date, seat.end_date) == (date, date)


def test_end_date_before_start_date(tmp_path):
    bundle(
        tmp_path,
        organisations=TWO_ORGS,
        people=TWO_PEOPLE,
        affiliations="""\
            person,organisation,start_date,end_date
            P1,Trust B,2025-04-01,2025-03-31
        """,
    )

    assert import_errors(tmp_path) == [
        "affiliations.csv, row 2, column end_date: The end date cannot be before the start "
        "date: start 2025-04-01, end 2025-03-31."
    ]


def test_end_date_before_the_start_date_already_in_the_workspace(workspace, tmp_path):
    AffiliationFactory(
        person__workspace=workspace,
        person__ref="P1",
        organisation__name="Trust A",
        start_date=datetime.date(2025, 4, 1),
    )
    bundle(
        tmp_path,
        affiliations="""\
            person,organisation,end_date
            P1,Trust A,2024-12-31
        """,
    )

    assert import_errors(tmp_path, "north-fenwick") == [
        "affiliations.csv, row 2, column end_date: The end date cannot be before the start "
        "date: start 2025-04-01 (already recorded for this affiliation), end 2024-12-31."
    ]


def test_start_date_after_the_end_date_already_recorded_for_a_tie(workspace, tmp_path):
    tie = RelationshipFactory(
        source__workspace=workspace,
        source__ref="P1",
        target__workspace=workspace,
        target__ref="P2",
        kind="trusts",
        end_date=datetime.date(2025, 8, 31),
    )
    bundle(
        tmp_path,
        relationships="""\
            source,target,kind,strength,start_date
            P1,P2,trusts,4,2025-09-15
        """,
    )

    assert import_errors(tmp_path, "north-fenwick") == [
        "relationships.csv, row 2, column start_date: The end date cannot be before the start "
        "date: start 2025-09-15, end 2025-08-31 (already recorded for this relationship)."
    ]
    tie.refresh_from_db()
    assert tie.start_date is None


def test_a_tie_observed_on_a_day_still_to_come_is_refused(tmp_path):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    bundle(
        tmp_path,
        organisations=TWO_ORGS,
        people=TWO_PEOPLE,
        relationships=f"""\
            source,target,kind,strength,observed_on
            P1,P2,trusts,4,{timezone.localdate().isoformat()}
            P2,P1,trusts,4,{tomorrow.isoformat()}
        """,
    )

    assert import_errors(tmp_path) == [
        f"relationships.csv, row 3, column observed_on: {tomorrow.isoformat()} is still to "
        "come: enter the day the tie was last seen, today or earlier."
    ]


@pytest.mark.parametrize(
    "first_evidence",
    [
        "Board minutes",
        # A stray quote the reader tolerates (a quoted name, then more text) does not
        # hide a quote left open further down.
        '"St John\'s" Hospice minutes',
    ],
)
def test_a_quote_never_closed_is_named_where_it_opens(tmp_path, first_evidence):
    """The lenient CSV reader reads every later line into the open cell; the import
    says where the quote opened instead of listing that cell's problems."""
    bundle(
        tmp_path,
        organisations=TWO_ORGS,
        people=TWO_PEOPLE,
        relationships=f"""\
            source,target,kind,strength,evidence
            P1,P2,trusts,4,{first_evidence}
            P2,P1,trusts,4,"Met at the board
            P1,P2,collaborates,3,Joint bid
        """,
    )

    assert import_errors(tmp_path) == [
        'relationships.csv, row 3, column evidence: a cell here opens a quote (") that is '
        "never closed, so every line after it was read into that one cell. Close the quote, "
        "or remove it."
    ]
    assert not Relationship.objects.exists()


def joint_bids(characters: int) -> str:
    """Relationship rows coming to at least `characters` characters."""
    row = "P1,P2,collaborates,3,Joint bid\n"
    return row * (characters // len(row) + 1)


def test_a_quote_never_closed_in_a_long_file_is_named_where_it_opens(tmp_path):
    """Past the CSV reader's cell limit the open cell cannot be read at all: the
    message still names the row and says what most likely happened."""
    bundle(
        tmp_path,
        organisations=TWO_ORGS,
        people=TWO_PEOPLE,
        relationships='source,target,kind,strength,evidence\nP2,P1,trusts,4,"Met at\n'
        + joint_bids(imports.MAX_CELL_CHARS),
    )

    assert import_errors(tmp_path) == [
        f"relationships.csv, row 2: a cell here is longer than {imports.MAX_CELL_CHARS:,} "
        'characters. Most likely it opens a quote (") that is never closed, so the lines '
        "after it were read into that one cell. Close the quote, or remove it."
    ]
    assert not Relationship.objects.exists()


def test_a_quote_never_closed_past_the_csv_modules_default_cell_limit(tmp_path):
    """A quote left open over more than 131,072 characters (once the limit) is named
    with its column, as in a short file."""
    bundle(
        tmp_path,
        organisations=TWO_ORGS,
        people=TWO_PEOPLE,
        relationships='source,target,kind,strength,evidence\nP2,P1,trusts,4,"Met at\n'
        + joint_bids(200_000),
    )

    assert import_errors(tmp_path) == [
        'relationships.csv, row 2, column evidence: a cell here opens a quote (") that is '
        "never closed, so every line after it was read into that one cell. Close the quote, "
        "or remove it."
    ]


def test_quotes_that_close_are_read_as_usual(tmp_path):
    bundle(
        tmp_path,
        organisations=TWO_ORGS,
        people=TWO_PEOPLE,
        relationships="""\
            source,target,kind,strength,evidence
            P1,P2,trusts,4,"Minutes, 2 lines:
            ""board"" and audit"
            P2,P1,trusts,4,a 5" screen
        """,
    )

    run_import(tmp_path, "fenwick-import")
    evidence = dict(Relationship.objects.values_list("source__ref", "evidence"))
    assert evidence == {"P1": 'Minutes, 2 lines:\n"board" and audit', "P2": 'a 5" screen'}


def test_duplicate_ods_code_in_the_file_and_in_the_workspace(workspace, tmp_path):
    OrganisationFactory(workspace=workspace, name="Old Trust", ods_code="RXX")
    bundle(
        tmp_path,
        organisations=ORGS_HEADER
        + "Trust A,,acute_trust,nhs,system,,RTH\n"
        + "Trust B,,acute_trust,nhs,system,,rth\n"
        + "Trust C,,acute_trust,nhs,system,,RXX\n",
    )

    assert import_errors(tmp_path, "north-fenwick") == [
        "organisations.csv, row 3, column ods_code: Another organisation here already has "
        "this ODS code. ('RTH' is the ODS code of 'Trust A' on row 2.)",
        "organisations.csv, row 4, column ods_code: Another organisation here already has "
        "this ODS code. ('RXX' is the ODS code of 'Old Trust', already in this workspace.)",
    ]


def test_parent_cycle_in_the_file(tmp_path):
    bundle(
        tmp_path,
        organisations=ORGS_HEADER
        + "A,,icb,nhs,system,C,\n"
        + "B,,icb,nhs,system,A,\n"
        + "C,,icb,nhs,system,B,\n"
        + "D,,icb,nhs,system,A,\n"
        + "E,,icb,nhs,system,E,\n",
    )

    cycle = "column parent: this parent would make a cycle: A -> C -> B -> A."
    assert import_errors(tmp_path) == [
        f"organisations.csv, row 2, {cycle}",
        f"organisations.csv, row 3, {cycle}",
        f"organisations.csv, row 4, {cycle}",
        "organisations.csv, row 6, column parent: An organisation cannot be its own parent.",
    ]


def test_parent_cycle_through_the_workspace(workspace, tmp_path):
    region = OrganisationFactory(workspace=workspace, name="Region")
    OrganisationFactory(workspace=workspace, name="System", parent=region)
    bundle(tmp_path, organisations=ORGS_HEADER + "Region,,nhs_england,nhs,regional,System,\n")

    assert import_errors(tmp_path, "north-fenwick") == [
        "organisations.csv, row 2, column parent: "
        "this parent would make a cycle: Region -> System -> Region."
    ]


def test_file_that_is_not_utf8(tmp_path):
    (tmp_path / "people.csv").write_bytes(
        "ref,name,seniority,organisation\nP1,Zoë,manager,Trust A\n".encode("cp1252")
    )

    assert import_errors(tmp_path) == [
        "people.csv: the file looks like Windows-1252 (Excel's plain 'CSV' format), not "
        "UTF-8: the first character that is not UTF-8 is on line 2. "
        'Save it as "CSV UTF-8" and import it again. '
        'In Excel choose File > Save As > "CSV UTF-8 (Comma delimited) (*.csv)".'
    ]


def test_a_file_starting_with_two_byte_order_marks_is_read(tmp_path):
    """A program that reads a file with its mark and saves it with another leaves two:
    both are invisible in every editor, so the file is read as if it had one."""
    (tmp_path / "organisations.csv").write_bytes(("\ufeff\ufeff" + TWO_ORGS).encode())

    run_import(tmp_path)

    assert sorted(Organisation.objects.values_list("name", flat=True)) == ["Trust A", "Trust B"]


def test_file_that_is_utf16(tmp_path):
    (tmp_path / "people.csv").write_bytes("ref,name\n".encode("utf-16"))

    [error] = import_errors(tmp_path)

    assert error.startswith('people.csv: the file is UTF-16 ("Unicode text"), not UTF-8.')
    assert "CSV UTF-8" in error


def test_semicolon_separated_file(tmp_path):
    bundle(
        tmp_path,
        people="""\
            ref;name;seniority;organisation
            P1;Ann;manager;Trust A
        """,
    )

    [error] = import_errors(tmp_path)

    assert error.startswith(
        "people.csv, row 1: the columns are separated by semicolons, not commas."
    )


def test_tab_separated_file(tmp_path):
    bundle(tmp_path, people="ref\tname\tseniority\torganisation\nP1\tAnn\tmanager\tTrust A\n")

    [error] = import_errors(tmp_path)

    assert error == (
        "people.csv, row 1: the columns are separated by tabs, not commas. "
        'In Excel choose File > Save As > "CSV UTF-8 (Comma delimited) (*.csv)".'
    )


def test_unknown_file_name(tmp_path):
    bundle(tmp_path, organisations=TWO_ORGS, relationship="source,target,kind,strength\n")

    assert import_errors(tmp_path) == [
        "relationship.csv: unknown file name. Upload "
        "organisations.csv, people.csv, affiliations.csv, relationships.csv, forums.csv, "
        "forum_members.csv (any of them), a Kumu map's Elements.csv and Connections.csv, "
        "or an Excel workbook (.xlsx)."
    ]


def test_role_title_for_the_primary_organisation_given_twice_differently(tmp_path):
    bundle(
        tmp_path,
        organisations=TWO_ORGS,
        people="""\
            ref,name,seniority,organisation,role_title
            P1,Ann,manager,Trust A,Chief executive
        """,
        affiliations="""\
            person,organisation,role_title,start_date
            P1,Trust A,CEO,2020-01-01
        """,
    )

    assert import_errors(tmp_path) == [
        "affiliations.csv, row 2, column role_title: 'CEO' differs from the role title "
        "'Chief executive' given for this person's primary organisation in people.csv row 2: "
        "make them the same."
    ]


def test_the_primary_organisation_in_affiliations_stays_the_only_primary(workspace, tmp_path):
    AffiliationFactory(
        person__workspace=workspace,
        person__ref="P1",
        organisation__name="Trust A",
        role_title="Chief executive",
    )
    bundle(
        tmp_path,
        affiliations="""\
            person,organisation,role_title,start_date
            P1,Trust A,Chief executive,2020-01-01
        """,
    )

    out = run_import(tmp_path, "north-fenwick")

    assert "affiliations.csv: 0 created, 1 updated, 0 unchanged" in out
    affiliation = Affiliation.objects.get()
    assert (affiliation.is_primary, affiliation.start_date) == (True, datetime.date(2020, 1, 1))


def test_errors_in_every_file_are_reported_together(tmp_path):
    bundle(
        tmp_path,
        organisations=TWO_ORGS + "Trust C,,icb,nhs,galaxy,,\n",
        people=TWO_PEOPLE + "    P3,Cat,,manager,Trust Z,\n",
        affiliations="""\
            person,organisation,start_date
            P1,Trust B,2025-13-01
        """,
        relationships="""\
            source,target,kind,strength
            P1,P2,trusts,3
            P2,P2,trusts,3
        """,
    )

    errors = import_errors(tmp_path)

    assert [error.split(":")[0] for error in errors] == [
        "organisations.csv, row 4, column tier",
        "people.csv, row 4, column organisation",
        "affiliations.csv, row 2, column start_date",
        "relationships.csv, row 3, column target",
    ]


def test_a_file_without_its_key_column_hides_no_other_errors(tmp_path):
    bundle(
        tmp_path,
        people="""\
            name,seniority,organisation
            Ann,manager,Trust A
        """,
        relationships="""\
            source,target,kind,strength
            P1,P2,trusts,9
        """,
    )

    # The refs cannot be checked without people.csv's ref column, the strength can.
    assert import_errors(tmp_path) == [
        "people.csv, row 1, column ref: this required column is missing.",
        "relationships.csv, row 2, column strength: "
        "9 is out of range. Strength must be between 1 and 5.",
    ]


# --- Nothing half-written ---------------------------------------------------------


def test_nothing_is_written_when_only_the_last_row_is_bad(workspace, tmp_path):
    RelationshipFactory(source__workspace=workspace)
    directory = good_copy(tmp_path)
    with (directory / "relationships.csv").open("a") as ties:
        ties.write("P004,P005,trusts,7,,,\n")
    before = row_counts()

    errors = import_errors(directory, "north-fenwick")

    assert errors == [
        "relationships.csv, row 7, column strength: "
        "7 is out of range. Strength must be between 1 and 5."
    ]
    assert row_counts() == before


def test_a_new_workspace_is_not_created_when_there_are_errors(tmp_path):
    directory = good_copy(tmp_path)
    with (directory / "people.csv").open("a") as people:
        people.write("P006,Fay,,manager,Nowhere,\n")

    import_errors(directory)

    assert all(count == 0 for count in row_counts().values())


def test_a_database_refusal_rolls_everything_back(workspace, tmp_path, monkeypatch):
    # Simulate an edit made after the checks: the snapshot misses a person with ref P2.
    PersonFactory(workspace=workspace, ref="P2")
    real_snapshot = imports._snapshot

    def stale_snapshot(workspace, files):
        snap = real_snapshot(workspace, files)
        snap.people.pop("P2")
        return snap

    monkeypatch.setattr(imports, "_snapshot", stale_snapshot)
    bundle(tmp_path, organisations=TWO_ORGS, people=TWO_PEOPLE)
    before = row_counts()

    assert import_errors(tmp_path, "north-fenwick") == [
        "the database refused the import because the workspace changed while it ran. "
        "Nothing was written; run the import again."
    ]
    assert row_counts() == before


# --- The command line and the service -------------------------------------------


def test_a_directory_without_csv_files_is_an_error(tmp_path):
    (tmp_path / "notes.txt").write_text("nothing here")

    with pytest.raises(CommandError, match="holds no CSV files"):
        run_import(tmp_path)


def test_a_missing_directory_is_an_error(tmp_path):
    with pytest.raises(CommandError, match="is not a directory"):
        run_import(tmp_path / "missing")


@pytest.mark.parametrize("slug", ["North Fenwick!", "x" * 61])
def test_a_bad_slug_is_an_error(slug):
    with pytest.raises(CommandError, match="--workspace"):
        run_import(GOOD, slug)
    with pytest.raises(CommandError, match="--workspace"):
        run_import(GOOD, slug, "--dry-run")
    assert not Workspace.objects.exists()


def test_name_is_ignored_for_an_existing_workspace(workspace):
    out = run_import(GOOD, "north-fenwick", "--name", "Renamed")

    assert out.startswith("--name ignored: the workspace exists and keeps its name.\n")
    workspace.refresh_from_db()
    assert workspace.name == "North Fenwick ICS"


def test_hidden_files_in_the_directory_are_ignored(tmp_path):
    directory = good_copy(tmp_path)
    (directory / "._people.csv").write_bytes(b"\x00\x05\x16\x07 mac resource fork")

    assert "people.csv: 5 created" in run_import(directory)


def test_the_service_takes_bytes_text_and_streams_by_file_name(workspace):
    files = {
        "uploads/Organisations.csv": io.BytesIO(b"\xef\xbb\xbf" + TWO_ORGS.encode()),
        "people.csv": io.StringIO(dedent(TWO_PEOPLE)),
        "relationships.csv": "source,target,kind,strength\nP1,P2,influences,2\n",
    }

    plan = imports.bundle_import(workspace_slug=workspace.slug, files=files)

    assert plan.ok
    assert {f: len(s.created) for f, s in plan.summaries.items()} == {
        "organisations.csv": 2,
        "people.csv": 2,
        "relationships.csv": 1,
    }
    assert Relationship.objects.get().kind == "influences"


def test_checking_takes_the_same_queries_whatever_the_size(workspace, django_assert_num_queries):
    def files(people: int) -> dict[str, str]:
        refs = [f"P{i}" for i in range(people)]
        return {
            "organisations.csv": TWO_ORGS,
            "people.csv": "ref,name,seniority,organisation\n"
            + "".join(f"{ref},Name,manager,Trust A\n" for ref in refs),
            "affiliations.csv": "person,organisation\n"
            + "".join(f"{ref},Trust B\n" for ref in refs),
            "relationships.csv": "source,target,kind,strength\n"
            + "".join(f"{a},{b},trusts,3\n" for a in refs for b in refs if a != b),
        }

    imports.bundle_import(workspace_slug=workspace.slug, files=files(3))
    # One query each for organisations, people, affiliations and relationships.
    with django_assert_num_queries(4):
        small = imports.bundle_plan(workspace=workspace, files=files(3))
    with django_assert_num_queries(4):
        large = imports.bundle_plan(workspace=workspace, files=files(30))
    assert len(small.summaries["relationships.csv"].unchanged) == 6
    assert len(large.summaries["relationships.csv"].created) == 30 * 29 - 6


# --- The documentation (README) ------------------------------------------------------------

DOCS = Path(__file__).parents[2] / "README.md"


def test_the_worked_example_in_the_docs_runs_as_shown(tmp_path):
    example = DOCS.read_text().split("### A worked example")[1].split("### ")[0]
    blocks = example.split("```")[1::2]
    csv_files, transcript = blocks[:4], blocks[4]
    # The example holds the first four files (no forums).
    for name, block in zip(imports.BUNDLE_FILES[:4], csv_files, strict=True):
        (tmp_path / name).write_text(block.lstrip("\n"), encoding="utf-8")
    command, *expected = transcript.strip().splitlines()[:7]
    assert command.endswith('--name "North Fenwick ICS" --dry-run')

    out = run_import(tmp_path, "north-fenwick", "--name", "North Fenwick ICS", "--dry-run")

    assert out.splitlines() == expected


def test_the_help_and_the_docs_name_every_file_a_bundle_may_hold():
    usage = ImportMap().create_parser("manage.py", "import_map").format_help()
    docs = DOCS.read_text().split("## Importing a map from CSV files")[1].split("### ")[0]

    assert "up to six CSV files" in docs and len(imports.BUNDLE_FILES) == 6
    for name in imports.BUNDLE_FILES:
        assert name in " ".join(usage.split()), name
        assert f"`{name}`" in docs, name


@pytest.mark.parametrize(
    "choices",
    [OrganisationKind, Sector, Tier, Seniority, RelationshipKind],
    ids=lambda choices: choices.__name__,
)
def test_the_docs_list_every_accepted_value(choices):
    text = DOCS.read_text()

    for value, label in choices.choices:
        assert f"`{value}` ({label}" in text


def test_the_docs_describe_every_column():
    text = DOCS.read_text()

    for file, columns in imports.COLUMNS.items():
        section = text.split(f"### {file}")[1].split("### ")[0]
        for column, required in columns.items():
            assert f"| `{column}` | {'yes' if required else 'no'} |" in section
        for column in imports.DERIVED_COLUMNS.get(file, ()):
            assert f"| `{column}` | no, ignored |" in section


# --- Scores ---------------------------------------------------------------------


def test_an_import_queues_one_rescore_after_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        run_import(GOOD)

    assert len(callbacks) == 1  # the data stamp moves on, and one rescore is queued
    # The test settings run tasks immediately.
    assert ScoreRun.objects.filter(workspace__slug="fenwick-import").count() == 1


def test_dry_runs_failures_and_unchanged_imports_queue_no_rescore(
    tmp_path, django_capture_on_commit_callbacks
):
    run_import(GOOD)
    directory = good_copy(tmp_path)
    with (directory / "people.csv").open("a") as people:
        people.write("P006,Fay,,manager,Nowhere,\n")

    with django_capture_on_commit_callbacks() as callbacks:
        run_import(GOOD, "fenwick-import", "--dry-run")
        run_import(GOOD)
        import_errors(directory)

    assert callbacks == []


def test_the_formula_guard_of_our_exports_is_removed_on_import(tmp_path):
    directory = bundle(
        tmp_path / "guarded",
        organisations="""
            name,kind,sector,tier
            '=Fenwick Hospitals,acute_trust,nhs,system
            'Tis Fenwick Carers,vcse,vcse,neighbourhood
            """,
    )

    run_import(directory)

    names = set(Organisation.objects.values_list("name", flat=True))
    assert names == {"=Fenwick Hospitals", "'Tis Fenwick Carers"}


# --- Active, notes and derived columns -------------------------------------------------


def test_active_column_accepts_yes_no_words_and_blank_means_active(tmp_path):
    bundle(
        tmp_path,
        organisations=ORGS_HEADER + "Trust A,,acute_trust,nhs,system,,\n",
        people="""\
            ref,name,seniority,organisation,Active
            P1,Ann,manager,Trust A,yes
            P2,Bob,manager,Trust A,No
            P3,Cai,manager,Trust A,
            P4,Dee,manager,Trust A,FALSE
            P5,Eve,manager,Trust A,1
            P6,Fay,manager,Trust A,0
            P7,Gus,manager,Trust A,True
        """,
    )

    run_import(tmp_path)

    active = dict(Person.objects.values_list("ref", "active"))
    assert active == {
        "P1": True, "P2": False, "P3": True, "P4": False, "P5": True, "P6": False, "P7": True,
    }  # fmt: skip


def test_a_bad_active_value_names_file_row_column_and_reason(tmp_path):
    bundle(
        tmp_path,
        organisations=ORGS_HEADER + "Trust A,,acute_trust,nhs,system,,\n",
        people="""\
            ref,name,seniority,organisation,active
            P1,Ann,manager,Trust A,yes
            P2,Bob,manager,Trust A,left in May
        """,
    )

    assert import_errors(tmp_path) == [
        "people.csv, row 3, column active: 'left in May' is not yes or no. "
        "Use yes, no, true, false, 1 or 0 (empty means yes)."
    ]
    assert not Person.objects.exists()


def test_active_is_updated_when_given_and_kept_when_the_column_is_left_out(tmp_path):
    run_import(GOOD)
    Person.objects.filter(ref="P003").update(active=False)
    # Without the column: P003 stays inactive; nothing changes.
    assert "people.csv: 0 created, 0 updated, 5 unchanged" in run_import(GOOD)
    assert not Person.objects.get(ref="P003").active

    directory = good_copy(tmp_path)
    people = directory / "people.csv"
    lines = people.read_text("utf-8-sig").splitlines()
    lines[0] += ",active"
    lines[1:] = [line + (",no" if line.startswith("P001") else ",") for line in lines[1:]]
    people.write_text("\n".join(lines) + "\n", "utf-8")

    assert "people.csv: 0 created, 2 updated, 3 unchanged" in run_import(directory)
    active = dict(Person.objects.values_list("ref", "active"))
    assert active == {"P001": False, "P002": True, "P003": True, "P004": True, "P005": True}


def test_notes_column_sets_notes_and_keeps_them_when_left_out(tmp_path):
    run_import(GOOD)
    bundle(
        tmp_path,
        people="""\
            ref,name,seniority,organisation,notes
            P001,Amira Shah,board,North Fenwick Hospitals NHS Trust,"Chairs the board;
            second line"
        """,
    )

    assert "people.csv: 0 created, 1 updated, 0 unchanged" in run_import(tmp_path)
    assert Person.objects.get(ref="P001").notes == "Chairs the board;\nsecond line"
    run_import(GOOD)  # no notes column: the notes stay
    assert Person.objects.get(ref="P001").notes == "Chairs the board;\nsecond line"


def test_the_derived_stale_column_is_checked_and_ignored(tmp_path):
    run_import(GOOD)
    directory = good_copy(tmp_path)
    ties = directory / "relationships.csv"
    lines = ties.read_text("utf-8-sig").splitlines()
    lines[0] += ",Stale"
    lines[1:] = [line + ("," if i % 2 else ",Yes") for i, line in enumerate(lines[1:])]
    ties.write_text("\n".join(lines) + "\n", "utf-8")
    before = row_counts()

    assert "relationships.csv: 0 created, 0 updated, 5 unchanged" in run_import(directory)
    assert row_counts() == before

    ties.write_text(ties.read_text().replace(",Yes\n", ",stale-ish\n", 1), "utf-8")
    assert import_errors(directory) == [
        "relationships.csv, row 2, column stale: 'stale-ish' is not yes or no. "
        "Use yes, no, true, false, 1 or 0 or leave it empty."
    ]


def test_stale_is_a_column_of_relationships_only(tmp_path):
    bundle(
        tmp_path,
        organisations="name,kind,sector,tier,stale\nTrust A,acute_trust,nhs,system,no\n",
    )

    assert import_errors(tmp_path) == [
        "organisations.csv, row 1, column stale: unknown column. "
        "The columns are: name, short_name, kind, sector, tier, parent, ods_code."
    ]


# --- Optimistic-locking versions ------------------------------------------------------


def test_updates_bump_the_version_of_changed_rows_only(tmp_path):
    run_import(GOOD)
    models = (Organisation, Person, Affiliation, Relationship)
    assert all(set(m.objects.values_list("version", flat=True)) == {1} for m in models)
    directory = good_copy(tmp_path)
    orgs = directory / "organisations.csv"
    orgs.write_text(orgs.read_text("utf-8-sig").replace("place,,\n", "system,,\n"), "utf-8")
    people = directory / "people.csv"
    # Ben moves his primary post to the council: his old primary is demoted, the
    # council affiliation (from affiliations.csv) is promoted.
    people.write_text(
        people.read_text()
        .replace("Ben Okafor", "Benedict Okafor")
        .replace("director,North Fenwick ICB,Director of strategy", "director,Fenwick County "
                 "Council,Joint director of integration"),
        "utf-8",
    )  # fmt: skip
    ties = directory / "relationships.csv"
    ties.write_text(
        ties.read_text().replace("P004,P001,collaborates,1,,,", "P004,P001,collaborates,2,3,,")
    )

    run_import(directory)
    run_import(directory)  # unchanged: no further bumps

    def versions(model, key):
        return {tuple(k): v for *k, v in model.objects.values_list(*key, "version")}

    assert versions(Organisation, ["name"])[("Fenwick County Council",)] == 2
    assert sum(versions(Organisation, ["name"]).values()) == 5 + 1
    assert versions(Person, ["ref"]) == {
        ("P001",): 1, ("P002",): 2, ("P003",): 1, ("P004",): 1, ("P005",): 1,
    }  # fmt: skip
    affiliations = versions(Affiliation, ["person__ref", "organisation__name"])
    assert affiliations.pop(("P002", "North Fenwick ICB")) == 2  # demoted
    assert affiliations.pop(("P002", "Fenwick County Council")) == 2  # promoted
    assert set(affiliations.values()) == {1}
    relationships = versions(Relationship, ["source__ref", "target__ref"])
    assert relationships.pop(("P004", "P001")) == 2
    assert set(relationships.values()) == {1}
    # The history row of the update holds the new version, as a form save would.
    tie = Relationship.objects.get(source__ref="P004")
    assert [(r.history_type, r.version) for r in tie.history.all()] == [("~", 2), ("+", 1)]


# --- People with no primary organisation ----------------------------------------------


def test_an_empty_organisation_means_no_primary_organisation(tmp_path):
    run_import(GOOD)
    bundle(
        tmp_path,
        people="""\
            ref,name,seniority,organisation,role_title
            P002,Ben Okafor,director,,
            P009,Ida Novak,manager,,
        """,
    )

    out = run_import(tmp_path)

    assert "people.csv: 1 created, 1 updated, 0 unchanged" in out
    assert not Affiliation.objects.filter(person__ref="P009").exists()
    # Ben's primary post is kept as a secondary one, with its role title.
    bens = Affiliation.objects.filter(person__ref="P002").order_by("organisation__name")
    assert [(a.organisation.name, a.is_primary, a.role_title) for a in bens] == [
        ("Fenwick County Council", False, "Joint director of integration"),
        ("North Fenwick ICB", False, "Director of strategy"),
    ]
    assert "people.csv: 0 created, 0 updated, 2 unchanged" in run_import(tmp_path)


def test_a_role_title_needs_an_organisation(tmp_path):
    bundle(
        tmp_path,
        people="""\
            ref,name,seniority,organisation,role_title
            P1,Ann,manager,,Chief executive
        """,
    )

    assert import_errors(tmp_path) == [
        "people.csv, row 2, column role_title: a role title needs an organisation: give the "
        "organisation, or leave both empty for someone with no primary organisation."
    ]
