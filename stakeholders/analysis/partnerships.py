"""Partnership health between pairs of groups, including single points of failure.

Why the failure check only looks at a few people: rows exist only for pairs with
at least one cross arc. If removing v leaves no path between the remaining
members of A and B, v must be an end of every cross arc (any arc x -> y with
v not in {x, y} would survive as a path). So "removal disconnects" implies "one
person carries every cross arc", the flag is exactly the latter, and removal
is checked only for those (at most two) people per pair. One depth-first search
of the undirected tie graph serves every check: the pieces left by removing v
are DFS-number intervals, so each check counts group members in a few
intervals by binary search instead of searching the graph again.
"""

from collections.abc import Hashable, Iterator
from dataclasses import dataclass

import numpy as np
from numba import njit

from .depth_first import count_between, forest
from .graph import Grouping, Network
from .results import Analysis, PairScores


@dataclass(frozen=True)
class Dfs:
    """Depth-first forest of the undirected tie graph, with Tarjan's low points."""

    tin: np.ndarray  # preorder number; a subtree is tin[c] <= t < tout[c]
    tout: np.ndarray
    low: np.ndarray
    parent: np.ndarray  # -1 for roots
    root: np.ndarray  # root of the person's component
    child_ptr: np.ndarray  # children of v: child_idx[child_ptr[v]:child_ptr[v+1]]
    child_idx: np.ndarray

    @property
    def components(self) -> int:
        """Number of connected components, isolates included."""
        return int(np.sum(self.parent < 0))


def depth_first(net: Network) -> Dfs:
    """Run the DFS once for all boundaries."""
    _, _, tin, tout, low, parent, root, _ = forest(
        net.sym.ptr, net.sym.idx, np.ones(net.n, dtype=np.bool_)
    )
    has_parent = np.flatnonzero(parent >= 0)
    order = has_parent[np.lexsort((tin[has_parent], parent[has_parent]))]
    child_ptr = np.zeros(net.n + 1, dtype=np.int64)
    np.cumsum(np.bincount(parent[has_parent], minlength=net.n), out=child_ptr[1:])
    return Dfs(tin, tout, low, parent, root, child_ptr, order)


@njit(cache=True)
def _cuts(
    cand_v,
    cand_a,
    cand_b,
    codes,
    tin,
    tout,
    low,
    root,
    child_ptr,
    child_idx,
    members,
    sorted_tin,
    start,
):  # pragma: no cover - compiled
    """For each candidate (v, a, b): does removing v leave no path from a to b?"""
    out = np.zeros(cand_v.shape[0], np.bool_)
    for k in range(cand_v.shape[0]):
        v, a, b = cand_v[k], cand_a[k], cand_b[k]
        r = root[v]
        # Another component holding members of both keeps them linked. Each
        # component is one interval of DFS numbers, and members are sorted by
        # them, so walk the smaller group one component at a time.
        small, big = (a, b) if start[a + 1] - start[a] <= start[b + 1] - start[b] else (b, a)
        linked = False
        previous = -1
        for i in range(start[small], start[small + 1]):
            ru = root[members[i]]
            if ru == previous:
                continue  # same component as the member before
            previous = ru
            if ru == r:
                continue
            if count_between(sorted_tin, start, big, tin[ru], tout[ru]) > 0:
                linked = True
                break
        if linked:
            continue
        # Removing v splits its component into the subtree of each child c with
        # low[c] >= tin[v] (nothing there reaches above v), plus the rest.
        sep_a = 0
        sep_b = 0
        for j in range(child_ptr[v], child_ptr[v + 1]):
            c = child_idx[j]
            if low[c] < tin[v]:
                continue
            in_a = count_between(sorted_tin, start, a, tin[c], tout[c])
            in_b = count_between(sorted_tin, start, b, tin[c], tout[c])
            if in_a > 0 and in_b > 0:
                linked = True
                break
            sep_a += in_a
            sep_b += in_b
        if linked:
            continue
        rest_a = count_between(sorted_tin, start, a, tin[r], tout[r]) - sep_a - (codes[v] == a)
        rest_b = count_between(sorted_tin, start, b, tin[r], tout[r]) - sep_b - (codes[v] == b)
        out[k] = not (rest_a > 0 and rest_b > 0)
    return out


def disconnecting(
    dfs: Dfs, codes: np.ndarray, real: int, v: np.ndarray, a: np.ndarray, b: np.ndarray
) -> np.ndarray:
    """Whether removing v[k] leaves no path between the rest of groups a[k] and b[k]."""
    members = np.flatnonzero(codes < real)
    members = members[np.lexsort((dfs.tin[members], codes[members]))]
    start = np.searchsorted(codes[members], np.arange(real + 1))
    return _cuts(
        v.astype(np.int64),
        a.astype(np.int64),
        b.astype(np.int64),
        codes.astype(np.int64),
        dfs.tin,
        dfs.tout,
        dfs.low,
        dfs.root,
        dfs.child_ptr,
        dfs.child_idx.astype(np.int64),
        members.astype(np.int64),
        dfs.tin[members],
        start.astype(np.int64),
    )


