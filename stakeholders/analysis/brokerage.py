"""Gould-Fernandez brokerage roles over open two-paths, with R sna::brokerage z-scores."""

import numpy as np
from numba import njit

from .graph import Csr

ROLES = ("coordinator", "itinerant", "representative", "gatekeeper", "liaison")
COORDINATOR, ITINERANT, REPRESENTATIVE, GATEKEEPER, LIAISON = range(5)


@njit(cache=True)
def _count(out_ptr, out_idx, in_ptr, in_idx, groups):  # pragma: no cover - compiled
    """Open two-paths a -> v -> b (a != b, no arc a -> b) by v, boundary and role."""
    n = out_ptr.shape[0] - 1
    k = groups.shape[1]
    counts = np.zeros((n, k, 5), np.int64)
    # Work is the sum over arcs a -> v of out(a) + out(v): small beside
    # betweenness, so this runs serially.
    # mark[x] == a means x is an out-neighbour of a. Marks left from an earlier
    # pass over the same a are still true, so marks are never cleared.
    mark = np.full(n, -1, np.int64)
    for v in range(n):
        for e in range(in_ptr[v], in_ptr[v + 1]):
            a = in_idx[e]
            for f in range(out_ptr[a], out_ptr[a + 1]):
                mark[out_idx[f]] = a
            for f in range(out_ptr[v], out_ptr[v + 1]):
                b = out_idx[f]
                if b == a or mark[b] == a:
                    continue
                for j in range(k):
                    ga = groups[a, j]
                    gv = groups[v, j]
                    gb = groups[b, j]
                    if ga == gv:
                        role = 0 if gv == gb else 2  # coordinator / representative
                    elif gv == gb:
                        role = 3  # gatekeeper
                    elif ga == gb:
                        role = 1  # itinerant
                    else:
                        role = 4  # liaison
                    counts[v, j, role] += 1
    return counts


def role_counts(out: Csr, into: Csr, groups: np.ndarray) -> np.ndarray:
    """Counts shaped (people, boundaries, 5 roles) in ROLES order."""
    return _count(out.ptr, out.idx, into.ptr, into.idx, groups)


def _choose2(x: np.ndarray) -> np.ndarray:
    """x choose 2 for non-negative x (0 for x < 2)."""
    return np.where(x >= 2, x * (x - 1) / 2.0, 0.0)


def role_moments(sizes: np.ndarray, arcs: int) -> tuple[np.ndarray, np.ndarray]:
    """Expectation and variance per group and role (5 roles + total), as sna computes.

    Returns arrays shaped (groups, 6). Under a Bernoulli digraph with density
    d = m / (N(N-1)), q = d^2 (1-d), c3 = d^3 (1-d)^3 (REFERENCE.md's table).
    """
    n = sizes.astype(np.float64)
    total = float(n.sum())
    g = n.shape[0]
    mean = np.zeros((g, 6))
    var = np.zeros((g, 6))
    if total < 2:
        return mean, var
    d = arcs / (total * (total - 1))
    q = d * d * (1 - d)
    c3 = d**3 * (1 - d) ** 3
    others = total - n
    pairs_in = n * (n - 1)
    triples_in = n * (n - 1) * (n - 2)
    sum_pairs = float(pairs_in.sum()) - pairs_in  # sum over j != i of n_j(n_j-1)
    sum_triples = float(triples_in.sum()) - triples_in
    sum_sq = float((n * n).sum()) - n * n

    mean[:, COORDINATOR] = q * (n - 1) * (n - 2)
    var[:, COORDINATOR] = 2 * (n - 1) * (n - 2) * (n - 3) * c3
    mean[:, ITINERANT] = q * sum_pairs
    var[:, ITINERANT] = 2 * sum_triples * c3
    mean[:, REPRESENTATIVE] = q * others * (n - 1)
    var[:, REPRESENTATIVE] = 2 * ((n - 1) * _choose2(others) + others * _choose2(n - 1)) * c3
    mean[:, GATEKEEPER] = mean[:, REPRESENTATIVE]
    var[:, GATEKEEPER] = var[:, REPRESENTATIVE]
    mean[:, LIAISON] = q * (others * others - sum_sq)
    var[:, LIAISON] = 4 * _liaison_sum(sizes) * c3
    mean[:, 5] = q * (total - 1) * (total - 2)
    var[:, 5] = 2 * (total - 1) * (total - 2) * (total - 3) * c3
    var += mean * (1 - q)
    return mean, var


def _liaison_sum(sizes: np.ndarray) -> np.ndarray:
    """sum over j != i of n_j C(N - n_j - n_i, 2), per group i.

    Groups share few distinct sizes (many singletons), so work over distinct
    sizes: O(distinct^2) rather than O(groups^2).
    """
    total = int(sizes.sum())
    distinct, count = np.unique(sizes, return_counts=True)
    di = distinct.astype(np.float64)
    # For a broker's group of size s_i, every group of size s_j counts, less the
    # broker's own group once when s_j == s_i.
    grid = di[None, :] * _choose2(total - di[None, :] - di[:, None])
    own = np.eye(distinct.shape[0])
    per_size = ((count[None, :] - own) * grid).sum(axis=1)
    return per_size[np.searchsorted(distinct, sizes)]


def role_zscores(counts: np.ndarray, codes: np.ndarray, arcs: int) -> list[list[float | None]]:
    """z = (raw - E) / sqrt(Var) per person for the 5 roles and the total; None if Var is 0."""
    sizes = np.bincount(codes)
    mean, var = role_moments(sizes, arcs)
    raw = np.concatenate([counts, counts.sum(axis=1, keepdims=True)], axis=1)
    m, v = mean[codes], var[codes]
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (raw - m) / np.sqrt(v)
    # As Python floats and None, converted in C rather than per value in Python.
    out = z.astype(object)
    out[v <= 0] = None
    return out.tolist()
