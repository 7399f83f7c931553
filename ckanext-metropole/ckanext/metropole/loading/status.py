"""The load's state, kept in CKAN's ``task_status`` table (one row per
resource and key), which the resource page and its JSON endpoint read.

- key ``status``: the current or last load — state (``pending``, ``running``,
  ``complete``, ``error``), step, rows done / total, messages (codes, put in
  words when shown), times;
- key ``loaded``: what the table holds now — the content's hash and the type
  choices it was loaded with — written only by a successful load, so a failed
  one never makes the loader forget the last good table.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import ckan.plugins.toolkit as toolkit

TASK_TYPE = "metropole_loading"


def site_context() -> dict[str, Any]:
    return {"ignore_auth": True,
            "user": toolkit.get_action("get_site_user")({"ignore_auth": True}, {})["name"]}


def read(resource_id: str, key: str = "status") -> dict[str, Any] | None:
    try:
        row = toolkit.get_action("task_status_show")(
            site_context(), {"entity_id": resource_id, "task_type": TASK_TYPE, "key": key})
    except toolkit.ObjectNotFound:
        return None
    try:
        return json.loads(row["value"])
    except (TypeError, ValueError):
        return None


def write(resource_id: str, value: dict[str, Any], key: str = "status") -> dict[str, Any]:
    value = {**value, "updated": dt.datetime.now(dt.timezone.utc).isoformat()}
    toolkit.get_action("task_status_update")(site_context(), {
        "entity_id": resource_id, "entity_type": "resource", "task_type": TASK_TYPE,
        "key": key, "value": json.dumps(value, ensure_ascii=False),
        "state": value.get("state", ""), "error": "",
        "last_updated": dt.datetime.now(dt.timezone.utc).replace(tzinfo=None).isoformat()})
    return value
