"""Key people: what the network loses when someone leaves (KPP-Neg, Borgatti 2006).

Everything here works on the undirected simple collapse of every tie given (any
kind, any strength; self-ties dropped). For n remaining people with component
sizes s_k (isolates are components of one):

- fragmentation F = 1 - sum_k s_k (s_k - 1) / (n (n - 1));
- distance fragmentation DF = 1 - (sum over ordered i != j of 1 / d_ij) / (n (n - 1)),
  1 / d = 0 when unreachable (DF is 1 - the global efficiency of what remains).

With fewer than two people remaining both are defined as 0.0 (there is no pair
to fragment). A group pair (A, B), A != B, on one boundary "has a path" when
some remaining a in A and b in B are connected, and "has a route of at most two
steps" when some remaining a, b have d(a, b) <= 2. A removal reports the pairs
that had one before and have none after; a pair where either group has no
remaining member is never reported (nobody is left to be cut off). People
missing from a boundary's map have no group and count for no pair.

How it is fast enough for every person at once (5,000 people, ~20,000 ties):

- F for everyone from one depth-first search: removing v splits its component
  into the subtrees of the DFS children c with low(c) >= tin(v), plus the rest,
  so the new component sizes are known without searching again.
- DF exactly, from one breadth-first search per source s (on a copy renumbered
  by reverse Cuthill-McKee, for cache locality). In s's shortest-path DAG,
  removing v lengthens d(s, t) exactly when v dominates t (every shortest path
  to t passes v), so the loss is a sum over the dominator tree, built during
  the search (idom(t) = the tree LCA of t's predecessors). What each dominated
  t loses depends on its stretch d' - d: masks over t's chain of dominators
  give, for every dominator at once, whether the stretch is 1, 2 or 3 (a
  recurrence over t's neighbours, see _df_source); articulation points that cut
  t off are read from the depth-first pieces; the rare stretch of 4 or more is
  measured by a small BFS among just those people. Chains deeper than 63, or
  too many far-stretched people, fall back to re-measuring each dominated
  subtree by BFS, which is exact but slower. People with the same closed
  neighbourhood (closed twins: a team who all know each other and the same
  outsiders) search alike, so one search counts for each such class.
- removal() needs two sums of 1/d only (before and after), from a bit-parallel
  BFS: 64 sources share each machine word.
- Paths lost between groups: only v's component changes, and a lost pair must
  have a group outside the largest piece left, so only the smaller pieces are
  scanned.
- Routes of <= 2 steps lost: each pair of people within two steps witnesses a
  route; removing v kills the witness only if v is one of its ends, or its
  middle when they are not adjacent and have exactly one common neighbour. A
  group pair is lost for v when v kills every witness: intersect the killers
  over the witnesses, one group at a time.
- Key sets (KPP-Neg, maximise F after removing k people): exhaustive when
  C(n, k - 1) * (n + 2m) <= EXHAUSTIVE_STEPS (every (k-1)-subset is removed and
  one DFS scores every possible k-th member), otherwise greedy (add the person
  whose removal gives the largest F, ties by smallest id) then swaps: every
  (member, non-member) exchange is scored (one DFS per member), the best
  strictly improving one is made (ties: smallest member id, then smallest
  entrant id) until none improves F. The result is a local optimum, not a
  guaranteed optimum; `KeySet.method` says which search ran.

Parallel kernels deal sources to a fixed number of chunks (not one per thread)
and sum the chunks in order, so results are bit-identical whatever the thread
count.
"""

from collections.abc import Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from math import comb

import numba
import numpy as np
import scipy.sparse as sp
from numba import njit, prange

from .depth_first import count_between, forest
from .graph import PARALLEL_MIN_PEOPLE, build_grouping
from .inputs import Tie
from .reordering import reverse_cuthill_mckee

# Exhaustive key-set search runs when C(n, k - 1) DFS passes over n + 2m entries
# stay under this many steps (about a tenth of a second).
EXHAUSTIVE_STEPS = 20_000_000

# Sources are dealt round-robin to this many chunks; fixed so that the order of
# floating-point sums does not depend on the machine's thread count.
CHUNKS = 32

# Distance-fragmentation increases are ranked at this resolution, so values that
# are equal in exact arithmetic tie (and fall to the person id) despite rounding.
RANK_DECIMALS = 12

Pairs = dict[str, tuple[tuple[str, str], ...]]

# _LOW_BITS[k]: bits 1..k set (dominator depths 1..k in the stretch masks).
_LOW_BITS = np.array([((1 << (k + 1)) - 2) for k in range(64)], dtype=np.uint64)

# Per-person records of the distance kernel (see _df_source): records rather than
# 2-D arrays, so that a field is a fixed offset from the person (no multiply by a
# row stride read at run time), and what is read together shares a cache line.
# Their fields hold people, distances and depths (each below n, or -1): 16 bits
# while n allows, which halves what the search reads at random.
_NODE = {w: np.dtype([("dist", w), ("idom", w)]) for w in (np.int16, np.int32)}
_INFO = {w: np.dtype([("dep", w), ("c1", w), ("c2", w), ("c3", w)]) for w in (np.int16, np.int32)}
SHORT_RECORDS_MAX = int(np.iinfo(np.int16).max)  # most people the 16-bit records hold
_MASKS = np.dtype([("s1", np.uint64), ("s2", np.uint64), ("s3", np.uint64), ("full", np.uint64)])


@dataclass(frozen=True)
class Removal:
    """What the network loses if `removed` people leave."""

    removed: tuple[int, ...]
    fragmentation_before: float  # F of the whole network (all people)
    fragmentation_after: float  # F of the remaining people
    distance_fragmentation_before: float  # DF of the whole network
    distance_fragmentation_after: float  # DF of the remaining people
    # boundary -> sorted group pairs (g1 < g2) that had a path and have none after
    disconnected_pairs: dict[str, tuple[tuple[str, str], ...]]
    # boundary -> sorted group pairs that had a route of <= 2 steps and have none
    # after (whether or not still connected)
    distant_pairs: dict[str, tuple[tuple[str, str], ...]]


@dataclass(frozen=True)
class KeyPerson:
    """What the network loses if this person alone leaves."""

    person: int
    fragmentation: float  # F if they alone leave
    distance_fragmentation: float  # DF if they alone leave
    fragmentation_increase: float  # fragmentation - F before
    distance_fragmentation_increase: float
    disconnected_pairs: dict[str, tuple[tuple[str, str], ...]]
    distant_pairs: dict[str, tuple[tuple[str, str], ...]]


@dataclass(frozen=True)
class KeySet:
    """The k people whose joint departure fragments the network most (KPP-Neg)."""

    size: int
    people: tuple[int, ...]  # sorted ids
    fragmentation: float  # F after removing them
    method: str  # "exhaustive" or "greedy with swaps"


@dataclass(frozen=True)
class KeyPeople:
    """Every person's removal scored, and the most fragmenting sets."""

    fragmentation: float  # before anyone leaves
    distance_fragmentation: float
    # every person, ranked: fragmentation_increase desc, then
    # distance_fragmentation_increase desc, then person id asc
    people: tuple[KeyPerson, ...]
    sets: tuple[KeySet, ...]  # one per requested size that is < number of people


# --------------------------------------------------------------------------
# Kernels
# --------------------------------------------------------------------------
# People read back from the int32 scratch rows (order, todo, node idoms) are cast to
# uint32 as they are loaded: numba then indexes with them without checking for a
# negative index (about 7% of the distance kernel's time, same bits).


@njit(cache=True)
def _sort_seeds(sval, snode, k):  # pragma: no cover - compiled
    """Sort the first k seeds by value (stable)."""
    if k <= 24:
        for i in range(1, k):
            x, y = sval[i], snode[i]
            j = i - 1
            while j >= 0 and sval[j] > x:
                sval[j + 1] = sval[j]
                snode[j + 1] = snode[j]
                j -= 1
            sval[j + 1] = x
            snode[j + 1] = y
    else:
        o = np.argsort(sval[:k], kind="mergesort")
        v2 = sval[:k][o]
        n2 = snode[:k][o]
        sval[:k] = v2
        snode[:k] = n2


