"""Optimistic locking: of two editors who loaded the same version, the second save is refused.

The admin tests submit what the browser would: every field of the change page as
rendered, with one value changed, so the hidden version field travels as it really does.
"""

import re
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse

from stakeholders.forms import OrganisationAdminForm, RelationshipAdminForm
from stakeholders.models import Affiliation, Organisation, Person, Relationship, Role
from stakeholders.services import EditConflict, record_version_claim
from tests.factories import (
    AffiliationFactory,
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
    RelationshipFactory,
    UserFactory,
)

CONFLICT = re.compile(
    r"Someone else changed this (\w+) while you were editing it \(at \d\d:\d\d by (\w+)\)\. "
    r"Reload to see their changes; yours were not saved\."
)


class _FormFields(HTMLParser):
    """The name/value pairs a browser would submit from the page's main form."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.fields: list[tuple[str, str]] = []
        self._in_form = False
        self._select: str | None = None
        self._textarea: str | None = None
        self._text = ""

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("id", "").endswith("_form"):
            self._in_form = True
        if not self._in_form or "name" not in a and tag != "option":
            return
        if tag == "input":
            kind = a.get("type", "text")
            if kind in {"submit", "button", "file"}:
                return
            if kind == "checkbox" and "checked" not in a:
                return
            self.fields.append((a["name"], a.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "select":
            self._select = a["name"]
        elif tag == "option" and self._select and "selected" in a:
            self.fields.append((self._select, a.get("value", "")))
        elif tag == "textarea":
            self._textarea, self._text = a["name"], ""

    def handle_data(self, data):
        if self._textarea:
            self._text += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_form = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            self.fields.append((self._textarea, self._text.removeprefix("\n")))
            self._textarea = None


def _load(client: Client, url: str) -> dict[str, str]:
    response = client.get(url)
    assert response.status_code == 200
    parser = _FormFields()
    parser.feed(response.content.decode())
    fields = dict(parser.fields)
    assert "loaded_version" in fields, "the change page must carry the loaded version"
    return fields


@pytest.fixture
def data(workspace):
    hospital = OrganisationFactory(workspace=workspace, name="Northgate Hospital")
    ada = PersonFactory(workspace=workspace, ref="N0001", name="Ada Northcott")
    ben = PersonFactory(workspace=workspace, ref="N0002", name="Ben Northway")
    AffiliationFactory(person=ada, organisation=hospital, is_primary=True)
    AffiliationFactory(person=ben, organisation=hospital, is_primary=True)
    tie = RelationshipFactory(source=ada, target=ben, kind="trusts", strength=3)
    return {"hospital": hospital, "ada": ada, "ben": ben, "tie": tie}


@pytest.fixture
def two_editors(workspace):
    clients = []
    for username in ("alice", "bob"):
        user = UserFactory(username=username, is_staff=True)
        MembershipFactory(user=user, workspace=workspace, role=Role.EDITOR)
        client = Client()
        client.force_login(user)
        clients.append(client)
    return clients


def test_second_save_of_a_relationship_is_refused(two_editors, data):
    alice, bob = two_editors
    tie = data["tie"]
    url = reverse("admin:stakeholders_relationship_change", args=[tie.pk])
    alice_form, bob_form = _load(alice, url), _load(bob, url)
    assert alice_form["loaded_version"] == bob_form["loaded_version"] == "1"

    first = alice.post(url, alice_form | {"strength": "5", "evidence": "Alice's note"})
    second = bob.post(url, bob_form | {"strength": "1", "evidence": "Bob's note"})

    assert first.status_code == 302
    assert second.status_code == 200
    match = CONFLICT.search(second.content.decode())
    assert match and match.groups() == ("relationship", "alice")
    # Bob's values stay on screen so that he can copy them before reloading.
    assert "Bob&#x27;s note" in second.content.decode()
    tie.refresh_from_db()
    assert (tie.strength, tie.evidence, tie.version) == (5, "Alice's note", 2)


def test_reloading_after_a_conflict_saves(two_editors, data):
    alice, bob = two_editors
    tie = data["tie"]
    url = reverse("admin:stakeholders_relationship_change", args=[tie.pk])
    bob_form = _load(bob, url)
    assert alice.post(url, _load(alice, url) | {"strength": "5"}).status_code == 302
    assert bob.post(url, bob_form | {"strength": "1"}).status_code == 200

    again = bob.post(url, _load(bob, url) | {"strength": "2"})

    assert again.status_code == 302
    tie.refresh_from_db()
    assert (tie.strength, tie.version) == (2, 3)


@pytest.mark.parametrize("model", ["organisation", "person", "affiliation"])
def test_every_data_model_refuses_the_second_save(two_editors, data, model):
    alice, bob = two_editors
    obj = {
        "organisation": data["hospital"],
        "person": data["ada"],
        "affiliation": data["ada"].affiliations.get(),
    }[model]
    field = {"organisation": "short_name", "person": "job_title", "affiliation": "role_title"}
    url = reverse(f"admin:stakeholders_{model}_change", args=[obj.pk])
    alice_form, bob_form = _load(alice, url), _load(bob, url)

    assert alice.post(url, alice_form | {field[model]: "Alice"}).status_code == 302
    second = bob.post(url, bob_form | {field[model]: "Bob"})

    assert second.status_code == 200
    assert CONFLICT.search(second.content.decode()).group(1) == obj._meta.verbose_name
    obj.refresh_from_db()
    assert getattr(obj, field[model]) == "Alice"
    assert obj.version == 2


def test_second_save_of_an_inline_relationship_is_refused(two_editors, data):
    """Both editors change the tie in the table on Ada's page; Bob also changes Ada."""
    alice, bob = two_editors
    ada, tie = data["ada"], data["tie"]
    url = reverse("admin:stakeholders_person_change", args=[ada.pk])
    alice_form, bob_form = _load(alice, url), _load(bob, url)
    assert bob_form["ties_out-0-id"] == str(tie.pk)
    assert bob_form["ties_out-0-loaded_version"] == "1"

    first = alice.post(url, alice_form | {"ties_out-0-strength": "5"})
    second = bob.post(url, bob_form | {"ties_out-0-strength": "1", "job_title": "Bob's title"})

    assert first.status_code == 302
    assert second.status_code == 200
    match = CONFLICT.search(second.content.decode())
    assert match and match.groups() == ("relationship", "alice")
    tie.refresh_from_db()
    ada.refresh_from_db()
    assert (tie.strength, tie.version) == (5, 2)
    # All or nothing: Bob's change to Ada herself was not saved either.
    assert ada.job_title == "Programme manager"


