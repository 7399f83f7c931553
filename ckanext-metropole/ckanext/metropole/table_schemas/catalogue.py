"""The catalogue of national Table Schemas a resource may declare.

Shipped as package data of ``metropole_core`` (``schemas/table_schemas/
<owner>/<name>/<version>.json``, each with its SOURCE.txt), read through
importlib.resources; ``ckan metropole table-schemas refresh`` writes newer
versions from schema.data.gouv.fr into a writable folder (the storage path),
read on top of the shipped ones.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from metropole_core.schema_files import SCHEMAS

SHIPPED: Traversable = SCHEMAS / "table_schemas"
REFRESHED_OPTION = "ckanext.metropole.table_schemas.refreshed_dir"
# "<owner>/<name>" as schema.data.gouv.fr names them.
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_.-]*/[a-z0-9][a-z0-9_.-]*$")
VERSION_PATTERN = re.compile(r"^[0-9][0-9A-Za-z.+-]*$")


@dataclass(frozen=True)
class Entry:
    """One version of one catalogue schema."""

    schema_id: str
    version: str
    descriptor: dict[str, Any]

    @property
    def key(self) -> str:
        """What a resource stores to declare it: ``<id>@<version>``."""
        return f"{self.schema_id}@{self.version}"

    @property
    def title(self) -> str:
        return str(self.descriptor.get("title") or self.schema_id)


def normal_version(version: str) -> str:
    """``v2.3.0`` and ``2.3.0`` are the same version."""
    return version[1:] if version[:1] in "vV" and version[1:2].isdigit() else version


def _version_key(version: str) -> tuple:
    return tuple(int(p) if p.isdigit() else -1 for p in re.split(r"[.+-]", version))


def refreshed_dir() -> Path | None:
    import ckan.plugins.toolkit as toolkit

    configured = toolkit.config.get(REFRESHED_OPTION)
    if configured:
        return Path(configured)
    storage = toolkit.config.get("ckan.storage_path")
    return Path(storage) / "table_schemas" if storage else None


def _read(root: Traversable | Path) -> dict[str, Entry]:
    entries: dict[str, Entry] = {}
    if not root.is_dir():
        return entries
    for owner in root.iterdir():
        if not owner.is_dir():
            continue
        for name in owner.iterdir():
            if not name.is_dir():
                continue
            for file in name.iterdir():
                if not file.name.endswith(".json"):
                    continue
                entry = Entry(f"{owner.name}/{name.name}", file.name[:-5],
                              json.loads(file.read_text(encoding="utf-8")))
                entries[entry.key] = entry
    return entries


def entries() -> dict[str, Entry]:
    """Every catalogue version by key, the refreshed ones over the shipped."""
    found = _read(SHIPPED)
    folder = refreshed_dir()
    if folder is not None:
        found.update(_read(folder))
    return found


def latest(schema_id: str) -> Entry | None:
    versions = [e for e in entries().values() if e.schema_id == schema_id]
    return max(versions, key=lambda e: _version_key(e.version), default=None)


def find(reference: str) -> Entry | None:
    """``<id>@<version>``, or ``<id>`` for its newest version."""
    schema_id, _, version = reference.strip().partition("@")
    if not version:
        return latest(schema_id)
    return entries().get(f"{schema_id}@{normal_version(version)}")


def choices() -> list[dict[str, str]]:
    """The form's list: newest first within each schema."""
    ordered = sorted(entries().values(),
                     key=lambda e: (e.title.lower(), [-p for p in _version_key(e.version)]))
    return [{"value": e.key, "label": f"{e.title} — v{e.version} ({e.schema_id})"}
            for e in ordered]


def write(schema_id: str, version: str, descriptor: dict[str, Any], source: str,
          folder: Path) -> Path:
    """Store one refreshed version (and where it came from)."""
    if not ID_PATTERN.match(schema_id) or not VERSION_PATTERN.match(version):
        raise ValueError(f"unexpected schema id or version: {schema_id!r} {version!r}")
    target = folder / schema_id
    target.mkdir(parents=True, exist_ok=True)
    path = target / f"{version}.json"
    path.write_text(json.dumps(descriptor, ensure_ascii=False, indent=1), encoding="utf-8")
    (target / "SOURCE.txt").write_text(source + "\n", encoding="utf-8")
    return path
