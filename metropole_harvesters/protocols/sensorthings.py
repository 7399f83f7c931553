"""OGC SensorThings API v1.0/v1.1 client: Datastreams → Streams, Observations.

Datastreams are listed with their Thing, its Locations and the
ObservedProperty expanded, so one paged request describes every stream.
Observations are read per Datastream since a time, ordered by
phenomenonTime, with ``$select`` to keep pages small. Times are sent with
an explicit offset, percent-encoded (FROST's warning about "+").
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

import requests

from metropole_core.durations import interval_seconds

from ..pipeline.http import get_json
from ..pipeline.paging import next_link_pages
from ..sensors.model import Observations, Stream, to_number
from ..sensors.units import resolve

EXPAND = "Thing($expand=Locations),ObservedProperty"


def service_root(url: str) -> str:
    """The versioned root (…/v1.1): accept a URL with or without it."""
    url = url.rstrip("/")
    return url if re.search(r"/v1\.[01]$", url) else f"{url}/v1.1"


def list_streams(session: requests.Session, url: str, *, ids: list[Any] | None = None,
                 filter: str | None = None, page_size: int = 1000,
                 overrides: dict[str, dict] | None = None) -> list[Stream]:
    """The Datastreams selected by the source config, as Streams."""
    root = service_root(url)
    overrides = overrides or {}
    raw: list[dict] = []
    if ids:
        for ds_id in ids:
            body, _ = get_json(session, f"{root}/Datastreams({_literal(ds_id)})",
                               {"$expand": EXPAND})
            raw.append(body)
    else:
        params: dict[str, Any] = {"$expand": EXPAND, "$top": page_size,
                                  "$orderby": "id asc"}
        if filter:
            params["$filter"] = filter
        for page in next_link_pages(session, f"{root}/Datastreams", params, top=page_size):
            raw.extend(page)
    return [to_stream(root, ds, overrides.get(str(ds.get("@iot.id")))) for ds in raw]


def to_stream(root: str, ds: dict, override: dict | None = None) -> Stream:
    unit = ds.get("unitOfMeasurement") or {}
    declared = unit.get("symbol") or None
    prop = ds.get("ObservedProperty") or {}
    names = (ds.get("name"), prop.get("name"), ds.get("description"),
             (ds.get("properties") or {}).get("layerName"), unit.get("name"))
    phenomenon, published, scale = resolve(names, declared, override)
    lon, lat = _location(ds)
    thing = ds.get("Thing") or {}
    ds_id = ds.get("@iot.id")
    return Stream(
        id=str(ds_id), name=ds.get("name") or str(ds_id), phenomenon=phenomenon,
        unit=published, source_unit=declared or unit.get("name"), scale=scale,
        site=thing.get("name") or "", lon=lon, lat=lat,
        url=f"{root}/Datastreams({_literal(ds_id)})/Observations",
        interval_s=_interval(ds, override), properties=ds.get("properties") or {},
    )


def fetch_observations(session: requests.Session, stream: Stream, since: datetime | None,
                       page_size: int = 1000) -> Observations:
    """Observations of one Datastream with phenomenonTime ≥ since."""
    out = Observations()
    for page in iter_observation_pages(session, stream.url, since, page_size):
        for item in page:
            time = item.get("phenomenonTime")
            if not isinstance(time, str):
                out.rejected += 1
                continue
            value = to_number(item.get("result"))
            if value is None:
                out.rejected += 1
            out.times.append(time)
            out.values.append(value)
    return out


def iter_observation_pages(session: requests.Session, url: str, since: datetime | None,
                           page_size: int) -> Iterator[list[dict]]:
    params: dict[str, Any] = {
        "$orderby": "phenomenonTime asc",
        "$select": "phenomenonTime,result",
        "$top": page_size,
    }
    if since is not None:
        params["$filter"] = f"phenomenonTime ge {iso_utc(since)}"
    yield from next_link_pages(session, url, params, top=page_size)


def iso_utc(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _literal(ds_id: Any) -> str:
    """Ids are numbers or strings; strings are quoted in OData."""
    return str(ds_id) if isinstance(ds_id, int) or str(ds_id).isdigit() else f"'{ds_id}'"


def _location(ds: dict) -> tuple[float | None, float | None]:
    for location in (ds.get("Thing") or {}).get("Locations") or []:
        point = _point(location.get("location"))
        if point:
            return point
    return _point(ds.get("observedArea")) or (None, None)


def _point(geometry: Any) -> tuple[float, float] | None:
    if not isinstance(geometry, dict):
        return None
    if geometry.get("type") == "Feature":
        return _point(geometry.get("geometry"))
    coords = geometry.get("coordinates")
    if geometry.get("type") == "Point" and isinstance(coords, list) and len(coords) >= 2:
        return float(coords[0]), float(coords[1])
    if geometry.get("type") == "Polygon" and coords and coords[0]:
        ring = coords[0]
        return (sum(c[0] for c in ring) / len(ring), sum(c[1] for c in ring) / len(ring))
    return None


_LAYER = re.compile(r"_(\d+)-(Min|Stunde|Tag)", re.IGNORECASE)


def _interval(ds: dict, override: dict | None) -> float | None:
    if override and override.get("interval"):
        return interval_seconds(override["interval"])
    props = ds.get("properties") or {}
    for key in ("resultInterval", "interval", "samplingInterval"):
        seconds = interval_seconds(props.get(key)) if isinstance(props.get(key), str) else None
        if seconds:
            return seconds
    layer = _LAYER.search(str(props.get("layerName", "")))   # Hamburg: _15-Min, _1-Stunde
    if layer:
        factor = {"min": 60, "stunde": 3600, "tag": 86400}[layer.group(2).lower()]
        return float(int(layer.group(1)) * factor)
    return None
