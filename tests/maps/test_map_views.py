"""The influence map: the page, the person panel and the SVG download."""

import datetime
import re

import pytest
from django.urls import reverse

from stakeholders import score_runs
from stakeholders.maps import data as maps
from stakeholders.maps import labels as map_labels
from stakeholders.maps import marks as map_marks
from stakeholders.maps import png as map_png
from stakeholders.models import Forum, ForumMembership, Person, Relationship
from stakeholders.services import data_stamp_move
from tests.dashboard.test_dashboard_views import build_map, url
from tests.factories import RelationshipFactory


def panel_url(workspace, person) -> str:
    return reverse("stakeholders:map_person", kwargs={"slug": workspace.slug, "pk": person.pk})


@pytest.fixture
def scored(workspace):
    return build_map(workspace)


@pytest.mark.parametrize("name", ["map", "map_svg", "map_png", "map_person"])
def test_map_urls_need_membership(client, workspace, outsider, viewer, scored, name):
    path = panel_url(workspace, scored["broker"]) if name == "map_person" else url(name, workspace)
    assert client.get(path).status_code == 302
    client.force_login(outsider)
    assert client.get(path).status_code == 404
    client.force_login(viewer)
    assert client.get(path).status_code == 200


def test_without_scores_the_map_says_so(client, workspace, viewer):
    client.force_login(viewer)
    page = client.get(url("map", workspace)).content.decode()
    assert "There are no scores for this workspace yet" in page
    assert client.get(url("map_svg", workspace)).status_code == 400
    assert client.get(url("map_png", workspace)).status_code == 400


def test_map_draws_people_edges_legend_and_brokers(client, workspace, viewer, scored):
    client.force_login(viewer)
    page = client.get(url("map", workspace)).content.decode()
    svg = page.split('id="map-svg"')[1].split('id="map-panel"')[0]
    assert svg.count("data-person=") == 10
    # Each name sits in Unicode isolates (stakeholders.bidi): its direction stays its own.
    assert (
        'aria-label="\u2068Bridget Broker\u2069, \u2068Director\u2069, '
        "\u2068Fenwick Hospitals\u2069, broker score"
    ) in svg
    broker_node = svg.split("Bridget Broker\u2069, \u2068Director")[2].split("</a>")[0]
    assert 'stroke="#212b32" stroke-width="3"' in broker_node
    assert svg.count("<line x1=") >= 6  # 4 within organisations + 2 from the broker
    assert "Collaborates with (solid)" in svg and "Key" in svg
    assert "Fenwick Carers" in svg  # legend and disc label
    # The table alternative lists everyone drawn.
    table = page.split('id="map-table-caption"')[1]
    assert "10 people" in table and "Bridget Broker" in table


@pytest.mark.parametrize("organisations", [False, True])
def test_the_table_stacks_as_cards_on_a_phone(
    client, workspace, viewer, scored, monkeypatch, organisations
):
    """Each row becomes a card on a narrow screen; every value names its column there."""
    if organisations:
        monkeypatch.setattr(maps, "PEOPLE_LIMIT", 5)
    client.force_login(viewer)
    page = client.get(url("map", workspace) + "?colour=tier").content.decode()
    assert "css/tables.css" in page  # where the cards are drawn
    table = page.split('<table class="nhsuk-table app-map-table app-stack-table">')[1]
    table = table.split("</table>")[0]
    assert '<td class="nhsuk-table__cell" data-label="Tier"><span><bdi>' in table
    if organisations:
        assert 'data-label="People">' in table
        assert 'data-label="Ties with other organisations">' in table
    else:
        assert 'data-label="Broker score">' in table and 'data-label="Ties drawn">' in table


