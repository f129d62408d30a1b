"""Who to put in the room: the smallest set of people reaching every target, exactly.

Set cover and maximum coverage, solved as integer programmes with
`scipy.optimize.milp` (HiGHS), because greedy choices are only guaranteed within
ln(n) + 1 and 1 - 1/e of the best (REFERENCE.md, "Scenarios"). Plain data in,
plain results out, no Django; scipy loads on first use only.

- Smallest set: binary x_p; minimise sum x_p subject to, for every target t,
  sum of x_p over the people p reaching t >= 1.
- Best set of at most k: binary x_p and y_t; maximise sum y_t subject to
  y_t <= sum of x_p over the people reaching t, and sum x_p <= k. If fewer than k
  people reach as many targets, the smaller set is the answer.
- Must-include people are fixed in the set (and count towards k); targets nobody
  reaches are reported, not asked for.

Tie-break, so the same question always gets the same answer: among equally good
sets (equally small; or reaching equally many with equally few people) the one
whose people come earliest in `order` (the caller's preference, e.g. highest
broker score first, then lowest id), in the sense of the smallest sum of their
positions, is chosen. It is a second exact integer programme with the first
one's optimum fixed, so it never trades the primary goal for the preference.
The inputs are put in a canonical order before solving, and HiGHS is
deterministic for identical input, so any remaining tie is settled the same way
every time.
"""

from collections.abc import Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass

# An exact answer normally takes milliseconds; this bounds a pathological one.
TIME_LIMIT_S = 20.0


@dataclass(frozen=True)
class Cover:
    """A chosen set of people and what it reaches."""

    people: tuple[int, ...]  # in `order` (must-include people among them)
    reached: frozenset  # targets the set reaches
    unreachable: frozenset  # targets nobody available reaches at all
    missed: frozenset  # reachable targets this set does not reach (best-of-k only)
    optimal: bool  # the solver proved it best (False only if it ran out of time)


def _mask_people(
    reach: Mapping[int, Collection[Hashable]], targets: Sequence[Hashable]
) -> dict[int, int]:
    index = {t: i for i, t in enumerate(targets)}
    masks = {}
    for person, reached in reach.items():
        mask = 0
        for t in reached:
            if t in index:
                mask |= 1 << index[t]
        masks[person] = mask
    return masks


def _ordered(reach: Mapping[int, object], order: Sequence[int] | None) -> list[int]:
    """Everyone in `reach`, in `order` first, then the rest by id."""
    listed = [p for p in dict.fromkeys(order or ()) if p in reach]
    seen = set(listed)
    return listed + sorted(p for p in reach if p not in seen)


@dataclass
class _Problem:
    targets: list[Hashable]
    people: list[int]  # every candidate, in preference order
    masks: dict[int, int]
    fixed: list[int]  # must-include, in preference order
    unreachable: frozenset
    open_bits: int  # reachable targets the fixed people do not already reach
    candidates: list[int]  # one person per distinct reach (earliest in order)


def _problem(
    reach: Mapping[int, Collection[Hashable]],
    targets: Iterable[Hashable],
    include: Collection[int],
    order: Sequence[int] | None,
) -> _Problem:
    targets = list(dict.fromkeys(targets))
    unknown = [p for p in include if p not in reach]
    if unknown:
        raise ValueError(f"must-include people {unknown} are not among the candidates")
    people = _ordered(reach, order)
    masks = _mask_people(reach, targets)
    reachable = 0
    for mask in masks.values():
        reachable |= mask
    fixed = [p for p in people if p in include]
    fixed_bits = 0
    for p in fixed:
        fixed_bits |= masks[p]
    open_bits = reachable & ~fixed_bits
    # People who reach exactly the same open targets are interchangeable: keep the
    # one earliest in order (the tie-break would choose them anyway).
    by_mask: dict[int, int] = {}
    for p in people:
        if p in include:
            continue
        mask = masks[p] & open_bits
        if mask and mask not in by_mask:
            by_mask[mask] = p
    return _Problem(
        targets=targets,
        people=people,
        masks=masks,
        fixed=fixed,
        unreachable=frozenset(t for i, t in enumerate(targets) if not reachable >> i & 1),
        open_bits=open_bits,
        candidates=list(by_mask.values()),
    )


def _bits(mask: int) -> list[int]:
    return [i for i in range(mask.bit_length()) if mask >> i & 1]


def _solve(c, constraints, integrality, bounds):
    """One HiGHS solve with an exact gap; returns (x, proved optimal)."""
    from scipy.optimize import milp

    result = milp(
        c,
        constraints=constraints,
        integrality=integrality,
        bounds=bounds,
        options={"mip_rel_gap": 0.0, "time_limit": TIME_LIMIT_S, "presolve": True},
    )
    if result.x is None:
        raise RuntimeError(f"the integer programme has no solution ({result.message})")
    return result.x, result.status == 0


def _incidence(rows: list[int], candidates: list[int], masks: dict[int, int]):
    """Sparse matrix: a 1 where candidate j reaches target rows[i]."""
    import numpy as np
    from scipy.sparse import csr_array

    row_of = {bit: i for i, bit in enumerate(rows)}
    r, c = [], []
    for j, p in enumerate(candidates):
        for bit in _bits(masks[p]):
            if bit in row_of:
                r.append(row_of[bit])
                c.append(j)
    data = np.ones(len(r))
    return csr_array((data, (r, c)), shape=(len(rows), len(candidates)))


