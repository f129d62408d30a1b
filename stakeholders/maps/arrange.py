"""Where the map draws everyone: the stored layout, the editors' pins, or the tier view.

A pin shows at once, before any score run: a pinned person is drawn at the pin,
a pinned organisation's disc moves there with its unpinned people (the next
score run stores the same). The tier view (`layout=tiers`) re-arranges the
result into one band per tier (stakeholders.analysis.layout_tiers), national at
the top; it is fast enough to compute in the request.
"""

from dataclasses import dataclass

from stakeholders.analysis.layout_tiers import tier_layout
from stakeholders.maps.labels import CHAR_WIDTH
from stakeholders.maps.pins import MapPins
from stakeholders.models import Tier

NO_TIER = "No tier"
# Each band's name: bold, at the band's top left (box units).
BAND_LABEL_X = 8.0
BAND_LABEL_DROP = 18.0  # from the band's top to the name's baseline
BAND_LABEL_SIZE = 15.0


@dataclass(frozen=True)
class BandMark:
    """One tier's band in the tier view, for the drawing (box units)."""

    label: str
    top: float
    bottom: float

    @property
    def label_rect(self) -> tuple[float, float, float, float]:
        """Where the band's name is drawn, so no other name is put over it."""
        baseline = self.top + BAND_LABEL_DROP
        width = len(self.label) * BAND_LABEL_SIZE * CHAR_WIDTH
        return (
            BAND_LABEL_X,
            baseline - BAND_LABEL_SIZE,
            BAND_LABEL_X + width,
            baseline + BAND_LABEL_SIZE * 0.25,
        )


def pinned(
    positions: dict[int, tuple[float, float]],
    discs: dict[int | None, tuple[float, float, float]],
    primary: dict[int, int],
    pins: MapPins,
) -> tuple[dict[int, tuple[float, float]], dict[int | None, tuple[float, float, float]]]:
    """Stored positions and discs with the pins applied (new dicts; stored ones untouched)."""
    if not pins.people and not pins.organisations:
        return positions, discs
    positions, discs = dict(positions), dict(discs)
    moved: dict[int, tuple[float, float]] = {}
    for org, (x, y) in pins.organisations.items():
        if org in discs:
            cx, cy, r = discs[org]
            if (cx, cy) != (x, y):
                moved[org] = (x - cx, y - cy)
                discs[org] = (x, y, r)
    if moved:
        for person, (x, y) in positions.items():
            shift = moved.get(primary.get(person))
            if shift is not None and person not in pins.people:
                positions[person] = (x + shift[0], y + shift[1])
    for person, xy in pins.people.items():
        if person in positions:
            positions[person] = xy
    return positions, discs


def in_tiers(
    positions: dict[int, tuple[float, float]],
    discs: dict[int | None, tuple[float, float, float]],
    primary: dict[int, int],
    organisations: dict[int, tuple[str, str, str, str]],
) -> tuple[dict[int, tuple[float, float]], dict[int | None, tuple[float, float, float]], list]:
    """Positions and discs of the tier view, and its bands (BandMark, top to bottom)."""
    members = {p: primary.get(p) for p in positions}
    tiers = {pk: values[3] for pk, values in organisations.items()}
    laid = tier_layout(
        organisations=discs, people=positions, members=members, tiers=tiers, order=Tier.values
    )
    labels = dict(Tier.choices)
    bands = [BandMark(labels.get(b.tier, NO_TIER), b.top, b.bottom) for b in laid.bands]
    return laid.people, laid.organisations, bands
