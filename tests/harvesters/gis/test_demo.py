"""The demo's GIS sources on the full sample server (``make run``'s
acceptance: layer datasets found by map search, GeoJSON resources)."""

from __future__ import annotations

import json

import pytest
from ckan.tests.helpers import call_action

from metropole_harvesters.demo import ensure_demo_sources
from metropole_harvesters.gis import dataset as gis_dataset

from ..ckan_harvest import NEEDS_INDEX, communes, run_job
from .test_harvest import GIS_HARVESTERS

pytestmark = [NEEDS_INDEX, GIS_HARVESTERS,
              pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")]


def test_demo_gis_sources_publish_layers_found_by_map_search(samples):
    org = communes()
    site_user = call_action("get_site_user", context={"ignore_auth": True})
    context = {"user": site_user["name"], "ignore_auth": True}
    ensure_demo_sources(context, samples.url, org["id"])
    names = ("sig-metropole-wfs", "sig-metropole-ogcapi", "sig-metropole-arcgis")
    for name in names:
        source = call_action("harvest_source_show", id=name)
        assert json.loads(source["config"])["schedule"].endswith("2 * * *")   # nightly
        run = run_job(source["id"])
        assert run["gather_errors"] == [] and run["states"], (name, run)
        assert all(s == "COMPLETE" for s in run["states"].values()), (name, run)
    found = call_action("package_search", extras={"ext_bbox": "5.3,43.2,5.5,43.35"},
                        rows=100)["results"]
    layers = {p["name"] for p in found if p["name"].startswith("sig-metropole-")}
    assert {"sig-metropole-wfs-metropole-parcs-jardins", "sig-metropole-ogcapi-zones-inondables",
            "sig-metropole-arcgis-1"} <= layers
    package = call_action("package_show", id="sig-metropole-arcgis-1")
    snapshot = next(r for r in package["resources"] if r["name"] == gis_dataset.GEOJSON)
    assert snapshot["format"] == "GeoJSON" and snapshot["url"].endswith(".geojson")
