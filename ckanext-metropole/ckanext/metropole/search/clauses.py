"""SQL for one leaf clause: a field compared with a term, phrase, range...

How a value matches depends on the field's Solr type (schema.py): exact
whole-value comparison for strings, analysed full text for text fields,
chronological comparison for dates, numeric for numbers.  Every value is a
bind parameter; field names only select a column from our own mapping or
become a jsonb key parameter.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from . import datemath, schema, storage
from .document import fold
from .errors import BadRequest
from .schema import Kind
from .sqlparams import Params

FR, EN, PLAIN = storage.TS_FRENCH, storage.TS_ENGLISH, storage.TS_PLAIN

# Array-valued columns and float columns (the others hold one string), from
# the index declaration.
ARRAY_COLUMNS = schema.ARRAY_COLUMNS
FLOAT_COLUMNS = schema.FLOAT_COLUMNS
MAX_CLAUSES = 256


@dataclass
class Cond:
    """A boolean SQL expression in the three shapes a clause can be used in.

    ``must`` treats a clause that analyses to nothing (only stop words) as
    absent, i.e. true, like Lucene drops it; ``strict`` treats it as false
    (for OR); ``neg`` is its prohibition.  ``simple`` tags exact matches on
    one column so ORs of them can become a single ``= ANY``/``&&`` test.
    """

    must: str
    strict: str = ""
    neg: str = ""
    simple: tuple[str, str] | None = None  # (column, placeholder)

    def __post_init__(self) -> None:
        self.strict = self.strict or self.must
        # IS NOT TRUE, not NOT: a document without the field (NULL) must
        # match a prohibition, as in Solr.
        self.neg = self.neg or f"({self.strict}) IS NOT TRUE"


TRUE = Cond("TRUE", neg="FALSE")
FALSE = Cond("FALSE", neg="TRUE")


@dataclass
class Context:
    params: Params
    # Positive full-text queries of ``q`` (not ``fq``): they rank results.
    rank_queries: list[str] = field(default_factory=list)
    scoring: bool = False
    # Lucene's default operator (``q.op``); CKAN always sends AND.
    default_operator: str = "AND"
    # Clauses that are tested row by row (full text, wildcards, ranges...),
    # against MAX_CLAUSES.
    clauses: int = 0

    def count_clauses(self, n: int = 1) -> None:
        """Solr refuses queries of more than maxBooleanClauses (1024) clauses;
        ours cost more per clause (2,400 words took 8 s), so the bound is
        lower.  Exact matches folded into one array test (CKAN's permission
        labels, ``id:(a OR b ...)``) cost one test whatever their number and
        are not counted."""
        self.clauses += n
        if self.clauses > MAX_CLAUSES:
            raise BadRequest(f"too many boolean clauses (at most {MAX_CLAUSES})")


def unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def has_wildcard(raw: str) -> bool:
    return re.search(r"(?<!\\)(?:\\\\)*[*?]", raw) is not None


def _jsonb_values(ctx: Context, name: str) -> str:
    return f"jsonb_array_elements_text(d.{schema.values_column(name)} -> {ctx.params.add(name)})"


def _any_value(ctx: Context, name: str, predicate: str) -> str:
    """EXISTS over the field's values, ``v`` being each value."""
    spec = schema.field(name)
    if spec.column in ARRAY_COLUMNS:
        return f"EXISTS (SELECT 1 FROM unnest(d.{spec.column}) v WHERE {predicate})"
    if spec.column and spec.column not in FLOAT_COLUMNS:
        return (
            f"(SELECT {predicate} FROM (SELECT d.{spec.column} AS v) s "
            "WHERE v IS NOT NULL) IS TRUE"
        )
    return f"EXISTS (SELECT 1 FROM {_jsonb_values(ctx, name)} v WHERE {predicate})"


# ---------------------------------------------------------------- full text


def text_vector(ctx: Context, name: str) -> str:
    spec = schema.field(name)
    if spec.kind is Kind.FULLTEXT:
        return "d.fts"
    if name == "title":
        # Indexed on its own: CKAN's autocomplete and users query title:...
        return "d.fts_title"
    key = ctx.params.add(name)
    if spec.kind is Kind.TEXT_GENERAL:
        return f"to_tsvector('{PLAIN}', d.texts -> {key})"
    return f"(to_tsvector('{FR}', d.texts -> {key}) || to_tsvector('{EN}', d.texts -> {key}))"


