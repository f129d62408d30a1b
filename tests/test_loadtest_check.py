"""The load test's own logic: form parsing, percentiles and the lost-write check."""

import pytest

from loadtest.check import expected_state, lost_writes
from loadtest.generator import CONFLICT_TEXT, form_errors, form_fields, percentile
from stakeholders.models import Relationship
from tests.factories import PersonFactory, RelationshipFactory


def test_percentile_is_nearest_rank():
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == 50
    assert percentile(values, 95) == 95
    assert percentile([7.0], 95) == 7
    assert percentile([], 95) == 0


def test_form_fields_submits_what_a_browser_would():
    html = """
    <form id="other"><input name="q" value="ignored"></form>
    <form id="relationship_form" method="post">
      <input type="hidden" name="csrfmiddlewaretoken" value="tok">
      <input type="hidden" name="loaded_version" value="3">
      <select name="kind"><option value="trusts">T</option>
        <option value="influences" selected>I</option></select>
      <select name="trust"><option value="">unknown</option><option value="4">4</option></select>
      <input type="number" name="strength" value="2">
      <input type="checkbox" name="active" checked><input type="checkbox" name="off">
      <textarea name="evidence">
Met at &amp; board</textarea>
      <input type="submit" name="_save" value="Save">
    </form>"""
    assert form_fields(html, "relationship_form") == {
        "csrfmiddlewaretoken": "tok",
        "loaded_version": "3",
        "kind": "influences",
        "trust": "",
        "strength": "2",
        "active": "on",
        "evidence": "Met at & board",
    }


def write(op, at, **values):
    return {"op": op, "answered_at": at, "strength": 3, "trust": None, **values}


def test_nothing_lost_when_the_database_holds_every_acknowledged_write():
    writes = [
        write("add", 1, source=1, target=2, kind="trusts", evidence="e1"),
        write("change", 2, pk=9, evidence="e2", loaded_version=1),
        write("change", 3, pk=9, evidence="e3", loaded_version=2, strength=5),
    ]
    added = {"e1": {"source": 1, "target": 2, "kind": "trusts", "strength": 3, "trust": None}}
    added["e1"]["evidence"] = "e1"
    changed = {9: {"strength": 5, "trust": None, "evidence": "e3", "version": 3}}
    assert lost_writes(writes, added, changed) == []


def test_missing_add_and_overwritten_change_are_lost():
    writes = [
        write("add", 1, source=1, target=2, kind="trusts", evidence="e1"),
        write("change", 2, pk=9, evidence="e2"),
        write("change", 3, pk=9, evidence="e3"),
    ]
    # The older change is what the database holds: the newer acknowledged one was lost.
    changed = {9: {"strength": 3, "trust": None, "evidence": "e2"}}
    assert lost_writes(writes, {}, changed) == [
        "added tie 'e1' is missing",
        "tie 9 does not hold its last saved change ('e3')",
    ]


def test_two_saves_from_one_version_are_a_lost_update():
    writes = [
        write("change", 1, pk=9, evidence="a", loaded_version=4),
        write("change", 2, pk=9, evidence="b", loaded_version=4),
    ]
    changed = {9: {"strength": 3, "trust": None, "evidence": "b", "version": 5}}
    assert lost_writes(writes, {}, changed) == [
        "tie 9: two saves from the same version were both accepted"
    ]


def test_with_versions_the_last_save_is_the_newest_version_not_the_last_answer():
    # The later answer came from the older version: the database must hold the other.
    writes = [
        write("change", 5, pk=9, evidence="from v1", loaded_version=1),
        write("change", 4, pk=9, evidence="from v2", loaded_version=2),
    ]
    _, changed = expected_state(writes)
    assert changed[9][-1]["evidence"] == "from v2"


@pytest.fixture
def staff_editor(editor):
    editor.is_staff = True
    editor.save()
    return editor


def test_admin_change_form_round_trips_through_the_parser(client, staff_editor, workspace):
    """The generator's form handling against the real admin: one save, then a stale one."""
    tie = RelationshipFactory(
        source=PersonFactory(workspace=workspace), target=PersonFactory(workspace=workspace)
    )
    client.force_login(staff_editor)
    path = f"/admin/stakeholders/relationship/{tie.pk}/change/"
    stale = form_fields(client.get(path).content.decode(), "relationship_form")
    assert {"csrfmiddlewaretoken", "source", "target", "kind", "strength"} <= stale.keys()

    fresh = dict(stale, strength="1" if tie.strength != 1 else "2", evidence="first", _save="1")
    assert client.post(path, fresh).status_code == 302
    tie.refresh_from_db()
    assert (tie.strength, tie.evidence) == (int(fresh["strength"]), "first")

    if "loaded_version" not in stale:
        pytest.skip("the relationship admin has no optimistic locking yet")
    response = client.post(path, dict(stale, evidence="second", _save="1"))
    assert response.status_code == 200
    assert CONFLICT_TEXT in response.content.decode()
    assert form_errors(response.content.decode())
    assert Relationship.objects.get(pk=tie.pk).evidence == "first"
