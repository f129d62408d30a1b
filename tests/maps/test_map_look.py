"""The map's look: colours by sector, tier or organisation; ties across the boundary; names."""

import io
import itertools
import math
import zipfile

import pytest
from django.db import transaction
from django.http import QueryDict

from stakeholders import score_runs
from stakeholders.maps import labels as map_labels
from stakeholders.maps import marks
from stakeholders.maps.arrange import BandMark
from stakeholders.maps.filters import MapFilterError, parse_filters
from stakeholders.models import Sector, Tier
from stakeholders.services import data_stamp_move
from tests.dashboard.test_dashboard_views import build_map, url
from tests.factories import RelationshipFactory

# Machado, Oliveira and Fernandes (2009), severity 1, on linear RGB.
CVD = {
    "deuteranopia": ((0.367322, 0.860646, -0.227968), (0.280085, 0.672501, 0.047413),
                     (-0.011820, 0.042940, 0.968881)),
    "protanopia": ((0.152286, 1.052583, -0.204868), (0.114503, 0.786281, 0.099216),
                   (-0.003882, -0.048116, 1.051998)),
    "tritanopia": ((1.255528, -0.076749, -0.178779), (-0.078411, 0.930809, 0.147602),
                   (0.004733, 0.691367, 0.303900)),
}  # fmt: skip


def _linear(channel: float) -> float:
    return channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4


def _rgb(hex_colour: str) -> list[float]:
    return [_linear(int(hex_colour[i : i + 2], 16) / 255) for i in (1, 3, 5)]


def _luminance(hex_colour: str) -> float:
    r, g, b = _rgb(hex_colour)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _seen_with(hex_colour: str, matrix) -> list[float]:
    def encode(c: float) -> float:
        c = min(1.0, max(0.0, c))
        return 255 * (12.92 * c if c <= 0.0031308 else 1.055 * c ** (1 / 2.4) - 0.055)

    rgb = _rgb(hex_colour)
    return [encode(sum(row[k] * rgb[k] for k in range(3))) for row in matrix]


ORGANISATIONS = {
    1: ("Fenwick Hospitals", "", "nhs", "system"),
    2: ("Fenwick County Council", "", "local_government", "place"),
    3: ("Age Concern Fenwick", "", "vcse", "neighbourhood"),
    4: ("NHS England", "", "national_body", "national"),
}


# --- Colours ------------------------------------------------------------------------


def test_six_sectors_have_six_colours_and_six_shapes():
    assert set(marks.SECTOR_STYLES) == set(Sector.values)
    colours = [colour for colour, _ in marks.SECTOR_STYLES.values()]
    shapes = [shape for _, shape in marks.SECTOR_STYLES.values()]
    assert len(set(colours)) == 6 and len(set(shapes)) == 6


@pytest.mark.parametrize("table", [marks.SECTOR_STYLES, marks.TIER_STYLES])
@pytest.mark.parametrize("deficiency", sorted(CVD))
def test_colours_stay_apart_for_colour_blind_readers(table, deficiency):
    colours = [colour for colour, _ in table.values()]
    seen = [_seen_with(c, CVD[deficiency]) for c in colours]
    nearest = min(math.dist(a, b) for a, b in itertools.combinations(seen, 2))
    assert nearest >= 25, (deficiency, nearest)


def test_node_outline_contrasts_with_the_map_and_its_discs():
    for background in ("#ffffff", "#eef3f6"):
        assert _contrast(marks.OUTLINE, background) >= 3  # WCAG 1.4.11


def test_organisation_palette_contrasts_with_white():
    for colour in (*marks.ORGANISATION_PALETTE, marks.NO_GROUP_COLOUR):
        assert _contrast(colour, "#ffffff") >= 4.5, colour


def test_colour_by_sector_gives_each_organisation_its_sector():
    styles = marks.colour_styles("sector", ORGANISATIONS)
    assert styles[1].label == "NHS" and styles[1].colour == "#0072b2"
    assert styles[2].label == "Local government" and styles[2].shape == "square"
    assert styles[None].label == "No organisation"
    ranked = sorted((styles[pk] for pk in ORGANISATIONS), key=lambda s: s.rank)
    assert [s.key for s in ranked] == ["nhs", "local_government", "vcse", "national_body"]


def test_colour_by_tier_keeps_national_to_neighbourhood_order():
    styles = marks.colour_styles("tier", ORGANISATIONS)
    ranked = sorted((styles[pk] for pk in ORGANISATIONS), key=lambda s: s.rank)
    assert [s.label for s in ranked] == ["National", "System", "Place", "Neighbourhood"]
    assert [s.rank for s in ranked] == [Tier.values.index(s.key) for s in ranked]


def test_colour_by_organisation_gives_each_its_own_pair():
    styles = marks.colour_styles("organisation", ORGANISATIONS)
    pairs = {(styles[pk].colour, styles[pk].shape) for pk in ORGANISATIONS}
    assert len(pairs) == 4
    assert styles[3].label == "Age Concern Fenwick" and styles[3].rank == 0  # by name


