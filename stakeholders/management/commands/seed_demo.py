"""`manage.py seed_demo`: the demo workspace, synthetic workspaces and the demo user.

Without options it builds the curated North Fenwick demo (stakeholders.demo) in the
workspace `demo`, makes sure the user `demo` exists as an editor of it, and queues
a score run. With `--people N [--seed S]` it builds a synthetic workspace
`synthetic-N` of the same shape for benchmarks; the demo user, if it exists,
becomes an editor there too so that benchmark pages can be opened.

Idempotent: a workspace that already holds data is left alone unless `--reset`
is given, which deletes and rebuilds that one workspace only. Everything happens
in one transaction: nothing is half-written.

Rows are built in memory and inserted in batches. The curated demo is written
with `bulk_create_with_history`, so every row has its "created" history record.
Synthetic workspaces are written without history records and reset without
per-row delete signals. Measured at 20,000 people on a shared two-core machine,
history records take the write from 15-20s to 35-75s (SQLite 46s and PostgreSQL
34s when lightly loaded), which misses the one-minute budget under load, and
per-row deletes take minutes; benchmark data needs no audit trail.
"""

import datetime
import os
import secrets
import time
from argparse import ArgumentParser, ArgumentTypeError

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, Permission
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.core.validators import validate_slug
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from stakeholders import demo
from stakeholders.management.output import OutputCommand
from stakeholders.models import (
    Affiliation,
    Forum,
    ForumMembership,
    Membership,
    Organisation,
    Person,
    Relationship,
    Role,
    Workspace,
)
from stakeholders.services import data_stamp_move, workspace_data_changed
from stakeholders.snapshots.services import snapshot_create

DEMO_USERNAME = "demo"
BATCH_SIZE = 500
CHANGE_REASON = "seed_demo"
# The demo user edits data in the admin: these models, never workspaces or members.
DATA_ENTRY_MODELS = (
    "organisation",
    "person",
    "affiliation",
    "relationship",
    "forum",
    "forummembership",
)


def _people_count(value: str) -> int:
    try:
        people = int(value)
    except ValueError:
        raise ArgumentTypeError(f"must be a whole number, not {value!r}") from None
    if not demo.MIN_SYNTHETIC_PEOPLE <= people <= demo.MAX_SYNTHETIC_PEOPLE:
        raise ArgumentTypeError(
            f"must be between {demo.MIN_SYNTHETIC_PEOPLE} and {demo.MAX_SYNTHETIC_PEOPLE:,}, "
            f"not {people}"
        )
    return people


def _slug(value: str) -> str:
    try:
        validate_slug(value)
    except ValidationError:
        raise ArgumentTypeError(
            f"{value!r} is not a slug (letters, digits, hyphens and underscores only)"
        ) from None
    if len(value) > Workspace._meta.get_field("slug").max_length:
        raise ArgumentTypeError(f"{value!r} is longer than 60 characters")
    return value