def test_an_untouched_row_someone_else_changed_is_not_reverted(two_editors, data):
    """Alice changed the tie on its own page; Bob's page still shows the old values.

    Django would save Bob's row (its values differ from the stored ones) and silently
    undo Alice's edit; the version check refuses it instead.
    """
    alice, bob = two_editors
    ada = data["ada"]
    url = reverse("admin:stakeholders_person_change", args=[ada.pk])
    tie_url = reverse("admin:stakeholders_relationship_change", args=[data["tie"].pk])
    bob_form = _load(bob, url)
    assert alice.post(tie_url, _load(alice, tie_url) | {"strength": "5"}).status_code == 302

    response = bob.post(url, bob_form | {"job_title": "Chief Executive"})

    assert response.status_code == 200
    assert CONFLICT.search(response.content.decode()).group(1) == "relationship"
    ada.refresh_from_db()
    data["tie"].refresh_from_db()
    assert (ada.job_title, data["tie"].strength) == ("Programme manager", 5)


def test_rows_left_as_stored_are_not_saved(two_editors, data):
    """Alice changes the tie on Ada's page; Ada herself and her other rows keep version 1,
    so Bob, editing Ada's affiliation on its own page meanwhile, is not refused."""
    alice, bob = two_editors
    ada = data["ada"]
    affiliation = ada.affiliations.get()
    url = reverse("admin:stakeholders_person_change", args=[ada.pk])
    affiliation_url = reverse("admin:stakeholders_affiliation_change", args=[affiliation.pk])
    bob_form = _load(bob, affiliation_url)
    history_before = ada.history.count()

    assert alice.post(url, _load(alice, url) | {"ties_out-0-strength": "5"}).status_code == 302
    assert bob.post(affiliation_url, bob_form | {"role_title": "Chief"}).status_code == 302

    ada.refresh_from_db()
    affiliation.refresh_from_db()
    assert (ada.version, ada.history.count()) == (1, history_before)
    assert (affiliation.role_title, affiliation.version) == ("Chief", 2)
    assert Relationship.objects.get(pk=data["tie"].pk).version == 2


