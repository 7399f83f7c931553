"""Write a prepared table into the DataStore, replacing the previous one in a
single PostgreSQL transaction.

Why not ``datastore_delete`` + ``datastore_create`` + ``datastore_upsert``:
each action commits on its own, so a failure between the delete and the last
upsert would leave the table missing or half filled, and JSON upserts are
several times slower than COPY. Here, in one transaction: the file's raw
text is COPied into a temporary staging table; the column types are decided
there in SQL (one aggregate scan, ``french_types``' rules) and the columns
whose type is fixed (declared schema, data dictionary) are checked — a bad
value stops everything here; then the old table is dropped, the new one
created with the DataStore's own ``create_table`` (its columns, the data
dictionary as column comments) and filled by one INSERT … SELECT that
converts every value and computes ``_full_text`` set-based; the DataStore's
full-text trigger and indexes are added after the rows (the trigger, per row,
was half the load time). Until the commit readers see the old table, and if
anything fails PostgreSQL rolls the drop back. ``datastore_create``
is then called on the new table, the public way to set the resource's
``datastore_active`` flag and refresh the DataStore's caches.
"""

from __future__ import annotations

import time
from collections.abc import Callable
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

from . import french_types, status
from .messages import LoadError
from .prepare import Staged

# Readers wait for the swap at most this long before the load gives up
# (and is retried by the steward), rather than queueing behind a long query.
LOCK_TIMEOUT = "30s"
# PostgreSQL's memory for building the new table's indexes (server side).
INDEX_MEMORY = "128MB"


def current_fields(resource_id: str) -> list[dict[str, Any]]:
    """The table's fields with their data dictionary, or [] when none."""
    try:
        info = toolkit.get_action("datastore_info")(
            status.site_context(), {"id": resource_id})
    except (toolkit.ObjectNotFound, toolkit.ValidationError):
        return []
    return [f for f in info.get("fields", []) if not f["id"].startswith("_")]


Describe = Callable[[list[str]], list[dict[str, Any]]]
_STAGING = "metropole_loading_staging"


def replace_table(resource_id: str, staged: Staged, fixed: dict[str, str],
                  describe: Describe) -> list[dict[str, Any]]:
    """Load ``staged`` as the resource's table; the fields written."""
    fields = write_table(resource_id, staged, fixed, describe)
    toolkit.get_action("datastore_create")(
        status.site_context(),
        {"resource_id": resource_id, "force": True, "fields": fields,
         "calculate_record_count": True})
    return fields


def _run(connection: Any, sql: str) -> Any:
    """Generated SQL on the DB-API cursor, without parameters: the patterns hold
    ":h" (a parameter for sa.text) and column names may hold "%" (psycopg2's)."""
    cursor = connection.connection.dbapi_connection.cursor()
    cursor.execute(sql)
    return cursor


def _cell(position: int) -> str:
    return _ref("c", position)


def stage(connection: Any, staged: Staged) -> None:
    """COPY the raw text into a temporary table dropped at commit."""
    cells = ", ".join(f"{_cell(i)} text" for i in range(len(staged.names)))
    connection.execute(sa.text(
        f"CREATE TEMP TABLE {_STAGING} (_line int, {cells}) ON COMMIT DROP"))
    cursor = connection.connection.dbapi_connection.cursor()
    with open(staged.path, encoding="utf-8") as handle:
        cursor.copy_expert(f"COPY {_STAGING} FROM STDIN WITH (FORMAT csv)", handle,
                           size=1024 * 1024)


def _ref(letter: str, position: int) -> str:
    return identifier(f"{letter}{position}")


