"""The task worker outlives lost database connections and catches the scores up by itself.

A real `manage.py db_worker` runs as a subprocess on the test database. Its analysis
stalls once, so its connection can be killed mid-task (as a PostgreSQL restart kills
it). Then, after a change whose recompute was never queued, its connection is killed
while it idles and the database refuses connections for a few seconds. Each time it
reconnects, marks what was cut off as failed and brings the scores up to date with no
further edit, without waiting for its periodic check. PostgreSQL only: it kills and
refuses server connections.
"""

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import psycopg2
import pytest
from django.db import connection
from django.tasks import TaskResultStatus
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from stakeholders import leases, recovery, selectors
from stakeholders.models import Relationship, RunStatus, ScoreRun
from tests.factories import (
    AffiliationFactory,
    OrganisationFactory,
    PersonFactory,
    RelationshipFactory,
)

ROOT = Path(__file__).resolve().parent.parent
DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# The worker: its first analysis after STALL appears waits for GO (or a minute).
WORKER = """
import time
from pathlib import Path

import django

django.setup()
from django.core.management import call_command

from stakeholders import analysis

real = analysis.analyse


def analyse(**kwargs):
    stall = Path(STALL)
    if stall.exists():
        stall.unlink()
        Path(STALLED).write_text("analysing")
        deadline = time.monotonic() + 60
        while not Path(GO).exists() and time.monotonic() < deadline:
            time.sleep(0.05)
    return real(**kwargs)


analysis.analyse = analyse
call_command(
    "db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.2",
    "--catch-up-interval", "600",
)
"""

pytestmark = [
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="kills PostgreSQL connections",
    ),
    pytest.mark.skipif(os.name != "posix", reason="a worker subprocess"),
]


def _database_url() -> str:
    s = connection.settings_dict
    password = f":{s['PASSWORD']}" if s["PASSWORD"] else ""
    return f"postgres://{s['USER']}{password}@{s['HOST']}:{s['PORT'] or 5432}/{s['NAME']}"


def _kill_other_connections() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return len(cursor.fetchall())


def _wait_for(predicate, what: str, worker: subprocess.Popen, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if worker.poll() is not None:
            pytest.fail(f"the worker exited ({worker.returncode}) waiting for {what}")
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.1)


def _up_to_date(workspace_id: int) -> bool:
    current = selectors.current_run(workspace_id=workspace_id)
    fingerprint, _ = recovery.data_fingerprint(workspace_id=workspace_id)
    return current is not None and current.fingerprint == fingerprint


def _allow_connections(allow: bool) -> None:
    # From another database: PostgreSQL will not close the one a session is connected to.
    s = connection.settings_dict
    other = psycopg2.connect(
        dbname="postgres",
        user=s["USER"],
        password=s["PASSWORD"] or None,
        host=s["HOST"],
        port=s["PORT"] or 5432,
    )
    other.autocommit = True
    try:
        with other.cursor() as cursor:
            name = connection.ops.quote_name(s["NAME"])
            cursor.execute(f"ALTER DATABASE {name} ALLOW_CONNECTIONS {str(allow).lower()}")
    finally:
        other.close()


def _idle() -> bool:
    running = DBTaskResult.objects.filter(
        status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING]
    )
    return not running.exists() and not ScoreRun.objects.filter(status=RunStatus.RUNNING).exists()


@pytest.mark.django_db(transaction=True)
def test_the_worker_outlives_killed_connections_and_catches_up(workspace, tmp_path):
    orgs = [OrganisationFactory(workspace=workspace) for _ in range(3)]
    people = [PersonFactory(workspace=workspace) for _ in range(9)]
    for i, person in enumerate(people):
        AffiliationFactory(person=person, organisation=orgs[i % 3])
    for a, b in zip(people, people[1:], strict=False):
        RelationshipFactory(source=a, target=b)
    # Each save above scored the workspace at once (immediate backend, autocommit).
    assert selectors.current_run(workspace_id=workspace.pk) is not None

    stall, stalled, go = tmp_path / "stall", tmp_path / "stalled", tmp_path / "go"
    log_path = tmp_path / "worker.log"
    script = "".join(
        f"{name} = {str(path)!r}\n"
        for name, path in (("STALL", stall), ("STALLED", stalled), ("GO", go))
    ) + textwrap.dedent(WORKER)
    log = log_path.open("w")
    worker = subprocess.Popen(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=os.environ
        | {
            "DATABASE_URL": _database_url(),
            "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
            "DJANGO_SETTINGS_MODULE": "influence_map.settings",
            "LOG_LEVEL": "WARNING",
        },
        stdout=log,
        stderr=subprocess.STDOUT,
    )

    def database_errors() -> int:
        return log_path.read_text().count("Database error")

    def change_and_cut_off(kind: str, *, refuse: bool) -> tuple[DBTaskResult, ScoreRun]:
        """A change, its recompute's connection killed mid-analysis; returns both."""
        go.unlink(missing_ok=True)
        stalled.unlink(missing_ok=True)
        stall.touch()
        with override_settings(TASKS=DATABASE_QUEUE):
            RelationshipFactory(source=people[-1], target=people[0], kind=kind)
        _wait_for(stalled.exists, "the worker to start scoring", worker)
        [task] = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING)
        [run] = ScoreRun.objects.filter(status=RunStatus.RUNNING)
        errors = database_errors()
        if refuse:
            _allow_connections(False)
        try:
            assert _kill_other_connections() >= 1
            go.touch()
            if refuse:
                _wait_for(lambda: database_errors() > errors, "a database error", worker)
        finally:
            _allow_connections(True)
        _wait_for(lambda: _up_to_date(workspace.pk), "the scores to catch up", worker)
        _wait_for(_idle, "the queue to empty", worker)
        task.refresh_from_db()
        run.refresh_from_db()
        assert run.status == RunStatus.FAILED and leases.failure_is_transient(run.error)
        current = selectors.current_run(workspace_id=workspace.pk)
        assert current.created_at > run.created_at
        return task, run

    try:
        # 1. Killed mid-task, the database straight back: the task records the failure
        # on its run and finishes; the worker notices the new connection and catches up.
        task, run = change_and_cut_off("trusts", refuse=False)
        assert task.status == TaskResultStatus.SUCCESSFUL
        assert run.error.startswith(("OperationalError", "InterfaceError"))

        # 2. Killed mid-task and refused for a while: nothing can be recorded until the
        # worker is back, which then marks the task and its run failed and catches up.
        task, run = change_and_cut_off("influences", refuse=True)
        assert task.status == TaskResultStatus.FAILED
        assert task.exception_class_path == "stakeholders.recovery.WorkerStopped"
        assert run.error == leases.WORKER_STOPPED

        # 3. A change whose recompute was never queued; the connection dies while the
        # worker idles, and the database refuses connections for four seconds.
        Relationship.objects.filter(source=people[0], target=people[1]).update(strength=1)
        errors = database_errors()
        _allow_connections(False)
        try:
            _kill_other_connections()
            time.sleep(4)
            assert not _up_to_date(workspace.pk)
        finally:
            _allow_connections(True)
        _wait_for(lambda: _up_to_date(workspace.pk), "the catch-up after the outage", worker)
        _wait_for(_idle, "the queue to empty", worker)
        assert database_errors() > errors
        assert worker.poll() is None
        assert selectors.current_run(workspace_id=workspace.pk).relationships_count == 10
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
        log.close()
