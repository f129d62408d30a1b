"""Turn people, ties and group maps into filtered relationships, arcs and CSR arrays."""

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

import numba
import numpy as np

from .inputs import KINDS, Options, Tie

KIND_CODES = {"collaborates": 0, "trusts": 1, "reports_to": 2, "influences": 3}
COLLABORATES, TRUSTS, REPORTS_TO, INFLUENCES = 0, 1, 2, 3


@dataclass(frozen=True)
class Csr:
    """Compressed adjacency: row v's neighbours are idx[ptr[v]:ptr[v+1]], sorted."""

    ptr: np.ndarray  # int64, n + 1
    idx: np.ndarray  # int32
    val: np.ndarray  # per-entry value (strength, length or mutual weight)


@dataclass(frozen=True)
class Network:
    """The filtered relationships of one analysis, as index arrays over sorted ids."""

    ids: np.ndarray  # sorted person ids; index i is person ids[i]
    # Relationships after filtering, self-ties dropped (one row per relationship).
    rel_src: np.ndarray
    rel_dst: np.ndarray
    rel_strength: np.ndarray
    rel_trust: np.ndarray  # 0 = unknown
    # Arcs: collaborates both ways, others source -> target, max strength per arc.
    arc_src: np.ndarray
    arc_dst: np.ndarray
    arc_strength: np.ndarray
    out: Csr  # val = strength
    into: Csr  # in-neighbours; val = strength
    sym: Csr  # contacts either way; val = z_ij = a_ij + a_ji
    # Influence digraph, arcs from the person who defers to the person with sway.
    infl_src: np.ndarray
    infl_dst: np.ndarray
    infl_strength: np.ndarray

    @property
    def n(self) -> int:
        """Number of people."""
        return int(self.ids.shape[0])


@dataclass(frozen=True)
class Grouping:
    """Integer group codes for one boundary; codes < len(labels) are real groups."""

    codes: np.ndarray  # int32 per person
    labels: tuple[Hashable, ...]  # real groups that have someone, sorted
    count: int  # real groups plus one singleton per unaffiliated person

    def label(self, code: int) -> Hashable | None:
        """The group's label, or None for an unaffiliated person's own group."""
        return self.labels[code] if code < len(self.labels) else None


# Below this many people a kernel runs in the calling thread: waking the thread
# pool costs more than the work.
PARALLEL_MIN_PEOPLE = 500


def chunk_count(n: int) -> int:
    """Work chunks for parallel loops (a few per thread to balance); 1 means serial."""
    if n < PARALLEL_MIN_PEOPLE or numba.get_num_threads() == 1:
        return 1
    return 4 * numba.get_num_threads()


def sort_labels(labels: set[Hashable]) -> list[Hashable]:
    """Sort group labels naturally, falling back to repr for unorderable mixes."""
    try:
        return sorted(labels)
    except TypeError:
        return sorted(labels, key=lambda x: (type(x).__name__, repr(x)))


def build_grouping(ids: np.ndarray, mapping: Mapping[int, Hashable]) -> Grouping:
    """Code each person's group; someone missing from the map is their own group."""
    labels = tuple(sort_labels({mapping[int(p)] for p in ids if int(p) in mapping}))
    code_of = {label: code for code, label in enumerate(labels)}
    codes = np.empty(ids.shape[0], dtype=np.int32)
    # Unaffiliated people get fresh codes in id order, so each is a group of one:
    # they are never "in the same group" as anyone, which keeps E-I, roles and
    # boundary betweenness honest without inventing an "unknown" organisation.
    fresh = len(labels)
    for i, p in enumerate(ids.tolist()):
        if p in mapping:
            codes[i] = code_of[mapping[p]]
        else:
            codes[i] = fresh
            fresh += 1
    return Grouping(codes=codes, labels=labels, count=fresh)


def build_csr(n: int, src: np.ndarray, dst: np.ndarray, val: np.ndarray) -> Csr:
    """CSR over rows src with sorted columns dst (pairs must be unique)."""
    order = np.lexsort((dst, src))
    ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(src, minlength=n), out=ptr[1:])
    return Csr(ptr=ptr, idx=dst[order].astype(np.int32), val=val[order])


