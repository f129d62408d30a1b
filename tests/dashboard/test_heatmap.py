"""The partnerships heat map and the people carrying one partnership."""

import pytest
from django.urls import reverse

from stakeholders.dashboard import heatmap
from stakeholders.models import Organisation
from tests.dashboard.test_dashboard_views import build_map, url
from tests.factories import OrganisationFactory


def people_url(workspace, **query) -> str:
    path = reverse("stakeholders:partnership_people", kwargs={"slug": workspace.slug})
    return path + "?" + "&".join(f"{k}={v}" for k, v in query.items())


@pytest.fixture
def mapped(workspace):
    built = build_map(workspace)
    orgs = {o.name: o for o in Organisation.objects.filter(workspace=workspace)}
    return built, orgs


# --- Pure parts ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "short"),
    [
        ("Fenwick County Council", "FCC"),
        ("Fenwick Hospitals NHS Foundation Trust", "FHNHSFT"),
        ("Voluntary and community sector (VCSE)", "VCSE"),
        ("Local government", "LG"),
        ("Carers Trust", "Carers Trust"),
    ],
)
def test_abbreviation(name, short):
    assert heatmap.abbreviation(name) == short


def test_shades_run_from_light_to_dark_on_a_square_root_scale():
    assert heatmap.shade(0, 100) == 0
    assert heatmap.shade(1, 100) == 1
    assert heatmap.shade(100, 100) == heatmap.HEAT_LEVELS
    assert heatmap.shade(25, 100) < heatmap.shade(50, 100) < heatmap.shade(100, 100)
    shades = [heatmap.shade(n, 100) for n in range(1, 101)]
    assert shades == sorted(shades)


def test_heat_key_covers_every_count_once():
    key = heatmap.heat_key(30)
    assert key[0][1] == 1 and key[-1][2] == 30
    for (_, _, high), (_, low, _) in zip(key, key[1:], strict=False):
        assert low == high + 1


def test_trust_level():
    assert heatmap.trust_level(None) == 0
    assert heatmap.trust_level(1.2) == 1
    assert heatmap.trust_level(3.5) == 4
    assert heatmap.trust_level(5.0) == 5


# --- The page -----------------------------------------------------------------------


def _matrix(page: str) -> str:
    return page.split('class="app-heat"')[1].split("</table>")[0]


def test_matrix_is_sorted_by_sector_then_name_with_short_names(client, workspace, viewer, mapped):
    OrganisationFactory(workspace=workspace, name="Aardvark Community Trust", sector="nhs")
    Organisation.objects.filter(name="Fenwick Hospitals").update(short_name="FHT")
    Organisation.objects.filter(name="Fenwick County Council").update(short_name="")
    client.force_login(viewer)
    page = client.get(url("partnerships", workspace)).content.decode()
    head = _matrix(page).split("</thead>")[0]
    # NHS (Fenwick Hospitals), local government (the council), VCSE (the carers).
    assert head.index('title="Fenwick Hospitals (NHS)"') < head.index(
        'title="Fenwick County Council (Local government)"'
    )
    assert head.index("Fenwick County Council") < head.index("Fenwick Carers")
    assert "<bdi>FHT</bdi></abbr>" in head  # its own short name
    assert "<bdi>FCC</bdi></abbr>" in head  # none: an abbreviation


def test_cells_are_shaded_by_ties_with_a_trust_cue_and_open_the_carriers(
    client, workspace, viewer, mapped
):
    _, orgs = mapped
    client.force_login(viewer)
    page = client.get(url("partnerships", workspace)).content.decode()
    matrix = _matrix(page)
    assert 'class="app-heat-5"' in matrix  # the one pair with ties is the busiest
    assert matrix.count('class="app-heat-0"') == 4  # the carers have no ties
    assert 'class="app-trust-' in matrix
    hospital, council = orgs["Fenwick Hospitals"].pk, orgs["Fenwick County Council"].pk
    link = reverse("stakeholders:partnership_people", kwargs={"slug": workspace.slug})
    assert f'href="{link}?a={hospital}&amp;b={council}"' in matrix
    assert "relationship between <bdi>Fenwick Hospitals</bdi> and" in matrix
    key = page.split('class="app-heat-key"')[1]
    assert "app-heat-swatch app-heat-5" in key and "mean trust 5 (high)" in key


