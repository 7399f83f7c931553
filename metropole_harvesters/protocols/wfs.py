"""OGC WFS client for the GIS harvester: capabilities, then GetFeature pages.

- GetCapabilities is asked in 2.0.0 and, when the server refuses or answers
  another version, in 1.1.0; the document is fetched with our session (a
  timeout on every request) and parsed by OWSLib (``xml=``: OWSLib makes no
  request of its own). OWSLib does not read ``ows:DefaultValue``, so the
  server's page limit ``CountDefault`` is read here with lxml.
- GetFeature is sent to the URL we were configured with, not the DCP URL of
  the capabilities (servers advertise internal hosts), asking GeoJSON in the
  layer's native CRS: reprojection is ours (pyproj), with the axis order the
  CRS name implies (``gis/crs.py``); the ``crs`` member of the answer wins.
- Paging by startIndex/count until an empty or short page; ``numberMatched``
  is only compared, never trusted to stop.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit
from xml.sax.saxutils import escape

import requests
from lxml import etree
from owslib.wfs import WebFeatureService

from ..gis.crs import CrsRef
from ..gis.geometry import Page
from ..gis.model import Layer, bbox_valid
from ..pipeline.http import HarvestHTTPError, get, ows_code, ows_exception
from ..pipeline.paging import offset_pages

XML_ACCEPT = {"Accept": "application/xml, text/xml;q=0.9, */*;q=0.1"}
_OWS_PARAMS = {"service", "request", "version", "acceptversions"}
VERSIONS = ("2.0.0", "1.1.0")


def base_url(url: str) -> str:
    """The service URL without OWS request parameters (keeps ``map=`` etc.)."""
    parts = urlsplit(url)
    kept = [(k, v) for k, v in parse_qsl(parts.query) if k.lower() not in _OWS_PARAMS]
    return urlunsplit(parts._replace(query=urlencode(kept)))


def capabilities(session: requests.Session, url: str) -> tuple[WebFeatureService, bytes]:
    """Parsed capabilities, 2.0.0 preferred, 1.1.0 as fallback."""
    problems = []
    for version in VERSIONS:
        try:
            response = get(session, base_url(url), {"service": "WFS", "request":
                                                    "GetCapabilities", "version": version},
                           headers=XML_ACCEPT)
        except HarvestHTTPError as error:
            problems.append(f"{version}: {error}")
            continue
        body = response.content
        if ows_exception(body):
            problems.append(f"{version}: {ows_code(body)}")
            continue
        try:
            root = etree.fromstring(body)
        except etree.XMLSyntaxError as error:
            problems.append(f"{version}: capabilities are not XML ({error})")
            continue
        served = root.get("version", version)
        if served not in VERSIONS:
            problems.append(f"{version}: the server answered version {served}")
            continue
        try:
            return WebFeatureService(base_url(url), version=served, xml=body), body
        except Exception as error:  # OWSLib raises whatever its parser meets
            problems.append(f"{served}: unreadable capabilities ({error})")
    raise HarvestHTTPError("WFS GetCapabilities failed: " + "; ".join(problems), url)


def count_default(xml: bytes) -> int | None:
    """The server's maximum features per request (``CountDefault``)."""
    root = etree.fromstring(xml)
    values = root.xpath("//*[local-name()='Constraint'][@name='CountDefault']"
                        "/*[local-name()='DefaultValue']/text()")
    try:
        return int(values[0].strip()) if values else None
    except ValueError:
        return None


def _json_format(service: WebFeatureService) -> str:
    """GeoServer says application/json, ArcGIS WFSServer GEOJSON."""
    try:
        values = service.getOperationByName("GetFeature").parameters["outputFormat"]["values"]
    except (KeyError, AttributeError, TypeError):
        values = []
    for wanted in ("application/json", "application/geo+json", "geojson", "json"):
        for value in values:
            if wanted in value.lower():
                return value
    return "application/json"


def wms_layers(session: requests.Session, url: str) -> tuple[str, set[str]] | None:
    """The WMS next to a GeoServer/MapServer WFS (``…/wfs`` → ``…/wms``;
    ``…/ows`` serves both) and the layer names it draws, when it answers;
    None otherwise (a preview link must not point at nothing)."""
    base = base_url(url)
    path = urlsplit(base).path.rstrip("/")
    if path.endswith("/wfs"):
        wms = base.replace(path, path[:-4] + "/wms", 1)
    elif path.endswith("/ows"):
        wms = base
    else:
        return None
    try:
        response = get(session, wms, {"service": "WMS", "request": "GetCapabilities",
                                      "version": "1.3.0"}, headers=XML_ACCEPT)
        root = etree.fromstring(response.content)
    except (HarvestHTTPError, etree.XMLSyntaxError):
        return None
    names = root.xpath("//*[local-name()='Layer']/*[local-name()='Name']/text()")
    return wms, {n.strip() for n in names}