@njit(cache=True)
def _lca(a, b, node, info):  # pragma: no cover - compiled
    """Lowest common ancestor in the dominator tree (info[:].dep is the depth)."""
    while info[a].dep > info[b].dep:
        a = np.uint32(node[a].idom)
    while info[b].dep > info[a].dep:
        b = np.uint32(node[b].idom)
    while a != b:
        a = np.uint32(node[a].idom)
        b = np.uint32(node[b].idom)
    return a


@njit(cache=True)
def _preorder(s, tail, order, node, size, pre, nxt, node_at):  # pragma: no cover - compiled
    """Dominator subtree sizes and a preorder: D(v) is node_at[pre(v)+1 : pre(v)+size(v)]."""
    for i in range(tail):
        size[order[i]] = 1
    for i in range(tail - 1, 0, -1):
        t = order[i]
        size[node[t].idom] += size[t]
    pre[s] = 0
    nxt[s] = 1
    node_at[0] = s
    for i in range(1, tail):
        t = order[i]
        p = node[t].idom
        pre[t] = nxt[p]
        nxt[p] += size[t]
        nxt[t] = pre[t] + 1
        node_at[pre[t]] = t


@njit(cache=True)
def _seeded_search(ptr, idx, key, lo, hi, nd, sval, snode, k, qn, qd):  # pragma: no cover
    """BFS from k seeds at varying distances, among the people u with lo < key[u] < hi.

    nd[x] becomes x's distance (its members start at -1). The seeds are sorted,
    then merged with the FIFO queue, whose values never decrease.
    """
    if k == 0:
        return
    _sort_seeds(sval, snode, k)
    sp, qh, qt = 0, 0, 0
    while sp < k or qh < qt:
        if qh < qt and (sp >= k or qd[qh] <= sval[sp]):
            x = qn[qh]
            dx = qd[qh]
            qh += 1
        else:
            x = snode[sp]
            dx = sval[sp]
            sp += 1
        if nd[x] >= 0:
            continue
        nd[x] = dx
        for e in range(ptr[x], ptr[x + 1]):
            u = idx[e]
            if lo < key[u] < hi and nd[u] < 0:
                qn[qt] = u
                qd[qt] = dx + 1
                qt += 1


@njit(cache=True)
def _region_loss(
    v, ptr, idx, inv, node, size, pre, node_at, nd, sval, snode, qn, qd
):  # pragma: no cover - compiled
    """Exactly what removing v costs the source: sum over t in D(v) of 1/d - 1/d'."""
    lo = pre[v]
    hi = lo + size[v]
    if hi - lo == 2:
        # One dominated person (often a leaf): its best way round v.
        t = node_at[lo + 1]
        best = -1
        for e in range(ptr[t], ptr[t + 1]):
            u = idx[e]
            if u != v and (best < 0 or node[u].dist + 1 < best):
                best = node[u].dist + 1
        return inv[node[t].dist] - (inv[best] if best > 0 else 0.0)
    # Seeds: a dominated t next to someone outside v's subtree (not v) can be
    # reached through them, and their distances do not change.
    k = 0
    for j in range(lo + 1, hi):
        t = node_at[j]
        nd[t] = -1
        best = -1
        for e in range(ptr[t], ptr[t + 1]):
            u = idx[e]
            pu = pre[u]
            if pu >= lo and pu < hi:
                continue
            if best < 0 or node[u].dist + 1 < best:
                best = node[u].dist + 1
        if best > 0:
            sval[k] = best
            snode[k] = t
            k += 1
    _seeded_search(ptr, idx, pre, lo, hi, nd, sval, snode, k, qn, qd)
    lost = 0.0
    for j in range(lo + 1, hi):
        t = node_at[j]
        lost += inv[node[t].dist]
        if nd[t] > 0:
            lost -= inv[nd[t]]
    return lost


@njit(cache=True)
def _piece(x, v, tin, tout, sep_ptr, sep_child):  # pragma: no cover - compiled
    """Which piece of (x's component minus v) holds x: a cut-off child of v, or -1 (the rest)."""
    if not (tin[v] < tin[x] < tout[v]):
        return -1
    lo, hi = sep_ptr[v], sep_ptr[v + 1]
    while lo < hi:  # last separated child starting at or before x
        mid = (lo + hi) // 2
        if tin[sep_child[mid]] <= tin[x]:
            lo = mid + 1
        else:
            hi = mid
    if lo == sep_ptr[v]:
        return -1
    c = sep_child[lo - 1]
    return c if tin[x] < tout[c] else -1


@njit(cache=True)
def _source_piece(s, v, tin, tout, sep_ptr, sep_child, pc_src, pc_val):  # pragma: no cover
    """_piece(s, v), cached per source."""
    if pc_src[v] != s:
        pc_src[v] = s
        pc_val[v] = _piece(s, v, tin, tout, sep_ptr, sep_child)
    return pc_val[v]


