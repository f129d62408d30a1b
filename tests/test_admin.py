"""The admin: scoped to the workspaces a staff member may edit, with readable errors."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from stakeholders.models import (
    Affiliation,
    Membership,
    Organisation,
    Person,
    Relationship,
    Role,
    Workspace,
)
from tests.conftest import admin_url as _url
from tests.conftest import make_staff
from tests.factories import (
    PASSWORD,
    AffiliationFactory,
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
    RelationshipFactory,
    UserFactory,
)

DATA_MODELS = ["organisation", "person", "affiliation", "relationship"]
ALL_MODELS = ["workspace", "membership", *DATA_MODELS]

# Words that appear only in the other workspace's data: none may reach a page shown to
# someone who cannot edit that workspace.
OTHER_WORKSPACE_WORDS = ["South Moor", "Southmoor", "Zara Southby", "Yusuf Southall", "S0001"]


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # The default PBKDF2 costs ~0.3 s per user and these tests make many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def staff_viewer(viewer):
    return make_staff(viewer)


@pytest.fixture
def staff_outsider(outsider):
    return make_staff(outsider)


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_staff=True, is_superuser=True)


@pytest.fixture
def editor_of_both(workspace, other_workspace):
    """Edits both workspaces: choices span both, so only validation keeps them apart."""
    user = make_staff(UserFactory(username="both"))
    MembershipFactory(user=user, workspace=workspace, role=Role.EDITOR)
    MembershipFactory(user=user, workspace=other_workspace, role=Role.EDITOR)
    return user


@pytest.fixture
def north(workspace):
    """The editor's workspace: two organisations, two people and a tie."""
    hospital = OrganisationFactory(workspace=workspace, name="Northgate Hospital", ods_code="RNG")
    council = OrganisationFactory(workspace=workspace, name="Fenwick County Council")
    ada = PersonFactory(workspace=workspace, ref="N0001", name="Ada Northcott")
    ben = PersonFactory(workspace=workspace, ref="N0002", name="Ben Northway")
    AffiliationFactory(person=ada, organisation=hospital, is_primary=True)
    AffiliationFactory(person=ben, organisation=council, is_primary=True)
    tie = RelationshipFactory(source=ada, target=ben, kind="trusts")
    return {"hospital": hospital, "council": council, "ada": ada, "ben": ben, "tie": tie}


@pytest.fixture
def south(other_workspace):
    """Another workspace's data, which the editor must never see."""
    trust = OrganisationFactory(workspace=other_workspace, name="Southmoor Trust")
    zara = PersonFactory(workspace=other_workspace, ref="S0001", name="Zara Southby")
    yusuf = PersonFactory(workspace=other_workspace, ref="S0002", name="Yusuf Southall")
    AffiliationFactory(person=zara, organisation=trust, is_primary=True)
    AffiliationFactory(person=yusuf, organisation=trust, is_primary=True)
    tie = RelationshipFactory(source=zara, target=yusuf, kind="collaborates")
    return {"trust": trust, "zara": zara, "yusuf": yusuf, "tie": tie}


def _object(model: str, data: dict, workspace: Workspace):
    """One record of the model from a fixture's data."""
    return {
        "workspace": workspace,
        "membership": workspace.memberships.first(),
        "organisation": data.get("hospital") or data.get("trust"),
        "person": data.get("ada") or data.get("zara"),
        "affiliation": Affiliation.objects.filter(person__workspace=workspace).first(),
        "relationship": data["tie"],
    }[model]


def _body(response) -> str:
    return response.content.decode()


def _assert_nothing_of_other_workspace(response) -> None:
    body = _body(response)
    leaked = [word for word in OTHER_WORKSPACE_WORDS if word in body]
    assert not leaked


def _autocomplete(client, model: str, field: str, term: str):
    return client.get(
        reverse("admin:autocomplete"),
        {"app_label": "stakeholders", "model_name": model, "field_name": field, "term": term},
    )


