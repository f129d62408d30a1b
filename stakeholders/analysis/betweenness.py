"""Brandes betweenness: unweighted with boundary betweenness in the same BFS, and weighted.

Both kernels run one search per source, in parallel over sources with
per-chunk accumulators, over a copy of the graph renumbered for memory
locality (reverse Cuthill-McKee: neighbours get nearby numbers, so the random
reads of per-vertex state mostly hit cache lines already loaded).
"""

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from numba import njit, prange

from .graph import Csr, Network, build_csr, chunk_count
from .reordering import reverse_cuthill_mckee

# Strengths 1..5 become integer lengths 60 / strength (60, 30, 20, 15, 12): exact,
# so equal-length paths compare equal, and strong ties make short paths.
LENGTH_NUMERATOR = 60


@dataclass(frozen=True)
class Renumbered:
    """The arc graph with vertex i standing for original vertex perm[i]."""

    perm: np.ndarray
    out: Csr  # val = strength

    def restore(self, values: np.ndarray) -> np.ndarray:
        """Per-vertex results back in original vertex order."""
        out = np.empty_like(values)
        out[self.perm] = values
        return out


def renumber(net: Network) -> Renumbered:
    """Renumber vertices by reverse Cuthill-McKee on the undirected tie graph."""
    n = net.n
    # As scipy's CSR holds them: the index type it picks decides how equal degrees sort.
    sym = sp.csr_array(
        (np.ones(net.sym.idx.shape[0], dtype=np.int8), net.sym.idx, net.sym.ptr), shape=(n, n)
    )
    perm = reverse_cuthill_mckee(sym.indices, sym.indptr)
    new = np.empty(n, dtype=np.int32)
    new[perm] = np.arange(n, dtype=np.int32)
    out = build_csr(n, new[net.arc_src], new[net.arc_dst], net.arc_strength)
    return Renumbered(perm=perm, out=out)


@njit(cache=True)
def _bfs_source(
    s, ptr, idx, groups, dist, sigma, part, cross, order, succ, succ_ptr, acc
):  # pragma: no cover - compiled
    """Add one source's dependencies to acc[:, 0] and, per boundary, acc[:, 1:4]."""
    dist[s] = 0
    sigma[s] = 1.0
    order[0] = s
    head, tail, ns = 0, 1, 0
    g0, g1, g2 = groups[s, 0], groups[s, 1], groups[s, 2]
    # BFS that records the shortest-path DAG's arcs, grouped by tail vertex in
    # BFS order, so the backward pass visits only those arcs.
    while head < tail:
        v = order[head]
        succ_ptr[head] = ns
        head += 1
        dv = dist[v] + 1
        sv = sigma[v]
        for e in range(ptr[v], ptr[v + 1]):
            w = idx[e]
            dw = dist[w]
            if dw < 0:
                dist[w] = dv
                sigma[w] = sv
                order[tail] = w
                tail += 1
                succ[ns] = w
                ns += 1
                # Bit b: w's group on boundary b differs from the source's.
                bits = 0
                if groups[w, 0] != g0:
                    bits |= 1
                if groups[w, 1] != g1:
                    bits |= 2
                if groups[w, 2] != g2:
                    bits |= 4
                cross[w] = bits
            elif dw == dv:
                sigma[w] += sv
                succ[ns] = w
                ns += 1
    succ_ptr[tail] = ns
    # Brandes' dependencies, farthest first: dep(v) = sigma(v) * sum over DAG
    # successors w of part(w), with part(w) = (target(w) + dep(w)) / sigma(w),
    # where target(w) is 1 for plain betweenness and the cross bit for a
    # boundary. Each DAG arc costs four additions, each vertex one division.
    for i in range(tail - 1, -1, -1):
        v = order[i]
        a0 = a1 = a2 = a3 = 0.0
        for j in range(succ_ptr[i], succ_ptr[i + 1]):
            w = succ[j]
            a0 += part[w, 0]
            a1 += part[w, 1]
            a2 += part[w, 2]
            a3 += part[w, 3]
        sv = sigma[v]
        if v != s:
            acc[v, 0] += sv * a0
            acc[v, 1] += sv * a1
            acc[v, 2] += sv * a2
            acc[v, 3] += sv * a3
        inv = 1.0 / sv
        bits = cross[v]
        part[v, 0] = inv + a0
        part[v, 1] = (bits & 1) * inv + a1
        part[v, 2] = ((bits >> 1) & 1) * inv + a2
        part[v, 3] = ((bits >> 2) & 1) * inv + a3
    for i in range(tail):
        dist[order[i]] = -1