def test_hexagon_is_a_closed_path():
    path = marks.shape_path("hexagon", 10, 10, 5)
    assert path.startswith("M") and path.endswith("Z") and path.count("L") == 5


# --- Filters ------------------------------------------------------------------------


def test_colour_and_crossing_are_read_and_kept_in_the_address():
    filters = parse_filters(QueryDict("colour=tier&crossing=only"))
    assert (filters.colour, filters.crossing) == ("tier", "only")
    query = filters.querydict()
    assert query["colour"] == "tier" and query["crossing"] == "only"
    assert parse_filters(QueryDict("")).colour == "sector"


@pytest.mark.parametrize("query", ["colour=rainbow", "crossing=yes"])
def test_bad_colour_or_crossing_is_refused(query):
    with pytest.raises(MapFilterError):
        parse_filters(QueryDict(query))


# --- Labels -------------------------------------------------------------------------


def _node(i, x, y, importance=0.0, name=None, r=5.0):
    name = name or f"Person number {i}"
    return marks.Node(
        pk=i,
        label=name,
        short_label=name,
        x=x,
        y=y,
        r=r,
        path="",
        style=marks.GroupStyle("1", "Org", "#005eb8", "circle"),
        aria_label=name,
        importance=importance,
    )


def _rect(node, font=12.0):
    half = len(node.short_label) * font * map_labels.CHAR_WIDTH / 2
    return (node.label_x - half, node.label_y - font * 0.85, node.label_x + half, node.label_y)


def _overlap(a, b) -> bool:
    return not (a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1])


