"""Turn one Solr ``select`` request into one SQL statement.

The statement materialises the matched set once (a narrow row per matching
document: id, index order, score, sort keys, facet values) and returns, in a
single round trip, the count, the requested page and every facet as rows of
a ``UNION ALL`` tagged by kind.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from . import counts, dismax, facets, functions, lucene, schema, storage
from .clauses import ARRAY_COLUMNS, FLOAT_COLUMNS, Cond, Context
from .errors import BadRequest, QuerySyntaxError, SortError
from .schema import Kind
from .sqlparams import Params

# ts_rank weights for {D, C, B, A}: text 1, (unused), tags/groups 2, name/title 4
RANK_WEIGHTS = "'{0.25, 0.25, 0.5, 1.0}'::float4[]"
DEFAULT_FACET_LIMIT = 100  # Solr's own default; CKAN always sends one
# An fq that reads only these columns says which documents the user may see
# at all: CKAN's ``+site_id:…`` and ``+permission_labels:(…)``.  Together
# they bound what ``facet.mincount=0`` may list (facets.py).  A user's own fq
# on these columns only narrows that set further: every fq must hold.
VISIBILITY_COLUMNS = ("site_id", "permission_labels")


@dataclass
class Plan:
    sql: str
    params: dict[str, Any]
    fl: list[str]
    facet_fields: list[str] = field(default_factory=list)
    want_score: bool = False


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    return [str(value)]


def _int(value: Any, name: str, default: int) -> int:
    if value is None or value == "":
        return default
    try:
        return int(value)
    except (TypeError, ValueError):
        raise BadRequest(f"Invalid integer for {name}: {value!r}") from None


def compile_clause(ctx: Context, text: str, *, default_field: str = "text",
                   def_type: str = "lucene", mm: str | None = None,
                   qf: str | None = None) -> Cond:
    """One q or fq value, honouring leading local params (``{!frange ...}``)."""
    local = functions.split_local_params(text) if text.lstrip().startswith("{!") else None
    if local is not None:
        parser_type, local_params, body = local
        if parser_type == "frange":
            return functions.frange(ctx, local_params, body)
        if parser_type in ("field", "term"):
            return functions.field_query(ctx, local_params, body)
        if parser_type == "bool":
            return _bool_parser(ctx, local_params, default_field)
        if parser_type in ("lucene", "dismax", "edismax"):
            operator = local_params.get("q.op", "").upper()
            if operator in ("AND", "OR"):
                previous, ctx.default_operator = ctx.default_operator, operator
                try:
                    return compile_clause(
                        ctx, body, default_field=local_params.get("df", default_field),
                        def_type=parser_type, mm=local_params.get("mm", mm),
                        qf=local_params.get("qf", qf),
                    )
                finally:
                    ctx.default_operator = previous
            return compile_clause(
                ctx, body, default_field=local_params.get("df", default_field),
                def_type=parser_type, mm=local_params.get("mm", mm), qf=local_params.get("qf", qf),
            )
        raise BadRequest(f"Unknown query parser '{parser_type}'")
    if def_type in ("dismax", "edismax"):
        stripped = text.strip()
        if stripped in ("*:*", "*") or (def_type == "edismax" and ":" in stripped):
            if stripped in ("*:*", "*"):
                return Cond("TRUE")
            return lucene.compile_query(ctx, text, default_field)
        return dismax.compile_dismax(ctx, text, mm, qf)
    if def_type != "lucene":
        raise BadRequest(f"Unknown query parser '{def_type}'")
    return lucene.compile_query(ctx, text, default_field)


def _bool_parser(ctx: Context, local_params: dict[str, str], default_field: str) -> Cond:
    """``{!bool must=a should=b must_not=c filter=d}``: each value a lucene query."""
    def queries(key: str) -> list[Cond]:
        values = [v for v in local_params.get(key, "").split("\x00") if v.strip()]
        return [compile_clause(ctx, v, default_field=default_field) for v in values]

    musts = queries("must") + queries("filter")
    shoulds = queries("should")
    nots = queries("must_not")
    parts = [c.must for c in musts] + [c.neg for c in nots]
    if shoulds and not musts:
        parts.append("(" + " OR ".join(c.strict for c in shoulds) + ")")
    if not musts and not shoulds:
        return Cond("FALSE")
    return Cond("(" + " AND ".join(parts) + ")")


# ----------------------------------------------------------------- sorting

_SORT_RE = re.compile(r"\s*([^\s,]+)\s+(\S+?)\s*(?:,|$)")


def _sort_expr(ctx: Context, name: str) -> str:
    if name == "score":
        return "_score"
    if "(" in name:
        return functions.compile_function(ctx, name)
    spec = schema.field(name)
    if spec.column and spec.column not in ARRAY_COLUMNS:
        return f"d.{spec.column}"
    if spec.multi:
        raise BadRequest(f"can not sort on multivalued field: {name}")
    key = ctx.params.add(name)
    if spec.kind in (Kind.INT, Kind.FLOAT):
        return f"(d.terms -> {key} ->> 0)::float8"
    return f'(d.{schema.values_column(name)} -> {key} ->> 0) COLLATE "C"'


def parse_sort(ctx: Context, sort: str | None) -> list[tuple[str, str]]:
    """``"score desc, metadata_modified desc"`` -> [(sql, "DESC"), ...]."""
    if not sort or not sort.strip():
        return [("_score", "DESC")]
    keys: list[tuple[str, str]] = []
    position = 0
    text = sort.strip()
    while position < len(text):
        m = _SORT_RE.match(text, position)
        if not m or m.end() == position:
            raise SortError(
                f"Can't determine a Sort Order (asc or desc) in sort spec '{sort}'"
            )
        name, direction = m.group(1), m.group(2).lower()
        if direction not in ("asc", "desc"):
            raise SortError(f"Can't determine a Sort Order (asc or desc) in sort spec '{sort}'")
        keys.append((_sort_expr(ctx, name), direction.upper()))
        position = m.end()
    return keys


# ------------------------------------------------------------------- parse

_FL_SPLIT = re.compile(r"[\s,]+")
CONSTANT_SCORE = "1.0::float8"


@dataclass
class Request:
    """The Solr parameters of one select request, typed, with Solr's defaults."""

    q: str
    def_type: str
    df: str
    mm: str | None
    qf: str | None
    operator: str
    fqs: list[str]
    bfs: list[str]
    boosts: list[str]
    sort: str | None
    rows: int
    start: int
    facet_fields: list[str]
    facet_limit: int
    facet_mincount: int
    fl: list[str]