def test_filters_change_what_is_drawn(client, workspace, viewer, scored):
    client.force_login(viewer)
    hospital = scored["broker"].affiliations.get().organisation
    response = client.get(
        url("map", workspace, organisation=hospital.pk), headers={"HX-Request": "true"}
    )
    region = response.content.decode()
    assert region.lstrip().startswith("<title>")  # the partial only
    # The hospital's four people and the council member the broker ties to.
    assert region.count("data-person=") == 5
    assert "Fenwick County Council person 0" in region
    assert "Fenwick Carers person" not in region

    # The whole page's picker lists every organisation, the chosen one selected; the
    # swap above replaces only the map region, so it carries no picker.
    page = client.get(url("map", workspace, organisation=hospital.pk)).content.decode()
    picker = page.split('id="map-organisation"')[1].split("</select>")[0]
    assert f'<option value="{hospital.pk}" selected>{hospital.name}</option>' in picker
    assert picker.count("<option") == 1 + workspace.organisations.count()
    assert 'id="map-organisation"' not in region

    sector = client.get(url("map", workspace, sector="vcse")).content.decode()
    assert sector.count("data-person=") == 3 and "<line x1=" not in sector.split("Key")[0]

    strong = client.get(url("map", workspace, min_strength=5)).content.decode()
    assert strong.split('class="app-map-edges"')[1].split("</g>")[0].count("<line") == 2

    none_kind = client.get(url("map", workspace, kind="trusts")).content.decode()
    assert none_kind.split('class="app-map-edges"')[1].split("</g>")[0].count("<line") == 0


def test_as_of_keeps_ties_in_force_then(client, workspace, viewer, scored):
    people = scored["people"]["Fenwick Carers"]
    RelationshipFactory(
        source=people[0],
        target=people[1],
        start_date=datetime.date(2020, 1, 1),
        observed_on=datetime.date(2026, 1, 1),
    )
    # The scores of those days, as a worker stores them (the page asks for them).
    for day in (datetime.date(2021, 1, 1), datetime.date(2019, 1, 1)):
        score_runs.score_run_execute(workspace_id=workspace.pk, as_of=day)
    client.force_login(viewer)
    page = client.get(url("map", workspace, sector="vcse", as_of="2021-01-01")).content.decode()
    assert page.split('class="app-map-edges"')[1].split("</g>")[0].count("<line") == 1
    page = client.get(url("map", workspace, sector="vcse", as_of="2019-01-01")).content.decode()
    assert page.split('class="app-map-edges"')[1].split("</g>")[0].count("<line") == 0


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"boundary": "planet"}, "boundary"),
        ({"organisation": "x"}, "organisation must be chosen"),
        ({"organisation": "999999"}, "not in this workspace"),
        ({"sector": "army"}, "sector"),
        ({"tier": "x"}, "tier"),
        ({"kind": "hates"}, "relationship kind"),
        ({"min_strength": "9"}, "minimum strength"),
        ({"as_of": "2026-02-30"}, "YYYY-MM-DD"),
        ({"size": "height"}, "Size people by"),
    ],
)
def test_invalid_filters_are_refused(client, workspace, viewer, scored, query, message):
    client.force_login(viewer)
    response = client.get(url("map", workspace, **query))
    assert response.status_code == 400
    assert message in response.content.decode()


def test_large_maps_open_at_organisation_level(client, workspace, viewer, scored, monkeypatch):
    monkeypatch.setattr(maps, "PEOPLE_LIMIT", 5)
    client.force_login(viewer)
    page = client.get(url("map", workspace)).content.decode()
    assert "so the map shows organisations" in page
    assert "data-person=" not in page
    assert "Choose an organisation to see its people." in page
    hospital = scored["broker"].affiliations.get().organisation
    assert f"organisation={hospital.pk}" in page
    assert (
        'aria-label="\u2068Fenwick Hospitals\u2069, 4 people, 1 tie with other organisations"'
    ) in page
    drilled = client.get(url("map", workspace, organisation=hospital.pk)).content.decode()
    assert drilled.count("data-person=") == 5
    assert "Choose a person on the map or in the table" in drilled


def test_person_panel(client, workspace, viewer, scored):
    client.force_login(viewer)
    broker = scored["broker"]
    panel = client.get(
        panel_url(workspace, broker), headers={"HX-Request": "true"}
    ).content.decode()
    assert "<html" not in panel
    assert "Bridget Broker" in panel and "Fenwick Hospitals" in panel
    assert "Broker score" in panel and broker.scores.first().why in panel
    assert "Ties out (2)" in panel and "Ties in (0)" in panel
    # The ego map: the broker in the middle, both contacts named under their organisation.
    ego = panel.split('class="app-map-ego"')[1].split("</svg>")[0]
    assert ego.count("<circle") == 3 and ego.count("<line") == 2
    assert "\u2068Fenwick Hospitals\u2069</text>" in ego
    assert "\u2068Fenwick County Council\u2069</text>" in ego
    assert "Bridget Broker" in ego
    assert reverse("stakeholders:person_detail", args=[workspace.slug, broker.pk]) in panel
    page = client.get(panel_url(workspace, broker)).content.decode()
    assert "<html" in page and "Back to the map" in page


