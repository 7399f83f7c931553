"""Publishing to CKAN: datasets, DataStore tables, file resources.

Shared by the sensor and GIS harvesters. Rules that make re-runs safe:

- nothing is written when nothing changed: metadata is patched only for the
  fields that differ, a file resource is replaced only when its hash
  differs — so ``metadata_modified`` and resource versions stay put;
- a DataStore table is written with one ``datastore_upsert`` (one database
  transaction) keyed on its primary key: a re-run updates rows in place,
  never duplicates them, and a failure leaves the previous rows as they were;
- resources are found again by name, which we generate.
"""

from __future__ import annotations

import hashlib
import io
from pathlib import Path
from typing import Any

import ckan.plugins.toolkit as toolkit
from werkzeug.datastructures import FileStorage

UPSERT_CHUNK = 50_000   # rows per datastore_upsert call; each call is one transaction


def call(action: str, context: dict[str, Any], data: dict[str, Any]) -> Any:
    # A fresh context per call: CKAN actions mutate it (package, schema…).
    return toolkit.get_action(action)({**context}, data)


def find_package(context: dict[str, Any], name: str) -> dict[str, Any] | None:
    try:
        return call("package_show", context, {"id": name})
    except toolkit.ObjectNotFound:
        return None


def upsert_package(context: dict[str, Any], fields: dict[str, Any]) -> dict[str, Any]:
    """Create the dataset, or patch only the fields that changed."""
    existing = find_package(context, fields["name"])
    if existing is None or existing.get("state") == "deleted":
        if existing is not None:
            fields = {**fields, "id": existing["id"], "state": "active"}
            return call("package_update", context, {**existing, **fields})
        return call("package_create", context, fields)
    changed = {k: v for k, v in fields.items() if k != "extras" and _current(existing, k) != v}
    if "extras" in fields:
        current = {e["key"]: e["value"] for e in existing.get("extras") or []}
        wanted = {e["key"]: e["value"] for e in fields["extras"]}
        if any(current.get(k) != v for k, v in wanted.items()):
            changed["extras"] = [{"key": k, "value": v} for k, v in {**current, **wanted}.items()]
    if not changed:
        return existing
    return call("package_patch", context, {"id": existing["id"], **changed})


def _current(package: dict[str, Any], key: str) -> Any:
    """A field as we would write it (package_show gives tags, not tag_string)."""
    if key == "tag_string":
        return ",".join(sorted(t["name"] for t in package.get("tags") or []))
    return package.get(key)


def resource_by_name(package: dict[str, Any], name: str) -> dict[str, Any] | None:
    return next((r for r in package.get("resources") or [] if r.get("name") == name), None)


def ensure_table(context: dict[str, Any], package: dict[str, Any], name: str,
                 fields: list[dict[str, Any]], primary_key: list[str],
                 resource_fields: dict[str, Any]) -> str:
    """A DataStore table as a resource of the dataset; its data dictionary
    (field labels, descriptions, units) refreshed when it changed."""
    resource = resource_by_name(package, name)
    if resource is None:
        created = call("datastore_create", context, {
            "resource": {"package_id": package["id"], "name": name, "format": "CSV",
                         **resource_fields},
            "fields": fields, "primary_key": primary_key, "force": True,
        })
        return created["resource_id"]
    current = call("datastore_info", context, {"id": resource["id"]})
    have = {f["id"]: f.get("info") or {} for f in current.get("fields", [])}
    if any(have.get(f["id"]) != f.get("info") for f in fields):
        call("datastore_create", context, {"resource_id": resource["id"], "fields": fields,
                                            "primary_key": primary_key, "force": True})
    stale = {k: v for k, v in resource_fields.items() if k != "last_harvest"
             and resource.get(k) != v}
    if stale:
        call("resource_patch", context, {"id": resource["id"], **stale})
    return resource["id"]


def upsert_rows(context: dict[str, Any], resource_id: str, records: list[dict[str, Any]],
                method: str = "upsert") -> None:
    """``insert`` for a table just created: one bulk statement, where the
    DataStore's upsert runs two statements per row (first harvests)."""
    for start in range(0, len(records), UPSERT_CHUNK):
        call("datastore_upsert", context, {
            "resource_id": resource_id, "records": records[start: start + UPSERT_CHUNK],
            "method": method, "force": True, "calculate_record_count": False,
        })


def put_file(context: dict[str, Any], package: dict[str, Any], name: str, content: bytes,
             filename: str, fmt: str, content_type: str, resource_fields: dict[str, Any]
             ) -> str:
    """Upload a file resource (``content_type``: its media type, as the caller
    knows it), or leave it alone when its content is the same."""
    digest = "sha256:" + hashlib.sha256(content).hexdigest()
    resource = resource_by_name(package, name)
    if resource is not None and resource.get("hash") == digest:
        return resource["id"]
    upload = FileStorage(stream=io.BytesIO(content), filename=filename,
                         content_type=content_type)
    data = {"name": name, "format": fmt, "hash": digest, "upload": upload, "url": filename,
            **resource_fields}
    if resource is None:
        return call("resource_create", context, {"package_id": package["id"], **data})["id"]
    return call("resource_patch", context, {"id": resource["id"], **data})["id"]


def put_path(context: dict[str, Any], package: dict[str, Any], name: str, path: Path,
             digest: str, fmt: str, content_type: str, resource_fields: dict[str, Any]
             ) -> tuple[str, bool]:
    """Upload a file from disk (streamed by CKAN's uploader, which writes
    ``<file>~`` then renames it over the previous file), or leave the
    resource alone when ``digest`` is its hash. Returns (id, written)."""
    resource = resource_by_name(package, name)
    if resource is not None and resource.get("hash") == digest:
        return resource["id"], False
    with open(path, "rb") as stream:
        upload = FileStorage(stream=stream, filename=path.name, content_type=content_type)
        data = {"name": name, "format": fmt, "hash": digest, "upload": upload,
                "url": path.name, "size": path.stat().st_size, **resource_fields}
        if resource is None:
            return call("resource_create", context, {"package_id": package["id"],
                                                     **data})["id"], True
        return call("resource_patch", context, {"id": resource["id"], **data})["id"], True


def ensure_link(context: dict[str, Any], package: dict[str, Any], name: str, url: str,
                fmt: str, resource_fields: dict[str, Any]) -> str:
    """A link resource (a live service), created once, patched only when a
    field other than ``last_harvest`` differs."""
    resource = resource_by_name(package, name)
    wanted = {"url": url, "format": fmt, **resource_fields}
    if resource is None:
        return call("resource_create", context, {"package_id": package["id"], "name": name,
                                                 **wanted})["id"]
    stale = {k: v for k, v in wanted.items() if k != "last_harvest" and resource.get(k) != v}
    if stale:
        call("resource_patch", context, {"id": resource["id"], **stale})
    return resource["id"]
