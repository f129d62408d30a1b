"""The map's filters: what a GET query asks the influence map to draw, checked.

Filters only choose what is drawn; positions and scores never depend on them.
"""

import datetime
from dataclasses import dataclass

from django.http import QueryDict

from stakeholders.models import Boundary, RelationshipKind, Sector, Tier

SIZES = {
    "broker": "broker score",
    "influence": "influence percentile",
    "betweenness": "betweenness",
}
# What a node's colour and shape show: its organisation's sector (the default),
# tier, or the organisation itself (the disc already shows it, so colours repeat).
COLOURS = {
    "sector": "sector",
    "tier": "tier",
    "organisation": "organisation",
}


# How the map is arranged: where the layout put everyone, or one band per tier.
LAYOUTS = {"": "map", "tiers": "tiers"}


class MapFilterError(ValueError):
    """A filter value that cannot be used; the message says which and why."""


@dataclass(frozen=True)
class MapFilters:
    boundary: str = Boundary.ORGANISATION
    organisation: int | None = None
    sector: str = ""
    tier: str = ""
    kinds: tuple[str, ...] = tuple(RelationshipKind.values)
    min_strength: int = 1
    as_of: datetime.date | None = None
    size: str = "broker"
    colour: str = "sector"
    crossing: str = ""  # "only": draw only the ties across the boundary
    layout: str = ""  # "tiers": one band per tier (issue #13)
    person: int | None = None  # the person in focus: highlighted with their ties

    def querydict(self, **changes) -> QueryDict:
        """These filters as a query string (for links and the download), with changes."""
        values = {
            "boundary": self.boundary,
            "organisation": self.organisation or "",
            "sector": self.sector,
            "tier": self.tier,
            "min_strength": self.min_strength,
            "as_of": self.as_of.isoformat() if self.as_of else "",
            "size": self.size,
            "colour": self.colour,
            "crossing": self.crossing,
            "layout": self.layout,
            "person": self.person or "",
        } | changes
        query = QueryDict(mutable=True)
        for key, value in values.items():
            if value not in ("", None):
                query[key] = str(value)
        if self.kinds != tuple(RelationshipKind.values):
            query.setlist("kind", list(self.kinds))
        return query


def parse_filters(params: QueryDict) -> MapFilters:
    """Filters from a GET query; MapFilterError names the field and the reason."""
    boundary = params.get("boundary") or Boundary.ORGANISATION
    if boundary not in Boundary.values:
        raise MapFilterError("Choose the boundary organisation, sector or tier.")
    organisation = None
    if params.get("organisation"):
        try:
            organisation = int(params["organisation"])
        except ValueError:
            raise MapFilterError("The organisation must be chosen from the list.") from None
    sector = params.get("sector", "")
    if sector and sector not in Sector.values:
        raise MapFilterError("The sector must be chosen from the list.")
    tier = params.get("tier", "")
    if tier and tier not in Tier.values:
        raise MapFilterError("The tier must be chosen from the list.")
    kinds = tuple(k for k in RelationshipKind.values if k in params.getlist("kind"))
    if params.getlist("kind") and len(kinds) != len(set(params.getlist("kind"))):
        raise MapFilterError("Each relationship kind must be one of the kinds listed.")
    try:
        min_strength = int(params.get("min_strength") or 1)
    except ValueError:
        raise MapFilterError("The minimum strength must be a whole number from 1 to 5.") from None
    if not 1 <= min_strength <= 5:
        raise MapFilterError("The minimum strength must be a whole number from 1 to 5.")
    as_of = None
    if params.get("as_of"):
        try:
            as_of = datetime.date.fromisoformat(params["as_of"])
        except ValueError:
            raise MapFilterError(
                "The date must be a real date written YYYY-MM-DD, e.g. 2026-01-31."
            ) from None
    size = params.get("size") or "broker"
    if size not in SIZES:
        raise MapFilterError("Size people by broker score, influence or betweenness.")
    colour = params.get("colour") or "sector"
    if colour not in COLOURS:
        raise MapFilterError("Colour people by sector, tier or organisation.")
    crossing = params.get("crossing", "")
    if crossing not in ("", "only"):
        raise MapFilterError("Show all ties, or only the ties across the boundary.")
    layout = params.get("layout", "")
    if layout not in LAYOUTS:
        raise MapFilterError("Arrange the map as laid out, or in tiers.")
    person = None
    if params.get("person"):
        value = params["person"]
        if not (value.isdecimal() and value.isascii()) or len(value) > 12:
            raise MapFilterError("The person to focus on must be chosen on the map.")
        person = int(value)
    return MapFilters(
        boundary=boundary,
        organisation=organisation,
        sector=sector,
        tier=tier,
        kinds=kinds or tuple(RelationshipKind.values),
        min_strength=min_strength,
        as_of=as_of,
        size=size,
        colour=colour,
        crossing=crossing,
        layout=layout,
        person=person,
    )
