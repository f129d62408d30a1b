"""Kumu maps: problems named once, at their cause, with the advice the CSV files get."""

import pytest

from stakeholders.imports import uploads
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


def test_a_label_unlike_any_element_gets_no_hint(workspace):
    connections = KUMU_CONNECTIONS + "Carys Evans,Acme Trust,works at,,\n"

    [(*_, message)] = kumu_problems(workspace, KUMU_ELEMENTS, connections)

    assert message == "there is no element 'Acme Trust' in Elements.csv."
