"""After the run: is every acknowledged write in the database? Print the figures; judge them.

`python -m loadtest.check --plan plan.json --results results.json` exits 1 when any
target is missed: an error, a lost write, or a read p95 of 500 ms or more.

A write is lost when it was answered with a redirect (saved) but the database does not
hold it: an added tie must exist with the values sent; a changed tie must hold the
values of the last successful write to it. Each editor changes its own ties
one write at a time, so "last" is unambiguous; a few contested ties are changed by every
editor, and there optimistic locking orders the saves by the version each was made from.
"""

import argparse
import datetime
import json
import os
import sys
from pathlib import Path

import django

FIELDS = ("strength", "trust", "evidence")


def expected_state(writes: list[dict]) -> tuple[dict[str, dict], dict[int, list[dict]]]:
    """Added ties by their unique evidence text; each changed tie's saves, in the order saved.

    With optimistic locking every save carries the version it was made from, and saves
    of one tie succeed in version order; without it, in the order they were answered.
    """
    added: dict[str, dict] = {}
    changed: dict[int, list[dict]] = {}
    for write in sorted(writes, key=lambda w: w["answered_at"]):
        if write["op"] == "add":
            added[write["evidence"]] = write
        else:
            changed.setdefault(write["pk"], []).append(write)
    for saves in changed.values():
        if all(w.get("loaded_version") is not None for w in saves):
            saves.sort(key=lambda w: w["loaded_version"])
    return added, changed


def lost_writes(
    writes: list[dict], added_rows: dict[str, dict], changed_rows: dict[int, dict]
) -> list[str]:
    """Why each acknowledged write is missing from the rows read back (empty: none lost).

    added_rows maps evidence text to the tie holding it (source, target, kind and FIELDS);
    changed_rows maps tie id to its FIELDS and version now. Two acknowledged saves made
    from the same version of a tie mean one silently overwrote the other: a lost update.
    """
    added, changed = expected_state(writes)
    lost = []
    for evidence, write in added.items():
        row = added_rows.get(evidence)
        keys = ("source", "target", "kind", *FIELDS)
        if row is None:
            lost.append(f"added tie {evidence!r} is missing")
        elif any(row[k] != write[k] for k in keys):
            lost.append(f"added tie {evidence!r} holds other values")
    for pk, saves in changed.items():
        row = changed_rows.get(pk)
        last = saves[-1]
        versions = [w.get("loaded_version") for w in saves]
        if row is None:
            lost.append(f"tie {pk} is gone")
            continue
        if None not in versions and len(set(versions)) < len(versions):
            lost.append(f"tie {pk}: two saves from the same version were both accepted")
        if any(row[k] != last[k] for k in FIELDS):
            lost.append(f"tie {pk} does not hold its last saved change ({last['evidence']!r})")
        elif None not in versions and "version" in row and row["version"] != versions[-1] + 1:
            lost.append(f"tie {pk} is at version {row['version']}, not {versions[-1] + 1}")
    return lost


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plan", type=Path, required=True)
    parser.add_argument("--results", type=Path, required=True)
    parser.add_argument("--read-p95-ms", type=float, default=500.0)
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "influence_map.settings")
    django.setup()
    from django_tasks_db.models import DBTaskResult

    from stakeholders.models import Relationship, RunStatus, ScoreRun

    plan = json.loads(args.plan.read_text())
    results = json.loads(args.results.read_text())
    writes = results["writes"]
    added, changed = expected_state(writes)
    ties = Relationship.objects.filter(source__workspace__slug=plan["workspace"])
    added_rows = {
        row["evidence"]: row
        for row in ties.filter(evidence__in=list(added)).values("source", "target", "kind", *FIELDS)
    }
    changed_rows = {
        row["pk"]: row for row in ties.filter(pk__in=list(changed)).values("pk", "version", *FIELDS)
    }
    lost = lost_writes(writes, added_rows, changed_rows)

    tz = datetime.UTC
    started = datetime.datetime.fromtimestamp(results["started_at"], tz)
    finished = datetime.datetime.fromtimestamp(results["finished_at"], tz)
    tasks = DBTaskResult.objects.filter(task_path__endswith="rescore")
    recomputed = tasks.filter(finished_at__range=(started, finished))
    runs = ScoreRun.objects.filter(workspace__slug=plan["workspace"])
    latest = runs.filter(status=RunStatus.SUCCEEDED).order_by("-finished_at").first()
    failed_runs = runs.filter(status=RunStatus.FAILED, finished_at__gte=started).count()

    r = results
    print()
    print("Load test results")
    print(
        f"  users               {r['users']['readers']} readers, {r['users']['editors']} editors, "
        f"{r['think_seconds'][0]:g}-{r['think_seconds'][1]:g}s between pages"
    )
    print(
        f"  machine load        load average {r['load_average']['before']:.1f} before, "
        f"{r['load_average']['after']:.1f} after ({os.cpu_count()} cores)"
    )
    print(
        f"  requests served     {r['requests']:,} in {r['seconds']}s ({r['requests_per_second']}/s)"
    )
    print(
        f"  reads               {r['reads']:,}: "
        f"p50 {r['read_p50_ms']} ms, p95 {r['read_p95_ms']} ms"
    )
    for name in ("overview", "map", "brokers", "person panel"):
        page = r["by_page"].get(name)
        if page:
            print(
                f"    {name:<17} {page['n']:>5}: p50 {page['p50_ms']} ms, p95 {page['p95_ms']} ms"
            )
    print(
        f"  writes              {r['writes_sent']} saves sent, {r['writes_succeeded']} saved: "
        f"p50 {r['write_p50_ms']} ms, p95 {r['write_p95_ms']} ms"
    )
    print(
        f"  refused, correctly  {r['refused_concurrent_edit']} concurrent edits, "
        f"{r['refused_duplicate_tie']} duplicate ties"
    )
    print(f"  errors              {r['errors']}")
    for sample in r["error_samples"]:
        print(f"    {sample}")
    print(
        f"  lost writes         {len(lost)} of {len(writes)} "
        f"({len(added)} added ties, {len(changed)} changed ties checked)"
    )
    for reason in lost[:20]:
        print(f"    {reason}")
    # A rescore task returns the id of the run now current: a new id is a new computation,
    # the same id a skip (nothing changed since).
    returned = recomputed.filter(status="SUCCESSFUL").values_list("return_value", flat=True)
    new_runs = {pk for pk in returned if isinstance(pk, int) and pk > plan["first_run"]}
    print(
        f"  scores recomputed   {len(new_runs)} new score runs finished during the test "
        f"({len(returned)} rescore tasks), {failed_runs} failed, "
        f"{tasks.filter(status='READY').count()} tasks still queued at the end"
    )
    if latest is not None:
        print(
            f"    latest scores     {latest.relationships_count:,} ties, computed in "
            f"{sum(latest.timings.values()):.1f}s"
        )

    missed = []
    if r["errors"]:
        missed.append(f"{r['errors']} errors")
    if lost:
        missed.append(f"{len(lost)} lost writes")
    if r["read_p95_ms"] >= args.read_p95_ms:
        missed.append(f"read p95 {r['read_p95_ms']} ms >= {args.read_p95_ms:.0f} ms")
    if not writes:
        missed.append("no write succeeded")
    if missed:
        print("FAILED: " + "; ".join(missed))
        return 1
    print(f"PASSED: no errors, no lost writes, read p95 under {args.read_p95_ms:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