@pytest.mark.parametrize("always", [1, 5, 12])
def test_the_top_brokers_are_always_named_and_no_labels_overlap(always):
    # 60 people packed into a 30 x 30 square: far more names than fit.
    nodes = [_node(i, 500 + (i % 8) * 4, 500 + (i // 8) * 4, importance=i) for i in range(60)]
    out, _, box = map_labels.place_labels(
        "people", nodes, [], (300, 300, 400, 400), 1.0, always=always
    )
    named = [n for n in out if n.short_label]
    top = {f"Person number {i}" for i in range(59, 59 - always, -1)}
    assert top <= {n.short_label for n in named}
    assert len(named) < 60
    rects = [_rect(n) for n in named]
    for a, b in itertools.combinations(rects, 2):
        assert not _overlap(a, b), (a, b)
    for left, top_, right, bottom in rects:  # the first view grows to hold them all
        assert box[0] <= left and right <= box[0] + box[2]
        assert box[1] <= top_ and bottom <= box[1] + box[3]


def test_others_are_named_where_they_fit_greedily_by_score():
    far_apart = [_node(i, 100 + i * 200, 500, importance=i) for i in range(4)]
    clash = _node(9, 100, 500, importance=-1, name="Somebody else")  # on top of person 0
    out, _, _ = map_labels.place_labels("people", [*far_apart, clash], [], (0, 0, 1000, 1000), 1.0)
    assert all(n.short_label for n in out[:4])  # room for all of them


def test_disc_labels_and_forced_labels_do_not_overlap():
    disc = marks.Disc(500, 500, 40, "Fenwick Hospitals", "Fenwick Hospitals")
    nodes = [_node(i, 490 + i * 3, 460, importance=10 - i) for i in range(6)]
    out, discs, _ = map_labels.place_labels(
        "people", nodes, [disc], (300, 300, 400, 400), 1.0, always=6
    )
    assert discs[0].label_shown and all(n.short_label for n in out)
    half = len(disc.label) * 14 * (map_labels.CHAR_WIDTH + 0.05) / 2
    disc_rect = (disc.x - half, discs[0].label_y - 14, disc.x + half, discs[0].label_y + 3.5)
    for node in out:
        assert not _overlap(_rect(node), disc_rect)


def test_no_label_covers_a_reserved_rectangle():
    """The tier view's band names: an organisation's and a person's name move off them."""
    band = BandMark("Neighbourhood", 300.0, 400.0)
    disc = marks.Disc(150, 360, 30, "Hartwell Men's Shed", "Hartwell Men's Shed")
    nodes = [_node(1, 60, 330, importance=5, name="Lucy Shah")]
    out, discs, _ = map_labels.place_labels(
        "people", nodes, [disc], (0, 0, 1000, 1000), 1.0, always=1, reserved=(band.label_rect,)
    )
    assert discs[0].label_shown and out[0].short_label
    half = len(disc.label) * 14 * (map_labels.CHAR_WIDTH + 0.05) / 2
    disc_rect = (disc.x - half, discs[0].label_y - 14, disc.x + half, discs[0].label_y + 3.5)
    assert not _overlap(disc_rect, band.label_rect)
    assert not _overlap(_rect(out[0]), band.label_rect)
    # Without the reservation the disc's name sits over the band's (the case mended).
    _, plain, _ = map_labels.place_labels("people", [], [disc], (0, 0, 1000, 1000), 1.0)
    over = (disc.x - half, plain[0].label_y - 14, disc.x + half, plain[0].label_y + 3.5)
    assert _overlap(over, band.label_rect)


# --- Through the page ---------------------------------------------------------------


@pytest.fixture
def scored(workspace):
    return build_map(workspace, people_per_org=4)


def test_map_is_coloured_by_sector_by_default(client, workspace, viewer, scored):
    client.force_login(viewer)
    page = client.get(url("map", workspace)).content.decode()
    svg = page.split('id="map-svg"')[1].split("</svg>\n")[0]
    assert 'fill="#0072b2"' in svg  # NHS
    assert 'fill="#d55e00"' in svg  # local government
    assert "Colour and shape: the sector of each person" in svg
    legend = svg.split('class="app-map-legend"')[1]
    assert legend.index(">NHS<") < legend.index(">Local government<") < legend.index(">Voluntary")
    assert 'id="map-colour"' in page and '<option value="sector" selected>' in page


def test_colour_by_tier_lists_tiers_in_order_and_keeps_it_in_downloads(
    client, workspace, viewer, scored
):
    client.force_login(viewer)
    page = client.get(url("map", workspace, colour="tier", crossing="only")).content.decode()
    assert "colour=tier" in page.split("Download this map")[1].split("</span>")[0]
    assert "crossing=only" in page.split("Download this map")[1].split("</span>")[0]
    svg = client.get(url("map_svg", workspace, colour="tier")).content.decode()
    assert "Colour and shape: the tier of each person" in svg
    assert "coloured by tier" in svg


def test_ties_across_the_boundary_are_drawn_apart_from_ties_inside(
    client, workspace, viewer, scored
):
    client.force_login(viewer)
    page = client.get(url("map", workspace)).content.decode()
    edges = page.split('class="app-map-edges"')[1].split("</g>")[0]
    across = [e for e in edges.split("<line")[1:] if 'data-crossing="true"' in e]
    inside = [e for e in edges.split("<line")[1:] if 'data-crossing="false"' in e]
    assert len(across) == 1  # the broker's tie to the council
    assert len(inside) == 2 * 3 + 1  # chains in the hospital and council, the broker's own
    assert 'stroke="#212b32"' in across[0] and 'stroke="#768692"' in inside[0]
    assert "Dark and thick: a tie across organisations" in page
    assert "Grey and thin: a tie inside one organisation" in page


def test_a_collaboration_recorded_by_both_people_is_one_line(client, workspace, viewer):
    """Each reports working with the other (a survey confirms a tie this way): one
    line at the stronger strength. A tie with a direction is drawn each way."""
    built = build_map(workspace, people_per_org=4)
    broker, contact = built["broker"], built["people"]["Fenwick County Council"][0]
    RelationshipFactory(source=contact, target=broker, strength=2)  # the reverse record
    transaction.get_connection().run_on_commit.clear()
    score_runs.score_run_execute(workspace_id=workspace.pk)
    client.force_login(viewer)
    page = client.get(url("map", workspace, crossing="only")).content.decode()
    edges = page.split('class="app-map-edges"')[1].split("</g>")[0]
    assert edges.count("<line") == 1
    RelationshipFactory(source=contact, target=broker, kind="trusts", strength=4)
    transaction.get_connection().run_on_commit.clear()
    data_stamp_move(workspace_id=workspace.pk)  # as the commit would
    score_runs.score_run_execute(workspace_id=workspace.pk)
    page = client.get(url("map", workspace, crossing="only")).content.decode()
    edges = page.split('class="app-map-edges"')[1].split("</g>")[0]
    assert edges.count("<line") == 2


def test_crossing_only_draws_just_the_ties_across(client, workspace, viewer, scored):
    client.force_login(viewer)
    page = client.get(url("map", workspace, crossing="only")).content.decode()
    edges = page.split('class="app-map-edges"')[1].split("</g>")[0]
    assert edges.count("<line") == 1 and 'data-crossing="false"' not in edges
    assert 'id="map-crossing" name="crossing" type="checkbox" value="only" checked' in page
    assert "only ties across organisations" in page


def test_by_sector_ties_inside_one_sector_are_not_crossing(client, workspace, viewer, scored):
    client.force_login(viewer)
    page = client.get(url("map", workspace, boundary="sector", crossing="only")).content.decode()
    edges = page.split('class="app-map-edges"')[1].split("</g>")[0]
    assert edges.count("<line") == 1  # hospital (NHS) to council (local government)


def test_board_pack_map_keeps_the_colour_chosen_on_the_map(client, workspace, viewer, scored):
    client.force_login(viewer)
    page = client.get(url("map", workspace, colour="tier")).content.decode()
    assert "board-pack.zip?boundary=organisation&amp;colour=tier" in page
    response = client.get(url("export_board_pack", workspace, colour="tier"))
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))) as pack:
        svg = pack.read("map.svg").decode()
    assert "coloured by tier" in svg and "Colour and shape: the tier" in svg
    assert client.get(url("export_board_pack", workspace, colour="plaid")).status_code == 400
