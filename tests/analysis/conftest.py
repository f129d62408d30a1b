"""Shared helpers for the analysis tests: no Django, no database."""

import math
import sys
from dataclasses import fields, is_dataclass
from pathlib import Path

# The naive reference module sits beside the tests; make it importable whatever
# pytest's import mode and whether or not tests/ is a package.
sys.path.insert(0, str(Path(__file__).resolve().parent))

TOLERANCE = 1e-9


def close(a, b, tol: float = TOLERANCE) -> bool:
    """Equal, or both floats within tol (absolute and relative); None only equals None."""
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, bool) or isinstance(b, bool):
        return a == b
    if isinstance(a, float | int) and isinstance(b, float | int):
        return math.isclose(a, b, rel_tol=tol, abs_tol=tol)
    return a == b


def same_scores(a, b, tol: float = TOLERANCE) -> list[str]:
    """Field names (dotted) where two result dataclasses differ beyond tol."""
    diffs = []
    for f in fields(a):
        x, y = getattr(a, f.name), getattr(b, f.name)
        if is_dataclass(x):
            diffs += [f"{f.name}.{d}" for d in same_scores(x, y, tol)]
        elif not close(x, y, tol):
            diffs.append(f"{f.name}: {x!r} != {y!r}")
    return diffs