def test_person_panel_names_the_seats_held_today(client, workspace, viewer, scored):
    broker = scored["broker"]
    client.force_login(viewer)

    def panel():
        return client.get(
            panel_url(workspace, broker), headers={"HX-Request": "true"}
        ).content.decode()

    assert "Seats today" not in panel()
    for name, seat, ended in (
        ("Fenwick ICB Board", "chair", None),
        ("Fenwick Place Board", "voting_member", None),
        ("Old Partnership", "participant", datetime.date(2020, 1, 1)),
    ):
        forum = Forum.objects.create(workspace=workspace, name=name, kind="other", tier="place")
        ForumMembership.objects.create(forum=forum, person=broker, seat=seat, end_date=ended)
    assert (
        "Seats today: <bdi>Fenwick ICB Board</bdi> (chair); "
        "<bdi>Fenwick Place Board</bdi> (voting member)</p>"
    ) in panel()


def test_panel_for_someone_elses_person_is_404(client, workspace, other_workspace, viewer):
    stranger = Person.objects.create(
        workspace=other_workspace, ref="s1", name="S", seniority="manager"
    )
    client.force_login(viewer)
    assert client.get(panel_url(workspace, stranger)).status_code == 404


def test_svg_download_carries_legend_caption_and_escapes_names(client, workspace, viewer):
    build_map(workspace)
    Person.objects.filter(name="Fenwick Hospitals person 0").update(
        name='<script>alert("x")</script> \u05e9\u05dc\u05d5\u05dd \U0001f600'
    )
    client.force_login(viewer)
    response = client.get(url("map_svg", workspace, size="influence"))
    assert response["Content-Type"] == "image/svg+xml; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="{workspace.slug}-map-{datetime.date.today():%Y-%m-%d}.svg"'
    )
    body = response.content.decode()
    assert body.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns=')
    assert "<script" not in body
    assert (
        "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; \u05e9\u05dc\u05d5\u05dd \U0001f600"
        in body
    )
    assert f"{workspace.name}: influence map of people" in body
    assert "sized by influence percentile" in body and "Key" in body
    assert "hx-get" not in body


def test_palette_contrasts_with_white():
    def luminance(hex_colour):
        channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    for colour in (*map_marks.ORGANISATION_PALETTE, maps.NO_GROUP_COLOUR):
        assert 1.05 / (luminance(colour) + 0.05) >= 4.5, colour


@pytest.mark.parametrize("per_org", [2, 8])
def test_map_query_count_is_fixed(client, workspace, viewer, django_assert_num_queries, per_org):
    build_map(workspace, people_per_org=per_org)
    client.force_login(viewer)
    client.get(url("map", workspace))  # warm the session
    # Read afresh after a change: the map's nine (two data stamps, five stored rows,
    # the pins, the ties), one for completeness (issue #15), one for the names of the
    # people drawn (the people level).
    data_stamp_move(workspace_id=workspace.pk)  # a change committed elsewhere
    with django_assert_num_queries(15):
        assert client.get(url("map", workspace)).status_code == 200
    # Asked for again: the rows and ties are kept (stakeholders.memo).
    with django_assert_num_queries(9):
        assert client.get(url("map", workspace)).status_code == 200


def test_organisation_level_reads_no_names(
    client, workspace, viewer, django_assert_num_queries, monkeypatch
):
    build_map(workspace, people_per_org=8)
    monkeypatch.setattr(maps, "PEOPLE_LIMIT", 5)
    client.force_login(viewer)
    client.get(url("map", workspace))  # warm the session
    data_stamp_move(workspace_id=workspace.pk)  # a change committed elsewhere
    with django_assert_num_queries(14):
        page = client.get(url("map", workspace)).content.decode()
    assert "so the map shows organisations" in page
    with django_assert_num_queries(8):
        again = client.get(url("map", workspace)).content.decode()

    def drawn(html):
        return html.split('id="map-svg"')[1].split('id="map-panel"')[0]

    assert drawn(again) == drawn(page)  # the same map (the page's nonces differ)


