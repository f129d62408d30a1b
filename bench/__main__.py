"""`make bench`: time and peak memory of a full score run on synthetic workspaces.

For each size a synthetic workspace is built with `seed_demo --people N` into
a throwaway SQLite database (or BENCH_DATABASE_URL), then a fresh process
times one full score run (load, analyse, layout, key people, store) and reports
its peak RSS. At 1,000 people the same process also times plain networkx calls
computing the same measures, side by side, and prints the ratio. At 5,000
people whole score processes alternate with igraph computing part of the same
work, when python-igraph is installed in its own environment (bench/yardstick.py,
`make igraph-peer`), and a snapshot of the map a year ago is taken, so that the pages include the
comparison with now. Then one more fresh process times every page on the
seeded, scored workspaces (bench/pages.py) and prints them side by side: median
and p95 ms and database queries per request. At 5,000 people two last processes
time a trusted route and a room answer beside plain networkx and greedy
versions (bench/scenarios.py), and what-ifs for the one and the three key
people beside plain networkx (bench/whatif_bench.py). Last, a 300-person
survey's 250 responses imported in one transaction (bench/survey_bench.py).
"""

import datetime
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.pages import print_table, time_pages
from bench.startup import time_startup
from bench.whatif_bench import time_whatif
from bench.yardstick import time_yardstick

ROOT = Path(__file__).resolve().parent.parent
SIZES = [int(s) for s in os.environ.get("BENCH_SIZES", "1000,5000,20000").split(",")]
SCENARIO_SIZE = 5000  # bench/scenarios.py: a route and a room at this size
STAGES = ("load", "analyse", "layout", "key_people", "store")  # a score run's timings
# Score runs per size up to 5,000 people (one beyond): the figures printed are
# the medians, so one burst of a noisy neighbour does not decide a ratio.
RUNS = 3


