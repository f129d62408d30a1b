"""The audit trail: every change recorded (who, when, before and after) and visible."""

import pytest
from django.urls import reverse

from stakeholders.models import Membership, Role
from tests.factories import (
    AffiliationFactory,
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
    RelationshipFactory,
    UserFactory,
)


def url(name: str, workspace, pk: int, **query) -> str:
    path = reverse(f"stakeholders:{name}", kwargs={"slug": workspace.slug, "pk": pk})
    if query:
        path += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return path


def _changed(obj, user, **fields) -> None:
    for name, value in fields.items():
        setattr(obj, name, value)
    obj._history_user = user
    obj.save()


@pytest.fixture
def staff_owner(owner):
    owner.is_staff = True
    owner.save(update_fields=["is_staff"])
    return owner


def test_admin_history_view_works_for_all_five_audited_models(client, workspace, staff_owner):
    hospital = OrganisationFactory(workspace=workspace, name="Fenwick Hospitals")
    ada = PersonFactory(workspace=workspace, name="Ada Lovelace")
    grace = PersonFactory(workspace=workspace, name="Grace Hopper")
    affiliation = AffiliationFactory(person=ada, organisation=hospital)
    tie = RelationshipFactory(source=ada, target=grace, strength=2)
    membership = MembershipFactory(
        workspace=workspace, user=UserFactory(username="newcomer"), role=Role.VIEWER
    )
    _changed(hospital, staff_owner, ods_code="RTH")
    _changed(ada, staff_owner, job_title="Chief analyst")
    _changed(affiliation, staff_owner, role_title="Director of place")
    _changed(tie, staff_owner, strength=5)
    _changed(membership, staff_owner, role=Role.EDITOR)

    client.force_login(staff_owner)
    for model, obj in (
        ("organisation", hospital),
        ("person", ada),
        ("affiliation", affiliation),
        ("relationship", tie),
        ("membership", membership),
    ):
        response = client.get(reverse(f"admin:stakeholders_{model}_history", args=[obj.pk]))
        assert response.status_code == 200, model
        body = response.content.decode()
        # Two versions (created, then changed by the owner), each with who made it.
        assert body.count("Changed") >= 1 and body.count("Created") >= 1, model
        assert "owner" in body, model
        assert obj.history.count() == 2
        latest = obj.history.latest()
        assert latest.history_user == staff_owner and latest.history_type == "~"
        version = reverse(
            f"admin:stakeholders_{model}_simple_history", args=[obj.pk, latest.history_id]
        )
        assert client.get(version).status_code == 200, model
    assert Membership.history.filter(id=membership.pk, role=Role.VIEWER).exists()


def test_person_changes_page_continues_the_person_page(client, workspace, viewer, editor):
    person = PersonFactory(workspace=workspace, job_title="v0")
    for i in range(1, 26):
        _changed(person, editor, job_title=f"v{i}")
    client.force_login(viewer)
    detail = client.get(reverse("stakeholders:person_detail", args=[workspace.slug, person.pk]))
    page = detail.content.decode()
    more = url("person_changes", workspace, person.pk, page=2)
    assert f'href="{more}" hx-get="{more}" hx-target="#more-changes"' in page

    # The htmx swap: only the next entries, no page around them, and no further link.
    partial = client.get(more, headers={"HX-Request": "true"})
    assert partial.status_code == 200
    body = partial.content.decode()
    assert "<html" not in body and "<h1>" not in body
    assert body.count("<strong>Changed</strong>") == 5
    assert "<bdi>v4</bdi> → <bdi>v5</bdi>" in body and "<bdi>v5</bdi> → <bdi>v6</bdi>" not in body
    assert '<ol class="app-history" start="21">' in body
    assert "<strong>Created</strong>" in body
    assert "Show more changes" not in body

    # Without htmx, the same page is a whole page a person can bookmark.
    whole = client.get(more).content.decode()
    assert "<h1>Changes to <bdi>" in whole and "Start from the newest" in whole
    first = client.get(url("person_changes", workspace, person.pk)).content.decode()
    assert first.count("<strong>Changed</strong>") == 20
    assert "<bdi>v24</bdi> → <bdi>v25</bdi>" in first and "Show more changes" in first


