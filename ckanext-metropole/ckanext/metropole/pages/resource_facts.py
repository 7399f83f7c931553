"""The "more" rows of a resource page's additional information.

ckanext-scheming lists every key of the resource under the schema's fields,
named by the key itself ("Package id", "Url type", "State") with raw values
("active", "True"), and repeats the schema's own fields ("Update mode" under
"Mode de mise à jour").  A reader of a French page gets English machine
names.  This keeps what helps a reuser (identifier, size, MIME type, checksum
and any key a harvester added) with words in the page's language, and drops
what CKAN keeps for itself.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as toolkit

# CKAN's bookkeeping, or shown elsewhere on the page (name, URL, format,
# dates, previews): nothing a reader acts on.
_INTERNAL = frozenset({
    "name", "description", "url", "format", "created", "metadata_modified",
    "last_modified", "package_id", "position", "state", "url_type", "has_views",
    "datastore_active", "datastore_contains_all_records_of_source_file",
    "cache_url", "cache_last_updated", "mimetype_inner", "resource_type",
    "tracking_summary", "on_same_domain",
})


def _labels() -> dict[str, str]:
    return {
        "id": toolkit._("Identifier"),
        "size": toolkit._("Size"),
        "mimetype": toolkit._("MIME type"),
        "hash": toolkit._("Checksum"),
    }


def resource_more_items(resource: dict[str, Any],
                        schema: dict[str, Any] | None) -> list[tuple[str, Any]]:
    """(label, formatted value) rows for the keys no schema field shows."""
    in_schema = {field["field_name"] for field in (schema or {}).get("resource_fields", [])}
    labels = _labels()
    rows = []
    for key, value in sorted(resource.items()):
        if key in in_schema or key in _INTERNAL:
            continue
        # CKAN's own formatting: sizes in kB/MB, dates and numbers localised.
        for _humanised, formatted in toolkit.h.format_resource_items([(key, value)]):
            rows.append((labels.get(key) or key.replace("_", " ").capitalize(), formatted))
    return rows