def text_query(ctx: Context, name: str, value: str, phrase: bool) -> str:
    fn = "phraseto_tsquery" if phrase else "plainto_tsquery"
    p = ctx.params.add(value)
    if schema.field(name).kind is Kind.TEXT_GENERAL:
        return f"{fn}('{PLAIN}', {p})"
    return f"({fn}('{FR}', {p}) || {fn}('{EN}', {p}))"


def _text_cond(ctx: Context, name: str, query: str) -> Cond:
    spec = schema.field(name)
    vector = text_vector(ctx, name)
    match = f"{vector} @@ {query}"
    if spec.kind is not Kind.FULLTEXT and name != "title" and schema.copied_to_text(name):
        # The GIN index on ``fts`` narrows candidates first: anything a
        # field's text matches is in the catch-all text too.  (``title``
        # has its own GIN-indexed vector: ANDing both indexes only costs.)
        match = f"d.fts @@ {query} AND {match}"
    if ctx.scoring:
        ctx.rank_queries.append(query)
    void = f"numnode({query}) = 0"
    return Cond(
        must=f"({void} OR ({match}))",
        strict=f"(NOT {void} AND {match})",
        neg=f"({void} OR NOT ({match}))",
    )


def _text_prefix(ctx: Context, name: str, prefix: str) -> Cond:
    """``term*`` on a text field: lexeme prefix match (not analysed, like Solr)."""
    lexeme = fold(prefix).replace("\\", "").replace("'", "")
    if not lexeme.strip() or re.search(r"\s", lexeme):
        return FALSE
    query = f"(quote_literal({ctx.params.add(lexeme)}) || ':*')::tsquery"
    vector = text_vector(ctx, name)
    match = f"{vector} @@ {query}"
    if schema.field(name).kind is not Kind.FULLTEXT and schema.copied_to_text(name):
        match = f"d.fts @@ {query} AND {match}"
    return Cond(f"({match})")


def _text_pattern(ctx: Context, name: str, like: str) -> Cond:
    """Other wildcards on text: compare with each indexed lexeme (slow, rare)."""
    vector = text_vector(ctx, name)
    return Cond(
        f"EXISTS (SELECT 1 FROM unnest(tsvector_to_array({vector})) v "
        f"WHERE v LIKE {ctx.params.add(fold(like))})"
    )


# ------------------------------------------------------------------ leaves


def match_all() -> Cond:
    return TRUE


def exists(ctx: Context, name: str) -> Cond:
    spec = schema.field(name)
    if spec.kind is Kind.FULLTEXT:
        return Cond("length(d.fts) > 0")
    if spec.column in ARRAY_COLUMNS:
        return Cond(f"cardinality(d.{spec.column}) > 0")
    if spec.column:
        return Cond(f"d.{spec.column} IS NOT NULL")
    return Cond(f"d.{schema.values_column(name)} ? {ctx.params.add(name)}")


def term(ctx: Context, name: str, value: str, phrase: bool = False) -> Cond:
    spec = schema.field(name)
    if spec.kind in (Kind.TEXT, Kind.TEXT_GENERAL, Kind.FULLTEXT):
        return _text_cond(ctx, name, text_query(ctx, name, value, phrase))
    if spec.kind is Kind.NGRAM:
        return _ngram(ctx, name, value)
    if spec.kind is Kind.DATE:
        value = datemath.canonical(value)
    elif spec.kind in (Kind.INT, Kind.FLOAT):
        number = _number(value)
        if spec.column in FLOAT_COLUMNS:
            return Cond(f"d.{spec.column} = {ctx.params.add(number)}")
        return Cond(_any_value(ctx, name, f"v::float8 = {ctx.params.add(number)}"))
    return exact(ctx, name, value)