def test_many_people_drawn_read_everyones_names(client, workspace, viewer, monkeypatch):
    build_map(workspace, people_per_org=2)
    client.force_login(viewer)
    listed = client.get(url("map", workspace)).content.decode()
    monkeypatch.setattr(maps, "NAMES_LISTED", 1)
    everyone = client.get(url("map", workspace)).content.decode()
    names = sorted(set(re.findall(r'aria-label="\u2068([^\u2069]*)\u2069, ', everyone)))
    assert "Bridget Broker" in names and len(names) > 5
    assert names == sorted(set(re.findall(r'aria-label="\u2068([^\u2069]*)\u2069, ', listed)))


def test_short_labels_keep_whole_words():
    from stakeholders.maps.marks import short_label

    assert short_label("Amira Okafor", 24) == "Amira Okafor"
    assert short_label("Fenwick Hospitals person 10", 24) == "Fenwick Hospitals…"
    assert short_label("Supercalifragilisticexpialidocious Jones", 10) == (
        "Supercalifragilisticexpialidocious…"
    )


def test_filters_swap_the_map_region_and_a_score_update_reloads_the_page(
    client, workspace, viewer, scored
):
    client.force_login(viewer)
    swap = client.get(
        url("map", workspace), headers={"HX-Request": "true", "HX-Target": "map-region"}
    )
    assert "<html" not in swap.content.decode()
    # The analysis region reloading after a recompute selects #analysis out of the whole page.
    reload = client.get(
        url("map", workspace), headers={"HX-Request": "true", "HX-Target": "analysis"}
    )
    assert 'id="analysis"' in reload.content.decode()


# --- Stale ties (retention) -------------------------------------------------------


def _edges(page: str) -> str:
    return page.split('class="app-map-edges"')[1].split("</g>")[0]


@pytest.fixture
def one_stale_tie(workspace, scored):
    """Every tie seen today except one between two carers, last seen in 2015."""
    today = datetime.date.today()
    Relationship.objects.update(observed_on=today)
    carers = scored["people"]["Fenwick Carers"]
    RelationshipFactory(source=carers[0], target=carers[1], observed_on=datetime.date(2015, 3, 10))
    RelationshipFactory(source=carers[1], target=carers[2], observed_on=None)
    workspace.retention_months = 12
    workspace.save()
    return carers


def test_stale_ties_are_drawn_pale_with_a_key_and_counted_in_the_table(
    client, workspace, viewer, one_stale_tie
):
    client.force_login(viewer)
    page = client.get(url("map", workspace)).content.decode()
    edges = _edges(page)
    assert edges.count("<line") == 8 and edges.count('data-stale="true"') == 1
    key = page.split("app-map-legend")[1]
    assert "not observed for 12 months" in key and "no observed date are never marked" in key
    table = page.split('id="map-table-caption"')[1]
    # Both ends of the stale tie; the undated tie is not stale.
    assert table.count("1 not observed for 12 months") == 2
    assert "1 of these ties was last observed more than 12 months ago" in page


def test_no_tie_is_stale_when_retention_is_off(client, workspace, viewer, one_stale_tie):
    workspace.retention_months = None
    workspace.save()
    client.force_login(viewer)
    page = client.get(url("map", workspace)).content.decode()
    assert "data-stale" not in page and "not observed for" not in page


def test_stale_ties_count_at_organisation_level(
    client, workspace, viewer, one_stale_tie, monkeypatch
):
    monkeypatch.setattr(maps, "PEOPLE_LIMIT", 5)
    carer, nurse = one_stale_tie[0], Person.objects.get(name="Fenwick Hospitals person 0")
    RelationshipFactory(source=carer, target=nurse, observed_on=datetime.date(2000, 1, 1))
    client.force_login(viewer)
    page = client.get(url("map", workspace)).content.decode()
    assert "so the map shows organisations" in page
    # Carers to hospital: the only tie is stale, so the link is drawn pale.
    assert _edges(page).count('data-stale="true"') == 1
    assert "1 not observed for 12 months" in page.split('id="map-table-caption"')[1]


