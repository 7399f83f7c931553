"""What a reader sees on a dataset page: the charter block, the communes
covered with their map, and, for sensor data, whether it is late."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from urllib.parse import urljoin, urlsplit

import pytest
from lxml import html as lxml_html

from ..helpers import AIX, MARSEILLE, api, dataset_fields

pytestmark = pytest.mark.usefixtures("catalogue")
HOURLY = "http://publications.europa.eu/resource/authority/frequency/HOURLY"


def page_of(app, dataset: dict) -> str:
    return app.get(f"/dataset/{dataset['name']}").get_data(as_text=True)


def test_the_charter_block_states_licence_access_and_conditions(app):
    dataset = api("package_create", **dataset_fields(
        license_id="odc-odbl", reuse_conditions="Citer la Métropole.",
        communes=[MARSEILLE, AIX]))
    html = page_of(app, dataset)
    assert "Conditions de réutilisation" in html
    assert 'href="https://opendatacommons.org/licenses/odbl/1-0/" rel="license"' in html
    assert "Ouvert à tous" in html and "Citer la Métropole." in html
    # The communes covered, named, with the map of their extent.
    assert "Communes couvertes" in html and "Aix-en-Provence, Marseille" in html
    assert 'data-module="dataset-map"' in html


@pytest.mark.parametrize("hours_ago,badge", [(0.2, "À jour"), (5, "En retard")])
def test_sensor_data_older_than_its_frequency_allows_shows_as_late(app, hours_ago, badge):
    latest = datetime.now(timezone.utc) - timedelta(hours=hours_ago)
    dataset = api("package_create", **dataset_fields(
        frequency=HOURLY, latest_observation=latest.isoformat(timespec="seconds")))
    html = page_of(app, dataset)
    assert badge in html and "Dernière observation" in html


def test_static_data_has_no_freshness_badge(app):
    html = page_of(app, api("package_create", **dataset_fields()))
    assert "En retard" not in html and "À jour" not in html


def test_geojson_resources_get_a_map_preview_served_by_the_portal(app, ckan_config):
    # Files the portal hosts (harvested snapshots are uploads): previews
    # never make the browser fetch another site's data.
    hosted = ckan_config["ckan.site_url"] + "/pistes-cyclables.geojson"
    dataset = api("package_create", **dataset_fields(resources=[{
        "url": hosted, "format": "GeoJSON",
        "name": "Pistes cyclables (GeoJSON)"}]))
    resource = dataset["resources"][0]
    views = api("resource_view_list", id=resource["id"])
    geojson = [v for v in views if v["view_type"] == "geojson_view"]
    assert geojson, views
    html = app.get(f"/dataset/{dataset['name']}/resource/{resource['id']}"
                   f"/view/{geojson[0]['id']}").get_data(as_text=True)
    assert 'data-module="geojsonpreview"' in html
    # Leaflet and everything else the page loads come from the portal, never
    # from a CDN: no host but the portal's in any address the page loads
    # (the browser tests also watch every request their pages make).
    assert _loaded_from_elsewhere(html, ckan_config["ckan.site_url"]) == []


def _loaded_from_elsewhere(html: str, site_url: str) -> list[str]:
    tree = lxml_html.fromstring(html)
    addresses = tree.xpath("//script/@src | //img/@src | //iframe/@src | //source/@src"
                           " | //link[not(@rel='canonical' or @rel='alternate')]/@href")
    portal = urlsplit(site_url).netloc
    return [address for address in addresses
            if urlsplit(urljoin(site_url + "/", address)).netloc != portal]
