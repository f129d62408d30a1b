import datetime

import factory
from django.contrib.auth import get_user_model

from stakeholders import models

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.nhs.uk")
    password = factory.django.Password(PASSWORD)


class WorkspaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Workspace

    name = factory.Sequence(lambda n: f"Test System {n}")
    slug = factory.Sequence(lambda n: f"test-system-{n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Membership

    user = factory.SubFactory(UserFactory)
    workspace = factory.SubFactory(WorkspaceFactory)
    role = models.Role.VIEWER


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Organisation

    workspace = factory.SubFactory(WorkspaceFactory)
    name = factory.Sequence(lambda n: f"Organisation {n}")
    short_name = factory.Sequence(lambda n: f"ORG{n}")
    kind = models.OrganisationKind.ACUTE_TRUST
    sector = models.Sector.NHS
    tier = models.Tier.SYSTEM


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Person

    workspace = factory.SubFactory(WorkspaceFactory)
    ref = factory.Sequence(lambda n: f"P{n:04d}")
    name = factory.Sequence(lambda n: f"Person {n}")
    job_title = "Programme manager"
    seniority = models.Seniority.MANAGER


class AffiliationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Affiliation

    person = factory.SubFactory(PersonFactory)
    organisation = factory.SubFactory(
        OrganisationFactory, workspace=factory.SelfAttribute("..person.workspace")
    )
    role_title = "Programme manager"
    is_primary = True


class RelationshipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Relationship

    source = factory.SubFactory(PersonFactory)
    target = factory.SubFactory(
        PersonFactory, workspace=factory.SelfAttribute("..source.workspace")
    )
    kind = models.RelationshipKind.COLLABORATES
    strength = 3
    trust = 4
    observed_on = datetime.date(2026, 1, 15)