def parse(params: dict[str, Any]) -> Request:
    q = params.get("q")
    if isinstance(q, (list, tuple)):
        q = q[0] if q else None
    operator = str(params.get("q.op") or "AND").upper()
    facet_on = str(params.get("facet", "false")).lower() in ("true", "on", "1")
    return Request(
        q=(q or "*:*") if isinstance(q, str) else "*:*",
        def_type=params.get("defType") or "lucene",
        df=params.get("df") or "text",
        mm=params.get("mm"),
        qf=params.get("qf"),
        operator=operator if operator in ("AND", "OR") else "AND",
        fqs=[fq for fq in _as_list(params.get("fq")) if fq.strip()],
        bfs=[bf for bf in _as_list(params.get("bf")) if bf.strip()],
        boosts=[b for b in _as_list(params.get("boost")) if b.strip()],
        sort=params.get("sort"),
        rows=max(0, _int(params.get("rows"), "rows", 10)),
        start=max(0, _int(params.get("start"), "start", 0)),
        facet_fields=_as_list(params.get("facet.field")) if facet_on else [],
        facet_limit=_int(params.get("facet.limit"), "facet.limit", DEFAULT_FACET_LIMIT),
        facet_mincount=_int(params.get("facet.mincount"), "facet.mincount", 0),
        fl=[f for f in _FL_SPLIT.split(str(params.get("fl") or "*")) if f],
    )


