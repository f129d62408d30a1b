"""Plain input records for the analysis (ties, filtering options) and the constants the app shares.

Light on purpose: pages import it, and it pulls in nothing heavy.
"""

import datetime
import json
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
    # Informal and formal: add a tie between members of the same forum (issue #18).
    formal: bool = False


DEFAULT_OPTIONS = Options()
# Informal and formal ties: the "Informal and formal" switch of every analysis page.
FORMAL_OPTIONS = Options(formal=True)

# The stored map layout's square canvas: every position lies in [0, LAYOUT_BOX].
LAYOUT_BOX = 1000.0


def options_to_json(options: Options) -> dict:
    """Options as JSON-able data (for task arguments and ScoreRun.options)."""
    return {
        "kinds": sorted(options.kinds) if options.kinds is not None else None,
        "min_strength": options.min_strength,
        "as_of": options.as_of.isoformat() if options.as_of else None,
        # Only when set: the informal key, and so every stored run's key, stays as it was.
        **({"formal": True} if options.formal else {}),
    }


def options_from_json(data: dict | None) -> Options:
    """The inverse of options_to_json; None means the default options."""
    if not data:
        return DEFAULT_OPTIONS
    kinds = data.get("kinds")
    as_of = data.get("as_of")
    return Options(
        kinds=frozenset(kinds) if kinds is not None else None,
        min_strength=int(data.get("min_strength", 1)),
        as_of=datetime.date.fromisoformat(as_of) if as_of else None,
        formal=bool(data.get("formal", False)),
    )


def options_key(options: Options) -> str:
    """A canonical string for options: equal options, equal key."""
    return json.dumps(options_to_json(options), sort_keys=True, separators=(",", ":"))