def _layers(width: int, kinds: dict[int, set[str]], table: str = _STAGING) -> str:
    """The staging table as ``french_types`` reads it: raw cells ``c``, trimmed
    ``t``, date parts ``d`` for the columns whose ``kinds`` hold date or
    timestamp, date-time parts ``s`` for timestamp; each layer computed once per row
    (OFFSET 0 keeps PostgreSQL from merging them)."""
    trims = ", ".join(f"{_ref('c', i)}, {french_types.trimmed(_ref('c', i))} AS {_ref('t', i)}"
                      for i in range(width))

    def parts(i: int) -> str:
        t, d, s = _read(i)
        wanted = kinds.get(i, set())
        return (f"{_ref('c', i)}, {t}"
                + (f", {french_types.date_parts(t)} AS {d}"
                   if wanted & {french_types.DATE, french_types.TIMESTAMP} else "")
                + (f", {french_types.moment_parts(t)} AS {s}"
                   if french_types.TIMESTAMP in wanted else ""))
    parts_sql = ", ".join(parts(i) for i in range(width))
    return (f"(SELECT _line, {parts_sql} FROM (SELECT _line, {trims} FROM {table} OFFSET 0) "
            f"AS trimmed OFFSET 0) AS parts")


def _read(i: int) -> tuple[str, str, str]:
    return _ref("t", i), _ref("d", i), _ref("s", i)


def _surviving(connection: Any, width: int, candidates: dict[int, list[str]],
               table: str) -> dict[int, list[str]]:
    """The candidate types each column's non-empty values of ``table`` all
    fit; [] for a column holding a code or no value at all."""
    columns = [i for i in candidates if candidates[i]]
    if not columns:
        return {i: [] for i in candidates}
    aggregates = []
    for i in columns:
        t = _ref("t", i)
        aggregates += [f"count({t})",
                       f"coalesce(bool_or({french_types.is_code(t)}), false)"]
        aggregates += [f"coalesce(bool_and({french_types.fits(kind, *_read(i), guessing=True)}),"
                       f" false)" for kind in candidates[i]]
    kinds = {i: set(candidates[i]) for i in columns}
    row = iter(_run(connection, f"SELECT {', '.join(aggregates)} "
                                f"FROM {_layers(width, kinds, table)}").fetchone())
    result: dict[int, list[str]] = {i: [] for i in candidates}
    for i in columns:
        seen, code = next(row), next(row)
        fit = [kind for kind in candidates[i] if next(row)]
        result[i] = fit if seen and not code else []
    return result


# Rows read first to narrow the candidate types: any subset is exact (a type
# every value fits also fits the first ones), the whole table is then checked
# for the few types left (usually one a column) rather than for all five.
SAMPLE_ROWS = 1000


def guess_types(connection: Any, names: list[str], fixed: dict[str, str]) -> list[str]:
    """Each column's type: the fixed one, or the narrowest every non-empty
    value of the staging table fits (text for code columns and codes)."""
    types = [fixed.get(name, "") for name in names]
    guessed = {i: list(french_types.GUESS_ORDER) for i, name in enumerate(names)
               if not types[i] and not french_types.is_code_column(name)}
    sample = _run(connection, f"CREATE TEMP TABLE {_STAGING}_sample ON COMMIT DROP AS "
                              f"SELECT * FROM {_STAGING} LIMIT {SAMPLE_ROWS}")
    sample.close()
    narrowed = _surviving(connection, len(names), guessed, f"{_STAGING}_sample")
    # A column with no value in the sample keeps every candidate.
    narrowed = {i: kinds or (guessed[i] if _empty_in_sample(connection, i) else [])
                for i, kinds in narrowed.items()}
    final = _surviving(connection, len(names), narrowed, _STAGING)
    for i, kinds in final.items():
        types[i] = kinds[0] if kinds else french_types.TEXT
    return [kind or french_types.TEXT for kind in types]


def _empty_in_sample(connection: Any, i: int) -> bool:
    return not _run(connection, f"SELECT count({french_types.trimmed(_cell(i))}) "
                                f"FROM {_STAGING}_sample").fetchone()[0]


