"""Chart views for aggregate tables published before the plugin was enabled.

New tables get the view when the harvester creates them (default views);
this adds it to the older ones. It looks only at sensor datasets (tag
``capteurs``, set by the sensor harvester), so it is cheap enough to run at
every start (``ckan metropole init``)."""

from __future__ import annotations

import logging

import ckan.plugins.toolkit as toolkit

from . import store

VIEW_TYPE = "metropole_timeseries"

log = logging.getLogger(__name__)


def ensure_views() -> int:
    """Create the missing chart views; returns how many were created."""
    from ckan.lib.datapreview import add_views_to_resource

    site_user = toolkit.get_action("get_site_user")({"ignore_auth": True}, {})
    context = {"user": site_user["name"], "ignore_auth": True}
    created, start = 0, 0
    while True:
        page = toolkit.get_action("package_search")({**context}, {
            "fq": "tags:capteurs", "rows": 500, "start": start, "include_private": True})
        for package in page["results"]:
            for resource in package.get("resources") or []:
                if store.aggregate_table(resource) is None:
                    continue
                try:
                    created += len(add_views_to_resource({**context}, resource, package,
                                                         view_types=[VIEW_TYPE]))
                except (toolkit.ObjectNotFound, toolkit.ValidationError) as error:
                    # A stale index entry or a broken resource costs its chart,
                    # never the start of the portal (this runs in every start).
                    log.warning("No chart view for resource %s: %r", resource.get("id"), error)
        start += len(page["results"])
        if not page["results"] or start >= page["count"]:
            return created