class Command(OutputCommand):
    help = (
        "Build the demo workspace 'demo' and the user 'demo' (editor), or with --people a "
        "synthetic workspace for benchmarks. Does nothing if the workspace already has data."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--people",
            type=_people_count,
            help="Build a synthetic workspace of this many people instead of the curated demo.",
        )
        parser.add_argument(
            "--seed",
            type=int,
            help="Random seed for --people (default 1); the same people and seed give the "
            "same workspace.",
        )
        parser.add_argument(
            "--workspace",
            type=_slug,
            help="Slug of the workspace to build (default: demo, or synthetic-N with --people).",
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Delete this one workspace first and build it again.",
        )
        parser.add_argument(
            "--score",
            action="store_true",
            help="With --people: also queue a score run (with the default in-process task "
            "backend it runs at once, which takes minutes for large N).",
        )

    def handle(self, *args, **options) -> None:
        people = options["people"]
        synthetic = people is not None
        if options["seed"] is not None and not synthetic:
            raise CommandError("--seed only applies with --people (the curated demo is fixed).")
        if options["score"] and not synthetic:
            raise CommandError("--score only applies with --people (the demo is always scored).")
        seed = 1 if options["seed"] is None else options["seed"]
        slug = options["workspace"] or (f"synthetic-{people}" if synthetic else demo.DEMO_SLUG)
        started = time.perf_counter()
        with transaction.atomic():
            workspace = Workspace.objects.select_for_update().filter(slug=slug).first()
            if workspace is not None and options["reset"]:
                if synthetic:
                    workspace_delete_without_history(workspace=workspace)
                else:
                    workspace.delete()
                self.stdout.write(f"Deleted workspace {slug!r}.")
                workspace = None
            if workspace is not None and _has_data(workspace):
                self.stdout.write(
                    f"Workspace {slug!r} ({workspace.name}) already has data: nothing changed. "
                    "Use --reset to delete and rebuild it."
                )
            else:
                dataset = (
                    demo.synthetic_dataset(people=people, seed=seed)
                    if synthetic
                    else demo.demo_dataset()
                )
                if workspace is None:
                    workspace = Workspace.objects.create(name=dataset.name, slug=slug)
                counts = workspace_populate(
                    workspace=workspace, dataset=dataset, history=not synthetic
                )
                self.stdout.write(
                    self.style.SUCCESS(
                        f"Built workspace {slug!r} ({workspace.name}): "
                        f"{counts['organisations']:,} organisations, {counts['people']:,} people, "
                        f"{counts['affiliations']:,} affiliations, "
                        f"{counts['relationships']:,} relationships "
                        f"in {time.perf_counter() - started:.1f}s"
                        + (" (no history records: benchmark data)." if synthetic else ".")
                    )
                )
                # Bulk inserts send no signals: queue the recompute ourselves.
                if not synthetic or options["score"]:
                    workspace_data_changed(workspace_id=workspace.pk)
                    self.stdout.write("Scores will be computed once this is saved.")
                else:
                    data_stamp_move(workspace_id=workspace.pk)
                if not synthetic:
                    # Something to compare with from the first day: the map a year ago.
                    year_ago = timezone.localdate() - datetime.timedelta(days=365)
                    snapshot_create(
                        workspace=workspace,
                        name=f"Partnership board, {year_ago:%B %Y}",
                        as_of=year_ago,
                    )
                elif not options["score"]:
                    self.stdout.write("Scores were not queued (add --score to queue them).")
            if synthetic:
                self._synthetic_member(workspace)
            else:
                self._demo_user(workspace)

    def _demo_user(self, workspace: Workspace) -> None:
        """Create the demo user if needed and make it an editor of the demo workspace."""
        env_password = os.environ.get("DEMO_PASSWORD", "")
        user = get_user_model().objects.filter(username=DEMO_USERNAME).first()
        login = f"Log in at {reverse('login')} as {DEMO_USERNAME!r}"
        if user is None:
            password = env_password or secrets.token_urlsafe(12)
            user = get_user_model().objects.create_user(
                username=DEMO_USERNAME, password=password, is_staff=True
            )
            if env_password:
                self.stdout.write(f"Created user {DEMO_USERNAME!r}. {login} with DEMO_PASSWORD.")
            else:
                self.stdout.write(
                    f"Created user {DEMO_USERNAME!r}. {login} with password: {password}\n"
                    "This password is shown once only; set DEMO_PASSWORD and run seed_demo "
                    "again to choose your own."
                )
        elif env_password and not user.check_password(env_password):
            user.set_password(env_password)
            user.save(update_fields=["password"])
            self.stdout.write(
                f"User {DEMO_USERNAME!r} exists; its password is now DEMO_PASSWORD. "
                f"{login} with DEMO_PASSWORD."
            )
        elif env_password:
            self.stdout.write(
                f"User {DEMO_USERNAME!r} exists and already uses DEMO_PASSWORD. "
                f"{login} with DEMO_PASSWORD."
            )
        else:
            self.stdout.write(
                f"User {DEMO_USERNAME!r} exists; its password is unchanged (set DEMO_PASSWORD "
                f"to replace it). {login} with the password printed when it was created."
            )
        # Every time: a demo user from an older version gains the newer record types.
        user.user_permissions.add(*_data_entry_permissions())
        # The owner, so members, retention, subject access and erasure can all be tried.
        self._ensure_member(user, workspace, Role.OWNER)
        self.stdout.write(
            f"The demo: {workspace.get_absolute_url()}   Data entry: {reverse('admin:index')}"
        )

    def _synthetic_member(self, workspace: Workspace) -> None:
        """Let the demo user, if there is one, open synthetic workspaces (benchmark pages)."""
        user = get_user_model().objects.filter(username=DEMO_USERNAME).first()
        if user is None:
            self.stdout.write(
                f"No user {DEMO_USERNAME!r} yet: run seed_demo without --people to create it, "
                "then again with --people to give it access here."
            )
            return
        self._ensure_member(user, workspace, Role.EDITOR)
        self.stdout.write(
            f"Log in as {DEMO_USERNAME!r} and open {workspace.get_absolute_url()} to see it."
        )

    def _ensure_member(self, user: AbstractBaseUser, workspace: Workspace, role: Role) -> None:
        """Give the user this role here, promoting an editor (an older seed_demo's default)."""
        membership, created = Membership.objects.get_or_create(
            user=user, workspace=workspace, defaults={"role": role}
        )
        name, slug = user.get_username(), workspace.slug
        if created:
            self.stdout.write(f"User {name!r} is now {_ROLE_NAMES[role]} of {slug!r}.")
        elif membership.role == Role.VIEWER:
            # Someone chose this role on purpose: leave it, but say why editing fails.
            self.stdout.write(
                f"User {name!r} stays a viewer of {slug!r} "
                "(an owner changed its role); it can read but not edit there."
            )
        elif role == Role.OWNER and membership.role == Role.EDITOR:
            membership.role = Role.OWNER
            membership.save(update_fields=["role"])
            self.stdout.write(f"User {name!r} is now the owner of {slug!r}.")


