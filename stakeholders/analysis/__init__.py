"""Network analysis for Influence Map: plain data in, plain results out, no Django.

Entry point: `analyse(people=, groups=, ties=, seniority=, options=)` computes
every measure for the three boundaries in one call (REFERENCE.md has the
formulas). Choices the formulas leave open, made here:

- A person missing from a boundary's group map (no primary affiliation) is a
  group of one: never "same group" as anyone, reported with group None, left
  out of partnership rows and of MapSummary.groups.
- Ties: options filter first; self-ties dropped; collaborates is two arcs,
  other kinds one; parallel arcs keep the largest strength.
- Undefined values are None, never NaN or 0: E-I, participation, constraint
  and effective size for people without ties; boundary betweenness when no
  cross-group pair excludes the person; brokerage z where sna's variance is 0.
- Percentile ranks and the broker score: see broker_score.py; the score in plain
  English: explanations.py.
- Partnership rows exist for pairs of groups joined by at least one arc.
  Strength and trust are averaged over relationships (a collaboration counts
  once); reciprocity is the share of cross-boundary person pairs joined by an
  arc that are joined both ways. A pair has a single point of failure when one
  person is at an end of every cross arc; `disconnecting_people` lists those of
  them whose removal also leaves no path at all between the rest of the two
  groups (partnerships.py explains why nobody else can). `untied_pairs` lists
  the pairs of non-empty groups with no tie.
- Ties naming someone not in `people`, unknown kinds and out-of-range
  strengths or trust raise ValueError; extra entries in `groups` or
  `seniority` for people not in `people` are ignored.
"""

import importlib
from typing import TYPE_CHECKING

from .inputs import BOUNDARIES, KINDS, Options, Tie

if TYPE_CHECKING:
    from .results import Analysis, PersonScores

# The rest loads on first use (PEP 562): pages and commands that only need the plain
# input records (Options, Tie) never pay for numba, scipy and networkx.
_LAZY = {
    "analyse": ".engine",
    "untied_pairs": ".partnerships",
    "Analysis": ".results",
    "BrokerScore": ".results",
    "MapSummary": ".results",
    "PairScores": ".results",
    "PersonScores": ".results",
    "Roles": ".results",
    "explain": ".explanations",
    "person_bridges": ".explanations",
    "percentile_ranks": ".broker_score",
}


def __getattr__(name: str):
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "BOUNDARIES",
    "KINDS",
    "Analysis",
    "BrokerScore",
    "MapSummary",
    "Options",
    "PairScores",
    "PersonScores",
    "Roles",
    "Tie",
    "analyse",
    "broker_ranking",
    "explain",
    "percentile_ranks",
    "person_bridges",
    "untied_pairs",
]


def broker_ranking(analysis: "Analysis", boundary: str) -> "list[PersonScores]":
    """People under one boundary, highest broker score first, ties by person id."""
    return sorted(analysis.persons[boundary].values(), key=lambda s: (-s.broker.score, s.person))