# -------------------------------------------------------------------- plan

@dataclass
class Search:
    """A request compiled to SQL fragments over the document ``d``, and the
    path that will answer it."""

    params: Params
    where_sql: str
    visible_sql: str  # what the user may see at all (facets.select_sql)
    score: str
    sort_keys: list[tuple[str, str]]
    rows: int
    start: int
    facet_plans: list[facets.FacetPlan]
    projection: str
    counted: bool  # count and facets from the counts table (counts.py)


def plan(request: Request, table: str) -> Search:
    p = Params()
    ctx = Context(p)
    ctx.default_operator = request.operator
    ctx.scoring = True
    where = [compile_clause(ctx, request.q, default_field=request.df,
                            def_type=request.def_type, mm=request.mm, qf=request.qf).must]
    ctx.scoring = False
    visible = []
    for fq in request.fqs:
        where.append(compile_clause(ctx, fq, default_field=request.df).must)
        if counts.reads_only(where[-1], table, VISIBILITY_COLUMNS):
            visible.append(where[-1])
    score = _score(ctx, request)
    sort_keys = parse_sort(ctx, request.sort)
    facet_plans = facets.plan(p, request.facet_fields, request.facet_limit,
                              request.facet_mincount)
    projection = _projection(p, request.fl)
    where_sql = " AND ".join(f"({w})" for w in where)
    # Without facets the counts table still answers the count, and the page
    # then comes straight off an index in the requested order.
    counted = (score == CONSTANT_SCORE
               and (request.facet_mincount >= 1 or not facet_plans)
               and counts.where_is_countable(where_sql, table)
               and all(counts.counted(fp.field, storage.counted_patterns())
                       for fp in facet_plans))
    return Search(p, where_sql, " AND ".join(f"({v})" for v in visible) or "TRUE", score,
                  sort_keys, request.rows, request.start, facet_plans, projection, counted)


def _score(ctx: Context, request: Request) -> str:
    score = CONSTANT_SCORE
    if ctx.rank_queries:
        combined = " || ".join(ctx.rank_queries)
        score = f"ts_rank({RANK_WEIGHTS}, d.fts, ({combined}), 0)::float8"
    if request.def_type in ("dismax", "edismax"):
        for bf in request.bfs:
            score = f"({score} + ({functions.compile_function(ctx, bf)}))"
        for boost in request.boosts:
            score = f"({score} * ({functions.compile_function(ctx, boost)}))"
    return score


def _projection(p: Params, fl: list[str]) -> str:
    """The stored fields returned for each document of the page (``top``)."""
    if "*" in fl or any("*" in f or "?" in f for f in fl):
        projection = "d.stored"
    else:
        wanted = p.add([f for f in fl if f != "score"])
        projection = (
            "(SELECT coalesce(jsonb_object_agg(key, value), '{}'::jsonb) "
            f"FROM jsonb_each(d.stored) WHERE key = ANY({wanted}::text[]))"
        )
    if "score" in fl:
        projection = f"({projection} || jsonb_build_object('score', top._score))"
    return projection


# --------------------------------------------------------------------- SQL

def build(params: dict[str, Any], table: str = storage.TABLE) -> Plan:
    request = parse(params)
    search = plan(request, table)
    sql = _counted_sql(search, table) if search.counted else _general_sql(search, table)
    return Plan(sql, search.params.values, request.fl,
                [fp.field for fp in search.facet_plans], "score" in request.fl)


def _page_sql(search: Search, table: str, ranked: str, order_by: str) -> str:
    """The page of results: ``ranked`` (rows with ``index_id`` and
    ``_score``) cut to the page, then joined back to the documents for their
    stored fields.  (ORDER BY directly under LIMIT: PostgreSQL then keeps
    only the top rows while sorting; the ordinal is numbered after the cut.)"""
    return (
        f"(SELECT 'd'::text, NULL::text, NULL::bigint, top.ord, {search.projection} "
        f"FROM (SELECT cut.*, (row_number() OVER ())::bigint AS ord FROM "
        f"({ranked} ORDER BY {order_by} LIMIT {search.rows} OFFSET {search.start}) cut) top "
        f"JOIN {table} d ON d.index_id = top.index_id)"
    )


