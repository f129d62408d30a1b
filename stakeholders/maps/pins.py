"""Pins on the influence map: an editor fixes a person or an organisation in place.

Reads return plain data for the map and the score run's layout; writes are
keyword-only services. Positions are in the layout's box (0 to 1000 both ways).
"""

from dataclasses import dataclass

from django.db import transaction

from stakeholders.analysis.inputs import LAYOUT_BOX
from stakeholders.models import MapPin, Organisation, Person, Workspace


class PinError(ValueError):
    """A pin that cannot be saved; the message names the field and the reason."""


@dataclass(frozen=True)
class MapPins:
    people: dict[int, tuple[float, float]]
    organisations: dict[int, tuple[float, float]]


def map_pins(*, workspace_id: int) -> MapPins:
    """Every pin in the workspace (one query)."""
    people: dict[int, tuple[float, float]] = {}
    organisations: dict[int, tuple[float, float]] = {}
    rows = (
        MapPin.objects.filter(workspace_id=workspace_id)
        .order_by()
        .values_list("person_id", "organisation_id", "x", "y")
    )
    for person_id, organisation_id, x, y in rows:
        if person_id is not None:
            people[person_id] = (x, y)
        else:
            organisations[organisation_id] = (x, y)
    return MapPins(people=people, organisations=organisations)


def pin_coordinate(value: str, name: str) -> float:
    """A coordinate from a form: a number inside the box, else PinError naming it."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise PinError(f"{name}: enter a number from 0 to {LAYOUT_BOX:.0f}.") from None
    if not 0 <= number <= LAYOUT_BOX:  # also refuses nan
        raise PinError(f"{name}: {number:g} is outside the map (0 to {LAYOUT_BOX:.0f}).")
    return number


def map_pin_set(
    *,
    workspace: Workspace,
    person: Person | None = None,
    organisation: Organisation | None = None,
    x: float,
    y: float,
    user,
) -> MapPin:
    """Pin one person or one organisation at (x, y); moves the pin if there is one."""
    target = {"person": person} if person is not None else {"organisation": organisation}
    with transaction.atomic():
        pin = MapPin.objects.select_for_update().filter(workspace=workspace, **target).first()
        if pin is None:
            pin = MapPin(workspace=workspace, **target)
        pin.x, pin.y, pin.pinned_by = x, y, user
        pin.full_clean()
        pin.save()
    return pin


def map_pin_remove(
    *, workspace: Workspace, person: Person | None = None, organisation: Organisation | None = None
) -> bool:
    """Unpin one person or organisation; False if it was not pinned."""
    target = {"person": person} if person is not None else {"organisation": organisation}
    deleted, _ = MapPin.objects.filter(workspace=workspace, **target).delete()
    return bool(deleted)
