"""The demo's DataStore tables show their previews and exports.

The export links need nothing (every table shown has them), but CKAN adds a
resource's default views only when its table is created: a demo loaded
before the map preview existed would lack it. Adding them at each demo start
is idempotent (CKAN skips the view types a resource already has).
"""

from __future__ import annotations

from typing import Any

from ckan.plugins import toolkit

from ..datastore_views import add_datastore_views
from ..demo.content import DEMO_DATASETS


def add_table_previews(context: dict[str, Any]) -> int:
    """Default views for the demo datasets' tables; returns the views added."""
    added = 0
    for spec in DEMO_DATASETS:
        try:
            dataset = toolkit.get_action("package_show")(dict(context), {"id": spec["name"]})
        except toolkit.ObjectNotFound:
            continue
        for resource in dataset["resources"]:
            if resource.get("datastore_active"):
                added += len(add_datastore_views(context, resource["id"]))
    return added