_ROLE_NAMES = {Role.OWNER: "the owner", Role.EDITOR: "an editor"}


def workspace_delete_without_history(*, workspace: Workspace) -> None:
    """Delete a synthetic workspace with a few set-based DELETEs.

    `Workspace.delete()` would load every row and send its delete signals (a history
    record and a rescore check each): minutes at 20,000 people. The four data tables
    are emptied with plain DELETEs; `delete()` then removes whatever else hangs off
    the workspace (memberships, score runs). Foreign keys are checked at commit.
    Forum seats and forums go first, as they point at people and organisations.
    """

    def column(model: type, field: str) -> str:
        return connection.ops.quote_name(model._meta.get_field(field).column)

    def table(model: type) -> str:
        return connection.ops.quote_name(model._meta.db_table)

    person_id, person_workspace = column(Person, "id"), column(Person, "workspace")
    people = f"SELECT {person_id} FROM {table(Person)} WHERE {person_workspace} = %s"
    forum_id, forum_workspace = column(Forum, "id"), column(Forum, "workspace")
    forums = f"SELECT {forum_id} FROM {table(Forum)} WHERE {forum_workspace} = %s"
    deletes = (
        (ForumMembership, f"{column(ForumMembership, 'forum')} IN ({forums}) "
                          f"OR {column(ForumMembership, 'person')} IN ({people})", 2),
        (Forum, f"{column(Forum, 'workspace')} = %s", 1),
        (Relationship, f"{column(Relationship, 'source')} IN ({people}) "
                       f"OR {column(Relationship, 'target')} IN ({people})", 2),
        (Affiliation, f"{column(Affiliation, 'person')} IN ({people})", 1),
        (Person, f"{column(Person, 'workspace')} = %s", 1),
        (Organisation, f"{column(Organisation, 'workspace')} = %s", 1),
    )  # fmt: skip
    with connection.cursor() as cursor:
        for model, where, params in deletes:
            cursor.execute(f"DELETE FROM {table(model)} WHERE {where}", [workspace.pk] * params)
    workspace.delete()


