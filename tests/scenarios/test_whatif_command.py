"""`manage.py whatif`: the what-if page's tables as CSV on stdout."""

import csv
import io
from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from stakeholders.models import Affiliation, WhatIf
from stakeholders.scenarios import leaves, whatif_compute
from tests.factories import OrganisationFactory
from tests.scenarios.test_whatif_compute import build_leavers_map
from tests.scenarios.test_whatif_views import WHATIF_HEADER

pytestmark = pytest.mark.django_db


def run(*args: str) -> list[list[str]]:
    out = io.StringIO()
    call_command("whatif", *args, stdout=out)
    text = out.getvalue()
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


@pytest.fixture
def leavers_map(workspace):
    return build_leavers_map(workspace)


def test_the_command_prints_the_same_tables_as_the_download(client, leavers_map, viewer):
    m = leavers_map
    table = run("--workspace", m.workspace.slug, "--leaves", "LM-KIERAN")
    assert table[0] == WHATIF_HEADER
    whatif = leaves.whatif_ask(workspace=m.workspace, run=m.run, people=(m.kieran.pk,))
    whatif_compute.whatif_execute(whatif_id=whatif.pk)
    client.force_login(viewer)
    response = client.get(f"/w/{m.workspace.slug}/scenarios/leaves.csv?person={m.kieran.pk}")
    body = b"".join(response.streaming_content).decode("utf-8").lstrip("\ufeff")
    assert table == list(csv.reader(io.StringIO(body)))


def test_several_refs_and_a_boundary(leavers_map):
    m = leavers_map
    table = run(
        "--workspace", m.workspace.slug, "--leaves", "LM-KIERAN, LM-HUGO", "--boundary", "sector"
    )
    who = [r[5] for r in table if r[0] == "Who leaves"]
    assert who == ["Hugo Hart", "Kieran Leach"]
    broken = {(r[1], r[2], r[3]) for r in table if r[0] == "Links that would break"}
    assert ("Sector", "NHS", "Local government") in broken
    assert not WhatIf.objects.exists()  # computed in the command, nothing stored


def test_an_organisation_leaves_as_on_the_page(client, leavers_map, viewer):
    """A merger or a closure: everyone at the hospital today, by its name; the same CSV."""
    m = leavers_map
    table = run("--workspace", m.workspace.slug, "--organisation", "Fenwick Hospitals")
    who = [r[5] for r in table if r[0] == "Who leaves"]
    assert who == ["Hana Hill", "Harry Hunt", "Hugo Hart", "Kieran Leach", "Tom Green"]
    question = leaves.whatif_question(
        workspace=m.workspace, people=(), organisations=(m.hospital.pk,), today=date.today()
    )
    whatif = leaves.whatif_ask(workspace=m.workspace, run=m.run, people=question.ids)
    whatif_compute.whatif_execute(whatif_id=whatif.pk)
    client.force_login(viewer)
    address = f"/w/{m.workspace.slug}/scenarios/leaves.csv?organisation={m.hospital.pk}"
    body = b"".join(client.get(address).streaming_content).decode("utf-8").lstrip("\ufeff")
    assert table == list(csv.reader(io.StringIO(body)))
    # With someone else too; an unknown name is an error naming the option.
    both = run(
        "--workspace", m.workspace.slug, "--organisation", "Fenwick Hospitals", "--leaves",
        "LM-IRIS",
    )  # fmt: skip
    assert len([r for r in both if r[0] == "Who leaves"]) == 6
    with pytest.raises(CommandError, match="--organisation: No organisation called 'Nowhere'"):
        run("--workspace", m.workspace.slug, "--organisation", "Nowhere")


def test_an_organisation_nobody_is_at_now_is_refused_as_by_the_download(leavers_map):
    m = leavers_map
    empty = OrganisationFactory(workspace=m.workspace, name="Men's Shed")
    with pytest.raises(CommandError, match="nobody is at the organisation chosen now"):
        run("--workspace", m.workspace.slug, "--organisation", empty.name)


def test_someone_whose_main_role_has_ended_is_named_with_no_organisation(leavers_map):
    """As the scores place them, and as the page's list of who leaves names them."""
    m = leavers_map
    Affiliation.objects.filter(person=m.cath).update(end_date="2020-01-01")
    table = run("--workspace", m.workspace.slug, "--leaves", "LM-CATH,LM-COLIN")
    who = {r[5]: r[6] for r in table if r[0] == "Who leaves"}
    assert who == {"Cath Cross": "", "Colin Crane": "Fenwick County Council"}


def test_unknown_refs_are_named(leavers_map):
    with pytest.raises(CommandError, match="has the ref NOPE, ALSO-NOPE"):
        run("--workspace", leavers_map.workspace.slug, "--leaves", "LM-KIERAN,NOPE,ALSO-NOPE")


def test_an_unknown_workspace_or_no_refs_is_an_error(leavers_map):
    with pytest.raises(CommandError, match="No workspace with slug 'nowhere'"):
        run("--workspace", "nowhere", "--leaves", "LM-KIERAN")
    with pytest.raises(CommandError, match="at least one person"):
        run("--workspace", leavers_map.workspace.slug, "--leaves", " , ")


def test_without_a_score_run_both_sides_are_computed(workspace):
    m = build_leavers_map(workspace, score=False)
    table = run("--workspace", m.workspace.slug, "--leaves", "LM-KIERAN")
    assert any(r[0] == "Links that would break" for r in table)
    assert not [r for r in table if "data changed" in r[-1]]  # nothing to compare with
