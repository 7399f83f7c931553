"""The three GIS protocol clients against the sample services on loopback:
coordinates from each protocol in both axis-order conventions, paging past
server caps, and each fault of issue 6 (real HTTP, injected faults)."""

from __future__ import annotations

import json
import time

import pytest

from metropole_harvesters.gis.crs import UnknownCRS
from metropole_harvesters.gis.snapshot import SnapshotWriter
from metropole_harvesters.pipeline.http import HarvestHTTPError, make_session
from metropole_harvesters.protocols import arcgis_rest, ogcapi_features, wfs

from ..settings import FAST

POINTS = {"wfs": "metropole:points_apport_volontaire", "ogcapi": "points_apport_volontaire",
          "arcgis": "0"}
PAGES = {"wfs": "GetFeature", "ogcapi": "/items", "arcgis": "/query"}
CLIENTS = {"wfs": (wfs, "/gis/wfs"), "ogcapi": (ogcapi_features, "/gis/ogcapi"),
           "arcgis": (arcgis_rest, "/gis/arcgis/rest/services/Metropole/FeatureServer")}


@pytest.fixture(autouse=True)
def load_portal_plugins():
    """These tests use no CKAN action nor database: they override the
    project-wide autouse fixture so as not to load the portal's plugins
    (≈ 2.5 s a test)."""



def harvest(server, protocol: str, tmp_path, page_size: int = 25, layer_id: str | None = None
            ) -> tuple:
    module, path = CLIENTS[protocol]
    session = make_session(FAST, headers=ogcapi_features.ACCEPT if protocol == "ogcapi"
                           else None)
    layers = {la.id: la for la in module.list_layers(session, server.url + path)}
    layer = layers[layer_id or POINTS[protocol]]
    writer = SnapshotWriter(tmp_path, layer.bbox)
    seen: dict = {}
    try:
        for page in module.pages(session, layer, page_size, seen=seen):
            writer.add(page)
    except Exception:
        writer.abort()
        raise
    snapshot = writer.finish()
    return snapshot, json.loads(snapshot.geojson.read_text()), seen, layer


def vieux_port(collection: dict) -> list[float]:
    return next(f["geometry"]["coordinates"] for f in collection["features"]
                if f["properties"]["nom"] == "PAV Vieux-Port")


@pytest.mark.parametrize(("protocol", "setting", "value"), [
    ("wfs", "wfs_default_crs", "urn:ogc:def:crs:EPSG::2154"),       # Lambert-93 x, y
    ("wfs", "wfs_default_crs", "urn:ogc:def:crs:EPSG::4326"),       # WFS 2.0: lat, lon
    ("wfs", "wfs_default_crs", "EPSG:4326"),                        # GeoServer short: lon, lat
    ("ogcapi", "ogc_storage_crs", "http://www.opengis.net/def/crs/EPSG/0/2154"),
    ("ogcapi", "ogc_storage_crs", "http://www.opengis.net/def/crs/EPSG/0/4326"),  # lat, lon
    ("ogcapi", "ogc_storage_crs", None),                            # CRS84 lon, lat
    ("arcgis", "arcgis_wkid", 102110),                              # Esri Lambert-93
    ("arcgis", "arcgis_wkid", 4326),
])
def test_vieux_port_from_each_protocol_and_axis_order(gis, tmp_path, protocol, setting,
                                                       value):
    setattr(gis.app, setting, value)
    snapshot, collection, _, _ = harvest(gis, protocol, tmp_path)
    lon, lat = vieux_port(collection)
    assert lon == pytest.approx(5.374, abs=1e-5) and lat == pytest.approx(43.295, abs=1e-5)
    assert snapshot.count == 60 and snapshot.warnings == []


@pytest.mark.parametrize("protocol", ["wfs", "ogcapi", "arcgis"])
def test_layer_larger_than_any_page_and_a_server_capping_page_size(gis, tmp_path, protocol):
    gis.app.max_page = 7                  # CountDefault / max_items / maxRecordCount
    gis.requests.clear()
    snapshot, collection, _, _ = harvest(gis, protocol, tmp_path, page_size=50)
    ids = [f["id"] for f in collection["features"]]
    assert snapshot.count == 60 and len(set(ids)) == 60
    pages = [r for r in gis.requests if "GetFeature" in r or "/items" in r or "/query" in r]
    assert 9 <= len(pages) <= 10          # 60 / 7 → 9 pages (+1 probe at most)


@pytest.mark.parametrize("protocol", ["wfs", "ogcapi"])
@pytest.mark.parametrize("claimed", [5, 1000])
def test_a_server_lying_about_number_matched_is_paged_to_the_end(gis, tmp_path, protocol,
                                                                  claimed):
    gis.app.lie_number_matched = claimed
    snapshot, _, seen, _ = harvest(gis, protocol, tmp_path, page_size=25)
    assert snapshot.count == 60 and seen["number_matched"] == claimed