@njit(cache=True)
def _df_source(
    s, times, ptr, idx, inv, gain, low, tin, tout, sep_ptr, sep_child, w, node, info, masks, sub,
    corr, flist, qn, qd, loss,
):  # fmt: skip  # pragma: no cover - compiled
    """One source: returns its sum of 1/d, and adds to loss[v] what removing v costs it
    (times over: s stands for that many sources, see _closed_twins).

    Removing v lengthens d(s, t) exactly for the t that v dominates in the
    shortest-path DAG. Their stretch d' - d is read from masks over t's chain
    of dominators (bit k: the dominator at depth k): S_j(t) holds those whose
    removal stretches t by at most j. From t's neighbours y one level up
    (predecessors), level (siblings) or down (successors),
    stretch(t) = min over y != v of stretch(y) + 0, 1 or 2, and y outside
    v's subtree has stretch 0; predecessors come earlier in BFS order and the
    others use the previous mask, so S_1 (computed during the search), S_2 and
    S_3 are exact. Cut-off people (v separates them from s) come from the
    depth-first pieces; anything else (stretch 4 or more) is measured by a BFS
    of v's subtree.
    """
    order = w[0]
    nd, sval, snode, todo, fhead, mark = w[5], w[6], w[7], w[8], w[9], w[10]
    pc_src, pc_val = w[11], w[12]
    # node[x]: distance from s and idom, side by side (the search reads both).
    # info[x]: depth in the dominator tree, then x's dominators at depths 1, 2
    # and 3 (x itself at its own depth, -1 beyond): one cache line per person.
    # masks[x]: S_1, S_2 and S_3, then (for the people in todo) all of x's
    # dominators' bits, also one cache line. Left unwritten (stale) for people
    # whose idom is s, whose masks are all 0: readers skip them.
    zero = np.uint64(0)
    one = np.uint64(1)
    node[s].dist = 0
    order[0] = s
    node[s].idom = s
    info[s].dep = 0
    info[s].c1 = -1
    info[s].c2 = -1
    info[s].c3 = -1
    head, tail = 0, 1
    ntodo = 0
    reach = 0.0
    too_deep = False
    while head < tail:
        v = np.uint32(order[head])
        head += 1
        dv = node[v].dist
        # v's predecessors are all dequeued, so its idom is final: finish v.
        p = np.uint32(node[v].idom)
        full = zero
        if v != s:
            dep = info[p].dep + 1
            info[v].dep = dep
            info[v].c1 = v if dep == 1 else info[p].c1
            info[v].c2 = v if dep == 2 else (info[p].c2 if dep > 2 else -1)
            info[v].c3 = v if dep == 3 else (info[p].c3 if dep > 3 else -1)
            reach += inv[np.uint32(dv)]
            if dep > 63:
                too_deep = True
            elif p != s:
                full = low[dep - 1]
        m = zero
        dn = dv + 1
        if p == s:
            # v's only dominator is s (or v is s): nothing to mask, and a
            # successor with another predecessor is dominated by s alone.
            for e in range(ptr[v], ptr[v + 1]):
                x = idx[e]
                dx = node[x].dist
                if dx < 0:
                    node[x].dist = dn
                    order[np.uint32(tail)] = x
                    tail += 1
                    node[x].idom = v
                elif dx == dn:
                    node[x].idom = v if node[x].idom == v else s
            continue  # masks[v] stays unwritten: readers skip people whose idom is s
        # One scan serves the search (successors), the dominator tree and S_1
        # (predecessors, and siblings outside the dominator's subtree).
        c1, c2, c3 = info[v].c1, info[v].c2, info[v].c3
        not1, not2 = full & ~low[1], full & ~low[2]
        for e in range(ptr[v], ptr[v + 1]):
            x = idx[e]
            dx = node[x].dist
            if dx < 0:
                node[x].dist = dn
                order[np.uint32(tail)] = x
                tail += 1
                node[x].idom = v
            elif dx == dn:
                a = np.uint32(node[x].idom)
                if a != s and a != v:
                    if info[a].dep == 1:
                        node[x].idom = a if c1 == a else s
                    # Both at depth 2 or more: compare chains from the top.
                    elif info[a].c1 != c1:
                        node[x].idom = s
                    elif info[a].c2 != c2:
                        node[x].idom = c1
                    elif info[a].c3 != c3:
                        node[x].idom = c2
                    else:
                        node[x].idom = _lca(a, v, node, info)
            elif m != full:
                if dx < dv:
                    if node[x].idom != s:
                        m |= masks[x].s1
                elif dx == dv:
                    # Depth of the common dominator of two siblings (neither
                    # dominates the other), comparing chains from the top. x
                    # may not be finished yet, but its idom px is.
                    px = np.uint32(node[x].idom)
                    dpx = info[px].dep
                    if (info[px].c1 if dpx >= 1 else x) != c1:
                        m = full
                    elif (info[px].c2 if dpx >= 2 else (x if dpx == 1 else -1)) != c2:
                        m |= not1
                    elif (info[px].c3 if dpx >= 3 else (x if dpx == 2 else -1)) != c3:
                        m |= not2
                    else:  # x is no ancestor of v, so their LCA is px's with v
                        m |= full & ~low[info[_lca(v, px, node, info)].dep]
        m &= full
        masks[v].s1 = m
        masks[v].s2 = m
        masks[v].s3 = m
        if m != full:
            todo[np.uint32(ntodo)] = v
            masks[v].full = full
            ntodo += 1
    if too_deep:
        # Chains too long for 64-bit masks: measure every subtree directly.
        return _df_subtrees(s, times, tail, ptr, idx, inv, w, node, qn, qd, loss, reach)
    # S_2: a predecessor stretched by two, a sibling by one, a successor outside.
    for i in range(ntodo):
        t = np.uint32(todo[i])
        full = masks[t].full
        dt = node[t].dist
        m = masks[t].s1
        if m != full:
            for e in range(ptr[t], ptr[t + 1]):
                u = idx[e]
                du = node[u].dist
                # People whose idom is s have unwritten masks (all 0): skipped.
                if du < dt:
                    if node[u].idom != s:
                        m |= masks[u].s2
                elif du == dt:
                    # Only new bits can make the common dominator matter.
                    if node[u].idom != s and masks[u].s1 & full & ~m:
                        m |= masks[u].s1 & low[info[_lca(t, u, node, info)].dep]
                else:  # a successor's common dominator with t is its idom
                    m |= full & ~low[info[node[u].idom].dep]
                if (m & full) == full:
                    break
        m &= full
        masks[t].s2 = m
        masks[t].s3 = m
    # S_3: a predecessor by three, a sibling by two, a successor by one.
    for i in range(ntodo):
        t = np.uint32(todo[i])
        full = masks[t].full
        if masks[t].s2 == full:
            continue
        dt = node[t].dist
        m = masks[t].s2
        for e in range(ptr[t], ptr[t + 1]):
            u = idx[e]
            du = node[u].dist
            if node[u].idom == s:  # their masks are unwritten (0): nothing to add
                continue
            if du < dt:
                m |= masks[u].s3
            elif du == dt:
                if masks[u].s2 & full & ~m:  # only then can the common dominator add bits
                    m |= masks[u].s2 & low[info[_lca(t, u, node, info)].dep]
            elif masks[u].s1 & full & ~m:
                m |= masks[u].s1 & low[info[node[u].idom].dep]
            if (m & full) == full:
                break
        masks[t].s3 = m & full
    # Corrections to a stretch of one where it is 2, 3 or infinite; the rest
    # (stretch 4 or more, rare) is listed per dominator and measured below.
    far = w[1]  # dominators with a list (the row is free until _df_subtrees)
    nfar = 0
    nflag = 0
    cap = flist.shape[1]
    for i in range(ntodo):
        t = np.uint32(todo[i])
        a = np.uint32(node[t].idom)
        k = info[a].dep
        d = node[t].dist
        missing = low[k] & ~masks[t].s1
        while missing != 0:
            bit = one << np.uint64(k)
            if missing & bit:
                if masks[t].s2 & bit:
                    corr[a] += gain[2, d] - gain[1, d]
                elif masks[t].s3 & bit:
                    corr[a] += gain[3, d] - gain[1, d]
                elif sep_ptr[a + 1] > sep_ptr[a] and _piece(
                    t, a, tin, tout, sep_ptr, sep_child
                ) != _source_piece(s, a, tin, tout, sep_ptr, sep_child, pc_src, pc_val):
                    corr[a] += inv[d] - gain[1, d]  # a cuts t off from s: 1/d lost
                elif nflag < cap:
                    if fhead[a] < 0:
                        far[nfar] = a
                        nfar += 1
                    flist[0, nflag] = t
                    flist[1, nflag] = fhead[a]
                    fhead[a] = nflag
                    nflag += 1
                else:
                    too_deep = True  # more than the list holds: measure every subtree
                missing &= ~bit
            a = np.uint32(node[a].idom)
            k -= 1
    if too_deep:
        for i in range(nfar):
            fhead[far[i]] = -1
        for i in range(tail):
            sub[order[i]] = 0.0
            corr[order[i]] = 0.0
        return _df_subtrees(s, times, tail, ptr, idx, inv, w, node, qn, qd, loss, reach)
    for i in range(nfar):
        v = far[i]
        corr[v] += _stretched_far(
            v, fhead[v], flist, ptr, idx, inv, gain, node, info, masks, mark, nd, sval,
            snode, qn, qd,
        )  # fmt: skip
        fhead[v] = -1
    # Everything dominated, stretched by one, summed up the dominator tree farthest
    # first, plus the corrections (sub and corr are all zero between sources).
    # Only the people reached have anything to add, or to reset for the next source.
    for i in range(tail - 1, 0, -1):
        t = np.uint32(order[i])
        p = np.uint32(node[t].idom)
        below = sub[t]
        if p != s:  # s is not removed
            sub[p] += gain[1, node[t].dist] + below
        # Most people dominate nobody: adding their zero would change no bit
        # (loss starts at +0.0, so it is never -0.0).
        c = corr[t]
        if below != 0.0 or c != 0.0:
            loss[t] += times * (below + c)
            sub[t] = 0.0
            corr[t] = 0.0
        node[t].dist = -1
    node[s].dist = -1
    return reach


@njit(cache=True)
def _df_subtrees(s, times, tail, ptr, idx, inv, w, node, qn, qd, loss, reach):  # pragma: no cover
    """Fallback for one source: measure every dominator subtree by BFS."""
    order, size, pre, nxt, node_at, nd, sval, snode = w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7]
    _preorder(s, tail, order, node, size, pre, nxt, node_at)
    for i in range(1, tail):
        v = order[i]
        if size[v] > 1:
            loss[v] += times * _region_loss(
                v, ptr, idx, inv, node, size, pre, node_at, nd, sval, snode, qn, qd
            )
    for i in range(tail):
        node[order[i]].dist = -1
    return reach


