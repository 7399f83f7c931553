"""The three ckanext-harvest stages shared by the GIS harvesters.

- gather: list the service's layers (capabilities, collections, layer
  definitions), keep those the source selects, one HarvestObject per layer
  (guid = the layer's stable id); a layer published before and not listed
  now gets an object too, counting its consecutive absences;
- fetch: page the layer's features, reproject them to WGS84 and stream them
  into staging files (``snapshot.py``); any failure discards the staging
  files and is recorded on the layer's object — the published snapshot is
  untouched and the next run starts afresh;
- import: publish the dataset and its resources; files are uploaded only
  when their content hash changed, metadata patched only when a field
  changed, so an unchanged layer changes nothing (same metadata_modified).
  A layer absent ``withdraw_after`` runs in a row is made private with a
  note — never deleted; it becomes public again if it comes back.

The skeleton of the three stages is ``pipeline/harvester.py``; this module
fills in the GIS family's hooks. A protocol plugs in as a
:class:`~.protocol.LayerProtocol` adapter (``PROTOCOL``).
"""

from __future__ import annotations

import json
import logging
import tempfile
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import ckan.plugins.toolkit as toolkit
from ckan import model

from ..pipeline import config as cfg
from ..pipeline import metadata, publish
from ..pipeline.harvester import ScheduledHarvester
from ..pipeline.objects import make_current
from . import dataset
from .communes import CommuneMatcher
from .config import RULES
from .crs import CrsRef, epsg_label
from .geometry import Issues
from .model import Layer, selected
from .protocol import LayerProtocol
from .snapshot import Snapshot, SnapshotWriter

log = logging.getLogger(__name__)
DEFAULT_WITHDRAW_AFTER = 3


def staging_dir() -> Path:
    """Where snapshots are written before upload: next to CKAN's uploads
    (same disk, so CKAN's copy is local), else the system temp folder."""
    # An explicit default: CKAN warns about undeclared options read without one.
    configured = toolkit.config.get("ckanext.metropole.gis.staging_path", None)
    storage = toolkit.config.get("ckan.storage_path")
    if configured:
        return Path(configured)
    return Path(storage) / "gis-staging" if storage else Path(tempfile.gettempdir()) / \
        "gis-staging"