def _general_sql(search: Search, table: str) -> str:
    """Materialise the narrow matched set ``m`` once; count, page and facets
    are read from it."""
    matched_columns = ["d.index_id", "d.seq", f"{search.score} AS _score"]
    matched_columns += [f"{expr} AS s{i}" for i, (expr, _) in enumerate(search.sort_keys)
                        if expr != "_score"]
    matched_columns += [f"{fp.column_sql} AS {fp.alias}" for fp in search.facet_plans]
    order_by = ", ".join(
        [f"{'m._score' if expr == '_score' else f'm.s{i}'} {direction} NULLS LAST"
         for i, (expr, direction) in enumerate(search.sort_keys)] + ["m.seq ASC"]
    )
    parts = ["SELECT 'n'::text, NULL::text, count(*)::bigint, NULL::bigint, NULL::jsonb FROM m"]
    if search.rows > 0:
        parts.append(_page_sql(search, table, "SELECT m.* FROM m", order_by))
    parts += [facets.select_sql(search.params, fp, table, search.visible_sql)
              for fp in search.facet_plans]
    return (
        f"WITH m AS MATERIALIZED (SELECT {', '.join(matched_columns)} "
        f"FROM {table} d WHERE {search.where_sql}) "
        + " UNION ALL ".join(part for part in parts if part)
    )


def _counted_sql(search: Search, table: str) -> str:
    """A filter-only request: count and facets from the counts table
    (counts.py), the page straight from an index-ordered scan of the
    documents.  The score is the same for every match, so sorting on it
    is a no-op and is left out (the index then serves the order)."""
    p = search.params
    fields = p.add([counts.TOTAL] + [fp.field for fp in search.facet_plans])
    parts = [
        "SELECT 'n'::text, NULL::text, "
        f"coalesce((SELECT c.n FROM c WHERE c.field = {p.add(counts.TOTAL)}), 0)::bigint, "
        "NULL::bigint, NULL::jsonb"
    ]
    if search.rows > 0:
        order_by = ", ".join([f"{expr} {direction} NULLS LAST"
                              for expr, direction in search.sort_keys if expr != "_score"]
                             + ["d.seq ASC"])
        ranked = f"SELECT d.index_id, 1.0::float8 AS _score FROM {table} d WHERE {search.where_sql}"
        parts.append(_page_sql(search, table, ranked, order_by))
    parts += [facets.counted_select_sql(p, fp) for fp in search.facet_plans]
    return (
        f"WITH c AS MATERIALIZED (SELECT d.field, d.value, sum(d.n)::bigint AS n "
        f"FROM {counts.facet_table(table)} d WHERE d.field = ANY({fields}::text[]) "
        f"AND ({search.where_sql}) GROUP BY d.field, d.value) "
        + " UNION ALL ".join(part for part in parts if part)
    )


def check_clause(text: str, def_type: str = "lucene", mm: str | None = None,
                 qf: str | None = None) -> None:
    """Raise what compiling ``text`` as a q or fq of its own would raise, so
    that an error can name the parameter at fault (validation.py)."""
    compile_clause(Context(Params()), text, def_type=def_type, mm=mm, qf=qf)


def check_sort(sort: str) -> None:
    """Raise what ``sort`` would raise in a search (validation.py)."""
    parse_sort(Context(Params()), sort)


def where_for_delete(q: str) -> tuple[str, dict[str, Any]]:
    """Delete-by-query: the same lucene semantics as a filter query."""
    ctx = Context(Params())
    cond = compile_clause(ctx, q)
    return cond.must, ctx.params.values


__all__ = ["build", "where_for_delete", "Plan", "QuerySyntaxError", "FLOAT_COLUMNS"]
