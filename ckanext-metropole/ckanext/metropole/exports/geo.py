"""Where a table keeps its positions, and its rows as GeoJSON features.

Positions are found by column name, as French and English open data name
them: a latitude and a longitude column (``lat``/``latitude``/``y_lat``...,
``lon``/``lng``/``longitude``/``x_long``...), an Opendatasoft-style
``geo_point_2d`` text ``"lat, lon"``, or a geometry column (``geometry``,
``geom``, ``geo_shape``, ``the_geom``, ``geometrie``...) holding GeoJSON.
Bare ``x``/``y`` are not taken: in France they are usually Lambert-93 metres,
not WGS84 degrees. Rows without a usable position become features with a null
geometry (valid GeoJSON), so the export keeps every row.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import msgspec

from .columns import JSON, TEXT, Column

_LATITUDES = {
    "lat",
    "latitude",
    "ylat",
    "latwgs84",
    "latitudewgs84",
    "wgs84lat",
    "coordlat",
    "geolat",
    "ylatitude",
    "latdd",
}
_LONGITUDES = {
    "lon",
    "lng",
    "long",
    "longitude",
    "xlong",
    "xlon",
    "lonwgs84",
    "longwgs84",
    "longitudewgs84",
    "wgs84lon",
    "coordlon",
    "coordlong",
    "geolon",
    "xlongitude",
    "londd",
}
_POINTS = {
    "geopoint2d",
    "geopoint",
    "coordonnees",
    "coordonneesgps",
    "coordinates",
    "latlon",
    "latlong",
}
_GEOMETRIES = {
    "geometry",
    "geom",
    "geometrie",
    "geoshape",
    "thegeom",
    "geojson",
    "wkbgeometry",
    "shape",
}


def _key(name: str) -> str:
    """``"Latitude (WGS84)"`` -> ``"latitudewgs84"``: case, accents and punctuation ignored."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return "".join(ch for ch in plain.lower() if ch.isalnum())


@dataclass(frozen=True)
class GeoColumns:
    """Indexes of the position columns in the exported columns."""

    latitude: int | None = None
    longitude: int | None = None
    point: int | None = None
    geometry: int | None = None

    @property
    def position_indexes(self) -> set[int]:
        return {
            i for i in (self.latitude, self.longitude, self.point, self.geometry) if i is not None
        }


def find_geo_columns(columns: list[Column]) -> GeoColumns | None:
    """The table's position columns, or None when it has none."""
    keys = [_key(c.id) for c in columns]

    def first(names: set[str], kinds: tuple[str, ...] | None = None) -> int | None:
        return next(
            (
                i
                for i, key in enumerate(keys)
                if key in names and (kinds is None or columns[i].kind in kinds)
            ),
            None,
        )

    geometry = first(_GEOMETRIES, (JSON, TEXT))
    if geometry is not None:
        return GeoColumns(geometry=geometry)
    latitude, longitude = first(_LATITUDES), first(_LONGITUDES)
    if latitude is not None and longitude is not None:
        return GeoColumns(latitude=latitude, longitude=longitude)
    point = first(_POINTS, (TEXT,))
    if point is not None:
        return GeoColumns(point=point)
    return None


def _degrees(value: Any, limit: float) -> float | None:
    if isinstance(value, str):
        value = value.strip().replace(",", ".")
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if -limit <= number <= limit else None


def _point(latitude: Any, longitude: Any) -> dict | None:
    lat, lon = _degrees(latitude, 90), _degrees(longitude, 180)
    if lat is None or lon is None:
        return None
    return {"type": "Point", "coordinates": [lon, lat]}


def _geometry(value: Any) -> dict | None:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return None
    if isinstance(value, dict) and value.get("type") == "Feature":
        value = value.get("geometry")
    if (
        isinstance(value, dict)
        and isinstance(value.get("type"), str)
        and ("coordinates" in value or "geometries" in value)
    ):
        return value
    return None


def row_geometry(geo: GeoColumns, row: list[Any]) -> dict | None:
    if geo.geometry is not None:
        return _geometry(row[geo.geometry])
    if geo.point is not None:
        parts = str(row[geo.point] or "").split(",")
        if len(parts) == 2:  # "lat, lon" (Opendatasoft); "48,1, 6,2" is not a point
            return _point(*parts)
        return None
    return _point(row[geo.latitude], row[geo.longitude])


def write_geojson(columns: list[Column], pages: Iterable[list[list[Any]]]) -> Iterator[bytes]:
    geo = find_geo_columns(columns)
    assert geo is not None, "the view offers GeoJSON only for tables with positions"
    properties = [(i, c.id) for i, c in enumerate(columns) if i not in geo.position_indexes]
    encode = msgspec.json.Encoder().encode
    separator = b'{"type":"FeatureCollection","features":[\n'
    for records in pages:
        yield separator + b",\n".join(
            encode(
                {
                    "type": "Feature",
                    "geometry": row_geometry(geo, row),
                    "properties": {name: row[i] for i, name in properties},
                }
            )
            for row in records
        )
        separator = b",\n"
    yield (separator if separator != b",\n" else b"") + b"\n]}\n"