def _max_per_arc(
    n: int, src: np.ndarray, dst: np.ndarray, strength: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Merge parallel arcs, keeping the largest strength; sorted by (src, dst)."""
    key = src.astype(np.int64) * n + dst
    order = np.lexsort((-strength, key))
    key, strength = key[order], strength[order]
    first = np.ones(key.shape[0], dtype=bool)
    first[1:] = key[1:] != key[:-1]
    key, strength = key[first], strength[first]
    return (key // n).astype(np.int32), (key % n).astype(np.int32), strength


def _keep(tie: Tie, options: Options) -> bool:
    """Whether a relationship passes the options' filters."""
    if options.kinds is not None and tie.kind not in options.kinds:
        return False
    if tie.strength < options.min_strength:
        return False
    return not (
        options.as_of is not None
        and tie.observed_on is not None
        and tie.observed_on > options.as_of
    )


def _validate(tie: Tie, index: Mapping[int, int]) -> None:
    """Reject ties the app's constraints should already have ruled out."""
    if tie.kind not in KINDS:
        raise ValueError(f"unknown relationship kind {tie.kind!r}")
    if not 1 <= tie.strength <= 5:
        raise ValueError(f"strength {tie.strength} outside 1..5")
    if tie.trust is not None and not 1 <= tie.trust <= 5:
        raise ValueError(f"trust {tie.trust} outside 1..5")
    for end in (tie.source, tie.target):
        if end not in index:
            raise ValueError(f"tie refers to person {end}, who is not in people")


def build_network(people: Sequence[int], ties: Sequence[Tie], options: Options) -> Network:
    """Filter relationships and derive arcs, CSR adjacency and the influence digraph."""
    ids = np.array(sorted(int(p) for p in people), dtype=np.int64)
    if ids.shape[0] > 1 and bool(np.any(ids[1:] == ids[:-1])):
        raise ValueError("people contains duplicate ids")
    if options.kinds is not None and not options.kinds <= KINDS:
        raise ValueError(f"unknown kinds in options: {sorted(options.kinds - KINDS)}")
    index = {p: i for i, p in enumerate(ids.tolist())}
    n = len(index)

    rows = []
    for tie in ties:
        _validate(tie, index)
        if tie.source == tie.target or not _keep(tie, options):
            continue
        rows.append(
            (
                index[tie.source],
                index[tie.target],
                KIND_CODES[tie.kind],
                tie.strength,
                tie.trust or 0,
            )
        )
    table = np.array(rows, dtype=np.int64).reshape(-1, 5)
    src, dst, kind, strength, trust = (table[:, c] for c in range(5))

    both = kind == COLLABORATES
    arc_src, arc_dst, arc_strength = _max_per_arc(
        n,
        np.concatenate([src, dst[both]]),
        np.concatenate([dst, src[both]]),
        np.concatenate([strength, strength[both]]),
    )
    # Influence flows to the person with sway: trusts/reports_to point at the
    # target, influences at the source, collaborates both ways (DESIGN.md).
    toward_source = kind == INFLUENCES
    infl_src, infl_dst, infl_strength = _max_per_arc(
        n,
        np.concatenate([np.where(toward_source, dst, src), dst[both]]),
        np.concatenate([np.where(toward_source, src, dst), src[both]]),
        np.concatenate([strength, strength[both]]),
    )

    # Mutual weight z_ij = a_ij + a_ji: add each arc to both ends' rows, then merge.
    sym_key = np.concatenate(
        [arc_src.astype(np.int64) * n + arc_dst, arc_dst.astype(np.int64) * n + arc_src]
    )
    keys, inverse = np.unique(sym_key, return_inverse=True)
    z = np.bincount(inverse, weights=np.concatenate([arc_strength, arc_strength]))
    sym = build_csr(n, (keys // n).astype(np.int32), (keys % n).astype(np.int32), z)

    return Network(
        ids=ids,
        rel_src=src.astype(np.int32),
        rel_dst=dst.astype(np.int32),
        rel_strength=strength,
        rel_trust=trust,
        arc_src=arc_src,
        arc_dst=arc_dst,
        arc_strength=arc_strength,
        out=build_csr(n, arc_src, arc_dst, arc_strength),
        into=build_csr(n, arc_dst, arc_src, arc_strength),
        sym=sym,
        infl_src=infl_src,
        infl_dst=infl_dst,
        infl_strength=infl_strength,
    )
