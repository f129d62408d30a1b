"""Influence-map layout: organisations first, their people around them.

Pure Python + numpy/numba (no Django). The background score run calls
compute_layout when the data changes and stores the result; requests only
read the stored positions.

How it works, in "natural units" where two people are at least 1 apart:
- Each organisation is a disc whose radius grows with sqrt(member count): its
  people sit on a sunflower (Vogel) spiral inside it, best-connected first, so
  they are central. People with no primary organisation form their own disc
  (key None).
- The discs are placed with a force-directed layout of the organisation graph
  (edge weight = ties between the two organisations): Kamada-Kawai for up to
  60 organisations, a compiled Fruchterman-Reingold (O(n^2) per iteration,
  about 3 s for 2,800 organisations) above that. Repulsion measures the
  gap between disc edges, so big organisations get room.
- A part of the organisation graph with no tie to the largest part (an
  organisation nobody elsewhere works with; people with no organisation and no
  ties) is brought in just outside it: left alone, repulsion drives it to the
  edge of the box and the fit below shrinks everyone else.
- Then, from the middle outwards, a disc that overlaps one already settled
  slides straight outwards to the first clear spot: no two discs overlap, and
  the arrangement survives.
- Everything is scaled into a BOX x BOX square; `Layout.spacing` is the
  minimum distance between any two people in that square.

Stability (issue #13): given the previous layout's organisation *and* person
positions, nothing already on the map moves. Organisations keep their disc
(centre and radius), people keep their exact spot while it is still inside
their organisation's disc; a new person takes the first free spot of their
organisation's sunflower (a disc grows to hold them), a new organisation the
nearest free space beside the organisations it has ties with. Removed ones
leave a gap. A full layout runs only without previous positions (the first
run, or an editor's "Tidy the layout"). Given organisation positions alone,
the force layout starts from them and cools from a low temperature.

Pins: an editor's pinned positions win over every layout, incremental or
full; a pinned organisation's people move with its disc.

Tier view: tier_layout re-arranges a stored layout into one horizontal band
per tier, organisations in their band ordered by their usual x.
Deterministic: no randomness beyond a fixed seed.
"""

import dataclasses
import math
from collections.abc import Mapping, Sequence

import numpy as np
from numba import njit, prange

from .inputs import LAYOUT_BOX

# networkx (Kamada-Kawai, for a full layout of few organisations) and scipy.spatial
# (nearest people, for a layout extended by newcomers) are imported where used: a
# score run that needs neither does not pay about 0.2 s to load them (#16).

# Bump when the layout changes, so stored layouts are recomputed.
VERSION = 2
BOX = LAYOUT_BOX
MARGIN = 20.0
# Sunflower radius step: with r_k = STEP * sqrt(k + 0.5) and the golden angle,
# the closest two points of any spiral are 1.546 * STEP apart (the first two).
STEP = 0.65
# Empty space kept between two organisation discs, in natural units.
GAP = 1.5
KAMADA_KAWAI_MAX = 60
# A small map is not blown up to fill the box: people at most this far apart (box
# units), so it has room to grow without anyone moving (the map zooms to it).
MAX_SPACING = 40.0
SEED = 20261126

OrgKey = int | None


@dataclasses.dataclass(frozen=True)
class Layout:
    """Positions in a BOX x BOX square (origin top left, as in SVG)."""

    # Organisation id (None: people with no primary organisation) -> (x, y, radius).
    organisations: dict[OrgKey, tuple[float, float, float]]
    # Person id -> (x, y).
    people: dict[int, tuple[float, float]]
    # No two people are closer than this.
    spacing: float


@dataclasses.dataclass(frozen=True)
class Pins:
    """Positions an editor fixed on the map (box units): every layout keeps them."""

    people: Mapping[int, tuple[float, float]] = dataclasses.field(default_factory=dict)
    organisations: Mapping[int, tuple[float, float]] = dataclasses.field(default_factory=dict)


