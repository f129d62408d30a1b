"""The most trusted route between two people, and alternatives that share no intermediary.

Plain data in, plain results out; no Django, nothing heavy (a heap Dijkstra on
adjacency lists, standard library only), so a page can call it in a request.

The rule (REFERENCE.md, "Scenarios"):

- A hop between two people uses their best tie in either direction, of any kind.
  Its reliability is (strength / 5) x (trust / 5), unknown trust counted as 3, and
  halved when the tie is stale under the workspace's retention rule.
- A route's reliability is the product of its hops' reliabilities. The most
  trusted route maximises it: the shortest path with hop length -log(reliability).
- Equal products are broken by fewer hops, then by the people's ids along the
  route compared in order from the start, so the same question always gets the
  same answer.
- Alternatives are successive shortest paths: each is the most trusted route
  once every intermediary of the routes before it is taken out of the map (and
  a direct tie, once used, is not used again).

Exactness: every hop reliability is s * t / (25 * 2^stale) with s, t in 1..5, so
a route's -log(reliability) is a * ln 2 + b * ln 3 + c * ln 5 for whole numbers
a, b, c. Routes carry (a, b, c) and their length is always computed from it in
the same way, so two routes of equal reliability get exactly equal lengths (a
float sum in a different order might differ in the last bit and break the
tie-breaks), and unequal ones differ far beyond rounding.
"""

import heapq
import math
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import NamedTuple

UNKNOWN_TRUST = 3  # an unknown trust counts as middling
ALTERNATIVES = 3

_LN2, _LN3, _LN5 = math.log(2), math.log(3), math.log(5)
# Prime exponents (of 2, 3, 5) of 1..5: the factors of s * t.
_FACTORS = {1: (0, 0, 0), 2: (1, 0, 0), 3: (0, 1, 0), 4: (2, 0, 0), 5: (0, 0, 1)}

type Exponents = tuple[int, int, int]


class TieLink(NamedTuple):
    """One recorded relationship as the route finder sees it (a plain tuple works too)."""

    tie: int  # the relationship's id, to show the tie a hop uses
    a: int  # its two people (direction does not matter for a hop)
    b: int
    strength: int  # 1..5
    trust: int | None  # 1..5, None when unknown
    stale: bool  # last observed before the workspace's retention cutoff


@dataclass(frozen=True)
class Hop:
    source: int  # in the direction of the route
    target: int
    tie: int
    reliability: float


@dataclass(frozen=True)
class Route:
    people: tuple[int, ...]  # start, intermediaries, target
    hops: tuple[Hop, ...]
    reliability: float  # the product of the hops' reliabilities

    @property
    def intermediaries(self) -> tuple[int, ...]:
        return self.people[1:-1]


def hop_reliability(strength: int, trust: int | None, stale: bool) -> Fraction:
    """(strength / 5) x (trust / 5), unknown trust as 3, halved when stale; exact."""
    return Fraction(_hop(strength, trust, stale)[0], 50)


def _hop(strength: int, trust: int | None, stale: bool) -> tuple[int, Exponents]:
    """(50 x reliability, a whole number; the exponents of -log reliability)."""
    try:
        return _HOPS[strength, UNKNOWN_TRUST if trust is None else trust, bool(stale)]
    except (KeyError, TypeError):
        raise ValueError(
            f"strength and trust must be whole numbers from 1 to 5, not {strength!r}, {trust!r}"
        ) from None


def _exponents(strength: int, trust: int, stale: bool) -> Exponents:
    """(a, b, c) with -log(reliability) = a ln 2 + b ln 3 + c ln 5."""
    s, t = _FACTORS[strength], _FACTORS[trust]
    # reliability = s t / (5^2 2^stale): minus its log is 2 ln 5 + stale ln 2 - ln s - ln t.
    return (int(stale) - s[0] - t[0], -s[1] - t[1], 2 - s[2] - t[2])


# Every hop there can be, worked out once: 50 x reliability is 2 s t, or s t when stale.
_HOPS = {
    (s, t, stale): (s * t * (1 if stale else 2), _exponents(s, t, stale))
    for s in range(1, 6)
    for t in range(1, 6)
    for stale in (False, True)
}


class _Edge(NamedTuple):
    other: int
    tie: int
    exponents: Exponents
    reliability50: int  # 50 x reliability


