"""Depth-first search of a simple undirected graph: numbering, low points, cut pieces.

One kernel for partnerships (bridges: a tree edge (p, c) is one when low[c] > tin[p])
and key people (cut vertices: removing p cuts off c's subtree when low[c] >= tin[p],
always for a root). Low points leave out the tree edge to the parent, so both
tests are exact on a simple graph (no repeated edges).
"""

import numpy as np
from numba import njit


@njit(cache=True)
def forest(ptr, idx, alive):  # pragma: no cover - compiled
    """DFS forest of the alive people, and the pair sum after each one's removal.

    Returns total = sum_k s_k (s_k - 1) over the alive graph's components,
    after[v] = the same sum once v also leaves (-1 for people not alive), and
    the DFS arrays (tin, tout, low, parent, root, size).
    """
    n = ptr.shape[0] - 1
    tin = np.full(n, -1, np.int64)
    tout = np.zeros(n, np.int64)
    low = np.zeros(n, np.int64)
    parent = np.full(n, -1, np.int64)
    root = np.full(n, -1, np.int64)
    size = np.ones(n, np.int64)
    sep = np.zeros(n, np.int64)  # people in the pieces cut off below v
    sepsq = np.zeros(n, np.int64)  # sum of p (p - 1) over those pieces
    nxt = ptr[:-1].copy()
    stack = np.empty(max(n, 1), np.int64)
    total = 0
    t = 0
    for r in range(n):
        if not alive[r] or tin[r] >= 0:
            continue
        tin[r] = t
        low[r] = t
        t += 1
        root[r] = r
        top = 0
        stack[0] = r
        while top >= 0:
            v = stack[top]
            if nxt[v] < ptr[v + 1]:
                w = idx[nxt[v]]
                nxt[v] += 1
                if not alive[w]:
                    continue
                if tin[w] < 0:
                    parent[w] = v
                    tin[w] = t
                    low[w] = t
                    t += 1
                    root[w] = r
                    top += 1
                    stack[top] = w
                elif w != parent[v] and tin[w] < low[v]:
                    low[v] = tin[w]
            else:
                tout[v] = t
                top -= 1
                p = parent[v]
                if p >= 0:
                    size[p] += size[v]
                    if low[v] < low[p]:
                        low[p] = low[v]
                    if low[v] >= tin[p]:
                        # Nothing below v reaches above p: removing p cuts v's
                        # subtree off as a piece of its own (always, for a root).
                        sep[p] += size[v]
                        sepsq[p] += size[v] * (size[v] - 1)
        total += size[r] * (size[r] - 1)
    after = np.full(n, -1, np.int64)
    for v in range(n):
        if alive[v]:
            c = size[root[v]]
            rest = c - 1 - sep[v]
            after[v] = total - c * (c - 1) + sepsq[v] + rest * (rest - 1)
    return total, after, tin, tout, low, parent, root, size


@njit(cache=True)
def count_between(sorted_tin, start, group, lo, hi):  # pragma: no cover - compiled
    """Members of group whose DFS number lies in [lo, hi) (a subtree's range)."""
    tins = sorted_tin[start[group] : start[group + 1]]
    return np.searchsorted(tins, hi) - np.searchsorted(tins, lo)