def organisation_weights(
    *, members: Mapping[int, OrgKey], person_ties: Sequence[tuple[int, int]]
) -> dict[tuple[OrgKey, OrgKey], int]:
    """Ties between each pair of organisations (person pairs counted once, any direction)."""
    weights: dict[tuple[OrgKey, OrgKey], int] = {}
    for a, b in _person_pairs(person_ties):
        oa, ob = members.get(a), members.get(b)
        if oa == ob:
            continue
        key = (oa, ob) if _sort_key(oa) < _sort_key(ob) else (ob, oa)
        weights[key] = weights.get(key, 0) + 1
    return weights


def compute_layout(
    *,
    organisations: Sequence[int],
    org_weights: Mapping[tuple[OrgKey, OrgKey], int],
    members: Mapping[int, OrgKey],
    person_ties: Sequence[tuple[int, int]],
    previous: Mapping[OrgKey, tuple[float, float, float]] | None = None,
    previous_people: Mapping[int, tuple[float, float]] | None = None,
    pins: Pins | None = None,
) -> Layout:
    """Lay out organisations and people (see the module docstring).

    members maps every person to their primary organisation (None: no primary
    organisation); organisations lists every organisation, with or without
    people. previous is an earlier Layout.organisations and previous_people its
    Layout.people, in box units: with both, nobody already placed moves. pins
    are kept whatever else happens.
    """
    orgs = set(organisations)
    unknown = sorted({o for o in members.values() if o is not None and o not in orgs})
    if unknown:
        raise ValueError(f"people belong to organisations not in the list: {unknown[:5]}")
    people_by_org: dict[OrgKey, list[int]] = {o: [] for o in sorted(orgs)}
    for person, org in members.items():
        people_by_org.setdefault(org, []).append(person)
    keys: list[OrgKey] = sorted(people_by_org, key=_sort_key)
    if not keys:
        return Layout(organisations={}, people={}, spacing=BOX)

    degree: dict[int, int] = {}
    for a, b in _person_pairs(person_ties):
        degree[a] = degree.get(a, 0) + 1
        degree[b] = degree.get(b, 0) + 1
    pins = pins or Pins()
    if previous and previous_people:
        extended = _extend(
            keys, people_by_org, degree, org_weights, previous, previous_people, pins
        )
        if extended is not None:
            return extended
        # No room left in the box: a full layout, starting from where discs are now.
    radius = np.array([_disc_radius(len(people_by_org[k])) for k in keys])

    centres = _place_discs(keys, radius, org_weights, previous)
    centres = _separate(centres, radius)

    # Fit the discs into the box.
    lo = (centres - radius[:, None]).min(axis=0)
    hi = (centres + radius[:, None]).max(axis=0)
    scale = min((BOX - 2 * MARGIN) / max(float((hi - lo).max()), 1e-9), MAX_SPACING)
    offset = (BOX - scale * (hi - lo)) / 2 - scale * lo
    boxed = centres * scale + offset

    out_orgs: dict[OrgKey, tuple[float, float, float]] = {}
    out_people: dict[int, tuple[float, float]] = {}
    spiral = _sunflower(max(len(p) for p in people_by_org.values()))
    for i, key in enumerate(keys):
        cx, cy = float(boxed[i, 0]), float(boxed[i, 1])
        out_orgs[key] = (cx, cy, float(radius[i] * scale))
        ranked = sorted(people_by_org[key], key=lambda p: (-degree.get(p, 0), p))
        for person, (dx, dy) in zip(ranked, spiral[: len(ranked)], strict=True):
            out_people[person] = (cx + float(dx) * scale, cy + float(dy) * scale)
    _apply_pins(out_orgs, out_people, people_by_org, pins)
    return Layout(organisations=out_orgs, people=out_people, spacing=scale)


def _sort_key(org: OrgKey) -> tuple[int, int]:
    return (1, 0) if org is None else (0, org)


def _person_pairs(person_ties: Sequence[tuple[int, int]]) -> set[tuple[int, int]]:
    return {(a, b) if a < b else (b, a) for a, b in person_ties if a != b}


def _disc_radius(members: int) -> float:
    """Radius of a disc holding `members` people on the sunflower, half a spacing clear."""
    if members == 0:
        return 1.0
    return STEP * math.sqrt(members - 0.5) + 0.5


