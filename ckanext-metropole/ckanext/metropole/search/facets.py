"""Facet counts with Solr's ``facet.field`` semantics, on declared fields only.

Counts are taken over the matched set (so they honour every ``fq``,
including CKAN's permission labels).  Order is count descending then value
(byte order), or value order when ``facet.limit`` is negative; ``0`` returns
no values.

``facet.mincount=0`` also lists values the filters left out, with count 0 —
but only values of documents the user may see at all.  Solr lists every
term of its index there, so any visitor could read the tags, resource URLs
and descriptions of private datasets; here the values come from the
documents that pass the request's *visibility* filters (``query.py``: the
``fq`` CKAN adds for the site and the user's permission labels), so a value
that exists only in documents the user cannot read is never listed.

Only declared fields are facetable (``facetable``): see schema.FACETABLE.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import counts, schema, storage
from .clauses import ARRAY_COLUMNS, FLOAT_COLUMNS
from .errors import BadRequest
from .facetable import facetable
from .schema import Kind
from .sqlparams import Params


@dataclass
class FacetPlan:
    field: str
    alias: str  # column of the matched set ``m`` holding this field
    column_sql: str  # its expression over the document row ``d``
    shape: str  # "scalar", "array", "jsonb" or "tagged" (field<US>value strings)
    limit: int
    mincount: int
    prefix: str = ""  # "tagged": the SQL of what this field's strings start with


def _column(params: Params, name: str) -> tuple[str, str, str]:
    """(expression over d, shape, prefix) giving the field's values for faceting."""
    spec = schema.field(name)
    if spec.column in ARRAY_COLUMNS:
        return f"d.{spec.column}", "array", ""
    if spec.column and spec.column not in FLOAT_COLUMNS:
        return f"d.{spec.column}", "scalar", ""
    key = params.add(name)
    if counts.counted(name, storage.counted_patterns()):
        # Written with the document, in its row (counts.facet_values_function_ddl).
        return "d.facet_values", "tagged", counts.values_prefix_sql(key)
    if spec.kind is Kind.FULLTEXT:
        return "tsvector_to_array(d.fts)", "array", ""
    if spec.kind in (Kind.TEXT, Kind.TEXT_GENERAL):
        # Solr facets on analysed fields count tokens, not whole values.
        config = storage.TS_PLAIN if spec.kind is Kind.TEXT_GENERAL else storage.TS_ENGLISH
        return f"tsvector_to_array(to_tsvector('{config}', d.texts -> {key}))", "array", ""
    return f"(d.terms -> {key})", "jsonb", ""


def _values(source: str, expr: str, shape: str, where: str = "TRUE", prefix: str = "") -> str:
    """A subquery yielding one row ``v`` per value of ``expr`` over the rows
    of ``source`` that satisfy ``where``.

    Set-returning functions go in the select list (one ProjectSet node),
    which PostgreSQL runs several times faster than a lateral join."""
    if shape == "tagged":
        return (f"(SELECT substr(u.v, length({prefix}) + 1) AS v FROM "
                f"(SELECT unnest({expr}) AS v FROM {source} WHERE {where}) u "
                f"WHERE starts_with(u.v, {prefix})) s")
    if shape == "array":
        return f"(SELECT unnest({expr}) AS v FROM {source} WHERE {where}) s"
    if shape == "jsonb":
        return f"(SELECT jsonb_array_elements_text({expr}) AS v FROM {source} WHERE {where}) s"
    return f"(SELECT {expr} AS v FROM {source} WHERE ({where}) AND {expr} IS NOT NULL) s"


def plan(params: Params, fields: list[str], limit: int, mincount: int) -> list[FacetPlan]:
    plans = []
    seen: set[str] = set()
    for i, name in enumerate(fields):
        if name in seen:
            continue
        if not facetable(name):
            raise BadRequest(f"Field not facetable: {name[:100]}")
        seen.add(name)
        column_sql, shape, prefix = _column(params, name)
        plans.append(FacetPlan(name, f"f{i}", column_sql, shape, limit, mincount, prefix))
    return plans


def select_sql(params: Params, plan_: FacetPlan, table: str, visible: str = "TRUE") -> str:
    """One facet as rows (kind, value, count, ordinal, doc) of the result union.

    ``visible``: the condition on a document ``d`` the user may see at all,
    whatever the rest of the request (see the module's docstring)."""
    if plan_.limit == 0:
        return ""
    values = _values("m", f"m.{plan_.alias}", plan_.shape, prefix=plan_.prefix)
    counted = f"SELECT v::text AS v, count(*) AS n FROM {values} GROUP BY 1"
    having = f"WHERE n >= {params.add(plan_.mincount)}"
    if plan_.mincount <= 0:
        every = _values(f"{table} d", plan_.column_sql, plan_.shape, visible, plan_.prefix)
        counted = (
            f"SELECT v, sum(n)::bigint AS n FROM ({counted} UNION ALL "
            f"SELECT DISTINCT v::text, 0 FROM {every}) z GROUP BY v"
        )
        having = ""
    return _ranked(params, plan_, counted, having)


def counted_select_sql(params: Params, plan_: FacetPlan) -> str:
    """One facet from the summed counts ``c`` (see counts.py; mincount >= 1)."""
    if plan_.limit == 0:
        return ""
    counted = f"SELECT c.value AS v, c.n FROM c WHERE c.field = {params.add(plan_.field)}"
    return _ranked(params, plan_, counted, f"WHERE n >= {params.add(plan_.mincount)}")


def _ranked(params: Params, plan_: FacetPlan, counted: str, having: str) -> str:
    """Solr's order (count desc then value, or value when limit < 0) and limit."""
    order = 'v COLLATE "C"' if plan_.limit < 0 else 'n DESC, v COLLATE "C"'
    limit = "" if plan_.limit < 0 else f"LIMIT {int(plan_.limit)}"
    kind = params.add("f:" + plan_.field)
    return (
        f"(SELECT {kind}::text, v, n::bigint, "
        f"(row_number() OVER (ORDER BY {order}))::bigint, NULL::jsonb "
        f"FROM ({counted}) c {having} ORDER BY {order} {limit})"
    )
