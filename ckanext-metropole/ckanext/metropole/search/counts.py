"""Facet counts kept by the database, so that browsing never scans the index.

Why: counting six facets over every dataset a visitor may see means reading
~100,000 rows per request at 100k datasets (seconds on a small machine),
yet the pages that show facets most — home, ``/dataset`` without a search,
organisation and group pages — filter only on a few per-dataset attributes:
site, entity and dataset type, state, capacity, owning organisation and
permission labels (what CKAN adds to every search).

Datasets that agree on all of those attributes (a "group") are
indistinguishable to such a filter.  The ``<table>_facet`` table holds, per
group and per facet value, how many of the group's documents carry that
value (plus one row per group with its document count, field ``''``).  A
request whose WHERE clause references only group columns is answered by
evaluating that same WHERE clause on the group rows (they have the same
column names and the same values as each of their documents) and adding up
the matching groups' counts.  This is exact, not an estimate:

* each document belongs to exactly one group, whose key includes its whole
  (sorted) set of permission labels, so a dataset with several labels is
  counted once, however many of them the user holds;
* values are de-duplicated per document at write time (``document.py``),
  so a value row counts documents, as Solr's facet counts do;
* the counts are maintained by statement-level triggers on the document
  table, in the same transaction as the write, and read in the same
  statement (hence the same snapshot) as the page of results.

Which fields are counted: every facetable field (schema.FACETABLE, the
``vocab_*`` fields, ``search.facets`` and
``ckanext.metropole.search.facetable_fields``): the promoted facet columns
from the columns themselves, the others from ``terms`` (whole values) and
``texts`` (analysed tokens, as Solr facets a text field).  Counting is what
makes a facet cheap on browse (a few thousand group rows instead of every
visible document), so no facetable field is left out; a field added to the
settings is counted from the next start (one recount).  Any other request
(full text, ranges, spatial, filters on other fields, ``mincount`` < 1)
takes the general path of ``query.py``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

import sqlalchemy as sa

from . import schema
from .facetable import facetable_description

GROUP_COLUMNS = (
    "site_id", "entity_type", "dataset_type", "state", "capacity", "owner_org",
    "organization", "permission_labels",
)
# The facetable fields promoted to columns (schema.py), by shape.
SCALAR_FIELDS = tuple(f.name for f in schema.COLUMNS
                      if f.facetable and f.shape is schema.Shape.SCALAR)
ARRAY_FIELDS = tuple(f.name for f in schema.COLUMNS
                     if f.facetable and f.shape is schema.Shape.ARRAY)
COLUMN_FIELDS = SCALAR_FIELDS + ARRAY_FIELDS
TOTAL = ""  # the field (and value) of a group's document count

_COLUMN_REF = re.compile(r"\bd\.([A-Za-z_][A-Za-z0-9_]*)")


def facet_table(table: str) -> str:
    return f"{table}_facet"


def patterns_setting() -> list[str]:
    """Every facetable field (facetable.facetable_description), as LIKE
    patterns (sorted, unique): whatever a search may facet on is counted."""
    return sorted({_like(g) for g in facetable_description() if g})


def _like(glob: str) -> str:
    escaped = glob.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped.replace("*", "%").replace("?", "_")


def counted(field_name: str, patterns: list[str]) -> bool:
    """Whether ``field_name``'s counts are maintained: a facetable column, or
    a field without a column that the triggers count (``_values_sql``)."""
    if field_name in COLUMN_FIELDS:
        return True
    if schema.field(field_name).column or field_name in schema.NEVER_FACETABLE:
        return False
    return any(_like_match(p, field_name) for p in patterns)


def _like_match(pattern: str, text: str) -> bool:
    return _like_regex(pattern).fullmatch(text) is not None


@functools.lru_cache(maxsize=64)
def _like_regex(pattern: str) -> re.Pattern[str]:
    """A LIKE pattern as a regex, built once: ``counted`` runs on every search."""
    regex = ""
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and i + 1 < len(pattern):
            regex += re.escape(pattern[i + 1])
            i += 2
            continue
        regex += ".*" if ch == "%" else "." if ch == "_" else re.escape(ch)
        i += 1
    return re.compile(regex, re.S)


def where_is_countable(where_sql: str, table: str) -> bool:
    """True when ``where_sql`` only reads group columns of the document ``d``."""
    return reads_only(where_sql, table, GROUP_COLUMNS)


def reads_only(where_sql: str, table: str, columns: Iterable[str]) -> bool:
    """True when ``where_sql`` only reads ``columns`` of the document ``d``.

    Our compiler writes every column reference as ``d.<column>`` and never
    writes user input into SQL text (it is all bind parameters), so reading
    the references off the SQL text is reliable.
    """
    if table in where_sql:  # a subquery on the index itself: not a per-row test
        return False
    allowed = set(columns)
    return all(m.group(1) in allowed for m in _COLUMN_REF.finditer(where_sql))


# --------------------------------------------------------------------- DDL

# Between a field's name and one of its values in ``facet_values``: field
# names never hold it, and a value is everything after the first one.
_SEPARATOR_SQL = "E'\\x1f'"  # the unit separator
FACET_VALUES_FUNCTION = "facet_values"


def facet_values_function_ddl(schema_name: str, patterns_table: str) -> str:
    """``facet_values(terms, texts)``: every counted value of a document's
    fields without a column, as ``field<US>value`` strings (whole values of
    exact-match fields, the analysed tokens of text fields, as Solr facets
    them), written once with the document into its ``facet_values`` column.

    Why a column: the counts below and a facet on a filtered search
    (facets.py) both read these values, and reading them from ``terms`` and
    ``texts`` meant a TOAST fetch and a JSON walk per matched document
    (``fq=tags:…`` + ``theme``: 108 ms at 100,000 datasets).  The column is
    small and kept in the row."""
    skipped = ", ".join(f"'{f}'" for f in sorted(
        {c.name for c in schema.COLUMNS} | set(schema.NEVER_FACETABLE)))
    counted = (f"e.key NOT IN ({skipped}) "
               f"AND e.key LIKE ANY (ARRAY(SELECT pattern FROM {patterns_table}))")
    plain = ", ".join(f"'{f.name}'" for f in schema.declared()
                      if f.kind is schema.Kind.TEXT_GENERAL)
    analysis = (f"(CASE WHEN e.key IN ({plain}) THEN '{schema_name}.plain' "
                f"ELSE '{schema_name}.en' END)::regconfig")
    return f"""
        CREATE OR REPLACE FUNCTION {schema_name}.{FACET_VALUES_FUNCTION}(terms jsonb, texts jsonb)
        RETURNS text[] LANGUAGE sql STABLE AS $fn$
        SELECT coalesce(array_agg(DISTINCT v ORDER BY v), '{{}}') FROM (
            SELECT e.key || {_SEPARATOR_SQL} || x AS v
            FROM jsonb_each(terms) e, jsonb_array_elements_text(e.value) x WHERE {counted}
            UNION ALL
            SELECT e.key || {_SEPARATOR_SQL} || x
            FROM jsonb_each(texts) e,
                 unnest(tsvector_to_array(to_tsvector({analysis}, e.value))) x
            WHERE {counted}) s
        $fn$"""


def values_prefix_sql(field_param: str) -> str:
    """What each of a field's values starts with in ``facet_values`` (the
    field's name is a bind parameter)."""
    return f"({field_param} || {_SEPARATOR_SQL})"