def _sunflower(n: int) -> np.ndarray:
    """n points on Vogel's spiral, closest pair 1.005 apart, centre first."""
    k = np.arange(n, dtype=float)
    r = STEP * np.sqrt(k + 0.5)
    angle = k * math.pi * (3 - math.sqrt(5))
    return np.column_stack([r * np.cos(angle), r * np.sin(angle)])


def _place_discs(
    keys: list[OrgKey],
    radius: np.ndarray,
    org_weights: Mapping[tuple[OrgKey, OrgKey], int],
    previous: Mapping[OrgKey, tuple[float, float, float]] | None,
) -> np.ndarray:
    """Disc centres in natural units (they may still overlap)."""
    n = len(keys)
    index = {k: i for i, k in enumerate(keys)}
    weight: dict[tuple[int, int], float] = {}
    for (a, b), w in org_weights.items():
        if a not in index or b not in index or a == b or w <= 0:
            continue
        i, j = sorted((index[a], index[b]))
        weight[(i, j)] = weight.get((i, j), 0.0) + w
    # Many ties pull harder, but not linearly: one big partnership should not
    # crush the rest of the map.
    edges = sorted((i, j, 1.0 + math.log(w)) for (i, j), w in weight.items())
    # A square holding the discs at about a fifth of its area.
    side = math.sqrt(float(np.pi * (radius**2).sum()) / 0.2)
    if n == 1:
        return np.zeros((1, 2))

    start, warm = _start_positions(keys, radius, edges, previous, side)
    if n <= KAMADA_KAWAI_MAX:
        return _kamada_kawai(n, radius, edges, start)
    indptr, indices, weights = _csr(n, edges)
    temp = (0.002 if warm else 0.1) * side
    iterations = 20 if warm else 100
    # The classic FR ideal distance: the square shared out evenly.
    k = side / math.sqrt(n)
    pos = start.copy()
    pos = _fruchterman_reingold(pos, radius, indptr, indices, weights, iterations, k, temp, side)
    return _gather(pos, radius, edges)


def _gather(pos: np.ndarray, radius: np.ndarray, edges) -> np.ndarray:
    """Each part of the organisation graph with no tie to the largest part, brought in
    beside it.

    Repulsion drives an organisation with no ties to the others (and the disc of
    people with no organisation, when they have none) out to where the gravity
    holding the whole map balances the whole map's push: at 20,000 people three
    such discs sat at the edges of the box, and fitting the box around them shrank
    everyone else into a fifth of its width. A part further out than the main
    part's reach moves, as a whole, along the line from the main part's centre to
    its own, until it is just outside; _separate then clears any overlap.
    """
    n = len(pos)
    part = list(range(n))

    def root(i: int) -> int:
        while part[i] != i:
            part[i] = part[part[i]]
            i = part[i]
        return i

    for i, j, _ in edges:
        part[root(i)] = root(j)
    parts: dict[int, list[int]] = {}
    for i in range(n):
        parts.setdefault(root(i), []).append(i)
    if len(parts) < 2:
        return pos
    # The largest part (most organisations, then the first), and how far it reaches.
    main = max(parts.values(), key=lambda members: (len(members), -members[0]))
    centre = pos[main].mean(axis=0)
    reach = float((np.sqrt(((pos[main] - centre) ** 2).sum(axis=1)) + radius[main]).max())
    out = pos.copy()
    for members in sorted(parts.values(), key=lambda members: members[0]):
        if members is main:
            continue
        middle = pos[members].mean(axis=0)
        span = float((np.sqrt(((pos[members] - middle) ** 2).sum(axis=1)) + radius[members]).max())
        away = middle - centre
        distance = float(np.sqrt((away**2).sum()))
        wanted = reach + span + GAP
        if distance > wanted:
            out[members] += away * (wanted / distance - 1.0)
    return out


