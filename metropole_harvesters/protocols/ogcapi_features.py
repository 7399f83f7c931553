"""OGC API – Features (Part 1, Part 2 CRS) client for the GIS harvester.

Not OWSLib's client: it has no timeout and follows no ``next`` link. Here:

- ``/collections`` lists the layers (id = collection id, stable);
- items are paged by ``next`` links (pipeline/paging.py: relative or
  absolute, same server only, a full page without a next link probed with
  ``offset``, a repeated page refused), ``Accept: application/geo+json``
  because pygeoapi's next links drop ``f=json``;
- when the collection offers its storage CRS (Part 2), we ask for it and
  reproject ourselves; the ``Content-Crs`` header of each answer says what
  came back (absent: CRS84, lon/lat). An ``http://www.opengis.net/def/crs/
  EPSG/0/4326`` answer is lat/lon.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import requests

from ..gis.crs import WGS84, CrsRef
from ..gis.geometry import Page
from ..gis.model import Layer, bbox_valid
from ..pipeline.http import HarvestHTTPError, get_json, same_origin_join
from ..pipeline.paging import next_link_pages

ACCEPT = {"Accept": "application/geo+json, application/json;q=0.9"}
CRS84_NAMES = ("http://www.opengis.net/def/crs/OGC/1.3/CRS84", "OGC:CRS84")


def _link(links: list[dict[str, Any]] | None, rel: str) -> str | None:
    for link in links or []:
        if link.get("rel") == rel and "html" not in (link.get("type") or ""):
            return link.get("href")
    return None


def list_layers(session: requests.Session, url: str) -> list[Layer]:
    root = url.rstrip("/")
    body, response = get_json(session, f"{root}/collections", {"f": "json"})
    if not isinstance(body, dict) or not isinstance(body.get("collections"), list):
        raise HarvestHTTPError(f"{response.url}: no 'collections' list", response.url)
    return [_layer(root, c, response.url) for c in body["collections"]
            if isinstance(c, dict) and c.get("id") is not None]


def _layer(root: str, collection: dict[str, Any], listed_at: str) -> Layer:
    cid = str(collection["id"])
    extent = collection.get("extent") or {}
    spatial = extent.get("spatial") or {}
    bbox = None
    if (spatial.get("crs") or CRS84_NAMES[0]) in CRS84_NAMES and spatial.get("bbox"):
        box = spatial["bbox"][0]
        bbox = bbox_valid([box[0], box[1], box[3], box[4]] if len(box) == 6 else box)
    interval = ((extent.get("temporal") or {}).get("interval") or [None])[0]
    temporal = (interval[0], interval[1]) if interval and any(interval) else None
    storage = collection.get("storageCrs")
    offered = collection.get("crs") or []
    request_crs = storage if storage and storage not in CRS84_NAMES and storage in offered \
        else None
    items = _link(collection.get("links"), "items")
    items_url = same_origin_join(listed_at, items) if items else \
        f"{root}/collections/{cid}/items"
    tiles = _link(collection.get("links"), "tiles") or \
        _link(collection.get("links"), "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector")
    return Layer(
        id=cid, name=cid, title=str(collection.get("title") or cid),
        abstract=str(collection.get("description") or ""),
        keywords=[str(k) for k in collection.get("keywords") or [] if isinstance(k, str)],
        bbox=bbox, crs=storage or WGS84, temporal=temporal,
        service_url=f"{root}/collections/{cid}", service_format="OGC API Features",
        previews=[{"url": same_origin_join(listed_at, tiles), "format": "OGC API Tiles"}]
        if tiles else [],
        protocol={"items_url": items_url, "request_crs": request_crs})


def pages(session: requests.Session, layer: Layer, page_size: int,
          equals: dict[str, Any] | None = None, seen: dict[str, Any] | None = None
          ) -> Iterator[Page]:
    params: dict[str, Any] = {"limit": page_size, "f": "json", **(equals or {})}
    if layer.protocol.get("request_crs"):
        params["crs"] = layer.protocol["request_crs"]
    current = {"crs": CrsRef.parse(WGS84)}
    seen = seen if seen is not None else {}

    def on_page(body: Any, response: requests.Response) -> None:
        header = response.headers.get("Content-Crs", "").strip().strip("<>")
        current["crs"] = CrsRef.parse(header or WGS84)
        if "numberMatched" in body and "number_matched" not in seen:
            seen["number_matched"] = body["numberMatched"]

    def next_of(body: Any) -> str | None:
        return _link(body.get("links"), "next") if isinstance(body, dict) else None

    for features in next_link_pages(session, layer.protocol["items_url"], params,
                                    items_key="features", skip_param="offset",
                                    top=page_size, next_of=next_of, on_page=on_page):
        yield Page(features, current["crs"])