def test_wfs_falls_back_to_1_1_0(gis, tmp_path):
    gis.app.wfs_versions = ("1.1.0",)
    snapshot, collection, _, layer = harvest(gis, "wfs", tmp_path)
    assert layer.protocol["version"] == "1.1.0"
    assert any("maxFeatures=25" in r and "version=1.1.0" in r for r in gis.requests)
    lon, lat = vieux_port(collection)
    assert (lon, lat) == pytest.approx((5.374, 43.295), abs=1e-5)


def test_wfs_requests_the_configured_url_not_the_capabilities_dcp(gis, tmp_path):
    harvest(gis, "wfs", tmp_path)          # capabilities advertise sig-interne.metropole.local
    assert any("GetFeature" in r for r in gis.requests)


def test_wfs_layers_get_a_wms_preview_link_only_when_the_wms_answers(gis, session):
    layers = wfs.list_layers(session, gis.url + "/gis/wfs")
    assert layers[0].previews == [{"url": gis.url + "/gis/wms?service=WMS&request="
                                   "GetCapabilities&layers=metropole:points_apport_volontaire",
                                   "format": "WMS"}]
    gis.app.wms = False
    assert all(la.previews == [] for la in wfs.list_layers(session, gis.url + "/gis/wfs"))


def test_wfs_exception_report_is_reported_with_its_code_only(gis, tmp_path):
    report = (b'<?xml version="1.0"?><ows:ExceptionReport xmlns:ows="http://www.opengis.net/'
              b'ows/1.1" version="2.0.0"><ows:Exception exceptionCode="NoApplicableCode">'
              b"<ows:ExceptionText>java.lang.OutOfMemoryError</ows:ExceptionText>"
              b"</ows:Exception></ows:ExceptionReport>")
    gis.add_fault("GetFeature", "status", status=200, body=report, times=None)
    with pytest.raises(HarvestHTTPError, match="OWS exception NoApplicableCode") as raised:
        harvest(gis, "wfs", tmp_path)
    assert "OutOfMemoryError" not in str(raised.value)


def test_wfs_unknown_type_name_gives_the_400_exception_code(gis, session):
    layer = wfs.list_layers(session, gis.url + "/gis/wfs")[0]
    layer.name = "metropole:nope"
    with pytest.raises(HarvestHTTPError, match="400.*InvalidParameterValue") as raised:
        list(wfs.pages(session, layer, 10))
    assert "Feature type" not in str(raised.value)


def test_arcgis_error_with_http_200(gis, tmp_path):
    gis.add_fault("/query", "status", status=200, times=None,
                  body={"error": {"code": 498, "message": "Invalid token.", "details": []}})
    with pytest.raises(HarvestHTTPError, match="ArcGIS error 498") as raised:
        harvest(gis, "arcgis", tmp_path)
    assert "Invalid token" not in str(raised.value)


def test_arcgis_recorded_error_shapes(session):
    from pathlib import Path

    errors = json.loads((Path(__file__).parents[2] / "fixtures" / "gis" /
                         "arcgis_4_errors.json").read_text())
    for body in errors.values():
        with pytest.raises(HarvestHTTPError, match="ArcGIS error"):
            arcgis_rest.check(body, "http://x")


@pytest.mark.parametrize("protocol", ["wfs", "ogcapi", "arcgis"])
def test_5xx_and_429_are_retried(gis, tmp_path, protocol):
    gis.add_fault("offset=25" if protocol == "ogcapi" else "Offset=25" if protocol == "arcgis"
                  else "startIndex=25", "status", status=503, times=1)
    gis.add_fault("limit=25" if protocol == "ogcapi" else "RecordCount=25"
                  if protocol == "arcgis" else "count=25", "status", status=429,
                  retry_after="0", times=1)
    snapshot, _, _, _ = harvest(gis, protocol, tmp_path)
    assert snapshot.count == 60


def test_5xx_past_the_retries_fails_and_leaves_no_file(gis, tmp_path):
    for protocol, page in PAGES.items():
        gis.clear_faults()
        gis.add_fault(page, "status", status=500, times=None)
        with pytest.raises(HarvestHTTPError, match="500"):
            harvest(gis, protocol, tmp_path)
        assert list(tmp_path.iterdir()) == []


def test_no_request_hangs(gis, tmp_path):
    gis.add_fault("GetFeature", "delay", delay=3.5, times=None)   # read timeout is 2 s
    started = time.monotonic()
    with pytest.raises(HarvestHTTPError, match="timeout"):
        harvest(gis, "wfs", tmp_path)
    assert time.monotonic() - started < 20