def test_second_save_of_an_inline_affiliation_on_an_organisation_is_refused(two_editors, data):
    alice, bob = two_editors
    hospital = data["hospital"]
    url = reverse("admin:stakeholders_organisation_change", args=[hospital.pk])
    alice_form, bob_form = _load(alice, url), _load(bob, url)
    row = next(k.removesuffix("-id") for k, v in alice_form.items() if k.endswith("-id") and v)

    assert alice.post(url, alice_form | {f"{row}-role_title": "Alice"}).status_code == 302
    second = bob.post(url, bob_form | {f"{row}-role_title": "Bob"})

    assert second.status_code == 200
    assert CONFLICT.search(second.content.decode()).group(1) == "affiliation"
    assert Affiliation.objects.get(pk=alice_form[f"{row}-id"]).role_title == "Alice"


def test_a_change_form_without_the_version_is_refused(two_editors, data):
    alice, _ = two_editors
    tie = data["tie"]
    url = reverse("admin:stakeholders_relationship_change", args=[tie.pk])
    form = _load(alice, url)
    del form["loaded_version"]

    response = alice.post(url, form | {"strength": "5"})

    assert response.status_code == 200
    assert "This relationship form is out of date" in response.content.decode()
    tie.refresh_from_db()
    assert tie.strength == 3


def test_a_tampered_version_is_reported_where_the_editor_sees_it(two_editors, data):
    alice, _ = two_editors
    tie = data["tie"]
    url = reverse("admin:stakeholders_relationship_change", args=[tie.pk])

    response = alice.post(url, _load(alice, url) | {"loaded_version": "x"})

    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors() == [
        "This relationship form is out of date: reload the page and make your changes again."
    ]
    tie.refresh_from_db()
    assert tie.version == 1


def test_adding_is_not_affected(two_editors, data):
    alice, _ = two_editors
    response = alice.post(
        reverse("admin:stakeholders_relationship_add"),
        {
            "source": data["ben"].pk,
            "target": data["ada"].pk,
            "kind": "influences",
            "strength": "4",
            "loaded_version": "",
        },
    )

    assert response.status_code == 302
    assert Relationship.objects.get(source=data["ben"], kind="influences").version == 1


# Services and forms, below the admin --------------------------------------------------------


def test_version_claim_moves_the_version_on_once(data):
    tie = data["tie"]
    record_version_claim(instance=tie, expected_version=1)
    assert tie.version == 2
    assert Relationship.objects.get(pk=tie.pk).version == 2

    stale = Relationship.objects.get(pk=tie.pk)
    with pytest.raises(EditConflict, match="Someone else changed this relationship"):
        record_version_claim(instance=stale, expected_version=1)
    assert Relationship.objects.get(pk=tie.pk).version == 2


def test_two_forms_that_both_validated_save_only_once(data):
    """The race validation cannot see: both forms pass clean(), then both save."""
    tie = data["tie"]
    fields = {
        "source": tie.source_id,
        "target": tie.target_id,
        "kind": tie.kind,
        "trust": "",
        "loaded_version": "1",
    }
    first = RelationshipAdminForm(fields | {"strength": "5"}, instance=tie)
    second = RelationshipAdminForm(
        fields | {"strength": "1"}, instance=Relationship.objects.get(pk=tie.pk)
    )
    assert first.is_valid() and second.is_valid()

    first.save()
    with pytest.raises(EditConflict):
        second.save()

    tie.refresh_from_db()
    assert (tie.strength, tie.version) == (5, 2)


def test_every_save_through_a_form_bumps_the_version(workspace, data):
    hospital = data["hospital"]
    for expected in (2, 3):
        form = OrganisationAdminForm(
            {
                "workspace": workspace.pk,
                "name": f"Northgate Hospital {expected}",
                "kind": hospital.kind,
                "sector": hospital.sector,
                "tier": hospital.tier,
                "loaded_version": str(expected - 1),
            },
            instance=Organisation.objects.get(pk=hospital.pk),
        )
        assert form.is_valid(), form.errors
        form.save()
        assert Organisation.objects.get(pk=hospital.pk).version == expected
    assert Person.objects.get(pk=data["ada"].pk).version == 1


def test_restoring_an_older_version_from_the_history_saves(two_editors, data):
    alice, _ = two_editors
    tie = data["tie"]
    url = reverse("admin:stakeholders_relationship_change", args=[tie.pk])
    assert alice.post(url, _load(alice, url) | {"strength": "5"}).status_code == 302
    first = tie.history.order_by("history_date", "history_id").first()
    revert_url = reverse(
        "admin:stakeholders_relationship_simple_history", args=[tie.pk, first.history_id]
    )

    form = _load(alice, revert_url)
    assert form["loaded_version"] == "2"
    response = alice.post(revert_url, form)

    assert response.status_code == 302
    tie.refresh_from_db()
    assert (tie.strength, tie.version) == (3, 3)
