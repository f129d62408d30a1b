"""Every URL in the project, for every kind of visitor, answers as its role allows.

The URLs come from the resolver, so a new one is checked as soon as it exists: it
fails `test_every_url_has_an_expectation` until it is classified in EXPECTED below.
Visitors: anonymous; `outsider`, a staff editor of another workspace only; and staff
viewer, editor and owner of workspace A. Everyone is staff so that the admin is
refused by workspace role, not by the staff flag. Another workspace's objects answer
404 (the admin's change and delete pages answer as for a missing id: back to the
admin index), never 403, so ids cannot be probed.
"""

import datetime
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from stakeholders import score_runs
from stakeholders.models import (
    Affiliation,
    Erasure,
    Forum,
    ForumMembership,
    ImportPreview,
    Membership,
    Organisation,
    Person,
    Relationship,
    Role,
    Snapshot,
    Survey,
    SurveyAnswer,
    Workspace,
)
from stakeholders.surveys.services import (
    AnswerInput,
    response_consent,
    response_save,
    survey_create,
)
from tests.factories import (
    AffiliationFactory,
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
    RelationshipFactory,
    UserFactory,
    WorkspaceFactory,
)

VISITORS = ["anon", "outsider", "viewer", "editor", "owner"]
LOGIN = "login redirect"
ADMIN_LOGIN = "admin login redirect"
ADMIN_INDEX = "admin index redirect"  # the admin's answer for a missing or hidden id
SECRET_WORDS = ["Zebedee Quartermaine", "Northgate Hospital", "NZ001"]


def answers(anon, outsider, viewer, editor, owner) -> dict[str, object]:
    return dict(zip(VISITORS, (anon, outsider, viewer, editor, owner), strict=True))


# Pages of workspace A. A role-refused page answers 403 to members (they know the
# workspace exists) and 404 to everyone else.
READ = answers(LOGIN, 404, 200, 200, 200)
EDIT = answers(LOGIN, 404, 403, 200, 200)
OWN = answers(LOGIN, 404, 403, 403, 200)
POST_ONLY = answers(405, 405, 405, 405, 405)
PUBLIC = answers(200, 200, 200, 200, 200)
SIGNED_IN = answers(LOGIN, 200, 200, 200, 200)

# The admin. Staff editors and owners see their own workspaces' rows only; viewers
# see nothing; members are managed by owners; users, login attempts and background
# tasks are for superusers.
ADMIN_LIST = answers(ADMIN_LOGIN, 200, 403, 200, 200)
ADMIN_OBJECT = answers(ADMIN_LOGIN, ADMIN_INDEX, 403, 200, 200)
ADMIN_OBJECT_HISTORY = answers(ADMIN_LOGIN, 404, 403, 200, 200)
ADMIN_OWNER_LIST = answers(ADMIN_LOGIN, 403, 403, 403, 200)
ADMIN_OWNER_OBJECT = answers(ADMIN_LOGIN, 403, 403, 403, 200)
ADMIN_SUPERUSER_ONLY = answers(ADMIN_LOGIN, 403, 403, 403, 403)
ADMIN_SUPERUSER_ADD = ADMIN_SUPERUSER_ONLY
ADMIN_REDIRECT = answers(ADMIN_LOGIN, 302, 302, 302, 302)

