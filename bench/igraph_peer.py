"""The igraph yardstick (#16): run by an interpreter that has python-igraph, never by the app.

igraph is GPL, so it is never a dependency: `make igraph-peer` installs it into
its own environment (.bench-igraph), and `make bench` runs this file with that
interpreter when it exists (or with BENCH_IGRAPH_PYTHON). It imports nothing
from the project.

Input: a JSON file with "people" (ids), "groups" (boundary -> {id: label}) and
"ties" ([source, target, kind, strength]), written by bench/__main__.py from the
workspace a score run has just scored. It times what igraph's C core can do of
a score run, the same measures bench/analysis_bench.py's networkx baseline
times: unweighted and weighted betweenness on the arcs (length 60 / strength,
as the app), Burt's constraint on the undirected weighted graph, PageRank on
the influence graph, and the Gould-Fernandez brokerage loop in Python over
igraph's adjacency lists (igraph has no brokerage). Prints one JSON line: the
seconds of that work, per measure and in all (import and file reading left out).
"""

import json
import sys
import time

import igraph


def pipeline(data: dict) -> dict:
    """Seconds per measure, and in all, for the measures above."""
    timings = {}
    started = time.perf_counter()
    people = data["people"]
    index = {p: i for i, p in enumerate(people)}
    arcs: dict[tuple[int, int], int] = {}
    influence: dict[tuple[int, int], int] = {}
    for source, target, kind, strength in data["ties"]:
        if source == target:
            continue
        pairs = [(source, target)] + ([(target, source)] if kind == "collaborates" else [])
        for arc in pairs:
            arcs[arc] = max(arcs.get(arc, 0), strength)
        for arc in [(target, source)] if kind == "influences" else pairs:
            influence[arc] = max(influence.get(arc, 0), strength)
    graph = igraph.Graph(
        n=len(people), edges=[(index[u], index[v]) for u, v in arcs], directed=True
    )
    graph.es["length"] = [60 // s for s in arcs.values()]
    timings["build"] = time.perf_counter() - started

    t = time.perf_counter()
    graph.betweenness(directed=True)
    timings["betweenness"] = time.perf_counter() - t
    t = time.perf_counter()
    graph.betweenness(directed=True, weights="length")
    timings["weighted_betweenness"] = time.perf_counter() - t

    t = time.perf_counter()
    undirected: dict[tuple[int, int], int] = {}
    for (u, v), s in arcs.items():
        key = (min(u, v), max(u, v))
        undirected[key] = undirected.get(key, 0) + s
    sym = igraph.Graph(n=len(people), edges=[(index[u], index[v]) for u, v in undirected])
    sym.es["weight"] = list(undirected.values())
    sym.constraint(weights="weight")
    timings["constraint"] = time.perf_counter() - t

    t = time.perf_counter()
    flow = igraph.Graph(
        n=len(people), edges=[(index[u], index[v]) for u, v in influence], directed=True
    )
    flow.es["weight"] = list(influence.values())
    flow.pagerank(weights="weight")
    timings["pagerank"] = time.perf_counter() - t

    t = time.perf_counter()
    successors = [set(s) for s in graph.get_adjlist(mode="out")]
    predecessors = graph.get_adjlist(mode="in")
    for labels in data["groups"].values():
        group = [labels.get(str(p), ("none", p)) for p in people]
        counts = [[0] * 5 for _ in people]
        for v in range(len(people)):
            gv = group[v]
            for a in predecessors[v]:
                ga = group[a]
                for b in successors[v]:
                    if a == b or b in successors[a]:
                        continue
                    gb = group[b]
                    if ga == gv == gb:
                        role = 0  # coordinator
                    elif ga == gb:
                        role = 1  # itinerant
                    elif ga == gv:
                        role = 2  # representative
                    elif gv == gb:
                        role = 3  # gatekeeper
                    else:
                        role = 4  # liaison
                    counts[v][role] += 1
    timings["brokerage"] = time.perf_counter() - t
    timings["total"] = time.perf_counter() - started
    return timings


if __name__ == "__main__":
    with open(sys.argv[1]) as f:
        print(json.dumps(pipeline(json.load(f))))
