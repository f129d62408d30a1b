"""Kumu maps: problems named once, at their cause, with the advice the CSV files get."""

import pytest

from stakeholders.imports import uploads
from tests.factories import OrganisationFactory
from tests.imports.test_import_views import KUMU_CONNECTIONS, KUMU_ELEMENTS

pytestmark = pytest.mark.django_db


def kumu_problems(workspace, elements: str, connections: str = KUMU_CONNECTIONS) -> list[tuple]:
    planned = uploads.upload_plan(
        workspace=workspace,
        files={"Elements.csv": elements.encode(), "Connections.csv": connections.encode()},
    )
    return [(e.file, e.row, e.column, e.message) for e in planned.errors]


def test_a_label_differing_only_in_case_gets_a_did_you_mean_hint(workspace):
    elements = KUMU_ELEMENTS + "acme trust,Organisation,,,,\n"
    connections = KUMU_CONNECTIONS + "Carys Evans,Acme Trust,works at,,\n"

    assert kumu_problems(workspace, elements, connections) == [
        (
            "Connections.csv",
            9,
            "To",
            "there is no element 'Acme Trust' in Elements.csv. Did you mean 'acme trust'? "
            "(Labels are case-sensitive.)",
        )
    ]


def test_a_label_with_an_invisible_character_names_it(workspace):
    elements = KUMU_ELEMENTS + "Acme Trust,Organisation,,,,\n"
    connections = KUMU_CONNECTIONS + "Carys Evans,Acme\u00a0Trust,works at,,\n"

    assert kumu_problems(workspace, elements, connections) == [
        (
            "Connections.csv",
            9,
            "To",
            "there is no element 'Acme\u00a0Trust' in Elements.csv. It contains a no-break "
            "space (U+00A0) after 'Acme' (character 5): it looks like a space. With a normal "
            "space there, it would match 'Acme Trust'.",
        )
    ]


def test_a_label_unlike_any_element_gets_no_hint(workspace):
    connections = KUMU_CONNECTIONS + "Carys Evans,Acme Trust,works at,,\n"

    [(*_, message)] = kumu_problems(workspace, KUMU_ELEMENTS, connections)

    assert message == "there is no element 'Acme Trust' in Elements.csv."


def test_a_connection_naming_no_element_is_the_only_problem_reported(workspace):
    """Dev's only organisation is the one the connection misspells: that is the cause,
    not a missing connection to an organisation."""
    elements = KUMU_ELEMENTS + "Dev Patel,Person,,,,\n"
    connections = KUMU_CONNECTIONS + "Dev Patel,Fenwick Hospitalz,works at,,\n"

    assert kumu_problems(workspace, elements, connections) == [
        (
            "Connections.csv",
            9,
            "To",
            "there is no element 'Fenwick Hospitalz' in Elements.csv.",
        )
    ]


def test_a_person_with_no_connection_at_all_still_needs_an_organisation(workspace):
    elements = KUMU_ELEMENTS + "Dev Patel,Person,,,,\n"

    [(file, row, column, message)] = kumu_problems(workspace, elements)

    assert (file, row, column) == ("Elements.csv", 7, "Label")
    assert message.startswith("'Dev Patel' is a person with no connection to an organisation.")


@pytest.mark.parametrize(
    ("label", "cause"),
    [
        ("!!!", "'!!!' has no letters or digits to make a ref from."),
        ("amira shah", "'amira shah' would get the same ref ('amira-shah') as 'Amira Shah'"),
    ],
)
def test_connections_of_a_refused_element_are_not_reported_again(workspace, label, cause):
    elements = KUMU_ELEMENTS + f"{label},Person,,,,\n"
    connections = KUMU_CONNECTIONS + f"{label},Fenwick Hospitals,works at,,\n"

    [(file, row, column, message)] = kumu_problems(workspace, elements, connections)

    assert (file, row, column) == ("Elements.csv", 7, "Label")
    assert message.startswith(cause)


def test_a_repeated_column_is_named_not_read_from_its_first_copy(workspace):
    elements = KUMU_ELEMENTS.replace("Label,Type,Description", "Label,Type,label", 1)
    connections = KUMU_CONNECTIONS.replace("From,To,Type,Strength", "From,To,Type,TYPE", 1)

    assert kumu_problems(workspace, elements, connections) == [
        ("Elements.csv", 1, "label", "the column appears twice (columns A and C)."),
        ("Connections.csv", 1, "TYPE", "the column appears twice (columns C and D)."),
    ]


@pytest.mark.parametrize(("separator", "name"), [(";", "semicolons"), ("\t", "tabs")])
def test_a_sheet_not_separated_by_commas_gets_advice(workspace, separator, name):
    elements = KUMU_ELEMENTS.replace(",", separator)
    connections = KUMU_CONNECTIONS.replace(",", separator)
    advice = (
        f"the columns are separated by {name}, not commas. "
        'In Excel choose File > Save As > "CSV UTF-8 (Comma delimited) (*.csv)".'
    )

    assert kumu_problems(workspace, elements, connections) == [
        ("Elements.csv", 1, None, advice),
        ("Connections.csv", 1, None, advice),
    ]


def test_an_organisation_differing_only_in_case_from_one_here_is_refused(workspace):
    """'fenwick hospitals' in a Kumu map, with 'Fenwick Hospitals' already in the
    workspace, would make a second organisation: named at its element's row."""
    OrganisationFactory(workspace=workspace, name="Fenwick Hospitals")
    elements = KUMU_ELEMENTS.replace("Fenwick Hospitals,Acute", "fenwick hospitals,Acute")
    connections = KUMU_CONNECTIONS.replace("Fenwick Hospitals", "fenwick hospitals")

    (problem,) = kumu_problems(workspace, elements, connections)

    assert problem[0] == "Elements.csv" and problem[1] == 2
    assert "an organisation 'Fenwick Hospitals' already exists in this workspace" in problem[3]