def _management(prefix: str, total: int, initial: int = 0) -> dict:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def _person_post(workspace, affiliations=(), ties=(), person=None, **fields) -> dict:
    """POST data for the person change form with its two inlines.

    `affiliations` holds dicts with organisation, is_primary and optionally id / DELETE.
    """
    data = {
        "workspace": str(workspace.pk),
        "ref": person.ref if person else "N0100",
        "name": person.name if person else "Chloe Northfield",
        "job_title": "Director of Strategy",
        "seniority": "director",
        "notes": "",
        "active": "on",
    } | fields
    if person is not None:
        # The version the editor loaded (optimistic locking), as the change page carries it.
        data["loaded_version"] = str(Person.objects.get(pk=person.pk).version)
    existing = [row for row in affiliations if "id" in row]
    data |= _management("affiliations", len(affiliations), len(existing))
    for i, row in enumerate(affiliations):
        prefix = f"affiliations-{i}"
        data[f"{prefix}-organisation"] = str(row["organisation"].pk)
        data[f"{prefix}-role_title"] = row.get("role_title", "")
        if row.get("is_primary"):
            data[f"{prefix}-is_primary"] = "on"
        if "id" in row:
            data[f"{prefix}-id"] = str(row["id"])
            data[f"{prefix}-person"] = str(person.pk)
            version = row.get("version") or Affiliation.objects.get(pk=row["id"]).version
            data[f"{prefix}-loaded_version"] = str(version)
        if row.get("DELETE"):
            data[f"{prefix}-DELETE"] = "on"
    data |= _management("ties_out", len(ties))
    for i, row in enumerate(ties):
        prefix = f"ties_out-{i}"
        data[f"{prefix}-target"] = str(row["target"].pk)
        data[f"{prefix}-kind"] = row.get("kind", "collaborates")
        data[f"{prefix}-strength"] = str(row.get("strength", 3))
    return data


def _existing_affiliations(person) -> list[dict]:
    return [
        {"id": a.pk, "organisation": a.organisation, "is_primary": a.is_primary}
        for a in person.affiliations.order_by("-is_primary", "pk")
    ]


# Who sees what ------------------------------------------------------------------------


@pytest.mark.parametrize("model", ["workspace", *DATA_MODELS])
def test_editor_changelist_shows_only_their_workspace(client, staff_editor, north, south, model):
    client.force_login(staff_editor)

    response = client.get(_url(model))

    assert response.status_code == 200
    marker = "North Fenwick ICS" if model == "workspace" else "Ada Northcott"
    if model == "organisation":
        marker = "Northgate Hospital"
    assert marker in _body(response)
    _assert_nothing_of_other_workspace(response)


@pytest.mark.parametrize("model", ALL_MODELS)
def test_owner_changelist_shows_only_their_workspace(
    client, staff_owner, staff_editor, staff_outsider, north, south, model
):
    client.force_login(staff_owner)

    response = client.get(_url(model))

    assert response.status_code == 200
    body = _body(response)
    assert "North Fenwick ICS" in body
    _assert_nothing_of_other_workspace(response)
    if model == "membership":
        assert "editor" in body
        assert "outsider" not in body


@pytest.mark.parametrize("model", ALL_MODELS)
def test_superuser_sees_every_workspace(
    client, superuser, staff_editor, staff_outsider, north, south, model
):
    client.force_login(superuser)

    response = client.get(_url(model))

    assert response.status_code == 200
    body = _body(response)
    assert "North Fenwick ICS" in body
    assert "South Moor ICS" in body


def test_editor_index_lists_data_models_but_not_members(client, staff_editor):
    client.force_login(staff_editor)

    response = client.get(reverse("admin:index"))

    body = _body(response)
    assert response.status_code == 200
    assert "Influence Map administration" in body
    for model in ["workspace", *DATA_MODELS]:
        assert _url(model) in body
    assert _url("membership") not in body


def test_editor_cannot_manage_members(client, staff_editor, staff_owner):
    client.force_login(staff_editor)
    membership = Membership.objects.get(user=staff_owner)

    assert client.get(_url("membership")).status_code == 403
    assert client.get(_url("membership", "add")).status_code == 403
    assert client.get(_url("membership", "change", membership.pk)).status_code == 403


def test_staff_viewer_index_shows_nothing(client, staff_viewer, north):
    client.force_login(staff_viewer)

    response = client.get(reverse("admin:index"))

    assert response.status_code == 200
    body = _body(response)
    assert "have permission to view or edit anything" in body
    for model in ALL_MODELS:
        assert _url(model) not in body


@pytest.mark.parametrize("model", ALL_MODELS)
def test_staff_viewer_is_refused_every_page(client, staff_viewer, north, workspace, model):
    client.force_login(staff_viewer)
    obj = _object(model, north, workspace)

    assert client.get(_url(model)).status_code == 403
    assert client.get(_url(model, "add")).status_code == 403
    assert client.get(_url(model, "change", obj.pk)).status_code == 403
    assert client.get(_url(model, "history", obj.pk)).status_code == 403
    assert client.post(_url(model, "delete", obj.pk), {"post": "yes"}).status_code == 403
    assert type(obj).objects.filter(pk=obj.pk).exists()


def test_staff_viewer_autocomplete_is_refused(client, staff_viewer, north):
    client.force_login(staff_viewer)

    response = _autocomplete(client, "relationship", "source", "Ada")

    assert response.status_code == 403


@pytest.mark.parametrize("fixture", ["viewer", "editor", "owner"])
def test_non_staff_members_cannot_use_the_admin(client, request, fixture):
    user = request.getfixturevalue(fixture)

    login = client.post(reverse("admin:login"), {"username": user.username, "password": PASSWORD})
    assert login.status_code == 200
    assert "staff account" in _body(login)

    client.force_login(user)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.parametrize("model", ALL_MODELS)
