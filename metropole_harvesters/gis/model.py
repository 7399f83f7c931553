"""What a protocol client tells the GIS harvester about one layer.

A :class:`Layer` travels in the HarvestObject's content (JSON), so the fetch
stage, possibly in another process, pages the same layer the gather stage
listed. ``id`` is the layer's stable identifier when the service has one
(ArcGIS layer id, OGC API collection id; WFS only has the type name): the
dataset is named after it, so a renamed layer keeps its dataset.
"""

from __future__ import annotations

import fnmatch
from dataclasses import asdict, dataclass, field
from typing import Any

BBox = tuple[float, float, float, float]


@dataclass
class Layer:
    id: str                                 # stable identifier → dataset name, HarvestObject guid
    name: str                               # what requests use (typeName, collection id, layer id)
    title: str
    abstract: str = ""
    keywords: list[str] = field(default_factory=list)
    bbox: BBox | None = None                # declared WGS84 extent (lon/lat)
    crs: str = ""                           # native CRS as the service names it
    temporal: tuple[str | None, str | None] | None = None
    number_matched: int | None = None
    service_url: str = ""                   # the live service, for the "service" resource
    service_format: str = ""                # WFS, OGC API Features, ArcGIS REST
    previews: list[dict[str, str]] = field(default_factory=list)  # WMS/tiles links
    protocol: dict[str, Any] = field(default_factory=dict)        # what paging needs

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Layer:
        data = dict(data)
        for key in ("bbox", "temporal"):
            if data.get(key) is not None:
                data[key] = tuple(data[key])
        return cls(**data)


def selected(layer: Layer, include: list[str] | None, exclude: list[str] | None) -> bool:
    """Glob patterns (``cadastre:*``) on the layer's id, name or title."""
    keys = {layer.id, layer.name, layer.title}

    def hit(patterns: list[str]) -> bool:
        return any(fnmatch.fnmatchcase(key, p) for p in patterns for key in keys)

    if include and not hit(include):
        return False
    return not (exclude and hit(exclude))


def bbox_valid(bbox: Any) -> BBox | None:
    """A WGS84 bbox we can trust, or None (services declare zeros, world
    boxes, or swapped corners)."""
    try:
        w, s, e, n = (float(v) for v in bbox)
    except (TypeError, ValueError):
        return None
    if not (-180 <= w < e <= 180 and -90 <= s < n <= 90):
        return None
    return (w, s, e, n)
