"""Naive reference implementations, written from the definitions and nothing else.

Slow and obviously correct: explicit path enumeration, nested loops, direct
formulas. The tests compare stakeholders.analysis against these on small graphs.
"""

import math
from collections import Counter, deque

import networkx as nx

from stakeholders.analysis import BOUNDARIES, Options, Tie


def kept(ties: list[Tie], options: Options) -> list[Tie]:
    """Relationships that pass the options, self-ties dropped."""
    out = []
    for t in ties:
        if t.source == t.target:
            continue
        if options.kinds is not None and t.kind not in options.kinds:
            continue
        if t.strength < options.min_strength:
            continue
        if options.as_of and t.observed_on and t.observed_on > options.as_of:
            continue
        out.append(t)
    return out


def arcs_of(ties: list[Tie]) -> dict[tuple[int, int], int]:
    """Arc -> strength: collaborates both ways, the rest source -> target, max strength."""
    arcs: dict[tuple[int, int], int] = {}
    for t in ties:
        ends = [(t.source, t.target)]
        if t.kind == "collaborates":
            ends.append((t.target, t.source))
        for a in ends:
            arcs[a] = max(arcs.get(a, 0), t.strength)
    return arcs


def influence_arcs(ties: list[Tie]) -> dict[tuple[int, int], int]:
    """Arcs toward the person with sway."""
    arcs: dict[tuple[int, int], int] = {}
    for t in ties:
        if t.kind in ("trusts", "reports_to"):
            ends = [(t.source, t.target)]
        elif t.kind == "influences":
            ends = [(t.target, t.source)]
        else:
            ends = [(t.source, t.target), (t.target, t.source)]
        for a in ends:
            arcs[a] = max(arcs.get(a, 0), t.strength)
    return arcs


def group_keys(people: list[int], mapping: dict) -> dict[int, object]:
    """Each person's group; someone without one is alone in a group of their own."""
    return {p: ("group", mapping[p]) if p in mapping else ("alone", p) for p in people}


def _distances(nodes, arcs, length, s):
    """Single-source shortest distances by repeated relaxation (Bellman-Ford)."""
    dist = {s: 0}
    for _ in range(len(nodes)):
        for (u, w), strength in arcs.items():
            if u in dist:
                d = dist[u] + length(strength)
                if w not in dist or d < dist[w]:
                    dist[w] = d
    return dist


def all_shortest_paths(nodes, arcs, weighted: bool):
    """{(s, t): [path, ...]} listing every shortest path explicitly."""

    def length(strength):
        return 60 // strength if weighted else 1

    out_arcs = {v: [] for v in nodes}
    for (u, w), strength in arcs.items():
        out_arcs[u].append((w, length(strength)))
    paths: dict[tuple[int, int], list[tuple[int, ...]]] = {}
    for s in nodes:
        dist = _distances(nodes, arcs, length, s)
        # Every walk that follows tight arcs from s is a shortest path to its end.
        stack = [(s,)]
        while stack:
            path = stack.pop()
            u = path[-1]
            if u != s:
                paths.setdefault((s, u), []).append(path)
            for w, length_uw in out_arcs[u]:
                if w in dist and dist[u] + length_uw == dist[w]:
                    stack.append((*path, w))
    return paths


def betweenness(nodes, arcs, weighted=False) -> dict[int, float]:
    """Normalised directed betweenness from explicit path lists."""
    n = len(nodes)
    raw = dict.fromkeys(nodes, 0.0)
    for path_list in all_shortest_paths(nodes, arcs, weighted).values():
        for path in path_list:
            for v in path[1:-1]:
                raw[v] += 1 / len(path_list)
    scale = 1 / ((n - 1) * (n - 2)) if n > 2 else 1
    return {v: b * scale for v, b in raw.items()}


def boundary_betweenness(nodes, arcs, group) -> dict[int, float | None]:
    """Share of shortest paths between cross-group pairs that pass through v."""
    paths = all_shortest_paths(nodes, arcs, weighted=False)
    out = {}
    for v in nodes:
        num, den = 0.0, 0
        for s in nodes:
            for t in nodes:
                if s == t or v in (s, t) or group[s] == group[t]:
                    continue
                den += 1
                found = paths.get((s, t), [])
                if found:
                    num += sum(v in p[1:-1] for p in found) / len(found)
        out[v] = num / den if den else None
    return out


