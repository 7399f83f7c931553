"""The export's query string, checked against the table before anything runs.

The same parameters as ``datastore_search`` (filters, q, sort, fields, limit,
offset), so a developer moves from the API to a download without relearning
anything. Every mistake gets a French message naming the parameter, and
nothing the database says (SQL, values) is echoed back.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ckan.plugins.toolkit import _

_SORT_TERM = re.compile(r'^\s*"?(?P<column>[^"]+?)"?(?:\s+(?P<order>asc|desc))?\s*$', re.I)


class QueryError(ValueError):
    """A parameter the export cannot use; ``str()`` is the user's message."""

    def __init__(self, parameter: str, message: str):
        super().__init__(f"{parameter} : {message}")
        self.parameter = parameter


@dataclass
class ExportQuery:
    """Parameters passed on to ``datastore_search`` (only those given)."""

    search: dict[str, Any] = field(default_factory=dict)
    limit: int | None = None
    offset: int = 0

    @property
    def sort(self) -> str:
        return self.search.get("sort", "_id")


def _json_or_text(raw: str) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def _unknown(names: list[str], columns: set[str], parameter: str) -> None:
    missing = [name for name in names if name not in columns]
    if missing:
        raise QueryError(
            parameter,
            _("unknown column(s): %(missing)s. Columns of this table: %(columns)s")
            % {"missing": ", ".join(missing), "columns": ", ".join(sorted(columns - {"_id"}))},
        )


def _non_negative(args: Mapping[str, str], name: str) -> int | None:
    raw = args.get(name)
    if raw in (None, ""):
        return None
    if not raw.strip().isdigit():
        raise QueryError(name, _("a whole number, zero or more, was expected."))
    return int(raw)


def parse_query(args: Mapping[str, str], columns: set[str]) -> ExportQuery:
    """Check ``args`` (the request's query string) against the table's ``columns``."""
    query = ExportQuery()
    if args.get("filters"):
        filters = _json_or_text(args["filters"])
        if not isinstance(filters, dict):
            raise QueryError("filters", _('a JSON object was expected, e.g. {"commune": "Metz"}.'))
        _unknown(list(filters), columns, "filters")
        query.search["filters"] = filters
    if args.get("q"):
        q = _json_or_text(args["q"])
        if isinstance(q, dict):
            _unknown(list(q), columns, "q")
        elif not isinstance(q, str):
            q = args["q"]
        query.search["q"] = q
    if args.get("fields"):
        names = [name.strip() for name in args["fields"].split(",") if name.strip()]
        _unknown(names, columns, "fields")
        query.search["fields"] = names
    if args.get("sort"):
        terms = []
        for term in args["sort"].split(","):
            match = _SORT_TERM.match(term)
            if not match:
                raise QueryError(
                    "sort", _('expected "column" or "column desc", separated by commas.')
                )
            terms.append(match)
        _unknown([m["column"] for m in terms], columns, "sort")
        query.search["sort"] = ", ".join(
            f'"{m["column"]}" {(m["order"] or "asc").lower()}' for m in terms
        )
    query.limit = _non_negative(args, "limit")
    query.offset = _non_negative(args, "offset") or 0
    return query
