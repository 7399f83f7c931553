"""Write a prepared table into the DataStore, replacing the previous one in a
single PostgreSQL transaction.

Why not ``datastore_delete`` + ``datastore_create`` + ``datastore_upsert``:
each action commits on its own, so a failure between the delete and the last
upsert would leave the table missing or half filled, and JSON upserts are
several times slower than COPY. Here the old table is dropped, the new one
created with the DataStore's own ``create_table`` (its columns, the data
dictionary as column comments, its full-text trigger and index) and filled
by COPY, all in one transaction: until it commits readers see the old table,
and if anything fails PostgreSQL rolls the drop back. ``datastore_create``
is then called on the new table, the public way to set the resource's
``datastore_active`` flag and refresh the DataStore's caches.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import ckan.plugins.toolkit as toolkit
import sqlalchemy as sa
from ckanext.datastore.backend.postgres import (  # the DataStore's own table layout
    _create_fulltext_trigger,
    create_indexes,
    create_table,
    get_write_engine,
    identifier,
)

from . import status

# Readers wait for the swap at most this long before the load gives up
# (and is retried by the steward), rather than queueing behind a long query.
LOCK_TIMEOUT = "30s"


def current_fields(resource_id: str) -> list[dict[str, Any]]:
    """The table's fields with their data dictionary, or [] when none."""
    try:
        info = toolkit.get_action("datastore_info")(
            status.site_context(), {"id": resource_id})
    except (toolkit.ObjectNotFound, toolkit.ValidationError):
        return []
    return [f for f in info.get("fields", []) if not f["id"].startswith("_")]


def replace_table(resource_id: str, fields: list[dict[str, Any]], csv_path: Path) -> None:
    write_table(resource_id, fields, csv_path)
    toolkit.get_action("datastore_create")(
        status.site_context(),
        {"resource_id": resource_id, "force": True, "fields": fields,
         "calculate_record_count": True})


def write_table(resource_id: str, fields: list[dict[str, Any]], csv_path: Path) -> None:
    """The swap itself, in one transaction (benchmarks/loading.py times it)."""
    columns = ", ".join(identifier(f["id"]) for f in fields)
    with get_write_engine().begin() as connection:
        connection.execute(sa.text(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'"))
        connection.execute(sa.text(f"DROP TABLE IF EXISTS {identifier(resource_id)} CASCADE"))
        context: Any = {"connection": connection}
        create_table(context, {"resource_id": resource_id, "fields": fields}, {})
        _create_fulltext_trigger(connection, resource_id)
        cursor = connection.connection.dbapi_connection.cursor()
        with open(csv_path, encoding="utf-8") as handle:
            cursor.copy_expert(
                f"COPY {identifier(resource_id)} ({columns}) FROM STDIN WITH (FORMAT csv)",
                handle, size=1024 * 1024)
        create_indexes(context, {"resource_id": resource_id})
