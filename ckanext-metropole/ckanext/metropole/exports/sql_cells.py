"""CSV cells written by PostgreSQL, through the DataStore's IDatastore hook.

The CSV exports read each page with ``records_format=csv``: the DataStore's
own ``COPY ... TO STDOUT``, at PostgreSQL's speed, with no Python per cell.
What a CSV export changes in a cell is therefore said in SQL, here, as
rewritten select expressions, and only for a ``datastore_search`` whose
context carries ``CELLS`` (set by records.py for an export; the API itself
is never changed):

- ``"neutralised"``: text cells that look like a formula get an apostrophe
  (the rule of neutralise.py, same pattern); booleans as true/false;
- ``"excel-fr"``: that, plus a decimal comma in non-integer numbers and
  date-times as ``2026-12-31 10:30:00``.
"""

from __future__ import annotations

from typing import Any

from .columns import BOOLEAN, DATETIME, JSON, NUMBER, TEXT, Column
from .neutralise import FORMULA_STARTS, PLAIN_NUMBER

CELLS = "metropole_export_cells"
NEUTRALISED, EXCEL_FR = "neutralised", "excel-fr"

# Characters as they are in a PostgreSQL bracket expression: "-" first.
_STARTS = "-" + FORMULA_STARTS.replace("-", "")


def _neutralised(expression: str) -> str:
    text = f"CAST({expression} AS text)"
    return (f"CASE WHEN {text} ~ '^[{_STARTS}]' AND {text} !~ '^{PLAIN_NUMBER}$' "
            f"THEN '''' || {text} ELSE {text} END")


def _cell(expression: str, column: Column, mode: str) -> str:
    kind = column.kind
    if kind in (TEXT, JSON):
        return _neutralised(expression)
    if kind == BOOLEAN:   # COPY writes t/f
        return f"CASE WHEN {expression} THEN 'true' WHEN NOT {expression} THEN 'false' END"
    if mode == EXCEL_FR and kind == NUMBER:
        return f"replace(CAST({expression} AS text), '.', ',')"
    if mode == EXCEL_FR and kind == DATETIME:
        # The DataStore's to_char gives 2026-12-31T10:30:00[.000].
        return f"regexp_replace({expression}, '^(.{{10}})T(.{{8}})(\\.000)?', '\\1 \\2')"
    return expression


def rewrite_select(context: dict[str, Any], data_dict: dict[str, Any],
                   fields_types: dict[str, str], query_dict: dict[str, Any]) -> dict[str, Any]:
    mode = context.get(CELLS)
    fields = data_dict.get("fields")
    select = query_dict.get("select") or []
    if not mode or not isinstance(fields, list) or len(fields) != len(select):
        return query_dict
    query_dict["select"] = [
        _cell(expression, Column(field, fields_types.get(field, "text")), mode)
        for field, expression in zip(fields, select, strict=True)]
    return query_dict