EXPECTED: dict[str, dict[str, object]] = {
    "login": PUBLIC,
    "logout": POST_ONLY,
    # Nothing to verify without a password step first: back to log in, or on for the signed in.
    "login_code": answers(LOGIN, 302, 302, 302, 302),
    # One's own account (stakeholders/accounts).
    "account": SIGNED_IN,
    "account_two_factor_start": POST_ONLY,
    "account_two_factor_setup": SIGNED_IN,
    "account_two_factor_off": SIGNED_IN,
    "account_recovery_codes": SIGNED_IN,
    "stakeholders:home": SIGNED_IN,
    # Any signed-in user may create a workspace (and own it).
    "stakeholders:workspace_new": SIGNED_IN,
    "stakeholders:overview": READ,
    "stakeholders:map": READ,
    "stakeholders:map_person": READ,
    "stakeholders:map_svg": READ,
    "stakeholders:map_png": READ,
    "stakeholders:brokers": READ,
    "stakeholders:partnerships": READ,
    # The people carrying a partnership need its two groups: without them, 404.
    "stakeholders:partnership_people": answers(LOGIN, 404, 404, 404, 404),
    "stakeholders:person_detail": READ,
    "stakeholders:organisation_detail": READ,
    "stakeholders:scores_status": READ,
    "stakeholders:scenario_route": READ,
    "stakeholders:scenario_room": READ,
    # A download needs its question (both people; a partner to reach): without it, 400.
    "stakeholders:scenario_route_csv": answers(LOGIN, 404, 400, 400, 400),
    "stakeholders:scenario_route_xlsx": answers(LOGIN, 404, 400, 400, 400),
    "stakeholders:scenario_room_csv": answers(LOGIN, 404, 400, 400, 400),
    "stakeholders:scenario_room_xlsx": answers(LOGIN, 404, 400, 400, 400),
    "stakeholders:scenario_key_people": READ,
    "stakeholders:scenario_leaves": READ,
    # Who leaves must be chosen (person or organisation): without it, 400.
    "stakeholders:scenario_leaves_csv": answers(LOGIN, 404, 400, 400, 400),
    "stakeholders:scenario_leaves_xlsx": answers(LOGIN, 404, 400, 400, 400),
    "stakeholders:person_changes": READ,
    "stakeholders:organisation_changes": READ,
    "stakeholders:person_subject_access": OWN,
    "stakeholders:person_erase": OWN,
    "stakeholders:workspace_settings": OWN,
    "stakeholders:workspace_detail": READ,
    "stakeholders:members": READ,
    "stakeholders:member_invite": POST_ONLY,
    "stakeholders:member_role": POST_ONLY,
    "stakeholders:member_remove": POST_ONLY,
    "stakeholders:member_invitation_resend": POST_ONLY,
    "stakeholders:member_invitation_cancel": POST_ONLY,
    # The emailed link puts its token in the session and redirects, for anyone; the
    # accept page without a token in the session says the link does not work (404).
    "stakeholders:invitation_open": answers(302, 302, 302, 302, 302),
    "stakeholders:invitation_accept": answers(404, 404, 404, 404, 404),
    # Password reset is for those who cannot log in; with a made-up link, the page
    # saying the link does not work. Changing a password needs a login.
    "password_reset": PUBLIC,
    "password_reset_done": PUBLIC,
    "password_reset_confirm": PUBLIC,
    "password_reset_complete": PUBLIC,
    "password_change": SIGNED_IN,
    "password_change_done": SIGNED_IN,
    "stakeholders:export_notes": READ,
    "stakeholders:export_csv": READ,
    "stakeholders:export_xlsx": READ,
    "stakeholders:export_graph": READ,
    "stakeholders:export_board_pack": READ,
    "stakeholders:import_upload": EDIT,
    "stakeholders:import_template": EDIT,
    # A preview is the uploader's alone (the editor here): anyone else gets 404.
    "stakeholders:import_preview": answers(LOGIN, 404, 403, 200, 404),
    "stakeholders:import_confirm": POST_ONLY,
    "stakeholders:forums": READ,
    "stakeholders:forums_csv": READ,
    "stakeholders:forums_xlsx": READ,
    "stakeholders:snapshots": READ,
    "stakeholders:snapshot_take": POST_ONLY,
    "stakeholders:map_pin": POST_ONLY,
    "stakeholders:map_tidy": POST_ONLY,
    # A comparison needs its snapshot (from): without it, 400.
    "stakeholders:snapshot_compare": answers(LOGIN, 404, 400, 400, 400),
    "stakeholders:snapshot_compare_csv": answers(LOGIN, 404, 400, 400, 400),
    "stakeholders:snapshot_compare_xlsx": answers(LOGIN, 404, 400, 400, 400),
    "stakeholders:snapshot_compare_partnerships_csv": answers(LOGIN, 404, 400, 400, 400),
    "stakeholders:snapshot_compare_partnerships_xlsx": answers(LOGIN, 404, 400, 400, 400),
    # Surveys: any member sees the list; who has answered is for editors and owners.
    "stakeholders:surveys": READ,
    "stakeholders:survey_new": EDIT,
    "stakeholders:survey_detail": EDIT,
    "stakeholders:survey_responses_csv": EDIT,
    "stakeholders:survey_responses_xlsx": EDIT,
    "stakeholders:survey_link": POST_ONLY,
    "stakeholders:survey_invite": POST_ONLY,
    "stakeholders:survey_remind": POST_ONLY,
    "stakeholders:survey_close": POST_ONLY,
    "stakeholders:survey_review": POST_ONLY,
    # A survey's personal link, as an invitation's: the token goes in the session and
    # on to the survey; without a working token in the session, "link does not work".
    "stakeholders:survey_open": answers(302, 302, 302, 302, 302),
    "stakeholders:survey_respond": answers(404, 404, 404, 404, 404),
    "stakeholders:survey_roster": POST_ONLY,
    "admin:index": answers(ADMIN_LOGIN, 200, 200, 200, 200),
    "admin:login": answers(200, ADMIN_INDEX, ADMIN_INDEX, ADMIN_INDEX, ADMIN_INDEX),
    "admin:logout": answers(ADMIN_INDEX, 405, 405, 405, 405),
    "admin:password_change": answers(ADMIN_LOGIN, 200, 200, 200, 200),
    "admin:password_change_done": answers(ADMIN_LOGIN, 200, 200, 200, 200),
    # Without a model and field to search it is a bad request, for everyone signed in.
    "admin:autocomplete": answers(ADMIN_LOGIN, 403, 403, 403, 403),
    "admin:jsi18n": answers(ADMIN_LOGIN, 200, 200, 200, 200),
    # Only workspaces have a page on the site; the redirect names its slug, so only
    # for members (influence_map.admin_site).
    "admin:view_on_site": answers(ADMIN_LOGIN, 404, 302, 302, 302),
    "admin:app_list": answers(ADMIN_LOGIN, 200, 404, 200, 200),
    "admin:auth_user_password_change": answers(ADMIN_LOGIN, 403, 403, 403, 403),
}

