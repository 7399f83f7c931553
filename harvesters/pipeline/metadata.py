"""Harvested metadata → the catalogue schema's fields, in one place.

The catalogue schema (``schemas/dataset.yaml``, ckanext-scheming) defines
``themes``, ``communes``, ``frequency``, ``temporal_coverage``… When
scheming is not enabled these names would be rejected as unknown top-level
keys, so they travel as extras (lists and objects JSON-encoded) instead:
:func:`to_package_fields` is the only place that knows.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable, Iterable
from typing import Any

FREQUENCY_BASE = "http://publications.europa.eu/resource/authority/frequency/"
FREQUENCIES = {"hour": "HOURLY", "day": "DAILY"}
RESOLUTIONS = {"hour": "PT1H", "day": "P1D"}

# Core CKAN package fields: always top-level.
CORE = {"name", "title", "notes", "owner_org", "license_id", "tag_string", "private",
        "resources", "extras", "url", "version", "author", "maintainer", "id"}

CommunesLookup = Callable[[list[tuple[float, float]]], list[str]]
# Where the commune shapes lookup lives (the catalogue issue provides it);
# the first importable one is used.
COMMUNES_LOOKUPS = ("ckanext.metropole.communes.lookup:communes_for_points",
                    "ckanext.metropole.communes.registry:communes_for_points")


def communes_lookup() -> CommunesLookup | None:
    for target in COMMUNES_LOOKUPS:
        module, _, name = target.partition(":")
        try:
            return getattr(importlib.import_module(module), name)
        except (ImportError, AttributeError):
            continue
    return None


def communes_for(points: Iterable[tuple[float, float]], default: list[str]) -> list[str]:
    """INSEE codes of the communes containing the points; the source's
    configured communes when the lookup is missing or finds nothing."""
    points = [p for p in points if None not in p]
    lookup = communes_lookup()
    found: list[str] = []
    if lookup and points:
        try:
            found = list(lookup(points))
        except Exception:  # shapes not loaded yet: fall back, never fail a harvest
            found = []
    return sorted(set(found)) or sorted(set(default))


def frequency_uri(periods: Iterable[str]) -> str:
    finest = "hour" if "hour" in periods else "day"
    return FREQUENCY_BASE + FREQUENCIES[finest]


def scheming_enabled() -> bool:
    import ckan.plugins as plugins

    return plugins.plugin_loaded("scheming_datasets")


def to_package_fields(fields: dict[str, Any], scheming: bool | None = None) -> dict[str, Any]:
    """Schema fields as top-level keys with scheming, as extras without."""
    scheming = scheming_enabled() if scheming is None else scheming
    if scheming:
        return dict(fields)
    package = {k: v for k, v in fields.items() if k in CORE}
    extras = [{"key": k, "value": v if isinstance(v, str) else json.dumps(v, sort_keys=True)}
              for k, v in sorted(fields.items()) if k not in CORE and v is not None]
    package["extras"] = extras
    return package


def field_of(package: dict[str, Any], name: str) -> Any:
    """Read a schema field back, whether top-level or an extra."""
    if name in package:
        return package[name]
    for extra in package.get("extras") or []:
        if extra.get("key") == name:
            try:
                return json.loads(extra["value"])
            except (ValueError, TypeError):
                return extra["value"]
    return None