def test_person_changes_cover_affiliations_and_ties_both_ways(client, workspace, viewer, editor):
    hospital = OrganisationFactory(workspace=workspace, name="Fenwick Hospitals")
    council = OrganisationFactory(workspace=workspace, name="Fenwick County Council")
    ada = PersonFactory(workspace=workspace, name="Ada Lovelace")
    grace = PersonFactory(workspace=workspace, name="Grace Hopper")
    affiliation = AffiliationFactory(person=ada, organisation=hospital)
    _changed(affiliation, editor, organisation=council)
    out = RelationshipFactory(source=ada, target=grace, kind="trusts", strength=2)
    _changed(out, editor, strength=4)
    into = RelationshipFactory(source=grace, target=ada, evidence="Met at ICB board")
    into._history_user = editor
    into.delete()
    _changed(ada, editor, notes="Private opinion")

    client.force_login(viewer)
    page = client.get(url("person_changes", workspace, ada.pk)).content.decode()
    assert "Organisation: <bdi>Fenwick Hospitals</bdi> → <bdi>Fenwick County Council</bdi>" in page
    assert "<bdi>Relationship: Ada Lovelace trusts Grace Hopper</bdi>" in page
    assert "Strength: <bdi>2</bdi> → <bdi>4</bdi>" in page
    assert (
        "<bdi>editor</bdi>: <strong>Deleted</strong> "
        "<bdi>Relationship: Grace Hopper collaborates with Ada Lovelace</bdi>"
    ) in page
    # Notes are the mappers' opinions: hidden from viewers here as on the person page.
    assert "Private opinion" not in page and "Notes: <bdi>(not shown)</bdi>" in page
    client.force_login(editor)
    page = client.get(url("person_changes", workspace, ada.pk)).content.decode()
    assert "Notes: <bdi>(empty)</bdi> → <bdi>Private opinion</bdi>" in page


def test_organisation_changes_include_its_affiliations(client, workspace, viewer, editor):
    hospital = OrganisationFactory(workspace=workspace, name="Fenwick Hospitals")
    ada = PersonFactory(workspace=workspace, name="Ada Lovelace")
    affiliation = AffiliationFactory(person=ada, organisation=hospital, role_title="Analyst")
    _changed(affiliation, editor, role_title="Chief analyst")
    grace = PersonFactory(workspace=workspace, name="Grace Hopper")
    leaver = AffiliationFactory(person=grace, organisation=hospital, is_primary=True)
    leaver._history_user = editor
    leaver.delete()
    _changed(hospital, editor, ods_code="RTH")

    client.force_login(viewer)
    org_page = client.get(
        reverse("stakeholders:organisation_detail", args=[workspace.slug, hospital.pk])
    ).content.decode()
    assert url("organisation_changes", workspace, hospital.pk) in org_page
    page = client.get(url("organisation_changes", workspace, hospital.pk)).content.decode()
    assert "ODS code: <bdi>(empty)</bdi> → <bdi>RTH</bdi>" in page
    assert "<strong>Changed</strong> <bdi>Affiliation of Ada Lovelace</bdi>" in page
    assert "Role title: <bdi>Analyst</bdi> → <bdi>Chief analyst</bdi>" in page
    assert (
        "<bdi>editor</bdi>: <strong>Deleted</strong> <bdi>Affiliation of Grace Hopper</bdi>" in page
    )
    assert page.index("ODS code") < page.index("Role title")  # newest first


def test_changes_pages_check_membership_and_workspace(
    client, workspace, other_workspace, viewer, outsider
):
    ada = PersonFactory(workspace=workspace)
    hospital = OrganisationFactory(workspace=workspace)
    theirs = PersonFactory(workspace=other_workspace)
    their_org = OrganisationFactory(workspace=other_workspace)
    paths = [
        url("person_changes", workspace, ada.pk),
        url("organisation_changes", workspace, hospital.pk),
    ]
    for path in paths:
        response = client.get(path)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(outsider)
    for path in paths:
        assert client.get(path).status_code == 404
    client.force_login(viewer)
    for path in paths:
        assert client.get(path).status_code == 200
        assert client.post(path).status_code == 405
        for bad in ("0", "abc", "101", "-1"):
            response = client.get(f"{path}?page={bad}")
            assert response.status_code == 400
            assert "Choose a page from 1 to 100." in response.content.decode()
    assert client.get(url("person_changes", workspace, theirs.pk)).status_code == 404
    assert client.get(url("organisation_changes", workspace, their_org.pk)).status_code == 404


@pytest.mark.parametrize("changes", [3, 30])
def test_changes_pages_take_a_fixed_number_of_queries(
    client, workspace, viewer, editor, django_assert_num_queries, changes
):
    hospital = OrganisationFactory(workspace=workspace)
    ada = PersonFactory(workspace=workspace)
    affiliation = AffiliationFactory(person=ada, organisation=hospital)
    tie = RelationshipFactory(source=ada, target=PersonFactory(workspace=workspace))
    for i in range(changes):
        _changed(ada, editor, job_title=f"v{i}")
        _changed(affiliation, editor, role_title=f"r{i}")
        _changed(tie, editor, strength=1 + i % 5)
        _changed(hospital, editor, short_name=f"H{i}")
    client.force_login(viewer)
    # session + user, membership, record, two per history table, people's and
    # organisations' names
    with django_assert_num_queries(12):
        client.get(url("person_changes", workspace, ada.pk, page=2))
    with django_assert_num_queries(10):
        client.get(url("organisation_changes", workspace, hospital.pk, page=2))
