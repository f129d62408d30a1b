"""Control characters and NUL: refused where text comes in, dropped where XML goes out.

Word pastes U+000B (Shift+Enter) and other characters XML 1.0 cannot hold; before the
rule (stakeholders/text.py) one in a name broke map.svg, map.png and the board pack.
A NUL breaks PostgreSQL, so it is a 400 wherever it arrives.
"""

import io
import itertools
import logging
import zipfile
from xml.etree import ElementTree

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from stakeholders import score_runs
from stakeholders.exports.board_pack import PNG_SIGNATURE
from stakeholders.imports.bundle import bundle_plan
from stakeholders.models import ImportPreview, Organisation, Person, Role, Workspace
from stakeholders.text import text_problem
from tests.factories import (
    AffiliationFactory,
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
    RelationshipFactory,
    UserFactory,
)
from tests.test_admin import _person_post

pytestmark = pytest.mark.django_db

WORD_BREAK = "This text contains a line break of the kind Word makes with Shift+Enter (U+000B)"


@pytest.fixture
def staff_editor(workspace):
    user = UserFactory(username="editor", is_staff=True)
    MembershipFactory(user=user, workspace=workspace, role=Role.EDITOR)
    client = Client()
    client.force_login(user)
    return client


# The rule ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["a\x00b", "Amira\x0bShah", "\x1b[31m", "page\x0cbreak", "x\ufffe", "x\uffff", "\ud800"]
)
def test_characters_xml_cannot_hold_are_refused(text):
    assert text_problem(text) is not None


@pytest.mark.parametrize("text", ["Amira Shah", "a\tb", "line\nline", "line\r\nline", "Zoë 😀"])
def test_tab_newline_and_ordinary_text_are_allowed(text):
    assert text_problem(text) is None


def test_every_text_field_of_a_record_refuses_them_beside_the_field(workspace):
    organisation = Organisation(
        workspace=workspace, name="North\x0bFenwick ICB", short_name="I\x1bCB", kind="icb",
        sector="nhs", tier="system",
    )  # fmt: skip

    with pytest.raises(ValidationError) as refused:
        organisation.full_clean()

    assert set(refused.value.message_dict) == {"name", "short_name"}
    assert refused.value.message_dict["name"] == [
        f"{WORD_BREAK}, which cannot be saved. Retype the text, or paste it as plain text."
    ]


def test_tabs_and_newlines_in_notes_are_kept(workspace):
    person = Person(
        workspace=workspace, ref="P1", name="Amira Shah", seniority="director",
        notes="Chairs the board.\n\tAlso sits on the ICP.\r\n",
    )  # fmt: skip

    person.full_clean()


# The admin -----------------------------------------------------------------------------


def test_admin_refuses_a_person_named_with_a_word_line_break(staff_editor, workspace):
    org = OrganisationFactory(workspace=workspace)
    data = _person_post(
        workspace, affiliations=[{"organisation": org, "is_primary": True}], name="Amira\x0bShah"
    )

    response = staff_editor.post(reverse("admin:stakeholders_person_add"), data)

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert list(errors) == ["name"]
    assert WORD_BREAK in errors["name"][0]
    assert not Person.objects.exists()


def test_admin_refuses_an_escape_character_in_a_relationship_row(staff_editor, workspace):
    org = OrganisationFactory(workspace=workspace)
    person = PersonFactory(workspace=workspace)
    AffiliationFactory(person=person, organisation=org)
    other = PersonFactory(workspace=workspace)
    data = _person_post(
        workspace, affiliations=_affiliations(person), ties=[{"target": other}], person=person
    )
    data["ties_out-0-evidence"] = "Met at \x1b[1mboard"

    response = staff_editor.post(
        reverse("admin:stakeholders_person_change", args=[person.pk]), data
    )

    assert response.status_code == 200
    (formset,) = [
        f for f in response.context["inline_admin_formsets"] if f.formset.prefix == "ties_out"
    ]
    assert "an escape character (U+001B)" in formset.formset.forms[0].errors["evidence"][0]
    assert not person.ties_out.exists()


def _affiliations(person):
    return [
        {"id": a.pk, "organisation": a.organisation, "is_primary": a.is_primary}
        for a in person.affiliations.all()
    ]


# The importer --------------------------------------------------------------------------