class RouteGraph:
    """People and the best tie between each pair of them, ready for route finding."""

    def __init__(self, links: Iterable[TieLink | tuple], people: Iterable[int] = ()) -> None:
        best: dict[tuple[int, int], tuple[tuple, int, Exponents, int]] = {}
        nodes: set[int] = set(people)
        for tie, a, b, strength, trust, stale in links:
            if a == b:
                continue
            r50, exps = _hop(strength, trust, stale)
            pair = (a, b) if a < b else (b, a)
            # The best tie of a pair: most reliable, then (for the tie shown) fresh
            # before stale, stronger, more trusted, lowest id.
            rank = (-r50, bool(stale), -strength, -(trust or 0), tie)
            old = best.get(pair)
            if old is None or rank < old[0]:
                best[pair] = (rank, tie, exps, r50)
        nodes.update(a for pair in best for a in pair)
        self.adjacency: dict[int, list[_Edge]] = {n: [] for n in nodes}
        for (a, b), (_rank, tie, exps, r50) in best.items():
            self.adjacency[a].append(_Edge(b, tie, exps, r50))
            self.adjacency[b].append(_Edge(a, tie, exps, r50))
        for edges in self.adjacency.values():
            edges.sort()

    def __contains__(self, person: object) -> bool:
        return person in self.adjacency

    def component(self, person: int) -> set[int]:
        """Everyone connected to `person` by any chain of ties (them included)."""
        seen = {person}
        stack = [person]
        while stack:
            for edge in self.adjacency.get(stack.pop(), ()):
                if edge.other not in seen:
                    seen.add(edge.other)
                    stack.append(edge.other)
        return seen

    def most_trusted(
        self,
        source: int,
        target: int,
        *,
        avoid: Collection[int] = frozenset(),
        skip_direct: bool = False,
    ) -> Route | None:
        """The most trusted route not passing through `avoid`; None when there is none.

        `skip_direct` leaves out the direct tie between source and target.
        """
        if source not in self or target not in self or source == target:
            return None
        # Label: (length from exponents, hops, people along the route); compared as a
        # tuple, so equal reliability falls to fewer hops, then to the ids in order.
        # (The inner loop is written out by hand: it runs for every tie, four times a page.)
        blocked = set(avoid) - {target}
        settled: set[int] = set()
        start = (source,)
        best: dict[int, tuple[float, int, tuple[int, ...]]] = {source: (0.0, 0, start)}
        exps: dict[int, Exponents] = {source: (0, 0, 0)}
        heap: list[tuple[float, int, tuple[int, ...]]] = [(0.0, 0, start)]
        pop, push = heapq.heappop, heapq.heappush
        while heap:
            _, hops, path = pop(heap)
            node = path[-1]
            if node in settled or best[node][2] is not path:
                continue  # settled already, or a label since bettered
            settled.add(node)
            if node == target:
                return self._route(path)
            a0, b0, c0 = exps[node]
            hops += 1
            for other, _tie, (a, b, c), _r50 in self.adjacency[node]:
                if other in settled or other in blocked:
                    continue
                if skip_direct and other == target and node == source:
                    continue
                na, nb, nc = a0 + a, b0 + b, c0 + c
                length = na * _LN2 + nb * _LN3 + nc * _LN5
                current = best.get(other)
                if current is not None:
                    if length > current[0] or (length == current[0] and hops > current[1]):
                        continue
                    if length == current[0] and hops == current[1]:
                        new_path = (*path, other)
                        if new_path >= current[2]:
                            continue
                    else:
                        new_path = (*path, other)
                else:
                    new_path = (*path, other)
                label = (length, hops, new_path)
                best[other] = label
                exps[other] = (na, nb, nc)
                push(heap, label)
        return None

    def _route(self, people: tuple[int, ...]) -> Route:
        hops = []
        product = Fraction(1)
        for a, b in zip(people, people[1:], strict=False):
            edge = next(e for e in self.adjacency[a] if e.other == b)
            reliability = Fraction(edge.reliability50, 50)
            product *= reliability
            hops.append(Hop(a, b, edge.tie, float(reliability)))
        return Route(people=people, hops=tuple(hops), reliability=float(product))

    def routes(self, source: int, target: int, *, alternatives: int = ALTERNATIVES) -> list[Route]:
        """The most trusted route, then up to `alternatives` sharing no intermediary.

        Successive shortest paths: each alternative is the most trusted route once
        the intermediaries of every route before it are removed; a direct tie
        counts as a route once.
        """
        found: list[Route] = []
        avoid: set[int] = set()
        skip_direct = False
        while len(found) <= alternatives:
            route = self.most_trusted(source, target, avoid=avoid, skip_direct=skip_direct)
            if route is None:
                break
            found.append(route)
            avoid.update(route.intermediaries)
            skip_direct = skip_direct or len(route.people) == 2
        return found


def route_graph(links: Iterable[TieLink], people: Iterable[int] = ()) -> RouteGraph:
    """A RouteGraph of `people` (isolated ones included) joined by `links`."""
    return RouteGraph(links, people)


@dataclass(frozen=True)
class Part:
    """The part of the map (connected component) a person is in."""

    size: int
    groups: list[tuple[object, int]]  # (group, people in it), largest first


def part_of_map(graph: RouteGraph, person: int, groups: Mapping[int, object]) -> Part:
    """How big the person's part of the map is and which groups it spans."""
    members = graph.component(person) if person in graph else {person}
    counts: dict[object, int] = {}
    for member in members:
        group = groups.get(member)
        if group is not None:
            counts[group] = counts.get(group, 0) + 1
    ordered = sorted(counts.items(), key=lambda item: (-item[1], str(item[0])))
    return Part(size=len(members), groups=ordered)
