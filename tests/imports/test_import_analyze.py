"""A bulk import refreshes PostgreSQL's planner statistics of the tables it filled."""

import re
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from stakeholders.imports import bundle

GOOD = Path(__file__).parent / "fixtures" / "bundle_good"

# The import's statements run on commit: the test must really commit.
pytestmark = pytest.mark.django_db(transaction=True)


def _import() -> list[str]:
    """Import the good bundle; the ANALYZE statements it ran."""
    files = {path.name: path.read_bytes() for path in sorted(GOOD.glob("*.csv"))}
    with CaptureQueriesContext(connection) as queries:
        plan = bundle.bundle_import(workspace_slug="fenwick", files=files)
    assert plan.ok, plan.errors
    return [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith("ANALYZE")]


def _estimated_rows(table: str) -> float:
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [table])
        return cursor.fetchone()[0]


def test_a_large_import_analyzes_the_tables_it_filled_on_postgresql(monkeypatch):
    # 5 organisations, 5 people, 7 affiliations and 5 relationships: all "large" here.
    monkeypatch.setattr(bundle, "ANALYZE_AFTER_ROWS", 5)

    analyzed = _import()

    if connection.vendor != "postgresql":
        assert analyzed == []  # SQLite keeps no statistics to refresh
        return
    [statement] = analyzed
    tables = set(re.findall(r'"(\w+)"', statement))
    assert tables == {
        f"stakeholders_{prefix}{name}"
        for name in ("organisation", "person", "affiliation", "relationship")
        for prefix in ("", "historical")
    }
    # The statistics now count what the import wrote (a fresh table counts -1 or 0).
    assert _estimated_rows("stakeholders_person") == 5
    assert _estimated_rows("stakeholders_relationship") == 5


def test_a_small_import_leaves_the_statistics_to_autovacuum():
    assert _import() == []