@njit(cache=True)
def _stretched_far(
    v, head, flist, ptr, idx, inv, gain, node, info, masks, mark, nd, sval, snode, qn,
    qd,
):  # fmt: skip  # pragma: no cover - compiled
    """Correction to v's stretch-one loss for the people it stretches by 4 or more.

    Everyone else's distance without v is known from the masks, so these few
    are found by a BFS among themselves, seeded from their other neighbours.
    """
    k = info[v].dep
    bit = np.uint64(1) << np.uint64(k)
    f = head
    while f >= 0:
        mark[flist[0, f]] = v
        f = flist[1, f]
    nseeds = 0
    f = head
    while f >= 0:
        u = flist[0, f]
        nd[u] = -1
        best = -1
        for e in range(ptr[u], ptr[u + 1]):
            y = idx[e]
            if y == v or mark[y] == v:
                continue
            dy = node[y].dist
            a = y
            while info[a].dep > k:
                a = node[a].idom
            if a == v:  # y is dominated by v too: its stretch is known
                if masks[y].s1 & bit:
                    dy += 1
                elif masks[y].s2 & bit:
                    dy += 2
                elif masks[y].s3 & bit:
                    dy += 3
                else:
                    continue  # cut off along with v
            if best < 0 or dy + 1 < best:
                best = dy + 1
        if best > 0:
            sval[nseeds] = best
            snode[nseeds] = u
            nseeds += 1
        f = flist[1, f]
    # Among the listed people only: mark[y] == v, i.e. v - 1 < mark[y] < v + 1.
    _seeded_search(ptr, idx, mark, v - 1, v + 1, nd, sval, snode, nseeds, qn, qd)
    total = 0.0
    f = head
    while f >= 0:
        u = flist[0, f]
        d = node[u].dist
        total += inv[d] - gain[1, d]
        if nd[u] > 0:
            total -= inv[nd[u]]
        mark[u] = -1
        nd[u] = -1
        f = flist[1, f]
    return total


@njit(cache=True)
def _same_closed(ptr, idx, u, v):  # pragma: no cover - compiled
    """Whether u and v are adjacent with the same neighbours otherwise (sorted lists)."""
    if ptr[u + 1] - ptr[u] != ptr[v + 1] - ptr[v]:
        return False
    i, j = ptr[u], ptr[v]
    adjacent = False
    while i < ptr[u + 1] or j < ptr[v + 1]:
        if i < ptr[u + 1] and idx[i] == v:
            adjacent = True
            i += 1
        elif j < ptr[v + 1] and idx[j] == u:
            j += 1
        elif i < ptr[u + 1] and j < ptr[v + 1] and idx[i] == idx[j]:
            i += 1
            j += 1
        else:
            return False
    return adjacent


@njit(cache=True)
def _twins(ptr, idx, order, key):  # pragma: no cover - compiled
    """(twin, times): who stands for v as a source, and how many v stands for (0 or more).

    People with the same key (a hash of the closed neighbourhood; `order` sorts
    by it) are compared exactly; the first of each run stands for those that
    match it.
    """
    n = ptr.shape[0] - 1
    times = np.ones(n, np.float64)
    twin = np.arange(n)
    i = 0
    while i < n:
        first = order[i]
        j = i + 1
        while j < n and key[order[j]] == key[first]:
            v = order[j]
            if ptr[first + 1] > ptr[first] and _same_closed(ptr, idx, first, v):
                times[first] += 1.0
                times[v] = 0.0
                twin[v] = first
            j += 1
        i = j
    return twin, times


@njit(cache=True)
def _df_chunk(
    c, nchunks, times, ptr, idx, inv, gain, low, tin, tout, sep_ptr, sep_child, node0, info0,
    reach, loss,
):  # fmt: skip  # pragma: no cover - compiled
    """Sources c, c + nchunks, ... that stand for someone (times > 0): scratch reused.

    The per-person records start as copies of node0 (everyone unreached) and info0,
    whose field width (see _NODE) the caller chose."""
    n = ptr.shape[0] - 1
    # Rows: order, size, pre, nxt, node_at, nd, sval, snode, todo, fhead, mark,
    # pc_src, pc_val (see _df_source and _df_subtrees).
    w = np.zeros((13, n), np.int32)
    w[5, :] = -1  # nd: not measured
    w[9, :] = -1  # fhead: empty lists
    w[10, :] = -1  # mark: unmarked
    w[11, :] = -1  # pc_src: no piece cached
    node = node0.copy()  # everyone unreached
    flist = np.empty((2, 8 * n + 8), np.int32)
    info = info0.copy()
    masks = np.zeros(n, _MASKS)
    sub = np.zeros(n)
    corr = np.zeros(n)
    qn = np.empty(idx.shape[0] + 1, np.int32)
    qd = np.empty(idx.shape[0] + 1, np.int32)
    for s in range(c, n, nchunks):
        if times[s] > 0:
            reach[s] = _df_source(
                s, times[s], ptr, idx, inv, gain, low, tin, tout, sep_ptr, sep_child, w, node,
                info, masks, sub, corr, flist, qn, qd, loss,
            )  # fmt: skip


@njit(cache=True, parallel=True)
def _df_parallel(
    times, ptr, idx, inv, gain, low, tin, tout, sep_ptr, sep_child, node0, info0, nchunks
):  # fmt: skip  # pragma: no cover - compiled
    """Per-source sums of 1/d, and per-chunk losses per removed person."""
    n = ptr.shape[0] - 1
    reach = np.zeros(n)
    loss = np.zeros((nchunks, n))
    for c in prange(nchunks):
        _df_chunk(
            c, nchunks, times, ptr, idx, inv, gain, low, tin, tout, sep_ptr, sep_child, node0,
            info0, reach, loss[c],
        )  # fmt: skip
    return reach, loss


@njit(cache=True)
def _df_serial(
    times, ptr, idx, inv, gain, low, tin, tout, sep_ptr, sep_child, node0, info0, nchunks
):  # fmt: skip  # pragma: no cover - compiled
    """As _df_parallel, in this thread (same chunks, so the same bits)."""
    n = ptr.shape[0] - 1
    reach = np.zeros(n)
    loss = np.zeros((nchunks, n))
    for c in range(nchunks):
        _df_chunk(
            c, nchunks, times, ptr, idx, inv, gain, low, tin, tout, sep_ptr, sep_child, node0,
            info0, reach, loss[c],
        )  # fmt: skip
    return reach, loss


@njit(cache=True)
def _inverse_sum_batch(
    ptr, idx, alive, sources, first, count, vis, fr, nxt, act, inv
):  # pragma: no cover
    """Sum of 1/d from up to 64 sources to the alive people, one bit per source."""
    n = ptr.shape[0] - 1
    full = np.uint64(0)
    for x in range(n):
        vis[x] = 0
        fr[x] = 0
    for j in range(count):
        b = np.uint64(1) << np.uint64(j)
        vis[sources[first + j]] = b
        fr[sources[first + j]] = b
        full |= b
    na = 0
    for x in range(n):
        if alive[x]:
            act[na] = x
            na += 1
    total = 0.0
    level = 0
    while na > 0:
        level += 1
        for i in range(na):
            x = act[i]
            acc = np.uint64(0)
            for e in range(ptr[x], ptr[x + 1]):
                acc |= fr[idx[e]]
            nxt[x] = acc & ~vis[x]
        # A vertex that stops being active keeps its last frontier: harmless,
        # its neighbours have already seen those bits.
        k = 0
        count_new = 0
        for i in range(na):
            x = act[i]
            f = nxt[x]
            fr[x] = f
            if f != 0:
                vis[x] |= f
                count_new += _popcount(f)
            if vis[x] != full:
                act[k] = x
                k += 1
        if count_new == 0:
            break
        na = k
        total += count_new * inv[level]
    return total


