"""Facet counts with Solr's ``facet.field`` semantics.

Counts are taken over the matched set (so they honour every ``fq``,
including CKAN's permission labels).  Order is count descending then value
(byte order), or value order when ``facet.limit`` is negative; ``0`` returns
no values; ``facet.mincount=0`` also lists the field's unmatched values.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import schema, storage
from .clauses import ARRAY_COLUMNS, FLOAT_COLUMNS
from .schema import Kind
from .sqlparams import Params


@dataclass
class FacetPlan:
    field: str
    alias: str  # column of the matched set ``m`` holding this field
    column_sql: str  # its expression over the document row ``d``
    shape: str  # "scalar", "array" or "jsonb"
    limit: int
    mincount: int


def _column(params: Params, name: str) -> tuple[str, str]:
    """(expression over d, shape) giving the field's values for faceting."""
    spec = schema.field(name)
    if spec.column in ARRAY_COLUMNS:
        return f"d.{spec.column}", "array"
    if spec.column and spec.column not in FLOAT_COLUMNS:
        return f"d.{spec.column}", "scalar"
    key = params.add(name)
    if spec.kind is Kind.FULLTEXT:
        return "tsvector_to_array(d.fts)", "array"
    if spec.kind in (Kind.TEXT, Kind.TEXT_GENERAL):
        # Solr facets on analysed fields count tokens, not whole values.
        config = storage.TS_PLAIN if spec.kind is Kind.TEXT_GENERAL else storage.TS_ENGLISH
        return f"tsvector_to_array(to_tsvector('{config}', d.terms -> {key}))", "array"
    return f"(d.terms -> {key})", "jsonb"


def _values(source: str, expr: str, shape: str) -> tuple[str, str, str]:
    """(FROM items, value expression, WHERE) enumerating values of expr."""
    if shape == "array":
        return f"{source}, unnest({expr}) v", "v", "TRUE"
    if shape == "jsonb":
        return f"{source}, jsonb_array_elements_text({expr}) v", "v", "TRUE"
    return source, expr, f"{expr} IS NOT NULL"


def plan(params: Params, fields: list[str], limit: int, mincount: int) -> list[FacetPlan]:
    plans = []
    seen: set[str] = set()
    for i, name in enumerate(fields):
        if name in seen:
            continue
        seen.add(name)
        column_sql, shape = _column(params, name)
        plans.append(FacetPlan(name, f"f{i}", column_sql, shape, limit, mincount))
    return plans


def select_sql(params: Params, plan_: FacetPlan, table: str) -> str:
    """One facet as rows (kind, value, count, ordinal, doc) of the result union."""
    if plan_.limit == 0:
        return ""
    order = 'v COLLATE "C"' if plan_.limit < 0 else 'n DESC, v COLLATE "C"'
    limit = "" if plan_.limit < 0 else f"LIMIT {int(plan_.limit)}"
    kind = params.add("f:" + plan_.field)
    from_sql, value, where = _values("m", f"m.{plan_.alias}", plan_.shape)
    counted = f"SELECT ({value})::text AS v, count(*) AS n FROM {from_sql} WHERE {where} GROUP BY 1"
    having = f"WHERE n >= {params.add(plan_.mincount)}"
    if plan_.mincount <= 0:
        all_from, all_value, all_where = _values(f"{table} d", plan_.column_sql, plan_.shape)
        counted = (
            f"SELECT v, sum(n)::bigint AS n FROM ({counted} UNION ALL "
            f"SELECT DISTINCT ({all_value})::text, 0 FROM {all_from} WHERE {all_where}) z "
            "GROUP BY v"
        )
        having = ""
    return (
        f"(SELECT {kind}::text, v, n::bigint, "
        f"(row_number() OVER (ORDER BY {order}))::bigint, NULL::jsonb "
        f"FROM ({counted}) c {having} ORDER BY {order} {limit})"
    )