def test_outsider_cannot_open_another_workspaces_records(
    client, staff_outsider, staff_owner, north, workspace, model
):
    client.force_login(staff_outsider)
    obj = _object(model, north, workspace)
    north_words = ["North Fenwick", "Northgate", "Ada Northcott", "Ben Northway", "N0001"]

    response = client.get(_url(model, "change", obj.pk), follow=True)

    if model == "membership":
        # Only owners manage members: an editor elsewhere has no Memberships page at all.
        assert response.status_code == 403
    else:
        # The object is outside the queryset: Django says it may have been deleted and
        # returns to the index, naming nothing but the id in the URL.
        assert response.redirect_chain == [(reverse("admin:index"), 302)]
    body = _body(response)
    assert not [word for word in north_words if word in body]

    history = client.get(_url(model, "history", obj.pk))
    assert history.status_code in (403, 404)
    assert not [word for word in north_words if word in _body(history)]

    deleted = client.post(_url(model, "delete", obj.pk), {"post": "yes"})
    assert deleted.status_code in (302, 403)
    assert type(obj).objects.filter(pk=obj.pk).exists()


def test_outsider_cannot_change_another_workspaces_person(client, staff_outsider, north, workspace):
    client.force_login(staff_outsider)
    ada = north["ada"]
    data = _person_post(
        workspace, _existing_affiliations(ada), person=ada, name="Renamed by outsider"
    )

    client.post(_url("person", "change", ada.pk), data)

    ada.refresh_from_db()
    assert ada.name == "Ada Northcott"


def test_outsider_cannot_see_another_workspaces_historical_version(client, staff_outsider, north):
    client.force_login(staff_outsider)
    ada = north["ada"]
    version = ada.history.latest()

    response = client.get(
        reverse("admin:stakeholders_person_simple_history", args=[ada.pk, version.pk])
    )

    assert response.status_code in (403, 404)
    assert "Ada Northcott" not in _body(response)


def test_changelist_filters_offer_only_own_workspaces(client, staff_editor, north, south):
    client.force_login(staff_editor)

    response = client.get(_url("person"))

    # The workspace filter lists workspaces with rows in view, never every workspace.
    assert "South Moor ICS" not in _body(response)


@pytest.mark.parametrize(
    "page",
    ["person_change", "person_add", "organisation_change", "person_version", "org_delete"],
)
def test_editor_pages_render_without_other_workspace_data(
    client, editor_of_both, staff_editor, north, south, page
):
    client.force_login(staff_editor)
    ada = north["ada"]
    url = {
        "person_change": _url("person", "change", ada.pk),
        "person_add": _url("person", "add"),
        "organisation_change": _url("organisation", "change", north["hospital"].pk),
        "person_version": reverse(
            "admin:stakeholders_person_simple_history", args=[ada.pk, ada.history.latest().pk]
        ),
        "org_delete": _url("organisation", "delete", north["hospital"].pk),
    }[page]

    response = client.get(url)

    assert response.status_code == 200
    _assert_nothing_of_other_workspace(response)


def test_person_changelist_links_the_primary_organisation(client, staff_editor, north):
    client.force_login(staff_editor)

    response = client.get(_url("person"))

    hospital_url = _url("organisation", "change", north["hospital"].pk)
    assert f'<a href="{hospital_url}">Northgate Hospital</a>' in _body(response)


# Autocomplete ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "field"),
    [
        ("relationship", "source"),
        ("relationship", "target"),
        ("affiliation", "person"),
        ("affiliation", "organisation"),
        ("organisation", "parent"),
    ],
)
def test_autocomplete_never_reaches_another_workspace(
    client, staff_editor, north, south, model, field
):
    client.force_login(staff_editor)

    for term in ["South", "S0001", "Zara", "Southmoor", ""]:
        response = _autocomplete(client, model, field, term)
        assert response.status_code == 200
        texts = [result["text"] for result in response.json()["results"]]
        assert not [t for t in texts if "South" in t]


def test_autocomplete_finds_own_people(client, staff_editor, north, south):
    client.force_login(staff_editor)

    response = _autocomplete(client, "relationship", "source", "North")

    ids = {int(result["id"]) for result in response.json()["results"]}
    assert ids == {north["ada"].pk, north["ben"].pk}


def test_autocomplete_for_a_field_that_does_not_exist_is_refused(client, staff_editor, north):
    client.force_login(staff_editor)

    # Person has no `source` field; the tie's field lives on the relationship.
    response = _autocomplete(client, "person", "source", "Ada")

    assert response.status_code == 403


# Choices and moves ----------------------------------------------------------------------


