"""Start-up (#16): how long a command takes before it can work, in fresh processes.

`manage.py check` is timed from start to exit: it loads settings, the apps, the admin
and the URL conf, as a web worker does (each feature's views wait for their first
request, stakeholders/urls.py). The score command is
timed from the start of its process to the moment its handle() would begin work
(system checks and every module it imports at start included); a stand-in handle()
reports the time and stops there, so the database is not touched.

The project's own modules are byte-compiled first, as the install and update steps
in the README do on a server: there the code is read-only to the service, so Python
could not cache them itself, and a shell with PYTHONDONTWRITEBYTECODE set (as on
this machine) never does; compiling about 120 modules from source would add some
0.18 s to every process.
"""

import compileall
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNS = 5
CHECK_TARGET_S = 0.6
SCORE_READY_TARGET_S = 0.8

# argv[1]: the parent's time.time() just before it started this process.
SCORE_READY = """
import os, sys, time
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "influence_map.settings")
import django.core.management as management

started = float(sys.argv[1])
load_command_class = management.load_command_class


def load(app_name, name):
    command = load_command_class(app_name, name)

    def handle(*args, **options):
        print(time.time() - started)

    command.handle = handle
    return command


management.load_command_class = load
management.execute_from_command_line(["manage.py", "score", "--workspace", "bench-ready"])
"""


def _check_seconds(env: dict) -> float:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "check"],
        env=env, cwd=ROOT, check=True, capture_output=True,
    )  # fmt: skip
    return time.perf_counter() - started


def _score_ready_seconds(env: dict) -> float:
    done = subprocess.run(
        [sys.executable, "-c", SCORE_READY, repr(time.time())],
        env=env, cwd=ROOT, check=True, capture_output=True, text=True,
    )  # fmt: skip
    return float(done.stdout.strip().splitlines()[-1])


def time_startup(env: dict) -> None:
    """Print the median of RUNS fresh processes for each, beside its target."""
    for package in ("influence_map", "stakeholders"):
        compileall.compile_dir(ROOT / package, quiet=1)
    check = statistics.median(_check_seconds(env) for _ in range(RUNS))
    ready = statistics.median(_score_ready_seconds(env) for _ in range(RUNS))
    print(
        f"Start-up, median of {RUNS} fresh processes: manage.py check {check:.2f} s "
        f"(target under {CHECK_TARGET_S} s); score command ready to work {ready:.2f} s "
        f"(target under {SCORE_READY_TARGET_S} s)",
        flush=True,
    )
