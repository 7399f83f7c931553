"""Template helpers of the resource page's report, the dataset's badges and
the declaration form."""

from __future__ import annotations

from typing import Any

from . import catalogue, conformity, messages, store


def resource_check(resource: dict[str, Any]) -> dict[str, Any] | None:
    check = store.get(resource["id"]) if resource.get("id") else None
    if check is None:
        return None
    return {"status": check.status, "title": check.schema_title,
            "version": check.schema_version, "rows": messages.rows(check.problems),
            "truncated": check.truncated, "not_run": check.not_run,
            "message": check.message, "checked_at": check.checked_at}


def get_helpers() -> dict[str, Any]:
    return {
        "metropole_table_schema_check": resource_check,
        "metropole_table_schema_badges": conformity.badges,
        "metropole_table_schema_choices": lambda field=None: catalogue.choices(),
        "metropole_table_schema_facet_label": conformity.facet_label,
    }