def test_add_form_offers_only_editable_workspaces(client, staff_editor, other_workspace, workspace):
    client.force_login(staff_editor)

    response = client.get(_url("organisation", "add"))

    body = _body(response)
    assert f'<option value="{workspace.pk}" selected>North Fenwick ICS</option>' in body
    assert "South Moor ICS" not in body


def test_adding_into_a_workspace_the_user_cannot_edit_is_refused(
    client, staff_editor, other_workspace
):
    client.force_login(staff_editor)
    data = {
        "workspace": other_workspace.pk,
        "name": "Sneaky Trust",
        "kind": "acute_trust",
        "sector": "nhs",
        "tier": "system",
        "affiliations-TOTAL_FORMS": "0",
        "affiliations-INITIAL_FORMS": "0",
    }

    response = client.post(_url("organisation", "add"), data)

    assert response.status_code == 200
    assert "Choose a workspace you can edit." in _body(response)
    assert not Organisation.objects.filter(name="Sneaky Trust").exists()


def test_moving_a_record_to_a_workspace_the_user_cannot_edit_is_refused(
    client, staff_editor, north, other_workspace
):
    client.force_login(staff_editor)
    council = OrganisationFactory(workspace=north["hospital"].workspace, name="Lone Council")
    data = {
        "workspace": other_workspace.pk,
        "name": "Lone Council",
        "kind": "county_council",
        "sector": "local_government",
        "tier": "place",
        "loaded_version": council.version,
        "affiliations-TOTAL_FORMS": "0",
        "affiliations-INITIAL_FORMS": "0",
    }

    response = client.post(_url("organisation", "change", council.pk), data)

    assert "Choose a workspace you can edit." in _body(response)
    council.refresh_from_db()
    assert council.workspace_id == north["hospital"].workspace_id


def test_moving_an_organisation_with_people_is_refused(
    client, editor_of_both, north, other_workspace
):
    client.force_login(editor_of_both)
    hospital = north["hospital"]
    affiliation = hospital.affiliations.get()
    data = {
        "workspace": other_workspace.pk,
        "name": hospital.name,
        "kind": hospital.kind,
        "sector": hospital.sector,
        "tier": hospital.tier,
        "ods_code": hospital.ods_code,
        "loaded_version": hospital.version,
        **_management("affiliations", 1, 1),
        "affiliations-0-id": affiliation.pk,
        "affiliations-0-organisation": hospital.pk,
        "affiliations-0-person": affiliation.person_id,
        "affiliations-0-loaded_version": affiliation.version,
        "affiliations-0-is_primary": "on",
    }

    response = client.post(_url("organisation", "change", hospital.pk), data)

    assert response.status_code == 200
    assert "cannot move to another workspace" in _body(response)
    hospital.refresh_from_db()
    assert hospital.workspace.slug == "north-fenwick"


# Relationships ------------------------------------------------------------------------


def _tie_post(source, target, **fields) -> dict:
    return {
        "source": source.pk,
        "target": target.pk,
        "kind": "influences",
        "strength": "4",
        "trust": "",
        "observed_on": "",
        "evidence": "",
    } | fields


def test_editor_adds_a_relationship(client, staff_editor, north):
    client.force_login(staff_editor)

    response = client.post(_url("relationship", "add"), _tie_post(north["ben"], north["ada"]))

    assert response.status_code == 302
    tie = Relationship.objects.get(source=north["ben"], target=north["ada"])
    assert tie.history.latest().history_user == staff_editor


def test_relationship_with_another_workspaces_people_is_refused(client, staff_editor, north, south):
    client.force_login(staff_editor)

    response = client.post(_url("relationship", "add"), _tie_post(north["ada"], south["zara"]))

    assert response.status_code == 200
    assert "Choose a person from a workspace you can edit." in _body(response)
    assert not Relationship.objects.filter(target=south["zara"], source=north["ada"]).exists()


def test_relationship_across_two_editable_workspaces_is_refused(
    client, editor_of_both, north, south
):
    client.force_login(editor_of_both)

    response = client.post(_url("relationship", "add"), _tie_post(north["ada"], south["zara"]))

    assert response.status_code == 200
    assert "Both people must be in the same workspace." in _body(response)
    assert not Relationship.objects.filter(target=south["zara"], source=north["ada"]).exists()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"strength": "0"}, "Enter a whole number from 1 to 5 for strength."),
        ({"strength": "-2"}, "Enter a whole number from 1 to 5 for strength."),
        ({"strength": "6"}, "Enter a whole number from 1 to 5 for strength."),
        ({"strength": "2.5"}, "Enter a whole number from 1 to 5 for strength."),
        ({"trust": "0"}, "Enter a whole number from 1 to 5 for trust."),
        ({"trust": "6"}, "Enter a whole number from 1 to 5 for trust."),
        ({"observed_on": "2999-01-01"}, "2999-01-01 is still to come: enter the day the tie"),
        ({"kind": "trusts"}, "This relationship already exists."),
        ({"target": "SELF"}, "A person cannot have a relationship with themselves."),
    ],
)
def test_relationship_rules_show_readable_errors(client, staff_editor, north, fields, message):
    client.force_login(staff_editor)
    target = north["ada"] if fields.pop("target", None) == "SELF" else north["ben"]
    before = Relationship.objects.count()

    data = _tie_post(north["ada"], target, **fields)
    response = client.post(_url("relationship", "add"), data)

    assert response.status_code == 200
    assert message in _body(response)
    assert Relationship.objects.count() == before