def test_the_matrix_scrolls_in_its_own_box(client, workspace, viewer, mapped):
    client.force_login(viewer)
    page = client.get(url("partnerships", workspace)).content.decode()
    assert 'class="app-heat-scroll" role="region" aria-labelledby="matrix-caption"' in page
    assert "css/tables.css" in page


def test_carriers_of_a_pair(client, workspace, viewer, mapped):
    built, orgs = mapped
    hospital, council = orgs["Fenwick Hospitals"].pk, orgs["Fenwick County Council"].pk
    client.force_login(viewer)
    page = client.get(people_url(workspace, a=hospital, b=council)).content.decode()
    assert "People carrying the partnership between <bdi>Fenwick Hospitals</bdi>" in page
    rows = page.split("<tbody")[1]
    assert rows.index("Bridget Broker") < rows.index("Fenwick County Council person 0")
    assert "Fenwick Hospitals person" not in rows  # inside ties do not carry it
    assert "2 people carrying this partnership" in page


def test_carriers_by_sector(client, workspace, viewer, mapped):
    client.force_login(viewer)
    response = client.get(people_url(workspace, boundary="sector", a="nhs", b="local_government"))
    assert "Bridget Broker" in response.content.decode()


@pytest.mark.parametrize("query", [{"a": "x", "b": "y"}, {"a": "nhs"}, {}])
def test_unknown_pairs_are_404(client, workspace, viewer, mapped, query):
    client.force_login(viewer)
    assert client.get(people_url(workspace, **query)).status_code == 404


def test_another_workspaces_organisation_is_404(client, workspace, other_workspace, viewer, mapped):
    _, orgs = mapped
    theirs = OrganisationFactory(workspace=other_workspace, name="Elsewhere Trust")
    client.force_login(viewer)
    query = {"a": orgs["Fenwick Hospitals"].pk, "b": theirs.pk}
    assert client.get(people_url(workspace, **query)).status_code == 404


def test_carriers_need_membership(client, workspace, outsider, mapped):
    _, orgs = mapped
    query = {"a": orgs["Fenwick Hospitals"].pk, "b": orgs["Fenwick Carers"].pk}
    assert client.get(people_url(workspace, **query)).status_code == 302
    client.force_login(outsider)
    assert client.get(people_url(workspace, **query)).status_code == 404


def test_brokers_table_stacks_on_narrow_screens(client, workspace, viewer, mapped):
    client.force_login(viewer)
    page = client.get(url("brokers", workspace)).content.decode()
    assert "app-stack-table" in page and 'data-label="Broker score"' in page


def test_broker_groups_by_tier_are_in_tier_order(client, workspace, viewer, mapped):
    client.force_login(viewer)
    page = client.get(url("brokers", workspace, boundary="tier")).content.decode()
    options = page.split('id="group"')[1].split("</select>")[0]
    assert options.index("National") < options.index("Regional") < options.index("System")
    assert options.index("System") < options.index("Place") < options.index("Neighbourhood")


def test_ended_ties_do_not_carry_a_partnership(client, workspace, viewer, mapped):
    import datetime

    from stakeholders.models import Relationship

    _, orgs = mapped
    hospital, council = orgs["Fenwick Hospitals"].pk, orgs["Fenwick County Council"].pk
    ended = Relationship.objects.filter(source__name="Fenwick County Council person 0")
    assert ended.exists()
    ended.update(end_date=datetime.date(2020, 1, 1))
    Relationship.objects.filter(target__name="Fenwick County Council person 0").update(
        end_date=datetime.date(2020, 1, 1)
    )
    client.force_login(viewer)
    page = client.get(people_url(workspace, a=hospital, b=council)).content.decode()
    # The only tie across (Bridget Broker's, to person 0) ended in 2020: nobody carries it.
    assert "Bridget Broker" not in page
    assert "Fenwick County Council person 0" not in page