def _start_positions(keys, radius, edges, previous, side) -> tuple[np.ndarray, bool]:
    """Start from the previous layout when there is one, else a seeded scatter."""
    n = len(keys)
    rng = np.random.default_rng(SEED)
    scatter = (rng.random((n, 2)) - 0.5) * side
    if not previous:
        return scatter, False
    known = [i for i, key in enumerate(keys) if key in previous]
    if not known:
        return scatter, False
    # The previous layout was scaled into the box; recover that scale from its radii.
    ratios = [previous[keys[i]][2] / radius[i] for i in known if previous[keys[i]][2] > 0]
    scale = float(np.median(ratios)) if ratios else 1.0
    pos = scatter.copy()
    placed = np.zeros(n, dtype=bool)
    for i in known:
        x, y, _ = previous[keys[i]]
        pos[i] = ((x - BOX / 2) / scale, (y - BOX / 2) / scale)
        placed[i] = True
    # A new organisation starts beside the ones it has ties with.
    neighbours: dict[int, list[int]] = {}
    for i, j, _ in edges:
        neighbours.setdefault(i, []).append(j)
        neighbours.setdefault(j, []).append(i)
    for i in range(n):
        if placed[i]:
            continue
        near = [j for j in neighbours.get(i, []) if placed[j]]
        if near:
            pos[i] = pos[near].mean(axis=0) + (rng.random(2) - 0.5) * 2 * radius[i]
    return pos, True


def _kamada_kawai(n, radius, edges, start) -> np.ndarray:
    """Kamada-Kawai on the organisation graph; disconnected parts kept a step apart."""
    import networkx as nx

    g = nx.Graph()
    g.add_nodes_from(range(n))
    # Graph distance between two organisations: their disc sizes plus a gap,
    # shorter for strong partnerships.
    for i, j, w in edges:
        g.add_edge(i, j, length=(radius[i] + radius[j] + 2 * GAP) / math.sqrt(w))
    lengths = dict(nx.all_pairs_dijkstra_path_length(g, weight="length"))
    finite = [d for row in lengths.values() for d in row.values()]
    far = max(max(finite, default=0.0), float(2 * radius.max() + GAP)) * 1.2
    dist = {
        i: {j: lengths[i].get(j, far + radius[i] + radius[j]) for j in range(n)} for i in range(n)
    }
    laid = nx.kamada_kawai_layout(g, dist=dist, pos={i: tuple(start[i]) for i in range(n)})
    pos = np.array([laid[i] for i in range(n)], dtype=float)
    # kamada_kawai_layout rescales into [-1, 1]; scale back so distances match `dist`
    # (least squares over every pair).
    target = np.array([[dist[i][j] for j in range(n)] for i in range(n)])
    drawn = np.sqrt(((pos[:, None, :] - pos[None, :, :]) ** 2).sum(axis=2))
    scale = float((drawn * target).sum() / max(float((drawn**2).sum()), 1e-12))
    return pos * scale


def _csr(n, edges):
    counts = np.zeros(n + 1, dtype=np.int64)
    for i, j, _ in edges:
        counts[i + 1] += 1
        counts[j + 1] += 1
    indptr = np.cumsum(counts)
    indices = np.zeros(indptr[-1], dtype=np.int64)
    weights = np.zeros(indptr[-1], dtype=float)
    fill = indptr[:-1].copy()
    for i, j, w in edges:
        indices[fill[i]], weights[fill[i]] = j, w
        fill[i] += 1
        indices[fill[j]], weights[fill[j]] = i, w
        fill[j] += 1
    return indptr, indices, weights


@njit(cache=True, parallel=True)
def _repulsion(pos, radius, k, disp):
    n = pos.shape[0]
    for i in prange(n):
        fx = 0.0
        fy = 0.0
        for j in range(n):
            if j == i:
                continue
            dx = pos[i, 0] - pos[j, 0]
            dy = pos[i, 1] - pos[j, 1]
            d = math.sqrt(dx * dx + dy * dy)
            if d < 1e-9:
                # Coincident discs: part them along a direction fixed by their ids.
                angle = 2.399963 * (i + 1) if i < j else 2.399963 * (j + 1) + math.pi
                dx, dy, d = math.cos(angle) * 1e-3, math.sin(angle) * 1e-3, 1e-3
            gap = max(d - radius[i] - radius[j], 0.05 * k)
            f = k * k / gap / d
            fx += dx * f
            fy += dy * f
        disp[i, 0] = fx
        disp[i, 1] = fy