def test_truncated_geojson(gis, tmp_path):
    for protocol, page in PAGES.items():
        gis.clear_faults()
        gis.add_fault(page, "truncate", times=None)
        with pytest.raises(HarvestHTTPError, match="truncated"):
            harvest(gis, protocol, tmp_path)


def test_gml_instead_of_geojson_is_refused(gis, tmp_path):
    gis.add_fault("GetFeature", "status", status=200, times=None,
                  body=b'<?xml version="1.0"?><wfs:FeatureCollection xmlns:wfs="http://www.'
                       b'opengis.net/wfs/2.0"><wfs:member><metropole:pav><gml:pos>43.2')
    with pytest.raises(HarvestHTTPError, match="invalid or truncated JSON"):
        harvest(gis, "wfs", tmp_path)


def test_unknown_crs(gis, tmp_path):
    gis.app.unknown_crs = True
    for protocol in PAGES:
        with pytest.raises(UnknownCRS, match="999999"):
            harvest(gis, protocol, tmp_path)


def test_coordinates_outside_the_declared_extent_are_kept_and_reported(gis, tmp_path):
    gis.app.out_of_extent = True
    for protocol in PAGES:
        snapshot, collection, _, _ = harvest(gis, protocol, tmp_path)
        assert snapshot.count == 61 and snapshot.issues.outside_extent == 1, protocol
        far = collection["features"][-1]["geometry"]["coordinates"]
        assert far == pytest.approx([7.75, 48.58], abs=1e-5)    # Strasbourg, as served
        snapshot.discard()


def test_wfs_attribute_filter_and_layer_patterns(gis, tmp_path, session):
    from metropole_harvesters.gis.model import selected

    layers = wfs.list_layers(session, gis.url + "/gis/wfs")
    kept = [la.id for la in layers if selected(la, ["metropole:*"], ["*zones*", "Parcs*"])]
    assert kept == ["metropole:points_apport_volontaire", "metropole:pistes_cyclables"]
    features = [f for page in wfs.pages(session, layers[0], 100, equals={"flux": "verre"})
                for f in page.features]
    assert features and all(f["properties"]["flux"] == "verre" for f in features)


def test_arcgis_mapserver_layers_and_their_preview_link(gis, session, tmp_path):
    layers = arcgis_rest.list_layers(
        session, gis.url + "/gis/arcgis/rest/services/Metropole/MapServer")
    assert [la.title for la in layers][:2] == ["Points d'apport volontaire",
                                               "Aménagements cyclables"]
    assert layers[0].crs == "EPSG:2154"                       # wkid 102110 → latestWkid
    assert layers[0].previews == [{"url": layers[0].service_url.rsplit("/", 1)[0]
                                   + "/export?layers=show:0", "format": "ArcGIS MapServer"}]
    assert layers[2].temporal == ("2017-06-01", "2024-12-31")    # timeInfo.timeExtent
    w, s, e, n = layers[0].bbox
    assert 5.1 < w < 5.3 and 43.5 < n < 43.7


@pytest.mark.parametrize(("geojson", "pagination"), [(False, True), (True, False),
                                                      (False, False)])
def test_arcgis_without_geojson_or_pagination(gis, tmp_path, geojson, pagination):
    gis.app.arcgis_geojson, gis.app.arcgis_pagination = geojson, pagination
    gis.app.max_page = 7
    for layer_id in ("0", "2"):                # points, and polygons with a bow-tie
        snapshot, collection, _, _ = harvest(gis, "arcgis", tmp_path, layer_id=layer_id)
        ids = [f["id"] for f in collection["features"]]
        assert len(ids) == len(set(ids)) == snapshot.count == (60 if layer_id == "0" else 13)
        if layer_id == "0":
            lon, lat = vieux_port(collection)
            assert (lon, lat) == pytest.approx((5.374, 43.295), abs=1e-5)
        else:
            assert snapshot.issues.repaired == 1
            assert collection["features"][0]["geometry"]["type"] == "Polygon"
        snapshot.discard()


def test_esri_polygon_rings_outer_clockwise_holes_inside():
    outer = [[0, 0], [0, 10], [10, 10], [10, 0], [0, 0]]          # clockwise
    hole = [[2, 2], [4, 2], [4, 4], [2, 4], [2, 2]]               # counter-clockwise
    other = [[20, 0], [20, 5], [25, 5], [25, 0], [20, 0]]
    geometry = arcgis_rest.esri_geometry({"rings": [outer, hole, other]}, "")
    assert geometry == {"type": "MultiPolygon", "coordinates": [[outer, hole], [other]]}
    assert arcgis_rest.esri_geometry({"x": "NaN", "y": "NaN"}, "") is None
    assert arcgis_rest.esri_geometry({"paths": [[[0, 0], [1, 1]]]}, "")["type"] == "LineString"
