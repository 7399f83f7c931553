"""Which columns hold positions, under the names French and English data use."""

from __future__ import annotations

import pytest

from ckanext.metropole.exports.columns import Column
from ckanext.metropole.exports.geo import GeoColumns, find_geo_columns, row_geometry


@pytest.fixture(autouse=True)
def load_portal_plugins():
    """No CKAN action nor database here: the portal's plugins are not loaded
    (the project-wide autouse fixture costs seconds a test)."""


def cols(*specs: str) -> list[Column]:
    return [Column(*spec.split(":")) if ":" in spec else Column(spec, "text") for spec in specs]


def test_latitude_longitude_under_usual_names():
    assert find_geo_columns(cols("nom", "Latitude (WGS84)", "Longitude (WGS84)")) == GeoColumns(
        1, 2
    )
    assert find_geo_columns(cols("lng", "lat")) == GeoColumns(latitude=1, longitude=0)
    assert find_geo_columns(cols("y_lat", "x_long")) == GeoColumns(latitude=0, longitude=1)


def test_lambert_x_y_and_a_lone_latitude_are_not_positions():
    assert find_geo_columns(cols("x", "y")) is None
    assert find_geo_columns(cols("latitude", "nom")) is None


def test_geometry_and_point_columns():
    assert find_geo_columns(cols("nom", "geometry:json")) == GeoColumns(geometry=1)
    assert find_geo_columns(cols("geo_point_2d")) == GeoColumns(point=0)
    assert find_geo_columns(cols("geometry:int4")) is None


def test_rows_become_geometries_or_null():
    latlon = GeoColumns(latitude=0, longitude=1)
    assert row_geometry(latlon, ["43,29", "5.37"]) == {
        "type": "Point",
        "coordinates": [5.37, 43.29],
    }
    assert row_geometry(latlon, [None, 5]) is None
    assert row_geometry(latlon, [95, 5]) is None  # not a latitude
    point = GeoColumns(point=0)
    assert row_geometry(point, ["43.29, 5.37"]) == {"type": "Point", "coordinates": [5.37, 43.29]}
    geometry = GeoColumns(geometry=0)
    line = {"type": "LineString", "coordinates": [[5, 43], [5.1, 43.1]]}
    assert row_geometry(geometry, [line]) == line
    assert row_geometry(geometry, ['{"type": "Point", "coordinates": [5, 43]}'])["type"] == "Point"
    assert row_geometry(geometry, ["pas du GeoJSON"]) is None
