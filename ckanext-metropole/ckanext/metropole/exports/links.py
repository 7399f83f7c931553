"""What the resource page offers: one link per export format, and whether a
table has positions (for GeoJSON and the map preview)."""

from __future__ import annotations

from typing import Any

from ckan.plugins import toolkit

from .columns import columns_of
from .formats import FORMATS
from .geo import find_geo_columns

# The map preview reads at most this many features (a browser draws them all).
MAP_PREVIEW_ROWS = 5000


def _table_fields(resource_id: str) -> list[dict[str, Any]] | None:
    """The table's fields, read as the site: only called for a resource the
    page or the view already shows to the caller; None when there is no table."""
    try:
        info = toolkit.get_action("datastore_info")({"ignore_auth": True}, {"id": resource_id})
    except (toolkit.ObjectNotFound, toolkit.ValidationError):
        return None
    return info.get("fields")


def has_positions(resource: dict[str, Any]) -> bool:
    if not resource.get("datastore_active"):
        return False
    fields = _table_fields(resource["id"])
    return bool(fields) and find_geo_columns(columns_of(fields)) is not None


def export_url(resource_id: str, key: str, **params: Any) -> str:
    return toolkit.url_for("metropole_exports.export", resource_id=resource_id, fmt=key, **params)


def map_data_url(resource_id: str) -> str:
    return export_url(resource_id, "geojson", limit=MAP_PREVIEW_ROWS)


def export_links(resource: dict[str, Any]) -> list[dict[str, str]]:
    """Label and URL of each format the table offers ([] without a table)."""
    if not resource.get("datastore_active"):
        return []
    positions = has_positions(resource)
    return [
        {"key": f.key, "label": toolkit._(f.label), "url": export_url(resource["id"], f.key)}
        for f in FORMATS.values()
        if positions or not f.needs_positions
    ]
