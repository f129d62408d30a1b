"""A score run whose worker is killed midway (SIGKILL) leaves the last good scores in place.

The worker is a real separate process over a file-based SQLite database: it saves a
change, whose recompute starts, writes its "running" row and then stalls in the
analysis until the test kills it. Other processes then see that no worker is behind the
run, record it as failed, and the next change scores successfully.
"""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

SETUP = """
from django.core.management import call_command
call_command("migrate", verbosity=0)
from stakeholders import selectors
from tests.factories import (
    AffiliationFactory, OrganisationFactory, PersonFactory, RelationshipFactory,
    WorkspaceFactory,
)
workspace = WorkspaceFactory(slug="north")
orgs = [OrganisationFactory(workspace=workspace) for _ in range(3)]
people = [PersonFactory(workspace=workspace) for _ in range(9)]
for i, person in enumerate(people):
    AffiliationFactory(person=person, organisation=orgs[i % 3])
for a, b in zip(people, people[1:]):
    RelationshipFactory(source=a, target=b)
# Every save above scored the workspace at once (immediate task backend).
good = selectors.current_run(workspace_id=workspace.pk)
result = {"workspace": workspace.pk, "good": good.pk, "status": good.status,
          "people": [p.pk for p in people]}
"""

# The worker: its analysis signals that it has started, then stalls until killed.
WORKER = """
import time
from pathlib import Path
from stakeholders import analysis
from stakeholders.models import Person
from tests.factories import RelationshipFactory

def stall(**kwargs):
    Path(MARKER).write_text("analysing")
    time.sleep(600)

analysis.analyse = stall
people = list(Person.objects.order_by("pk"))
RelationshipFactory(source=people[-1], target=people[0], kind="trusts")  # rescores on commit
result = {"finished": True}
"""

CHECK = """
from stakeholders import leases, score_runs
from stakeholders.models import RunStatus, ScoreRun
running = ScoreRun.objects.get(status=RunStatus.RUNNING)
result = {
    "run": running.pk,
    "is_running": leases.run_is_running(running),
    "reaped": score_runs.score_runs_reap(workspace_id=running.workspace_id),
    "status": ScoreRun.objects.get(pk=running.pk).status,
}
"""

AFTER_KILL = """
from stakeholders import leases, score_runs, selectors
from stakeholders.models import Person, PersonScore, RunStatus, ScoreRun
from tests.factories import RelationshipFactory

dead = ScoreRun.objects.get(status=RunStatus.RUNNING)
workspace_id = dead.workspace_id
result = {"dead": dead.pk, "is_running": leases.run_is_running(dead)}
result["current_before"] = selectors.current_run(workspace_id=workspace_id).pk
result["reaped"] = score_runs.score_runs_reap(workspace_id=workspace_id)
dead.refresh_from_db()
result["dead_status"], result["dead_error"] = dead.status, dead.error
result["current_after_reap"] = selectors.current_run(workspace_id=workspace_id).pk

# The next change retries: its recompute includes the change the killed run was scoring.
people = list(Person.objects.order_by("pk"))
RelationshipFactory(source=people[0], target=people[4], kind="influences")
current = selectors.current_run(workspace_id=workspace_id)
result["retried"] = current.pk
result["retried_relationships"] = current.relationships_count
result["retried_people_scored"] = PersonScore.objects.filter(
    run=current, boundary="organisation").count()
result["runs"] = sorted(ScoreRun.objects.values_list("pk", "status"))
"""


def _env(database: Path) -> dict[str, str]:
    return os.environ | {
        "DATABASE_URL": f"sqlite:///{database}",
        "DJANGO_SETTINGS_MODULE": "influence_map.settings",
        "SECRET_KEY": "t",
        "SECURE_SSL_REDIRECT": "false",
        "PLAIN_STATIC": "true",
        "TASKS_BACKEND": "django.tasks.backends.immediate.ImmediateBackend",
        "LOG_LEVEL": "ERROR",
    }


def _script(body: str, **constants) -> str:
    head = "".join(f"{name} = {value!r}\n" for name, value in constants.items())
    return (
        "import json, django\ndjango.setup()\n"
        + head
        + textwrap.dedent(body)
        + "\nprint('RESULT ' + json.dumps(result))\n"
    )


def _run(database: Path, body: str, **constants) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", _script(body, **constants)],
        cwd=ROOT,
        env=_env(database),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    line = next(x for x in done.stdout.splitlines() if x.startswith("RESULT "))
    return json.loads(line.removeprefix("RESULT "))


def _wait_for(predicate, what: str, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.1)


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL and flock are POSIX")
def test_killed_run_is_recorded_as_failed_and_the_next_change_rescores(tmp_path):
    database = tmp_path / "killed.sqlite3"
    marker = tmp_path / "analysing"
    setup = _run(database, SETUP)
    assert setup["status"] == "succeeded"

    worker = subprocess.Popen(
        [sys.executable, "-c", _script(WORKER, MARKER=str(marker))],
        cwd=ROOT,
        env=_env(database),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _wait_for(lambda: marker.exists() or worker.poll() is not None, "the worker to stall")
        assert worker.poll() is None, worker.stderr.read()[-3000:]
        with sqlite3.connect(database) as db:
            running = db.execute(
                "SELECT id FROM stakeholders_scorerun WHERE status = 'running'"
            ).fetchall()
        assert len(running) == 1

        # While the worker lives, nobody takes its run for dead.
        alive = _run(database, CHECK)
        assert alive == {
            "run": running[0][0],
            "is_running": True,
            "reaped": [],
            "status": "running",
        }

        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    assert worker.returncode == -signal.SIGKILL

    after = _run(database, AFTER_KILL)

    dead = after["dead"]
    assert after["is_running"] is False  # the status line stops saying "recomputing"
    assert after["current_before"] == setup["good"]  # last good scores still shown
    assert after["reaped"] == [dead]
    assert after["dead_status"] == "failed"
    assert after["dead_error"].startswith("The worker stopped before finishing")
    assert after["current_after_reap"] == setup["good"]
    # 8 ties from setup, the killed run's change and the new one.
    assert after["retried"] not in {setup["good"], dead}
    assert after["retried_relationships"] == 10
    assert after["retried_people_scored"] == 9
    statuses = dict(after["runs"])
    assert statuses[dead] == "failed" and statuses[after["retried"]] == "succeeded"
    assert "running" not in statuses.values()
    assert not list(tmp_path.glob("*.lock")), "the dead run's lease file is cleaned up"
