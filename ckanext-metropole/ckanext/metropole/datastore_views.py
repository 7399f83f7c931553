"""DataStore tables get their table preview (``datatables_view``) when they
are created.

CKAN adds a resource's default views when the resource is created, while its
DataStore table does not exist yet, so ``datatables_view`` (which needs
``datastore_active``) is skipped; xloader and datapusher add it after
loading, but the portal loads its tables itself with ``datastore_create``
(demo content, sensor harvesters). Views already there are kept.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as toolkit


@toolkit.chained_action
def datastore_create(up_func, context: dict[str, Any], data_dict: dict[str, Any]) -> dict:
    result = up_func(context, data_dict)
    resource_id = result.get("resource_id")
    if resource_id:
        add_datastore_views(context, resource_id)
    return result


def add_datastore_views(context: dict[str, Any], resource_id: str) -> list[dict]:
    # The caller could create the table, so may add its views: same user.
    own = {"user": context.get("user"), "ignore_auth": context.get("ignore_auth", False)}
    resource = toolkit.get_action("resource_show")(dict(own), {"id": resource_id})
    package = toolkit.get_action("package_show")(dict(own), {"id": resource["package_id"]})
    return toolkit.get_action("resource_create_default_resource_views")(dict(own), {
        "resource": resource, "package": package, "create_datastore_views": True})
