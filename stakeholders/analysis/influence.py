"""Influence as PageRank on the influence digraph, matching networkx.pagerank."""

import numpy as np
import scipy.sparse as sp

ALPHA = 0.85
# networkx stops at an L1 change below n * 1e-6, too loose to agree to 1e-9; the
# error after a step is at most alpha / (1 - alpha) times the change, so 1e-13
# keeps it below 1e-12.
TOLERANCE = 1e-13
MAX_ITERATIONS = 10_000


def pagerank(n: int, src: np.ndarray, dst: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """PageRank, alpha 0.85, arc weights; dangling mass spread uniformly as networkx does."""
    if n == 0:
        return np.zeros(0)
    out_weight = np.bincount(src, weights=weight, minlength=n).astype(np.float64)
    # Row-stochastic transition matrix P: P[u, v] = w_uv / sum_x w_ux.
    share = weight / out_weight[src]
    transpose = sp.csr_array((share, (dst, src)), shape=(n, n))
    dangling = out_weight == 0
    x = np.full(n, 1.0 / n)
    for _ in range(MAX_ITERATIONS):
        previous = x
        x = ALPHA * (transpose @ x + previous[dangling].sum() / n) + (1 - ALPHA) / n
        if np.abs(x - previous).sum() < TOLERANCE:
            break
    return x