# Admin model pages: per registered model, what kind of access it has. Pages for one
# object (change, history, delete, the old-style redirect, one historical version)
# use an object in workspace A.
ADMIN_MODELS = {
    "stakeholders_workspace": "scoped_no_add",
    "stakeholders_organisation": "scoped",
    "stakeholders_person": "scoped_no_delete",
    "stakeholders_affiliation": "scoped",
    "stakeholders_relationship": "scoped",
    "stakeholders_membership": "owners",
    "stakeholders_erasure": "owners_read_only",
    "stakeholders_invitation": "owners_read_only",
    "stakeholders_forum": "scoped",
    "stakeholders_forummembership": "scoped",
    "stakeholders_snapshot": "snapshots",
    "stakeholders_survey": "scoped_read_only",
    "auth_user": "superuser",
    "auth_group": "superuser",
    "axes_accessattempt": "superuser",
    "axes_accesslog": "superuser",
    "axes_accessfailurelog": "superuser",
    "django_tasks_database_dbtaskresult": "superuser_no_rows",
}
ADMIN_ACTIONS = {
    "scoped": {
        "changelist": ADMIN_LIST,
        "add": ADMIN_LIST,
        "change": ADMIN_OBJECT,
        "delete": ADMIN_OBJECT,
        "history": ADMIN_OBJECT_HISTORY,
        "simple_history": ADMIN_OBJECT_HISTORY,
        "object": ADMIN_REDIRECT,
    },
    "owners": {
        "changelist": ADMIN_OWNER_LIST,
        "add": ADMIN_OWNER_LIST,
        "change": ADMIN_OWNER_OBJECT,
        "delete": ADMIN_OWNER_OBJECT,
        "history": ADMIN_OWNER_OBJECT,
        "simple_history": ADMIN_OWNER_OBJECT,
        "object": ADMIN_REDIRECT,
    },
    "superuser": {
        "changelist": ADMIN_SUPERUSER_ONLY,
        "add": ADMIN_SUPERUSER_ADD,
        "change": ADMIN_SUPERUSER_ONLY,
        "delete": ADMIN_SUPERUSER_ONLY,
        "history": ADMIN_SUPERUSER_ONLY,
        "object": ADMIN_REDIRECT,
    },
}
# Adding and deleting workspaces is for superusers: refused before any lookup, so the
# answer is the same whether the id exists or not.
ADMIN_ACTIONS["scoped_no_add"] = {
    **ADMIN_ACTIONS["scoped"],
    "add": answers(ADMIN_LOGIN, 403, 403, 403, 403),
    "delete": answers(ADMIN_LOGIN, 403, 403, 403, 403),
}
# Nobody deletes a person in the admin: removing someone is an erasure, from their page.
ADMIN_ACTIONS["scoped_no_delete"] = {
    **ADMIN_ACTIONS["scoped"],
    "delete": answers(ADMIN_LOGIN, 403, 403, 403, 403),
}
# The erasure record is the audit: owners read it, nobody adds, changes or deletes it.
ADMIN_ACTIONS["owners_read_only"] = {
    "changelist": ADMIN_OWNER_LIST,
    "add": ADMIN_SUPERUSER_ONLY,
    "change": ADMIN_OWNER_OBJECT,
    "delete": ADMIN_SUPERUSER_ONLY,
    # Looked up in the user's own records first: anyone else gets the missing-id answer.
    "history": answers(ADMIN_LOGIN, ADMIN_INDEX, ADMIN_INDEX, ADMIN_INDEX, 200),
    "object": ADMIN_REDIRECT,
}
# Snapshots are taken on the snapshots page (a worker computes them): editors rename
# them, only owners delete them.
ADMIN_ACTIONS["snapshots"] = {
    **ADMIN_ACTIONS["scoped"],
    "add": answers(ADMIN_LOGIN, 403, 403, 403, 403),
    "delete": ADMIN_OWNER_OBJECT,
    # No simple_history here: Django's history page looks the id up in scope first.
    "history": answers(ADMIN_LOGIN, ADMIN_INDEX, ADMIN_INDEX, 200, 200),
}
# Surveys are made and changed on their pages (through the services): in the admin
# their workspace's editors and owners only look.
ADMIN_ACTIONS["scoped_read_only"] = {
    **ADMIN_ACTIONS["scoped"],
    "add": answers(ADMIN_LOGIN, 403, 403, 403, 403),
    "delete": answers(ADMIN_LOGIN, 403, 403, 403, 403),
    # Django's history page looks the id up in scope first.
    "history": answers(ADMIN_LOGIN, ADMIN_INDEX, ADMIN_INDEX, 200, 200),
}
# No task has run in the test database: pages for one task look the id up first.
ADMIN_ACTIONS["superuser_no_rows"] = {
    **ADMIN_ACTIONS["superuser"],
    "history": answers(ADMIN_LOGIN, ADMIN_INDEX, ADMIN_INDEX, ADMIN_INDEX, ADMIN_INDEX),
}


