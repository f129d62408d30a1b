"""The layering the pages rely on: a web process never loads the analysis engine."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# openpyxl (which loads numpy) is for reading and writing workbooks, when a page asks.
HEAVY = (
    "numba",
    "scipy",
    "networkx",
    "numpy",
    "openpyxl",
    "stakeholders.score_runs",
    "stakeholders.analysis.engine",
)


def _modules_loaded_by(code: str) -> set[str]:
    script = (
        "import json, os, sys\n"
        "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'influence_map.settings')\n"
        "import django\n"
        "django.setup()\n"
        f"{code}\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env={"PATH": "/usr/bin:/bin", "DEBUG": "true"},
    )
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout.splitlines()[-1]))


# The URL confs, then every view they name, as a web worker that has served every
# page has them (stakeholders/urls.py imports a feature's views on their first
# request); a view the URL conf names but its module lacks fails here.
EVERY_PAGE = """
import influence_map.urls
from importlib import import_module
from stakeholders.urls import urlpatterns

for pattern in urlpatterns:
    view = pattern.callback
    assert callable(getattr(import_module(view.__module__), view.__name__, None)), pattern.name
"""


def test_no_page_imports_numba_or_the_score_run():
    loaded = _modules_loaded_by(EVERY_PAGE)
    assert "stakeholders.dashboard.views" in loaded  # the pages really were imported
    assert "stakeholders.surveys.respondent" in loaded
    assert not [name for name in HEAVY if name in loaded]


def test_the_data_entry_admin_stays_light_too():
    loaded = _modules_loaded_by("import stakeholders.admin")
    assert not [name for name in HEAVY if name in loaded]


def test_the_background_task_keeps_the_import_path_queued_tasks_store():
    # django-tasks-db stores this path with every queued task: moving it strands them.
    from stakeholders.tasks import rescore

    assert rescore.module_path == "stakeholders.tasks.rescore"
