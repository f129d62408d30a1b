"""Burt's constraint and effective size on mutual strengths z_ij = a_ij + a_ji."""

import numpy as np
from numba import njit

from .graph import Csr


@njit(cache=True)
def _holes(ptr, idx, z, total, biggest):  # pragma: no cover - compiled
    """Constraint and effective size per node; NaN for isolates."""
    n = ptr.shape[0] - 1
    constraint = np.full(n, np.nan)
    effective = np.full(n, np.nan)
    # Work is the sum of squared degrees: small beside betweenness, so serial.
    mark = np.full(n, -1, np.int64)
    indirect = np.zeros(n)
    for i in range(n):
        lo, hi = ptr[i], ptr[i + 1]
        if lo == hi:
            continue
        for e in range(lo, hi):
            mark[idx[e]] = i
            indirect[idx[e]] = 0.0
        # Two steps i -> q -> j with j also a contact of i feed both measures:
        # p_iq p_qj into j's indirect constraint, p_iq m_jq into redundancy.
        redundancy = 0.0
        for e in range(lo, hi):
            q = idx[e]
            p_iq = z[e] / total[i]
            for f in range(ptr[q], ptr[q + 1]):
                j = idx[f]
                if mark[j] == i:
                    indirect[j] += p_iq * z[f] / total[q]
                    redundancy += p_iq * z[f] / biggest[j]
        con = 0.0
        for e in range(lo, hi):
            j = idx[e]
            s = z[e] / total[i] + indirect[j]
            con += s * s
        constraint[i] = con
        effective[i] = (hi - lo) - redundancy
    return constraint, effective


def structural_holes(sym: Csr) -> tuple[np.ndarray, np.ndarray]:
    """Burt's constraint and effective size (NaN for isolates)."""
    n = sym.ptr.shape[0] - 1
    rows = np.repeat(np.arange(n), np.diff(sym.ptr))
    total = np.bincount(rows, weights=sym.val, minlength=n)
    biggest = np.zeros(n)
    np.maximum.at(biggest, rows, sym.val)
    z = sym.val.astype(np.float64)
    return _holes(sym.ptr, sym.idx, z, total, biggest)