@dataclass(frozen=True)
class Route:
    key: str  # URL name, or the route itself for the admin's unnamed patterns
    name: str | None
    route: str
    params: tuple[str, ...]
    positional: int


def routes() -> Iterator[Route]:
    def walk(resolver: URLResolver, prefix: str, namespace: str | None) -> Iterator[Route]:
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                inner = ":".join(p for p in (namespace, pattern.namespace) if p) or None
                yield from walk(pattern, prefix + str(pattern.pattern), inner)
                continue
            assert isinstance(pattern, URLPattern)
            regex = pattern.pattern.regex
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
            route = prefix + str(pattern.pattern)
            yield Route(
                key=name or route,
                name=name,
                route=route,
                params=tuple(sorted(regex.groupindex)),
                positional=regex.groups - len(regex.groupindex),
            )

    yield from walk(get_resolver(), "", None)


ADMIN_MODEL_RE = re.compile(
    r"^admin:(?P<model>[a-z_]+?)_(?P<action>"
    + "|".join(["changelist", "add", "change", "delete", "history", "simple_history"])
    + r")$"
)


def expectation(route: Route) -> dict[str, object] | None:
    if route.key in EXPECTED:
        return EXPECTED[route.key]
    match = ADMIN_MODEL_RE.match(route.key)
    if match:
        # "auth_user_password_change" would match as model "auth_user_password".
        kind = ADMIN_MODELS.get(match["model"])
        return ADMIN_ACTIONS[kind].get(match["action"]) if kind else None
    admin_object = re.fullmatch(r"admin/(\w+)/(\w+)/<path:object_id>/", route.key)
    if admin_object:
        kind = ADMIN_MODELS.get(f"{admin_object[1]}_{admin_object[2]}")
        return ADMIN_ACTIONS[kind]["object"] if kind else None
    if route.key == "admin/(?P<url>.*)$":
        # The admin's catch-all: signed-in staff get 404, others the login page.
        return answers(ADMIN_LOGIN, 404, 404, 404, 404)
    return None