class GisHarvesterBase(ScheduledHarvester):
    RULES: dict[str, cfg.Rule] = RULES
    PROTOCOL: LayerProtocol = LayerProtocol()
    DEFAULT_TIMEOUT = 60   # GetFeature pages of polygons can take a while to render
    ITEMS = "layers"
    FETCHED = "snapshot"
    KEPT = "dataset is unchanged"

    def validate_config(self, config: str | None) -> str | None:
        super().validate_config(config)
        parsed = cfg.load(config)
        org = parsed.get("organization")
        if org and model.Group.get(org) is None:
            raise cfg.ConfigError(f"organization: no organisation '{org}'")
        return config

    # -- gather ---------------------------------------------------------------------------
    def list_items(self, session: Any, url: str, config: dict[str, Any]) -> list[Layer]:
        return [la for la in super().list_items(session, url, config)
                if selected(la, config.get("include"), config.get("exclude"))]

    def gather_contents(self, items: list[Layer], previous: dict[str, dict[str, Any]],
                        config: dict[str, Any], harvest_job: Any
                        ) -> Iterator[tuple[str, dict[str, Any]]]:
        for layer in items:
            yield layer.id, {"layer": layer.to_dict(), "absent": 0}
        # A layer published before and not listed now counts one more absence.
        listed = {la.id for la in items}
        for guid, state in sorted(previous.items()):
            if guid in listed or "layer" not in state:
                continue
            yield guid, {"layer": state["layer"], "absent": int(state.get("absent", 0)) + 1,
                         "withdrawn": state.get("withdrawn", False),
                         "package_id": state.get("package_id")}

    # -- fetch: stream the layer's pages into staging files ------------------------------
    def fetch_content(self, harvest_object: Any, config: dict[str, Any],
                      data: dict[str, Any]) -> dict[str, Any] | None:
        if data.get("absent"):
            return data
        layer = Layer.from_dict(data["layer"])
        matcher = CommuneMatcher()
        writer = SnapshotWriter(staging_dir(), layer.bbox, observers=[matcher.add],
                                basename=dataset.slug(layer.id, 40))
        seen: dict[str, Any] = {}
        try:
            for page in self.PROTOCOL.pages(self._session(config), layer, config, seen):
                writer.add(page)
            snapshot = writer.finish()
        except Exception as error:
            writer.abort()
            log.info("%s %s: %s", harvest_object.source.url, layer.id, error)
            self._save_object_error(f"{layer.title} ({layer.id}): {error}. The published "
                                    "snapshot is unchanged.", harvest_object, "Fetch")
            return None
        for message in _report(layer, snapshot, seen):
            self._save_object_error(message, harvest_object, "Fetch")
        data["snapshot"] = {
            "directory": str(snapshot.directory), "geojson": str(snapshot.geojson),
            "csv": str(snapshot.csv), "geojson_hash": snapshot.geojson_hash,
            "csv_hash": snapshot.csv_hash, "count": snapshot.count, "bbox": snapshot.bbox,
            "issues": snapshot.issues.to_dict(), "warnings": snapshot.warnings,
            "crs": _crs_label(layer)}
        data["communes"] = sorted(matcher.found)
        return data

    # -- import ---------------------------------------------------------------------------
    def import_unfetched(self, harvest_object: Any, config: dict[str, Any],
                         data: dict[str, Any]) -> bool:
        if data.get("absent"):
            return self._absent(self.import_context(), harvest_object, config, data)
        return False

    def after_publish(self, data: dict[str, Any]) -> None:
        Snapshot.discard_directory(data["snapshot"]["directory"])

    def next_state(self, data: dict[str, Any]) -> dict[str, Any]:
        snapshot = data["snapshot"]
        return {"layer": data["layer"], "absent": 0, "hashes": {
            "geojson": snapshot["geojson_hash"], "csv": snapshot["csv_hash"]}}

    # -- publishing -----------------------------------------------------------------------
    def publish(self, context: dict[str, Any], obj: Any, config: dict[str, Any],
                data: dict[str, Any]) -> str:
        layer = Layer.from_dict(data["layer"])
        snap = data["snapshot"]
        source_package = model.Package.get(obj.source.id)
        source_name = source_package.name if source_package else self.SOURCE_TYPE
        owner = config.get("organization") or (source_package.owner_org if source_package
                                               else None)
        if owner and model.Group.get(owner) is not None:
            owner = model.Group.get(owner).id
        communes = data.get("communes") or sorted(set(config.get("communes") or [])) or \
            ["metropole"]
        bbox = tuple(snap["bbox"]) if snap.get("bbox") else None
        fields = dataset.package_fields(
            layer, name=dataset.dataset_name(source_name, layer), owner_org=owner,
            config=config, source_url=obj.source.url, count=snap["count"],
            crs_label=snap["crs"], communes=communes, bbox=bbox,  # type: ignore[arg-type]
            title_suffix=config.get("title"))
        existing = publish.find_package(context, fields["name"])
        if existing and metadata.field_of(existing, "private_reason"):
            fields["private_reason"] = ""      # back from a withdrawal: public again
        package = publish.upsert_package(context, metadata.to_package_fields(fields))
        now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        common = {"update_mode": "harvested", "source_url": obj.source.url,
                  "source_id": layer.id}
        publish.ensure_link(context, package, dataset.SERVICE, layer.service_url,
                            layer.service_format, common)
        issues = Issues(**{k: v for k, v in snap["issues"].items()})
        description = dataset.snapshot_description(snap["count"], issues, snap["warnings"])
        publish.put_path(context, package, dataset.GEOJSON, Path(snap["geojson"]),
                         snap["geojson_hash"], "GeoJSON", "application/geo+json",
                         {**common, "last_harvest": now, "description": description})
        publish.put_path(context, package, dataset.CSV, Path(snap["csv"]), snap["csv_hash"],
                         "CSV", "text/csv", {**common, "last_harvest": now,
                                             "description": "Attributs des entités, une "
                                             "ligne par entité (id en première colonne)."})
        for preview in layer.previews:
            publish.ensure_link(context, package, dataset.PREVIEW, preview["url"],
                                preview["format"], common)
        return package["id"]

    def _absent(self, context: dict[str, Any], obj: Any, config: dict[str, Any],
                data: dict[str, Any]) -> bool:
        """A layer published before and missing now: keep the dataset; after
        ``withdraw_after`` consecutive absences make it private with a note."""
        limit = int(config.get("withdraw_after", DEFAULT_WITHDRAW_AFTER))
        layer = Layer.from_dict(data["layer"])
        package = publish.find_package(context, data.get("package_id") or "") \
            if data.get("package_id") else None
        withdrawn = bool(data.get("withdrawn"))
        if package is not None and data["absent"] >= limit and not package.get("private"):
            day = datetime.now(timezone.utc).strftime("%d/%m/%Y")
            note = (f"**Couche retirée** : « {layer.title} » n'est plus servie par "
                    f"{obj.source.url} depuis {data['absent']} moissonnages (constaté le "
                    f"{day}). Le jeu de données est conservé, rendu privé ; il redevient "
                    "public si la couche réapparaît.\n\n")
            publish.call("package_patch", context, {
                "id": package["id"], "private": True, "notes": note + (package.get("notes") or ""),
                # the charter wants a reason for an open dataset kept private
                "private_reason": f"Couche retirée du service source le {day}."})
            withdrawn = True
        self._save_object_error(
            f"{layer.title} ({layer.id}): absent from the service ({data['absent']}/{limit})"
            + ("; dataset withdrawn (private), not deleted" if withdrawn else
               "; the dataset is kept"), obj, "Import")
        make_current(obj, package["id"] if package else data.get("package_id"))
        obj.content = json.dumps({"layer": data["layer"], "absent": data["absent"],
                                  "withdrawn": withdrawn})
        obj.save()
        return True


def _crs_label(layer: Layer) -> str:
    return epsg_label(CrsRef.parse(layer.crs)) if layer.crs else "inconnu"


def _report(layer: Layer, snapshot: Snapshot, seen: dict[str, Any]) -> list[str]:
    """What the job page should say about this layer beyond success."""
    messages = []
    issues = snapshot.issues
    for kind, label in (("skipped", "features skipped"), ("repaired", "geometries repaired"),
                        ("outside_extent", "features outside the declared extent")):
        count = getattr(issues, kind)
        if count:
            examples = "; ".join(issues.examples.get(kind, []))
            messages.append(f"{layer.id}: {count} {label} (e.g. {examples})")
    messages += [f"{layer.id}: {w}" for w in snapshot.warnings]
    claimed = seen.get("number_matched")
    received = snapshot.count + issues.skipped
    if isinstance(claimed, int) and claimed != received:
        messages.append(f"{layer.id}: the server announced numberMatched={claimed}, "
                        f"{received} features were served (paged to the end regardless)")
    return messages
