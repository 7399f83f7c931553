"""One page of features: parse, reproject to WGS84, check, repair.

Vectorised per page with shapely 2 and pyproj (one transform call for every
coordinate of the page), so a 100,000-polygon layer costs seconds, not the
minutes a per-vertex loop would.

**Invalid geometry rule** (documented in ``metropole_harvesters/README.md``):

1. a geometry that cannot be parsed (bad type, ragged or non-numeric
   coordinates), or whose reprojected coordinates are not finite or fall
   outside lon [-180, 180] / lat [-90, 90], is **skipped**: the feature is
   not published (wrong CRS or corrupt data — publishing it would put it in
   the ocean or nowhere);
2. a geometry that OGC validity rejects (self-intersecting ring, bow-tie…)
   is **repaired** with ``shapely.make_valid`` when the repaired geometry
   keeps the same dimension (a polygon stays polygonal, its other parts
   dropped); otherwise it is **skipped**;
3. a feature without geometry is kept with ``"geometry": null`` (RFC 7946
   allows it) and counted;

each count is reported with up to :data:`MAX_EXAMPLES` examples (feature id
and reason) in the harvest job and in the snapshot resource's description.
Coordinates are rounded to 7 decimals (≈1 cm), so the same source data
always gives the same bytes, hence the same content hash.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely
from shapely.geometry import shape

from .crs import CrsRef, axis_swap, resolve, to_wgs84

DECIMALS = 7
MAX_EXAMPLES = 5
_DIMENSION = {"Point": 0, "MultiPoint": 0, "LineString": 1, "MultiLineString": 1,
              "LinearRing": 1, "Polygon": 2, "MultiPolygon": 2}


@dataclass
class Issues:
    """Counts and examples of what was skipped, repaired or suspicious."""

    skipped: int = 0
    repaired: int = 0
    no_geometry: int = 0
    outside_extent: int = 0
    examples: dict[str, list[str]] = field(default_factory=dict)

    def note(self, kind: str, feature_id: Any, reason: str) -> None:
        setattr(self, kind, getattr(self, kind) + 1)
        found = self.examples.setdefault(kind, [])
        if len(found) < MAX_EXAMPLES:
            found.append(f"{feature_id}: {reason}")

    def to_dict(self) -> dict[str, Any]:
        return {"skipped": self.skipped, "repaired": self.repaired,
                "no_geometry": self.no_geometry, "outside_extent": self.outside_extent,
                "examples": self.examples}


@dataclass
class Page:
    """Features as the protocol gave them, and the CRS their coordinates use."""

    features: list[dict[str, Any]]
    crs: CrsRef


def reproject(page: Page, issues: Issues, swap_override: bool | None = None,
              ) -> tuple[list[dict[str, Any]], list[Any]]:
    """The page's features with WGS84 geometries (shapely), bad ones skipped
    and invalid ones repaired by the rule above. Returns (features, geometries)
    in the same order; a geometry is None for a feature without one."""
    kept = [f for f in page.features if isinstance(f, dict)]
    for _ in range(len(page.features) - len(kept)):
        issues.note("skipped", "?", "not a GeoJSON feature")
    parsed = _parse([f.get("geometry") for f in kept])
    readable = []
    for feature, geometry in zip(kept, parsed, strict=True):
        if geometry is None:
            issues.note("no_geometry", feature_id(feature), "no geometry")
        elif isinstance(geometry, str):
            issues.note("skipped", feature_id(feature), f"unreadable geometry ({geometry})")
            continue
        readable.append((feature, geometry))
    kept = [f for f, _ in readable]
    parsed = [g for _, g in readable]
    present = [i for i, g in enumerate(parsed) if g is not None]
    if not present:
        return kept, parsed
    swap = axis_swap(page.crs) if swap_override is None else swap_override
    transformer = to_wgs84(page.crs.name)
    area = _area_of_use(page.crs.name)

    def transform(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        lon, lat = transformer.transform(y, x) if swap else transformer.transform(x, y)
        return np.round(lon, DECIMALS), np.round(lat, DECIMALS)

    geometries = shapely.transform(np.array([parsed[i] for i in present], dtype=object),
                                   transform, interleaved=False)
    bounds = shapely.bounds(geometries)
    # Outside the source CRS's area of use (plus a margin): Lambert-93
    # metres that are really degrees, garbage, or swapped axes.
    in_range = np.isfinite(bounds).all(axis=1) & (bounds[:, 0] >= area[0]) & \
        (bounds[:, 2] <= area[2]) & (bounds[:, 1] >= area[1]) & (bounds[:, 3] <= area[3])
    valid = shapely.is_valid(geometries)
    drop: set[int] = set()
    for position, index in enumerate(present):
        fid = feature_id(kept[index])
        if not in_range[position]:
            issues.note("skipped", fid, "coordinates outside the area of use of "
                        f"{page.crs.name} (wrong CRS or axis order?)")
            drop.add(index)
            continue
        geometry = geometries[position]
        if not valid[position]:
            reason = shapely.is_valid_reason(geometry)
            repaired = _repair(geometry)
            if repaired is None:
                issues.note("skipped", fid, f"invalid geometry, not repairable ({reason})")
                drop.add(index)
                continue
            issues.note("repaired", fid, reason)
            geometry = repaired
        parsed[index] = geometry
    if drop:
        kept = [f for i, f in enumerate(kept) if i not in drop]
        parsed = [g for i, g in enumerate(parsed) if i not in drop]
    return kept, parsed


def _parse(raws: list[Any]) -> list[Any]:
    """GeoJSON geometries → shapely, in one vectorised GEOS call (3× faster
    than shapely.geometry.shape per feature); None stays None, an unreadable
    geometry becomes the reason (a str)."""
    out: list[Any] = [None] * len(raws)
    texts, positions = [], []
    for i, raw in enumerate(raws):
        if raw is None:
            continue
        try:
            texts.append(json.dumps(raw))
            positions.append(i)
        except (TypeError, ValueError) as error:
            out[i] = str(error)
    geometries = shapely.from_geojson(texts, on_invalid="ignore") if texts else []
    for i, geometry in zip(positions, geometries, strict=True):
        if geometry is None or geometry.is_empty and raws[i].get("coordinates"):
            out[i] = _reason(raws[i])
        else:
            out[i] = geometry
    return out


def _reason(raw: Any) -> str:
    """Why a geometry could not be read (shapely's own message)."""
    try:
        shape(raw)
    except Exception as error:  # shapely raises many types on bad input
        return str(error) or type(error).__name__
    return "not a GeoJSON geometry"


def _area_of_use(name: str) -> tuple[float, float, float, float]:
    """WGS84 bounds where the CRS is meant to be used, widened by 2°."""
    area = resolve(name).area_of_use
    if area is None:
        return (-180.0, -90.0, 180.0, 90.0)
    return (max(-180.0, area.west - 2), max(-90.0, area.south - 2),
            min(180.0, area.east + 2), min(90.0, area.north + 2))


def _repair(geometry: Any) -> Any | None:
    """make_valid, keeping only the parts of the original dimension."""
    dimension = _DIMENSION.get(geometry.geom_type)
    fixed = shapely.make_valid(geometry)
    if fixed.geom_type == "GeometryCollection":
        parts = [g for g in fixed.geoms if _DIMENSION.get(g.geom_type) == dimension]
        fixed = shapely.union_all(parts) if parts else None
    if fixed is None or fixed.is_empty or _DIMENSION.get(fixed.geom_type) != dimension:
        return None
    # make_valid adds intersection points: round them like the others.
    return shapely.transform(fixed, lambda c: np.round(c, DECIMALS))


def feature_id(feature: dict[str, Any]) -> Any:
    return feature.get("id", (feature.get("properties") or {}).get("id", "?"))


def fraction_inside(geometries: list[Any], bbox: tuple[float, float, float, float]) -> float:
    """Share of geometries whose bbox meets the declared extent."""
    present = [g for g in geometries if g is not None]
    return float(inside_mask(present, bbox).mean()) if present else 1.0


def inside_mask(geometries: list[Any], bbox: tuple[float, float, float, float]) -> np.ndarray:
    """Per geometry: does its bbox meet the declared extent, with a 10 %
    margin (declared extents are often rounded or a little stale)?"""
    if not geometries:
        return np.zeros(0, dtype=bool)
    b = shapely.bounds(np.array(geometries, dtype=object))
    w, s, e, n = bbox
    mx, my = (e - w) * 0.1 + 1e-6, (n - s) * 0.1 + 1e-6
    inside = (b[:, 2] >= w - mx) & (b[:, 0] <= e + mx) & (b[:, 3] >= s - my) & \
        (b[:, 1] <= n + my)
    return inside