def _values_sql() -> str:
    """One row (field, value) per counted value of the document ``g``: the
    same values facets.py reads on the general path."""
    scalars = " ".join(
        f"UNION ALL SELECT '{f}', g.{f} WHERE g.{f} IS NOT NULL" for f in SCALAR_FIELDS
    )
    arrays = " ".join(f"UNION ALL SELECT '{f}', x FROM unnest(g.{f}) x" for f in ARRAY_FIELDS)
    return (
        f"SELECT '{TOTAL}'::text AS field, '{TOTAL}'::text AS value {scalars} {arrays} "
        f"UNION ALL SELECT split_part(x, {_SEPARATOR_SQL}, 1), "
        f"substr(x, strpos(x, {_SEPARATOR_SQL}) + 1) FROM unnest(g.facet_values) x"
    )


def upsert_sql(target: str, source: str) -> str:
    """Add ``source``'s documents (with a ``sign`` column: 1 or -1) to ``target``."""
    key_columns = ", ".join(f"g.{c}" for c in GROUP_COLUMNS[:-1]) + ", g.labels"
    return f"""
        INSERT INTO {target} AS c (gkey, {", ".join(GROUP_COLUMNS)}, field, value, n)
        SELECT md5(row({key_columns})::text), {key_columns}, v.field, v.value, sum(g.sign)
        FROM (SELECT d.*, ARRAY(SELECT DISTINCT l FROM unnest(d.permission_labels) l
                                ORDER BY 1) AS labels
              FROM {source} d) g
        CROSS JOIN LATERAL ({_values_sql()}) v
        GROUP BY {key_columns}, v.field, v.value
        HAVING sum(g.sign) <> 0
        ORDER BY v.field, 1, v.value
        ON CONFLICT (field, gkey, value) DO UPDATE SET n = c.n + EXCLUDED.n
    """


def table_ddl(schema: str, table: str) -> list[str]:
    """The counts table of document table ``table`` (not its triggers)."""
    target = facet_table(table)
    short = target.split(".")[1]
    columns = ", ".join(f"{c} text" for c in GROUP_COLUMNS[:-1])
    return [
        f"""CREATE TABLE {target} (
            gkey text NOT NULL, {columns}, permission_labels text[] NOT NULL,
            field text NOT NULL, value text NOT NULL, n bigint NOT NULL,
            CONSTRAINT {short}_pkey PRIMARY KEY (field, gkey, value))""",
        # Rows whose count fell to zero are deleted after each write.
        f"CREATE INDEX {short}_zero ON {target} (field) WHERE n = 0",
    ]