def test_person_panel_marks_stale_ties(client, workspace, viewer, one_stale_tie):
    client.force_login(viewer)
    panel = client.get(
        panel_url(workspace, one_stale_tie[0]), headers={"HX-Request": "true"}
    ).content.decode()
    assert panel.count("Not observed for 12 months") == 1
    assert "last observed 10 March 2015" in panel
    undated = client.get(
        panel_url(workspace, one_stale_tie[2]), headers={"HX-Request": "true"}
    ).content.decode()
    assert "ot observed for" not in undated and "Ties in (1)" in undated


# --- PNG ----------------------------------------------------------------------------


def _png_size(body: bytes) -> tuple[int, int]:
    assert body[:8] == b"\x89PNG\r\n\x1a\n"
    assert body[12:16] == b"IHDR"
    return int.from_bytes(body[16:20], "big"), int.from_bytes(body[20:24], "big")


def test_png_download_is_the_svg_at_twice_the_size(client, workspace, viewer, scored):
    client.force_login(viewer)
    response = client.get(url("map_png", workspace, sector="vcse"))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == (
        f'attachment; filename="{workspace.slug}-map-{datetime.date.today():%Y-%m-%d}.png"'
    )
    svg = client.get(url("map_svg", workspace, sector="vcse")).content.decode()
    height = int(svg.split('height="')[1].split('"')[0])
    assert _png_size(response.content) == (2000, 2 * height)
    # Filters change the picture.
    everyone = client.get(url("map_png", workspace)).content
    assert everyone != response.content
    page = client.get(url("map", workspace, sector="vcse")).content.decode()
    assert "map.png?" in page and "sector=vcse" in page.split("map.png?")[1].split('"')[0]


def test_png_refuses_bad_filters(client, workspace, viewer, scored):
    client.force_login(viewer)
    response = client.get(url("map_png", workspace, min_strength="9"))
    assert response.status_code == 400
    assert "minimum strength" in response.content.decode()


def test_render_map_png_for_board_packs(workspace, scored):
    body = map_png.render_map_png(workspace=workspace, boundary="sector")
    assert _png_size(body)[0] == 2000


def test_render_map_png_without_scores_is_none(workspace):
    assert map_png.render_map_png(workspace=workspace, boundary="organisation") is None


# --- Labels -------------------------------------------------------------------------


def _node(i, x, y, importance=0.0, name=None):
    style = map_marks.GroupStyle("1", "Org", "#005eb8", "circle")
    name = name or f"Person number {i}"
    return map_marks.Node(
        pk=i,
        label=name,
        short_label=name,
        x=x,
        y=y,
        r=5,
        path="",
        style=style,
        aria_label=name,
        importance=importance,
    )


def _label_rect(node, font=12.0):
    half = len(node.short_label) * font * map_labels.CHAR_WIDTH / 2
    return (node.label_x - half, node.label_y - font * 0.85, node.label_x + half, node.label_y)