@njit(cache=True)
def _fruchterman_reingold(pos, radius, indptr, indices, weights, iterations, k, temp, side):
    """Fruchterman-Reingold over discs, with gravity towards the centre.

    Repulsion reads the gap between disc edges, so big discs get room. O(n^2)
    per iteration, compiled and parallel.
    """
    n = pos.shape[0]
    gravity = 4 * k / side
    disp = np.zeros_like(pos)
    for it in range(iterations):
        _repulsion(pos, radius, k, disp)
        for i in range(n):
            for e in range(indptr[i], indptr[i + 1]):
                j = indices[e]
                dx = pos[i, 0] - pos[j, 0]
                dy = pos[i, 1] - pos[j, 1]
                d = math.sqrt(dx * dx + dy * dy)
                rest = radius[i] + radius[j]
                f = weights[e] * max(d - rest, 0.0) ** 2 / k / max(d, 1e-9)
                disp[i, 0] -= dx * f
                disp[i, 1] -= dy * f
        t = temp * (1.0 - it / iterations)
        for i in range(n):
            # Gravity keeps unconnected organisations near the rest.
            disp[i, 0] -= gravity * pos[i, 0]
            disp[i, 1] -= gravity * pos[i, 1]
            length = math.sqrt(disp[i, 0] ** 2 + disp[i, 1] ** 2)
            if length > 0:
                step = min(length, t) / length
                pos[i, 0] += disp[i, 0] * step
                pos[i, 1] += disp[i, 1] * step
    return pos


def _separate(centres: np.ndarray, radius: np.ndarray) -> np.ndarray:
    """Centres with no two discs closer than GAP edge to edge, keeping the arrangement.

    Discs are settled from the middle outwards: each stays where the force
    layout put it if it fits, else it slides straight outwards (away from the
    middle) to the first spot clear of the discs already settled.
    """
    pos = np.ascontiguousarray(centres, dtype=float)
    if len(pos) < 2:
        return pos.copy()
    middle = np.average(pos, axis=0, weights=radius**2)
    offset = np.ascontiguousarray(pos - middle)
    distance = np.sqrt((offset**2).sum(axis=1))
    order = np.lexsort((np.arange(len(pos)), distance))
    return _settle(offset, radius, order, GAP) + middle


@njit(cache=True)
def _settle(offset, radius, order, gap):
    n = offset.shape[0]
    out = offset.copy()
    starts = np.empty(n)
    ends = np.empty(n)
    for rank in range(n):
        i = order[rank]
        t0 = math.sqrt(offset[i, 0] ** 2 + offset[i, 1] ** 2)
        if t0 < 1e-9:
            # At the very middle: slide along a direction fixed by the id.
            ux, uy = math.cos(2.399963 * i), math.sin(2.399963 * i)
        else:
            ux, uy = offset[i, 0] / t0, offset[i, 1] / t0
        # Along the ray u*t, disc j is overlapped where |u t - p_j| < need: an
        # interval (t1, t2), the roots of a quadratic.
        m = 0
        for earlier in range(rank):
            j = order[earlier]
            need = radius[i] + radius[j] + gap
            b = ux * out[j, 0] + uy * out[j, 1]
            c = out[j, 0] ** 2 + out[j, 1] ** 2 - need * need
            disc = b * b - c
            if disc <= 0:
                continue
            root = math.sqrt(disc)
            if b + root <= t0:
                continue
            starts[m] = b - root
            ends[m] = b + root
            m += 1
        t = t0
        if m:
            # The first t >= t0 outside every interval: sweep them by start.
            for q in np.argsort(starts[:m]):
                if starts[q] >= t:
                    break
                if ends[q] > t:
                    t = ends[q]
            t = t * (1 + 1e-9) + 1e-9
        out[i, 0] = ux * t
        out[i, 1] = uy * t
    return out


# --- Pins and incremental layout (issue #13) ----------------------------------


