"""The map's tier view: one horizontal band per tier, national at the top.

Pure Python (no Django), fast enough for a request: it re-arranges a stored
layout (stakeholders.analysis.layout) rather than computing a new one. Each
organisation keeps its disc and its people's places inside it, scaled by one
factor for the whole map; within a band organisations keep their usual left to
right order and sit as near their usual x as the band allows.
"""

import dataclasses
import math
from collections.abc import Mapping, Sequence

from .inputs import LAYOUT_BOX

# As stakeholders.analysis.layout's (not imported: pages never load numba).
BOX = LAYOUT_BOX
MARGIN = 20.0
OrgKey = int | None

# Room on the left of every band for its name.
LABEL_WIDTH = 130.0
# Space above each band's first row (for the band's line) and between discs.
BAND_PAD = 14.0
DISC_GAP = 4.0


@dataclasses.dataclass(frozen=True)
class Band:
    tier: str  # "" for organisations with no tier (and people with no organisation)
    top: float
    bottom: float


@dataclasses.dataclass(frozen=True)
class TierLayout:
    organisations: dict[OrgKey, tuple[float, float, float]]
    people: dict[int, tuple[float, float]]
    bands: list[Band]
    scale: float


def tier_layout(
    *,
    organisations: Mapping[OrgKey, tuple[float, float, float]],
    people: Mapping[int, tuple[float, float]],
    members: Mapping[int, OrgKey],
    tiers: Mapping[OrgKey, str],
    order: Sequence[str],
) -> TierLayout:
    """Organisations in bands by tier (in `order`, then "" last), people with their organisation.

    organisations and people are a stored layout (box units); members maps
    people to their primary organisation, tiers organisations to their tier.
    """
    rank = {tier: i for i, tier in enumerate(order)}
    by_band: dict[str, list[OrgKey]] = {}
    for org in organisations:
        tier = tiers.get(org, "") if org is not None else ""
        by_band.setdefault(tier if tier in rank else "", []).append(org)
    bands = sorted(by_band, key=lambda t: rank.get(t, len(rank)))
    for tier in bands:
        by_band[tier].sort(key=lambda o: (organisations[o][0], o is None, o or 0))
    if not bands:
        return TierLayout({}, {}, [], 1.0)

    width = BOX - LABEL_WIDTH - MARGIN
    height = BOX - 2 * MARGIN

    # Each band's discs' diameters, in order: rows_for runs some 30 times (a bisection).
    diameters = {tier: [2 * organisations[o][2] for o in by_band[tier]] for tier in bands}

    def rows_for(scale: float) -> tuple[float, dict[str, list[list[OrgKey]]]]:
        total = 0.0
        packed: dict[str, list[list[OrgKey]]] = {}
        for tier in bands:
            rows: list[list[OrgKey]] = []
            widest: list[float] = []  # each row's largest diameter, unscaled
            row: list[OrgKey] = []
            largest = used = 0.0
            for org, diameter in zip(by_band[tier], diameters[tier], strict=True):
                d = diameter * scale + DISC_GAP
                if row and used + d > width:
                    rows.append(row)
                    widest.append(largest)
                    row, largest, used = [], 0.0, 0.0
                row.append(org)
                if diameter > largest:
                    largest = diameter
                used += d
            rows.append(row)
            widest.append(largest)
            packed[tier] = rows
            # Scaling keeps the order, so a row's height is its largest diameter scaled.
            total += BAND_PAD + sum(w * scale + DISC_GAP for w in widest)
        return total, packed

    lo, hi = 1e-3, 50.0  # small discs grow to fill the bands, up to 50 times
    if rows_for(hi)[0] <= height:
        lo = hi
    else:
        for _ in range(30):
            mid = (lo + hi) / 2
            if rows_for(mid)[0] <= height:
                lo = mid
            else:
                hi = mid
    scale = lo
    total, packed = rows_for(scale)

    out_orgs: dict[OrgKey, tuple[float, float, float]] = {}
    out_bands: list[Band] = []
    y = MARGIN + (height - total) / 2
    for tier in bands:
        top = y
        y += BAND_PAD
        for row in packed[tier]:
            row_height = max(2 * organisations[o][2] * scale for o in row) + DISC_GAP
            for org, x in zip(row, _row_xs(row, organisations, scale, width), strict=True):
                out_orgs[org] = (x, y + row_height / 2, organisations[org][2] * scale)
            y += row_height
        out_bands.append(Band(tier, round(top, 1), round(y, 1)))

    out_people: dict[int, tuple[float, float]] = {}
    for person, (px, py) in people.items():
        org = members.get(person)
        if org not in organisations or org not in out_orgs:
            continue
        x, y0, r = organisations[org]
        dx, dy = px - x, py - y0
        distance = math.hypot(dx, dy)
        if distance > r > 0:
            # A person pinned away from their organisation sits on its edge here.
            dx, dy = dx * r / distance, dy * r / distance
        nx, ny, _ = out_orgs[org]
        out_people[person] = (nx + dx * scale, ny + dy * scale)
    return TierLayout(out_orgs, out_people, out_bands, scale)


def _row_xs(row, organisations, scale: float, width: float) -> list[float]:
    """Centres along a row: each as near its usual x as the discs beside it allow."""
    left, right = LABEL_WIDTH, LABEL_WIDTH + width
    radii = [organisations[o][2] * scale for o in row]
    wanted = [left + organisations[o][0] / BOX * width for o in row]
    xs: list[float] = []
    edge = left
    for want, r in zip(wanted, radii, strict=True):
        x = max(want, edge + r)
        xs.append(x)
        edge = x + r + DISC_GAP
    edge = right
    for i in range(len(xs) - 1, -1, -1):
        xs[i] = min(xs[i], edge - radii[i])
        edge = xs[i] - radii[i] - DISC_GAP
    return [round(x, 1) for x in xs]
