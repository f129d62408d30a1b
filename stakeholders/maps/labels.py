"""Where the map's names go: no two labels overlap, and none is cut off at the edge.

Works on maps.Node and maps.Disc values (frozen dataclasses) and returns copies
with their label positions set. Greedy by importance (the broker score on the
boundary): the first `always` are placed whatever it takes, moving further out
until a free spot is found; any other label that fits nowhere near its node is
dropped (the name stays in the node's title, the side panel and the table).
"""

import dataclasses
import math

Box = tuple[float, float, float, float]  # x, y, width, height

# Arial's average advance is about 0.55 em (bold 0.6); a little more keeps a gap.
CHAR_WIDTH = 0.6
# Grid cells of the collision index, in map units (labels are about 12 high).
CELL = 40.0


class _Taken:
    """Label rectangles placed so far, bucketed on a grid: a test looks only nearby."""

    def __init__(self) -> None:
        self.rects: list[tuple[float, float, float, float]] = []
        self.grid: dict[tuple[int, int], list[int]] = {}

    def _cells(self, x0, y0, x1, y1):
        for i in range(math.floor(x0 / CELL), math.floor(x1 / CELL) + 1):
            for j in range(math.floor(y0 / CELL), math.floor(y1 / CELL) + 1):
                yield i, j

    def free(self, x0, y0, x1, y1) -> bool:
        rects = self.rects
        for cell in self._cells(x0, y0, x1, y1):
            for k in self.grid.get(cell, ()):
                a, b, c, d = rects[k]
                if not (x1 <= a or x0 >= c or y1 <= b or y0 >= d):
                    return False
        return True

    def add(self, rect) -> None:
        self.rects.append(rect)
        for cell in self._cells(*rect):
            self.grid.setdefault(cell, []).append(len(self.rects) - 1)

    def __bool__(self) -> bool:
        return bool(self.rects)

    def __iter__(self):
        return iter(self.rects)


def place_labels(
    mode: str,
    nodes: list,
    discs: list,
    box: Box,
    scale: float,
    *,
    limit: int | None = None,
    always: int = 0,
    reserved: tuple = (),
):
    """Labels that do not overlap, most important first; the box grown to hold them.

    A label goes below its node, else above, else to the right or left; one that
    fits nowhere is left out (the name stays in the node's title, the panel and
    the table), except the `always` most important, which move further out until
    they fit. Organisation labels in the people view are placed first; at most
    `limit` node labels are tried, by importance.
    """
    font, disc_font = 12 * scale, 14 * scale
    taken = _Taken()
    for rect in reserved:  # names already drawn there (the tier view's bands)
        taken.add(rect)
    free = taken.free

    disc_labels: dict[int, tuple[bool, float]] = {}
    for i in sorted(range(len(discs)), key=lambda i: (-discs[i].r, discs[i].full_label)):
        disc = discs[i]
        half = len(disc.label) * disc_font * (CHAR_WIDTH + 0.05) / 2
        shown, base = False, 0.0
        # Above the disc, else just inside its bottom edge.
        for y in (disc.y - disc.r - 5 * scale, disc.y + disc.r - 4 * scale):
            rect = (disc.x - half, y - disc_font, disc.x + half, y + disc_font * 0.25)
            if free(*rect):
                taken.add(rect)
                shown, base = True, y
                break
        disc_labels[i] = (shown, round(base, 1))
    discs_out = [
        dataclasses.replace(d, label_shown=disc_labels[i][0], label_y=disc_labels[i][1])
        for i, d in enumerate(discs)
    ]

    out = []
    ranked = sorted(
        (n for n in nodes if n.short_label), key=lambda n: (-n.importance, n.label.casefold())
    )
    if limit is not None:
        ranked = ranked[:limit]
    where: dict[int, tuple[float, float]] = {}
    for rank, node in enumerate(ranked):
        width = len(node.short_label) * font * CHAR_WIDTH
        reach = node.r * (0.8 if mode == "organisations" else 1.0) + 2 * scale
        for lx, ly in _spots(node.x, node.y, reach, width, font, scale, far=rank < always):
            rect = (lx - width / 2, ly - font * 0.85, lx + width / 2, ly + font * 0.25)
            if free(*rect):
                taken.add(rect)
                where[id(node)] = (round(lx, 1), round(ly, 1))
                break
    for node in nodes:
        if id(node) in where:
            lx, ly = where[id(node)]
            out.append(dataclasses.replace(node, label_x=lx, label_y=ly))
        elif node.short_label or node.label_x or node.label_y:
            out.append(dataclasses.replace(node, short_label="", label_x=0.0, label_y=0.0))
        else:
            out.append(node)  # unnamed already (a large map's many nodes)
    if taken:
        pad = 6 * scale
        x0 = min(box[0], min(r[0] for r in taken) - pad)
        y0 = min(box[1], min(r[1] for r in taken) - pad)
        x1 = max(box[0] + box[2], max(r[2] for r in taken) + pad)
        y1 = max(box[1] + box[3], max(r[3] for r in taken) + pad)
        side = max(x1 - x0, y1 - y0)
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        box = (round(cx - side / 2), round(cy - side / 2), round(side), round(side))
    return out, discs_out, box


def _spots(x, y, reach, width, font, scale, *, far: bool):
    """Where a label may go (middle x, baseline y): beside the node, then (if `far`) further out.

    Beyond the four spots beside the node, rings of eight directions at growing
    distances: endless, so a label that must be shown always finds room.
    """
    yield x, y + reach + font * 0.9  # below
    yield x, y - reach - font * 0.25  # above
    yield x + reach + width / 2 + 2 * scale, y + font * 0.35  # right
    yield x - reach - width / 2 - 2 * scale, y + font * 0.35  # left
    if not far:
        return
    step = font * 1.2
    ring = 1
    while True:
        out = reach + ring * step
        for dx, dy in ((0, 1), (0, -1), (1, 0), (-1, 0), (1, 1), (-1, 1), (1, -1), (-1, -1)):
            yield (
                x + dx * (out + width / 2),
                y + dy * (out + font * 0.5) + font * 0.35,
            )
        ring += 1