def _apply_pins(
    out_orgs: dict[OrgKey, tuple[float, float, float]],
    out_people: dict[int, tuple[float, float]],
    people_by_org: Mapping[OrgKey, list[int]],
    pins: Pins,
) -> None:
    """Move pinned organisations (their unpinned people with them) and pinned people, in place."""
    for org, (px, py) in pins.organisations.items():
        if org not in out_orgs:
            continue
        x, y, r = out_orgs[org]
        dx, dy = px - x, py - y
        out_orgs[org] = (px, py, r)
        for person in people_by_org.get(org, ()):
            if person not in pins.people and person in out_people:
                qx, qy = out_people[person]
                out_people[person] = (qx + dx, qy + dy)
    for person, position in pins.people.items():
        if person in out_people:
            out_people[person] = position


def _spacing_estimate(points: np.ndarray) -> float:
    """The layout's spacing: the closest two people (every layout keeps them that far apart)."""
    if len(points) < 2:
        return 0.0
    from scipy.spatial import cKDTree

    nearest, _ = cKDTree(points).query(points, 2)
    gaps = nearest[:, 1]
    gaps = gaps[gaps > 1e-6]
    return float(gaps.min()) / 1.005 if len(gaps) else 0.0


def _extend(
    keys: list[OrgKey],
    people_by_org: dict[OrgKey, list[int]],
    degree: Mapping[int, int],
    org_weights: Mapping[tuple[OrgKey, OrgKey], int],
    previous: Mapping[OrgKey, tuple[float, float, float]],
    previous_people: Mapping[int, tuple[float, float]],
    pins: Pins,
) -> Layout | None:
    """The previous layout with the newcomers added: nobody already placed moves.

    Pinned organisations and people go to their pins first (an organisation's
    people move with it); everyone else keeps their previous spot while it is
    still inside their organisation's disc, else they count as new. None when
    the spacing cannot be read (fewer than two people) or a newcomer finds no
    room inside the box: then the caller lays the map out afresh.
    """
    kept_people = [xy for p, xy in previous_people.items() if p not in pins.people]
    scale = _spacing_estimate(np.array(kept_people, dtype=float).reshape(-1, 2))
    if scale <= 0:
        return None

    # Organisations: kept (or pinned), then the new ones in free space.
    discs: dict[OrgKey, tuple[float, float, float]] = {}
    shift: dict[OrgKey, tuple[float, float]] = {}
    for key in keys:
        if key not in previous:
            continue
        x, y, r = previous[key]
        if key in pins.organisations:
            px, py = pins.organisations[key]
            shift[key] = (px - x, py - y)
            x, y = px, py
        discs[key] = (x, y, r)
    for key in keys:
        if key in discs:
            continue
        r = _disc_radius(len(people_by_org[key])) * scale
        if key in pins.organisations:
            discs[key] = (*pins.organisations[key], r)
            continue
        spot = _free_disc_spot(key, r, discs, org_weights, scale)
        if spot is None:
            return None
        discs[key] = (*spot, r)

    # People: pinned, kept, then the newcomers beside their organisation.
    people: dict[int, tuple[float, float]] = {}
    newcomers: list[tuple[OrgKey, int]] = []
    for key in keys:
        cx, cy, r = discs[key]
        dx, dy = shift.get(key, (0.0, 0.0))
        for person in sorted(people_by_org[key], key=lambda p: (-degree.get(p, 0), p)):
            if person in pins.people:
                people[person] = pins.people[person]
                continue
            before = previous_people.get(person)
            if before is not None and key in previous:
                x, y = before[0] + dx, before[1] + dy
                if math.dist((x, y), (cx, cy)) <= r + 1e-6:
                    people[person] = (x, y)
                    continue
            newcomers.append((key, person))
    if newcomers and not _place_newcomers(newcomers, discs, people, scale):
        return None
    return Layout(organisations=discs, people=people, spacing=scale)