def roles(nodes, arcs, group) -> dict[int, dict[str, int]]:
    """Role counts from a triple loop over open two-paths a -> v -> b."""
    out = {
        v: dict.fromkeys(("coordinator", "itinerant", "representative", "gatekeeper", "liaison"), 0)
        for v in nodes
    }
    for v in nodes:
        for a in nodes:
            for b in nodes:
                if len({a, v, b}) < 3 or (a, v) not in arcs or (v, b) not in arcs:
                    continue
                if (a, b) in arcs:
                    continue
                ga, gv, gb = group[a], group[v], group[b]
                if ga == gv == gb:
                    role = "coordinator"
                elif ga == gb:
                    role = "itinerant"
                elif ga == gv:
                    role = "representative"
                elif gv == gb:
                    role = "gatekeeper"
                else:
                    role = "liaison"
                out[v][role] += 1
    return out


def open_two_paths(nodes, arcs) -> int:
    """Number of a -> v -> b with a, v, b distinct and no arc a -> b."""
    return sum(
        1
        for v in nodes
        for a in nodes
        for b in nodes
        if len({a, v, b}) == 3 and (a, v) in arcs and (v, b) in arcs and (a, b) not in arcs
    )


def role_z(nodes, arcs, group, counts) -> dict[int, dict[str, float | None]]:
    """z-scores straight from REFERENCE.md's table of E and Var."""
    big_n = len(nodes)
    m = len(arcs)
    sizes = Counter(group[v] for v in nodes)
    out = {}
    for v in nodes:
        if big_n < 2:
            out[v] = dict.fromkeys((*counts[v], "total"))
            continue
        d = m / (big_n * (big_n - 1))
        q = d**2 * (1 - d)
        c3 = d**3 * (1 - d) ** 3
        ni = sizes[group[v]]
        nj = [s for g, s in sizes.items() if g != group[v]]
        e_v = {
            "coordinator": q * (ni - 1) * (ni - 2),
            "itinerant": q * sum(x * (x - 1) for x in nj),
            "representative": q * (big_n - ni) * (ni - 1),
            "gatekeeper": q * (big_n - ni) * (ni - 1),
            "liaison": q * (sum(nj) ** 2 - sum(x * x for x in nj)),
            "total": q * (big_n - 1) * (big_n - 2),
        }
        extra = {
            "coordinator": 2 * (ni - 1) * (ni - 2) * (ni - 3) * c3,
            "itinerant": 2 * sum(x * (x - 1) * (x - 2) for x in nj) * c3,
            "representative": 2
            * ((ni - 1) * math.comb(big_n - ni, 2) + (big_n - ni) * math.comb(ni - 1, 2))
            * c3,
            "liaison": 4 * sum(x * math.comb(big_n - x - ni, 2) for x in nj) * c3,
            "total": 2 * (big_n - 1) * (big_n - 2) * (big_n - 3) * c3,
        }
        extra["gatekeeper"] = extra["representative"]
        raw = dict(counts[v], total=sum(counts[v].values()))
        out[v] = {}
        for role, mean in e_v.items():
            var = mean * (1 - q) + extra[role]
            out[v][role] = (raw[role] - mean) / math.sqrt(var) if var > 0 else None
    return out


def structural_holes(nodes, arcs) -> dict[int, tuple[float | None, float | None]]:
    """Burt's constraint and effective size from the formulas, z_ij = a_ij + a_ji."""

    def a(i, j):
        return arcs.get((i, j), 0)

    def z(i, j):
        return a(i, j) + a(j, i)

    contacts = {i: {j for j in nodes if j != i and z(i, j) > 0} for i in nodes}

    def p(i, j):
        return z(i, j) / sum(z(i, k) for k in contacts[i])

    def m(j, q):
        return z(j, q) / max(z(j, k) for k in contacts[j])

    out = {}
    for i in nodes:
        if not contacts[i]:
            out[i] = (None, None)
            continue
        constraint = sum(
            (p(i, j) + sum(p(i, q) * p(q, j) for q in contacts[i] if q != j)) ** 2
            for j in contacts[i]
        )
        effective = sum(
            1 - sum(p(i, q) * m(j, q) for q in contacts[i] if q != j) for j in contacts[i]
        )
        out[i] = (constraint, effective)
    return out


