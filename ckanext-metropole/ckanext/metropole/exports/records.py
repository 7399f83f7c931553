"""Rows of a DataStore table, page by page, through ``datastore_search``.

Going through the action (not SQL of our own) keeps its authorisation, its
filter semantics and its aliases. Pages follow CKAN's own dump: keyset
pagination on ``_id`` when sorting by ``_id`` (constant cost per page), offsets
otherwise; ``records_format=lists`` is built by PostgreSQL and decoded by
msgspec, so a page costs little Python. Only one page is in memory at a time.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ckan.plugins import toolkit

from .columns import Column, columns_of
from .query import ExportQuery

# Rows per datastore_search call (capped by ckan.datastore.search.rows_max).
PAGE_ROWS = 32000


@dataclass
class TableExport:
    """An export under way: its columns and the rows still to read."""

    resource_id: str
    columns: list[Column]
    pages: Iterator[list[list[Any]]]


def table_columns(user: str, resource_id: str) -> list[Column]:
    """All columns of the table, ``_id`` first (NotAuthorized, ObjectNotFound as raised)."""
    result = toolkit.get_action("datastore_search")(
        {"user": user}, {"resource_id": resource_id, "limit": 0, "include_total": False}
    )
    return columns_of(result["fields"])


def count_rows(user: str, resource_id: str, query: ExportQuery) -> int:
    """Rows the export would hold (a count(*) when filtered: only asked for XLSX's limit)."""
    result = toolkit.get_action("datastore_search")(
        {"user": user},
        {**query.search, "resource_id": resource_id, "limit": 0, "include_total": True},
    )
    rows = max(result["total"] - query.offset, 0)
    return rows if query.limit is None else min(rows, query.limit)


def open_export(user: str, resource_id: str, query: ExportQuery) -> TableExport:
    """Run the first page now (so a bad query fails before the download starts)."""
    search = dict(query.search)
    if "fields" not in search:
        # Exports hold the data, not the DataStore's row numbers.
        search["fields"] = [c.id for c in table_columns(user, resource_id) if c.id != "_id"]

    def fetch(offset: int, remaining: int | None, keyset: dict[str, Any]) -> dict[str, Any]:
        page_search = dict(search)
        if keyset:
            page_search["filters"] = {**search.get("filters", {}), **keyset}
        return toolkit.get_action("datastore_search")(
            {"user": user},
            {
                **page_search,
                "resource_id": resource_id,
                "sort": query.sort,
                "limit": PAGE_ROWS if remaining is None else min(PAGE_ROWS, remaining),
                "offset": 0 if keyset else offset,
                "records_format": "lists",
                "include_total": False,
                "include_next_page": True,
            },
        )

    first = fetch(query.offset, query.limit, {})

    def pages() -> Iterator[list[list[Any]]]:
        result, offset, remaining = first, query.offset, query.limit
        page_rows = result["limit"]  # rows_max may be lower than PAGE_ROWS
        while True:
            records = result["records"]
            if records:
                yield records
            if len(records) < page_rows:
                return
            offset += len(records)
            if remaining is not None:
                remaining -= len(records)
                if remaining <= 0:
                    return
            result = fetch(offset, remaining, result.get("next_page") or {})

    return TableExport(resource_id, columns_of(first["fields"]), pages())
