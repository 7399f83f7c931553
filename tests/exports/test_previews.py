"""What the resource page of a DataStore table offers: the table preview,
a map preview when the table has positions, and a link to each export."""

from __future__ import annotations

import contextlib
import re

import pytest
from ckan.plugins.toolkit import ObjectNotFound

from ..helpers import api, dataset_fields
from .conftest import table

pytestmark = pytest.mark.usefixtures("catalogue")


def view_types(rid: str) -> dict[str, dict]:
    return {view["view_type"]: view for view in api("resource_view_list", id=rid)}


def test_a_table_with_positions_gets_table_and_map_previews_and_export_links(app, counts):
    dataset, rid = counts
    views = view_types(rid)
    assert {"datatables_view", "metropole_table_map"} <= set(views)

    page = app.get(f"/dataset/{dataset['name']}/resource/{rid}").get_data(as_text=True)
    assert "Exporter la table" in page
    links = dict(re.findall(r'href="([^"]+)" data-export-format="[^"]+" download>([^<]+)<', page))
    assert links == {
        f"/datastore/export/{rid}/csv": "CSV",
        f"/datastore/export/{rid}/csv-excel-fr": "CSV pour Excel (France, « ; »)",
        f"/datastore/export/{rid}/json": "JSON",
        f"/datastore/export/{rid}/xlsx": "Excel (XLSX)",
        f"/datastore/export/{rid}/parquet": "Parquet",
        f"/datastore/export/{rid}/geojson": "GeoJSON",
    }
    for url in links:   # each link downloads
        assert app.get(url).status_code == 200, url

    # The map draws the GeoJSON export (with the reader's rights), through
    # ckanext-geoview's viewer.
    map_view = views["metropole_table_map"]
    frame = app.get(f"/dataset/{dataset['name']}/resource/{rid}/view/{map_view['id']}")
    html = frame.get_data(as_text=True)
    assert 'data-module="geojsonpreview"' in html
    assert f"/datastore/export/{rid}/geojson?limit=5000" in html


def test_a_table_without_positions_has_no_map_and_a_file_no_export(app):
    dataset, rid = table(rows=[{"nom": "Banc"}], fields=[{"id": "nom", "type": "text"}])
    views = view_types(rid)
    assert "datatables_view" in views and "metropole_table_map" not in views
    page = app.get(f"/dataset/{dataset['name']}/resource/{rid}").get_data(as_text=True)
    assert f"/datastore/export/{rid}/parquet" in page
    assert f"/datastore/export/{rid}/geojson" not in page

    # A file without table: no export.
    dataset = api("package_create", **dataset_fields(
        resources=[{"url": "https://example.org/bancs.csv", "format": "CSV", "name": "Bancs"}]))
    resource = dataset["resources"][0]
    page = app.get(f"/dataset/{dataset['name']}/resource/{resource['id']}").get_data(as_text=True)
    assert "Exporter la table" not in page and "/datastore/export/" not in page


def test_the_demo_start_gives_older_demo_tables_their_map(app):
    from ckanext.metropole.demo.content import DEMO_DATASETS
    from ckanext.metropole.exports.demo import add_table_previews

    name = next(spec["name"] for spec in DEMO_DATASETS if spec.get("file"))
    with contextlib.suppress(ObjectNotFound):   # not there yet, as on a first run
        api("dataset_purge", id=name)
    dataset, rid = table(name=name)
    api("resource_view_delete", id=view_types(rid)["metropole_table_map"]["id"])
    site_user = api("get_site_user")
    assert add_table_previews({"user": site_user["name"], "ignore_auth": True}) == 1
    assert "metropole_table_map" in view_types(rid)
