"""CSV exporters: generators of rows (header first) from a fixed number of queries."""

import codecs
import csv
import math
from collections.abc import Iterable, Iterator
from typing import IO

from stakeholders.models import Affiliation, PersonScore, ScoreRun, Sector, Tier

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

SCORES_HEADER = (
    "Ref", "Name", "Organisation", "Sector", "Tier", "Broker score", "Betweenness",
    "Weighted betweenness", "Boundary betweenness", "Coordinator", "Itinerant", "Gatekeeper",
    "Representative", "Liaison", "Coordinator z", "Itinerant z", "Gatekeeper z",
    "Representative z", "Liaison z", "Constraint", "Effective size", "E-I index",
    "Participation", "Groups reached", "External ties", "Influence", "Hidden influencer",
)  # fmt: skip


def safe_cell(value: object) -> object:
    """A cell a spreadsheet will not run: text starting = + - @ tab or CR gets a leading '.

    Numbers stay numbers; None (undefined) becomes an empty cell.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, float) and not math.isfinite(value):
        return ""
    if isinstance(value, int | float):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def scores_rows(*, run: ScoreRun | None, boundary: str) -> Iterator[tuple]:
    """One row per person under `boundary`, full precision, best broker first."""
    yield SCORES_HEADER
    if run is None:
        return
    primaries = {
        pk: (org, sector, tier)
        for pk, org, sector, tier in Affiliation.objects.filter(
            person__workspace_id=run.workspace_id, is_primary=True
        ).values_list(
            "person_id", "organisation__name", "organisation__sector", "organisation__tier"
        )
    }
    sectors, tiers = dict(Sector.choices), dict(Tier.choices)
    scores = (
        PersonScore.objects.filter(run=run, boundary=boundary)
        .select_related("person")
        .order_by("-broker_score", "person__name", "person_id")
    )
    for s in scores.iterator(chunk_size=2000):
        org, sector, tier = primaries.get(s.person_id, (None, None, None))
        yield (
            s.person.ref, s.person.name, org, sectors.get(sector), tiers.get(tier),
            s.broker_score, s.betweenness, s.weighted_betweenness, s.boundary_betweenness,
            s.coordinator, s.itinerant, s.gatekeeper, s.representative, s.liaison,
            s.coordinator_z, s.itinerant_z, s.gatekeeper_z, s.representative_z, s.liaison_z,
            s.constraint, s.effective_size, s.ei_index, s.participation,
            s.groups_reached, s.external_ties, s.influence, s.hidden_influencer,
        )  # fmt: skip


def write_csv(rows: Iterable[tuple], out: IO[str]) -> None:
    """Write rows as UTF-8 CSV with a BOM (Excel opens it as UTF-8), formula-safe."""
    out.write(codecs.BOM_UTF8.decode("utf-8"))
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])


__all__ = ["SCORES_HEADER", "safe_cell", "scores_rows", "write_csv"]
