"""The index tables and every statement that writes to them.

Choices, and why:

* **Same database as CKAN, own schema.**  The index lives in the database of
  CKAN's ``sqlalchemy.url`` but in the ``metropole_search`` schema: CKAN's
  ``ckan db clean`` and the test fixtures drop every table they can reflect
  in the default schema, and a search index that disappears under CKAN's feet
  is worse than one that is merely stale (``clean_index`` clears it anyway).
* **Tables created on first use** (``ensure_schema``: idempotent DDL under an
  advisory lock) rather than an alembic migration, for the same reason, and
  because the plugin must work the moment it is enabled, including in a test
  database that CKAN has just wiped.  ``ckan metropole search init`` runs the
  same DDL explicitly, for deployments whose web role may not create objects.
* **A separate engine in autocommit mode, not CKAN's ``model.Session``.**
  Solr semantics are what CKAN and its tests rely on: a write is visible to
  every reader as soon as ``conn.add``/``conn.delete`` return, and it never
  commits (or waits for) CKAN's own transaction.  Writing through
  ``model.Session`` would either commit half of an action's work early, or
  lose index writes made by code paths that never commit the session (the
  CLI's ``search-index clear``), and a failing search statement would abort
  CKAN's transaction.  The index is derived data, so index connections use
  ``synchronous_commit = off``: a crash can lose the last few milliseconds of
  index writes (``search-index rebuild -o`` repairs that), never CKAN data.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import secrets
import threading
from collections.abc import Iterator, Sequence
from typing import Any

import psycopg2.extras
import sqlalchemy as sa

from . import counts, schema
from .document import Row

log = logging.getLogger(__name__)

SCHEMA = "metropole_search"
TABLE = f"{SCHEMA}.document"
SEQUENCE = f"{SCHEMA}.document_seq"

# Text search configurations: accent-insensitive French and English stemming
# for ``text``-typed fields, and an unstemmed one for ``text_general`` fields.
TS_FRENCH = f"{SCHEMA}.fr"
TS_ENGLISH = f"{SCHEMA}.en"
TS_PLAIN = f"{SCHEMA}.plain"

# Bump when the DDL below changes shape; ``ensure_schema`` then rebuilds.
SCHEMA_VERSION = 7
# Bumped by every write: lets each process cache search results until the
# index changes (see cache.py), with the same read-your-writes guarantee.
GENERATION = f"{SCHEMA}.generation"
# The facet fields whose counts the triggers maintain (see counts.py).
COUNTED_PATTERNS = f"{SCHEMA}.counted_pattern"
# What a rebuild fills before swapping it in (create_shadow).
SHADOW = f"{SCHEMA}.document_rebuild"
# Documents deleted from the live table while a rebuild fills its shadow
# table: the rebuild removes them again after the swap.
REBUILD_DELETIONS = f"{SCHEMA}.rebuild_deletion"

# Columns derived at write time from the whole document (the typed columns
# of the fields come from schema.COLUMNS).
_DERIVED_COLUMNS_DDL = """
    seq bigint NOT NULL DEFAULT nextval('{seq}'),
    extent box,
    stored jsonb {compression} NOT NULL,
    terms jsonb {compression} NOT NULL,
    texts jsonb {compression} NOT NULL,
    fts tsvector {compression} NOT NULL,
    fts_title tsvector NOT NULL,
    facet_values text[] NOT NULL,
    ac_name text NOT NULL,
    ac_title text NOT NULL
