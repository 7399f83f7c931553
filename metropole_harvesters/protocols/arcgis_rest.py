"""ArcGIS REST (FeatureServer, MapServer) client for the GIS harvester.

Traps handled: errors come as ``{"error": {code, message}}`` with HTTP 200
(checked on every answer); French servers declare ``wkid 102110`` with
``latestWkid 2154`` (``CrsRef.esri``); the page size is capped by
``maxRecordCount``; with ``f=geojson`` the "more pages" flag is
``properties.exceededTransferLimit`` (top-level with ``f=json``; some servers
set both). We ask GeoJSON in the layer's own spatial reference
(``outSR``) ordered by the object id, and reproject with pyproj.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

import requests
from pyproj import Transformer

from ..gis.crs import WGS84, CrsRef, UnknownCRS, resolve
from ..gis.geometry import Page
from ..gis.model import Layer, bbox_valid
from ..pipeline.http import HarvestHTTPError, get_json
from ..pipeline.paging import offset_pages

log = logging.getLogger(__name__)
FEATURE_LAYER_TYPES = ("Feature Layer", "Annotation Layer")


def check(body: Any, url: str) -> Any:
    """Raise on ArcGIS's error envelope, whatever the HTTP status was."""
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        error = body["error"]
        # The server's message is logged, never repeated in the job report.
        log.info("ArcGIS error from %s: %s %s", url, error.get("message"), error.get("details"))
        code = error.get("code")
        safe = str(code) if isinstance(code, int) or str(code).isdigit() else "?"
        raise HarvestHTTPError(f"ArcGIS error {safe}", url,
                               code if isinstance(code, int) else None)
    return body


def _get(session: requests.Session, url: str, params: dict[str, Any]) -> Any:
    body, response = get_json(session, url, params)
    return check(body, response.url)


def list_layers(session: requests.Session, url: str) -> list[Layer]:
    root = url.rstrip("/")
    service = _get(session, root, {"f": "json"})
    kind = "MapServer" if root.endswith("MapServer") else "FeatureServer"
    layers = []
    for entry in service.get("layers") or []:
        if entry.get("subLayerIds"):      # group layers have no features of their own
            continue
        definition = _get(session, f"{root}/{entry['id']}", {"f": "json"})
        if definition.get("type", "Feature Layer") not in FEATURE_LAYER_TYPES:
            continue
        layers.append(_layer(root, kind, entry["id"], definition))
    return layers


def _layer(root: str, kind: str, layer_id: int, definition: dict[str, Any]) -> Layer:
    extent = definition.get("extent") or {}
    ref = CrsRef.esri(extent.get("spatialReference") or definition.get("sourceSpatialReference"))
    bbox = _extent_wgs84(extent, ref)
    formats = (definition.get("supportedQueryFormats") or "JSON, geoJSON").lower()
    advanced = definition.get("advancedQueryCapabilities") or {}
    time_extent = (definition.get("timeInfo") or {}).get("timeExtent")
    temporal = None
    if time_extent and len(time_extent) == 2:
        temporal = tuple(_epoch_ms(v) for v in time_extent)
    sr = (extent.get("spatialReference") or {})
    previews = []
    if kind == "MapServer":
        previews.append({"url": f"{root}/export?layers=show:{layer_id}", "format":
                         "ArcGIS MapServer"})
    return Layer(
        id=str(layer_id), name=str(layer_id), title=str(definition.get("name") or layer_id),
        abstract=str(definition.get("description") or ""), bbox=bbox, crs=ref.name,
        temporal=temporal,  # type: ignore[arg-type]
        service_url=f"{root}/{layer_id}", service_format="ArcGIS REST", previews=previews,
        protocol={"query_url": f"{root}/{layer_id}/query",
                  "max_records": int(definition.get("maxRecordCount") or 1000),
                  "geojson": "geojson" in formats,
                  "geometry_type": definition.get("geometryType", ""),
                  "pagination": advanced.get("supportsPagination", True),
                  "out_sr": sr.get("latestWkid") or sr.get("wkid") or 4326,
                  "object_id": definition.get("objectIdField") or "OBJECTID"})


def _extent_wgs84(extent: dict[str, Any], ref: CrsRef) -> tuple | None:
    try:
        box = [float(extent[k]) for k in ("xmin", "ymin", "xmax", "ymax")]
        transformer = Transformer.from_crs(resolve(ref.name), WGS84, always_xy=True)
    except (KeyError, TypeError, ValueError, UnknownCRS):
        return None
    return bbox_valid(transformer.transform_bounds(*box))


def _epoch_ms(value: Any) -> str | None:
    if value is None:
        return None
    return datetime.fromtimestamp(value / 1000, timezone.utc).strftime("%Y-%m-%d")


def where_clause(equals: dict[str, Any] | None) -> str:
    if not equals:
        return "1=1"
    def literal(v: Any) -> str:
        return str(v) if isinstance(v, int | float) else "'" + str(v).replace("'", "''") + "'"
    return " AND ".join(f"{k} = {literal(v)}" for k, v in sorted(equals.items()))


