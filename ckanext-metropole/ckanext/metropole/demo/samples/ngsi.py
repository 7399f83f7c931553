"""A sample FIWARE platform: Orion NGSI-v2, QuantumLeap, NGSI-LD (+ temporal).

Entities follow the Smart Data Models the metropoles use — WasteContainer
(``fillingLevel`` 0..1), Streetlight (``powerState`` on/off) and
NoiseLevelObserved (``LAeq``) — with the answers' real shapes: the
``Fiware-Total-Count`` header with ``options=count``; QuantumLeap's current
unwrapped shape or the legacy ``{"data": …}`` one, and ``200 []`` when
nothing matches; NGSI-LD ``NGSILD-Results-Count``; temporal pages as Mintaka
(206, ``Next-Page``, ``pageAnchor``); errors as Orion / ProblemDetails.

Paths (under the server's ``/ngsi`` prefix): ``/v2/entities`` (Orion),
``/ql/v2/entities/{id}/attrs/{attr}`` (QuantumLeap),
``/ngsi-ld/v1/entities``, ``/ngsi-ld/v1/temporal/entities/{id}``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from urllib.parse import unquote

from .base import Reply, Request
from .data import Clock, Sensor, default_start, iso, parse_iso

TYPES = {"fill": ("WasteContainer", "fillingLevel", None),
         "light": ("Streetlight", "powerState", None),
         "noise": ("NoiseLevelObserved", "LAeq", "2N")}


def _entity_id(s: Sensor, ld: bool = False) -> str:
    kind = TYPES[s.kind][0]
    return f"urn:ngsi-ld:{kind}:{s.id}" if ld else f"{kind}:{s.id}"


@dataclass
class NgsiApp:
    sensors: list[Sensor]
    clock: Clock = field(default_factory=Clock)
    start: float | None = None
    ql_shape: str = "current"            # current | legacy
    ql_max_limit: int = 10000
    ld_page_size: int = 100
    service: str | None = None           # required Fiware-Service, if set
    naive_times: bool = False            # old QuantumLeap: timestamps without offset

    def __call__(self, request: Request) -> Reply:
        if self.service and request.headers.get("fiware-service") != self.service \
                and request.headers.get("ngsild-tenant") != self.service:
            return Reply(404, {"error": "NotFound",
                               "description": "No records for this Fiware-Service"})
        path = request.path
        if path == "/v2/entities":
            return self._v2_entities(request)
        match = re.match(r"^/ql/v2/entities/([^/]+)/attrs/([^/]+)$", path)
        if match:
            return self._ql(request, unquote(match.group(1)), match.group(2))
        if path == "/ngsi-ld/v1/entities":
            return self._ld_entities(request)
        match = re.match(r"^/ngsi-ld/v1/temporal/entities/([^/]+)$", path)
        if match:
            return self._ld_temporal(request, unquote(match.group(1)))
        return Reply(404, {"error": "NotFound", "description": f"no resource {path}"})

    # -- helpers ------------------------------------------------------------------
    def _first(self) -> float:
        return self.start if self.start is not None else default_start(self.clock.now())

    def _by_type(self, request: Request, ld: bool) -> list[Sensor]:
        wanted = set(filter(None, request.query.get("type", "").split(",")))
        return [s for s in self.sensors
                if s.kind in TYPES and (not wanted or TYPES[s.kind][0] in wanted)]

    def _value(self, s: Sensor, t: float) -> object:
        value = s.value(t)
        if value is None:
            return None
        return ("on" if value else "off") if s.kind == "light" else value

    def _times(self, s: Sensor, since: float | None, until: float | None) -> range:
        first, now = self._first(), self.clock.now()
        k_min = 0 if since is None else max(0, math.ceil((since - first) / s.interval))
        last = now if until is None else min(now, until)
        k_max = math.floor((last - first) / s.interval)
        return range(k_min, k_max + 1)

    def _stamp(self, t: float) -> str:
        if self.naive_times:
            return datetime.fromtimestamp(t, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")
        return iso(t)

    # -- Orion NGSI-v2 ----------------------------------------------------------------
    def _v2_entities(self, request: Request) -> Reply:
        sensors = self._by_type(request, ld=False)
        limit = min(int(request.query.get("limit", 20)), 1000)
        offset = int(request.query.get("offset", 0))
        key_values = "keyValues" in request.query.get("options", "")
        now = self.clock.now()
        entities = []
        for s in sensors[offset: offset + limit]:
            kind, attr, unit = TYPES[s.kind]
            value = self._value(s, now)
            location = {"type": "Point", "coordinates": [s.lon, s.lat]}
            if key_values:
                entities.append({"id": _entity_id(s), "type": kind, "name": s.name,
                                 attr: value, "location": location})
                continue
            metadata = {"unitCode": {"type": "Text", "value": unit}} if unit else {}
            entities.append({
                "id": _entity_id(s), "type": kind,
                "name": {"type": "Text", "value": s.name, "metadata": {}},
                attr: {"type": "Text" if s.kind == "light" else "Number", "value": value,
                       "metadata": metadata},
                "location": {"type": "geo:json", "value": location, "metadata": {}},
            })
        headers = {}
        if "count" in request.query.get("options", ""):
            headers["Fiware-Total-Count"] = str(len(sensors))
        return Reply(200, entities, headers)

    # -- QuantumLeap ----------------------------------------------------------------------
    def _ql(self, request: Request, entity_id: str, attr: str) -> Reply:
        sensor = next((s for s in self.sensors if s.kind in TYPES
                       and _entity_id(s) == entity_id and TYPES[s.kind][1] == attr), None)
        if sensor is None:
            return Reply(200, [])           # current QuantumLeap: 200 [] when nothing
        since = _time(request.query.get("fromDate"))
        until = _time(request.query.get("toDate"))
        limit = min(int(request.query.get("limit", 10000)), self.ql_max_limit)
        offset = int(request.query.get("offset", 0))
        ks = self._times(sensor, since, until)[offset: offset + limit]
        if not len(ks):
            return Reply(200, [])
        first = self._first()
        index = [self._stamp(first + k * sensor.interval) for k in ks]
        values = [self._value(sensor, first + k * sensor.interval) for k in ks]
        kind = TYPES[sensor.kind][0]
        if self.ql_shape == "legacy":
            return Reply(200, {"data": {"attrName": attr, "entityId": entity_id,
                                        "index": index, "values": values}})
        return Reply(200, {"id": entity_id, "type": kind, "attrName": attr,
                           "index": index, "values": values})

    # -- NGSI-LD ----------------------------------------------------------------------------
    def _ld_entities(self, request: Request) -> Reply:
        sensors = self._by_type(request, ld=True)
        limit = min(int(request.query.get("limit", 20)), 1000)
        offset = int(request.query.get("offset", 0))
        now = self.clock.now()
        entities = []
        for s in sensors[offset: offset + limit]:
            kind, attr, unit = TYPES[s.kind]
            prop = {"type": "Property", "value": self._value(s, now), "observedAt": iso(now)}
            if unit:
                prop["unitCode"] = unit
            entities.append({
                "id": _entity_id(s, ld=True), "type": kind,
                "name": {"type": "Property", "value": s.name}, attr: prop,
                "location": {"type": "GeoProperty",
                             "value": {"type": "Point", "coordinates": [s.lon, s.lat]}},
            })
        headers = {"NGSILD-Results-Count": str(len(sensors))} \
            if request.query.get("count") == "true" else {}
        return Reply(200, entities, headers)

    def _ld_temporal(self, request: Request, entity_id: str) -> Reply:
        sensor = next((s for s in self.sensors
                       if s.kind in TYPES and _entity_id(s, ld=True) == entity_id), None)
        if sensor is None:
            return Reply(404, {"type": "https://uri.etsi.org/ngsi-ld/errors/ResourceNotFound",
                               "title": "Entity not found", "detail": entity_id})
        kind, attr, unit = TYPES[sensor.kind]
        since = _time(request.query.get("timeAt")) \
            if request.query.get("timerel") in ("after", "between") else None
        until = _time(request.query.get("endTimeAt")) \
            if request.query.get("timerel") == "between" else None
        ks = self._times(sensor, since, until)
        size = min(int(request.query.get("pageSize", self.ld_page_size)), 1000)
        anchor = int(request.query.get("pageAnchor", 0) or 0)
        page = ks[anchor: anchor + size]
        first = self._first()
        simplified = "temporalValues" in (request.query.get("format", "")
                                          + request.query.get("options", ""))
        if simplified:
            values = [[self._value(sensor, first + k * sensor.interval),
                       iso(first + k * sensor.interval)] for k in page]
            attribute: object = {"type": "Property", "values": values}
        else:
            attribute = [{"type": "Property", "value": self._value(sensor, first + k *
                                                                  sensor.interval),
                          "observedAt": iso(first + k * sensor.interval),
                          **({"unitCode": unit} if unit else {})} for k in page]
        body = {"id": entity_id, "type": kind, attr: attribute}
        headers = {"NGSILD-Results-Count": str(len(ks))}
        if anchor + size < len(ks):
            headers["Next-Page"] = str(anchor + size)
            headers["Page-Size"] = str(size)
            return Reply(206, body, headers)
        return Reply(200, body, headers)


def _time(text: str | None) -> float | None:
    return parse_iso(text) if text else None
