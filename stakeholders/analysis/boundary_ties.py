"""Per-person ties across a boundary: external ties, groups reached, E-I, participation."""

from dataclasses import dataclass

import numpy as np

from .graph import Network


@dataclass(frozen=True)
class BoundaryTies:
    """Per-person arrays for one boundary (NaN where a measure is undefined)."""

    external_ties: np.ndarray
    groups_reached: np.ndarray
    ei_index: np.ndarray
    participation: np.ndarray


def neighbour_pairs(net: Network) -> tuple[np.ndarray, np.ndarray]:
    """Distinct (person, neighbour) pairs, neighbours taken in either direction."""
    return (
        np.repeat(np.arange(net.n), np.diff(net.sym.ptr)).astype(np.int64),
        net.sym.idx.astype(np.int64),
    )


def boundary_ties(
    net: Network, codes: np.ndarray, pairs: tuple[np.ndarray, np.ndarray], groups: int
) -> BoundaryTies:
    """Compute the per-person boundary measures for one boundary's group codes."""
    n = net.n
    cross_arc = codes[net.arc_src] != codes[net.arc_dst]
    external = np.bincount(net.arc_src[cross_arc], minlength=n) + np.bincount(
        net.arc_dst[cross_arc], minlength=n
    )

    # E-I and participation count distinct neighbours, ignoring direction and
    # strength, so a mutual tie is one neighbour, not two.
    person, neighbour = pairs
    k = np.bincount(person, minlength=n).astype(np.float64)
    other = codes[person] != codes[neighbour]
    e = np.bincount(person[other], minlength=n).astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        ei = np.where(k > 0, (e - (k - e)) / k, np.nan)

    key = person * groups + codes[neighbour]
    keys, per_group = np.unique(key, return_counts=True)
    key_person = keys // groups
    key_group = keys % groups
    share_sq = (per_group / k[key_person]) ** 2
    participation = np.where(
        k > 0, 1.0 - np.bincount(key_person, weights=share_sq, minlength=n), np.nan
    )
    reached = np.bincount(key_person[key_group != codes[key_person]], minlength=n)
    return BoundaryTies(
        external_ties=external,
        groups_reached=reached,
        ei_index=ei,
        participation=participation,
    )