def test_labels_in_a_dense_cluster_do_not_overlap_and_the_most_important_is_named():
    nodes = [_node(i, 500 + (i % 4) * 3, 500 + (i // 4) * 3, importance=i) for i in range(40)]
    out, _, box = map_labels.place_labels("people", nodes, [], (300, 300, 400, 400), 1.0)
    named = [n for n in out if n.short_label]
    assert 1 < len(named) < 40
    assert "Person number 39" in {n.short_label for n in named}
    rects = [_label_rect(n) for n in named]
    for i, a in enumerate(rects):
        for b in rects[i + 1 :]:
            assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1], (a, b)


def test_view_box_grows_to_hold_labels_at_the_edge():
    edge = _node(1, 995, 500, name="Fenwick Partnership NHS Foundation Trust")
    out, _, box = map_labels.place_labels("organisations", [edge], [], (600, 300, 400, 400), 1.0)
    left, top, right, bottom = _label_rect(out[0])
    assert out[0].short_label
    assert box[0] <= left and right <= box[0] + box[2]
    assert box[1] <= top and bottom <= box[1] + box[3]
    assert box[2] == box[3]  # still square


def test_the_top_broker_is_named_and_others_where_they_fit(client, workspace, viewer):
    build_map(workspace, people_per_org=10)  # 31 people
    client.force_login(viewer)
    page = client.get(url("map", workspace)).content.decode()
    labels = page.split('class="app-map-labels"')[1].split("</g>")[0]
    assert 3 <= labels.count("<text") <= 31
    assert ">\u2068Bridget Broker\u2069</text>" in labels  # the one link between the two
    # Everyone is still named in their link and in the table.
    assert page.count('aria-label="\u2068Fenwick Carers person') == 10


@pytest.mark.parametrize("per_org", [2, 8])
@pytest.mark.parametrize("name", ["map_svg", "map_png"])
def test_download_and_drilled_map_query_counts_are_fixed(
    client, workspace, viewer, django_assert_num_queries, per_org, name
):
    build_map(workspace, people_per_org=per_org)
    hospital = Person.objects.get(name="Bridget Broker").affiliations.get().organisation
    client.force_login(viewer)
    client.get(url("map", workspace))  # warm the session
    data_stamp_move(workspace_id=workspace.pk)  # a change committed elsewhere
    with django_assert_num_queries(14):
        assert client.get(url(name, workspace)).status_code == 200
    with django_assert_num_queries(8):  # kept (stakeholders.memo)
        assert client.get(url(name, workspace)).status_code == 200
    # The page shows completeness (issue #15): one query more than the download. One
    # organisation's ties are read afresh; the rows are kept.
    with django_assert_num_queries(10):
        assert client.get(url("map", workspace, organisation=hospital.pk)).status_code == 200
    data_stamp_move(workspace_id=workspace.pk)  # a change committed elsewhere
    with django_assert_num_queries(15):
        assert client.get(url("map", workspace, organisation=hospital.pk)).status_code == 200


def test_someone_whose_post_has_ended_is_drawn_with_no_organisation(
    client, workspace, viewer, scored
):
    """As the scores and the layout group them: by the main affiliation in force today."""
    leaver = scored["people"]["Fenwick Hospitals"][2]
    hospital = leaver.affiliations.get().organisation
    leaver.affiliations.update(end_date=datetime.date.today() - datetime.timedelta(days=1))
    score_runs.score_run_execute(workspace_id=workspace.pk)
    client.force_login(viewer)

    page = client.get(url("map", workspace)).content.decode()
    mark = re.search(rf'aria-label="([^"]*)" data-person="{leaver.pk}"', page)
    assert "\u2068no organisation\u2069" in mark.group(1)
    assert "\u2068Fenwick Hospitals\u2069" not in mark.group(1)
    # The tier view puts them in the band of people with no organisation.
    tiers = client.get(url("map", workspace, layout="tiers")).content.decode()
    y = float(re.search(rf'data-person="{leaver.pk}"[^>]*data-y="([\d.]+)"', tiers).group(1))
    top, height = map(
        float, re.search(r'<rect x="[-\d.]+" y="([\d.]+)" width="[\d.]+" height="([\d.]+)"[^>]*/>'
                         r'<line[^>]*/><text[^>]*>No tier</text>', tiers).groups()
    )  # fmt: skip
    assert top < y < top + height
    # On their old organisation's own map they are a contact from outside it.
    drilled = client.get(url("map", workspace, organisation=hospital.pk)).content.decode()
    mark = re.search(rf'aria-label="([^"]*)" data-person="{leaver.pk}"', drilled)
    assert "\u2068no organisation\u2069" in mark.group(1)


def test_the_map_shows_a_tie_added_after_it_was_drawn(client, workspace, viewer, scored):
    """The map's rows and ties are kept (stakeholders.memo): a tie saved since shows at
    the next request, on the page and in the SVG."""
    council, carers = (
        scored["people"]["Fenwick County Council"][0],
        scored["people"]["Fenwick Carers"][0],
    )
    client.force_login(viewer)

    def lines(name):
        return client.get(url(name, workspace)).content.decode().count("<line x1=")

    before = lines("map"), lines("map_svg")
    assert (lines("map"), lines("map_svg")) == before
    RelationshipFactory(source=council, target=carers)
    assert (lines("map"), lines("map_svg")) == (before[0] + 1, before[1] + 1)