PEOPLE = "ref,name,job_title,seniority,organisation,role_title\n"
ORGANISATIONS = "name,kind,sector,tier\nNorth Fenwick ICB,icb,nhs,system\n"


def test_import_map_refuses_a_row_with_a_word_line_break_naming_row_and_column(tmp_path):
    (tmp_path / "organisations.csv").write_text(ORGANISATIONS)
    (tmp_path / "people.csv").write_text(
        PEOPLE
        + "P1,Ben Okafor,Director,director,North Fenwick ICB,\n"
        + "P2,Amira\x0bShah,Chief executive,board,North Fenwick ICB,\n"
    )

    with pytest.raises(CommandError) as refused:
        call_command("import_map", str(tmp_path), workspace="fenwick")

    assert f"people.csv, row 3, column name: {WORD_BREAK}" in str(refused.value)
    assert not Workspace.objects.exists()


def test_a_kumu_label_with_an_escape_character_is_refused_where_kumu_has_it(
    staff_editor, workspace
):
    elements = "Label,Type\nNorth Fenwick ICB,Organisation\nAmira \x1bShah,Person\n"
    connections = "From,To,Type\nAmira \x1bShah,North Fenwick ICB,works at\n"

    summary = _upload(
        staff_editor, workspace, {"Elements.csv": elements, "Connections.csv": connections}
    )

    escape = "This text contains an escape character (U+001B)"
    where = [(e["file"], e["row"], e["column"]) for e in summary["errors"]]
    assert where == [("Elements.csv", 3, "Label"), ("Connections.csv", 2, "From")]
    assert all(e["message"].startswith(escape) for e in summary["errors"])


def test_a_nul_in_a_header_cell_is_a_listed_problem_and_logs_nothing(
    staff_editor, workspace, caplog
):
    people = "ref,name\x00secret,seniority,organisation\nP1,Amira Shah,board,\n"

    with caplog.at_level(logging.INFO):
        summary = _upload(staff_editor, workspace, {"people.csv": people})

    assert {"file": "people.csv", "row": 1, "column": "B", "message": (
        "The column name contains a null character (U+0000), which cannot be saved. "
        "Retype the text, or paste it as plain text."
    )} in summary["errors"]  # fmt: skip
    assert "\x00" not in str(summary)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not any("secret" in r.getMessage() for r in caplog.records)


def test_a_strength_of_five_thousand_digits_is_a_row_error(workspace):
    people = PEOPLE + "P1,Amira Shah,,board,,\nP2,Ben Okafor,,director,,\n"
    ties = "source,target,kind,strength,trust\nP1,P2,trusts,{},{}\n".format("9" * 5000, "1" * 5000)

    plan = bundle_plan(workspace=workspace, files={"people.csv": people, "relationships.csv": ties})

    where = [str(e).split(":")[0] for e in plan.errors]
    assert where == [
        "relationships.csv, row 2, column strength",
        "relationships.csv, row 2, column trust",
    ]
    assert all("A number of 5,000 digits is out of range." in str(e) for e in plan.errors)


def test_a_strength_behind_thousands_of_zeros_is_read_as_the_number(workspace):
    # int() refuses strings of over 4,300 digits, zeros included.
    people = PEOPLE + "P1,Amira Shah,,board,,\nP2,Ben Okafor,,director,,\n"
    ties = "source,target,kind,strength,trust\nP1,P2,trusts,{},{}\n".format(
        "0" * 5000 + "3", "0" * 5000 + "9"
    )

    plan = bundle_plan(workspace=workspace, files={"people.csv": people, "relationships.csv": ties})

    # Strength reads as 3 and passes; trust reads as 9 and is out of range.
    assert len(plan.errors) == 1
    assert str(plan.errors[0]).startswith(
        "relationships.csv, row 2, column trust: 9 is out of range."
    )


def _upload(client, workspace, files: dict[str, str]) -> dict:
    uploads = [SimpleUploadedFile(name, text.encode(), "text/csv") for name, text in files.items()]
    url = reverse("stakeholders:import_upload", kwargs={"slug": workspace.slug})
    response = client.post(url, {"files": uploads})
    assert response.status_code == 302
    assert client.get(response.url).status_code == 200
    return ImportPreview.objects.get().summary


# XML written from rows stored before the rule ------------------------------------------

BAD = "\x0b\x1b\x0c\ufffe\uffff"


