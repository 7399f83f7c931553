"""FIWARE client: NGSI-v2 entities + QuantumLeap, NGSI-LD entities + temporal.

One Stream per (entity, attribute). Traps handled (reference README §2):
QuantumLeap's three response shapes (legacy ``{"data": …}``, current
``{id, attrName, index, values}``, spec ``entityId``) and ``200 []`` for
"nothing"; naive QuantumLeap timestamps (UTC by QuantumLeap's convention);
Orion's total only with ``options=count``; NGSI-LD temporal simplified
(``values: [[v, t]]``) or normalized (instances with ``unitCode``), paged
with HTTP 206 + ``Next-Page``/``pageAnchor``; fillingLevel is 0..1.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any
from urllib.parse import quote

import requests

from metropole_core.durations import interval_seconds

from ..pipeline.http import HarvestHTTPError, get_json
from ..pipeline.paging import MAX_PAGES, offset_pages
from ..sensors.model import Observations, Stream, to_number
from ..sensors.units import resolve

SKIP_ATTRIBUTES = {"id", "type", "location", "name", "address", "dateObserved",
                   "dateCreated", "dateModified", "refDevice", "description", "@context",
                   "source", "dataProvider", "status", "seeAlso", "areaServed"}


def headers_for(config: dict[str, Any]) -> dict[str, str]:
    headers = {}
    if config.get("fiware_service"):
        headers["Fiware-Service"] = config["fiware_service"]
        headers["NGSILD-Tenant"] = config["fiware_service"]
    if config.get("fiware_servicepath"):
        headers["Fiware-ServicePath"] = config["fiware_servicepath"]
    return headers


# -- entities → streams ------------------------------------------------------------
def list_streams(session: requests.Session, config: dict[str, Any],
                 overrides: dict[str, dict] | None = None) -> list[Stream]:
    flavour = config.get("flavour", "v2")
    base = config["url"].rstrip("/")
    headers = headers_for(config)
    entities: list[dict] = []
    for entity_type in config.get("entity_types") or [None]:
        params: dict[str, Any] = {}
        if entity_type:
            params["type"] = entity_type
        if flavour == "ld":
            url, params["count"] = f"{base}/ngsi-ld/v1/entities", "true"
            total = _header_total("NGSILD-Results-Count")
        else:
            url, params["options"] = f"{base}/v2/entities", "count"
            total = _header_total("Fiware-Total-Count")
        for page in offset_pages(session, url, params, limit=int(config.get("page_size", 100)),
                                 items_of=_entity_list, headers=headers, total_of=total):
            entities.extend(page)
    wanted_ids = set(config.get("entity_ids") or [])
    streams = []
    for entity in entities:
        if wanted_ids and entity.get("id") not in wanted_ids:
            continue
        streams.extend(_entity_streams(entity, config, overrides or {}))
    return streams


def _entity_list(body: Any) -> list[dict]:
    if not isinstance(body, list):
        raise HarvestHTTPError(f"expected a list of entities, got {type(body).__name__}", "")
    return body


def _header_total(name: str):
    def total(body: Any, response: requests.Response) -> int | None:
        value = response.headers.get(name)
        return int(value) if value and value.isdigit() else None
    return total


def _entity_streams(entity: dict, config: dict, overrides: dict[str, dict]) -> list[Stream]:
    flavour = config.get("flavour", "v2")
    attributes = config.get("attributes") or [
        k for k, v in entity.items() if k not in SKIP_ATTRIBUTES and _numeric_like(v)]
    lon, lat = _location(entity.get("location"))
    name = _plain(entity.get("name")) or entity["id"]
    streams = []
    for attr in attributes:
        if attr not in entity:
            continue
        stream_id = f"{entity['id']}/{attr}"
        declared = _unit_code(entity[attr])
        phenomenon, unit, scale = resolve((attr, entity.get("type"), name), declared,
                                          overrides.get(stream_id))
        if flavour == "ld":
            url = f"{config['url'].rstrip('/')}/ngsi-ld/v1/temporal/entities/" \
                  f"{quote(entity['id'], safe=':')}"
        else:
            ql = (config.get("quantumleap_url") or config["url"]).rstrip("/")
            url = f"{ql}/v2/entities/{quote(entity['id'], safe=':')}/attrs/{attr}"
        streams.append(Stream(
            id=stream_id, name=f"{name} — {attr}", phenomenon=phenomenon, unit=unit,
            source_unit=declared, scale=scale, site=name, lon=lon, lat=lat, url=url,
            interval_s=_interval(overrides.get(stream_id)),
            properties={"entity_id": entity["id"], "entity_type": entity.get("type"),
                        "attribute": attr}))
    return streams


def _numeric_like(value: Any) -> bool:
    raw = value.get("value") if isinstance(value, dict) else value
    return to_number(raw) is not None and not isinstance(raw, dict)


def _plain(value: Any) -> Any:
    return value.get("value") if isinstance(value, dict) else value


def _unit_code(attribute: Any) -> str | None:
    if not isinstance(attribute, dict):
        return None
    if isinstance(attribute.get("unitCode"), str):             # NGSI-LD
        return attribute["unitCode"]
    unit = (attribute.get("metadata") or {}).get("unitCode")    # NGSI-v2
    return _plain(unit) if unit else None


def _location(location: Any) -> tuple[float | None, float | None]:
    geometry = _plain(location)
    if isinstance(geometry, dict) and geometry.get("type") == "Point":
        lon, lat = geometry["coordinates"][:2]
        return float(lon), float(lat)
    return None, None


def _interval(override: dict | None) -> float | None:
    return interval_seconds(override.get("interval")) if override else None


# -- time series ------------------------------------------------------------------
def fetch_observations(session: requests.Session, stream: Stream, since: datetime | None,
                       config: dict[str, Any]) -> Observations:
    if config.get("flavour", "v2") == "ld":
        return _fetch_ld(session, stream, since, config)
    return _fetch_ql(session, stream, since, config)


def _fetch_ql(session: requests.Session, stream: Stream, since: datetime | None,
              config: dict[str, Any]) -> Observations:
    params: dict[str, Any] = {}
    if since is not None:
        params["fromDate"] = _iso(since)
    out = Observations()
    for page in offset_pages(
            session, stream.url, params, limit=int(config.get("page_size_series", 10000)),
            items_of=_ql_series, headers=headers_for(config)):
        for time, value in page:
            number = to_number(value)
            out.rejected += number is None
            out.times.append(_utc(time))
            out.values.append(number)
    return out


def _ql_series(body: Any) -> list[tuple[str, Any]]:
    """QuantumLeap's time series, whatever the version, as (time, value) pairs
    (a list, so that offset paging can count and compare pages)."""
    if body == [] or body is None:
        return []
    if isinstance(body, dict) and isinstance(body.get("data"), dict):
        body = body["data"]
    if not isinstance(body, dict) or not isinstance(body.get("index"), list):
        raise HarvestHTTPError("unexpected QuantumLeap answer (no index/values)", "")
    index, values = body["index"], body.get("values") or []
    if len(index) != len(values):
        raise HarvestHTTPError(f"QuantumLeap answer with {len(index)} times and "
                               f"{len(values)} values", "")
    return list(zip(index, values, strict=True))


def _fetch_ld(session: requests.Session, stream: Stream, since: datetime | None,
              config: dict[str, Any]) -> Observations:
    attr = stream.properties["attribute"]
    params: dict[str, Any] = {"attrs": attr, "pageSize": int(config.get("page_size", 100))}
    if since is not None:
        params.update(timerel="after", timeAt=_iso(since))
    else:
        params.update(timerel="after", timeAt="1970-01-01T00:00:00Z")
    headers = headers_for(config)
    out = Observations(units=[])
    for _ in range(MAX_PAGES):
        body, response = get_json(session, stream.url, params, headers)
        attribute = body.get(attr) if isinstance(body, dict) else None
        _ld_values(attribute, out)
        anchor = response.headers.get("Next-Page")
        if response.status_code != 206 or not anchor:
            return out
        params = {**params, "pageAnchor": anchor}
    raise HarvestHTTPError("too many temporal pages", stream.url)


def _ld_values(attribute: Any, out: Observations) -> None:
    if attribute is None:
        return
    if isinstance(attribute, dict) and isinstance(attribute.get("values"), list):
        pairs = [(p[1], p[0], None) for p in attribute["values"] if len(p) >= 2]
    else:
        instances = attribute if isinstance(attribute, list) else [attribute]
        pairs = [(i.get("observedAt"), i.get("value"), i.get("unitCode"))
                 for i in instances if isinstance(i, dict)]
    for time, value, unit in pairs:
        if not isinstance(time, str):
            out.rejected += 1
            continue
        number = to_number(value)
        out.rejected += number is None
        out.times.append(time)
        out.values.append(number)
        out.units.append(unit)


def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _utc(text: str) -> str:
    """QuantumLeap stores UTC; old versions print it without an offset."""
    has_offset = text.endswith("Z") or "+" in text[10:] or "-" in text[10:]
    return text if has_offset else text + "Z"