@njit(cache=True)
def _bfs_chunk(c, nchunks, ptr, idx, groups, acc):  # pragma: no cover - compiled
    """Sources c, c + nchunks, ...: scratch arrays are reused across them."""
    n = ptr.shape[0] - 1
    dist = np.full(n, -1, np.int32)
    sigma = np.zeros(n)
    part = np.zeros((n, 4))
    cross = np.zeros(n, np.uint8)
    order = np.empty(n, np.uint32)
    succ = np.empty(idx.shape[0], np.uint32)
    succ_ptr = np.empty(n + 1, np.int64)
    for s in range(c, n, nchunks):
        _bfs_source(s, ptr, idx, groups, dist, sigma, part, cross, order, succ, succ_ptr, acc)


@njit(cache=True, parallel=True)
def _unweighted_parallel(ptr, idx, groups, nchunks):  # pragma: no cover - compiled
    """Raw betweenness (column 0) and each boundary's cross-group sums (columns 1-3)."""
    acc = np.zeros((nchunks, ptr.shape[0] - 1, 4))
    # Sources are dealt round-robin to chunks; each chunk owns its accumulators,
    # so threads never write to shared memory.
    for c in prange(nchunks):
        _bfs_chunk(c, nchunks, ptr, idx, groups, acc[c])
    return acc.sum(axis=0)


@njit(cache=True)
def _unweighted_serial(ptr, idx, groups):  # pragma: no cover - compiled
    """As _unweighted_parallel, in this thread (no thread start-up for small maps)."""
    acc = np.zeros((ptr.shape[0] - 1, 4))
    _bfs_chunk(0, 1, ptr, idx, groups, acc)
    return acc


@njit(cache=True)
def _dijkstra_source(
    s, ptr, idx, length, dist, sigma, total, order, head, queue, pred_head, preds, bc
):  # pragma: no cover - compiled
    """Add one source's dependencies to bc, with integer arc lengths."""
    mask = head.shape[0] - 1  # the ring size is a power of two: & instead of %
    dist[s] = 0
    sigma[s] = 1.0
    pred_head[s] = -1
    queue[0, 0] = s
    queue[0, 1] = -1
    head[0] = 0
    used, live, cur, tail, npred = 1, 1, 0, 0, 0
    # Dial's algorithm: lengths are integers no larger than the ring size less
    # one, so tentative distances lie within that of the current one and a ring
    # of buckets (linked lists in the queue pool: vertex, next) replaces a heap.
    while live > 0:
        b = cur & mask
        e = head[b]
        if e < 0:
            cur += 1
            continue
        head[b] = queue[e, 1]
        live -= 1
        v = queue[e, 0]
        if dist[v] != cur:
            # Stale entry: v was reached more cheaply since. Entries are pushed
            # only on a strict decrease, so a vertex is settled exactly once.
            continue
        total[v] = 0.0
        order[tail] = v
        tail += 1
        sv = sigma[v]
        for f in range(ptr[v], ptr[v + 1]):
            w = idx[f]
            nd = cur + length[f]
            dw = dist[w]
            if dw < 0 or nd < dw:
                dist[w] = nd
                sigma[w] = sv
                slot = nd & mask
                queue[used, 0] = w
                queue[used, 1] = head[slot]
                head[slot] = used
                used += 1
                live += 1
                # A shorter path replaces w's predecessor list (pool entries:
                # predecessor, next); the old entries are simply abandoned.
                preds[npred, 0] = v
                preds[npred, 1] = -1
                pred_head[w] = npred
                npred += 1
            elif nd == dw:
                sigma[w] += sv
                preds[npred, 0] = v
                preds[npred, 1] = pred_head[w]
                pred_head[w] = npred
                npred += 1
    # Farthest first, push part(w) = (1 + dep(w)) / sigma(w) to w's predecessors:
    # dep(v) = sigma(v) * total(v), total(v) being the sum of its successors' parts.
    for i in range(tail - 1, -1, -1):
        w = order[i]
        sw = sigma[w]
        dep = sw * total[w]
        if w != s:
            bc[w] += dep
        part = (1.0 + dep) / sw
        p = pred_head[w]
        while p >= 0:
            total[preds[p, 0]] += part
            p = preds[p, 1]
    for i in range(tail):
        dist[order[i]] = -1


