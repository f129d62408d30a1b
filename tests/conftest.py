import pytest

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


@pytest.fixture
def outsider(other_workspace):
    """An editor of another workspace: must see nothing of `workspace`."""
    return _member(other_workspace, Role.EDITOR, "outsider")


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    """Real hashing costs about a second per user; tests check access, not hashing."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