@pytest.fixture
def bad_map(workspace):
    """A scored map whose names hold what XML cannot, saved without validation."""
    Workspace.objects.filter(pk=workspace.pk).update(name=f"North{BAD}Fenwick")
    orgs = [
        OrganisationFactory(workspace=workspace, name=f"Fenwick{BAD} ICB", short_name=f"I{BAD}CB"),
        OrganisationFactory(workspace=workspace, sector="local_government", tier="place"),
    ]
    people = [
        PersonFactory(workspace=workspace, name=f"Amira{BAD}Shah{i}", job_title=f"Chief{BAD}")
        for i in range(6)
    ]
    for i, person in enumerate(people):
        AffiliationFactory(person=person, organisation=orgs[i % 2], role_title=f"Lead{BAD}")
    for a, b in itertools.pairwise(people):
        RelationshipFactory(source=a, target=b, kind="influences", evidence=f"Board{BAD}")
    score_runs.score_run_execute(workspace_id=workspace.pk)
    user = UserFactory(username="reader")
    MembershipFactory(user=user, workspace=workspace, role=Role.VIEWER)
    client = Client()
    client.force_login(user)
    return client


def _url(workspace, name: str, **kwargs) -> str:
    return reverse(f"stakeholders:{name}", kwargs={"slug": workspace.slug, **kwargs})


def test_map_svg_of_old_bad_data_is_well_formed_xml(bad_map, workspace):
    response = bad_map.get(_url(workspace, "map_svg"))

    assert response.status_code == 200
    ElementTree.fromstring(response.content)
    assert "NorthFenwick" in response.content.decode()


@pytest.mark.parametrize("boundary", ["organisation", "sector"])
def test_map_png_of_old_bad_data_is_drawn(bad_map, workspace, boundary):
    response = bad_map.get(_url(workspace, "map_png"), {"boundary": boundary})

    assert response.status_code == 200
    assert response.content.startswith(PNG_SIGNATURE)


def test_board_pack_of_old_bad_data_holds_the_map_and_its_png(bad_map, workspace):
    response = bad_map.get(_url(workspace, "export_board_pack"))

    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))) as pack:
        ElementTree.fromstring(pack.read("map.svg"))
        assert pack.read("map.png").startswith(PNG_SIGNATURE)


@pytest.mark.parametrize("format", ["gexf", "graphml"])
def test_graph_exports_of_old_bad_data_are_well_formed_xml(bad_map, workspace, format):
    response = bad_map.get(_url(workspace, "export_graph", format=format))

    ElementTree.fromstring(b"".join(response.streaming_content))


# NUL is a 400 wherever it arrives, before any download starts --------------------------


@pytest.mark.parametrize(
    ("name", "kwargs", "query"),
    [
        ("export_csv", {"kind": "brokers"}, "group=%00"),
        ("export_notes", {"kind": "brokers"}, "group=%00"),
        ("export_board_pack", {}, "group=%00"),
        ("brokers", {}, "group=%00"),
        ("workspace_detail", {}, "q=%00"),
        ("map", {}, "boundary=organisation&%00=1"),
        ("scenario_route", {}, "from=1%00"),
    ],
)
def test_a_nul_in_the_address_is_a_400_before_any_download_starts(
    bad_map, workspace, name, kwargs, query
):
    response = bad_map.get(f"{_url(workspace, name, **kwargs)}?{query}")

    assert response.status_code == 400
    assert not response.streaming
    assert "null character (%00)" in response.content.decode()


def test_a_nul_in_the_people_search_is_a_400(bad_map, workspace):
    response = bad_map.post(
        _url(workspace, "workspace_detail"), "q=%00", "application/x-www-form-urlencoded"
    )

    assert response.status_code == 400


@pytest.mark.parametrize(
    "path",
    [
        "/admin/stakeholders/person/?q=%00",
        "/admin/stakeholders/person/?workspace__id__exact=%00",
        "/admin/stakeholders/relationship/?strength__exact=1%00",
        "/admin/autocomplete/?app_label=stakeholders&model_name=relationship"
        "&field_name=target&term=%00",
        "/admin/stakeholders/person/1%00/change/",
    ],
)
def test_a_nul_in_an_admin_list_filter_search_or_autocomplete_is_a_400(staff_editor, path):
    response = staff_editor.get(path)

    assert response.status_code == 400