def test_every_url_has_an_expectation():
    unknown = [route.key for route in routes() if expectation(route) is None]
    assert not unknown, (
        "Classify these URLs in tests/test_url_access.py (who may open them): " + ", ".join(unknown)
    )


def test_the_walk_finds_project_and_admin_urls():
    keys = {route.key for route in routes()}
    assert {"stakeholders:members", "stakeholders:person_detail", "admin:index"} <= keys
    assert "admin:stakeholders_person_change" in keys
    assert len(keys) > 80


# The world: workspace A with data, workspace B with the outsider.


@dataclass
class World:
    workspace: Workspace
    person: Person
    organisation: Organisation
    affiliation: Affiliation
    relationship: Relationship
    membership: Membership
    preview: ImportPreview
    survey: Survey
    answer: SurveyAnswer
    users: dict[str, object]
    admin_objects: dict[str, object] = field(default_factory=dict)


@pytest.fixture
def world(db) -> World:
    a = WorkspaceFactory(name="North Fenwick ICS", slug="north-fenwick")
    b = WorkspaceFactory(name="South Moor ICS", slug="south-moor")
    users = {}
    for visitor, workspace, role in (
        ("outsider", b, Role.EDITOR),
        ("viewer", a, Role.VIEWER),
        ("editor", a, Role.EDITOR),
        ("owner", a, Role.OWNER),
    ):
        user = UserFactory(username=visitor, is_staff=True)
        MembershipFactory(user=user, workspace=workspace, role=role)
        users[visitor] = user
    MembershipFactory(user=UserFactory(username="owner-b"), workspace=b, role=Role.OWNER)
    hospital = OrganisationFactory(workspace=a, name="Northgate Hospital")
    person = PersonFactory(workspace=a, ref="NZ001", name="Zebedee Quartermaine")
    affiliation = AffiliationFactory(person=person, organisation=hospital)
    colleague = PersonFactory(workspace=a, ref="NZ002", name="Colleague")
    AffiliationFactory(person=colleague, organisation=hospital)
    relationship = RelationshipFactory(source=person, target=colleague)
    PersonFactory(workspace=b, ref="S1", name="Southern Person")
    score_runs.score_run_execute(workspace_id=a.pk)
    preview = ImportPreview.objects.create(
        workspace=a, user=users["editor"], files={}, summary={"files": [], "errors": []}
    )
    survey = survey_create(
        workspace=a,
        user=users["editor"],
        title="Partnership survey",
        introduction="Who do you work with?",
        privacy_notice="Members see the answers.",
        closes_at=timezone.now() + datetime.timedelta(days=7),
        questions=[("collaborates", "Who do you work with?")],
        people=[person, colleague],
    )
    response = survey.responses.get(person=person)
    response_consent(response=response, consent=True)
    response_save(
        response=response, answers=[AnswerInput("collaborates", None, "Ada Obi", strength=3)]
    )
    return World(
        workspace=a,
        person=person,
        organisation=hospital,
        affiliation=affiliation,
        relationship=relationship,
        membership=Membership.objects.get(user=users["viewer"], workspace=a),
        preview=preview,
        survey=survey,
        answer=SurveyAnswer.objects.get(response=response),
        users=users,
    )