def pagerank(nodes, ties) -> dict[int, float]:
    """networkx PageRank, iterated far past its default tolerance."""
    g = nx.DiGraph()
    g.add_nodes_from(nodes)
    g.add_weighted_edges_from((u, v, s) for (u, v), s in influence_arcs(ties).items())
    return nx.pagerank(g, alpha=0.85, weight="weight", tol=1e-15, max_iter=100_000)


def person_ties(nodes, arcs, group) -> dict[int, dict]:
    """Degrees, external ties, groups reached, E-I and participation per person."""
    out = {}
    for v in nodes:
        neighbours = {w for (u, w) in arcs if u == v} | {u for (u, w) in arcs if w == v}
        e = sum(group[w] != group[v] for w in neighbours)
        i = len(neighbours) - e
        per_group = Counter(group[w] for w in neighbours)
        k = len(neighbours)
        out[v] = {
            "degree_in": sum(w == v for (_, w) in arcs),
            "degree_out": sum(u == v for (u, _) in arcs),
            "external_ties": sum(1 for (u, w) in arcs if v in (u, w) and group[u] != group[w]),
            "groups_reached": len(set(per_group) - {group[v]}),
            "ei_index": (e - i) / k if k else None,
            "participation": 1 - sum((c / k) ** 2 for c in per_group.values()) if k else None,
        }
    return out


def percentiles(values: list) -> list[float]:
    """The share of the others with a strictly lower value; None lowest."""
    n = len(values)
    if n == 1:
        return [0.0]
    keys = [-math.inf if v is None else v for v in values]

    def same_value(x, y):
        # Sums taken in another order differ in the last bits; they are ties.
        return x == y or math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-15)

    out = []
    for x in keys:
        below = sum(1 for y in keys if y < x and not same_value(x, y))
        out.append(below / (n - 1))
    return out


def _reaches(adjacent, sources, targets, removed) -> bool:
    """Whether any source reaches any target in the undirected graph without `removed`."""
    start = [s for s in sources if s != removed]
    goal = {t for t in targets if t != removed}
    seen = set(start)
    queue = deque(start)
    while queue:
        u = queue.popleft()
        if u in goal:
            return True
        for w in adjacent[u]:
            if w != removed and w not in seen:
                seen.add(w)
                queue.append(w)
    return False


def pair_rows(people, ties, arcs, mapping) -> dict[tuple, dict]:
    """Partnership rows keyed by (group_a, group_b), with brute-force failure checks."""
    labels = sorted(set(mapping[p] for p in people if p in mapping))
    members = {g: [p for p in people if p in mapping and mapping[p] == g] for g in labels}
    adjacent = {p: set() for p in people}
    for u, w in arcs:
        adjacent[u].add(w)
        adjacent[w].add(u)
    rows = {}
    for i, ga in enumerate(labels):
        for gb in labels[i + 1 :]:
            a_set, b_set = set(members[ga]), set(members[gb])
            cross = [
                (u, w)
                for (u, w) in arcs
                if (u in a_set and w in b_set) or (u in b_set and w in a_set)
            ]
            if not cross:
                continue
            rels = [
                t
                for t in ties
                if (t.source in a_set and t.target in b_set)
                or (t.source in b_set and t.target in a_set)
            ]
            trusts = [t.trust for t in rels if t.trust is not None]
            person_pairs = {frozenset(c) for c in cross}
            mutual = [pp for pp in person_pairs if sum(set(c) == pp for c in cross) == 2]
            carriers = sorted({x for c in cross for x in c})
            failure = sorted(p for p in people if all(p in c for c in cross))
            cutting = sorted(
                p for p in people if not _reaches(adjacent, members[ga], members[gb], p)
            )
            rows[(ga, gb)] = {
                "arcs_a_to_b": sum(1 for (u, w) in cross if u in a_set),
                "arcs_b_to_a": sum(1 for (u, w) in cross if u in b_set),
                "relationships": len(rels),
                "mean_strength": sum(t.strength for t in rels) / len(rels),
                "mean_trust": sum(trusts) / len(trusts) if trusts else None,
                "connected_person_pairs": len(person_pairs),
                "reciprocity": len(mutual) / len(person_pairs),
                "carriers": tuple(carriers),
                "single_point_of_failure": bool(failure) or bool(cutting),
                "failure_people": tuple(failure),
                "disconnecting_people": tuple(cutting),
            }
    return rows


