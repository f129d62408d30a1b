"""A small line chart of one person's broker score over the snapshots: pure geometry.

The template draws it as server-rendered SVG (no script), with a table beside it.
"""

import datetime
from dataclasses import dataclass

WIDTH, HEIGHT = 320.0, 120.0
PAD_X, PAD_Y = 28.0, 12.0


@dataclass(frozen=True)
class Point:
    name: str
    as_of: datetime.date
    score: float
    x: float
    y: float


@dataclass(frozen=True)
class Chart:
    points: list[Point]
    polyline: str  # SVG points attribute
    width: float = WIDTH
    height: float = HEIGHT
    top: float = PAD_Y
    bottom: float = HEIGHT - PAD_Y
    left: float = PAD_X


def score_chart(history: list[tuple[str, datetime.date, float]]) -> Chart | None:
    """Points in date order, x spaced evenly, y from 0 (bottom) to 100 (top); None if empty."""
    if not history:
        return None
    span = WIDTH - 2 * PAD_X
    step = span / (len(history) - 1) if len(history) > 1 else 0.0
    points = [
        Point(
            name=name,
            as_of=as_of,
            score=score,
            x=round(PAD_X + (i * step if len(history) > 1 else span / 2), 1),
            y=round(HEIGHT - PAD_Y - (HEIGHT - 2 * PAD_Y) * max(0.0, min(score, 100.0)) / 100, 1),
        )
        for i, (name, as_of, score) in enumerate(history)
    ]
    return Chart(points=points, polyline=" ".join(f"{p.x},{p.y}" for p in points))