def _positions(problem: _Problem):
    """Each candidate's position in the preference order (the tie-break's costs)."""
    import numpy as np

    position = {p: i for i, p in enumerate(problem.people)}
    return np.array([position[p] for p in problem.candidates], dtype=float)


def _result(problem: _Problem, chosen: Iterable[int], optimal: bool) -> Cover:
    chosen = set(chosen) | set(problem.fixed)
    people = tuple(p for p in problem.people if p in chosen)
    bits = 0
    for p in people:
        bits |= problem.masks[p]
    targets = problem.targets
    reached = frozenset(t for i, t in enumerate(targets) if bits >> i & 1)
    missed = frozenset(t for t in targets if t not in reached and t not in problem.unreachable)
    return Cover(
        people=people,
        reached=reached,
        unreachable=problem.unreachable,
        missed=missed,
        optimal=optimal,
    )


def smallest_cover(
    reach: Mapping[int, Collection[Hashable]],
    targets: Iterable[Hashable],
    *,
    include: Collection[int] = (),
    order: Sequence[int] | None = None,
) -> Cover:
    """The fewest people (with `include`) reaching every target anyone can reach.

    `reach` maps each candidate to the targets they reach; people not in it are
    not candidates (leave out excluded people). `order` is the tie-break
    preference, earliest first; people missing from it come after, by id.
    """
    problem = _problem(reach, targets, include, order)
    rows = _bits(problem.open_bits)
    if not rows:
        return _result(problem, (), True)
    import numpy as np
    from scipy.optimize import Bounds, LinearConstraint

    candidates = problem.candidates
    n = len(candidates)
    a = _incidence(rows, candidates, problem.masks)
    cover = LinearConstraint(a, lb=np.ones(len(rows)), ub=np.inf)
    binary = np.ones(n)
    bounds = Bounds(np.zeros(n), np.ones(n))
    x, optimal = _solve(np.ones(n), [cover], binary, bounds)
    size = round(x.sum())
    # With the size fixed, the earliest people in order (smallest sum of positions).
    fewest = LinearConstraint(np.ones((1, n)), lb=size, ub=size)
    x, second = _solve(_positions(problem), [cover, fewest], binary, bounds)
    return _result(problem, (candidates[j] for j in range(n) if x[j] > 0.5), optimal and second)


def best_cover(
    reach: Mapping[int, Collection[Hashable]],
    targets: Iterable[Hashable],
    size: int,
    *,
    include: Collection[int] = (),
    order: Sequence[int] | None = None,
) -> Cover:
    """At most `size` people (with `include`) reaching as many targets as possible.

    Among sets reaching equally many targets the smallest is chosen, then the
    earliest in `order`. ValueError if `include` alone is larger than `size`.
    """
    if size < 1:
        raise ValueError("the size of the room must be at least 1")
    problem = _problem(reach, targets, include, order)
    free = size - len(problem.fixed)
    if free < 0:
        raise ValueError(
            f"{len(problem.fixed)} people must be included, more than the {size} places"
        )
    rows = _bits(problem.open_bits)
    if not rows or free == 0:
        return _result(problem, (), True)
    import numpy as np
    from scipy.optimize import Bounds, LinearConstraint
    from scipy.sparse import hstack, identity

    candidates = problem.candidates
    n, m = len(candidates), len(rows)
    a = _incidence(rows, candidates, problem.masks)
    # Variables: x (n people) then y (m targets). y_t - sum_{p reaches t} x_p <= 0.
    link = LinearConstraint(hstack([-a, identity(m)]), lb=-np.inf, ub=0)
    seats = LinearConstraint(np.concatenate([np.ones(n), np.zeros(m)])[None, :], lb=0, ub=free)
    binary = np.ones(n + m)
    bounds = Bounds(np.zeros(n + m), np.ones(n + m))
    c = np.concatenate([np.zeros(n), -np.ones(m)])
    x, optimal = _solve(c, [link, seats], binary, bounds)
    reached = round(x[n:].sum())
    # With that many targets reached: fewest people, then earliest in order. A person
    # costs more than every position together, so fewer people always wins.
    weight = float(len(problem.people) * free + 1)
    enough = LinearConstraint(
        np.concatenate([np.zeros(n), np.ones(m)])[None, :], lb=reached, ub=np.inf
    )
    c = np.concatenate([weight + _positions(problem), np.zeros(m)])
    x, second = _solve(c, [link, seats, enough], binary, bounds)
    return _result(problem, (candidates[j] for j in range(n) if x[j] > 0.5), optimal and second)


def only_reached_by(
    people: Sequence[int], reach: Mapping[int, Collection[Hashable]]
) -> dict[int, frozenset]:
    """For each chosen person, the targets nobody else in the set reaches."""
    counts: dict[Hashable, int] = {}
    for p in people:
        for t in set(reach.get(p, ())):
            counts[t] = counts.get(t, 0) + 1
    return {p: frozenset(t for t in reach.get(p, ()) if counts[t] == 1) for p in people}
