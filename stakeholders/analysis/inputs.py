"""Plain input records for the analysis: ties between people and filtering options."""

import datetime
from dataclasses import dataclass

# Kinds of relationship, as stored by the app (DESIGN.md, "Relationship").
KINDS = frozenset({"collaborates", "trusts", "reports_to", "influences"})

# Boundaries computed in every analysis; `groups` passed to `analyse` has one map each.
BOUNDARIES = ("organisation", "sector", "tier")


@dataclass(frozen=True)
class Tie:
    """One relationship between two people, as entered (not yet turned into arcs)."""

    source: int
    target: int
    kind: str  # collaborates | trusts | reports_to | influences
    strength: int  # 1..5
    trust: int | None = None  # 1..5 or None (unknown)
    observed_on: datetime.date | None = None


@dataclass(frozen=True)
class Options:
    """Which relationships an analysis uses; applied before anything else is computed."""

    kinds: frozenset[str] | None = None  # None = all kinds
    min_strength: int = 1
    as_of: datetime.date | None = None  # keep ties observed on or before; undated kept


DEFAULT_OPTIONS = Options()