# People and their affiliations ------------------------------------------------------


def test_editor_adds_a_person_with_one_primary_affiliation(client, staff_editor, north, workspace):
    client.force_login(staff_editor)
    data = _person_post(
        workspace,
        [
            {"organisation": north["hospital"], "is_primary": True},
            {"organisation": north["council"], "role_title": "Joint director"},
        ],
        ties=[{"target": north["ada"], "kind": "trusts"}],
    )

    response = client.post(_url("person", "add"), data)

    assert response.status_code == 302
    chloe = Person.objects.get(ref="N0100")
    assert chloe.affiliations.get(is_primary=True).organisation == north["hospital"]
    assert chloe.affiliations.count() == 2
    assert chloe.ties_out.get().target == north["ada"]


@pytest.mark.parametrize(
    ("primaries", "message"),
    [
        ([True, True], "Only one affiliation can be primary, but 2 are marked"),
        ([False, False], "Mark one affiliation as primary"),
        ([], "Add at least one affiliation and mark it primary"),
    ],
    ids=["two_primaries", "no_primary", "no_affiliation"],
)
def test_person_needs_exactly_one_primary_affiliation(
    client, staff_editor, north, workspace, primaries, message
):
    client.force_login(staff_editor)
    orgs = [north["hospital"], north["council"]]
    rows = [{"organisation": org, "is_primary": p} for org, p in zip(orgs, primaries, strict=False)]

    response = client.post(_url("person", "add"), _person_post(workspace, rows))

    assert response.status_code == 200
    assert message in _body(response)
    assert not Person.objects.filter(ref="N0100").exists()
    assert not Affiliation.objects.filter(person__ref="N0100").exists()


def test_two_primaries_message_names_the_organisations(client, staff_editor, north, workspace):
    client.force_login(staff_editor)
    rows = [
        {"organisation": north["hospital"], "is_primary": True},
        {"organisation": north["council"], "is_primary": True},
    ]

    response = client.post(_url("person", "add"), _person_post(workspace, rows))

    assert "Northgate Hospital, Fenwick County Council" in _body(response)


def test_deleting_the_primary_row_without_a_new_one_is_refused(client, staff_editor, north):
    client.force_login(staff_editor)
    ada = north["ada"]
    AffiliationFactory(person=ada, organisation=north["council"], is_primary=False)
    rows = _existing_affiliations(ada)
    rows[0]["DELETE"] = True

    response = client.post(
        _url("person", "change", ada.pk), _person_post(ada.workspace, rows, person=ada)
    )

    assert "Mark one affiliation as primary" in _body(response)
    assert ada.affiliations.count() == 2


@pytest.mark.parametrize("secondary", [False, True], ids=["no_affiliation", "secondary_only"])
def test_someone_with_no_main_organisation_stays_editable(client, staff_editor, north, secondary):
    """As an import leaves someone with an empty organisation, or a deleted organisation
    leaves its people: their other details can still be changed."""
    ada = north["ada"]
    ada.affiliations.all().delete()
    if secondary:
        AffiliationFactory(person=ada, organisation=north["council"], is_primary=False)
    client.force_login(staff_editor)
    data = _person_post(ada.workspace, _existing_affiliations(ada), person=ada, active="")

    response = client.post(_url("person", "change", ada.pk), data)

    assert response.status_code == 302, _body(response)
    ada.refresh_from_db()
    assert not ada.active and ada.job_title == "Director of Strategy"
    assert not ada.affiliations.filter(is_primary=True).exists()


def test_primary_moves_from_one_affiliation_to_another_in_one_save(client, staff_editor, north):
    client.force_login(staff_editor)
    ada = north["ada"]
    AffiliationFactory(person=ada, organisation=north["council"], is_primary=False)
    rows = _existing_affiliations(ada)
    rows[0]["is_primary"], rows[1]["is_primary"] = False, True
    # Save the new primary first, which a row-by-row update would refuse.
    rows.reverse()

    response = client.post(
        _url("person", "change", ada.pk), _person_post(ada.workspace, rows, person=ada)
    )

    assert response.status_code == 302
    assert ada.affiliations.get(is_primary=True).organisation == north["council"]