def pair_scores(net: Network, grouping: Grouping, dfs: Dfs, boundary: str) -> list[PairScores]:
    """Rows for each unordered pair of real groups with at least one cross arc."""
    codes = grouping.codes.astype(np.int64)
    real = len(grouping.labels)
    ids = net.ids

    ga, gb = codes[net.arc_src], codes[net.arc_dst]
    cross = (ga != gb) & (ga < real) & (gb < real)
    src, dst = net.arc_src[cross].astype(np.int64), net.arc_dst[cross].astype(np.int64)
    ga, gb = ga[cross], gb[cross]
    lo, hi = np.minimum(ga, gb), np.maximum(ga, gb)
    arc_key = lo * real + hi
    pair_keys, arc_pair = np.unique(arc_key, return_inverse=True)
    npairs = pair_keys.shape[0]
    if npairs == 0:
        return []
    forward = ga == lo
    a_to_b = np.bincount(arc_pair[forward], minlength=npairs)
    b_to_a = np.bincount(arc_pair[~forward], minlength=npairs)
    total = a_to_b + b_to_a

    # Strength and trust are properties of relationships, so average those
    # (a collaboration counts once, not once per arc).
    rs, rd = codes[net.rel_src], codes[net.rel_dst]
    rel_cross = (rs != rd) & (rs < real) & (rd < real)
    rel_pair = np.searchsorted(
        pair_keys, np.minimum(rs, rd)[rel_cross] * real + np.maximum(rs, rd)[rel_cross]
    )
    relationships = np.bincount(rel_pair, minlength=npairs)
    strength_sum = np.bincount(rel_pair, weights=net.rel_strength[rel_cross], minlength=npairs)
    trust = net.rel_trust[rel_cross]
    known = trust > 0
    trust_n = np.bincount(rel_pair[known], minlength=npairs)
    trust_sum = np.bincount(rel_pair[known], weights=trust[known], minlength=npairs)

    # Reciprocity: of the person pairs across the boundary joined by any arc,
    # the share joined both ways (arcs are unique, so two arcs = both ways).
    n = net.n
    person_key = np.minimum(src, dst) * n + np.maximum(src, dst)
    _, first, arcs_per = np.unique(person_key, return_index=True, return_counts=True)
    connected = np.bincount(arc_pair[first], minlength=npairs)
    mutual = np.bincount(arc_pair[first[arcs_per == 2]], minlength=npairs)

    # Carriers: people at either end of a cross arc. Someone at an end of every
    # cross arc of the pair is a single point of failure.
    end_key = np.concatenate([arc_pair, arc_pair]) * n + np.concatenate([src, dst])
    ends, ends_count = np.unique(end_key, return_counts=True)
    end_pair, end_person = ends // n, ends % n
    carrier_ptr = np.searchsorted(end_pair, np.arange(npairs + 1))
    sole = ends_count == total[end_pair]

    failing = np.flatnonzero(sole)
    pair_of = end_pair[failing]
    cuts = disconnecting(
        dfs, codes, real, end_person[failing], pair_keys[pair_of] // real, pair_keys[pair_of] % real
    )
    person_ids = ids[end_person].tolist()
    sole_list = sole.tolist()
    cut_of = dict(zip(failing.tolist(), cuts.tolist(), strict=True))
    mean_trust = np.where(trust_n > 0, trust_sum / np.maximum(trust_n, 1), np.nan).tolist()
    columns = zip(
        pair_keys.tolist(),
        a_to_b.tolist(),
        b_to_a.tolist(),
        relationships.tolist(),
        (strength_sum / relationships).tolist(),
        mean_trust,
        connected.tolist(),
        (mutual / connected).tolist(),
        carrier_ptr[:-1].tolist(),
        carrier_ptr[1:].tolist(),
        strict=True,
    )
    rows = []
    for key, ab, ba, rels, strength, trust_mean, pairs, recip, lo_end, hi_end in columns:
        a, b = divmod(key, real)
        ends = range(lo_end, hi_end)
        failure = tuple(person_ids[e] for e in ends if sole_list[e])
        rows.append(
            PairScores(
                boundary=boundary,
                group_a=grouping.labels[a],
                group_b=grouping.labels[b],
                arcs_a_to_b=ab,
                arcs_b_to_a=ba,
                relationships=rels,
                mean_strength=strength,
                mean_trust=None if trust_mean != trust_mean else trust_mean,
                connected_person_pairs=pairs,
                reciprocity=recip,
                # Ids are sorted like indices, so these tuples come out sorted.
                carriers=tuple(person_ids[lo_end:hi_end]),
                single_point_of_failure=bool(failure),
                failure_people=failure,
                disconnecting_people=tuple(
                    person_ids[e] for e in ends if sole_list[e] and cut_of[e]
                ),
            )
        )
    return rows


def untied_pairs(analysis: Analysis, boundary: str) -> Iterator[tuple[Hashable, Hashable]]:
    """Pairs of non-empty groups with no tie between them, in sorted order (lazily)."""
    groups = analysis.summaries[boundary].groups
    tied = {(row.group_a, row.group_b) for row in analysis.pairs[boundary]}
    for i, a in enumerate(groups):
        for b in groups[i + 1 :]:
            if (a, b) not in tied:
                yield (a, b)
