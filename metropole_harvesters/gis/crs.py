"""Coordinate reference systems of harvested layers, and their axis order.

Why a module of its own: every GIS protocol names its CRS differently
(``EPSG:2154``, ``urn:ogc:def:crs:EPSG::2154``,
``http://www.opengis.net/def/crs/EPSG/0/4326``, ArcGIS ``wkid 102110`` with
``latestWkid 2154``, OGC ``CRS84``) and the axis order of the coordinates
depends on *how* the CRS was named, not only on which CRS it is:

- URN and ``http://www.opengis.net/def/crs/…`` names mean the authority's
  axis order: ``urn:ogc:def:crs:EPSG::4326`` is **lat, lon** (WFS 2.0,
  OGC API Part 2 ``Content-Crs``);
- the short ``EPSG:4326`` form, ``CRS84``, ArcGIS wkids and GeoJSON without a
  CRS are **x, y** (lon, lat; easting, northing) — GeoServer's convention;
- pyproj returns lat, lon for EPSG:4326 unless ``always_xy=True``, which we
  always pass; swapping authority-order input is our job (:func:`axis_swap`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError

WGS84 = "OGC:CRS84"          # lon, lat: what RFC 7946 GeoJSON means
_AUTHORITY_FORMS = ("urn:ogc:def:crs:", "urn:x-ogc:def:crs:", "http://www.opengis.net/def/crs/",
                    "https://www.opengis.net/def/crs/")
# Esri wkids that are not EPSG codes, by the EPSG code they stand for; pyproj
# knows them as ESRI:<wkid>, but the layer's latestWkid is the safer guide.
_ESRI_ONLY = re.compile(r"^10[0-9]{4}$")


class UnknownCRS(ValueError):
    """A CRS name pyproj cannot resolve: the layer cannot be reprojected."""


@dataclass(frozen=True)
class CrsRef:
    """A CRS as a server named it, and whether its coordinates come in the
    authority's axis order (true only for URN/URI forms)."""

    name: str
    authority_axes: bool = False

    @classmethod
    def parse(cls, name: str | None) -> CrsRef:
        name = (name or WGS84).strip()
        return cls(name, name.lower().startswith(_AUTHORITY_FORMS))

    @classmethod
    def esri(cls, spatial_reference: dict | None) -> CrsRef:
        """ArcGIS ``spatialReference``: latestWkid first (102110 → 2154),
        then ESRI:wkid for Esri-only codes; always x, y."""
        sr = spatial_reference or {}
        wkid = sr.get("latestWkid") or sr.get("wkid")
        if wkid is None and sr.get("wkt"):
            return cls(str(sr["wkt"]))
        if wkid is None:
            return cls(WGS84)
        code = str(wkid)
        return cls(f"ESRI:{code}" if _ESRI_ONLY.match(code) else f"EPSG:{code}")


@lru_cache(maxsize=64)
def resolve(name: str) -> CRS:
    try:
        return CRS.from_user_input(name)
    except CRSError as error:
        raise UnknownCRS(f"unknown CRS '{name}': {error}") from error


def axis_swap(ref: CrsRef) -> bool:
    """True when the coordinates come northing/latitude first and must be
    swapped to x, y before pyproj (always_xy) sees them."""
    if not ref.authority_axes:
        return False
    axes = resolve(ref.name).axis_info
    return bool(axes) and axes[0].direction.lower() in ("north", "south")


@lru_cache(maxsize=64)
def to_wgs84(name: str) -> Transformer:
    """x, y in ``name`` → lon, lat (WGS84)."""
    return Transformer.from_crs(resolve(name), WGS84, always_xy=True)


def epsg_label(ref: CrsRef) -> str:
    """A short human label for metadata: EPSG:2154 rather than a URN."""
    try:
        crs = resolve(ref.name)
    except UnknownCRS:
        return ref.name
    code = crs.to_epsg(min_confidence=70)
    if code:
        return f"EPSG:{code}"
    authority = crs.to_authority()
    return ":".join(authority) if authority else crs.name