def exact(ctx: Context, name: str, value: str) -> Cond:
    spec = schema.field(name)
    if spec.column in ARRAY_COLUMNS:
        p = ctx.params.add(value)
        return Cond(f"d.{spec.column} @> ARRAY[{p}]::text[]", simple=(spec.column, p))
    if spec.column and spec.column not in FLOAT_COLUMNS:
        p = ctx.params.add(value)
        return Cond(f"d.{spec.column} = {p}", simple=(spec.column, p))
    return Cond(f"d.terms @> {ctx.params.add(json.dumps({name: [value]}))}::jsonb")


def _ngram(ctx: Context, name: str, value: str) -> Cond:
    """Solr's 2-10 character n-grams: every query word is a substring."""
    column = "d.ac_title" if name == "title_ngram" else "d.ac_name"
    words = fold(value).split()
    if not words or any(not 2 <= len(w) <= 10 for w in words):
        return FALSE
    parts = [f"{column} LIKE {ctx.params.add('%' + _like_escape(w) + '%')}" for w in words]
    return Cond("(" + " AND ".join(parts) + ")")


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def wildcard(ctx: Context, name: str, raw: str) -> Cond:
    """``te*t``/``te?t`` (raw still escaped, wildcards unescaped)."""
    if name == "*" or raw == "*":
        return match_all() if name == "*" else exists(ctx, name)
    # Build a LIKE pattern: escaped characters are literal.
    like = []
    for m in re.finditer(r"\\(.)|(\*)|(\?)|(.)", raw, re.S):
        if m.group(1) is not None:
            like.append(_like_escape(m.group(1)))
        elif m.group(2):
            like.append("%")
        elif m.group(3):
            like.append("_")
        else:
            like.append(_like_escape(m.group(4)))
    pattern = "".join(like)
    spec = schema.field(name)
    if spec.kind in (Kind.TEXT, Kind.TEXT_GENERAL, Kind.FULLTEXT):
        prefix = re.fullmatch(r"((?:[^%_\\]|\\.)+)%", pattern)
        if prefix:
            return _text_prefix(ctx, name, unescape(prefix.group(1)))
        return _text_pattern(ctx, name, pattern)
    return Cond(_any_value(ctx, name, f"v LIKE {ctx.params.add(pattern)}"))


def regex(ctx: Context, name: str, pattern: str) -> Cond:
    anchored = ctx.params.add("^(?:" + pattern + ")$")
    spec = schema.field(name)
    if spec.kind in (Kind.TEXT, Kind.TEXT_GENERAL, Kind.FULLTEXT):
        return Cond(
            f"EXISTS (SELECT 1 FROM unnest(tsvector_to_array({text_vector(ctx, name)})) v "
            f"WHERE v ~ {anchored})"
        )
    return Cond(_any_value(ctx, name, f"v ~ {anchored}"))


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise BadRequest(f"Invalid Number: {text}") from None


def range_(
    ctx: Context, name: str, low: str | None, high: str | None,
    include_low: bool, include_high: bool,
) -> Cond:
    """``[low TO high]``; None is an open end (``*``)."""
    spec = schema.field(name)
    if low is None and high is None:
        return exists(ctx, name)
    if spec.kind is Kind.DATE:
        low = datemath.canonical(low) if low is not None else None
        high = datemath.canonical(high) if high is not None else None
    numeric = spec.kind in (Kind.INT, Kind.FLOAT)
    tests = []
    for bound, op, include in ((low, ">", include_low), (high, "<", include_high)):
        if bound is None:
            continue
        operator = op + ("=" if include else "")
        if numeric:
            tests.append(("{v}::float8 " if spec.column not in FLOAT_COLUMNS else "{v} ")
                         + f"{operator} {ctx.params.add(_number(bound))}")
        else:
            tests.append("{v} COLLATE \"C\" " + f"{operator} {ctx.params.add(bound)}")
    if spec.column in FLOAT_COLUMNS:
        return Cond(" AND ".join(t.format(v=f"d.{spec.column}") for t in tests))
    if spec.column and spec.column not in ARRAY_COLUMNS and not numeric:
        # Typed column: the btree index can serve the range.
        return Cond(" AND ".join(t.format(v=f"d.{spec.column}") for t in tests))
    if spec.kind is Kind.FULLTEXT:
        return FALSE
    return Cond(_any_value(ctx, name, " AND ".join(t.format(v="v") for t in tests)))
