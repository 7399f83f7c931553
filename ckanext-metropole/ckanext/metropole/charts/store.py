"""Where the charts read: a sensor dataset's aggregate tables and its sensors.

Everything goes through CKAN actions with the caller's context, so a user
only ever charts what ``package_show``/``datastore_search`` let them see
(private and draft datasets included in that rule).

Aggregate tables are found by the names the sensor harvester gives them
(``<phenomenon title> — agrégats horaires|journaliers``): the harvester
finds its own resources again by those names, so they are stable.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

import ckan.plugins.toolkit as toolkit

from metropole_core.phenomena import PERIOD_LABELS, PHENOMENA, SENSORS_RESOURCE

log = logging.getLogger(__name__)

PERIODS = ("hour", "day")
_BY_TITLE = {p.title: p for p in PHENOMENA.values()}


@dataclass(frozen=True)
class Table:
    """One aggregate table: a resource of a sensor dataset."""

    resource: dict[str, Any]
    phenomenon_title: str
    period: str                      # "hour" | "day"

    @property
    def id(self) -> str:
        return self.resource["id"]

    @property
    def phenomenon_key(self) -> str | None:
        known = _BY_TITLE.get(self.phenomenon_title)
        return known.key if known else None


def aggregate_table(resource: dict[str, Any]) -> Table | None:
    """The resource as an aggregate table, or None when it is something else."""
    name = resource.get("name") or ""
    for period, label in PERIOD_LABELS.items():
        suffix = f" — {label}"
        if name.endswith(suffix):
            return Table(resource, name[: -len(suffix)], period)
    return None


def tables_of(package: dict[str, Any]) -> dict[str, dict[str, Table]]:
    """Phenomenon title → period → table, in the dataset's resource order."""
    out: dict[str, dict[str, Table]] = {}
    for resource in package.get("resources") or []:
        table = aggregate_table(resource)
        if table is not None:
            out.setdefault(table.phenomenon_title, {})[table.period] = table
    return out


def siblings(package: dict[str, Any], resource: dict[str, Any]) -> dict[str, Table]:
    """The hourly and daily tables of the same phenomenon as ``resource``."""
    table = aggregate_table(resource)
    if table is None:
        return {}
    return tables_of(package).get(table.phenomenon_title, {table.period: table})


def context() -> dict[str, Any]:
    """The current user's context (anonymous outside a logged-in request)."""
    user = toolkit.g.get("user") if toolkit.g else None
    return {"user": user or ""}


def read_rows(ctx: dict[str, Any], table: Table, limit: int) -> tuple[list[dict], list[str]]:
    """The latest ``limit`` rows of a table (newest first) and its column names."""
    result = toolkit.get_action("datastore_search")({**ctx}, {
        "resource_id": table.id, "limit": limit, "sort": "period_start desc",
        "include_total": False,
    })
    return result["records"], [f["id"] for f in result["fields"]]


def stream_count(table: Table) -> int:
    """How many sensors a table holds (the harvester lists them in ``source_id``)."""
    ids = table.resource.get("source_id") or ""
    return max(1, len([s for s in ids.split(",") if s]))


@dataclass(frozen=True)
class Sensor:
    stream: str
    name: str
    site: str
    lon: float | None
    lat: float | None


def sensors_of(ctx: dict[str, Any], package: dict[str, Any]) -> dict[str, Sensor]:
    """Stream id → sensor (name, place), from the dataset's sensors GeoJSON."""
    resource = next((r for r in package.get("resources") or []
                     if r.get("name") == SENSORS_RESOURCE), None)
    if resource is None:
        return {}
    raw = _read_upload(resource)
    if not raw:
        return {}
    try:
        features = json.loads(raw).get("features") or []
    except ValueError:
        return {}
    out = {}
    for feature in features:
        props = feature.get("properties") or {}
        coords = (feature.get("geometry") or {}).get("coordinates") or [None, None]
        stream = str(props.get("stream"))
        out[stream] = Sensor(stream, props.get("name") or stream, props.get("site") or "",
                             coords[0], coords[1])
    return out


def _read_upload(resource: dict[str, Any]) -> bytes | None:
    """An uploaded file's bytes, read the way CKAN's download view reads it
    (file-keeper storage or a path on disk); None when unreadable."""
    if resource.get("url_type") != "upload":
        return None
    from ckan.lib import files, uploader

    try:
        upload = uploader.get_resource_uploader(resource)
        path = upload.get_path(resource["id"])
        storage = getattr(upload, "storage", None)
        if storage is not None and hasattr(storage, "stream"):
            location = files.Location(path)
            data = files.FileData(location, size=storage.size(location))
            return b"".join(storage.stream(data))
        with open(path, "rb") as handle:
            return handle.read()
    except Exception:  # a missing file must not break a page: names fall back to ids
        log.warning("cannot read the sensors file of resource %s", resource.get("id"))
        return None


def find_sensor_datasets(ctx: dict[str, Any], theme: str, rows: int = 50
                         ) -> list[dict[str, Any]]:
    """Datasets of a theme the user may see that hold aggregate tables."""
    result = toolkit.get_action("package_search")({**ctx}, {
        "fq": f'vocab_themes:"{theme}"', "rows": rows, "include_private": True,
        "sort": "title_string asc",
    })
    return [p for p in result["results"] if tables_of(p)]
