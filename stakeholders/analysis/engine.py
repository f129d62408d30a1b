"""The public entry point: every measure for every boundary in one call."""

from collections.abc import Hashable, Mapping, Sequence

import numpy as np

from .betweenness import (
    betweenness,
    boundary_betweenness,
    normalise,
    renumber,
    weighted_betweenness,
)
from .boundary_ties import boundary_ties, neighbour_pairs
from .broker_score import broker_scores, seniority_flags
from .brokerage import GATEKEEPER, LIAISON, REPRESENTATIVE, role_counts, role_zscores
from .graph import Grouping, Network, build_grouping, build_network
from .influence import pagerank
from .inputs import BOUNDARIES, DEFAULT_OPTIONS, Options, Tie
from .partnerships import depth_first, pair_scores
from .results import Analysis, MapSummary, PersonScores, Roles
from .structural_holes import structural_holes


def _optional(values: np.ndarray) -> list[float | None]:
    """Floats with NaN (undefined) as None."""
    return [None if x != x else x for x in values.astype(np.float64).tolist()]


def _summary(
    net: Network, grouping: Grouping, components: int, isolates: int, boundary: str
) -> MapSummary:
    """Whole-map figures for one boundary."""
    n, arcs, rels = net.n, int(net.arc_src.shape[0]), int(net.rel_src.shape[0])
    codes = grouping.codes
    cross = int(np.sum(codes[net.rel_src] != codes[net.rel_dst]))
    return MapSummary(
        boundary=boundary,
        people=n,
        relationships=rels,
        arcs=arcs,
        density=arcs / (n * (n - 1)) if n > 1 else None,
        components=components,
        isolates=isolates,
        cross_boundary_share=cross / rels if rels else None,
        groups=grouping.labels,
        unaffiliated=int(np.sum(codes >= len(grouping.labels))),
    )


def analyse(
    *,
    people: Sequence[int],
    groups: Mapping[str, Mapping[int, Hashable]],
    ties: Sequence[Tie],
    seniority: Mapping[int, int] | None = None,
    options: Options = DEFAULT_OPTIONS,
    weighted: bool = True,
) -> Analysis:
    """Compute every person, pair and map measure for all three boundaries.

    weighted=False skips weighted betweenness (None for everyone), the slowest
    measure, for answers that read only broker scores and partnerships.
    """
    missing = [b for b in BOUNDARIES if b not in groups]
    if missing:
        raise ValueError(f"groups has no map for {missing}")
    net = build_network(people, ties, options)
    n, ids = net.n, net.ids
    groupings = {b: build_grouping(ids, groups[b]) for b in BOUNDARIES}
    codes = np.stack([groupings[b].codes for b in BOUNDARIES], axis=1)
    codes = np.ascontiguousarray(codes, dtype=np.int64).reshape(n, len(BOUNDARIES))

    # Boundary-independent work, done once: one BFS per source feeds plain
    # betweenness and every boundary's cross-group sums.
    renumbered = renumber(net)
    raw_bc, raw_cross = betweenness(renumbered, codes)
    bc = normalise(raw_bc)
    wbc = normalise(weighted_betweenness(renumbered)) if weighted else None
    counts = role_counts(net.out, net.into, codes)
    constraint, effective = structural_holes(net.sym)
    influence = pagerank(n, net.infl_src, net.infl_dst, net.infl_strength)
    influence_pct, seniority_pct, hidden, titled = seniority_flags(ids, influence, seniority)
    dfs = depth_first(net)
    pairs = neighbour_pairs(net)
    degree_in = np.diff(net.into.ptr)
    degree_out = np.diff(net.out.ptr)
    isolates = int(np.sum((degree_in + degree_out) == 0))
    arcs = int(net.arc_src.shape[0])

    # Plain lists: indexing them per person is far cheaper than numpy scalars.
    id_list = ids.tolist()
    d_in, d_out = degree_in.tolist(), degree_out.tolist()
    bc_list = bc.tolist()
    wbc_list = wbc.tolist() if weighted else [None] * n
    constraint_list, effective_list = _optional(constraint), _optional(effective)
    influence_list, influence_pct_list = influence.tolist(), influence_pct.tolist()
    seniority_list = [None if seniority is None else seniority.get(p) for p in id_list]

    persons: dict[str, dict[int, PersonScores]] = {}
    pair_rows = {}
    summaries = {}
    for j, boundary in enumerate(BOUNDARIES):
        grouping = groupings[boundary]
        ties_b = boundary_ties(net, grouping.codes, pairs, grouping.count)
        bb = boundary_betweenness(raw_cross[:, j], grouping.codes)
        z = role_zscores(counts[:, j, :], grouping.codes, arcs)
        cross_roles = counts[:, j, [LIAISON, GATEKEEPER, REPRESENTATIVE]].sum(axis=1)
        brokers = broker_scores(bb, cross_roles, constraint, ties_b.groups_reached)
        labels = [grouping.label(c) for c in grouping.codes.tolist()]
        external = ties_b.external_ties.tolist()
        reached = ties_b.groups_reached.tolist()
        ei, participation = _optional(ties_b.ei_index), _optional(ties_b.participation)
        role_lists = counts[:, j, :].tolist()
        persons[boundary] = {
            person: PersonScores(
                person=person,
                boundary=boundary,
                group=labels[i],
                degree_in=d_in[i],
                degree_out=d_out[i],
                external_ties=external[i],
                groups_reached=reached[i],
                ei_index=ei[i],
                participation=participation[i],
                betweenness=bc_list[i],
                weighted_betweenness=wbc_list[i],
                boundary_betweenness=bb[i],
                roles=Roles(*role_lists[i], sum(role_lists[i]), *z[i]),
                constraint=constraint_list[i],
                effective_size=effective_list[i],
                influence=influence_list[i],
                influence_percentile=influence_pct_list[i],
                seniority=seniority_list[i],
                seniority_percentile=seniority_pct[i],
                hidden_influencer=hidden[i],
                titled_but_isolated=titled[i],
                broker=brokers[i],
            )
            for i, person in enumerate(id_list)
        }
        pair_rows[boundary] = pair_scores(net, grouping, dfs, boundary)
        summaries[boundary] = _summary(net, grouping, dfs.components, isolates, boundary)

    return Analysis(
        options=options,
        people=tuple(ids.tolist()),
        persons=persons,
        pairs=pair_rows,
        summaries=summaries,
    )
