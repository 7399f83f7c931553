"""Reprojection, axis order and the invalid-geometry rule, on known points
and on real recorded payloads (tests/fixtures/gis, sources in *.src.txt)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from metropole_harvesters.gis.crs import CrsRef, UnknownCRS, axis_swap, epsg_label
from metropole_harvesters.gis.geometry import Issues, Page, reproject
from metropole_harvesters.gis.snapshot import SnapshotWriter

FIXTURES = Path(__file__).parents[2] / "fixtures" / "gis"
VIEUX_PORT_L93 = (892736.10, 6246878.83)      # 5.374°E 43.295°N in Lambert-93
MARSEILLE = (5.2, 43.15, 5.65, 43.62)


@pytest.fixture(autouse=True)
def load_portal_plugins():
    """These tests use no CKAN action nor database: they override the
    project-wide autouse fixture so as not to load the portal's plugins
    (≈ 2.5 s a test)."""



def _point(x: float, y: float, fid: str = "p") -> dict:
    return {"type": "Feature", "id": fid, "geometry": {"type": "Point", "coordinates": [x, y]},
            "properties": {}}


CONVENTIONS = [
    ("EPSG:2154", VIEUX_PORT_L93),
    ("urn:ogc:def:crs:EPSG::2154", VIEUX_PORT_L93),         # easting first in EPSG too
    ("ESRI:102110", VIEUX_PORT_L93),                          # ArcGIS wkid for Lambert-93
    ("EPSG:4326", (5.374, 43.295)),                           # short form: lon, lat
    ("urn:ogc:def:crs:EPSG::4326", (43.295, 5.374)),         # URN: lat, lon (WFS 2.0)
    ("http://www.opengis.net/def/crs/EPSG/0/4326", (43.295, 5.374)),  # OGC API Part 2
    ("http://www.opengis.net/def/crs/OGC/1.3/CRS84", (5.374, 43.295)),
]


def test_vieux_port_lands_at_its_wgs84_position_in_every_convention():
    for crs, coordinates in CONVENTIONS:
        features, geometries = reproject(Page([_point(*coordinates)], CrsRef.parse(crs)),
                                         Issues())
        assert len(features) == 1, crs
        assert geometries[0].x == pytest.approx(5.374, abs=1e-6), crs
        assert geometries[0].y == pytest.approx(43.295, abs=1e-6), crs


def test_esri_spatial_reference_uses_latest_wkid():
    assert CrsRef.esri({"wkid": 102110, "latestWkid": 2154}).name == "EPSG:2154"
    assert CrsRef.esri({"wkid": 102110}).name == "ESRI:102110"
    assert epsg_label(CrsRef.esri({"wkid": 102110})) == "EPSG:2154"
    assert axis_swap(CrsRef.parse("urn:ogc:def:crs:EPSG::4326"))
    assert not axis_swap(CrsRef.parse("EPSG:4326"))


def test_recorded_geoserver_lambert93_answer_lands_in_brittany():
    body = json.loads((FIXTURES / "wfs_4_getfeature_geoserver_json_lambert93.json").read_text())
    crs = CrsRef.parse(body["crs"]["properties"]["name"])
    _, geometries = reproject(Page(body["features"], crs), Issues())
    w, s, e, n = geometries[0].bounds
    assert -4.8 < w < e < -4.3 and 48.4 < s < n < 48.8      # Vougot beach, Finistère


def test_invalid_geometries_are_repaired_or_skipped_by_the_rule():
    bowtie = {"type": "Polygon", "coordinates": [[[892000, 6246000], [893000, 6247000],
                                                  [893000, 6246000], [892000, 6247000],
                                                  [892000, 6246000]]]}
    spike = {"type": "Polygon", "coordinates": [[[892000, 6246000], [893000, 6246000],
                                                 [892000, 6246000], [892000, 6246000]]]}
    features = [
        {"type": "Feature", "id": "bowtie", "geometry": bowtie, "properties": {}},
        {"type": "Feature", "id": "flat", "geometry": spike, "properties": {}},
        {"type": "Feature", "id": "ragged", "geometry": {"type": "Polygon",
                                                         "coordinates": [[[1, "a"]]]},
         "properties": {}},
        {"type": "Feature", "id": "far", "geometry": {"type": "Point",
                                                      "coordinates": [1e9, 1e9]},
         "properties": {}},
        {"type": "Feature", "id": "none", "geometry": None, "properties": {}},
    ]
    issues = Issues()
    kept, geometries = reproject(Page(features, CrsRef.parse("EPSG:2154")), issues)
    assert [f["id"] for f in kept] == ["bowtie", "none"]
    assert geometries[0].geom_type == "MultiPolygon" and geometries[0].is_valid
    assert geometries[1] is None
    assert (issues.repaired, issues.skipped, issues.no_geometry) == (1, 3, 1)
    reasons = dict(e.split(": ", 1) for e in issues.examples["skipped"])
    assert reasons["flat"].startswith("invalid geometry, not repairable")
    assert reasons["ragged"].startswith("unreadable geometry")
    assert "area of use" in reasons["far"]


def test_unknown_crs_is_an_error():
    with pytest.raises(UnknownCRS):
        reproject(Page([_point(1, 2)], CrsRef.parse("urn:ogc:def:crs:EPSG::999999")), Issues())


def test_snapshot_detects_a_server_lying_about_axis_order(tmp_path):
    writer = SnapshotWriter(tmp_path, MARSEILLE)
    # Says lat/lon (URN) but writes lon/lat, as GeoServer did (mregions #35).
    writer.add(Page([_point(5.374, 43.295)], CrsRef.parse("urn:ogc:def:crs:EPSG::4326")))
    snapshot = writer.finish()
    feature = json.loads(snapshot.geojson.read_text())["features"][0]
    assert feature["geometry"]["coordinates"] == [5.374, 43.295]
    assert "other axis order" in snapshot.warnings[0]


def test_snapshot_is_streamed_to_files_and_hashed_deterministically(tmp_path):
    def write() -> tuple:
        writer = SnapshotWriter(tmp_path, MARSEILLE)
        for page in range(3):
            writer.add(Page([{**_point(*VIEUX_PORT_L93, fid=f"f{page}.{i}"),
                              "properties": {"n": i, "page": page, "tags": ["a"]}}
                             for i in range(2)], CrsRef.parse("EPSG:2154")))
        snapshot = writer.finish()
        return snapshot, snapshot.geojson.read_bytes(), snapshot.csv.read_text()
    first, geojson, table = write()
    second, _, _ = write()
    assert first.count == 6 and first.geojson_hash == second.geojson_hash
    assert first.csv_hash == second.csv_hash
    assert len(json.loads(geojson)["features"]) == 6
    assert table.splitlines()[:2] == ["id,n,page,tags", 'f0.0,0,0,"[""a""]"']
    assert first.bbox == pytest.approx((5.374, 43.295, 5.374, 43.295), abs=1e-6)


def test_aborted_snapshot_leaves_nothing(tmp_path):
    writer = SnapshotWriter(tmp_path, None)
    writer.add(Page([_point(*VIEUX_PORT_L93)], CrsRef.parse("EPSG:2154")))
    writer.abort()
    assert list(tmp_path.iterdir()) == []
