"""Benchmark stakeholders.analysis on synthetic local health systems.

Run: python bench/analysis_bench.py [sizes...]. Each size runs in its own subprocess so
peak memory (ru_maxrss) belongs to that size alone. The first subprocess uses
an empty numba cache (cold: includes compiling); the rest reuse it (warm).
At 1,000 people it also times plain networkx calls for the same measures.
"""

import datetime
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from stakeholders.analysis import BOUNDARIES, Tie, analyse  # noqa: E402

# (kind of organisation, sector, tier, relative size)
ORG_KINDS = [
    ("acute trust", "nhs", "system", 12.0),
    ("mental health trust", "nhs", "system", 6.0),
    ("community trust", "nhs", "place", 5.0),
    ("ambulance trust", "nhs", "system", 4.0),
    ("icb", "nhs", "system", 3.0),
    ("nhs england region", "national", "regional", 1.5),
    ("pcn", "nhs", "neighbourhood", 0.6),
    ("gp practice", "nhs", "neighbourhood", 0.4),
    ("county council", "local_government", "system", 6.0),
    ("district council", "local_government", "place", 2.0),
    ("public health", "local_government", "place", 1.0),
    ("vcse", "vcse", "neighbourhood", 0.3),
    ("healthwatch", "vcse", "place", 0.3),
    ("police", "other", "system", 1.0),
    ("housing", "other", "place", 0.8),
    ("university", "other", "regional", 1.0),
    ("care provider", "social_care", "neighbourhood", 0.5),
]
KIND_SHARE = [("collaborates", 0.4), ("trusts", 0.25), ("reports_to", 0.2), ("influences", 0.15)]


def synthetic(n: int, seed: int) -> dict:
    """A local health system of n people: skewed organisations, ~5 relationships each."""
    rng = random.Random(seed)
    orgs = max(2, round(n * 25 / 180))
    kinds = [rng.choice(ORG_KINDS) for _ in range(orgs)]
    # Skewed sizes: the kind's typical size times a heavy-tailed factor.
    weights = [k[3] * rng.paretovariate(1.5) for k in kinds]
    people = list(range(1, n + 1))
    org_of: dict[int, int] = {}
    members: dict[int, list[int]] = {o: [] for o in range(orgs)}
    for p in people:
        o = p - 1 if p <= orgs else rng.choices(range(orgs), weights)[0]
        members[o].append(p)
        if rng.random() > 0.03:  # a few people have no primary affiliation
            org_of[p] = o
    seniority = {p: min(5, int(rng.expovariate(0.8))) for p in people}
    groups = {
        "organisation": {p: 1000 + o for p, o in org_of.items()},
        "sector": {p: kinds[o][1] for p, o in org_of.items()},
        "tier": {p: kinds[o][2] for p, o in org_of.items()},
    }
    home = {p: o for o, ps in members.items() for p in ps}
    # Senior people span boundaries more often.
    spanners = [p for p in people if seniority[p] >= 2] or people
    start = datetime.date(2022, 1, 1)
    seen: set[tuple[int, int, str]] = set()
    ties: list[Tie] = []
    kind_names = [k for k, _ in KIND_SHARE]
    kind_weights = [w for _, w in KIND_SHARE]
    while len(ties) < 5 * n:
        source = rng.choice(people)
        own = members[home[source]]
        if rng.random() < 0.8 and len(own) > 1:
            target = rng.choice(own)
        else:
            target = rng.choice(spanners if rng.random() < 0.7 else people)
        kind = rng.choices(kind_names, kind_weights)[0]
        if target == source or (source, target, kind) in seen:
            continue
        seen.add((source, target, kind))
        ties.append(
            Tie(
                source=source,
                target=target,
                kind=kind,
                strength=rng.randint(1, 5),
                trust=None if rng.random() < 0.3 else rng.randint(1, 5),
                observed_on=start + datetime.timedelta(days=rng.randrange(1100)),
            )
        )
    return {"people": people, "groups": groups, "ties": ties, "seniority": seniority}


