"""The three ckanext-harvest stages shared by the sensor harvesters.

- gather: list the source's streams (one request or a few), group them into
  datasets, one HarvestObject per dataset carrying the streams and the state
  of the previous successful run (watermarks, units, intervals);
- fetch: read each stream's new observations (from the watermark minus the
  look-back) and aggregate them; a stream that fails is an error on the
  object, the others go on;
- import: publish the aggregates (DataStore upserts, dataset metadata,
  sensors GeoJSON). Only then does the object become ``current`` and its
  state the one the next run starts from: a failed run changes nothing.

The skeleton of the three stages is ``pipeline/harvester.py``; this module
fills in the sensor family's hooks. A protocol plugs in as a
:class:`~.protocol.StreamProtocol` adapter (``PROTOCOL``).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

from ckan import model

from metropole_core.phenomena import SENSORS_RESOURCE

from ..pipeline import config as cfg
from ..pipeline import metadata, publish
from ..pipeline.harvester import ScheduledHarvester
from . import dataset
from .aggregate import to_records
from .collect import PARIS, StreamState, collect
from .config import RULES
from .model import Stream, stream_from_dict
from .protocol import StreamProtocol

log = logging.getLogger(__name__)

DEFAULT_LOOKBACK = "PT2H"
DEFAULT_HISTORY = "P14D"


class SensorHarvesterBase(ScheduledHarvester):
    RULES: dict[str, cfg.Rule] = RULES
    PROTOCOL: StreamProtocol = StreamProtocol()
    ITEMS = "sensors"
    FETCHED = "tables"   # the aggregates; dropped once they are in the DataStore

    # -- gather ---------------------------------------------------------------------------
    def gather_contents(self, items: list[Stream], previous: dict[str, dict[str, Any]],
                        config: dict[str, Any], harvest_job: Any
                        ) -> Iterator[tuple[str, dict[str, Any]]]:
        groups: dict[str, list[Stream]] = defaultdict(list)
        for stream in items:
            groups[dataset.group_key(stream, config.get("group_by", "phenomenon"))].append(stream)
        for key, members in sorted(groups.items()):
            state = previous.get(key, {}).get("state", {})
            yield key, {"streams": [s.describe() for s in members], "state": state,
                        "missing": sorted(set(state) - {s.id for s in members})}
        for key in sorted(set(previous) - set(groups)):
            self._save_gather_error(f"{key}: the source serves none of these sensors any "
                                    "more; the dataset keeps its published data", harvest_job)

    # -- fetch: new observations of each stream, aggregated -------------------------------
    def fetch_content(self, harvest_object: Any, config: dict[str, Any],
                      data: dict[str, Any]) -> dict[str, Any] | None:
        source = harvest_object.source
        streams = [stream_from_dict(s) for s in data["streams"]]
        previous = {k: StreamState.from_dict(v) for k, v in data["state"].items()}
        for stream_id in data["missing"]:
            self._save_object_error(f"{stream_id}: no longer served by the source; its "
                                    "published data are kept", harvest_object, "Fetch")
        session = self._session(config)
        periods = tuple(config.get("periods", ["hour", "day"]))
        collected = collect(
            streams, previous,
            lambda stream, since: self.PROTOCOL.observations(session, source.url, config,
                                                             stream, since),
            periods=periods,
            lookback=cfg.parse_duration(config.get("lookback", DEFAULT_LOOKBACK)),
            initial=_history_start(config))
        for error in collected.errors:
            self._save_object_error(error, harvest_object, "Fetch")
        for warning in collected.warnings:
            log.info("%s %s: %s", source.url, harvest_object.guid, warning)
        if streams and len(collected.errors) >= len(streams) and not collected.tables:
            return None
        states = {k: v for k, v in data["state"].items() if k in data["missing"]}
        states.update({k: v.to_dict() for k, v in collected.states.items()})
        data.update(state=states, latest=collected.latest, first=collected.first,
                    tables={f"{p}|{period}": to_records(t)
                            for (p, period), t in collected.tables.items()})
        return data

    # -- publishing -----------------------------------------------------------------------
    def publish(self, context: dict[str, Any], obj: Any, config: dict[str, Any],
                data: dict[str, Any]) -> str:
        source_package = model.Package.get(obj.source.id)
        streams = [stream_from_dict(s) for s in data["streams"]]
        periods = tuple(config.get("periods", ["hour", "day"]))
        group_by = config.get("group_by", "phenomenon")
        now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        suffix = config.get("title") or (source_package.title if source_package else "")
        fields: dict[str, Any] = {
            "name": f"{source_package.name}-{obj.guid}"[:100] if source_package else obj.guid,
            "title": dataset.group_title(streams, group_by, suffix),
            "notes": dataset.notes(streams, periods, obj.source.url),
            "owner_org": source_package.owner_org if source_package else None,
            "tag_string": ",".join(sorted({"capteurs", "iot"} | {
                s.phenomenon.key for s in streams})),
            "themes": sorted(set(config.get("themes") or []) | {
                t for s in streams for t in s.phenomenon.themes}),
            "frequency": metadata.frequency_uri(periods),
            "temporal_resolution": dataset.resolution(periods),
            "communes": metadata.communes_for(((s.lon, s.lat) for s in streams),
                                              config.get("communes") or []),
            "spatial": dataset.extent(streams),
            "provenance": f"Moissonné automatiquement depuis {obj.source.url} "
                          f"({self.TITLE}).",
            "license_id": config.get("license_id", "etalab-2.0"),
            "access_level": "open",
            "personal_data": "none",
        }
        fields = {k: v for k, v in fields.items() if v is not None}
        package = publish.upsert_package(context, metadata.to_package_fields(fields))
        resource_fields = {"update_mode": "harvested", "source_url": obj.source.url,
                           "last_harvest": now}
        by_phenomenon = {s.phenomenon.key: s for s in streams}
        # hourly table first, then daily: the order the dataset page lists them
        for name, records in sorted(data["tables"].items(), key=lambda item: (
                item[0].split("|")[0], ("hour", "day").index(item[0].split("|")[1]))):
            key, period = name.split("|")
            phenomenon = by_phenomenon[key].phenomenon
            units = sorted({s.unit for s in streams if s.phenomenon.key == key})
            table = dataset.table_name(phenomenon, period)
            new = publish.resource_by_name(package, table) is None
            resource_id = publish.ensure_table(
                context, package, table,
                dataset.table_fields(phenomenon, "/".join(units)), dataset.PRIMARY_KEY,
                {**resource_fields, "source_id": ",".join(sorted(
                    s.id for s in streams if s.phenomenon.key == key))})
            publish.upsert_rows(context, resource_id, records, "insert" if new else "upsert")
        publish.put_file(context, package, SENSORS_RESOURCE,
                         dataset.sensors_geojson(streams), "capteurs.geojson", "GeoJSON",
                         "application/geo+json", resource_fields)
        coverage = _coverage(package, data)
        final = {**fields, "temporal_coverage": coverage,
                 "latest_observation": data.get("latest") or metadata.field_of(
                     package, "latest_observation")}
        final = {k: v for k, v in final.items() if v is not None}
        package = publish.upsert_package(context, metadata.to_package_fields(final))
        return package["id"]


def _coverage(package: dict[str, Any], data: dict[str, Any]) -> list[dict[str, str]] | None:
    """Temporal coverage: from the first observation ever to the latest."""
    first, latest = data.get("first"), data.get("latest")
    old = metadata.field_of(package, "temporal_coverage") or []
    if old and isinstance(old, list) and old[0].get("start"):
        first = min(filter(None, [first, old[0]["start"]]))
    if not first or not latest:
        return old or None
    return [{"start": first, "end": latest}]


def _history_start(config: dict[str, Any]) -> datetime:
    """First run: from local midnight ``history`` ago (whole days, so that
    a later run recomputes the same periods)."""
    start = datetime.now(PARIS) - cfg.parse_duration(config.get("history", DEFAULT_HISTORY))
    return datetime(start.year, start.month, start.day, tzinfo=PARIS) \
        .astimezone(timezone.utc) - timedelta(0)
