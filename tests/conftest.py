import pytest
from django.urls import reverse

from stakeholders.models import Role
from tests.factories import MembershipFactory, UserFactory, WorkspaceFactory


@pytest.fixture
def workspace(db):
    return WorkspaceFactory(name="North Fenwick ICS", slug="north-fenwick")


@pytest.fixture
def other_workspace(db):
    return WorkspaceFactory(name="South Moor ICS", slug="south-moor")


def _member(workspace, role, username):
    user = UserFactory(username=username)
    MembershipFactory(user=user, workspace=workspace, role=role)
    return user


@pytest.fixture
def viewer(workspace):
    return _member(workspace, Role.VIEWER, "viewer")


@pytest.fixture
def editor(workspace):
    return _member(workspace, Role.EDITOR, "editor")


@pytest.fixture
def owner(workspace):
    return _member(workspace, Role.OWNER, "owner")


def admin_url(model: str, view: str = "changelist", *args) -> str:
    """An admin page of one of the product's models ("organisation", "delete", pk)."""
    return reverse(f"admin:stakeholders_{model}_{view}", args=args)


def make_staff(user):
    """The user, allowed into the admin (what they see there comes from membership)."""
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    return user


@pytest.fixture
def staff_editor(editor):
    return make_staff(editor)


@pytest.fixture
def staff_owner(owner):
    return make_staff(owner)


@pytest.fixture
def outsider(other_workspace):
    """An editor of another workspace: must see nothing of `workspace`."""
    return _member(other_workspace, Role.EDITOR, "outsider")


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    """Real hashing costs about a second per user; tests check access, not hashing."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