def networkx_baseline(data: dict, *, weighted: bool = True, sources: int | None = None) -> float:
    """Seconds for the same measures done with plain networkx calls and Python loops.

    weighted=False leaves out weighted betweenness, as analyse(weighted=False) does.
    With `sources`, betweenness runs from that many sampled sources and its time
    is scaled up to all of them (its cost is the same search from every source).
    """
    import networkx as nx

    started = time.perf_counter()
    arcs: dict[tuple[int, int], int] = {}
    infl: dict[tuple[int, int], int] = {}
    for t in data["ties"]:
        pairs = [(t.source, t.target)]
        if t.kind == "collaborates":
            pairs.append((t.target, t.source))
        for a in pairs:
            arcs[a] = max(arcs.get(a, 0), t.strength)
        flow = [(t.target, t.source)] if t.kind == "influences" else pairs
        for a in flow:
            infl[a] = max(infl.get(a, 0), t.strength)
    g = nx.DiGraph()
    g.add_nodes_from(data["people"])
    for (u, v), s in arcs.items():
        g.add_edge(u, v, strength=s, distance=1 / s)
    n = g.number_of_nodes()
    k = min(sources, n) if sources else None
    t0 = time.perf_counter()
    nx.betweenness_centrality(g, k=k, seed=1)
    if weighted:
        nx.betweenness_centrality(g, k=k, seed=1, weight="distance")
    if k:  # count the sampled searches as the n they stand for
        started -= (time.perf_counter() - t0) * (n / k - 1)
    h = nx.Graph()
    h.add_nodes_from(g)
    for (u, v), s in arcs.items():
        w = h[u][v]["weight"] + s if h.has_edge(u, v) else s
        h.add_edge(u, v, weight=w)
    nx.constraint(h, weight="weight", nodes=list(h))
    nx.effective_size(h, weight="weight", nodes=list(h))
    d = nx.DiGraph()
    d.add_nodes_from(data["people"])
    d.add_weighted_edges_from((u, v, s) for (u, v), s in infl.items())
    nx.pagerank(d, weight="weight")
    for boundary in BOUNDARIES:
        group = data["groups"][boundary]
        counts: dict[int, list[int]] = {p: [0] * 5 for p in g}
        for v in g:
            gv = group.get(v, ("none", v))
            for a in g.predecessors(v):
                ga = group.get(a, ("none", a))
                for b in g.successors(v):
                    if a == b or g.has_edge(a, b):
                        continue
                    gb = group.get(b, ("none", b))
                    if ga == gv == gb:
                        role = 0
                    elif ga == gb:
                        role = 1
                    elif ga == gv:
                        role = 2
                    elif gv == gb:
                        role = 3
                    else:
                        role = 4
                    counts[v][role] += 1
    return time.perf_counter() - started


def run_one(n: int, baseline: bool) -> dict:
    """Time one size in this process; report peak memory as ru_maxrss."""
    # Small and large enough to load (or compile) the serial and parallel kernels.
    t0 = time.perf_counter()
    analyse(**synthetic(60, 0))
    analyse(**synthetic(600, 0))
    load = time.perf_counter() - t0
    data = synthetic(n, 1)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    load_before = os.getloadavg()[0]
    t0, c0 = time.perf_counter(), time.process_time()
    result = analyse(**data)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    out = {
        "n": n,
        "relationships": result.summaries["organisation"].relationships,
        "arcs": result.summaries["organisation"].arcs,
        "organisations": len(result.summaries["organisation"].groups),
        "load_or_compile_s": load,
        "analyse_s": seconds,
        "analyse_cpu_s": cpu,
        "load_average": load_before,
        "peak_rss_mb": rss / 1024,
        "rss_before_analyse_mb": rss_before / 1024,
    }
    if baseline:
        out["networkx_s"] = networkx_baseline(data)
    return out


def main() -> None:
    """Print wall time and peak memory per size, and the networkx ratio at 1,000.

    Sizes come from the command line (default 1000 5000 20000). "kernels
    load/compile" is the warm-up before timing: compiling on the cold run,
    loading numba's cache on the others.
    """
    cache = tempfile.mkdtemp(prefix="numba-bench-")
    env = dict(os.environ, NUMBA_CACHE_DIR=cache)
    sizes = [int(a) for a in sys.argv[1:]] or [1000, 5000, 20000]
    runs = [("cold", sizes[0], False)] + [("warm", n, n == 1000) for n in sizes]
    print(f"threads: {os.cpu_count()} cpus; numba cache {cache} (empty at start)")
    for label, n, baseline in runs:
        args = [sys.executable, __file__, "--one", str(n)] + (["--baseline"] if baseline else [])
        proc = subprocess.run(args, env=env, capture_output=True, text=True, check=True)
        r = json.loads(proc.stdout.strip().splitlines()[-1])
        line = (
            f"{label:4} n={n:6} relationships={r['relationships']:7} arcs={r['arcs']:7} "
            f"orgs={r['organisations']:5}  kernels load/compile {r['load_or_compile_s']:6.2f}s"
            f"  analyse {r['analyse_s']:7.2f}s wall, {r['analyse_cpu_s']:7.2f}s CPU"
            f"  peak RSS {r['peak_rss_mb']:5.0f} MB (before analyse"
            f" {r['rss_before_analyse_mb']:.0f} MB)  load avg {r['load_average']:.1f}"
        )
        if baseline:
            ratio = r["networkx_s"] / r["analyse_s"]
            line += f"\n     networkx baseline {r['networkx_s']:.2f}s  ratio {ratio:.1f}x"
        print(line, flush=True)


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--one":
        print(json.dumps(run_one(int(sys.argv[2]), "--baseline" in sys.argv)))
    else:
        main()