@pytest.mark.parametrize(
    ("target", "kind", "message"),
    [
        ("ben", "trusts", "This relationship already exists."),
        ("ada", "collaborates", "A person cannot have a relationship with themselves."),
    ],
)
def test_person_tie_rows_show_readable_errors(client, staff_editor, north, target, kind, message):
    client.force_login(staff_editor)
    ada = north["ada"]
    ties = [{"target": north[target], "kind": kind}]

    response = client.post(
        _url("person", "change", ada.pk),
        _person_post(ada.workspace, _existing_affiliations(ada), ties, person=ada),
    )

    assert response.status_code == 200
    assert message in _body(response)
    assert ada.ties_out.count() == 1


def test_same_organisation_twice_on_a_person_is_refused(client, staff_editor, north, workspace):
    client.force_login(staff_editor)
    rows = [
        {"organisation": north["hospital"], "is_primary": True},
        {"organisation": north["hospital"]},
    ]

    response = client.post(_url("person", "add"), _person_post(workspace, rows))

    assert "Each organisation can appear only once for this person." in _body(response)
    assert not Person.objects.filter(ref="N0100").exists()


def test_new_person_with_organisation_in_another_workspace_is_refused(
    client, editor_of_both, north, south, workspace
):
    client.force_login(editor_of_both)
    rows = [{"organisation": south["trust"], "is_primary": True}]
    ties = [{"target": south["zara"]}]

    response = client.post(_url("person", "add"), _person_post(workspace, rows, ties))

    body = _body(response)
    assert "Choose an organisation in North Fenwick ICS, the workspace of this person." in body
    assert "Choose a person in North Fenwick ICS, the workspace of this person." in body
    assert not Person.objects.filter(ref="N0100").exists()


def test_duplicate_ref_is_refused_readably(client, staff_editor, north, workspace):
    client.force_login(staff_editor)
    rows = [{"organisation": north["hospital"], "is_primary": True}]

    response = client.post(_url("person", "add"), _person_post(workspace, rows, ref="N0001"))

    assert "A person with this ref already exists here." in _body(response)
    assert Person.objects.filter(ref="N0001").count() == 1


def test_affiliation_admin_refuses_a_second_primary(client, staff_editor, north):
    client.force_login(staff_editor)
    data = {
        "person": north["ada"].pk,
        "organisation": north["council"].pk,
        "role_title": "Joint director",
        "is_primary": "on",
    }

    response = client.post(_url("affiliation", "add"), data)

    assert response.status_code == 200
    assert "This person already has a primary affiliation." in _body(response)
    assert north["ada"].affiliations.count() == 1


def test_affiliation_admin_refuses_end_before_start(client, staff_editor, north):
    client.force_login(staff_editor)
    data = {
        "person": north["ada"].pk,
        "organisation": north["council"].pk,
        "start_date": "2025-04-01",
        "end_date": "2025-03-31",
    }

    response = client.post(_url("affiliation", "add"), data)

    assert "The end date cannot be before the start date." in _body(response)
    assert north["ada"].affiliations.count() == 1


def test_organisation_inline_refuses_a_second_primary_for_a_person(client, staff_editor, north):
    client.force_login(staff_editor)
    council = north["council"]
    ben_row = council.affiliations.get()
    data = {
        "workspace": council.workspace_id,
        "name": council.name,
        "kind": council.kind,
        "sector": council.sector,
        "tier": council.tier,
        "loaded_version": council.version,
        **_management("affiliations", 2, 1),
        "affiliations-0-id": ben_row.pk,
        "affiliations-0-loaded_version": ben_row.version,
        "affiliations-0-organisation": council.pk,
        "affiliations-0-person": ben_row.person_id,
        "affiliations-0-is_primary": "on",
        "affiliations-1-person": north["ada"].pk,
        "affiliations-1-is_primary": "on",
    }

    response = client.post(_url("organisation", "change", council.pk), data)

    assert "This person already has a primary affiliation." in _body(response)
    assert not council.affiliations.filter(person=north["ada"]).exists()


# Organisations -------------------------------------------------------------------------


def _org_post(workspace, **fields) -> dict:
    return {
        "workspace": workspace.pk,
        "name": "Eastfield Hospice",
        "short_name": "",
        "kind": "vcse",
        "sector": "vcse",
        "tier": "place",
        "ods_code": "",
        **_management("affiliations", 0),
    } | fields


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": "Northgate Hospital"}, "An organisation with this name already exists here."),
        ({"ods_code": "RNG"}, "Another organisation here already has this ODS code."),
        ({"ods_code": "rng"}, "ODS codes are capital letters and digits only."),
        ({"name": ""}, "This field is required."),
    ],
)
def test_organisation_rules_show_readable_errors(
    client, staff_editor, north, workspace, fields, message
):
    client.force_login(staff_editor)

    response = client.post(_url("organisation", "add"), _org_post(workspace, **fields))

    assert response.status_code == 200
    assert message in _body(response)
    assert Organisation.objects.filter(workspace=workspace).count() == 2


