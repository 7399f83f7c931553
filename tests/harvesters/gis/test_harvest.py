"""GIS harvesters end to end under CKAN: sample services → one dataset per
layer with a WGS84 GeoJSON snapshot, a CSV and the live service (issue 6:
publishing, change detection, withdrawal, renames, failures)."""

from __future__ import annotations

import csv
import io
import json

import pytest
from ckan.lib.uploader import get_resource_uploader
from ckan.tests import factories
from ckan.tests.helpers import call_action

from metropole_harvesters.arcgis_rest import ArcGisRestHarvester
from metropole_harvesters.gis import dataset as gis_dataset
from metropole_harvesters.ogcapi_features import OgcApiFeaturesHarvester
from metropole_harvesters.wfs import WfsHarvester

from ..ckan_harvest import NEEDS_INDEX, _configured_plugins, communes, run_job

# Only the harvester plugins portal.ini does not enable already (loading a
# plugin twice fails), as tests/harvesters/ckan_harvest.py does.
GIS_HARVESTERS = pytest.mark.with_plugins({
    name: plugin for name, plugin in (
        ("wfs_harvester", WfsHarvester), ("ogcapi_features_harvester", OgcApiFeaturesHarvester),
        ("arcgis_rest_harvester", ArcGisRestHarvester))
    if name not in _configured_plugins()})
