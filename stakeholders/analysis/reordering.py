"""Reverse Cuthill-McKee ordering, exactly as scipy.sparse.csgraph computes it.

The analysis renumbers people so that neighbours get nearby numbers (the searches'
reads then mostly hit cache lines already loaded). scipy.sparse.csgraph has the
ordering, but importing it loads scipy.sparse.linalg and scipy.linalg, about a
quarter of a second before the score command can start, for this one function. This
is the same algorithm (scipy/sparse/csgraph/_reordering.pyx, version 1.18), step for
step: the same lowest-degree seeds, the same np.argsort of the degrees, the same
insertion sort of each level, so the same permutation
(tests/analysis/test_reordering.py checks it against scipy on random graphs with
many equal degrees).
"""

import numpy as np
from numba import njit


def reverse_cuthill_mckee(indices: np.ndarray, indptr: np.ndarray) -> np.ndarray:
    """The RCM permutation (int64) of a structurally symmetric CSR graph.

    Pass the arrays scipy would read, a csr_array's `indices` and `indptr`: the
    degrees are sorted in their integer type, as scipy sorts them, so that people of
    equal degree come in the same order.
    """
    n = indptr.shape[0] - 1
    if n <= 0:
        return np.zeros(0, dtype=np.int64)
    counts = np.diff(indptr)
    rows = np.repeat(np.arange(n), counts)
    # A row's degree counts its entries, and its diagonal entry (a self-loop) twice.
    on_diagonal = np.zeros(n, dtype=bool)
    on_diagonal[rows[indices == rows]] = True
    degree = (counts + on_diagonal).astype(indices.dtype)
    # np.argsort is not stable: the same call on the same integer type as scipy's
    # keeps equal degrees in scipy's order.
    inds = np.argsort(degree).astype(np.int64)
    rev_inds = np.argsort(inds).astype(np.int64)
    order = _cuthill_mckee(
        indices.astype(np.int64), indptr.astype(np.int64), degree.astype(np.int64), inds, rev_inds
    )
    return order[::-1].copy()


@njit(cache=True)
def _cuthill_mckee(ind, ptr, degree, inds, rev_inds):  # pragma: no cover - compiled
    """Cuthill-McKee from the lowest-degree person of each component (inds is spent)."""
    num_rows = ptr.shape[0] - 1
    order = np.zeros(num_rows, dtype=np.int64)
    temp_degrees = np.zeros(max(degree.max(), 1), dtype=np.int64)
    n = 0
    for zz in range(num_rows):
        if inds[zz] != -1:  # a breadth-first search from seed inds[zz]
            seed = inds[zz]
            order[n] = seed
            n += 1
            inds[rev_inds[seed]] = -1
            level_start = n - 1
            level_end = n
            while level_start < level_end:
                for ii in range(level_start, level_end):
                    i = order[ii]
                    n_old = n
                    # Unvisited neighbours, in the order the row lists them.
                    for jj in range(ptr[i], ptr[i + 1]):
                        j = ind[jj]
                        if inds[rev_inds[j]] != -1:
                            inds[rev_inds[j]] = -1
                            order[n] = j
                            n += 1
                    # Insertion sort of the newcomers, lowest degree first (stable).
                    level_len = 0
                    for kk in range(n_old, n):
                        temp_degrees[level_len] = degree[order[kk]]
                        level_len += 1
                    for kk in range(1, level_len):
                        temp = temp_degrees[kk]
                        temp2 = order[n_old + kk]
                        ll = kk
                        while ll > 0 and temp < temp_degrees[ll - 1]:
                            temp_degrees[ll] = temp_degrees[ll - 1]
                            order[n_old + ll] = order[n_old + ll - 1]
                            ll -= 1
                        temp_degrees[ll] = temp
                        order[n_old + ll] = temp2
                level_start = level_end
                level_end = n
        if n == num_rows:
            break
    return order