def test_organisation_parent_cycle_is_refused(client, staff_editor, north, workspace):
    client.force_login(staff_editor)
    hospital, council = north["hospital"], north["council"]
    council.parent = hospital
    council.save()

    response = client.post(
        _url("organisation", "change", hospital.pk),
        _org_post(workspace, name=hospital.name, parent=council.pk, ods_code="RNG")
        | _management("affiliations", 0),
    )

    assert "This parent would create a cycle." in _body(response)
    hospital.refresh_from_db()
    assert hospital.parent is None


def test_organisation_parent_in_another_editable_workspace_is_refused(
    client, editor_of_both, north, south, workspace
):
    client.force_login(editor_of_both)

    response = client.post(
        _url("organisation", "add"), _org_post(workspace, parent=south["trust"].pk)
    )

    assert "The parent must be in the same workspace." in _body(response)
    assert not Organisation.objects.filter(name="Eastfield Hospice").exists()


# Workspaces and members ----------------------------------------------------------------


def test_editor_renames_their_workspace_but_not_its_slug(client, staff_editor, workspace):
    client.force_login(staff_editor)

    response = client.post(
        _url("workspace", "change", workspace.pk),
        {"name": "North Fenwick Health and Care Partnership", "slug": "hijacked"},
    )

    assert response.status_code == 302
    workspace.refresh_from_db()
    assert workspace.name == "North Fenwick Health and Care Partnership"
    assert workspace.slug == "north-fenwick"


def test_only_superusers_add_or_delete_workspaces(client, staff_owner, superuser, workspace):
    client.force_login(staff_owner)
    assert client.get(_url("workspace", "add")).status_code == 403
    assert (
        client.post(_url("workspace", "delete", workspace.pk), {"post": "yes"}).status_code == 403
    )
    assert Workspace.objects.filter(pk=workspace.pk).exists()

    client.force_login(superuser)
    response = client.post(_url("workspace", "add"), {"name": "East Vale ICS", "slug": "east-vale"})
    assert response.status_code == 302
    assert Workspace.objects.filter(slug="east-vale").exists()


def test_owner_adds_a_member_by_username(client, staff_owner, workspace):
    client.force_login(staff_owner)
    newcomer = UserFactory(username="newcomer")

    response = client.post(
        _url("membership", "add"),
        {"user": "newcomer", "workspace": workspace.pk, "role": Role.EDITOR},
    )

    assert response.status_code == 302
    assert Membership.objects.get(user=newcomer).role == Role.EDITOR


@pytest.mark.parametrize(
    ("username", "message"),
    [
        ("nobody", "There is no account with this username"),
        ("editor", "This user is already a member of this workspace."),
    ],
)
def test_owner_adding_a_member_sees_readable_errors(
    client, staff_owner, staff_editor, workspace, username, message
):
    client.force_login(staff_owner)

    response = client.post(
        _url("membership", "add"),
        {"user": username, "workspace": workspace.pk, "role": Role.VIEWER},
    )

    assert response.status_code == 200
    assert message in _body(response)


def test_owner_cannot_add_members_to_a_workspace_they_do_not_own(
    client, staff_owner, other_workspace
):
    client.force_login(staff_owner)
    UserFactory(username="newcomer")

    response = client.post(
        _url("membership", "add"),
        {"user": "newcomer", "workspace": other_workspace.pk, "role": Role.OWNER},
    )

    assert "Choose a workspace you own." in _body(response)
    assert not Membership.objects.filter(workspace=other_workspace, role=Role.OWNER).exists()


def test_last_owner_cannot_step_down_or_be_deleted(client, staff_owner, workspace):
    client.force_login(staff_owner)
    membership = Membership.objects.get(user=staff_owner)

    response = client.post(
        _url("membership", "change", membership.pk),
        {"workspace": workspace.pk, "role": Role.EDITOR},
    )
    assert "must keep at least one owner" in _body(response)

    assert (
        client.post(_url("membership", "delete", membership.pk), {"post": "yes"}).status_code == 403
    )
    membership.refresh_from_db()
    assert membership.role == Role.OWNER


def test_superuser_deletes_a_workspace_with_its_owner(client, superuser, staff_owner, north):
    client.force_login(superuser)
    workspace = north["ada"].workspace

    response = client.post(_url("workspace", "delete", workspace.pk), {"post": "yes"})

    assert response.status_code == 302
    assert not Workspace.objects.filter(pk=workspace.pk).exists()
    assert not Membership.objects.filter(user=staff_owner).exists()


