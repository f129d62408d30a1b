"""A small line chart of one person's broker score over the snapshots: pure geometry.

The template draws it as server-rendered SVG (no script), with a table beside it.
"""

import datetime
from dataclasses import dataclass

WIDTH, HEIGHT = 480.0, 180.0
PAD_X, PAD_Y = 36.0, 12.0
AXIS = 20.0  # below the plot: the dates
MAX_DATE_LABELS = 6  # more would overlap at this width
LABEL_WIDTH = 70.0  # "31 Mar 2027" at 11 units is about 60 wide


@dataclass(frozen=True)
class Point:
    name: str
    as_of: datetime.date
    score: float
    x: float
    y: float


@dataclass(frozen=True)
class Tick:
    at: float  # x for a date, y for a score
    label: str


@dataclass(frozen=True)
class Chart:
    points: list[Point]
    polyline: str  # SVG points attribute
    dates: list[Tick]  # under the plot, thinned so they never overlap
    scores: list[Tick]  # 0, 50 and 100 on the left, with faint lines across
    width: float = WIDTH
    height: float = HEIGHT + AXIS
    top: float = PAD_Y
    bottom: float = HEIGHT - PAD_Y
    left: float = PAD_X
    right: float = WIDTH - PAD_X / 2
    date_baseline: float = HEIGHT + AXIS / 2


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
    every = -(-len(points) // MAX_DATE_LABELS)  # ceiling division
    shown = [p for i, p in enumerate(points) if i % every == 0]
    if points[-1] not in shown and points[-1].x - shown[-1].x >= LABEL_WIDTH:
        shown.append(points[-1])  # the latest date, when it fits
    return Chart(
        points=points,
        polyline=" ".join(f"{p.x},{p.y}" for p in points),
        dates=[Tick(at=p.x, label=f"{p.as_of:%-d %b %Y}") for p in shown],
        scores=[
            Tick(at=round(HEIGHT - PAD_Y - (HEIGHT - 2 * PAD_Y) * v / 100, 1), label=str(v))
            for v in (0, 50, 100)
        ],
    )