def _admin_object(world: World, model: str):
    if model not in world.admin_objects:
        world.admin_objects[model] = _make_admin_object(world, model)
    return world.admin_objects[model]


def _make_admin_object(world: World, model: str):
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    objects = {
        "stakeholders_workspace": lambda: world.workspace,
        "stakeholders_organisation": lambda: world.organisation,
        "stakeholders_person": lambda: world.person,
        "stakeholders_affiliation": lambda: world.affiliation,
        "stakeholders_relationship": lambda: world.relationship,
        "stakeholders_membership": lambda: world.membership,
        "stakeholders_forum": lambda: _forum(world),
        "stakeholders_forummembership": lambda: ForumMembership.objects.create(
            forum=_forum(world), person=world.person
        ),
        "stakeholders_erasure": lambda: Erasure.objects.create(
            workspace=world.workspace, erased_by=world.users["owner"]
        ),
        "stakeholders_invitation": lambda: _invitation(world),
        "stakeholders_survey": lambda: world.survey,
        "stakeholders_snapshot": lambda: Snapshot.objects.create(
            workspace=world.workspace, name="Board", as_of=datetime.date(2026, 1, 1)
        ),
        "auth_user": lambda: world.users["owner"],
        "auth_group": lambda: _group(),
        "axes_accessattempt": lambda: AccessAttempt.objects.create(
            username="owner", ip_address="10.0.0.1", user_agent="t", failures_since_start=1
        ),
        "axes_accesslog": lambda: AccessLog.objects.create(
            username="owner", ip_address="10.0.0.1", user_agent="t"
        ),
        "axes_accessfailurelog": lambda: AccessFailureLog.objects.create(
            username="owner", ip_address="10.0.0.1", user_agent="t"
        ),
        "django_tasks_database_dbtaskresult": lambda: _task_result(),
    }
    return objects[model]()


def _forum(world: World) -> Forum:
    return Forum.objects.get_or_create(
        workspace=world.workspace,
        name="Northgate Board",
        defaults={"kind": "icb_board", "tier": "system"},
    )[0]


def _invitation(world: World):
    from datetime import timedelta

    from django.utils import timezone

    from stakeholders.models import Invitation

    return Invitation.objects.create(
        workspace=world.workspace,
        email="invitee@example.nhs.uk",
        token_hash="0" * 64,
        invited_by=world.users["owner"],
        expires_at=timezone.now() + timedelta(days=7),
    )


def _group():
    from django.contrib.auth.models import Group

    return Group.objects.get_or_create(name="Data team")[0]


class _Missing:
    pk = 999_999


def _task_result():
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.order_by("pk").first() or _Missing()


