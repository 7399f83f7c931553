"""Sample municipal GIS services: WFS 2.0/1.1, OGC API – Features, ArcGIS REST.

One set of layers in Lambert-93 (EPSG:2154) around Marseille and Aix —
cycle paths, voluntary drop-off points, flood zones, parks — served by the
three protocols under ``/gis``:

- ``/gis/wfs`` — WFS 2.0.0 and 1.1.0 (GeoServer-like GeoJSON answers with
  ``numberMatched`` and a ``crs`` member; ``CountDefault`` page cap);
- ``/gis/ogcapi`` — OGC API – Features with Part 2 CRS (``crs=``,
  ``Content-Crs``), ``next`` links without ``f=json`` as pygeoapi;
- ``/gis/arcgis/rest/services/Metropole/FeatureServer`` and ``…/MapServer``
  — layer definitions in wkid 102110 (latestWkid 2154), ``maxRecordCount``,
  ``f=geojson`` with ``properties.exceededTransferLimit``.

Feature 1 of the drop-off points sits at Marseille's Vieux-Port
(5.374°E 43.295°N), the known point the coordinate tests look for. Switches
on :class:`GisApp` reproduce the protocol traps (see the attributes);
HTTP-level faults (5xx, 429, timeouts, truncation, error bodies) come from
the sample server's ``add_fault``. A generated polygon layer of any size
(``bench_count``) serves the benchmark without storing it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from pyproj import Transformer

from .base import Reply, Request, SampleServer

L93 = "urn:ogc:def:crs:EPSG::2154"
VIEUX_PORT = (5.374, 43.295)
_TO_L93 = Transformer.from_crs("OGC:CRS84", "EPSG:2154", always_xy=True)
_FROM_L93 = Transformer.from_crs("EPSG:2154", "OGC:CRS84", always_xy=True)
AREA = (5.20, 43.15, 5.65, 43.62)          # Marseille → Aix, WGS84


def _rand(k: int, seed: int) -> float:
    return ((k * 2654435761 + seed * 40503) % 1000003) / 1000003


def _l93(lon: float, lat: float) -> list[float]:
    x, y = _TO_L93.transform(lon, lat)
    return [round(x, 2), round(y, 2)]


def _ring(lon: float, lat: float, size: float, sides: int = 6) -> list[list[float]]:
    points = [_l93(lon + size * math.cos(2 * math.pi * i / sides),
                   lat + size * 0.75 * math.sin(2 * math.pi * i / sides)) for i in range(sides)]
    return points + [points[0]]


@dataclass
class SampleLayer:
    name: str                     # WFS type name / collection id (without prefix)
    arcgis_id: int
    title: str
    abstract: str
    keywords: list[str]
    geometry_type: str            # esriGeometry… suffix: Point, Polyline, Polygon
    features: list[dict[str, Any]] = field(default_factory=list)   # Lambert-93
    generator: Callable[[int], dict[str, Any]] | None = None
    count_generated: int = 0
    temporal: tuple[str, str] | None = None

    @property
    def count(self) -> int:
        return self.count_generated if self.generator else len(self.features)

    def feature(self, index: int) -> dict[str, Any]:
        return self.generator(index) if self.generator else self.features[index]


def _feature(fid: int, geometry: dict[str, Any], **properties: Any) -> dict[str, Any]:
    return {"type": "Feature", "id": fid, "geometry": geometry,
            "properties": {"gid": fid, **properties}}


def demo_layers() -> list[SampleLayer]:
    places = [("Vieux-Port", *VIEUX_PORT), ("Castellane", 5.3838, 43.2860),
              ("Belsunce", 5.3772, 43.2995), ("Joliette", 5.3664, 43.3048),
              ("Prado", 5.3889, 43.2746), ("Aix Pasteur", 5.4455, 43.5310),
              ("Aix Rotonde", 5.4436, 43.5260), ("Aubagne centre", 5.5706, 43.2928)]
    points = [_feature(i + 1, {"type": "Point", "coordinates": _l93(lon, lat)},
                       nom=f"PAV {name}", flux="verre" if i % 2 else "emballages",
                       volume_m3=4 if i % 3 else 3)
              for i, (name, lon, lat) in enumerate(places)]
    for k in range(len(points), 60):
        lon = 5.33 + 0.12 * _rand(k, 1)
        lat = 43.24 + 0.10 * _rand(k, 2) if k % 4 else 43.50 + 0.05 * _rand(k, 3)
        points.append(_feature(k + 1, {"type": "Point", "coordinates": _l93(lon, lat)},
                               nom=f"PAV {k + 1:03d}", flux=("verre", "papier",
                                                             "emballages")[k % 3],
                               volume_m3=3 + k % 2))
    paths = []
    for k in range(30):
        lon, lat = 5.34 + 0.10 * _rand(k, 4), 43.25 + 0.08 * _rand(k, 5)
        if k >= 24:
            lon, lat = 5.42 + 0.05 * _rand(k, 4), 43.51 + 0.03 * _rand(k, 5)
        line = [_l93(lon + 0.002 * i, lat + 0.0015 * math.sin(i + k)) for i in range(8)]
        paths.append(_feature(k + 1, {"type": "LineString", "coordinates": line},
                              nom=f"Piste {k + 1}", type_amenagement=("piste", "bande",
                                                                      "voie verte")[k % 3],
                              longueur_m=round(1150 + 37 * k, 1)))
    floods = []
    for k in range(12):
        lon, lat = (5.40 + 0.015 * k, 43.285 + 0.001 * k) if k < 8 else \
            (5.40 + 0.012 * k, 43.515)
        floods.append(_feature(k + 1, {"type": "Polygon", "coordinates": [
            _ring(lon, lat, 0.006, 8)]}, alea=("fort", "moyen", "faible")[k % 3],
            cours_eau="Huveaune" if k < 8 else "Arc"))
    # A self-intersecting "bow-tie": the invalid geometry real services serve.
    a, b = _l93(5.47, 43.30), _l93(5.48, 43.31)
    floods.append(_feature(13, {"type": "Polygon", "coordinates": [[
        a, b, [b[0], a[1]], [a[0], b[1]], a]]}, alea="faible", cours_eau="Huveaune"))
    parks = [("Parc Borély", 5.3766, 43.2580), ("Jardin du Pharo", 5.3612, 43.2920),
             ("Parc Longchamp", 5.3946, 43.3046), ("Parc de la Colline Saint-Joseph",
                                                    5.4001, 43.3231),
             ("Parc Jourdan (Aix)", 5.4462, 43.5213), ("Pavillon Vendôme (Aix)", 5.4431,
                                                      43.5317)]
    parcs = [_feature(i + 1, {"type": "Polygon", "coordinates": [_ring(lon, lat, 0.002)]},
                      nom=name, surface_ha=round(2 + 3 * _rand(i, 6), 2),
                      horaires="8h-19h")
             for i, (name, lon, lat) in enumerate(parks)]
    return [
        SampleLayer("points_apport_volontaire", 0, "Points d'apport volontaire",
                    "Colonnes de tri (verre, papier, emballages) de la métropole.",
                    ["déchets", "tri sélectif"], "Point", points),
        SampleLayer("pistes_cyclables", 1, "Aménagements cyclables",
                    "Pistes, bandes et voies vertes à Marseille et Aix-en-Provence.",
                    ["vélo", "mobilité"], "Polyline", paths),
        SampleLayer("zones_inondables", 2, "Zones inondables (PPRI)",
                    "Aléa inondation de l'Huveaune et de l'Arc.", ["risques", "inondation"],
                    "Polygon", floods, temporal=("2017-06-01T00:00:00Z",
                                                 "2024-12-31T00:00:00Z")),
        SampleLayer("parcs_jardins", 3, "Parcs et jardins publics",
                    "Parcs et jardins ouverts au public.", ["espaces verts"], "Polygon",
                    parcs),
    ]


def bench_layer(count: int) -> SampleLayer:
    """``count`` small square polygons on a grid over the metropole, made on
    demand from their index (the benchmark's 100,000-polygon layer)."""
    x0, y0 = _l93(5.30, 43.25)
    side = 400

    def make(i: int) -> dict[str, Any]:
        x, y = x0 + (i % 316) * 60.0, y0 + (i // 316) * 60.0
        ring = [[x, y], [x + 50, y], [x + 50, y + 50], [x + 25, y + 60], [x, y + 50], [x, y]]
        return _feature(i + 1, {"type": "Polygon", "coordinates": [ring]},
                        parcelle=f"13055-{i:06d}", surface_m2=2625, section=f"S{i % side}")

    return SampleLayer("bench_polygones", 90, "Polygones du banc d'essai",
                       "Couche générée pour le banc d'essai.", ["test"], "Polygon",
                       generator=make, count_generated=count)


def _convert(coords: Any, fn: Callable[[float, float], list[float]]) -> Any:
    if coords and isinstance(coords[0], int | float):
        return fn(coords[0], coords[1])
    return [_convert(c, fn) for c in coords]


def _to(crs: str) -> Callable[[float, float], list[float]] | None:
    """Lambert-93 x, y → the coordinates a server writes in ``crs`` (None:
    unchanged). URN/URI EPSG:4326 is lat, lon; EPSG:4326 and CRS84 lon, lat."""
    code = crs.rsplit(":", 1)[-1].rsplit("/", 1)[-1]
    if code in ("2154", "102110"):
        return None
    latlon = code == "4326" and (crs.startswith("urn:") or crs.startswith("http"))

    def convert(x: float, y: float) -> list[float]:
        lon, lat = _FROM_L93.transform(x, y)
        return [round(lat, 8), round(lon, 8)] if latlon else [round(lon, 8), round(lat, 8)]

    return convert


@dataclass
class GisApp:
    layers: list[SampleLayer] = field(default_factory=demo_layers)
    max_page: int = 1000                   # CountDefault / maxRecordCount / max_items
    wfs_default_crs: str = L93             # what capabilities name as DefaultCRS
    wfs_versions: tuple[str, ...] = ("2.0.0", "1.1.0")
    ogc_storage_crs: str | None = "http://www.opengis.net/def/crs/EPSG/0/2154"
    ogc_ignore_crs: bool = False           # answer CRS84 whatever crs= asks
    arcgis_wkid: int = 102110
    arcgis_geojson: bool = True            # False: f=json only (ArcGIS Server < 10.4)
    arcgis_pagination: bool = True         # False: resultOffset ignored (old servers)
    lie_number_matched: int | None = None  # numberMatched the server claims
    swapped_axes: bool = False             # says lat/lon, writes lon/lat (GeoServer bug)
    out_of_extent: bool = False            # adds a feature far from the declared extent
    unknown_crs: bool = False              # names a CRS nobody knows
    wms: bool = True                       # a WMS next to the WFS (…/wms), for previews
    removed: set[str] = field(default_factory=set)
    renamed: dict[str, str] = field(default_factory=dict)   # name → new title
    edits: dict[str, dict[str, Any]] = field(default_factory=dict)  # name → props to set

    def __call__(self, request: Request) -> Reply:
        path = request.path
        if path.startswith("/wfs"):
            return self._wfs(request)
        if path.startswith("/wms") and self.wms:
            return self._wms_capabilities()
        if path.startswith("/ogcapi"):
            return self._ogcapi(request, path[len("/ogcapi"):] or "/")
        match = re.match(r"^/arcgis/rest/services/Metropole/(FeatureServer|MapServer)"
                         r"(?:/(\d+))?(/query)?/?$", path)
        if match:
            return self._arcgis(request, match.group(1), match.group(2), bool(match.group(3)))
        return Reply(404, {"error": "NotFound", "description": path})

    # -- shared --------------------------------------------------------------------
    def served(self) -> list[SampleLayer]:
        return [la for la in self.layers if la.name not in self.removed]

    def layer(self, name: str) -> SampleLayer | None:
        return next((la for la in self.served() if la.name == name.split(":")[-1]), None)

    def title(self, layer: SampleLayer) -> str:
        return self.renamed.get(layer.name, layer.title)

    def count(self, layer: SampleLayer) -> int:
        return layer.count + (1 if self.out_of_extent and layer.arcgis_id == 0 else 0)

    def features(self, layer: SampleLayer, start: int, count: int, crs: str,
                 equals: dict[str, str] | None = None) -> list[dict[str, Any]]:
        convert = None if self.unknown_crs else _to(crs)
        if self.swapped_axes:
            convert = _to("EPSG:4326")
        out = []
        for index in range(start, min(self.count(layer), start + count)):
            if index >= layer.count:   # the out-of-extent feature (near Strasbourg)
                feature = _feature(index + 1, {"type": "Point",
                                               "coordinates": _l93(7.75, 48.58)},
                                   nom="hors emprise", flux="verre", volume_m3=3)
            else:
                feature = layer.feature(index)
            if equals and any(str(feature["properties"].get(k)) != v
                              for k, v in equals.items()):
                continue
            if layer.name in self.edits:
                feature = {**feature, "properties": {**feature["properties"],
                                                     **self.edits[layer.name]}}
            if convert:
                geometry = feature["geometry"]
                feature = {**feature, "geometry": {"type": geometry["type"], "coordinates":
                                                   _convert(geometry["coordinates"], convert)}}
            out.append(feature)
        return out

    def bbox(self, layer: SampleLayer) -> list[float]:
        if layer.generator:      # the benchmark grid: 316 columns of 60 m cells
            x0, y0 = layer.feature(0)["geometry"]["coordinates"][0][0]
            rows = (layer.count + 315) // 316
            w, s = _FROM_L93.transform(x0, y0)
            e, n = _FROM_L93.transform(x0 + 316 * 60, y0 + rows * 60 + 60)
            return [round(w, 4) - 0.001, round(s, 4) - 0.001, round(e, 4) + 0.001,
                    round(n, 4) + 0.001]
        return list(AREA)

    # -- WFS -----------------------------------------------------------------------
    def _wfs(self, request: Request) -> Reply:
        q = {k.lower(): v for k, v in request.query.items()}
        operation = q.get("request", "").lower()
        version = q.get("version") or q.get("acceptversions", "2.0.0").split(",")[0]
        if version not in self.wfs_versions:
            version = self.wfs_versions[0]
        if operation == "getcapabilities":
            return Reply(200, self._capabilities(version, request.base_url).encode(),
                         {"Content-Type": "application/xml"})
        if operation != "getfeature":
            return _ows_error("OperationNotSupported", "request", f"'{operation}' unknown")
        name = q.get("typenames") or q.get("typename") or ""
        layer = self.layer(name)
        if layer is None:
            return _ows_error("InvalidParameterValue", "typeNames",
                              f"Feature type {name} unknown")
        crs = q.get("srsname") or self.wfs_default_crs
        start = int(q.get("startindex", 0))
        count = min(int(q.get("count") or q.get("maxfeatures") or self.max_page),
                    self.max_page)
        equals = _fes_equals(q.get("filter", ""))
        features = self.features(layer, start, count, crs, equals)
        crs_name = "urn:ogc:def:crs:EPSG::999999" if self.unknown_crs else crs
        matched = self.count(layer) if self.lie_number_matched is None \
            else self.lie_number_matched
        return Reply(200, {"type": "FeatureCollection", "features": [
            {**f, "id": f"{layer.name}.{f['id']}", "geometry_name": "geom"} for f in features],
            "totalFeatures": matched, "numberMatched": matched,
            "numberReturned": len(features), "timeStamp": "2026-03-30T08:07:00Z",
            "crs": {"type": "name", "properties": {"name": crs_name}}})

    def _capabilities(self, version: str, base: str) -> str:
        two = version.startswith("2")
        crs = "urn:ogc:def:crs:EPSG::999999" if self.unknown_crs else self.wfs_default_crs
        types = []
        for layer in self.served():
            w, s, e, n = self.bbox(layer)
            keywords = "".join(f"<ows:Keyword>{k}</ows:Keyword>" for k in layer.keywords)
            types.append(
                f"<FeatureType><Name>metropole:{layer.name}</Name>"
                f"<Title>{_xml(self.title(layer))}</Title>"
                f"<Abstract>{_xml(layer.abstract)}</Abstract>"
                f"<ows:Keywords>{keywords}</ows:Keywords>"
                f"<{'DefaultCRS' if two else 'DefaultSRS'}>{crs}"
                f"</{'DefaultCRS' if two else 'DefaultSRS'}>"
                f"<ows:WGS84BoundingBox><ows:LowerCorner>{w} {s}</ows:LowerCorner>"
                f"<ows:UpperCorner>{e} {n}</ows:UpperCorner></ows:WGS84BoundingBox>"
                "</FeatureType>")
        ns = ('xmlns="http://www.opengis.net/wfs/2.0" xmlns:wfs="http://www.opengis.net/wfs/2.0"'
              if two else 'xmlns="http://www.opengis.net/wfs" xmlns:wfs="http://www.opengis.net/wfs"')
        href = "http://sig-interne.metropole.local:8080/geoserver/wfs?"   # leaks, as real ones
        ops = "".join(
            f'<ows:Operation name="{op}"><ows:DCP><ows:HTTP><ows:Get xlink:href="{href}"/>'
            f'</ows:HTTP></ows:DCP>{params}</ows:Operation>'
            for op, params in (
                ("GetCapabilities", ""), ("DescribeFeatureType", ""),
                ("GetFeature", '<ows:Parameter name="outputFormat">'
                 "<ows:AllowedValues><ows:Value>application/gml+xml; version=3.2</ows:Value>"
                 "<ows:Value>application/json</ows:Value></ows:AllowedValues>"
                 "</ows:Parameter>" if two else
                 '<ows:Parameter name="outputFormat"><ows:Value>text/xml; subtype=gml/3.1.1'
                 "</ows:Value><ows:Value>application/json</ows:Value></ows:Parameter>")))
        constraint = ('<ows:Constraint name="ImplementsResultPaging"><ows:NoValues/>'
                      "<ows:DefaultValue>TRUE</ows:DefaultValue></ows:Constraint>"
                      '<ows:Constraint name="CountDefault"><ows:NoValues/>'
                      f"<ows:DefaultValue>{self.max_page}</ows:DefaultValue></ows:Constraint>")
        return (f'<?xml version="1.0" encoding="UTF-8"?><wfs:WFS_Capabilities version="{version}"'
                f' {ns} xmlns:ows="http://www.opengis.net/ows{"/1.1" if two else ""}"'
                ' xmlns:xlink="http://www.w3.org/1999/xlink"'
                f' xmlns:metropole="{base}/metropole">'
                "<ows:ServiceIdentification><ows:Title>SIG de la métropole (démonstration)"
                "</ows:Title><ows:Abstract>Couches de référence</ows:Abstract>"
                f"<ows:ServiceType>WFS</ows:ServiceType><ows:ServiceTypeVersion>{version}"
                "</ows:ServiceTypeVersion></ows:ServiceIdentification>"
                f"<ows:OperationsMetadata>{ops}{constraint if two else ''}"
                f"</ows:OperationsMetadata><FeatureTypeList>{''.join(types)}"
                "</FeatureTypeList></wfs:WFS_Capabilities>")

    def _wms_capabilities(self) -> Reply:
        layers = "".join(f"<Layer queryable=\"1\"><Name>metropole:{la.name}</Name>"
                         f"<Title>{_xml(self.title(la))}</Title></Layer>"
                         for la in self.served())
        body = ('<?xml version="1.0" encoding="UTF-8"?><WMS_Capabilities version="1.3.0" '
                'xmlns="http://www.opengis.net/wms"><Service><Name>WMS</Name>'
                "<Title>SIG de la métropole</Title></Service><Capability><Layer>"
                f"<Title>Couches</Title>{layers}</Layer></Capability></WMS_Capabilities>")
        return Reply(200, body.encode(), {"Content-Type": "text/xml"})

    # -- OGC API – Features --------------------------------------------------------
    def _ogcapi(self, request: Request, path: str) -> Reply:
        root = f"{request.base_url}/ogcapi"
        if path in ("/", ""):
            return Reply(200, {"title": "SIG de la métropole", "links": [
                {"rel": "data", "href": f"{root}/collections", "type": "application/json"}]})
        if path.rstrip("/") == "/collections":
            return Reply(200, {"collections": [self._collection(la, root)
                                               for la in self.served()],
                               "links": [{"rel": "self", "href": f"{root}/collections"}]})
        match = re.match(r"^/collections/([^/]+)(/items)?/?$", path)
        layer = self.layer(match.group(1)) if match else None
        if layer is None:
            return Reply(404, {"code": "NotFound", "type": "NotFound",
                               "description": "Collection not found"})
        if not match.group(2):
            return Reply(200, self._collection(layer, root))
        try:
            limit = min(int(request.query.get("limit", 10)), self.max_page)
            offset = int(request.query.get("offset", 0))
        except ValueError:
            return Reply(400, {"code": "InvalidParameterValue", "type":
                               "InvalidParameterValue", "description": "bad limit or offset"})
        crs = request.query.get("crs") or "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
        if self.ogc_ignore_crs:
            crs = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
        reserved = {"limit", "offset", "crs", "f", "bbox", "datetime"}
        equals = {k: v for k, v in request.query.items() if k not in reserved}
        features = self.features(layer, offset, limit, crs, equals)
        matched = self.count(layer) if self.lie_number_matched is None \
            else self.lie_number_matched
        items = f"{root}/collections/{layer.name}/items"
        links = [{"rel": "self", "type": "application/geo+json", "href": items}]
        if offset + limit < self.count(layer):
            query = {"offset": offset + limit, "limit": limit}
            if request.query.get("crs"):
                query["crs"] = request.query["crs"]
            links.append({"rel": "next", "type": "application/geo+json",
                          "href": f"{items}?{urlencode(query)}"})
        content_crs = "http://www.opengis.net/def/crs/EPSG/0/999999" if self.unknown_crs \
            else crs
        return Reply(200, {"type": "FeatureCollection", "features": features,
                           "numberMatched": matched, "numberReturned": len(features),
                           "links": links},
                     {"Content-Type": "application/geo+json", "Content-Crs": f"<{content_crs}>"})

    def _collection(self, layer: SampleLayer, root: str) -> dict[str, Any]:
        crs84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
        doc: dict[str, Any] = {
            "id": layer.name, "title": self.title(layer), "description": layer.abstract,
            "keywords": layer.keywords,
            "extent": {"spatial": {"bbox": [self.bbox(layer)], "crs": crs84}},
            "crs": [crs84] + ([self.ogc_storage_crs] if self.ogc_storage_crs else []),
            "links": [{"rel": "items", "type": "application/geo+json",
                       "href": f"{root}/collections/{layer.name}/items"}],
        }
        if self.ogc_storage_crs:
            doc["storageCrs"] = self.ogc_storage_crs
        if layer.temporal:
            doc["extent"]["temporal"] = {"interval": [list(layer.temporal)],
                                         "trs": "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"}
        return doc

    # -- ArcGIS REST ---------------------------------------------------------------
    def _arcgis(self, request: Request, kind: str, layer_id: str | None, query: bool) -> Reply:
        sr = {"wkid": self.arcgis_wkid, "latestWkid": 2154 if self.arcgis_wkid == 102110
              else self.arcgis_wkid}
        if self.unknown_crs:
            sr = {"wkid": 999999}
        if layer_id is None:
            return Reply(200, {"currentVersion": 11.1, "serviceDescription": "SIG métropole",
                               "spatialReference": sr, "maxRecordCount": self.max_page,
                               "layers": [{"id": la.arcgis_id, "name": self.title(la),
                                           "subLayerIds": None} for la in self.served()]})
        layer = next((la for la in self.served() if la.arcgis_id == int(layer_id)), None)
        if layer is None:
            return Reply(200, {"error": {"code": 400, "message": "Invalid or missing input "
                                         "parameters.", "details": ["Invalid layer id"]}})
        if not query:
            return Reply(200, self._arcgis_layer(layer, sr))
        q = request.query
        if q.get("returnCountOnly") == "true":
            return Reply(200, {"count": self.count(layer)})
        where = q.get("where", "")
        equals = dict(re.findall(r"(\w+) = '([^']*)'", where))
        if q.get("returnIdsOnly") == "true":
            ids = [f["id"] for f in self.features(layer, 0, self.count(layer), L93, equals)]
            return Reply(200, {"objectIdFieldName": "OBJECTID", "objectIds": ids[::-1]})
        offset = int(q.get("resultOffset", 0)) if self.arcgis_pagination else 0
        count = min(int(q.get("resultRecordCount") or self.max_page), self.max_page)
        low = re.search(r"OBJECTID >= (\d+)", where)
        high = re.search(r"OBJECTID <= (\d+)", where)
        if low and high:
            offset, count = int(low.group(1)) - 1, int(high.group(1)) - int(low.group(1)) + 1
        out_sr = q.get("outSR") or "4326"
        crs = "EPSG:2154" if out_sr in ("102110", "2154") else "EPSG:4326"
        features = [{**f, "id": f["id"], "properties": {"OBJECTID": f["id"], **f["properties"]}}
                    for f in self.features(layer, offset, count, crs, equals)]
        more = offset + count < self.count(layer)
        if q.get("f") == "json":
            return Reply(200, {
                "objectIdFieldName": "OBJECTID",
                "geometryType": f"esriGeometry{layer.geometry_type}",
                "spatialReference": {"wkid": int(out_sr)} if out_sr != "2154" else
                {"wkid": 102110, "latestWkid": 2154},
                "features": [{"attributes": f["properties"],
                              "geometry": _esri(f["geometry"])} for f in features],
                **({"exceededTransferLimit": True} if more else {})})
        if not self.arcgis_geojson:
            return Reply(200, {"error": {"code": 400, "message": "Invalid or missing input "
                                         "parameters.", "details": ["'f' parameter invalid"]}})
        body: dict[str, Any] = {"type": "FeatureCollection", "features": features,
                                "properties": {"exceededTransferLimit": True} if more else {}}
        if crs != "EPSG:4326":
            body["crs"] = {"type": "name", "properties": {"name": crs}}
        return Reply(200, body)

    def _arcgis_layer(self, layer: SampleLayer, sr: dict[str, Any]) -> dict[str, Any]:
        w, s, e, n = self.bbox(layer)
        if sr.get("latestWkid") == 2154:
            (xmin, ymin), (xmax, ymax) = _l93(w, s), _l93(e, n)
        else:
            xmin, ymin, xmax, ymax = w, s, e, n
        doc = {"currentVersion": 11.1, "id": layer.arcgis_id, "name": self.title(layer),
               "type": "Feature Layer", "description": layer.abstract,
               "geometryType": f"esriGeometry{layer.geometry_type}",
               "extent": {"xmin": xmin, "ymin": ymin, "xmax": xmax, "ymax": ymax,
                          "spatialReference": sr},
               "objectIdField": "OBJECTID", "maxRecordCount": self.max_page,
               "supportedQueryFormats": "JSON, geoJSON, PBF" if self.arcgis_geojson
               else "JSON, AMF",
               "advancedQueryCapabilities": {"supportsPagination": self.arcgis_pagination,
                                             "supportsOrderBy": True},
               "fields": [{"name": "OBJECTID", "type": "esriFieldTypeOID"}]}
        if layer.temporal:
            doc["timeInfo"] = {"timeExtent": [1496275200000, 1735603200000]}
        return doc


def _esri(geometry: dict[str, Any] | None) -> dict[str, Any] | None:
    """GeoJSON → Esri JSON geometry (outer rings clockwise, as Esri draws them)."""
    if geometry is None:
        return None
    kind, coordinates = geometry["type"], geometry["coordinates"]
    if kind == "Point":
        return {"x": coordinates[0], "y": coordinates[1]}
    if kind == "LineString":
        return {"paths": [coordinates]}
    rings = []
    for i, ring in enumerate(coordinates):
        area = sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1)
                   in zip(ring, ring[1:], strict=False))
        clockwise = area < 0
        rings.append(ring if clockwise == (i == 0) else ring[::-1])
    return {"rings": rings}


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _fes_equals(xml: str) -> dict[str, str]:
    pairs = re.findall(r"<(?:\w+:)?(?:ValueReference|PropertyName)>([^<]+)<.*?"
                       r"<(?:\w+:)?Literal>([^<]*)<", xml)
    return dict(pairs)


def _ows_error(code: str, locator: str, text: str) -> Reply:
    body = ('<?xml version="1.0" encoding="UTF-8"?><ows:ExceptionReport version="2.0.0" '
            'xmlns:ows="http://www.opengis.net/ows/1.1"><ows:Exception exceptionCode="'
            f'{code}" locator="{locator}"><ows:ExceptionText>{_xml(text)}</ows:ExceptionText>'
            "</ows:Exception></ows:ExceptionReport>")
    return Reply(400, body.encode(), {"Content-Type": "application/xml"})


def build_gis_server(port: int = 0, host: str = "127.0.0.1", **options: Any
                     ) -> tuple[SampleServer, GisApp]:
    """A sample server with only the GIS services under ``/gis``."""
    server = SampleServer(host, port)
    app = GisApp(**options)
    server.mount("/gis", app)
    return server, app