@njit(cache=True)
def _popcount(c):  # pragma: no cover - compiled
    """Set bits in a uint64."""
    c = c - ((c >> np.uint64(1)) & np.uint64(0x5555555555555555))
    c = (c & np.uint64(0x3333333333333333)) + ((c >> np.uint64(2)) & np.uint64(0x3333333333333333))
    c = (c + (c >> np.uint64(4))) & np.uint64(0x0F0F0F0F0F0F0F0F)
    return np.int64((c * np.uint64(0x0101010101010101)) >> np.uint64(56))


@njit(cache=True)
def _inverse_sum_chunk(c, nchunks, ptr, idx, alive, sources, inv, out):  # pragma: no cover
    """Batches c, c + nchunks, ... of 64 sources."""
    n = ptr.shape[0] - 1
    vis = np.zeros(n, np.uint64)
    fr = np.zeros(n, np.uint64)
    nxt = np.zeros(n, np.uint64)
    act = np.empty(n, np.int64)
    nbatches = out.shape[0]
    for b in range(c, nbatches, nchunks):
        first = b * 64
        count = min(64, sources.shape[0] - first)
        out[b] = _inverse_sum_batch(ptr, idx, alive, sources, first, count, vis, fr, nxt, act, inv)


@njit(cache=True, parallel=True)
def _inverse_sums_parallel(ptr, idx, alive, inv, nchunks):  # pragma: no cover - compiled
    """Per batch of 64 alive sources, the sum of 1/d over ordered alive pairs."""
    sources = np.flatnonzero(alive)
    out = np.zeros((sources.shape[0] + 63) // 64)
    for c in prange(nchunks):
        _inverse_sum_chunk(c, nchunks, ptr, idx, alive, sources, inv, out)
    return out


@njit(cache=True)
def _inverse_sums_serial(ptr, idx, alive, inv, nchunks):  # pragma: no cover - compiled
    """As _inverse_sums_parallel, in this thread."""
    sources = np.flatnonzero(alive)
    out = np.zeros((sources.shape[0] + 63) // 64)
    for c in range(nchunks):
        _inverse_sum_chunk(c, nchunks, ptr, idx, alive, sources, inv, out)
    return out


@njit(cache=True)
def _disconnections(
    ptr, idx, codes, tot, tin, tout, low, parent, root, size, node_at,
    gm_tin, gm_start, comp_of, cg_ptr, cg_idx, gc_ptr, gc_idx,
):  # fmt: skip  # pragma: no cover - compiled
    """(a, b, v) for each group pair a < b that loses its last path when v leaves."""
    n = ptr.shape[0] - 1
    ngroups = tot.shape[0]
    out_a, out_b, out_v = [0], [0], [0]
    out_a.pop()
    out_b.pop()
    out_v.pop()
    ch = np.empty(n, np.int64)
    pmark = np.full(ngroups, -1, np.int64)  # group seen in the piece being scanned
    considered = np.full(ngroups, -1, np.int64)
    outsider = np.full(ngroups, -1, np.int64)
    gp_head = np.full(ngroups, -1, np.int64)  # linked list: pieces holding group g
    gp_stamp = np.full(ngroups, -1, np.int64)
    ent_g = np.empty(n + 1, np.int64)
    ent_p = np.empty(n + 1, np.int64)
    ent_next = np.empty(n + 1, np.int64)
    pe_start = np.empty(n + 2, np.int64)
    outs = np.empty(ngroups, np.int64)
    co = np.full(ngroups, -1, np.int64)
    cstamp = 0
    pstamp = 0
    for v in range(n):
        r = root[v]
        if size[r] <= 1:
            continue
        gv = codes[v]
        kk = comp_of[v]
        # The pieces v's departure leaves: separated DFS children, and the rest.
        nc = 0
        for e in range(ptr[v], ptr[v + 1]):
            w = idx[e]
            if parent[w] == v and low[w] >= tin[v]:
                ch[nc] = w
                nc += 1
        for i in range(1, nc):  # by DFS number, for the scan of the rest below
            x = ch[i]
            j = i - 1
            while j >= 0 and tin[ch[j]] > tin[x]:
                ch[j + 1] = ch[j]
                j -= 1
            ch[j + 1] = x
        rest = size[r] - 1
        for j in range(nc):
            rest -= size[ch[j]]
        big = -1  # -1 is the rest
        bigsize = rest
        for j in range(nc):
            if size[ch[j]] > bigsize:
                big = j
                bigsize = size[ch[j]]
        # Groups in the smaller pieces (a lost pair needs a group outside the biggest).
        ne = 0
        npieces = 0
        for p in range(-1, nc):
            if p == big or (p == -1 and rest == 0):
                continue
            pstamp += 1
            pe_start[npieces] = ne
            if p >= 0:
                lo, hi = tin[ch[p]], tout[ch[p]]
                t = lo
                j = nc  # no separated child to skip inside a child's subtree
            else:
                t = tin[r]
                hi = tout[r]
                j = 0
            while t < hi:
                if p == -1:
                    if t == tin[v]:
                        t += 1
                        continue
                    if j < nc and t == tin[ch[j]]:
                        t = tout[ch[j]]
                        j += 1
                        continue
                g = codes[node_at[t]]
                t += 1
                if g < 0 or pmark[g] == pstamp:
                    continue
                pmark[g] = pstamp
                ent_g[ne] = g
                ent_p[ne] = npieces
                if gp_stamp[g] == v:
                    ent_next[ne] = gp_head[g]
                else:
                    ent_next[ne] = -1
                    gp_stamp[g] = v
                gp_head[g] = ne
                ne += 1
            npieces += 1
        pe_start[npieces] = ne
        no = 0
        for f in range(ne + 1):
            g = ent_g[f] if f < ne else gv
            if g < 0 or considered[g] == v:
                continue
            considered[g] = v
            if big >= 0:
                inside = count_between(gm_tin, gm_start, g, tin[ch[big]], tout[ch[big]])
            else:
                inside = count_between(gm_tin, gm_start, g, tin[r], tout[r]) - (1 if gv == g else 0)
                for j in range(nc):
                    inside -= count_between(gm_tin, gm_start, g, tin[ch[j]], tout[ch[j]])
            if inside == 0:
                outsider[g] = v
                outs[no] = g
                no += 1
        for i in range(no):
            x = outs[i]
            if tot[x] - (1 if gv == x else 0) <= 0:
                continue  # nobody of x remains
            cstamp += 1
            if gp_stamp[x] == v:
                f = gp_head[x]
                while f >= 0:
                    p = ent_p[f]
                    for h in range(pe_start[p], pe_start[p + 1]):
                        co[ent_g[h]] = cstamp
                    f = ent_next[f]
            for h in range(gc_ptr[x], gc_ptr[x + 1]):
                c = gc_idx[h]
                if c != kk:
                    for q in range(cg_ptr[c], cg_ptr[c + 1]):
                        co[cg_idx[q]] = cstamp
            for q in range(cg_ptr[kk], cg_ptr[kk + 1]):
                b = cg_idx[q]
                if b == x or co[b] == cstamp:
                    continue
                if tot[b] - (1 if gv == b else 0) <= 0:
                    continue
                if outsider[b] == v and b < x:
                    continue  # reported from b's side
                out_a.append(min(x, b))
                out_b.append(max(x, b))
                out_v.append(v)
    return _as_arrays(out_a, out_b, out_v)


@njit(cache=True)
def _as_arrays(out_a, out_b, out_v):  # pragma: no cover - compiled
    """Three equal-length int lists as int64 arrays."""
    m = len(out_a)
    a = np.empty(m, np.int64)
    b = np.empty(m, np.int64)
    v = np.empty(m, np.int64)
    for i in range(m):
        a[i] = out_a[i]
        b[i] = out_b[i]
        v[i] = out_v[i]
    return a, b, v


@njit(cache=True)
def _route_losses(ptr, idx, codes, tot, gm_nodes, gm_start):  # pragma: no cover - compiled
    """(a, b, v) for each group pair a < b whose every route of <= 2 steps v kills."""
    n = ptr.shape[0] - 1
    ngroups = tot.shape[0]
    out_a, out_b, out_v = [0], [0], [0]
    out_a.pop()
    out_b.pop()
    out_v.pop()
    adj = np.full(n, -1, np.int64)
    two = np.full(n, -1, np.int64)
    cnt = np.zeros(n, np.int64)
    mid = np.zeros(n, np.int64)
    lst = np.empty(n, np.int64)
    cand = np.full((ngroups, 3), -1, np.int64)  # who could kill every witness so far
    seen = np.full(ngroups, -1, np.int64)
    touched = np.empty(ngroups, np.int64)
    for ga in range(ngroups):
        nt = 0
        for i in range(gm_start[ga], gm_start[ga + 1]):
            a = gm_nodes[i]
            for e in range(ptr[a], ptr[a + 1]):
                adj[idx[e]] = a
            nl = 0
            for e in range(ptr[a], ptr[a + 1]):
                w = idx[e]
                for f in range(ptr[w], ptr[w + 1]):
                    b = idx[f]
                    if b == a or codes[b] <= ga:
                        continue
                    if two[b] != a:
                        two[b] = a
                        cnt[b] = 1
                        mid[b] = w
                        lst[nl] = b
                        nl += 1
                    else:
                        cnt[b] += 1
            # Witnesses (a, b): adjacent ones die only with an end; two steps
            # apart, also with the middle person if there is exactly one.
            for h in range(ptr[a + 1] - ptr[a] + nl):
                if h < ptr[a + 1] - ptr[a]:
                    b = idx[ptr[a] + h]
                    if codes[b] <= ga:
                        continue
                    m = -1
                else:
                    b = lst[h - (ptr[a + 1] - ptr[a])]
                    if adj[b] == a:
                        continue
                    m = mid[b] if cnt[b] == 1 else -1
                gb = codes[b]
                if seen[gb] != ga:
                    seen[gb] = ga
                    cand[gb, 0] = a
                    cand[gb, 1] = b
                    cand[gb, 2] = m
                    touched[nt] = gb
                    nt += 1
                else:
                    for j in range(3):
                        c = cand[gb, j]
                        if c >= 0 and c != a and c != b and c != m:
                            cand[gb, j] = -1
        for i in range(nt):
            gb = touched[i]
            for j in range(3):
                c = cand[gb, j]
                if c < 0:
                    continue
                if tot[ga] - (1 if codes[c] == ga else 0) <= 0:
                    continue
                if tot[gb] - (1 if codes[c] == gb else 0) <= 0:
                    continue
                out_a.append(ga)
                out_b.append(gb)
                out_v.append(c)
    return _as_arrays(out_a, out_b, out_v)


@njit(cache=True)
def _connected_groups(root, alive, codes, ngroups):  # pragma: no cover - compiled
    """Dense matrix: groups a < b with alive members in one component."""
    n = root.shape[0]
    out = np.zeros((ngroups, ngroups), np.bool_)
    # People by component (counting sort on the root), then pairs per component.
    start = np.zeros(n + 1, np.int64)
    for v in range(n):
        if alive[v] and codes[v] >= 0:
            start[root[v] + 1] += 1
    for i in range(n):
        start[i + 1] += start[i]
    fill = start[:-1].copy()
    by_comp = np.empty(max(start[n], 1), np.int64)
    for v in range(n):
        if alive[v] and codes[v] >= 0:
            by_comp[fill[root[v]]] = codes[v]
            fill[root[v]] += 1
    mark = np.full(ngroups, -1, np.int64)
    present = np.empty(ngroups, np.int64)
    for r in range(n):
        k = 0
        for i in range(start[r], start[r + 1]):
            g = by_comp[i]
            if mark[g] != r:
                mark[g] = r
                present[k] = g
                k += 1
        for i in range(k):
            for j in range(k):
                if present[i] < present[j]:
                    out[present[i], present[j]] = True
    return out


@njit(cache=True)
def _close_groups(ptr, idx, alive, codes, ngroups):  # pragma: no cover - compiled
    """Dense matrix: groups a < b with alive members at most two steps apart."""
    n = ptr.shape[0] - 1
    out = np.zeros((ngroups, ngroups), np.bool_)
    for a in range(n):
        ga = codes[a]
        if not alive[a] or ga < 0:
            continue
        for e in range(ptr[a], ptr[a + 1]):
            w = idx[e]
            if not alive[w]:
                continue
            gw = codes[w]
            if gw > ga:
                out[ga, gw] = True
            for f in range(ptr[w], ptr[w + 1]):
                b = idx[f]
                gb = codes[b]
                if gb > ga and alive[b]:
                    out[ga, gb] = True
    return out


@njit(cache=True)
def _exhaustive(ptr, idx, k):  # pragma: no cover - compiled
    """The k-set with the smallest pair sum after removal (first in id order on ties)."""
    n = ptr.shape[0] - 1
    combo = np.arange(k - 1)
    alive = np.ones(n, np.bool_)
    best = np.int64(-1)
    best_set = np.arange(k)
    while True:
        alive[:] = True
        for i in range(k - 1):
            alive[combo[i]] = False
        _, after, _, _, _, _, _, _ = forest(ptr, idx, alive)
        first = combo[k - 2] + 1 if k > 1 else 0
        for v in range(first, n):
            if best < 0 or after[v] < best:
                best = after[v]
                for i in range(k - 1):
                    best_set[i] = combo[i]
                best_set[k - 1] = v
        # Next (k-1)-combination in lexicographic order.
        i = k - 2
        while i >= 0 and combo[i] == n - (k - 1) + i:
            i -= 1
        if i < 0:
            break
        combo[i] += 1
        for j in range(i + 1, k - 1):
            combo[j] = combo[j - 1] + 1
    return best, best_set


# --------------------------------------------------------------------------
# Plain Python around the kernels
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Net:
    """The undirected simple tie graph over sorted ids, and group codes per boundary."""

    ids: np.ndarray
    ptr: np.ndarray
    idx: np.ndarray
    boundaries: tuple[str, ...]
    codes: tuple[np.ndarray, ...]  # int64 per person; -1 = no group
    labels: tuple[tuple[Hashable, ...], ...]  # sorted; code c is labels[c]

    @property
    def n(self) -> int:
        """Number of people."""
        return int(self.ids.shape[0])


def _prepare(
    people: Sequence[int], groups: Mapping[str, Mapping[int, Hashable]], ties: Iterable[Tie]
) -> _Net:
    """Index people, collapse ties to undirected simple edges, code groups."""
    ids = np.array(sorted(int(p) for p in people), dtype=np.int64)
    if ids.shape[0] > 1 and bool(np.any(ids[1:] == ids[:-1])):
        raise ValueError("people contains duplicate ids")
    n = ids.shape[0]
    ends = np.array([(tie.source, tie.target) for tie in ties], dtype=np.int64).reshape(-1, 2)
    pairs = np.searchsorted(ids, ends)  # each end's index, if it is among the people
    known = ids[np.minimum(pairs, n - 1)] == ends if n else np.zeros(ends.shape, dtype=bool)
    if not known.all():
        first = int(ends.ravel()[np.argmin(known.ravel())])
        raise ValueError(f"tie refers to person {first}, who is not in people")
    pairs = pairs[pairs[:, 0] != pairs[:, 1]]
    lo, hi = pairs.min(axis=1), pairs.max(axis=1)
    keys = np.unique(lo * max(n, 1) + hi)
    a, b = keys // max(n, 1), keys % max(n, 1)
    src, dst = np.concatenate([a, b]), np.concatenate([b, a])
    order = np.lexsort((dst, src))
    ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(src, minlength=n), out=ptr[1:])
    idx = dst[order].astype(np.int32)
    codes, labels = [], []
    for boundary in groups:
        grouping = build_grouping(ids, groups[boundary])
        real = len(grouping.labels)
        c = grouping.codes.astype(np.int64)
        codes.append(np.where(c < real, c, -1))
        labels.append(grouping.labels)
    return _Net(ids, ptr, idx, tuple(groups), tuple(codes), tuple(labels))


def _fragmentation(pair_sum: np.ndarray | int, n: int) -> np.ndarray | float:
    """F from sum_k s_k (s_k - 1) over n people; 0.0 when n < 2."""
    if n < 2:
        return np.zeros_like(pair_sum, dtype=np.float64) if np.ndim(pair_sum) else 0.0
    return 1.0 - np.asarray(pair_sum, dtype=np.float64) / (n * (n - 1))


def _distance_fragmentation(inverse_sum: np.ndarray | float, n: int) -> np.ndarray | float:
    """DF from the sum of 1/d over ordered pairs of n people; 0.0 when n < 2."""
    if n < 2:
        return np.zeros_like(inverse_sum, dtype=np.float64) if np.ndim(inverse_sum) else 0.0
    # Clipped: the sum after a removal is a difference of sums, so it can miss
    # 0 or n(n-1) by rounding.
    return np.clip(1.0 - np.asarray(inverse_sum, dtype=np.float64) / (n * (n - 1)), 0.0, 1.0)


def _inverse_table(n: int) -> np.ndarray:
    """inv[d] = 1/d for d in 1..n (inv[0] unused)."""
    inv = np.zeros(n + 2)
    inv[1:] = 1.0 / np.arange(1, n + 2)
    return inv


def _chunks(n: int) -> tuple[int, bool]:
    """Number of work chunks (fixed) and whether to run them on threads."""
    parallel = n >= PARALLEL_MIN_PEOPLE and numba.get_num_threads() > 1
    return max(1, min(CHUNKS, n)), parallel


def _renumbered(net: _Net) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The tie graph renumbered by reverse Cuthill-McKee: (perm, ptr, idx), unsigned.

    New vertex i is old vertex perm[i]. Neighbours get nearby numbers, so the
    searches' scattered reads mostly hit cache lines already loaded, and
    unsigned indices spare numba's negative-index checks in the inner loops.
    """
    n = net.n
    adjacency = sp.csr_array(
        (np.ones(net.idx.shape[0], dtype=np.int8), net.idx, net.ptr), shape=(n, n)
    )
    perm = reverse_cuthill_mckee(adjacency.indices, adjacency.indptr)
    renumbered = adjacency[perm][:, perm].tocsr()
    renumbered.sort_indices()
    return perm, renumbered.indptr.astype(np.uint32), renumbered.indices.astype(np.uint32)


def _distance_losses(net: _Net) -> tuple[np.ndarray, np.ndarray]:
    """Per person v: the sum of 1/d from v, and the loss in the sum of 1/d over
    ordered pairs of other people when v leaves."""
    n = net.n
    perm, ptr, idx = _renumbered(net)
    inv = _inverse_table(n)
    d = np.arange(1, n + 2, dtype=np.float64)
    gain = np.zeros((4, n + 2))
    for k in (1, 2, 3):
        gain[k, 1:] = 1.0 / d - 1.0 / (d + k)  # 1/d - 1/d' when d' = d + k
    # Depth-first pieces of the renumbered graph: who each articulation point cuts off.
    _, _, tin, tout, low, parent, _, _ = forest(ptr, idx, np.ones(n, dtype=bool))
    child = np.flatnonzero(parent >= 0)
    child = child[low[child] >= tin[parent[child]]]
    child = child[np.lexsort((tin[child], parent[child]))]
    sep_ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(parent[child], minlength=n), out=sep_ptr[1:])
    twin, times = _closed_twins(ptr, idx)
    nchunks, parallel = _chunks(n)
    kernel = _df_parallel if parallel else _df_serial
    width = np.int16 if n <= SHORT_RECORDS_MAX else np.int32
    node0 = np.zeros(n, _NODE[width])
    node0["dist"] = -1  # unreached
    info0 = np.zeros(n, _INFO[width])
    reach, loss = kernel(
        times, ptr, idx, inv, gain, _LOW_BITS, tin, tout, sep_ptr, child, node0, info0, nchunks
    )
    out_reach, out_loss = np.empty(n), np.empty(n)
    out_reach[perm] = reach[twin]
    out_loss[perm] = loss.sum(axis=0)
    return out_reach, out_loss


def _closed_twins(ptr: np.ndarray, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sources that search alike: (who stands for each person, how many each stands for).

    Two people with the same closed neighbourhood (adjacent, same other
    neighbours) are at the same distance from everyone else, with or without
    any third person; neither lies on a shortest path from the other. So each
    adds the same to every other person's loss, and one search counts for both.
    """
    n = ptr.shape[0] - 1
    rnd = np.random.default_rng(0).integers(0, 2**63, size=n, dtype=np.int64).view(np.uint64)
    key = rnd.copy()
    np.add.at(key, np.repeat(np.arange(n), np.diff(ptr.astype(np.int64))), rnd[idx])
    return _twins(ptr, idx, np.argsort(key, kind="stable"), key)


def _inverse_sum(net: _Net, alive: np.ndarray) -> float:
    """Sum of 1/d over ordered pairs of alive people (bit-parallel BFS, 64 sources a word)."""
    n = int(alive.sum())
    if n < 2:
        return 0.0
    inv = _inverse_table(net.n)
    batches = (n + 63) // 64
    nchunks, parallel = _chunks(n)
    nchunks = min(nchunks, batches)
    kernel = _inverse_sums_parallel if parallel else _inverse_sums_serial
    return float(np.sum(kernel(net.ptr, net.idx, alive, inv, nchunks)))


def _members_by_tin(codes: np.ndarray, tin: np.ndarray, ngroups: int):
    """Each group's DFS numbers, sorted, as (sorted_tin, start)."""
    members = np.flatnonzero(codes >= 0)
    members = members[np.lexsort((tin[members], codes[members]))]
    start = np.searchsorted(codes[members], np.arange(ngroups + 1)).astype(np.int64)
    return tin[members].astype(np.int64), start, members


def _csr_from_keys(rows: np.ndarray, cols: np.ndarray, nrows: int):
    """CSR (ptr, idx) of unique (row, col) pairs, cols sorted per row."""
    order = np.lexsort((cols, rows))
    ptr = np.zeros(nrows + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=nrows), out=ptr[1:])
    return ptr, cols[order].astype(np.int64)