def pages(session: requests.Session, layer: Layer, page_size: int,
          equals: dict[str, Any] | None = None, seen: dict[str, Any] | None = None
          ) -> Iterator[Page]:
    """GeoJSON pages in the layer's own spatial reference. Servers without
    ``f=geojson`` (ArcGIS Server < 10.4) are read as Esri JSON and
    converted; servers without pagination are read by object-id ranges."""
    proto = layer.protocol
    limit = min(page_size, proto.get("max_records") or page_size)
    out_sr = proto.get("out_sr") or 4326
    fmt = "geojson" if proto.get("geojson", True) else "json"
    params = {"where": where_clause(equals), "outFields": "*", "returnGeometry": "true",
              "f": fmt, "outSR": out_sr, "orderByFields": proto.get("object_id")}
    current = {"crs": CrsRef.esri({"wkid": out_sr})}
    oid = proto.get("object_id") or "OBJECTID"

    def items_of(body: Any) -> list[Any]:
        check(body, proto["query_url"])
        if not isinstance(body, dict) or not isinstance(body.get("features"), list):
            raise HarvestHTTPError(f"{proto['query_url']}: no 'features' list in the answer",
                                   proto["query_url"])
        if fmt == "json":
            if body.get("spatialReference"):
                current["crs"] = CrsRef.esri(body["spatialReference"])
            kind = body.get("geometryType") or proto.get("geometry_type", "")
            return [esri_feature(f, kind, oid) for f in body["features"]]
        named = ((body.get("crs") or {}).get("properties") or {}).get("name")
        if named:
            current["crs"] = CrsRef.parse(named)
        return body["features"]

    def total_of(body: Any, _: requests.Response) -> int | None:
        exceeded = body.get("exceededTransferLimit") or \
            (body.get("properties") or {}).get("exceededTransferLimit")
        if exceeded or len(body["features"]) >= limit:
            return None           # more to come (or a full page: ask again)
        return 0                  # flag false and a short page: the end

    if not proto.get("pagination", True):
        for chunk in _id_ranges(session, proto["query_url"], params["where"], limit):
            body = _get(session, proto["query_url"], {
                **params, "where": f"({params['where']}) AND {oid} >= {chunk[0]} AND "
                                   f"{oid} <= {chunk[1]}"})
            yield Page(items_of(body), current["crs"])
        return
    for features in offset_pages(session, proto["query_url"], params, limit=limit,
                                 limit_param="resultRecordCount", offset_param="resultOffset",
                                 items_of=items_of, total_of=total_of):
        yield Page(features, current["crs"])


def _id_ranges(session: requests.Session, url: str, where: str, limit: int
               ) -> Iterator[tuple[int, int]]:
    """Object-id ranges of at most ``limit`` features (returnIdsOnly is not
    capped by maxRecordCount)."""
    body = _get(session, url, {"where": where, "returnIdsOnly": "true", "f": "json"})
    ids = sorted(int(i) for i in body.get("objectIds") or [])
    for start in range(0, len(ids), limit):
        chunk = ids[start: start + limit]
        yield chunk[0], chunk[-1]


def esri_feature(feature: dict[str, Any], kind: str, oid: str) -> dict[str, Any]:
    """An Esri JSON feature as GeoJSON (coordinates untouched)."""
    attributes = feature.get("attributes") or {}
    return {"type": "Feature", "id": attributes.get(oid),
            "geometry": esri_geometry(feature.get("geometry"), kind),
            "properties": attributes}


def esri_geometry(geometry: dict[str, Any] | None, kind: str) -> dict[str, Any] | None:
    """Esri JSON geometry → GeoJSON. Polygon rings: Esri draws outer rings
    clockwise and holes counter-clockwise; a hole goes to the outer ring
    that contains it."""
    if not geometry:
        return None
    if "x" in geometry:
        if geometry["x"] is None or geometry["x"] == "NaN":
            return None
        return {"type": "Point", "coordinates": [geometry["x"], geometry["y"]]}
    if "points" in geometry:
        return {"type": "MultiPoint", "coordinates": geometry["points"]}
    if "paths" in geometry:
        paths = geometry["paths"]
        return {"type": "LineString", "coordinates": paths[0]} if len(paths) == 1 else \
            {"type": "MultiLineString", "coordinates": paths}
    if "rings" in geometry:
        return _polygons(geometry["rings"])
    raise ValueError(f"unsupported Esri geometry ({kind or 'unknown type'})")


def _polygons(rings: list[list[list[float]]]) -> dict[str, Any]:
    from shapely.geometry import Point, Polygon

    outers: list[list[Any]] = []
    holes = []
    for ring in rings:
        if len(ring) < 4:
            continue
        (outers if _signed_area(ring) < 0 else holes).append(ring)
    if not outers:          # all counter-clockwise: a server that ignores the rule
        outers, holes = holes, []
    polygons = [[outer] for outer in outers]
    shapes = [Polygon(outer) for outer in outers]
    for hole in holes:
        inside = next((i for i, s in enumerate(shapes) if s.contains(Point(hole[0]))), None)
        if inside is None:
            polygons.append([hole])          # an orphan hole: keep it as an area
        else:
            polygons[inside].append(hole)
    if len(polygons) == 1:
        return {"type": "Polygon", "coordinates": polygons[0]}
    return {"type": "MultiPolygon", "coordinates": polygons}


def _signed_area(ring: list[list[float]]) -> float:
    return sum(x0 * y1 - x1 * y0 for (x0, y0, *_), (x1, y1, *_) in zip(ring, ring[1:],
                                                                      strict=False)) / 2
