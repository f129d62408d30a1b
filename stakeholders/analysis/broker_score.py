"""Percentile ranks, the broker score and hidden influencers (explanations.py words them).

Percentile rank, used everywhere here: the share of the other people whose
value is strictly lower, (people below) / (n - 1). The lowest value scores 0,
a value nobody else reaches 1; tied values share the lowest rank, so the many
people with nothing (no cross-group paths, roles or reach) score 0 on that part
rather than a misleading middle rank, and a value shared by everyone scores 0
(as does a single person). Undefined values (None) rank below every number.
Values are compared at 10 significant digits so that sums taken in a different
order (another thread count, relabelled people) cannot split a tie.

Broker score: 100 x the mean of four percentile ranks, equally weighted:
boundary betweenness (bridging shortest paths between groups), cross-group
brokerage roles (liaison + gatekeeper + representative counts), openness
(1 - constraint; isolates lowest) and groups reached. Equal weights because
each part sees a different side of brokerage (paths, two-step roles, the
shape of the ego network, reach) and we have no outcome data to fit weights
against; equal weights also let a page explain the score part by part.
"""

from collections.abc import Mapping, Sequence

import numpy as np

from .results import BrokerScore

# Hidden influencer: influence percentile at least this far above seniority
# percentile, and in the top quarter for influence. Titled but isolated: the
# mirror image. Half the range is a gap a reader sees as "far above".
GAP = 0.5
HIGH = 0.75


def _rounded(values: np.ndarray) -> np.ndarray:
    """Round to 10 significant digits; NaN stays NaN."""
    out = values.astype(np.float64).copy()
    ok = np.isfinite(out) & (out != 0)
    scale = 10.0 ** (np.floor(np.log10(np.abs(out[ok]))) - 9)
    out[ok] = np.round(out[ok] / scale) * scale
    return out


def percentile_ranks(values: Sequence[float | None] | np.ndarray) -> np.ndarray:
    """Share of others strictly below, in [0, 1]; None or NaN ranks lowest (module docstring)."""
    array = np.array([np.nan if v is None else v for v in values], dtype=np.float64).reshape(-1)
    n = array.shape[0]
    if n == 0:
        return np.zeros(0)
    if n == 1:
        return np.zeros(1)
    keys = _rounded(array)
    keys[np.isnan(keys)] = -np.inf
    # How many others are strictly below: rankdata(method="min") - 1, without loading
    # scipy.stats (about half a second of imports for this one function).
    below = np.searchsorted(np.sort(keys), keys, side="left")
    return below / (n - 1)


def broker_scores(
    boundary_betweenness: Sequence[float | None],
    cross_roles: np.ndarray,
    constraint: np.ndarray,
    groups_reached: np.ndarray,
) -> list[BrokerScore]:
    """Blend the four parts into a 0-100 score per person, keeping the parts."""
    openness = 1.0 - constraint  # NaN for isolates, which then rank lowest
    parts = [
        percentile_ranks(boundary_betweenness),
        percentile_ranks(cross_roles),
        percentile_ranks(openness),
        percentile_ranks(groups_reached),
    ]
    score = (100.0 * np.mean(parts, axis=0)).tolist() if len(cross_roles) else []
    p0, p1, p2, p3 = (p.tolist() for p in parts)
    roles, reached = np.asarray(cross_roles).tolist(), np.asarray(groups_reached).tolist()
    con = [None if c != c else c for c in np.asarray(constraint, dtype=np.float64).tolist()]
    return [
        BrokerScore(
            score=score[i],
            boundary_betweenness=boundary_betweenness[i],
            boundary_betweenness_percentile=p0[i],
            cross_roles=roles[i],
            cross_roles_percentile=p1[i],
            constraint=con[i],
            openness_percentile=p2[i],
            groups_reached=reached[i],
            groups_reached_percentile=p3[i],
        )
        for i in range(len(roles))
    ]


def seniority_flags(
    ids: np.ndarray, influence: np.ndarray, seniority: Mapping[int, int] | None
) -> tuple[np.ndarray, list[float | None], list[bool], list[bool]]:
    """Influence percentiles, seniority percentiles and the two mismatch flags.

    Influence is ranked among everyone; seniority among people whose seniority
    is known. Without a seniority both flags are False.
    """
    n = ids.shape[0]
    influence_pct = percentile_ranks(influence)
    seniority_pct: list[float | None] = [None] * n
    hidden, titled = [False] * n, [False] * n
    if seniority is None:
        return influence_pct, seniority_pct, hidden, titled
    known = [i for i, p in enumerate(ids.tolist()) if seniority.get(p) is not None]
    ranks = percentile_ranks([seniority[int(ids[i])] for i in known])
    for i, pct in zip(known, ranks.tolist(), strict=True):
        seniority_pct[i] = pct
        inf = float(influence_pct[i])
        hidden[i] = inf - pct >= GAP and inf >= HIGH
        titled[i] = pct - inf >= GAP and pct >= HIGH
    return influence_pct, seniority_pct, hidden, titled