def _pairs_per_person(
    net: _Net, j: int, triples: tuple[np.ndarray, np.ndarray, np.ndarray]
) -> list[tuple[tuple[Hashable, Hashable], ...]]:
    """Per person index, the sorted label pairs from (code a, code b, person) triples."""
    a, b, v = triples
    out: list[tuple] = [()] * net.n
    if a.shape[0] == 0:
        return out
    order = np.lexsort((b, a, v))
    a, b, v = a[order].tolist(), b[order].tolist(), v[order]
    labels = net.labels[j]
    bounds = np.searchsorted(v, np.arange(net.n + 1)).tolist()
    for p in np.unique(v).tolist():
        lo, hi = bounds[p], bounds[p + 1]
        out[p] = tuple((labels[a[i]], labels[b[i]]) for i in range(lo, hi))
    return out


def _lost_paths(net: _Net, searched) -> list[list[tuple]]:
    """Per boundary, per person: group pairs left with no path when they leave."""
    _, _, tin, tout, low, parent, root, size = searched
    n = net.n
    node_at = np.empty(n, dtype=np.int64)
    node_at[tin] = np.arange(n)
    roots = np.flatnonzero(root == np.arange(n))
    comp_of = np.searchsorted(roots, root).astype(np.int64)
    result = []
    for j, codes in enumerate(net.codes):
        ngroups = len(net.labels[j])
        tot = np.bincount(codes[codes >= 0], minlength=ngroups).astype(np.int64)
        gm_tin, gm_start, _ = _members_by_tin(codes, tin, ngroups)
        coded = codes >= 0
        keys = np.unique(comp_of[coded] * max(ngroups, 1) + codes[coded])
        comp_g, group_g = keys // max(ngroups, 1), keys % max(ngroups, 1)
        cg_ptr, cg_idx = _csr_from_keys(comp_g, group_g, roots.shape[0])
        gc_ptr, gc_idx = _csr_from_keys(group_g, comp_g, ngroups)
        triples = _disconnections(
            net.ptr, net.idx, codes, tot, tin, tout, low, parent, root, size, node_at,
            gm_tin, gm_start, comp_of, cg_ptr, cg_idx, gc_ptr, gc_idx,
        )  # fmt: skip
        result.append(_pairs_per_person(net, j, triples))
    return result