def build_url(route: Route, world: World) -> str:
    kwargs: dict[str, object] = {}
    args: list[object] = []
    model = None
    match = re.match(
        r"^admin:(?P<model>[a-z_]+?)_(?:changelist|add|change|delete|history|simple_history|password_change)$",
        route.key,
    )
    if match:
        model = match["model"]
    unnamed = re.fullmatch(r"admin/(\w+)/(\w+)/<path:object_id>/", route.key)
    if unnamed:
        model = f"{unnamed[1]}_{unnamed[2]}"
    if route.key == "admin:auth_user_password_change":
        model = "auth_user"
    if route.key == "admin:view_on_site":
        content_type = ContentType.objects.get_for_model(Workspace)
        return reverse(route.name, args=[content_type.pk, world.workspace.pk])
    for param in route.params:
        if param == "slug":
            kwargs[param] = world.workspace.slug
        elif param == "pk":
            if "organisation" in (route.name or ""):
                kwargs[param] = world.organisation.pk
            elif "member" in (route.name or ""):
                kwargs[param] = world.membership.pk
            elif "survey" in (route.name or ""):
                kwargs[param] = world.survey.pk
            else:
                kwargs[param] = world.person.pk
        elif param == "answer_pk":
            kwargs[param] = world.answer.pk
        elif param == "token":
            kwargs[param] = world.preview.token
        elif param == "kind":
            kwargs[param] = "brokers" if route.name == "stakeholders:export_notes" else "people"
        elif param == "format":
            kwargs[param] = "gexf"
        elif param in ("object_id", "id"):
            kwargs[param] = _admin_object(world, model).pk
        elif param == "app_label":
            kwargs[param] = "stakeholders"
        elif param == "content_type_id":
            kwargs[param] = ContentType.objects.get_for_model(Workspace).pk
        elif param == "uidb64":
            kwargs[param] = "MQ"
        elif param == "url":
            kwargs[param] = "no-such-page/"
        else:
            raise AssertionError(f"No value for URL parameter {param!r} in {route.key}")
    if route.positional:
        # simple_history's page for one historical version: (object id, history id).
        obj = _admin_object(world, model)
        version = type(obj).history.filter(id=obj.pk).order_by("history_id").first()
        args = [obj.pk, version.history_id]
        return reverse(route.name, args=args)
    if route.name is None:
        if "(?P<url>" in route.route:
            return "/admin/no-such-page/"
        return f"/admin/{unnamed[1]}/{unnamed[2]}/{kwargs['object_id']}/"
    return reverse(route.name, kwargs=kwargs)


def client_for(world: World, visitor: str) -> Client:
    client = Client(raise_request_exception=False)
    if visitor != "anon":
        client.force_login(world.users[visitor])
    return client


def outcome(response) -> object:
    if response.status_code == 302:
        location = response["Location"]
        if location.startswith(reverse("login")):
            return LOGIN
        if location.startswith(reverse("admin:login")):
            return ADMIN_LOGIN
        if location == reverse("admin:index"):
            return ADMIN_INDEX
    return response.status_code


def _body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


@pytest.mark.parametrize("visitor", VISITORS)
def test_get_every_url(world, visitor):
    client = client_for(world, visitor)
    wrong = []
    for route in routes():
        expected = expectation(route)
        if expected is None:
            continue  # reported by test_every_url_has_an_expectation
        url = build_url(route, world)
        response = client.get(url)
        got = outcome(response)
        want = expected[visitor]
        if got != want:
            wrong.append(f"{route.key} {url}: expected {want}, got {got}")
            continue
        if visitor == "outsider" or (visitor == "anon" and response.status_code != 200):
            body = _body(response)
            leaked = [word for word in SECRET_WORDS if word in body]
            if leaked:
                wrong.append(f"{route.key} {url}: shows {leaked} to {visitor}")
    assert not wrong, "\n".join(wrong)


# Writes: every URL, POSTed by those who may change nothing, changes nothing.


def _counts() -> dict[str, int]:
    models = [Workspace, Membership, Organisation, Person, Affiliation, Relationship]
    counts = {m.__name__: m.objects.count() for m in models}
    counts["roles"] = hash(tuple(Membership.objects.order_by("pk").values_list("pk", "role")))
    counts["names"] = hash(
        tuple(Person.objects.order_by("pk").values_list("pk", "name", "version"))
    )
    counts["orgs"] = hash(
        tuple(Organisation.objects.order_by("pk").values_list("pk", "name", "version"))
    )
    counts["workspace"] = hash(
        tuple(Workspace.objects.order_by("pk").values_list("pk", "name", "slug"))
    )
    counts["users"] = hash(
        tuple(get_user_model().objects.order_by("pk").values_list("pk", "is_staff", "password"))
    )
    return counts


