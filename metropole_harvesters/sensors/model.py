"""What every protocol client turns its payloads into.

A ``Stream`` is one time series (a SensorThings Datastream, an NGSI entity's
attribute); ``Observations`` are its values as parallel lists, cheap to build
from JSON pages and to hand to pandas in one go. The aggregation, the
publishing and the GIS-free parts of the pipeline only see these.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from metropole_core.phenomena import Kind, Phenomenon


@dataclass
class Stream:
    """One time series at one place."""

    id: str                       # Datastream @iot.id, or "<entity id>/<attribute>"
    name: str
    phenomenon: Phenomenon
    unit: str                     # normalised unit of the values below
    source_unit: str | None       # unit as the server declared it
    scale: float = 1.0            # multiply raw values by this to get `unit`
    site: str = ""                # Thing / entity name, for per-site grouping
    lon: float | None = None
    lat: float | None = None
    url: str = ""                 # where its observations are read
    interval_s: float | None = None   # declared sampling interval, for completeness
    properties: dict[str, Any] = field(default_factory=dict)

    def describe(self) -> dict[str, Any]:
        """JSON-safe summary, stored in harvest objects and the GeoJSON."""
        return {
            "id": self.id, "name": self.name, "phenomenon": self.phenomenon.key,
            "unit": self.unit, "source_unit": self.source_unit, "scale": self.scale,
            "site": self.site, "lon": self.lon, "lat": self.lat, "url": self.url,
            "interval_s": self.interval_s, "properties": self.properties,
            "phenomenon_info": phenomenon_to_dict(self.phenomenon),
        }


@dataclass
class Observations:
    """Values of one stream: times as ISO strings (parsed in bulk by pandas),
    values as floats (None when the server sent null or junk), and the unit of
    each value when the protocol carries it per value (NGSI-LD unitCode)."""

    times: list[str] = field(default_factory=list)
    values: list[float | None] = field(default_factory=list)
    units: list[str | None] | None = None
    rejected: int = 0             # values that were not numbers, e.g. "n/a"

    def __len__(self) -> int:
        return len(self.times)


def to_number(value: Any) -> float | None:
    """SensorThings ``result`` can be a number, a numeric string ("7"), a
    boolean or on/off state, null, or junk: numbers out, None for the rest."""
    if value is None:
        return None
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, int | float):
        return float(value) if value == value else None  # NaN → None
    if isinstance(value, str):
        text = value.strip().lower()
        if text in STATE_WORDS:
            return STATE_WORDS[text]
        try:
            return float(text.replace(",", "."))
        except ValueError:
            return None
    if isinstance(value, dict) and "value" in value:  # NGSI normalized attribute
        return to_number(value["value"])
    return None


# Street-light states (Smart Data Models Streetlight.powerState) and booleans.
STATE_WORDS = {"on": 1.0, "off": 0.0, "true": 1.0, "false": 0.0, "bootingup": 1.0,
               "low": 1.0, "allumé": 1.0, "éteint": 0.0}


def phenomenon_to_dict(p: Phenomenon) -> dict[str, Any]:
    return {"key": p.key, "title": p.title, "kind": p.kind.value, "unit": p.unit,
            "themes": list(p.themes), "description": p.description}


def phenomenon_from_dict(d: dict[str, Any]) -> Phenomenon:
    return Phenomenon(d["key"], d["title"], Kind(d["kind"]), d["unit"], tuple(d["themes"]),
                      d.get("description", ""))


def stream_from_dict(d: dict[str, Any]) -> Stream:
    """Inverse of ``Stream.describe`` (streams travel between harvest stages
    as JSON in the harvest object)."""
    fields = {k: d.get(k) for k in ("id", "name", "unit", "source_unit", "site", "lon", "lat",
                                     "url", "interval_s")}
    return Stream(**fields, scale=d.get("scale", 1.0),
                  phenomenon=phenomenon_from_dict(d["phenomenon_info"]),
                  properties=d.get("properties") or {})
