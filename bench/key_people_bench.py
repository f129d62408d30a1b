"""Benchmark key_people() and removal() on synthetic local health systems.

Run: python bench/key_people_bench.py [sizes...] (default 1000 5000). Each size runs in
its own subprocess; the first uses an empty numba cache (cold: includes
compiling the kernels), the rest reuse it (warm). At 1,000 people it also
times a naive networkx version (remove each person, recount components and
global efficiency); that takes minutes for everyone, so it is timed on a
sample of people and scaled up, and the line says so.
"""

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.analysis_bench import synthetic  # noqa: E402
from stakeholders.analysis.key_people import key_people, removal  # noqa: E402

NAIVE_SAMPLE = 25


def _inputs(n: int, seed: int) -> dict:
    data = synthetic(n, seed)
    data.pop("seniority")
    return data


def naive_seconds(data: dict, sample: int) -> float:
    """Seconds per person for F and DF by plain networkx calls, from a sample of people."""
    import networkx as nx

    graph = nx.Graph()
    graph.add_nodes_from(data["people"])
    graph.add_edges_from((t.source, t.target) for t in data["ties"] if t.source != t.target)
    n = graph.number_of_nodes()
    started = time.perf_counter()
    for person in data["people"][:sample]:
        rest = graph.copy()
        rest.remove_node(person)
        sizes = [len(c) for c in nx.connected_components(rest)]
        1 - sum(s * (s - 1) for s in sizes) / ((n - 1) * (n - 2))
        1 - nx.global_efficiency(rest)
    return (time.perf_counter() - started) / sample


def run_one(n: int, baseline: bool) -> dict:
    """Time one size in this process, after loading (or compiling) the kernels."""
    t0 = time.perf_counter()
    for warm in (60, 600):  # the serial and the threaded kernels
        small = _inputs(warm, 0)
        key_people(**small)
        removal(**small, removed=small["people"][:2])
    load = time.perf_counter() - t0
    data = _inputs(n, 1)
    t0, c0 = time.perf_counter(), time.process_time()
    result = key_people(**data)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    top = [p.person for p in result.people[:3]]
    t0 = time.perf_counter()
    removal(**data, removed=top)
    removal_s = time.perf_counter() - t0
    out = {
        "n": n,
        "load_or_compile_s": load,
        "key_people_s": seconds,
        "key_people_cpu_s": cpu,
        "removal_3_s": removal_s,
        "load_average": os.getloadavg()[0],
        "sets": [(s.size, s.method) for s in result.sets],
    }
    if baseline:
        out["naive_per_person_s"] = naive_seconds(data, NAIVE_SAMPLE)
    return out


def main() -> None:
    """Print key_people() and removal() wall time per size, and the networkx ratio at 1,000."""
    cache = tempfile.mkdtemp(prefix="numba-bench-")
    env = dict(os.environ, NUMBA_CACHE_DIR=cache)
    sizes = [int(a) for a in sys.argv[1:]] or [1000, 5000]
    runs = [("cold", sizes[0], False)] + [("warm", n, n == 1000) for n in sizes]
    print(f"threads: {os.cpu_count()} cpus; numba cache {cache} (empty at start)")
    for label, n, baseline in runs:
        args = [sys.executable, __file__, "--one", str(n)] + (["--baseline"] if baseline else [])
        proc = subprocess.run(args, env=env, capture_output=True, text=True, check=True)
        r = json.loads(proc.stdout.strip().splitlines()[-1])
        line = (
            f"{label:4} n={n:6}  kernels load/compile {r['load_or_compile_s']:6.2f}s"
            f"  key_people {r['key_people_s']:6.2f}s wall, {r['key_people_cpu_s']:6.2f}s CPU"
            f"  removal of 3 {r['removal_3_s']:5.2f}s  sets {r['sets']}"
            f"  load avg {r['load_average']:.1f}"
        )
        if baseline:
            naive = r["naive_per_person_s"] * n
            line += (
                f"\n     naive networkx F + DF for everyone ~{naive:.0f}s (timed on"
                f" {NAIVE_SAMPLE} people, scaled)  ratio {naive / r['key_people_s']:.0f}x"
            )
        print(line, flush=True)


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--one":
        print(json.dumps(run_one(int(sys.argv[2]), "--baseline" in sys.argv)))
    else:
        main()