"""
# What matching and ranking read on every matched row besides the inline
# field columns (see table_ddl).
_INLINE_DERIVED = ("fts", "fts_title", "facet_values", "ac_name", "ac_title")
# Written from the row as they are; extent, fts, fts_title and facet_values
# are computed in the statement (upsert_template).
_WRITTEN_DERIVED = ("stored", "terms", "texts", "ac_name", "ac_title")
_COLUMN_NAMES = [f.column for f in schema.COLUMNS] + list(_WRITTEN_DERIVED)

# (suffix, definition) — index names are "<table>_<suffix>" so a shadow table
# built for a rebuild can be renamed into place along with its indexes.
_INDEXES: list[tuple[str, str]] = [
    # NULLS LAST: the order CKAN's default sort compiles to, so browsing
    # reads the first page straight off this index.
    ("site_modified", "btree (site_id, metadata_modified DESC NULLS LAST, seq)"),
    ("entity", "btree (entity_id)"),
    ("name", "btree (name)"),
    ("owner_org", "btree (owner_org)"),
    ("organization", "btree (organization)"),
    ("dataset_type", "btree (dataset_type)"),
    ("title_string", "btree (title_string)"),
    ("terms", "gin (terms jsonb_path_ops)"),
    ("fts", "gin (fts)"),
    ("fts_title", "gin (fts_title)"),
    ("tags", "gin (tags)"),
    ("groups", "gin (groups)"),
    ("res_format", "gin (res_format)"),
    # No index on permission_labels: every user holds "public", so CKAN's
    # permission filter matches nearly every dataset and an index on it only
    # tempted the planner into building a useless bitmap (30 ms at 100k).
    ("ac_name", "gin (ac_name gin_trgm_ops)"),
    ("ac_title", "gin (ac_title gin_trgm_ops)"),
    ("extent", "gist (extent)"),
]


def _ts_config_ddl(name: str, base: str, stemmer: str) -> str:
    return f"""
    DO $$ BEGIN
      IF NOT EXISTS (
        SELECT 1 FROM pg_ts_config c JOIN pg_namespace n ON n.oid = c.cfgnamespace
        WHERE n.nspname = '{SCHEMA}' AND c.cfgname = '{name.split('.')[1]}'
      ) THEN
        CREATE TEXT SEARCH CONFIGURATION {name} (COPY = {base});
        ALTER TEXT SEARCH CONFIGURATION {name}
          ALTER MAPPING FOR asciiword, asciihword, hword_asciipart, word, hword, hword_part
          WITH unaccent, {stemmer};
      END IF;
    END $$;
    """


def _inline_columns() -> list[str]:
    """Every column a search reads besides ``stored``, ``terms`` and ``texts``.

    All promoted columns, however small: once a row is over PostgreSQL's
    2 kB threshold, the toaster moves *any* column left EXTENDED out of line,
    down to 27-byte dates.  ``metadata_modified``, the default sort, was
    TOASTed in 80 % of the rows at 100,000 datasets: three extra buffer
    reads per matched row, and sorting 6,500 matches took 40 ms instead of 2.
    """
    promoted = [f.column for f in schema.COLUMNS
                if f.promoted and f.promoted.shape is not schema.Shape.FLOAT]
    return [*_INLINE_DERIVED, *promoted]


def table_ddl(table: str, lz4: bool = False, triggers: bool = True) -> list[str]:
    short = table.split(".")[1]
    # lz4 decompresses several times faster than pglz: facets and filters on
    # custom fields read ``terms`` on every matched row.
    columns = ",\n    ".join(f.promoted.ddl() for f in schema.COLUMNS if f.promoted) + "," + \
        _DERIVED_COLUMNS_DDL.format(seq=SEQUENCE, compression="COMPRESSION lz4" if lz4 else "")
    statements = [
        f"CREATE TABLE {table} ({columns})",
        # Without lz4, pglz decompression of ``terms`` on every matched row
        # dominated facets on custom fields: keep it uncompressed (it stays
        # inline once ``stored`` has been moved out of line).
        f"ALTER TABLE {table} ALTER COLUMN terms SET STORAGE EXTERNAL" if not lz4 else "",
    ]
    # What matching and ranking read on every matched row (``fts`` for
    # ts_rank, the autocomplete columns, arrays) stays in the row, compressed
    # if need be: one page read per row instead of TOAST index lookups and
    # chunk reads (2-4 times fewer buffers for text + bbox and autocomplete
    # at 100k datasets).  ``stored``, ``terms`` and ``texts``, read only for
    # the page of results or rarer filters, go out of line first.
    statements += [
        f"ALTER TABLE {table} ALTER COLUMN {column} SET STORAGE MAIN"
        for column in _inline_columns()
    ]
    statements = [s for s in statements if s]
    statements += [
        f"CREATE INDEX {short}_{suffix} ON {table} USING {definition}"
        for suffix, definition in _INDEXES
    ]
    statements += counts.table_ddl(SCHEMA, table)
    if triggers:
        statements += _trigger_ddl(table)
    return statements


def _function_ddl() -> list[str]:
    return [*counts.function_ddl(SCHEMA, COUNTED_PATTERNS), f"""
        CREATE OR REPLACE FUNCTION {SCHEMA}.log_rebuild_deletions() RETURNS trigger
        LANGUAGE plpgsql AS $fn$
        BEGIN
            IF to_regclass('{SHADOW}') IS NOT NULL THEN
                INSERT INTO {REBUILD_DELETIONS} SELECT index_id, entity_id FROM old_rows;
            END IF;
            RETURN NULL;
        END $fn$"""]


def _trigger_ddl(table: str) -> list[str]:
    """The live table's triggers: facet counts, and deletions a running
    rebuild must repeat after its swap (``take_rebuild_deletions``)."""
    short = table.split(".")[1]
    return [*counts.trigger_ddl(SCHEMA, table),
            f"CREATE TRIGGER {short}_log_deletions AFTER DELETE ON {table} "
            "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT "
            f"EXECUTE FUNCTION {SCHEMA}.log_rebuild_deletions()"]


# --------------------------------------------------------------------------
# Engine


_engine: sa.engine.Engine | None = None
_engine_url: str | None = None
_ready = False
_lock = threading.RLock()
_counted_patterns: list[str] = []


def _reset_after_fork() -> None:
    # ``search-index rebuild-fast`` forks: a child must not reuse the parent's
    # sockets, so it gets its own pool.
    global _engine, _engine_url
    _engine = None
    _engine_url = None


os.register_at_fork(after_in_child=_reset_after_fork)


def database_url() -> str:
    from ckan.common import config

    url = config.get("ckanext.metropole.search.sqlalchemy_url", None) or config.get(
        "sqlalchemy.url", None
    )
    if not url:
        raise RuntimeError("sqlalchemy.url is not configured")
    return url


def engine() -> sa.engine.Engine:
    global _engine, _engine_url
    url = database_url()
    if _engine is None or _engine_url != url:
        with _lock:
            if _engine is None or _engine_url != url:
                if _engine is not None:
                    _engine.dispose()
                _engine = _make_engine(url)
                _engine_url = url
    return _engine


def _make_engine(url: str) -> sa.engine.Engine:
    from ckan.common import config

    timeout_ms = int(config.get("ckanext.metropole.search.statement_timeout", 10000) or 10000)
    eng = sa.create_engine(
        url,
        isolation_level="AUTOCOMMIT",
        pool_pre_ping=True,
        pool_size=4,
        max_overflow=8,
    )

    @sa.event.listens_for(eng, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        with dbapi_conn.cursor() as cur:
            cur.execute("SET synchronous_commit = off")
            # A pathological query (fuzzers, crawlers) must not hold a worker
            # for ever; it surfaces as a search error instead.
            cur.execute("SET statement_timeout = %s", (timeout_ms,))
            cur.execute(f"SET search_path = public, {SCHEMA}")
            # The matched set, sorts and facet aggregates of one search must
            # stay in memory: with the 4MB default they spill to disk from a
            # few tens of thousands of matches.
            cur.execute("SET work_mem = '64MB'")
            # The index is read from memory (shared buffers or the system's
            # cache), where a random page costs about what a sequential one
            # does.  With the default 4, a word found in 15 % of 100,000
            # datasets was counted by reading the whole table (136 ms)
            # rather than its matches through the text index (26 ms).
            cur.execute("SET random_page_cost = 1.1")

    return eng


def execute(sql: str, params: dict[str, Any] | Sequence[Any] | None = None) -> list[tuple]:
    """Run one statement on the index engine and return its rows (if any)."""
    ensure_schema()
    raw = engine().raw_connection()
    try:
        with raw.cursor() as cur:
            cur.execute(sql, params)
            rows = cur.fetchall() if cur.description is not None else []
        return rows
    finally:
        raw.close()


def execute_values(sql: str, rows: Sequence[dict[str, Any]], template: str) -> None:
    """A multi-row statement per 100 rows: one round trip and, above all, one
    firing of the statement-level count triggers per 100 documents."""
    ensure_schema()
    raw = engine().raw_connection()
    try:
        with raw.cursor() as cur:
            psycopg2.extras.execute_values(cur, sql, rows, template=template, page_size=100)
    finally:
        raw.close()


@contextlib.contextmanager
def transaction() -> Iterator[sa.engine.Connection]:
    """A real transaction (the engine itself autocommits every statement)."""
    with engine().connect() as conn:
        conn = conn.execution_options(isolation_level="READ COMMITTED")
        with conn.begin():
            yield conn


# --------------------------------------------------------------------------
# Schema


def ensure_schema(force: bool = False) -> None:
    """Create the schema, configurations and table if they do not exist."""
    global _ready
    if _ready and not force:
        return
    with _lock:
        if _ready and not force:
            return
        with transaction() as conn:
            # Serialise concurrent first uses (several workers starting).
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext('metropole_search'))"))
            exists = conn.execute(
                sa.text("SELECT to_regclass(:t) IS NOT NULL"), {"t": TABLE}
            ).scalar()
            version = None
            if exists:
                version = conn.execute(
                    sa.text("SELECT obj_description(to_regclass(:t), 'pg_class')"),
                    {"t": TABLE},
                ).scalar()
            if exists and version == layout_version():
                _counted_patterns[:] = counts.sync_patterns(conn, TABLE, COUNTED_PATTERNS)
                _ready = True
                return
            for ext in ("unaccent", "pg_trgm"):
                conn.execute(sa.text(f"CREATE EXTENSION IF NOT EXISTS {ext}"))
            conn.execute(sa.text(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}"))
            conn.execute(sa.text(f"CREATE SEQUENCE IF NOT EXISTS {SEQUENCE}"))
            conn.execute(sa.text(_ts_config_ddl(TS_FRENCH, "pg_catalog.french", "french_stem")))
            conn.execute(sa.text(_ts_config_ddl(TS_ENGLISH, "pg_catalog.english", "english_stem")))
            conn.execute(sa.text(_ts_config_ddl(TS_PLAIN, "pg_catalog.simple", "simple")))
            # A random start: were the sequence ever dropped and recreated,
            # its values would not meet those a process cached results under
            # (the cache trusts an unchanged generation).
            conn.execute(sa.text(
                f"CREATE SEQUENCE IF NOT EXISTS {GENERATION} MAXVALUE {2**62} CYCLE "
                f"START WITH {secrets.randbelow(2**61) + 1}"
            ))
            conn.execute(sa.text(
                f"CREATE TABLE IF NOT EXISTS {COUNTED_PATTERNS} (pattern text PRIMARY KEY)"
            ))
            conn.execute(sa.text(
                f"CREATE TABLE IF NOT EXISTS {REBUILD_DELETIONS} "
                "(index_id text NOT NULL, entity_id text)"
            ))
            for statement in _function_ddl():
                conn.exec_driver_sql(statement)
            if exists:
                log.warning("Search index table has an old layout; recreating it (run a rebuild)")
                conn.execute(sa.text(f"DROP TABLE {TABLE}"))
            conn.execute(sa.text(f"DROP TABLE IF EXISTS {counts.facet_table(TABLE)}"))
            for statement in table_ddl(TABLE, _has_lz4(conn)):
                conn.exec_driver_sql(statement)
            conn.execute(sa.text(f"COMMENT ON TABLE {TABLE} IS '{layout_version()}'"))
            _counted_patterns[:] = counts.sync_patterns(conn, TABLE, COUNTED_PATTERNS)
        _ready = True


def layout_version() -> str:
    """``SCHEMA_VERSION`` plus a digest of the DDL: any change to the tables,
    indexes or count triggers makes ``ensure_schema`` recreate the index
    (and the runtime reindex) even if nobody remembered to bump the number."""
    ddl = "\n".join(table_ddl(TABLE, True) + _function_ddl())
    return f"v{SCHEMA_VERSION}.{hashlib.sha1(ddl.encode()).hexdigest()[:12]}"


def counted_patterns() -> list[str]:
    """LIKE patterns of the custom fields whose facet counts are maintained."""
    ensure_schema()
    return list(_counted_patterns)


def _has_lz4(conn: sa.engine.Connection) -> bool:
    return bool(conn.execute(sa.text(
        "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'"
    )).scalar())


def generation() -> int:
    # A fresh sequence reports its start both before and after the first
    # nextval(); is_called tells them apart.
    rows = execute(f"SELECT last_value, is_called FROM {GENERATION}")
    return int(rows[0][0]) * 2 + int(bool(rows[0][1]))


def bump_generation() -> None:
    execute(f"SELECT nextval('{GENERATION}')")


# --------------------------------------------------------------------------
# Writes

_WEIGHTED_TSVECTOR = f"""(
    setweight(to_tsvector('{TS_FRENCH}', %(text_a)s), 'A') ||
    setweight(to_tsvector('{TS_ENGLISH}', %(text_a)s), 'A') ||
    setweight(to_tsvector('{TS_FRENCH}', %(text_b)s), 'B') ||
    setweight(to_tsvector('{TS_ENGLISH}', %(text_b)s), 'B') ||
    setweight(to_tsvector('{TS_FRENCH}', %(text_d)s), 'D') ||
    setweight(to_tsvector('{TS_ENGLISH}', %(text_d)s), 'D')
)"""

def upsert_template() -> str:
    """One row of the multi-row upsert: the values and the derived columns."""
    values = ", ".join(f"%({c})s" for c in _COLUMN_NAMES)
    return f"""({values},
                CASE WHEN %(minx)s::float8 IS NULL THEN NULL
                     ELSE box(point(%(minx)s, %(miny)s), point(%(maxx)s, %(maxy)s)) END,
                {_WEIGHTED_TSVECTOR},
                to_tsvector('{TS_FRENCH}', %(title)s) || to_tsvector('{TS_ENGLISH}', %(title)s),
                {SCHEMA}.{counts.FACET_VALUES_FUNCTION}(%(terms)s::jsonb, %(texts)s::jsonb))"""


def upsert_sql(table: str = TABLE) -> str:
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in _COLUMN_NAMES if c != "index_id")
    return f"""
        INSERT INTO {table} ({", ".join(_COLUMN_NAMES)}, extent, fts, fts_title, facet_values)
        VALUES %s
        ON CONFLICT (index_id) DO UPDATE SET {updates},
            extent = EXCLUDED.extent, fts = EXCLUDED.fts, fts_title = EXCLUDED.fts_title,
            facet_values = EXCLUDED.facet_values,
            -- a re-indexed document moves to the end of index order, as in Solr
            seq = nextval('{SEQUENCE}')
    """


def row_params(row: Row) -> dict[str, Any]:
    params: dict[str, Any] = {f.column: _column_value(row, f) for f in schema.COLUMNS}
    params.update(
        stored=json.dumps(row.stored),
        terms=json.dumps(row.terms),
        texts=json.dumps(row.texts),
        ac_name=row.ac_name,
        ac_title=row.ac_title,
        title=row.title or "",
        text_a=row.text_a,
        text_b=row.text_b,
        text_d=row.text_d,
    )
    return params


def _column_value(row: Row, spec: schema.Field) -> Any:
    if spec.shape is schema.Shape.ARRAY:
        return row.array(spec.name)
    if spec.shape is schema.Shape.FLOAT:
        return row.corner(spec.name)
    return row.column(spec.name)


def upsert(rows: Sequence[Row], table: str = TABLE) -> None:
    if not rows:
        return
    # Last write wins within one batch, as with Solr's uniqueKey.
    unique = {row.index_id: row for row in rows}
    execute_values(upsert_sql(table), [row_params(r) for r in unique.values()], upsert_template())
    bump_generation()


def delete_where(where_sql: str, params: dict[str, Any], table: str = TABLE) -> int:
    ensure_schema()
    with transaction() as conn:
        # A delete-by-query can remove the whole index (``search-index
        # clear``); its count triggers then re-aggregate every removed row,
        # which may take longer than a search is allowed to.
        conn.exec_driver_sql("SET LOCAL statement_timeout = 0")
        rows = conn.exec_driver_sql(
            f"WITH gone AS (DELETE FROM {table} d WHERE {where_sql} RETURNING 1) "
            "SELECT count(*) FROM gone",
            params,
        ).fetchall()
    bump_generation()
    return int(rows[0][0]) if rows else 0


def delete_ids(index_ids: Sequence[str], table: str = TABLE) -> None:
    execute(f"DELETE FROM {table} WHERE index_id = ANY(%(ids)s)", {"ids": list(index_ids)})
    bump_generation()


# --------------------------------------------------------------------------
# Shadow tables, for rebuilds that never leave search empty



def create_shadow(site_id: str) -> None:
    """An empty copy of the live table, holding other sites' rows already.

    It has no count triggers while it is filled: its facet counts are
    computed once, in bulk, before it is swapped in (``swap_shadow``)."""
    ensure_schema()
    with transaction() as conn:
        conn.execute(sa.text(f"DELETE FROM {REBUILD_DELETIONS}"))
        conn.execute(sa.text(f"DROP TABLE IF EXISTS {SHADOW}"))
        conn.execute(sa.text(f"DROP TABLE IF EXISTS {counts.facet_table(SHADOW)}"))
        for statement in table_ddl(SHADOW, _has_lz4(conn), triggers=False):
            conn.exec_driver_sql(statement)
        conn.execute(
            sa.text(f"INSERT INTO {SHADOW} SELECT * FROM {TABLE} WHERE site_id <> :site"),
            {"site": site_id},
        )


def swap_shadow() -> None:
    """Put the shadow table in place of the live one, atomically."""
    with transaction() as conn:
        # Counted before taking the live table's lock: searches go on meanwhile.
        counts.recount(conn, SHADOW)
        for statement in _trigger_ddl(SHADOW):
            conn.exec_driver_sql(statement)
    renames = [(TABLE, SHADOW, ["pkey"] + [s for s, _ in _INDEXES]),
               (counts.facet_table(TABLE), counts.facet_table(SHADOW),
                list(counts.FACET_INDEX_SUFFIXES))]
    with transaction() as conn:
        conn.execute(sa.text(f"LOCK TABLE {TABLE} IN ACCESS EXCLUSIVE MODE"))
        for live, shadow, suffixes in renames:
            short_live, short_shadow = live.split(".")[1], shadow.split(".")[1]
            conn.execute(sa.text(f"ALTER TABLE {live} RENAME TO {short_live}_old"))
            for suffix in suffixes:
                conn.execute(sa.text(
                    f"ALTER INDEX {SCHEMA}.{short_live}_{suffix} "
                    f"RENAME TO {short_live}_old_{suffix}"
                ))
            conn.execute(sa.text(f"ALTER TABLE {shadow} RENAME TO {short_live}"))
            for suffix in suffixes:
                conn.execute(sa.text(
                    f"ALTER INDEX {SCHEMA}.{short_shadow}_{suffix} RENAME TO {short_live}_{suffix}"
                ))
        conn.execute(sa.text(f"COMMENT ON TABLE {TABLE} IS '{layout_version()}'"))
        for live, _, _ in renames:
            conn.execute(sa.text(f"DROP TABLE {live}_old"))
        conn.execute(sa.text(f"SELECT nextval('{GENERATION}')"))


def take_rebuild_deletions() -> set[str]:
    """After the swap: delete again what was deleted from the old live table
    while the shadow table was filled (the shadow may hold a copy indexed
    before the deletion) and return the datasets' ids (some may have been
    re-created since: the caller reindexes those).  Deletions made after the
    swap went to the new table and are not logged (no shadow table)."""
    with transaction() as conn:
        conn.exec_driver_sql("SET LOCAL statement_timeout = 0")
        rows = conn.execute(sa.text(
            f"WITH logged AS (DELETE FROM {REBUILD_DELETIONS} RETURNING index_id, entity_id) "
            "SELECT DISTINCT index_id, entity_id FROM logged"
        )).fetchall()
        conn.execute(sa.text(f"DELETE FROM {TABLE} WHERE index_id = ANY(:ids)"),
                     {"ids": [r[0] for r in rows]})
    bump_generation()
    return {r[1] for r in rows if r[1]}
