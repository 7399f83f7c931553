"""A sample OGC SensorThings API server (v1.0 and v1.1, FROST-like answers).

Serves Things (with Locations), Datastreams (with ObservedProperty, unit)
and their Observations with ``$top``/``$skip``/``$filter`` on
phenomenonTime/``$orderby``/``$select``/``$count``, ``@iot.nextLink``
paging and FROST's error shape. Switches reproduce the traps of the README
of the reference samples: a page-size cap, next links relative, absolute or
missing, a datastream that disappears, a unit that changes, results sent as
strings or null, duplicated and out-of-order observations.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from urllib.parse import quote, urlencode

from .base import Reply, Request
from .data import Clock, Sensor, default_start, iso, parse_iso

_ENTITY = re.compile(r"^/(v1\.[01])/(Things|Datastreams)(?:\((\d+)\))?(/Observations)?/?$")
_TIME_FILTER = re.compile(r"phenomenonTime\s+(ge|gt|le|lt|eq)\s+([0-9T:.\-+Z]+)")


def _error(code: int, message: str) -> Reply:
    # FROST's shape (Service.java jsonResponse), message cut at 200 chars.
    return Reply(code, {"type": "error", "code": code, "message": message[:200]})


@dataclass
class SensorThingsApp:
    sensors: list[Sensor]
    clock: Clock = field(default_factory=Clock)
    start: float | None = None            # first observation time (default: 14 days)
    default_top: int = 100
    max_top: int = 1000                   # page-size cap, as FROST's maxTop
    next_link: str = "absolute"           # absolute | relative | missing
    removed: set[int] = field(default_factory=set)
    unit_change: dict[int, tuple[str, str, float]] = field(default_factory=dict)
    string_results: set[int] = field(default_factory=set)
    null_every: int = 0                   # every n-th result is null
    messy: set[int] = field(default_factory=set)    # reversed pages + a duplicate

    def __call__(self, request: Request) -> Reply:
        match = _ENTITY.match(request.path)
        if not match:
            return _error(404, f"Not a valid path: {request.path}")
        version, collection, entity_id, observations = match.groups()
        root = f"{request.base_url}/{version}"
        sensors = [s for s in self.sensors if s.id not in self.removed]
        if entity_id is not None:
            found = next((s for s in sensors if s.id == int(entity_id)), None)
            if found is None:
                return _error(404, "Nothing found.")
            if observations:
                return self._observations(found, request, root)
            return Reply(200, self._datastream(found, root) if collection == "Datastreams"
                         else self._thing(found, root))
        make = self._datastream if collection == "Datastreams" else self._thing
        return self._page([make(s, root) for s in sensors], request, root)

    # -- entities -------------------------------------------------------------
    def _start(self) -> float:
        return self.start if self.start is not None else default_start(self.clock.now())

    def _thing(self, s: Sensor, root: str) -> dict:
        return {
            "@iot.id": s.id, "@iot.selfLink": f"{root}/Things({s.id})",
            "name": s.site, "description": f"Site de mesure {s.site}",
            "properties": {"operator": "Métropole Aix-Marseille-Provence"},
            "Locations": [{
                "@iot.id": s.id, "name": s.site, "encodingType": "application/geo+json",
                "location": {"type": "Point", "coordinates": [s.lon, s.lat]},
            }],
        }

    def _unit(self, s: Sensor) -> tuple[str, str | None, float]:
        if s.id in self.unit_change:
            return self.unit_change[s.id]
        return s.unit_name, s.unit_symbol, 1.0

    def _datastream(self, s: Sensor, root: str) -> dict:
        name, symbol, _ = self._unit(s)
        first, last = self._range()
        return {
            "@iot.id": s.id, "@iot.selfLink": f"{root}/Datastreams({s.id})",
            "name": s.name, "description": f"{s.observed_property} — {s.site}",
            "observationType": "http://www.opengis.net/def/observationType/OGC-OM/2.0/"
                               "OM_Measurement",
            "unitOfMeasurement": {"name": name, "symbol": symbol,
                                  "definition": s.unit_definition},
            "phenomenonTime": f"{iso(first)}/{iso(last)}" if last >= first else None,
            "properties": {"resultInterval": f"PT{s.interval // 60}M", "kind": s.kind},
            "ObservedProperty": {"@iot.id": s.id, "name": s.observed_property,
                                 "definition": "", "description": s.observed_property},
            "Thing": self._thing(s, root),
            "Observations@iot.navigationLink": f"{root}/Datastreams({s.id})/Observations",
        }

    def _range(self) -> tuple[float, float]:
        return self._start(), self.clock.now()

    # -- collections and paging -------------------------------------------------
    def _top_skip(self, request: Request) -> tuple[int, int] | Reply:
        try:
            top = int(request.query.get("$top", self.default_top))
            skip = int(request.query.get("$skip", 0))
        except ValueError:
            return _error(400, "Failed to parse $top or $skip")
        return min(max(top, 0), self.max_top), max(skip, 0)

    def _next(self, request: Request, skip: int) -> str | None:
        if self.next_link == "missing":
            return None
        query = {k: v for k, v in request.query.items() if k != "$skip"}
        query["$skip"] = str(skip)
        encoded = urlencode(query, quote_via=quote, safe="$(),")
        if self.next_link == "relative":          # relative to the request URL
            return f"{request.path.rsplit('/', 1)[-1]}?{encoded}"
        return f"{request.base_url}{request.path}?{encoded}"

    def _page(self, items: list[dict], request: Request, root: str) -> Reply:
        paging = self._top_skip(request)
        if isinstance(paging, Reply):
            return paging
        top, skip = paging
        body: dict = {}
        if request.query.get("$count") == "true":
            body["@iot.count"] = len(items)
        page = items[skip: skip + top]
        if skip + top < len(items):
            link = self._next(request, skip + top)
            if link:
                body["@iot.nextLink"] = link
        body["value"] = page
        return Reply(200, body)

    def _observations(self, s: Sensor, request: Request, root: str) -> Reply:
        paging = self._top_skip(request)
        if isinstance(paging, Reply):
            return paging
        top, skip = paging
        first, last = self._range()
        k_min, k_max = 0, math.floor((last - first) / s.interval)
        for op, value in _TIME_FILTER.findall(request.query.get("$filter", "")):
            try:
                t = parse_iso(value)
            except ValueError:
                return _error(400, f"Failed to parse filter: {value}")
            k = (t - first) / s.interval
            if op in ("ge", "eq"):
                k_min = max(k_min, math.ceil(k))
            if op == "gt":
                k_min = max(k_min, math.floor(k) + 1)
            if op in ("le", "eq"):
                k_max = min(k_max, math.floor(k))
            if op == "lt":
                k_max = min(k_max, math.ceil(k) - 1)
        total = max(0, k_max - k_min + 1)
        descending = "desc" in request.query.get("$orderby", "")
        ks = range(skip, min(skip + top, total))
        ks = [k_max - i for i in ks] if descending else [k_min + i for i in ks]
        _, _, scale = self._unit(s)
        value = [self._observation(s, first, k, scale, root) for k in ks]
        if s.id in self.messy and value:
            value = list(reversed(value)) + [dict(value[0])]
        body: dict = {}
        if request.query.get("$count") == "true":
            body["@iot.count"] = total
        if skip + top < total:
            link = self._next(request, skip + top)
            if link:
                body["@iot.nextLink"] = link
        body["value"] = value
        return Reply(200, body)

    def _observation(self, s: Sensor, first: float, k: int, scale: float, root: str) -> dict:
        t = first + k * s.interval
        raw = s.value(t)
        result: float | str | None = None if raw is None else raw * scale
        if scale != 1.0 and result is not None:
            result = round(result, 6)
        if result is None or self.null_every and k % self.null_every == self.null_every - 1:
            result = None
        elif s.kind == "light":
            result = "on" if result else "off"
        elif s.id in self.string_results:
            result = f"{result:g}"
        oid = s.id * 10_000_000 + k
        return {"@iot.id": oid, "@iot.selfLink": f"{root}/Observations({oid})",
                "phenomenonTime": iso(t), "resultTime": iso(t), "result": result}

