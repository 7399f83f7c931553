"""The catalogue schema's fields on a dataset dict, whether scheming is on or not.

The catalogue schema (``metropole_core/schemas/dataset.yaml``, ckanext-scheming)
defines ``themes``, ``communes``, ``frequency``, ``temporal_coverage``… When
scheming is not enabled these names would be rejected as unknown top-level
keys, so they travel as extras (lists and objects JSON-encoded) instead:
:func:`to_package_fields` writes them, :func:`field_of` reads them back; no
other module knows.
"""

from __future__ import annotations

import json
from typing import Any

# Core CKAN package fields: always top-level.
CORE = {"name", "title", "notes", "owner_org", "license_id", "tag_string", "private",
        "resources", "extras", "url", "version", "author", "maintainer", "id"}


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
