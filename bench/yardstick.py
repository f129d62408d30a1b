"""A score run beside the igraph yardstick (#16), side by side on the same workspace.

Runs bench/igraph_peer.py with an interpreter that has python-igraph: BENCH_IGRAPH_PYTHON,
else .bench-igraph/bin/python (`make igraph-peer`). Without one it says so and
the networkx ratio at 1,000 people stands. Otherwise, RUNS times in turn: a
whole `manage.py score --force` process (its wall time, and the work the run
records: load, analyse, layout, key people, store) and the peer (the work it
records). Medians, and the ratios the issue sets: the run's work at most a
third of igraph's, the whole process at most a half.
"""

import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNS = 3
WORK_TARGET = 1 / 3
PROCESS_TARGET = 1 / 2
STAGE = re.compile(r"(\w+) (\d+\.\d+) s")


def peer_python() -> str | None:
    """The interpreter with python-igraph, or None."""
    chosen = os.environ.get("BENCH_IGRAPH_PYTHON")
    if chosen:
        return chosen
    default = ROOT / ".bench-igraph" / "bin" / "python"
    return str(default) if default.exists() else None


def _score_process(slug: str, env: dict) -> tuple[float, float]:
    """(wall seconds of a whole score process, seconds of work the run recorded)."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "score", "--workspace", slug, "--force"],
        env=env, cwd=ROOT, check=True, capture_output=True, text=True,
    )  # fmt: skip
    wall = time.perf_counter() - started
    stages = STAGE.findall(done.stdout)
    if not stages:
        raise RuntimeError(f"score printed no timings: {done.stdout!r}")
    return wall, sum(float(seconds) for _, seconds in stages)


def _peer(python: str, path: str) -> dict:
    done = subprocess.run(
        [python, str(ROOT / "bench" / "igraph_peer.py"), path],
        cwd=ROOT, check=True, capture_output=True, text=True,
    )  # fmt: skip
    return json.loads(done.stdout.strip().splitlines()[-1])


def time_yardstick(slug: str, env: dict) -> str:
    """Lines to print: the score run beside igraph on workspace `slug`."""
    python = peer_python()
    if python is None:
        return (
            "        igraph yardstick: not installed (`make igraph-peer`, or set "
            "BENCH_IGRAPH_PYTHON); the networkx ratio at 1,000 people stands\n"
        )
    version = subprocess.run(
        [python, "-c", "import igraph; print(igraph.__version__)"],
        check=True, capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="influence-map-peer-") as tmp:
        path = str(Path(tmp) / "network.json")
        subprocess.run(
            [sys.executable, "-m", "bench", "--dump", slug, path],
            env=env, cwd=ROOT, check=True, capture_output=True,
        )  # fmt: skip
        walls, works, peers = [], [], []
        for _ in range(RUNS):
            wall, work = _score_process(slug, env)
            walls.append(wall)
            works.append(work)
            peers.append(_peer(python, path))
    peer = {k: statistics.median(p[k] for p in peers) for k in peers[0]}
    wall, work = statistics.median(walls), statistics.median(works)
    parts = ", ".join(f"{k} {v:.2f}" for k, v in peer.items() if k != "total")
    return (
        f"        igraph {version} (same workspace, median of {RUNS} in turn): its work "
        f"{peer['total']:.2f} s ({parts})\n"
        f"          score run's recorded work {work:.2f} s = {work / peer['total']:.2f} "
        f"of igraph's (target at most {WORK_TARGET:.2f})\n"
        f"          whole `manage.py score` process {wall:.2f} s = "
        f"{wall / peer['total']:.2f} of igraph's work (target at most {PROCESS_TARGET:.2f})\n"
    )