def _lost_routes(net: _Net) -> list[list[tuple]]:
    """Per boundary, per person: group pairs left with no route of <= 2 steps."""
    result = []
    for j, codes in enumerate(net.codes):
        ngroups = len(net.labels[j])
        tot = np.bincount(codes[codes >= 0], minlength=ngroups).astype(np.int64)
        members = np.flatnonzero(codes >= 0)
        members = members[np.argsort(codes[members], kind="stable")].astype(np.int64)
        start = np.searchsorted(codes[members], np.arange(ngroups + 1)).astype(np.int64)
        triples = _route_losses(net.ptr, net.idx, codes, tot, members, start)
        result.append(_pairs_per_person(net, j, triples))
    return result


def _greedy_with_swaps(net: _Net, k: int) -> tuple[int, np.ndarray]:
    """Greedy additions, then best-improvement swaps; returns (pair sum, sorted indices)."""
    n = net.n
    alive = np.ones(n, dtype=bool)
    chosen: list[int] = []
    value = 0
    for _ in range(k):
        after = forest(net.ptr, net.idx, alive)[1]
        candidates = np.where(alive, after, np.iinfo(np.int64).max)
        v = int(np.argmin(candidates))  # first minimum: smallest id on ties
        value = int(candidates[v])
        chosen.append(v)
        alive[v] = False
    while True:
        best = (value, -1, -1)
        for u in sorted(chosen):
            alive[u] = True
            after = forest(net.ptr, net.idx, alive)[1]
            alive[u] = False
            candidates = np.where(alive, after, np.iinfo(np.int64).max)
            w = int(np.argmin(candidates))
            if candidates[w] < best[0]:
                best = (int(candidates[w]), u, w)
        if best[1] < 0:
            break
        value, u, w = best
        chosen[chosen.index(u)] = w
        alive[u], alive[w] = True, False
    return value, np.array(sorted(chosen), dtype=np.int64)