@njit(cache=True)
def _dijkstra_chunk(c, nchunks, ptr, idx, length, maxlen, bc):  # pragma: no cover
    """Sources c, c + nchunks, ...: scratch arrays are reused across them."""
    n = ptr.shape[0] - 1
    m = idx.shape[0]
    dist = np.full(n, -1, np.int32)
    sigma = np.zeros(n)
    total = np.zeros(n)
    order = np.empty(n, np.uint32)
    ring = 1
    while ring <= maxlen:
        ring *= 2
    head = np.full(ring, -1, np.int32)
    queue = np.empty((m + 1, 2), np.int32)
    pred_head = np.full(n, -1, np.int32)
    preds = np.empty((m, 2), np.int32)
    for s in range(c, n, nchunks):
        _dijkstra_source(
            s, ptr, idx, length, dist, sigma, total, order, head, queue, pred_head, preds, bc
        )


@njit(cache=True, parallel=True)
def _weighted_parallel(ptr, idx, length, maxlen, nchunks):  # pragma: no cover - compiled
    """Raw betweenness with positive integer arc lengths up to maxlen."""
    bc = np.zeros((nchunks, ptr.shape[0] - 1))
    for c in prange(nchunks):
        _dijkstra_chunk(c, nchunks, ptr, idx, length, maxlen, bc[c])
    return bc.sum(axis=0)


@njit(cache=True)
def _weighted_serial(ptr, idx, length, maxlen):  # pragma: no cover - compiled
    """As _weighted_parallel, in this thread."""
    bc = np.zeros(ptr.shape[0] - 1)
    _dijkstra_chunk(0, 1, ptr, idx, length, maxlen, bc)
    return bc


def normalise(raw: np.ndarray) -> np.ndarray:
    """Scale directed betweenness by 1 / ((n-1)(n-2)) as networkx does (n > 2)."""
    n = raw.shape[0]
    return raw / ((n - 1) * (n - 2)) if n > 2 else raw.copy()


def _unsigned(csr: Csr) -> tuple[np.ndarray, np.ndarray]:
    """(ptr, idx) as uint32: the kernels then index without numba's negative-index
    checks (about a sixth less time for both searches, same bits)."""
    return csr.ptr.astype(np.uint32), csr.idx.astype(np.uint32)


def betweenness(graph: Renumbered, groups: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Raw unweighted betweenness and raw cross-group sums for the three boundaries.

    groups holds each original vertex's group code per boundary, shape (n, 3).
    """
    if groups.shape[1] != 3:
        raise ValueError("the betweenness kernel is written for exactly three boundaries")
    out = graph.out
    codes = np.ascontiguousarray(groups[graph.perm], dtype=np.int64)
    chunks = chunk_count(out.ptr.shape[0] - 1)
    ptr, idx = _unsigned(out)
    if chunks == 1:
        acc = _unweighted_serial(ptr, idx, codes)
    else:
        acc = _unweighted_parallel(ptr, idx, codes, chunks)
    acc = graph.restore(acc)
    return acc[:, 0].copy(), acc[:, 1:].copy()


def weighted_betweenness(graph: Renumbered) -> np.ndarray:
    """Raw betweenness with arc length 60 / strength."""
    out = graph.out
    length = (LENGTH_NUMERATOR // out.val).astype(np.int32)
    chunks = chunk_count(out.ptr.shape[0] - 1)
    ptr, idx = _unsigned(out)
    if chunks == 1:
        raw = _weighted_serial(ptr, idx, length, LENGTH_NUMERATOR)
    else:
        raw = _weighted_parallel(ptr, idx, length, LENGTH_NUMERATOR, chunks)
    return graph.restore(raw)


def boundary_betweenness(raw: np.ndarray, codes: np.ndarray) -> list[float | None]:
    """Divide the cross-group sums by the ordered cross-group pairs that exclude v."""
    n = codes.shape[0]
    sizes = np.bincount(codes)
    cross_pairs = n * n - int(np.sum(sizes.astype(np.int64) ** 2))
    # Pairs with v at either end: v -> (anyone outside v's group) and back.
    outside = n - sizes[codes]
    denominator = cross_pairs - 2 * outside
    return [
        float(r / d) if d > 0 else None
        for r, d in zip(raw.tolist(), denominator.tolist(), strict=True)
    ]
