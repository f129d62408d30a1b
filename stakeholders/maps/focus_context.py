"""The map page around the person in focus: their panel, and the pin and tidy controls.

Server-rendered, so a shared link with `person=<id>` opens with the same focus
and panel with or without JavaScript (issue #13).
"""

from django.http import QueryDict
from django.utils import timezone

from stakeholders.maps.filters import MapFilters
from stakeholders.maps.marks import MapData
from stakeholders.maps.panel import person_panel
from stakeholders.maps.pins import map_pins
from stakeholders.models import Organisation, Person
from stakeholders.retention import stale_cutoff


def focus_base(path: str, query: str) -> str:
    """The map's address with `query` (its filters) and no person, ending in `person=`."""
    params = QueryDict(query, mutable=True)
    params.pop("person", None)
    rest = params.urlencode()
    return f"{path}?{rest}&person=" if rest else f"{path}?person="


def focus_context(context: dict, data: MapData, filters: MapFilters, panel_base: str) -> dict:
    """The panel of the person in focus, the pin form's target and the address without them.

    `panel_base` is focus_base() of the page: the panel's people link to their own focus.
    """
    workspace = context["workspace"]
    query = QueryDict(context["query"], mutable=True)
    query.pop("person", None)
    out: dict = {
        "unfocus_query": query.urlencode(),
        # Pins place people on the laid-out map; the tier view re-arranges it.
        "can_pin": context["can_edit"] and filters.layout != "tiers",
    }
    if data.focus is None:
        return out
    focused = next((n for n in data.nodes if n.focus == "focus"), None)
    if data.mode == "people":
        person = Person.objects.filter(pk=data.focus, workspace=workspace).first()
        if person is None:
            return out
        out["panel"] = person_panel(
            person=person,
            run=context["status"].run,
            boundary=context["boundary"],
            stale_before=stale_cutoff(workspace, timezone.localdate()),
        )
        out["retention_months"] = workspace.retention_months
        # The panel's people put their own person in focus, as the map's nodes do.
        out["panel_focus_base"] = panel_base
        if focused is not None:
            pins = map_pins(workspace_id=workspace.pk)
            out["pin_target"] = {
                "field": "person",
                "pk": person.pk,
                "name": person.name,
                "x": round(focused.x),
                "y": round(focused.y),
                "pinned": person.pk in pins.people,
            }
    elif focused is not None and focused.pk is not None:
        organisation = Organisation.objects.filter(pk=focused.pk, workspace=workspace).first()
        if organisation is not None:
            out["focus_organisation"] = organisation.name
    return out