def list_layers(session: requests.Session, url: str) -> list[Layer]:
    service, xml = capabilities(session, url)
    wms = wms_layers(session, url)
    page_max = count_default(xml)
    output_format = _json_format(service)
    root = base_url(url)
    layers = []
    for name, content in service.contents.items():
        crs_options = [str(c.getcodeurn() if hasattr(c, "getcodeurn") else c)
                       for c in content.crsOptions or []]
        keywords = [k.strip() for k in content.keywords or [] if k and k.strip()]
        layers.append(Layer(
            id=name, name=name, title=(content.title or name).strip(),
            abstract=(content.abstract or "").strip(), keywords=keywords,
            bbox=bbox_valid(content.boundingBoxWGS84), crs=crs_options[0] if crs_options else "",
            service_url=f"{root}{'&' if '?' in root else '?'}service=WFS&request=GetCapabilities",
            service_format="WFS", previews=_wms_preview(wms, name),
            protocol={"version": service.version, "output_format": output_format,
                      "page_max": page_max, "url": root}))
    return layers


def _wms_preview(wms: tuple[str, set[str]] | None, name: str) -> list[dict[str, str]]:
    if not wms or (name not in wms[1] and name.split(":")[-1] not in wms[1]):
        return []
    joiner = "&" if "?" in wms[0] else "?"
    return [{"url": f"{wms[0]}{joiner}service=WMS&request=GetCapabilities&layers={name}",
             "format": "WMS"}]


def filter_xml(equals: dict[str, Any], version: str) -> str:
    """An attribute filter {name: value} as FES 2.0 / OGC Filter 1.1 XML."""
    if version.startswith("2"):
        ns, ref = 'xmlns:fes="http://www.opengis.net/fes/2.0"', "ValueReference"
        p = "fes"
    else:
        ns, ref, p = 'xmlns:ogc="http://www.opengis.net/ogc"', "PropertyName", "ogc"
    tests = "".join(f"<{p}:PropertyIsEqualTo><{p}:{ref}>{escape(str(k))}</{p}:{ref}>"
                    f"<{p}:Literal>{escape(str(v))}</{p}:Literal></{p}:PropertyIsEqualTo>"
                    for k, v in sorted(equals.items()))
    if len(equals) > 1:
        tests = f"<{p}:And>{tests}</{p}:And>"
    return f"<{p}:Filter {ns}>{tests}</{p}:Filter>"


def pages(session: requests.Session, layer: Layer, page_size: int,
          equals: dict[str, Any] | None = None, sort_by: str | None = None,
          seen: dict[str, Any] | None = None) -> Iterator[Page]:
    """GeoJSON pages of the layer in its native CRS. ``seen`` receives what
    the server claimed (numberMatched) for the report."""
    version = layer.protocol.get("version", "2.0.0")
    limit = min(page_size, layer.protocol.get("page_max") or page_size)
    two = version.startswith("2")
    params: dict[str, Any] = {
        "service": "WFS", "version": version, "request": "GetFeature",
        ("typeNames" if two else "typeName"): layer.name,
        "outputFormat": layer.protocol.get("output_format", "application/json"),
    }
    if layer.crs:
        params["srsName"] = layer.crs
    if sort_by:
        params["sortBy"] = sort_by
    if equals:
        params["filter"] = filter_xml(equals, version)
    current = {"crs": CrsRef.parse(layer.crs or "EPSG:4326")}
    seen = seen if seen is not None else {}

    def on_page(body: Any, response: requests.Response) -> None:
        if not isinstance(body, dict) or not isinstance(body.get("features"), list):
            raise HarvestHTTPError(f"{response.url}: not a GeoJSON FeatureCollection",
                                   response.url)
        named = ((body.get("crs") or {}).get("properties") or {}).get("name")
        if named:
            current["crs"] = CrsRef.parse(named)
        if "numberMatched" in body and "number_matched" not in seen:
            seen["number_matched"] = body["numberMatched"]

    for features in offset_pages(session, layer.protocol.get("url") or layer.service_url,
                                 params, limit=limit,
                                 limit_param="count" if two else "maxFeatures",
                                 offset_param="startIndex",
                                 items_of=lambda body: body["features"], on_page=on_page):
        yield Page(features, current["crs"])
