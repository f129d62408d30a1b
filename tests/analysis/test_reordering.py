"""Our reverse Cuthill-McKee gives scipy.sparse.csgraph's permutation, tie for tie."""

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.sparse.csgraph import reverse_cuthill_mckee as scipy_rcm

from stakeholders.analysis.reordering import reverse_cuthill_mckee


def _random_symmetric(rng, n: int, edges: int, loops: int = 0, shuffle: bool = False):
    """A structurally symmetric CSR array: few distinct degrees, so many ties."""
    a = rng.integers(0, n, edges)
    b = rng.integers(0, n, edges)
    keep = a != b
    a, b = a[keep], b[keep]
    selves = rng.integers(0, n, loops)
    rows = np.concatenate([a, b, selves])
    cols = np.concatenate([b, a, selves])
    matrix = sp.coo_array((np.ones(len(rows), dtype=np.int8), (rows, cols)), shape=(n, n)).tocsr()
    matrix.sum_duplicates()
    if shuffle:
        # Rows listing their neighbours out of order, as a csr_array built from raw
        # arrays may: the search follows the row order, whatever it is.
        indices = matrix.indices.copy()
        for r in range(n):
            rng.shuffle(indices[matrix.indptr[r] : matrix.indptr[r + 1]])
        matrix = sp.csr_array((matrix.data, indices, matrix.indptr), shape=(n, n))
    return matrix


@pytest.mark.parametrize("index_dtype", [np.int32, np.int64])
def test_same_permutation_as_scipy_on_random_graphs(index_dtype):
    rng = np.random.default_rng(16)
    for trial in range(300):
        n = int(rng.integers(1, 400 if trial % 10 else 3000))
        # From almost empty (isolated people, many components) to dense.
        edges = int(rng.integers(0, 4 * n + 1))
        matrix = _random_symmetric(
            rng, n, edges, loops=int(rng.integers(0, 4)), shuffle=bool(trial % 3 == 0)
        )
        matrix.indices = matrix.indices.astype(index_dtype)
        matrix.indptr = matrix.indptr.astype(index_dtype)
        expected = scipy_rcm(matrix, symmetric_mode=True)
        got = reverse_cuthill_mckee(matrix.indices, matrix.indptr)
        assert got.dtype == np.int64
        assert np.array_equal(got, expected), (trial, n, edges)


def test_same_permutation_on_shapes_full_of_equal_degrees():
    rng = np.random.default_rng(5)
    n = 500
    star = [(0, i) for i in range(1, n)]
    ring = [(i, (i + 1) % n) for i in range(n)]
    grid = [(i, i + 1) for i in range(n - 1) if (i + 1) % 20] + [(i, i + 20) for i in range(n - 20)]
    pairs = [(2 * i, 2 * i + 1) for i in range(n // 2)]
    for shape in (star, ring, grid, pairs, []):
        order = rng.permutation(n)  # the same shape under another numbering
        for relabel in (np.arange(n), order):
            a = np.array([relabel[x] for x, _ in shape], dtype=np.int64)
            b = np.array([relabel[y] for _, y in shape], dtype=np.int64)
            matrix = sp.coo_array(
                (np.ones(2 * len(a), dtype=np.int8), (np.r_[a, b], np.r_[b, a])), shape=(n, n)
            ).tocsr()
            expected = scipy_rcm(matrix, symmetric_mode=True)
            assert np.array_equal(reverse_cuthill_mckee(matrix.indices, matrix.indptr), expected)


def test_an_empty_graph_has_an_empty_ordering():
    matrix = sp.csr_array((0, 0), dtype=np.int8)
    assert reverse_cuthill_mckee(matrix.indices, matrix.indptr).tolist() == []


def test_the_analysis_renumbers_as_scipy_did():
    # The two callers, on the arrays they build: betweenness (engine) and key people.
    from stakeholders.analysis import Tie
    from stakeholders.analysis.betweenness import renumber
    from stakeholders.analysis.graph import build_network
    from stakeholders.analysis.inputs import DEFAULT_OPTIONS
    from stakeholders.analysis.key_people import _prepare, _renumbered

    rng = np.random.default_rng(3)
    people = list(range(1, 301))
    ties = []
    for _ in range(700):
        a, b = (int(x) for x in rng.choice(people, 2, replace=False))
        ties.append(Tie(a, b, "collaborates", int(rng.integers(1, 6))))
    net = build_network(people, ties, DEFAULT_OPTIONS)
    sym = sp.csr_array(
        (np.ones(net.sym.idx.shape[0], dtype=np.int8), net.sym.idx, net.sym.ptr),
        shape=(net.n, net.n),
    )
    assert np.array_equal(renumber(net).perm, scipy_rcm(sym, symmetric_mode=True))

    keys_net = _prepare(people, {}, ties)
    adjacency = sp.csr_array(
        (np.ones(keys_net.idx.shape[0], dtype=np.int8), keys_net.idx, keys_net.ptr),
        shape=(keys_net.n, keys_net.n),
    )
    perm, _, _ = _renumbered(keys_net)
    assert np.array_equal(perm, scipy_rcm(adjacency, symmetric_mode=True))
