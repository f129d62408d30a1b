"""What if they leave, at 5,000 people: the app's computation against plain networkx.

`make bench` runs it at 5,000 people on the workspace it has already seeded and
scored; on its own, `SECRET_KEY=x python -m bench.whatif_bench` does as
bench/__main__.py does: it seeds `seed_demo --people 5000 --seed 1 --workspace
bench-5000` into a throwaway SQLite database (or BENCH_DATABASE_URL) and scores it.
Then a fresh process times one what-if for the most damaging person and one for the
three most damaging (the key people ranking), twice over:

- the app: stakeholders.scenarios.whatif_compute.whatif_result, end to end (reading
  the data and the stored scores included), median of BENCH_WHATIF_REPEATS (5) runs;
- plain networkx, the same computation: fragmentation and distance-weighted
  fragmentation before and after (components, nx.global_efficiency), the pairs of
  groups that lose every path or every route of at most two steps on each boundary
  (components, single_source_shortest_path_length with cutoff 2), every measure on
  the remaining network that broker scores need (bench.analysis_bench.networkx_baseline:
  betweenness, constraint, effective size, PageRank, brokerage roles per boundary;
  weighted betweenness is left out on both sides) and the partnership health of
  each pair of groups; the suggestions of who could step in run the same Python in
  both. Median of BENCH_WHATIF_NX_REPEATS (1) runs. Searching from every source
  takes networkx minutes per question, so global efficiency and betweenness run
  from BENCH_WHATIF_NX_SOURCES (100) sampled sources and their time is scaled up
  to all of them (0 times them in full and also checks distance fragmentation).

It prints both medians and the ratio, side by side.
"""

import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from itertools import combinations
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PEOPLE = int(os.environ.get("BENCH_WHATIF_PEOPLE", "5000"))
REPEATS = int(os.environ.get("BENCH_WHATIF_REPEATS", "5"))
NX_REPEATS = int(os.environ.get("BENCH_WHATIF_NX_REPEATS", "1"))
# networkx searches from every source take minutes at 5,000 people: sample, then scale.
NX_SOURCES = int(os.environ.get("BENCH_WHATIF_NX_SOURCES", "100")) or None


def networkx_whatif(data, removed: list[int], sources: int | None = None) -> dict:
    """The what-if computation in plain networkx and Python loops (see the module docstring).

    With `sources`, the all-source searches (global efficiency, betweenness) run
    from that many sampled sources; "scaled_s" is the time to add so that they
    count as the full searches they stand for, and distance fragmentation is
    then left out of the answer (a sample cannot give it exactly).
    """
    import networkx as nx

    from bench.analysis_bench import networkx_baseline
    from stakeholders.analysis import BOUNDARIES
    from stakeholders.scenarios.whatif_compute import _step_in

    gone = set(removed)
    remaining = [p for p in data.people if p not in gone]
    ties = [t for t in data.ties if t.source not in gone and t.target not in gone]
    whole = nx.Graph()
    whole.add_nodes_from(data.people)
    whole.add_edges_from((t.source, t.target) for t in data.ties if t.source != t.target)
    rest = whole.subgraph(remaining).copy()

    def fragmentation(g) -> float:
        n = g.number_of_nodes()
        pairs = sum(len(c) * (len(c) - 1) for c in nx.connected_components(g))
        return 1 - pairs / (n * (n - 1)) if n > 1 else 0.0

    scaled = 0.0

    def distance_fragmentation(g) -> float | None:
        nonlocal scaled
        n = g.number_of_nodes()
        if n < 2:
            return 0.0
        if not sources or sources >= n:
            return 1 - nx.global_efficiency(g)
        started = time.perf_counter()
        for v in random.Random(1).sample(sorted(g), sources):
            sum(1 / d for d in nx.single_source_shortest_path_length(g, v).values() if d)
        scaled += (time.perf_counter() - started) * (n / sources - 1)
        return None

    def connected_groups(g, groups) -> set:
        found = set()
        for component in nx.connected_components(g):
            present = sorted({groups[p] for p in component if p in groups})
            found.update(combinations(present, 2))
        return found

    def close_groups(g, groups) -> set:
        found = set()
        for v in g:
            if v not in groups:
                continue
            for w in nx.single_source_shortest_path_length(g, v, cutoff=2):
                if w in groups and groups[w] != groups[v]:
                    found.add(tuple(sorted((groups[v], groups[w]))))
        return found

    result = {
        "fragmentation": [fragmentation(whole), fragmentation(rest)],
        "distance_fragmentation": [distance_fragmentation(whole), distance_fragmentation(rest)],
    }
    # Every measure on the remaining network, as the app's analysis computes them.
    # Broker scores and partnerships need no weighted betweenness: the app skips it too.
    started = time.perf_counter()
    took = networkx_baseline(
        {"people": remaining, "groups": data.groups, "ties": ties}, weighted=False, sources=sources
    )
    scaled += took - (time.perf_counter() - started)
    for boundary in BOUNDARIES:
        groups = data.groups[boundary]
        left = {groups[p] for p in remaining if p in groups}
        cut = sorted(
            (a, b)
            for a, b in connected_groups(whole, groups) - connected_groups(rest, groups)
            if a in left and b in left
        )
        far = sorted(
            (a, b)
            for a, b in close_groups(whole, groups) - close_groups(rest, groups)
            if a in left and b in left and (a, b) not in set(cut)
        )
        # Partnership health after: relationships, carriers and mean trust per pair.
        health = defaultdict(lambda: [0, set(), []])
        for t in ties:
            a, b = groups.get(t.source), groups.get(t.target)
            if a is None or b is None or a == b:
                continue
            row = health[tuple(sorted((a, b)))]
            row[0] += 1
            row[1].update((t.source, t.target))
            if t.trust is not None:
                row[2].append(t.trust)
        result[boundary] = {
            "disconnected": cut,
            "distant": far,
            "health": {
                k: (n, len(c), sum(tr) / len(tr) if tr else None)
                for k, (n, c, tr) in health.items()
            },  # fmt: skip
            "step_in": _step_in(
                groups=groups,
                remaining=remaining,
                removed=gone,
                all_ties=data.ties,
                ties=ties,
                score_after={},
                disconnected=cut,
                short=far,
            ),
        }
    result["scaled_s"] = scaled
    return result