def summary(people, ties, arcs, mapping) -> dict:
    """Whole-map figures."""
    n = len(people)
    group = group_keys(people, mapping)
    g = nx.DiGraph()
    g.add_nodes_from(people)
    g.add_edges_from(arcs)
    return {
        "people": n,
        "relationships": len(ties),
        "arcs": len(arcs),
        "density": len(arcs) / (n * (n - 1)) if n > 1 else None,
        "components": nx.number_weakly_connected_components(g) if n else 0,
        "isolates": sum(1 for p in people if g.degree(p) == 0),
        "cross_boundary_share": (
            sum(group[t.source] != group[t.target] for t in ties) / len(ties) if ties else None
        ),
        "groups": tuple(sorted({mapping[p] for p in people if p in mapping})),
        "unaffiliated": sum(1 for p in people if p not in mapping),
    }


def everything(people, groups, ties, seniority, options) -> dict:
    """All naive results, keyed like the engine's output."""
    ties = kept(ties, options)
    arcs = arcs_of(ties)
    nodes = sorted(people)
    bc = betweenness(nodes, arcs)
    wbc = betweenness(nodes, arcs, weighted=True)
    holes = structural_holes(nodes, arcs)
    pr = pagerank(nodes, ties)
    infl_pct = dict(zip(nodes, percentiles([pr[v] for v in nodes]), strict=True))
    known = [v for v in nodes if seniority is not None and seniority.get(v) is not None]
    sen_pct = dict(zip(known, percentiles([seniority[v] for v in known]), strict=True))
    result = {"persons": {}, "pairs": {}, "summaries": {}}
    for boundary in BOUNDARIES:
        mapping = {p: g for p, g in groups[boundary].items() if p in people}
        group = group_keys(nodes, mapping)
        bb = boundary_betweenness(nodes, arcs, group)
        rc = roles(nodes, arcs, group)
        rz = role_z(nodes, arcs, group, rc)
        pt = person_ties(nodes, arcs, group)
        cross_roles = [
            rc[v]["liaison"] + rc[v]["gatekeeper"] + rc[v]["representative"] for v in nodes
        ]
        openness = [None if holes[v][0] is None else 1 - holes[v][0] for v in nodes]
        parts = [
            percentiles([bb[v] for v in nodes]),
            percentiles(cross_roles),
            percentiles(openness),
            percentiles([pt[v]["groups_reached"] for v in nodes]),
        ]
        persons = {}
        for i, v in enumerate(nodes):
            sp = sen_pct.get(v)
            ip = infl_pct[v]
            persons[v] = dict(
                pt[v],
                group=mapping.get(v),
                betweenness=bc[v],
                weighted_betweenness=wbc[v],
                boundary_betweenness=bb[v],
                roles=dict(rc[v], total=sum(rc[v].values())),
                roles_z=rz[v],
                constraint=holes[v][0],
                effective_size=holes[v][1],
                influence=pr[v],
                influence_percentile=ip,
                seniority_percentile=sp,
                hidden_influencer=sp is not None and ip - sp >= 0.5 and ip >= 0.75,
                titled_but_isolated=sp is not None and sp - ip >= 0.5 and sp >= 0.75,
                broker_parts=[p[i] for p in parts],
                broker_score=100 * sum(p[i] for p in parts) / 4,
            )
        result["persons"][boundary] = persons
        result["pairs"][boundary] = pair_rows(nodes, ties, arcs, mapping)
        result["summaries"][boundary] = summary(nodes, ties, arcs, mapping)
    return result