FACET_INDEX_SUFFIXES = ("pkey", "zero")


def function_ddl(schema: str, patterns_table: str) -> list[str]:
    """The trigger function shared by the live and shadow tables.

    It finds its counts table from ``TG_TABLE_NAME`` so that renaming a
    shadow table (and its counts table) into place needs no new function.
    An advisory lock per counts table serialises concurrent writers' count
    updates: no deadlock between two statements touching the same values in
    different orders, and the lock lasts only for the writing statement.
    """
    def statement(source: str) -> str:
        return upsert_sql("@target@", source)

    inserted = statement("(SELECT d.*, 1 AS sign FROM new_rows d)")
    deleted = statement("(SELECT d.*, -1 AS sign FROM old_rows d)")
    updated = statement(
        "(SELECT d.*, 1 AS sign FROM new_rows d UNION ALL SELECT d.*, -1 FROM old_rows d)"
    )
    return [
        facet_values_function_ddl(schema, patterns_table),
        f"""CREATE OR REPLACE FUNCTION {schema}.count_facets() RETURNS trigger
        LANGUAGE plpgsql AS $fn$
        DECLARE
            target text := quote_ident(TG_TABLE_SCHEMA) || '.'
                           || quote_ident(TG_TABLE_NAME || '_facet');
        BEGIN
            PERFORM pg_advisory_xact_lock(hashtext(target));
            IF TG_OP = 'TRUNCATE' THEN
                EXECUTE 'TRUNCATE ' || target;
                RETURN NULL;
            ELSIF TG_OP = 'INSERT' THEN
                EXECUTE replace($q${inserted}$q$, '@target@', target);
            ELSIF TG_OP = 'DELETE' THEN
                EXECUTE replace($q${deleted}$q$, '@target@', target);
            ELSE
                EXECUTE replace($q${updated}$q$, '@target@', target);
            END IF;
            EXECUTE 'DELETE FROM ' || target || ' WHERE n = 0';
            RETURN NULL;
        END $fn$""",
    ]


def trigger_ddl(schema: str, table: str) -> list[str]:
    short = table.split(".")[1]
    fn = f"{schema}.count_facets()"
    return [
        f"CREATE TRIGGER {short}_count_insert AFTER INSERT ON {table} "
        f"REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {fn}",
        f"CREATE TRIGGER {short}_count_update AFTER UPDATE ON {table} "
        "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {fn}",
        f"CREATE TRIGGER {short}_count_delete AFTER DELETE ON {table} "
        f"REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION {fn}",
        f"CREATE TRIGGER {short}_count_truncate AFTER TRUNCATE ON {table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {fn}",
    ]


def recount(conn: sa.engine.Connection, table: str) -> None:
    """Recompute ``table``'s counts from scratch (bulk load, setting change)."""
    target = facet_table(table)
    # Reads the whole index (tens of seconds at 100k datasets): not a search.
    conn.execute(sa.text("SET LOCAL statement_timeout = 0"))
    conn.execute(sa.text(f"LOCK TABLE {table} IN SHARE MODE"))
    conn.execute(sa.text(f"DELETE FROM {target}"))
    conn.execute(sa.text(upsert_sql(target, f"(SELECT d.*, 1 AS sign FROM {table} d)")))


def sync_patterns(conn: sa.engine.Connection, table: str, patterns_table: str) -> list[str]:
    """Add the configured patterns to the stored ones (if any was missing:
    every document's ``facet_values`` written again, then recounted) and
    return the stored patterns.

    Patterns are only ever added: processes started with different settings
    then never see counts for a field another process stopped counting, and
    a process only relies on the patterns it read here (a subset of what the
    triggers count from now on)."""
    stored = {r[0] for r in conn.execute(sa.text(f"SELECT pattern FROM {patterns_table}"))}
    missing = [p for p in patterns_setting() if p not in stored]
    if missing:
        conn.execute(sa.text(f"LOCK TABLE {patterns_table} IN EXCLUSIVE MODE"))
        for pattern in missing:
            conn.execute(sa.text(
                f"INSERT INTO {patterns_table} VALUES (:p) ON CONFLICT DO NOTHING"
            ), {"p": pattern})
        # Counted in bulk below rather than by the update trigger, which
        # would hold every row twice in its transition tables.  (Disabling
        # triggers takes a lock that stops writers until the commit, and lets
        # searches go on.)
        conn.execute(sa.text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))
        conn.execute(sa.text("SET LOCAL statement_timeout = 0"))
        conn.execute(sa.text(
            f"UPDATE {table} SET facet_values = "
            f"{table.split('.')[0]}.{FACET_VALUES_FUNCTION}(terms, texts)"))
        conn.execute(sa.text(f"ALTER TABLE {table} ENABLE TRIGGER USER"))
        recount(conn, table)
    return sorted(stored | set(missing))