def _has_data(workspace: Workspace) -> bool:
    return (
        Organisation.objects.filter(workspace=workspace).exists()
        or Person.objects.filter(workspace=workspace).exists()
    )


def _data_entry_permissions() -> list[Permission]:
    return list(
        Permission.objects.filter(
            content_type__app_label="stakeholders", content_type__model__in=DATA_ENTRY_MODELS
        )
    )


def workspace_populate(
    *, workspace: Workspace, dataset: demo.Dataset, history: bool = True
) -> dict[str, int]:
    """Write a dataset's rows into an empty workspace, with history, in a fixed number of queries.

    Rows are built in memory first and inserted in batches; primary keys come back from
    the insert (RETURNING on PostgreSQL and SQLite), so no row is read back.
    """
    demo.validate(dataset)
    created = timezone.now()

    def insert(rows: list, model: type) -> list:
        if not history:
            return model.objects.bulk_create(rows, batch_size=BATCH_SIZE)
        return bulk_create_with_history(
            rows,
            model,
            batch_size=BATCH_SIZE,
            default_date=created,
            default_change_reason=CHANGE_REASON,
        )

    # Parents before children: each depth is one insert that can point at the last.
    by_name = {org.name: org for org in dataset.organisations}
    depth: dict[str, int] = {}
    for org in dataset.organisations:
        chain, node = 0, org.parent
        while node:
            chain, node = chain + 1, by_name[node].parent
        depth[org.name] = chain
    org_ids: dict[str, int] = {}
    for level in sorted(set(depth.values())):
        rows = [
            Organisation(
                workspace=workspace,
                name=org.name,
                short_name=org.short_name,
                kind=org.kind,
                sector=org.sector,
                tier=org.tier,
                parent_id=org_ids[org.parent] if org.parent else None,
                ods_code=org.ods_code,
            )
            for org in dataset.organisations
            if depth[org.name] == level
        ]
        for row in insert(rows, Organisation):
            org_ids[row.name] = row.pk

    people = insert(
        [
            Person(
                workspace=workspace,
                ref=p.ref,
                name=p.name,
                job_title=p.job_title,
                seniority=p.seniority,
                notes=p.notes,
                active=p.active,
            )
            for p in dataset.people
        ],
        Person,
    )
    person_ids = {p.ref: p.pk for p in people}

    insert(
        [
            Affiliation(
                person_id=person_ids[a.person_ref],
                organisation_id=org_ids[a.organisation],
                role_title=a.role_title,
                is_primary=a.is_primary,
                start_date=a.start_date,
                end_date=a.end_date,
            )
            for a in dataset.affiliations
        ],
        Affiliation,
    )
    insert(
        [
            Relationship(
                source_id=person_ids[r.source_ref],
                target_id=person_ids[r.target_ref],
                kind=r.kind,
                strength=r.strength,
                trust=r.trust,
                observed_on=r.observed_on,
                evidence=r.evidence,
                start_date=r.start_date,
                end_date=r.end_date,
            )
            for r in dataset.relationships
        ],
        Relationship,
    )
    forums = insert(
        [
            Forum(
                workspace=workspace,
                name=f.name,
                kind=f.kind,
                tier=f.tier,
                host_id=org_ids[f.host] if f.host else None,
            )
            for f in dataset.forums
        ],
        Forum,
    )
    forum_ids = {f.name: f.pk for f in forums}
    insert(
        [
            ForumMembership(
                forum_id=forum_ids[m.forum],
                person_id=person_ids[m.person_ref],
                seat=m.seat,
                start_date=m.start_date,
                end_date=m.end_date,
            )
            for m in dataset.forum_members
        ],
        ForumMembership,
    )
    return {
        "organisations": len(dataset.organisations),
        "people": len(dataset.people),
        "affiliations": len(dataset.affiliations),
        "relationships": len(dataset.relationships),
    }