def _free_disc_spot(
    key: OrgKey,
    r: float,
    discs: Mapping[OrgKey, tuple[float, float, float]],
    org_weights: Mapping[tuple[OrgKey, OrgKey], int],
    scale: float,
) -> tuple[float, float] | None:
    """The free spot nearest the organisations `key` has ties with (else the middle).

    None when no spot inside the box is clear of every disc.
    """
    linked = [
        (discs[other], w)
        for (a, b), w in org_weights.items()
        if key in (a, b) and (other := b if a == key else a) in discs and w > 0
    ]
    if linked:
        total = sum(w for _, w in linked)
        target = np.array(
            [sum(d[0] * w for d, w in linked) / total, sum(d[1] * w for d, w in linked) / total]
        )
    else:
        target = np.array([BOX / 2, BOX / 2])
    placed = np.array([d for d in discs.values()], dtype=float).reshape(-1, 3)
    lo, hi = r + MARGIN / 2, BOX - r - MARGIN / 2
    if lo > hi:
        return None
    gap = GAP * scale
    # Candidates on a sunflower around the target, nearest first, in growing batches.
    step = max(scale, r / 4)
    done = 0
    for batch in (256, 1024, 4096, 16384):
        k = np.arange(done, batch, dtype=float)
        done = batch
        radius = step * np.sqrt(k + 0.5)
        angle = k * math.pi * (3 - math.sqrt(5))
        cand = target + np.column_stack([radius * np.cos(angle), radius * np.sin(angle)])
        inside = (cand >= lo).all(axis=1) & (cand <= hi).all(axis=1)
        cand = cand[inside]
        if not len(cand):
            continue
        if not len(placed):
            return float(cand[0, 0]), float(cand[0, 1])
        dist = np.sqrt(((cand[:, None, :] - placed[None, :, :2]) ** 2).sum(axis=2))
        clear = (dist - placed[None, :, 2] - r - gap).min(axis=1)
        ok = np.nonzero(clear >= 0)[0]
        if len(ok):
            return float(cand[ok[0], 0]), float(cand[ok[0], 1])
    return None


def _place_newcomers(
    newcomers: list[tuple[OrgKey, int]],
    discs: dict[OrgKey, tuple[float, float, float]],
    people: dict[int, tuple[float, float]],
    scale: float,
) -> bool:
    """Each newcomer on the first free sunflower spot of their disc, which grows to hold them.

    False (people and discs half done) when some newcomer finds no free spot in the box.
    """
    from scipy.spatial import cKDTree

    by_org: dict[OrgKey, list[int]] = {}
    for key, person in newcomers:
        by_org.setdefault(key, []).append(person)
    lo, hi = MARGIN / 2, BOX - MARGIN / 2
    for key, group in by_org.items():
        cx, cy, r = discs[key]
        other = np.array([d for k, d in discs.items() if k != key], dtype=float).reshape(-1, 3)
        taken = np.array(list(people.values()), dtype=float).reshape(-1, 2)
        tree = cKDTree(taken) if len(taken) else None
        inside = int(tree.query_ball_point((cx, cy), r, return_length=True)) if tree else 0
        n = max(64, 4 * (len(group) + inside))
        spiral = _sunflower(n) * scale + (cx, cy)
        # Spots inside another organisation's disc, or off the box, are not free.
        ok = (spiral >= lo).all(axis=1) & (spiral <= hi).all(axis=1)
        if len(other):
            d = np.sqrt(((spiral[:, None, :] - other[None, :, :2]) ** 2).sum(axis=2))
            ok &= (d > other[None, :, 2]).all(axis=1)
        clear = tree.query(spiral)[0] if tree else np.full(n, np.inf)
        used = np.zeros(n, dtype=bool)
        for person in group:
            free = np.nonzero(ok & ~used & (clear >= scale * 0.999))[0]
            if not len(free):
                return False
            i = int(free[0])
            used[i] = True
            x, y = float(spiral[i, 0]), float(spiral[i, 1])
            people[person] = (x, y)
            clear = np.minimum(clear, np.sqrt(((spiral - (x, y)) ** 2).sum(axis=1)))
            r = max(r, math.dist((x, y), (cx, cy)) + 0.5 * scale)
        discs[key] = (cx, cy, r)
    return True