# What a POST may answer to those who may not write: refused, not found, not allowed,
# sent to log in, or a read (a search posts its term; the login form re-shows itself).
REFUSALS = {LOGIN, ADMIN_LOGIN, ADMIN_INDEX, 400, 403, 404, 405}
POST_READS = {
    "stakeholders:workspace_detail",
    "stakeholders:scenario_leaves",  # the what-if picker posts its search term
    "login",
    "admin:login",
    "admin:jsi18n",
    # Forms that answer a bad POST with the form again (a reset link that does not
    # work shows that page); nothing changes.
    "password_reset",
    "password_reset_confirm",
    "password_change",
}
# Any signed-in user may create a workspace of their own (tests/members/test_workspace_new.py);
# it touches nobody else's.
POST_CREATES_OWN = {"stakeholders:workspace_new"}
# One's own two-factor set-up and login code step touch nobody else (tests/accounts/).
POST_CREATES_OWN |= {
    "login_code",
    "account_two_factor_start",
    "account_two_factor_setup",
    "account_two_factor_off",
    "account_recovery_codes",
}


@pytest.mark.parametrize("visitor", ["anon", "outsider", "viewer"])
def test_post_to_every_url_changes_nothing(world, visitor):
    client = client_for(world, visitor)
    before = _counts()
    wrong = []
    for route in routes():
        if expectation(route) is None or route.key in ("logout", "admin:logout"):
            continue
        if route.key in POST_CREATES_OWN and visitor != "anon":
            continue
        url = build_url(route, world)
        data = {
            "post": "yes",
            "role": "owner",
            "identifier": visitor,
            "name": "Changed",
            "confirm": "yes",
            "retention_months": "1",
        }
        response = client.post(url, data)
        got = outcome(response)
        if route.key in POST_READS:
            continue
        # Admin forms and lists answer a bad POST with the page again: the counts
        # below show that nothing changed. Pages for one of A's objects must refuse.
        is_admin = route.key.startswith("admin")
        if is_admin and (
            route.key == "admin:password_change"
            or not re.search(r"_(change|delete|history)$", route.key)
        ):
            continue
        if got not in REFUSALS:
            wrong.append(f"{route.key} {url}: {visitor} POST got {got}")
        elif (
            visitor == "outsider"
            and route.key.startswith("stakeholders:")
            and got
            not in (
                404,
                405,
            )
        ):
            wrong.append(f"{route.key} {url}: outsider POST got {got}, not 404")
    assert _counts() == before
    assert not wrong, "\n".join(wrong)


def test_outsiders_admin_changelists_show_no_rows_of_workspace_a(world):
    client = client_for(world, "outsider")
    for model in ("workspace", "organisation", "person", "affiliation", "relationship"):
        response = client.get(reverse(f"admin:stakeholders_{model}_changelist"))
        assert response.status_code == 200
        body = response.content.decode()
        assert not [w for w in [*SECRET_WORDS, "North Fenwick"] if w in body], model
        # Searching for A's rows by name finds nothing either (the page may echo the term).
        found = client.get(
            reverse(f"admin:stakeholders_{model}_changelist"), {"q": "Zebedee"}
        ).content.decode()
        assert "NZ001" not in found
        assert "Northgate Hospital" not in found


def test_admin_hides_a_objects_exactly_as_missing_ones(world):
    """A hidden object and an id that does not exist get the same answer: no probing."""
    client = client_for(world, "outsider")
    for model, obj in (("person", world.person), ("organisation", world.organisation)):
        for action in ("change", "delete", "history"):
            hidden = client.get(reverse(f"admin:stakeholders_{model}_{action}", args=[obj.pk]))
            missing = client.get(reverse(f"admin:stakeholders_{model}_{action}", args=[999_999]))
            assert outcome(hidden) == outcome(missing), (model, action)


def test_other_workspaces_objects_answer_404_on_every_workspace_page(world):
    """Member of A, but asking for A's slug with B's object ids: 404, never 403."""
    b = Workspace.objects.get(slug="south-moor")
    southern = Person.objects.get(workspace=b)
    client = client_for(world, "owner")
    for name in (
        "person_detail",
        "map_person",
        "person_changes",
        "person_subject_access",
        "person_erase",
    ):
        url = reverse(
            f"stakeholders:{name}", kwargs={"slug": world.workspace.slug, "pk": southern.pk}
        )
        response = client.get(url)
        assert response.status_code == 404, name
        assert "Southern Person" not in _body(response)