def measure(slug: str, baseline: bool) -> dict:
    """In a fresh process: forced score runs of `slug` (each laying the map out afresh,
    as the first does), then the networkx baseline. Timings are the runs' medians;
    "key_share" is the median over runs of key people's time / the rest of the run."""
    import django

    django.setup()
    from bench.analysis_bench import networkx_baseline, synthetic
    from stakeholders import analysis, score_runs
    from stakeholders.analysis import key_people
    from stakeholders.models import Workspace

    # Load the compiled kernels (numba cache), serial and threaded, as a long-running
    # worker has them: the run's stages are then timed alike. A whole process,
    # loading included, is timed beside igraph (bench/yardstick.py).
    for warm in (60, 600):
        small = synthetic(warm, 0)
        analysis.analyse(**small)
        key_people.key_people(people=small["people"], groups=small["groups"], ties=small["ties"])
    workspace = Workspace.objects.get(slug=slug)
    totals, timings = [], []
    for _ in range(RUNS if workspace.people.count() <= 5000 else 1):
        started = time.perf_counter()
        run = score_runs.score_run_execute(workspace_id=workspace.pk, force=True, fresh_layout=True)
        totals.append(time.perf_counter() - started)
        timings.append(run.timings)
    shares = [
        t["key_people"] / (total - t["key_people"])
        for t, total in zip(timings, totals, strict=True)
        if "key_people" in t
    ]
    out = {
        "people": run.people_count,
        "relationships": run.relationships_count,
        "status": run.status,
        "runs": len(totals),
        "timings": {k: statistics.median(t[k] for t in timings) for k in timings[0]},
        "total_s": statistics.median(totals),
        "key_shares": sorted(shares),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    if baseline:
        data = score_runs.score_input(workspace_id=workspace.pk)
        out["networkx_s"] = networkx_baseline(
            {"people": data.people, "groups": data.groups, "ties": data.ties}
        )
    return out


def main() -> None:
    tmp = tempfile.mkdtemp(prefix="influence-map-bench-")
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="influence_map.settings")
    env.setdefault(
        "DATABASE_URL", os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{tmp}/bench.sqlite3")
    )
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--no-input", "-v", "0"], env=env, check=True, cwd=ROOT)
    engine = env["DATABASE_URL"].split(":")[0]
    print(f"Influence Map benchmark: {os.cpu_count()} cores, database {engine}")

    # --- Start-up (#16): manage.py check, and the score command until it can work ---
    time_startup(env)
    # --- end of start-up ---

    for n in SIZES:
        slug = f"bench-{n}"
        t = time.perf_counter()
        subprocess.run(
            [*manage, "seed_demo", "--people", str(n), "--seed", "1", "--workspace", slug],
            env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        seeded = time.perf_counter() - t
        args = [sys.executable, "-m", "bench", "--measure", slug]
        if n == 1000:
            args.append("--baseline")
        proc = subprocess.run(args, env=env, check=True, cwd=ROOT, capture_output=True, text=True)
        r = json.loads(proc.stdout.strip().splitlines()[-1])
        t = r["timings"]
        stages = ", ".join(f"{stage} {t[stage]:.2f}" for stage in STAGES if stage in t)
        print(
            f"{n:>6} people, {r['relationships']:>6} relationships: full score run "
            f"(median of {r['runs']}) "
            f"{r['total_s']:6.2f} s ({stages}), peak memory {r['peak_rss_mb']:6.0f} MB "
            f"[seeded in {seeded:.1f} s]",
            flush=True,
        )
        if r["key_shares"]:
            # Key people may add at most half to the rest of a run (the what-if issue).
            shares = r["key_shares"]
            each = ", ".join(f"{100 * s:.0f}%" for s in shares)
            print(
                f"        key people {t['key_people']:.2f} s: adds "
                f"{100 * statistics.median(shares):.0f}% to the rest of the run "
                f"(median; each run {each}; target at most 50%)",
                flush=True,
            )
        if n == SCENARIO_SIZE:
            # The igraph yardstick (#16), when it is installed in its own environment.
            print(time_yardstick(slug, env), end="", flush=True)
            # A snapshot of the map a year ago, for the comparison page (bench/pages.py).
            a_year_ago = (datetime.date.today() - datetime.timedelta(days=365)).isoformat()
            subprocess.run(
                [*manage, "snapshot", "--workspace", slug, "--name", "A year ago",
                 "--as-of", a_year_ago],
                env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL,
            )  # fmt: skip
        if "networkx_s" in r:
            print(
                f"        plain networkx baseline {r['networkx_s']:.2f} s: analysis "
                f"{r['networkx_s'] / t['analyse']:.1f}x faster, whole run "
                f"{r['networkx_s'] / r['total_s']:.1f}x faster",
                flush=True,
            )
    proc = subprocess.run(
        [sys.executable, "-m", "bench", "--pages", *(f"bench-{n}" for n in SIZES)],
        env=env, cwd=ROOT, capture_output=True, text=True,
    )  # fmt: skip
    if proc.returncode:
        sys.exit(f"Timing the pages failed:\n{proc.stderr}")
    by_slug = json.loads(proc.stdout.strip().splitlines()[-1])
    print_table({n: by_slug[f"bench-{n}"] for n in SIZES})
    if SCENARIO_SIZE in SIZES:
        # Trusted route and who to put in the room, beside networkx and greedy baselines.
        proc = subprocess.run(
            [sys.executable, "-m", "bench.scenarios", f"bench-{SCENARIO_SIZE}"],
            env=env, cwd=ROOT, capture_output=True, text=True,
        )  # fmt: skip
        if proc.returncode:
            sys.exit(f"Timing the scenarios failed:\n{proc.stderr}")
        print(proc.stdout, end="", flush=True)
        # What if they leave: the app's answer beside plain networkx.
        print(time_whatif(f"bench-{SCENARIO_SIZE}", env), end="", flush=True)
    # A 300-person survey's answers imported in one transaction (the survey issue).
    subprocess.run(
        [*manage, "seed_demo", "--people", "300", "--seed", "2", "--workspace", "bench-survey"],
        env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    proc = subprocess.run(
        [sys.executable, "-m", "bench.survey_bench", "bench-survey"],
        env=env, cwd=ROOT, capture_output=True, text=True,
    )  # fmt: skip
    if proc.returncode:
        sys.exit(f"Timing the survey import failed:\n{proc.stderr}")
    print(proc.stdout, end="", flush=True)


def dump_network(slug: str, path: str) -> None:
    """Write what a score run of `slug` reads, as JSON, for bench/igraph_peer.py."""
    import django

    django.setup()
    from stakeholders import score_runs
    from stakeholders.models import Workspace

    data = score_runs.score_input(workspace_id=Workspace.objects.get(slug=slug).pk)
    network = {
        "people": list(data.people),
        "groups": {b: {str(p): str(g) for p, g in m.items()} for b, m in data.groups.items()},
        "ties": [[t.source, t.target, t.kind, t.strength] for t in data.ties],
    }
    with open(path, "w") as f:
        json.dump(network, f)


def time_all_pages(slugs: list[str]) -> dict[str, list[dict]]:
    """In a fresh process: every page timed on each workspace (already scored)."""
    import django

    django.setup()
    return {slug: time_pages(slug) for slug in slugs}


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--measure":
        print(json.dumps(measure(sys.argv[2], "--baseline" in sys.argv)))
    elif len(sys.argv) > 3 and sys.argv[1] == "--dump":
        dump_network(sys.argv[2], sys.argv[3])
    elif len(sys.argv) > 2 and sys.argv[1] == "--pages":
        print(json.dumps(time_all_pages(sys.argv[2:])))
    else:
        main()