def test_moving_a_membership_to_a_workspace_the_user_is_in_is_refused(
    client, staff_owner, staff_editor, workspace, other_workspace
):
    MembershipFactory(user=staff_owner, workspace=other_workspace, role=Role.OWNER)
    MembershipFactory(user=staff_editor, workspace=other_workspace, role=Role.VIEWER)
    membership = Membership.objects.get(user=staff_editor, workspace=workspace)
    client.force_login(staff_owner)

    response = client.post(
        _url("membership", "change", membership.pk),
        {"workspace": other_workspace.pk, "role": Role.EDITOR},
    )

    assert "This user is already a member of that workspace." in _body(response)
    membership.refresh_from_db()
    assert membership.workspace == workspace


def test_owner_can_step_down_when_another_owner_remains(client, staff_owner, workspace):
    MembershipFactory(workspace=workspace, role=Role.OWNER)
    client.force_login(staff_owner)
    membership = Membership.objects.get(user=staff_owner)

    response = client.post(
        _url("membership", "change", membership.pk),
        {"workspace": workspace.pk, "role": Role.EDITOR},
    )

    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.role == Role.EDITOR


# History ---------------------------------------------------------------------------------


def test_history_shows_who_changed_what(client, staff_editor, north):
    client.force_login(staff_editor)
    ada = north["ada"]
    data = _person_post(
        ada.workspace,
        _existing_affiliations(ada),
        person=ada,
        job_title="Chief Operating Officer",
    )
    assert client.post(_url("person", "change", ada.pk), data).status_code == 302

    response = client.get(_url("person", "history", ada.pk))

    assert response.status_code == 200
    body = _body(response)
    assert "Chief Operating Officer" in body
    assert "Programme manager" in body
    assert "editor" in body
    latest = ada.history.latest()
    assert latest.history_user == staff_editor
    assert latest.job_title == "Chief Operating Officer"


def test_history_of_an_edit_without_a_reason_never_says_none(client, staff_editor, north):
    client.force_login(staff_editor)
    ada = north["ada"]
    data = _person_post(ada.workspace, _existing_affiliations(ada), person=ada, job_title="COO")
    assert client.post(_url("person", "change", ada.pk), data).status_code == 302
    assert ada.history.latest().history_change_reason is None

    response = client.get(_url("person", "history", ada.pk))

    table = _body(response).split('id="change-history"')[1].split("</table>")[0]
    cells = [cell.strip() for cell in re.findall(r"<td>(.*?)</td>", table, flags=re.S)]
    assert "None" not in table
    # The factory's version has no user either: it says so.
    assert "Not recorded" in cells


# Deleting ------------------------------------------------------------------------------


def test_editor_deletes_a_relationship(client, staff_editor, north):
    client.force_login(staff_editor)
    tie = north["tie"]

    response = client.post(_url("relationship", "delete", tie.pk), {"post": "yes"})

    assert response.status_code == 302
    assert not Relationship.objects.filter(pk=tie.pk).exists()


def test_people_are_not_deleted_in_the_admin(client, staff_editor, north):
    """Removing someone is an erasure, from their page (tests/privacy/test_deletion.py)."""
    client.force_login(staff_editor)
    ada = north["ada"]

    response = client.post(_url("person", "delete", ada.pk), {"post": "yes"})

    assert response.status_code == 403
    assert Person.objects.filter(pk=ada.pk).exists()


# Query counts ------------------------------------------------------------------------


@pytest.mark.parametrize("model", ALL_MODELS)
def test_changelist_queries_do_not_grow_with_rows(client, superuser, workspace, model):
    client.force_login(superuser)

    def count_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(_url(model)).status_code == 200
        return len(queries)

    def add_rows() -> None:
        for _ in range(3):
            tie = RelationshipFactory()
            ws = tie.source.workspace
            parent = OrganisationFactory(workspace=ws)
            AffiliationFactory(person=tie.source, organisation__parent=parent)
            MembershipFactory(workspace=ws)

    add_rows()
    few = count_queries()
    add_rows()
    many = count_queries()

    assert many == few


def test_editor_pages_read_roles_once_per_request(client, staff_editor, north):
    client.force_login(staff_editor)

    with CaptureQueriesContext(connection) as queries:
        client.get(_url("person"))

    membership_reads = [q for q in queries if 'FROM "stakeholders_membership"' in q["sql"]]
    # One read for the workspaces they edit, one for those they own (the sidebar asks
    # whether to show Memberships); never one per row, model or permission check.
    assert len(membership_reads) == 2


def test_observed_on_round_trips(client, staff_editor, north):
    client.force_login(staff_editor)

    client.post(
        _url("relationship", "add"),
        _tie_post(north["ben"], north["ada"], observed_on="2026-02-03", trust="5"),
    )

    tie = Relationship.objects.get(source=north["ben"])
    assert tie.observed_on == datetime.date(2026, 2, 3)
    assert tie.trust == 5