def measure(slug: str) -> dict:
    """In a fresh process: the two what-ifs, the app's way and networkx's."""
    import django

    django.setup()
    from bench.analysis_bench import synthetic
    from stakeholders import analysis
    from stakeholders.analysis import key_people
    from stakeholders.models import PersonScore, Workspace
    from stakeholders.scenarios.leaves import key_people_ordering
    from stakeholders.scenarios.whatif_compute import whatif_result
    from stakeholders.score_runs import score_input
    from stakeholders.selectors import current_run

    small = synthetic(60, 0)
    analysis.analyse(**small)  # load the compiled kernels (numba cache)
    key_people.removal(
        people=small["people"], groups=small["groups"], ties=small["ties"], removed=[1]
    )
    workspace = Workspace.objects.get(slug=slug)
    run = current_run(workspace_id=workspace.pk)
    ranked = list(
        PersonScore.objects.filter(run=run, boundary="organisation")
        .order_by(*key_people_ordering())
        .values_list("person_id", flat=True)[:3]
    )
    started = time.perf_counter()
    data = score_input(workspace_id=workspace.pk)
    load = time.perf_counter() - started
    out = {"people": run.people_count, "relationships": run.relationships_count, "load_s": load}
    for label, removed in (("1 person", ranked[:1]), ("3 people", ranked)):
        ours = []
        for _ in range(REPEATS):
            started = time.perf_counter()
            answer = whatif_result(workspace_id=workspace.pk, run=run, people=removed)
            ours.append(time.perf_counter() - started)
        theirs = []
        for _ in range(NX_REPEATS):
            started = time.perf_counter()
            check = networkx_whatif(data, removed, sources=NX_SOURCES)
            theirs.append(time.perf_counter() - started + check["scaled_s"])
        # Same answers, or the comparison means nothing.
        part = answer["boundaries"]["organisation"]
        assert {tuple(sorted(p)) for p in part["disconnected"]} == set(
            check["organisation"]["disconnected"]
        )
        assert abs(answer["fragmentation"][1] - check["fragmentation"][1]) < 1e-9
        if check["distance_fragmentation"][1] is not None:
            assert (
                abs(answer["distance_fragmentation"][1] - check["distance_fragmentation"][1]) < 1e-9
            )
        out[label] = {
            "ours_s": statistics.median(ours),
            "networkx_s": statistics.median(theirs),
            "lost_links": len(part["disconnected"]) + len(part["distant"]),
        }
    return out


def main() -> None:
    tmp = tempfile.mkdtemp(prefix="influence-map-whatif-bench-")
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="influence_map.settings")
    env.setdefault(
        "DATABASE_URL", os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{tmp}/bench.sqlite3")
    )
    manage = [sys.executable, str(ROOT / "manage.py")]
    slug = f"bench-{PEOPLE}"
    subprocess.run([*manage, "migrate", "--no-input", "-v", "0"], env=env, check=True, cwd=ROOT)
    subprocess.run(
        [*manage, "seed_demo", "--people", str(PEOPLE), "--seed", "1", "--workspace", slug],
        env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    subprocess.run(
        [*manage, "score", "--workspace", slug], env=env, check=True, cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    print(time_whatif(slug, env), end="", flush=True)


def time_whatif(slug: str, env: dict) -> str:
    """In a fresh process, time the what-ifs on a seeded, scored workspace; the report."""
    proc = subprocess.run(
        [sys.executable, "-m", "bench.whatif_bench", "--measure", slug],
        env=env, cwd=ROOT, capture_output=True, text=True,
    )  # fmt: skip
    if proc.returncode:
        sys.exit(f"Timing the what-ifs failed:\n{proc.stderr}")
    r = json.loads(proc.stdout.strip().splitlines()[-1])
    sampled = f", networkx searches from {NX_SOURCES} sources, scaled" if NX_SOURCES else ""
    lines = [
        f"What if they leave: {r['people']} people, {r['relationships']} relationships "
        f"(reading the data: {r['load_s']:.2f} s, inside the app's time{sampled})",
        f"{'':>10}  {'app (median)':>13}  {'networkx (median)':>17}  {'ratio':>7}  lost links",
    ]
    for label in ("1 person", "3 people"):
        x = r[label]
        lines.append(
            f"{label:>10}  {x['ours_s']:>11.2f} s  {x['networkx_s']:>15.2f} s  "
            f"{x['networkx_s'] / x['ours_s']:>6.1f}x  {x['lost_links']}"
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--measure":
        print(json.dumps(measure(sys.argv[2])))
    else:
        main()
