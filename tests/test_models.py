"""Every rule in models.py is refused twice: by the database, and with a readable message
by full_clean() and by a ModelForm, so bad data cannot arrive by any route."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.forms import model_to_dict, modelform_factory

from stakeholders.models import (
    Affiliation,
    Membership,
    Organisation,
    Person,
    Relationship,
    Workspace,
)
from tests.factories import (
    AffiliationFactory,
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
    RelationshipFactory,
    UserFactory,
)

ALL = NON_FIELD_ERRORS
BLANK = "This field cannot be blank."
REQUIRED = "This field is required."


@dataclass
class Row:
    """A row to insert (pk None) or the new values for an existing row."""

    model: type[models.Model]
    values: dict
    pk: int | None = None

    def write_bypassing_validation(self) -> None:
        if self.pk is None:
            self.model.objects.create(**self.values)
        else:
            self.model.objects.filter(pk=self.pk).update(**self.values)

    def instance(self) -> models.Model:
        if self.pk is None:
            return self.model(**self.values)
        obj = self.model.objects.get(pk=self.pk)
        for name, value in self.values.items():
            setattr(obj, name, value)
        return obj

    def form(self):
        form_class = modelform_factory(self.model, fields="__all__")
        instance = None if self.pk is None else self.model.objects.get(pk=self.pk)
        data = model_to_dict(instance) if instance else {}
        data.update(self.values)
        return form_class(data=_as_post(data), instance=instance)


def _as_post(values: dict) -> dict:
    post = {}
    for name, value in values.items():
        if value is None or value is False:
            continue
        if value is True:
            post[name] = "on"
        elif isinstance(value, models.Model):
            post[name] = str(value.pk)
        elif isinstance(value, datetime.date):
            post[name] = value.isoformat()
        else:
            post[name] = str(value)
    return post


def _org(ws: Workspace, **values) -> dict:
    base = {"workspace": ws, "name": "Northgate Hospital", "kind": "acute_trust"}
    return base | {"sector": "nhs", "tier": "system"} | values


def _person(ws: Workspace, **values) -> dict:
    return {"workspace": ws, "ref": "P9000", "name": "Ada Okafor", "seniority": "director"} | values


def _tie(source: Person, target: Person, **values) -> dict:
    return {"source": source, "target": target, "kind": "trusts", "strength": 3} | values


# Builders take (workspace, other_workspace), create whatever must already exist, and
# return the offending row.
Builder = Callable[[Workspace, Workspace], Row]


@dataclass
class Case:
    constraint: str
    build: Builder
    field: str
    messages: tuple[str, ...]
    form_messages: tuple[str, ...] | None = None


def _membership_duplicate(ws, _other):
    existing = MembershipFactory(workspace=ws, role="editor")
    return Row(Membership, {"user": existing.user, "workspace": ws, "role": "viewer"})


def _membership_bad_role(ws, _other):
    return Row(Membership, {"user": UserFactory(), "workspace": ws, "role": "admin"})


def _workspace_retention_out_of_range(ws, _other):
    return Row(Workspace, {"retention_months": 0}, pk=ws.pk)


def _org_duplicate_name(ws, _other):
    OrganisationFactory(workspace=ws, name="Northgate Hospital")
    return Row(Organisation, _org(ws))


def _org_duplicate_ods(ws, _other):
    OrganisationFactory(workspace=ws, ods_code="RTH")
    return Row(Organisation, _org(ws, ods_code="RTH"))


def _org_blank_name(ws, _other):
    return Row(Organisation, _org(ws, name=""))


def _org_bad_choice(field):
    return lambda ws, _other: Row(Organisation, _org(ws, **{field: "bogus"}))


def _org_own_parent(ws, _other):
    org = OrganisationFactory(workspace=ws)
    return Row(Organisation, {"parent": org}, pk=org.pk)


def _person_duplicate_ref(ws, _other):
    PersonFactory(workspace=ws, ref="P9000")
    return Row(Person, _person(ws))


def _person_blank(field):
    return lambda ws, _other: Row(Person, _person(ws, **{field: ""}))


def _person_bad_seniority(ws, _other):
    return Row(Person, _person(ws, seniority="chief"))


def _affiliation_duplicate(ws, _other):
    existing = AffiliationFactory(person__workspace=ws)
    return Row(
        Affiliation,
        {"person": existing.person, "organisation": existing.organisation, "is_primary": False},
    )


def _affiliation_second_primary(ws, _other):
    existing = AffiliationFactory(person__workspace=ws, is_primary=True)
    other_org = OrganisationFactory(workspace=ws)
    return Row(
        Affiliation, {"person": existing.person, "organisation": other_org, "is_primary": True}
    )


def _affiliation_ends_before_start(ws, _other):
    return Row(
        Affiliation,
        {
            "person": PersonFactory(workspace=ws),
            "organisation": OrganisationFactory(workspace=ws),
            "is_primary": True,
            "start_date": datetime.date(2025, 4, 1),
            "end_date": datetime.date(2025, 3, 31),
        },
    )


def _tie_self(ws, _other):
    person = PersonFactory(workspace=ws)
    return Row(Relationship, _tie(person, person))


def _tie_duplicate(ws, _other):
    existing = RelationshipFactory(source__workspace=ws, kind="trusts")
    return Row(Relationship, _tie(existing.source, existing.target))


def _tie_values(**values):
    def build(ws, _other):
        return Row(
            Relationship,
            _tie(PersonFactory(workspace=ws), PersonFactory(workspace=ws), **values),
        )

    return build


DB_CASES = {
    "workspace_retention_out_of_range": Case(
        "workspace_retention_months_range",
        _workspace_retention_out_of_range,
        ALL,
        ("Retention must be between 1 and 240 months, or empty.",),
    ),
    "membership_duplicate": Case(
        "membership_unique_user_workspace",
        _membership_duplicate,
        ALL,
        ("Membership with this User and Workspace already exists.",),
    ),
    "membership_role_not_a_choice": Case(
        "membership_role_valid",
        _membership_bad_role,
        "role",
        ("Value 'admin' is not a valid choice.",),
        ("Select a valid choice. admin is not one of the available choices.",),
    ),
    "organisation_name_taken": Case(
        "organisation_unique_name",
        _org_duplicate_name,
        ALL,
        ("An organisation with this name already exists here.",),
    ),
    "organisation_ods_code_taken": Case(
        "organisation_unique_ods_code",
        _org_duplicate_ods,
        ALL,
        ("Another organisation here already has this ODS code.",),
    ),
    "organisation_name_blank": Case(
        "organisation_name_not_blank", _org_blank_name, "name", (BLANK,), (REQUIRED,)
    ),
    "organisation_kind_not_a_choice": Case(
        "organisation_kind_valid",
        _org_bad_choice("kind"),
        "kind",
        ("Value 'bogus' is not a valid choice.",),
        ("Select a valid choice. bogus is not one of the available choices.",),
    ),
    "organisation_sector_not_a_choice": Case(
        "organisation_sector_valid",
        _org_bad_choice("sector"),
        "sector",
        ("Value 'bogus' is not a valid choice.",),
        ("Select a valid choice. bogus is not one of the available choices.",),
    ),
    "organisation_tier_not_a_choice": Case(
        "organisation_tier_valid",
        _org_bad_choice("tier"),
        "tier",
        ("Value 'bogus' is not a valid choice.",),
        ("Select a valid choice. bogus is not one of the available choices.",),
    ),
    "organisation_own_parent": Case(
        "organisation_not_own_parent",
        _org_own_parent,
        "parent",
        # clean() sees the one-step cycle first; either message names the problem.
        ("This parent would create a cycle.", "An organisation cannot be its own parent."),
    ),
    "person_ref_taken": Case(
        "person_unique_ref",
        _person_duplicate_ref,
        ALL,
        ("A person with this ref already exists here.",),
    ),
    "person_ref_blank": Case(
        "person_ref_not_blank", _person_blank("ref"), "ref", (BLANK,), (REQUIRED,)
    ),
    "person_name_blank": Case(
        "person_name_not_blank", _person_blank("name"), "name", (BLANK,), (REQUIRED,)
    ),
    "person_seniority_not_a_choice": Case(
        "person_seniority_valid",
        _person_bad_seniority,
        "seniority",
        ("Value 'chief' is not a valid choice.",),
        ("Select a valid choice. chief is not one of the available choices.",),
    ),
    "affiliation_duplicate": Case(
        "affiliation_unique_person_organisation",
        _affiliation_duplicate,
        ALL,
        ("This person already has an affiliation here.",),
    ),
    "affiliation_second_primary": Case(
        "affiliation_one_primary",
        _affiliation_second_primary,
        ALL,
        ("This person already has a primary affiliation.",),
    ),
    "affiliation_ends_before_start": Case(
        "affiliation_end_after_start",
        _affiliation_ends_before_start,
        ALL,
        ("The end date cannot be before the start date.",),
    ),
    "relationship_duplicate": Case(
        "relationship_unique_source_target_kind",
        _tie_duplicate,
        ALL,
        ("This relationship already exists.",),
    ),
    "relationship_ends_before_start": Case(
        "relationship_end_after_start",
        _tie_values(start_date=datetime.date(2025, 4, 1), end_date=datetime.date(2025, 3, 31)),
        ALL,
        ("The end date cannot be before the start date.",),
    ),
    "relationship_self_tie": Case(
        "relationship_no_self_tie",
        _tie_self,
        ALL,
        ("A person cannot have a relationship with themselves.",),
    ),
    "relationship_strength_0": Case(
        "relationship_strength_range",
        _tie_values(strength=0),
        "strength",
        ("Ensure this value is greater than or equal to 1.",),
    ),
    "relationship_strength_6": Case(
        "relationship_strength_range",
        _tie_values(strength=6),
        "strength",
        ("Ensure this value is less than or equal to 5.",),
    ),
    "relationship_trust_0": Case(
        "relationship_trust_range",
        _tie_values(trust=0),
        "trust",
        ("Ensure this value is greater than or equal to 1.",),
    ),
    "relationship_trust_6": Case(
        "relationship_trust_range",
        _tie_values(trust=6),
        "trust",
        ("Ensure this value is less than or equal to 5.",),
    ),
    "relationship_kind_not_a_choice": Case(
        "relationship_kind_valid",
        _tie_values(kind="hates"),
        "kind",
        ("Value 'hates' is not a valid choice.",),
        ("Select a valid choice. hates is not one of the available choices.",),
    ),
}


def _parent_in_other_workspace(ws, other):
    return Row(Organisation, _org(ws, parent=OrganisationFactory(workspace=other)))


def _parent_cycle(ws, _other):
    top = OrganisationFactory(workspace=ws)
    middle = OrganisationFactory(workspace=ws, parent=top)
    bottom = OrganisationFactory(workspace=ws, parent=middle)
    return Row(Organisation, {"parent": bottom}, pk=top.pk)


def _affiliation_other_workspace(ws, other):
    return Row(
        Affiliation,
        {
            "person": PersonFactory(workspace=ws),
            "organisation": OrganisationFactory(workspace=other),
            "is_primary": True,
        },
    )


def _tie_across_workspaces(ws, other):
    return Row(Relationship, _tie(PersonFactory(workspace=ws), PersonFactory(workspace=other)))


# Rules across rows that the database cannot express: clean() alone refuses them.
CLEAN_CASES = {
    "organisation_parent_in_other_workspace": Case(
        "", _parent_in_other_workspace, "parent", ("The parent must be in the same workspace.",)
    ),
    "organisation_parent_cycle": Case(
        "", _parent_cycle, "parent", ("This parent would create a cycle.",)
    ),
    "affiliation_organisation_in_other_workspace": Case(
        "",
        _affiliation_other_workspace,
        "organisation",
        ("The organisation must be in the person's workspace.",),
    ),
    "relationship_across_workspaces": Case(
        "", _tie_across_workspaces, "target", ("Both people must be in the same workspace.",)
    ),
}


def _assert_names_constraint(error: IntegrityError, model, name: str) -> None:
    # PostgreSQL names every constraint; SQLite names CHECK constraints and reports
    # UNIQUE ones by their columns.
    message = str(error)
    constraint = next(c for c in model._meta.constraints if c.name == name)
    if connection.vendor == "postgresql" or isinstance(constraint, models.CheckConstraint):
        assert name in message
    else:
        table = model._meta.db_table
        columns = [model._meta.get_field(f).column for f in constraint.fields]
        assert message.endswith(", ".join(f"{table}.{column}" for column in columns))


@pytest.mark.parametrize("case", DB_CASES.values(), ids=DB_CASES.keys())
def test_database_refuses_row_breaking_constraint(case, workspace, other_workspace):
    row = case.build(workspace, other_workspace)
    before = row.model.objects.count()

    with pytest.raises(IntegrityError) as excinfo, transaction.atomic():
        row.write_bypassing_validation()

    _assert_names_constraint(excinfo.value, row.model, case.constraint)
    assert row.model.objects.count() == before


@pytest.mark.parametrize(
    "case", [*DB_CASES.values(), *CLEAN_CASES.values()], ids=[*DB_CASES.keys(), *CLEAN_CASES.keys()]
)
def test_full_clean_refuses_with_readable_message(case, workspace, other_workspace):
    row = case.build(workspace, other_workspace)

    with pytest.raises(ValidationError) as excinfo:
        row.instance().full_clean()

    messages = excinfo.value.message_dict.get(case.field, [])
    assert any(message in case.messages for message in messages), excinfo.value.message_dict


@pytest.mark.parametrize(
    "case", [*DB_CASES.values(), *CLEAN_CASES.values()], ids=[*DB_CASES.keys(), *CLEAN_CASES.keys()]
)
def test_model_form_refuses_with_readable_message(case, workspace, other_workspace):
    row = case.build(workspace, other_workspace)
    form = row.form()

    assert not form.is_valid()
    expected = case.form_messages or case.messages
    assert any(message in expected for message in form.errors.get(case.field, [])), form.errors


# Constraints on fields no form edits (set by services only), checked in the database.
SERVICE_ONLY = {"relationship_provenance_valid"}


def test_every_database_constraint_has_a_case():
    declared = {
        constraint.name
        for model in (Membership, Organisation, Person, Affiliation, Relationship, Workspace)
        for constraint in model._meta.constraints
    }
    assert declared == {case.constraint for case in DB_CASES.values()} | SERVICE_ONLY


def test_the_database_refuses_an_unknown_provenance(workspace):
    from django.db import IntegrityError, transaction

    tie = RelationshipFactory(source__workspace=workspace)
    with pytest.raises(IntegrityError), transaction.atomic():
        Relationship.objects.filter(pk=tie.pk).update(provenance="rumour")


@pytest.mark.parametrize(
    "build",
    [
        pytest.param(
            lambda ws, other: (
                OrganisationFactory(workspace=other, name="Northgate Hospital"),
                Row(Organisation, _org(ws)),
            )[1],
            id="organisation_name_used_in_another_workspace",
        ),
        pytest.param(
            lambda ws, other: (
                OrganisationFactory(workspace=other, ods_code="RTH"),
                Row(Organisation, _org(ws, ods_code="RTH")),
            )[1],
            id="ods_code_used_in_another_workspace",
        ),
        pytest.param(
            lambda ws, _other: (
                OrganisationFactory(workspace=ws, ods_code=""),
                Row(Organisation, _org(ws, ods_code="")),
            )[1],
            id="ods_code_blank_twice",
        ),
        pytest.param(
            lambda ws, other: (
                PersonFactory(workspace=other, ref="P9000"),
                Row(Person, _person(ws)),
            )[1],
            id="person_ref_used_in_another_workspace",
        ),
        pytest.param(
            lambda ws, _other: Row(
                Affiliation,
                {
                    "person": AffiliationFactory(person__workspace=ws).person,
                    "organisation": OrganisationFactory(workspace=ws),
                    "is_primary": False,
                },
            ),
            id="second_affiliation_not_primary",
        ),
        pytest.param(
            lambda ws, _other: Row(
                Affiliation,
                {
                    "person": PersonFactory(workspace=ws),
                    "organisation": OrganisationFactory(workspace=ws),
                    "is_primary": True,
                    "start_date": datetime.date(2025, 4, 1),
                    "end_date": datetime.date(2025, 4, 1),
                },
            ),
            id="affiliation_ends_on_start_day",
        ),
        pytest.param(
            _tie_values(strength=1, trust=None), id="relationship_weakest_with_unknown_trust"
        ),
        pytest.param(_tie_values(strength=5, trust=5), id="relationship_strongest"),
        pytest.param(
            lambda ws, _other: (
                lambda tie: Row(Relationship, _tie(tie.target, tie.source, kind=tie.kind))
            )(RelationshipFactory(source__workspace=ws, kind="trusts")),
            id="relationship_reverse_direction",
        ),
    ],
)
def test_valid_rows_near_the_rules_are_accepted(build, workspace, other_workspace):
    row = build(workspace, other_workspace)

    row.instance().full_clean()
    assert row.form().is_valid()
    row.write_bypassing_validation()
