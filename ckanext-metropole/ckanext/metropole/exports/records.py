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
from .sql_cells import CELLS

# Rows per datastore_search call (capped by ckan.datastore.search.rows_max).
PAGE_ROWS = 32000


@dataclass
class TableExport:
    """An export under way: its columns and the rows still to read."""

    resource_id: str
    columns: list[Column]
    pages: Iterator[Any]   # lists of rows, or CSV text (records_format)


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


def open_export(user: str, resource_id: str, query: ExportQuery, *,
                records_format: str = "lists", cells: str | None = None) -> TableExport:
    """Run the first page now (so a bad query fails before the download starts).

    ``records_format``: ``lists`` (pages of rows) or ``csv`` (pages of CSV
    text from PostgreSQL's COPY); ``cells``: how PostgreSQL writes CSV cells
    (sql_cells.py).
    """
    search = dict(query.search)
    if "fields" not in search:
        # Exports hold the data, not the DataStore's row numbers.
        search["fields"] = [c.id for c in table_columns(user, resource_id) if c.id != "_id"]
    context = {"user": user, CELLS: cells} if cells else {"user": user}

    def fetch(offset: int, remaining: int | None, keyset: dict[str, Any]) -> dict[str, Any]:
        page_search = dict(search)
        if keyset:
            page_search["filters"] = {**search.get("filters", {}), **keyset}
        return toolkit.get_action("datastore_search")(dict(context), {
            **page_search,
            "resource_id": resource_id,
            "sort": query.sort,
            "limit": PAGE_ROWS if remaining is None else min(PAGE_ROWS, remaining),
            "offset": 0 if keyset else offset,
            "records_format": records_format,
            "include_total": False,
            "include_next_page": True,
        })

    if records_format != "lists":
        # The COPY path lets the database's errors through as they are (a
        # filter value of the wrong type...); the rows path turns them into a
        # ValidationError: try the query there first, with no rows.
        toolkit.get_action("datastore_search")({"user": user}, {
            **search, "resource_id": resource_id, "limit": 0, "include_total": False})
    first = fetch(query.offset, query.limit, {})

    def pages() -> Iterator[Any]:
        result, offset, remaining = first, query.offset, query.limit
        page_rows = result["limit"]   # rows_max may be lower than PAGE_ROWS
        while True:
            records = result["records"]
            if not records:
                return
            yield records
            # A page of rows can tell it is the last; CSV text cannot
            # (a cell may hold a newline): the next, empty page tells.
            if records_format == "lists" and len(records) < page_rows:
                return
            offset += page_rows
            if remaining is not None:
                remaining -= page_rows
                if remaining <= 0:
                    return
            result = fetch(offset, remaining, result.get("next_page") or {})

    return TableExport(resource_id, columns_of(first["fields"]), pages())
