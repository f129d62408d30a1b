"""Quick start-up (#16): commands and web workers import only what they use.

Each test starts a fresh process, as a command or a worker starts, and looks at what
it imported. bench/__main__.py times the same start-ups.
"""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ENV = {"PATH": "/usr/bin:/bin", "SECRET_KEY": "x", "DEBUG": "false"}
# What the pages never need at start: numerical libraries and spreadsheets.
HEAVY = ("numpy", "scipy", "networkx", "numba", "openpyxl")
# What a score run does not need at start: the pages, spreadsheets, networkx (only a
# Kamada-Kawai layout of a few organisations uses it) and the parts of scipy the
# analysis once loaded for a single function each.
NOT_FOR_SCORING = (
    "stakeholders.urls",
    "openpyxl",
    "networkx",
    "scipy.linalg",
    "scipy.optimize",
    "scipy.sparse.csgraph",
    "scipy.sparse.linalg",
    "scipy.spatial",
    "scipy.stats",
)

# `manage.py check`, as manage.py runs it, then the modules it loaded. (-X importtime
# would miss those that Django loads with importlib.import_module: the URL confs, the
# admin, the command itself.)
CHECK_SCRIPT = """
import json, os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "influence_map.settings")
from django.core.management import execute_from_command_line

execute_from_command_line(["manage.py", "check"])
print(json.dumps(sorted(sys.modules)))
"""
# The score command up to the moment its handle() would start work, system checks
# included; then the modules loaded so far, and no database touched.
READY_SCRIPT = """
import json, os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "influence_map.settings")
import django.core.management as management

load_command_class = management.load_command_class


def load(app_name, name):
    command = load_command_class(app_name, name)

    def handle(*args, **options):
        print(json.dumps(sorted(sys.modules)))

    command.handle = handle
    return command


management.load_command_class = load
management.execute_from_command_line(["manage.py", "score", "--workspace", "none"])
"""


def _run(args: list[str]) -> subprocess.CompletedProcess:
    done = subprocess.run(
        [sys.executable, *args], cwd=ROOT, capture_output=True, text=True, check=False, env=ENV
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done


def _among(loaded: set[str], names: tuple[str, ...]) -> list[str]:
    """The names loaded, each a module or any of its submodules."""
    return [n for n in names if any(m == n or m.startswith(n + ".") for m in loaded)]


def test_manage_py_check_loads_the_url_conf_but_no_page_and_no_numerical_library():
    done = _run(["-c", CHECK_SCRIPT])
    assert "System check identified no issues" in done.stderr + done.stdout
    loaded = set(json.loads(done.stdout.splitlines()[-1]))
    # The check really did import the URL conf and the admin; the features' views wait
    # for requests (the sign-in views, class-based, load with the site's URL conf).
    assert {"stakeholders.urls", "stakeholders.admin"} <= loaded
    views = [m for m in loaded if m.startswith("stakeholders.") and m.endswith(".views")]
    assert views == ["stakeholders.accounts.views"]
    assert _among(loaded, HEAVY) == []


def test_the_score_command_is_ready_without_the_pages_or_what_it_may_not_use():
    loaded = set(json.loads(_run(["-c", READY_SCRIPT]).stdout.splitlines()[-1]))
    # Ready to work: the score run and its compiled analysis are loaded before handle().
    assert {"stakeholders.score_runs", "stakeholders.analysis.key_people", "numba"} <= loaded
    assert _among(loaded, NOT_FOR_SCORING) == []
    assert not [m for m in loaded if m.startswith("stakeholders.") and m.endswith(".views")]


def test_importing_the_whole_analysis_loads_only_scipy_sparse():
    # Every measure's module, as a score run's first analysis imports them. (numba's
    # first compiled call then loads scipy.linalg's BLAS itself: not ours to avoid.)
    script = (
        "import json, sys\n"
        "import stakeholders.analysis.engine, stakeholders.analysis.key_people\n"
        "import stakeholders.analysis.layout\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    loaded = set(json.loads(_run(["-c", script]).stdout.splitlines()[-1]))
    assert "scipy.sparse" in loaded
    assert _among(loaded, NOT_FOR_SCORING) == []


def test_a_web_worker_examines_young_objects_less_often():
    """stakeholders.apps.GC_YOUNG: big pages read 150,000 rows as tuples per request."""
    script = (
        "import gc, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'influence_map.settings');"
        "import influence_map.wsgi; print(list(gc.get_threshold()))"
    )
    default = json.loads(_run(["-c", "import gc; print(list(gc.get_threshold()))"]).stdout)
    worker = json.loads(_run(["-c", script]).stdout)
    assert worker == [10_000, *default[1:]]