pytestmark = [NEEDS_INDEX, GIS_HARVESTERS,
              pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")]

CONFIG = {"schedule": "30 2 * * *", "retries": 1, "timeout": 5, "page_size": 25,
          "themes": ["reference-sig"], "withdraw_after": 2}
PATHS = {"wfs": "/gis/wfs", "ogcapi-features": "/gis/ogcapi",
         "arcgis-rest": "/gis/arcgis/rest/services/Metropole/FeatureServer"}


def _source(server, source_type: str = "wfs", config: dict | None = None) -> dict:
    org = communes()
    sysadmin = factories.Sysadmin()["name"]
    return call_action("harvest_source_create", {"ignore_auth": True, "user": sysadmin},
                       name=f"sig-{source_type}", title="SIG démo", url=server.url
                       + PATHS[source_type], source_type=source_type, owner_org=org["id"],
                       config=json.dumps({**CONFIG, **(config or {})}))


def _layer_datasets(source_name: str) -> dict[str, dict]:
    found = call_action("package_search", q=f"name:{source_name}-*", rows=100,
                        include_private=True)["results"]
    return {p["name"]: call_action("package_show", id=p["id"]) for p in found}


def _resource(package: dict, name: str) -> dict:
    return next(r for r in package["resources"] if r["name"] == name)


def _file(resource: dict) -> bytes:
    path = get_resource_uploader(resource).get_path(resource["id"])
    with open(path, "rb") as handle:
        return handle.read()


def _vieux_port(package: dict) -> list[float]:
    snapshot = json.loads(_file(_resource(package, gis_dataset.GEOJSON)))
    return next(f["geometry"]["coordinates"] for f in snapshot["features"]
                if f["properties"]["nom"] == "PAV Vieux-Port")


def test_wfs_publishes_one_dataset_per_layer(gis):
    source = _source(gis)
    run = run_job(source["id"])
    assert run["gather_errors"] == []
    assert set(run["states"]) == {f"metropole:{n}" for n in (
        "points_apport_volontaire", "pistes_cyclables", "zones_inondables", "parcs_jardins")}
    assert all(s == "COMPLETE" for s in run["states"].values()), run
    datasets = _layer_datasets("sig-wfs")
    points = datasets["sig-wfs-metropole-points-apport-volontaire"]
    assert points["title"] == "Points d'apport volontaire"
    assert points["notes"].startswith("Colonnes de tri")
    assert "60 entité(s)" in points["notes"] and "EPSG:2154" in points["notes"]
    assert points["themes"] == ["reference-sig"] and points["license_id"] == "etalab-2.0"
    assert points["communes"] == ["13001", "13055"]          # Marseille and Aix features
    assert points["frequency"].endswith("/DAILY")
    assert json.loads(points["spatial"])["type"] == "Polygon"
    # Map search finds the layers by their extent (ckanext-spatial's ext_bbox).
    found = call_action("package_search", extras={"ext_bbox": "5.36,43.28,5.39,43.31"},
                        rows=100)["results"]
    assert "sig-wfs-metropole-points-apport-volontaire" in {p["name"] for p in found}
    far = call_action("package_search", extras={"ext_bbox": "2.2,48.8,2.4,48.9"})
    assert far["count"] == 0                                   # Paris: nothing
    # The source's page lists its datasets (ckanext-harvest searches by source id).
    listed = call_action("package_search", fq=f'harvest_source_id:"{source["id"]}"', rows=100)
    assert {p["name"] for p in listed["results"]} == set(datasets)
    assert {t["name"] for t in points["tags"]} >= {"sig", "déchets"}
    names = sorted(r["name"] for r in points["resources"])
    assert names == sorted([gis_dataset.SERVICE, gis_dataset.GEOJSON, gis_dataset.CSV,
                            gis_dataset.PREVIEW])
    assert _resource(points, gis_dataset.PREVIEW)["format"] == "WMS"
    service = _resource(points, gis_dataset.SERVICE)
    assert service["format"] == "WFS" and "request=GetCapabilities" in service["url"]
    snapshot = _resource(points, gis_dataset.GEOJSON)
    assert snapshot["update_mode"] == "harvested"
    assert snapshot["source_id"] == "metropole:points_apport_volontaire"
    assert snapshot["source_url"] == source["url"] and snapshot["last_harvest"]
    # RFC 7946: lon, lat in WGS84 — Vieux-Port given in Lambert-93 lands there.
    lon, lat = _vieux_port(points)
    assert lon == pytest.approx(5.374, abs=1e-5) and lat == pytest.approx(43.295, abs=1e-5)
    table = list(csv.DictReader(io.StringIO(_file(_resource(points, gis_dataset.CSV))
                                            .decode())))
    assert len(table) == 60 and table[0]["nom"] == "PAV Vieux-Port"
    assert table[0]["id"] == "points_apport_volontaire.1"
    # The bow-tie flood zone was repaired, and the job and resource say so.
    floods = datasets["sig-wfs-metropole-zones-inondables"]
    assert "1 géométrie(s) invalide(s) réparée(s)" in \
        _resource(floods, gis_dataset.GEOJSON)["description"]
    assert any("1 geometries repaired" in e and "Self-intersection" in e
               for e in run["object_errors"]["metropole:zones_inondables"])


def test_second_run_on_unchanged_service_changes_nothing(gis):
    source = _source(gis)
    run_job(source["id"])
    before = _layer_datasets("sig-wfs")
    files = {n: _file(_resource(p, gis_dataset.GEOJSON)) for n, p in before.items()}
    run = run_job(source["id"])
    assert all(s == "COMPLETE" for s in run["states"].values())
    after = _layer_datasets("sig-wfs")
    for name, package in after.items():
        assert package["metadata_modified"] == before[name]["metadata_modified"], name
        for resource in package["resources"]:
            old = _resource(before[name], resource["name"])
            assert resource["last_modified"] == old["last_modified"]
            assert resource["hash"] == old["hash"]
        assert _file(_resource(package, gis_dataset.GEOJSON)) == files[name]
    # A changed attribute rewrites that layer only.
    gis.app.edits["parcs_jardins"] = {"horaires": "7h-20h"}
    run_job(source["id"])
    final = _layer_datasets("sig-wfs")
    changed = [n for n, p in final.items()
               if p["metadata_modified"] != after[n]["metadata_modified"]]
    assert changed == ["sig-wfs-metropole-parcs-jardins"]
    assert b"7h-20h" in _file(_resource(final[changed[0]], gis_dataset.GEOJSON))


def test_failure_mid_layer_keeps_the_published_snapshot_and_next_run_recovers(gis):
    source = _source(gis)
    run_job(source["id"])
    name = "sig-wfs-metropole-points-apport-volontaire"
    published = _file(_resource(_layer_datasets("sig-wfs")[name], gis_dataset.GEOJSON))
    gis.app.edits["points_apport_volontaire"] = {"volume_m3": 5}
    # Page 2 of the points layer answers 503 past the retries, then a truncated body.
    gis.add_fault("points_apport_volontaire&outputFormat=application%2Fjson&srsName="
                  "urn%3Aogc%3Adef%3Acrs%3AEPSG%3A%3A2154&count=25&startIndex=25",
                  "status", status=503, times=2)
    run = run_job(source["id"])
    errors = run["object_errors"]["metropole:points_apport_volontaire"]
    assert run["states"]["metropole:points_apport_volontaire"] == "ERROR"
    assert any("503" in e and "unchanged" in e for e in errors), errors
    assert run["states"]["metropole:parcs_jardins"] == "COMPLETE"   # others go on
    package = _layer_datasets("sig-wfs")[name]
    assert _file(_resource(package, gis_dataset.GEOJSON)) == published
    gis.clear_faults()
    gis.add_fault("points_apport_volontaire&outputFormat", "truncate", times=1)
    run = run_job(source["id"])
    assert any("truncated" in e for e in run["object_errors"][
        "metropole:points_apport_volontaire"])
    assert _file(_resource(_layer_datasets("sig-wfs")[name], gis_dataset.GEOJSON)) == published
    run = run_job(source["id"])                 # the service is fine again: recovered
    assert run["states"]["metropole:points_apport_volontaire"] == "COMPLETE"
    recovered = _file(_resource(_layer_datasets("sig-wfs")[name], gis_dataset.GEOJSON))
    assert recovered != published and b'"volume_m3":5' in recovered


def test_vanished_layer_is_withdrawn_after_n_absences_never_deleted(gis):
    source = _source(gis)
    run_job(source["id"])
    name = "sig-wfs-metropole-parcs-jardins"
    gis.app.removed.add("parcs_jardins")
    run = run_job(source["id"])
    assert any("absent from the service (1/2)" in e
               for e in run["object_errors"]["metropole:parcs_jardins"])
    assert _layer_datasets("sig-wfs")[name]["private"] is False
    run = run_job(source["id"])
    package = _layer_datasets("sig-wfs")[name]
    assert package["private"] is True and package["state"] == "active"
    assert package["notes"].startswith("**Couche retirée**")
    assert _file(_resource(package, gis_dataset.GEOJSON))      # data kept
    gis.app.removed.clear()                                      # it comes back
    run_job(source["id"])
    package = _layer_datasets("sig-wfs")[name]
    assert package["private"] is False and "retirée" not in package["notes"]


def test_arcgis_renamed_layer_keeps_its_dataset(gis):
    gis.app.max_page = 7                     # maxRecordCount below our page size
    source = _source(gis, "arcgis-rest")
    run = run_job(source["id"])
    assert all(s == "COMPLETE" for s in run["states"].values()), run
    datasets = _layer_datasets("sig-arcgis-rest")
    assert set(datasets) == {f"sig-arcgis-rest-{i}" for i in range(4)}
    points = datasets["sig-arcgis-rest-0"]
    lon, lat = _vieux_port(points)
    assert lon == pytest.approx(5.374, abs=1e-5) and lat == pytest.approx(43.295, abs=1e-5)
    assert "60 entité(s)" in points["notes"]
    gis.app.renamed["points_apport_volontaire"] = "Colonnes de tri"
    run_job(source["id"])
    datasets = _layer_datasets("sig-arcgis-rest")
    assert len(datasets) == 4
    assert datasets["sig-arcgis-rest-0"]["title"] == "Colonnes de tri"
    assert datasets["sig-arcgis-rest-0"]["id"] == points["id"]


def test_ogcapi_features_with_temporal_extent(gis):
    source = _source(gis, "ogcapi-features")
    run = run_job(source["id"])
    assert all(s == "COMPLETE" for s in run["states"].values()), run
    datasets = _layer_datasets("sig-ogcapi-features")
    floods = datasets["sig-ogcapi-features-zones-inondables"]
    assert floods["temporal_coverage"] == [{"start": "2017-06-01", "end": "2024-12-31"}]
    assert _resource(floods, gis_dataset.SERVICE)["format"] == "OGC API Features"
    lon, lat = _vieux_port(datasets["sig-ogcapi-features-points-apport-volontaire"])
    assert lon == pytest.approx(5.374, abs=1e-5) and lat == pytest.approx(43.295, abs=1e-5)
    second = run_job(source["id"])
    assert all(s == "COMPLETE" for s in second["states"].values())
    again = _layer_datasets("sig-ogcapi-features")
    assert {n: p["metadata_modified"] for n, p in again.items()} == \
        {n: p["metadata_modified"] for n, p in datasets.items()}


def test_config_is_validated_on_save(gis):
    org = communes()
    with pytest.raises(Exception) as error:
        call_action("harvest_source_create", {"ignore_auth": True,
                                              "user": factories.Sysadmin()["name"]},
                    name="sig-bad", title="bad", url=gis.url + "/gis/wfs", source_type="wfs",
                    owner_org=org["id"], config=json.dumps({
                        "schedule": "every night", "include": "voirie:*",
                        "output_crs": "EPSG:2154", "themes": ["nope"]}))
    message = str(error.value)
    for key in ("schedule", "include", "output_crs", "themes"):
        assert key in message


def test_communes_from_the_real_commune_shapes_of_the_metropole(gis):
    """Aix-Marseille-Provence's 92 communes loaded (IGN shapes): each layer's
    communes are those its features intersect."""
    from ckanext.metropole.communes import loader
    from metropole_core import commune_registry as registry

    loader.load_epci("200054807")
    registry.clear()
    sysadmin = factories.Sysadmin()["name"]
    source = call_action("harvest_source_create", {"ignore_auth": True, "user": sysadmin},
                         name="sig-wfs", title="SIG", url=gis.url + "/gis/wfs",
                         source_type="wfs", owner_org=registry.communes()["13055"].org_name,
                         config=json.dumps({**CONFIG, "include": ["*parcs*", "*apport*"]}))
    run = run_job(source["id"])
    assert all(s == "COMPLETE" for s in run["states"].values()), run
    datasets = _layer_datasets("sig-wfs")
    points = datasets["sig-wfs-metropole-points-apport-volontaire"]["communes"]
    assert {"13055", "13001", "13005"} <= set(points)          # Marseille, Aix, Aubagne
    parks = datasets["sig-wfs-metropole-parcs-jardins"]["communes"]
    assert parks == ["13001", "13055"]


def test_service_down_is_a_gather_error_and_counts_no_absence(gis):
    source = _source(gis, config={"withdraw_after": 1})
    run_job(source["id"])
    before = _layer_datasets("sig-wfs")
    gis.add_fault("GetCapabilities", "status", status=502, times=None)
    run = run_job(source["id"])
    assert any("Cannot list the layers" in e and "502" in e for e in run["gather_errors"])
    assert run["states"] == {}
    after = _layer_datasets("sig-wfs")          # nothing withdrawn, nothing rewritten
    assert {n: (p["private"], p["metadata_modified"]) for n, p in after.items()} == \
        {n: (p["private"], p["metadata_modified"]) for n, p in before.items()}
