"""Refresh the catalogue from schema.data.gouv.fr (its ``schemas.json``).

Each Table Schema entry's newest version is fetched under the outbound
policy, checked to be a Table Schema, and written with a SOURCE.txt into the
refreshed folder (``catalogue.refreshed_dir``). One schema that fails is
reported and skipped; the others are still refreshed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ckan.plugins.toolkit as toolkit

from metropole_core import outbound

from . import catalogue, descriptors

CATALOGUE_URL_OPTION = "ckanext.metropole.table_schemas.catalogue_url"


@dataclass
class Outcome:
    written: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)


def _newest(entry: dict[str, Any]) -> tuple[str, str] | None:
    versions = [v for v in entry.get("versions") or []
                if isinstance(v, dict) and v.get("version_name") and v.get("schema_url")]
    if not versions:
        return None
    newest = max(versions, key=lambda v: catalogue._version_key(
        catalogue.normal_version(str(v["version_name"]))))
    return catalogue.normal_version(str(newest["version_name"])), str(newest["schema_url"])


def refresh(folder: Path, only: tuple[str, ...] = (), url: str | None = None) -> Outcome:
    url = url or toolkit.config.get(CATALOGUE_URL_OPTION)
    listing = outbound.fetch(url, headers={"Accept": "application/json"}, timeout=30,
                             max_bytes=20 * 1024 * 1024).json()
    outcome = Outcome()
    for entry in listing.get("schemas") or []:
        name = str(entry.get("name") or "")
        if entry.get("schema_type") != "tableschema" or (only and name not in only):
            continue
        newest = _newest(entry)
        if newest is None or not catalogue.ID_PATTERN.match(name):
            outcome.failed[name] = "no usable version"
            continue
        version, schema_url = newest
        try:
            descriptor = descriptors.fetch(schema_url)
            catalogue.write(name, version, descriptor,
                            f"Source: {schema_url} (schema.data.gouv.fr catalogue {url}), "
                            "fetched by `ckan metropole table-schemas refresh`.", folder)
        except (descriptors.NotATableSchema, ValueError, OSError) as error:
            outcome.failed[name] = str(error)
            continue
        outcome.written.append(f"{name}@{version}")
    return outcome