def _key_set(net: _Net, k: int) -> KeySet:
    """The most fragmenting set of k people (k < n)."""
    n = net.n
    steps = comb(n, k - 1) * (n + int(net.idx.shape[0]))
    if steps <= EXHAUSTIVE_STEPS:
        value, chosen = _exhaustive(net.ptr, net.idx, k)
        method = "exhaustive"
    else:
        value, chosen = _greedy_with_swaps(net, k)
        method = "greedy with swaps"
    return KeySet(
        size=k,
        people=tuple(net.ids[np.sort(chosen)].tolist()),
        fragmentation=float(_fragmentation(int(value), n - k)),
        method=method,
    )


def key_people(
    *,
    people: Sequence[int],
    groups: Mapping[str, Mapping[int, str]],
    ties: Iterable[Tie],
    set_sizes: Sequence[int] = (2, 3, 5),
) -> KeyPeople:
    """Score every person's departure and find the most fragmenting sets of each size.

    `groups` has one person -> label map per boundary; the pair fields have one
    entry per boundary in it. Set sizes must be >= 1; sizes >= the number of
    people are skipped, repeats dropped, the rest reported in ascending order.
    """
    sizes = sorted(set(set_sizes))
    if any(k < 1 for k in sizes):
        raise ValueError("set sizes must be at least 1")
    net = _prepare(people, groups, ties)
    n = net.n
    if n == 0:
        return KeyPeople(fragmentation=0.0, distance_fragmentation=0.0, people=(), sets=())
    searched = forest(net.ptr, net.idx, np.ones(n, dtype=bool))
    total, after = searched[0], searched[1]
    f_before = float(_fragmentation(int(total), n))
    f_after = _fragmentation(after, n - 1)

    reach, loss = _distance_losses(net)
    inverse_total = float(np.sum(reach))
    df_before = float(_distance_fragmentation(inverse_total, n))
    df_after = _distance_fragmentation(inverse_total - 2.0 * reach - loss, n - 1)

    lost_paths = _lost_paths(net, searched)
    lost_routes = _lost_routes(net)

    ids = net.ids.tolist()
    f_list, df_list = np.asarray(f_after).tolist(), np.asarray(df_after).tolist()
    persons = []
    for i, person in enumerate(ids):
        persons.append(
            KeyPerson(
                person=person,
                fragmentation=f_list[i],
                distance_fragmentation=df_list[i],
                fragmentation_increase=f_list[i] - f_before,
                distance_fragmentation_increase=df_list[i] - df_before,
                disconnected_pairs={b: lost_paths[j][i] for j, b in enumerate(net.boundaries)},
                distant_pairs={b: lost_routes[j][i] for j, b in enumerate(net.boundaries)},
            )
        )
    # F ranks exactly by the integer pair sum (smaller sum, larger F); persons
    # are in index order here, so the index is the position.
    pair_sum = after.tolist()
    order = sorted(
        range(n),
        key=lambda i: (
            pair_sum[i],
            -round(persons[i].distance_fragmentation_increase, RANK_DECIMALS),
            ids[i],
        ),
    )
    sets = tuple(_key_set(net, k) for k in sizes if k < n)
    return KeyPeople(
        fragmentation=f_before,
        distance_fragmentation=df_before,
        people=tuple(persons[i] for i in order),
        sets=sets,
    )


def removal(
    *,
    people: Sequence[int],
    groups: Mapping[str, Mapping[int, str]],
    ties: Iterable[Tie],
    removed: Collection[int],
) -> Removal:
    """What the network loses if `removed` leave: F, DF and the group pairs cut off."""
    net = _prepare(people, groups, ties)
    n = net.n
    index = {p: i for i, p in enumerate(net.ids.tolist())}
    gone = sorted(set(int(p) for p in removed))
    unknown = [p for p in gone if p not in index]
    if unknown:
        raise ValueError(f"removed people {unknown} are not in people")
    dead = np.zeros(n, dtype=bool)
    dead[[index[p] for p in gone]] = True
    alive = ~dead
    remaining = n - len(gone)
    everyone = np.ones(n, dtype=bool)
    full = forest(net.ptr, net.idx, everyone)
    rest = forest(net.ptr, net.idx, alive)

    before = _inverse_sum(net, everyone)
    after = _inverse_sum(net, alive)

    disconnected: Pairs = {}
    distant: Pairs = {}
    for j, boundary in enumerate(net.boundaries):
        codes, labels = net.codes[j], net.labels[j]
        ngroups = len(labels)
        left = np.bincount(codes[alive & (codes >= 0)], minlength=ngroups) > 0
        both_left = left[:, None] & left[None, :]
        cut = (
            _connected_groups(full[6], everyone, codes, ngroups)
            & ~_connected_groups(rest[6], alive, codes, ngroups)
            & both_left
        )
        far = (
            _close_groups(net.ptr, net.idx, everyone, codes, ngroups)
            & ~_close_groups(net.ptr, net.idx, alive, codes, ngroups)
            & both_left
        )
        disconnected[boundary] = tuple((labels[a], labels[b]) for a, b in np.argwhere(cut).tolist())
        distant[boundary] = tuple((labels[a], labels[b]) for a, b in np.argwhere(far).tolist())
    return Removal(
        removed=tuple(gone),
        fragmentation_before=float(_fragmentation(int(full[0]), n)),
        fragmentation_after=float(_fragmentation(int(rest[0]), remaining)),
        distance_fragmentation_before=float(_distance_fragmentation(before, n)),
        distance_fragmentation_after=float(_distance_fragmentation(after, remaining)),
        disconnected_pairs=disconnected,
        distant_pairs=distant,
    )