def check_values(connection: Any, names: list[str], types: list[str],
                 fixed: dict[str, str]) -> None:
    """A fixed type that a value does not fit stops the load (first line named)."""
    checked = [i for i, name in enumerate(names)
               if fixed.get(name, french_types.TEXT) != french_types.TEXT]
    if not checked:
        return
    bad = {i: f"{_read(i)[0]} IS NOT NULL AND NOT {french_types.fits(types[i], *_read(i))}"
           for i in checked}
    source = _layers(len(names), {i: {types[i]} for i in checked})
    row = _run(connection, "SELECT " + ", ".join(
        f"count(*) FILTER (WHERE {condition}), min(_line) FILTER (WHERE {condition})"
        for condition in bad.values()) + f" FROM {source}").fetchone()
    found = [(row[2 * n + 1], i, row[2 * n]) for n, i in enumerate(bad) if row[2 * n]]
    if found:
        line, i, count = min(found)
        value = _run(connection, f"SELECT {_cell(i)} FROM {_STAGING} "
                                 f"WHERE _line = {int(line)}").fetchone()[0]
        raise LoadError("bad_value", line=line, column=names[i], value=value[:80],
                        type=types[i], count=count)


def _json_text(field: dict[str, Any]) -> str:
    """The value as ``json_each_text(row_to_json(...))`` writes it, without
    building JSON (DateStyle is ISO in the transaction: see ``write_table``)."""
    column = identifier(field["id"])
    if field["type"] == french_types.TIMESTAMP:
        return f"replace({column}::text, ' ', 'T')"
    if field["type"] == french_types.TEXT:
        return column
    return f"{column}::text"


def _full_text(fields: list[dict[str, Any]]) -> str:
    """The DataStore trigger's ``_full_text``: to_tsvector of the row's
    non-NULL values as JSON text, joined by spaces in column order."""
    return f"to_tsvector(concat_ws(' ', {', '.join(_json_text(f) for f in fields)}))"


def write_table(resource_id: str, staged: Staged, fixed: dict[str, str],
                describe: Describe, timings: dict[str, float] | None = None
                ) -> list[dict[str, Any]]:
    """The staging, typing and swap, in one transaction; ``timings`` gets
    each step's seconds (benchmarks/loading.py prints them)."""
    clock = _Clock(timings if timings is not None else {})
    with get_write_engine().begin() as connection:
        stage(connection, staged)
        clock("staging COPY")
        types = guess_types(connection, staged.names, fixed)
        check_values(connection, staged.names, types, fixed)
        clock("types decided and checked")
        fields = describe(types)
        connection.execute(sa.text(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'"))
        connection.execute(sa.text("SET LOCAL DateStyle = 'ISO, DMY'"))
        connection.execute(sa.text(f"DROP TABLE IF EXISTS {identifier(resource_id)} CASCADE"))
        context: Any = {"connection": connection}
        create_table(context, {"resource_id": resource_id, "fields": fields}, {})
        columns = ", ".join(identifier(f["id"]) for f in fields)
        values = ", ".join(
            f"{french_types.converted(f['type'], _cell(i), *_read(i))}::{f['type']} "
            f"AS {identifier(f['id'])}" for i, f in enumerate(fields))
        kinds = {i: {f["type"]} for i, f in enumerate(fields)}
        _run(
            connection,
            f"INSERT INTO {identifier(resource_id)} ({columns}, _full_text) "
            f"SELECT {columns}, {_full_text(fields)} FROM "
            f"(SELECT _line, {values} FROM {_layers(len(fields), kinds)}) AS typed ORDER BY _line")
        clock("converted and inserted with _full_text")
        _create_fulltext_trigger(connection, resource_id)
        # The full-text GIN index is built in memory rather than in many runs.
        connection.execute(sa.text(f"SET LOCAL maintenance_work_mem = '{INDEX_MEMORY}'"))
        create_indexes(context, {"resource_id": resource_id})
        clock("DataStore indexes")
    clock("commit")
    return fields


class _Clock:
    def __init__(self, timings: dict[str, float]) -> None:
        self.timings, self.last = timings, time.perf_counter()

    def __call__(self, step: str) -> None:
        now = time.perf_counter()
        self.timings[step] = now - self.last
        self.last = now
