"""Solr function queries and local params: ``{!frange l=0 u=1}div(...)``.

ckanext-spatial's solr-bbox backend expresses "overlap ratio between the
query box and the dataset's box" as a function of the ``minx``/``miny``/
``maxx``/``maxy`` fields, filters on it with ``{!frange}`` and adds it to the
score with ``bf``.  We compile the same functions to SQL arithmetic on the
float columns, with Solr's rules: a missing value is 0, division by zero
gives Infinity or NaN, and NaN is never inside a range.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import schema
from .clauses import FLOAT_COLUMNS, Cond, Context
from .errors import BadRequest, QuerySyntaxError
from .schema import Kind

_TOKEN_RE = re.compile(
    r"\s*(?:(?P<num>[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)"
    r"|(?P<name>[A-Za-z_][\w.]*)|(?P<punct>[(),]))"
)

_ARITY = {
    "div": 2, "sub": 2, "pow": 2,
    "sum": -1, "add": -1, "product": -1, "mul": -1, "max": -1, "min": -1,
    "abs": 1, "sqrt": 1, "log": 1, "ln": 1, "exp": 1,
}


def _tokens(text: str) -> list[tuple[str, str]]:
    position, out = 0, []
    text = text.strip()
    while position < len(text):
        m = _TOKEN_RE.match(text, position)
        if not m or m.end() == position:
            raise QuerySyntaxError(f"Cannot parse function query: {text!r}")
        kind = m.lastgroup or ""
        out.append((kind, m.group(kind)))
        position = m.end()
        while position < len(text) and text[position].isspace():
            position += 1
    return out


@dataclass
class _Parser:
    ctx: Context
    tokens: list[tuple[str, str]]
    pos: int = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise QuerySyntaxError("Unexpected end of function query")
        self.pos += 1
        return token

    def expect(self, punct: str) -> None:
        kind, value = self.take()
        if kind != "punct" or value != punct:
            raise QuerySyntaxError(f"Expected '{punct}' in function query")

    def expr(self) -> str:
        kind, value = self.take()
        if kind == "num":
            return f"{self.ctx.params.add(float(value))}::float8"
        if kind != "name":
            raise QuerySyntaxError(f"Unexpected '{value}' in function query")
        nxt = self.peek()
        if nxt is not None and nxt == ("punct", "("):
            return self.call(value.lower())
        return field_value(self.ctx, value)

    def call(self, name: str) -> str:
        if name not in _ARITY:
            raise BadRequest(f"Unknown function {name} in FunctionQuery")
        self.expect("(")
        args = [self.expr()]
        while self.peek() == ("punct", ","):
            self.take()
            args.append(self.expr())
        self.expect(")")
        arity = _ARITY[name]
        if (arity > 0 and len(args) != arity) or (arity < 0 and len(args) < 1):
            raise QuerySyntaxError(f"Wrong number of arguments for {name}()")
        if name == "div":
            a, b = args
            return (
                f"(CASE WHEN ({b}) = 0 THEN (CASE WHEN ({a}) = 0 THEN 'NaN'::float8 "
                f"WHEN ({a}) > 0 THEN 'Infinity'::float8 ELSE '-Infinity'::float8 END) "
                f"ELSE ({a}) / ({b}) END)"
            )
        if name == "sub":
            return f"(({args[0]}) - ({args[1]}))"
        if name in ("sum", "add"):
            return "(" + " + ".join(f"({a})" for a in args) + ")"
        if name in ("product", "mul"):
            return "(" + " * ".join(f"({a})" for a in args) + ")"
        if name in ("max", "min"):
            return f"{'greatest' if name == 'max' else 'least'}(" + ", ".join(args) + ")"
        if name == "abs":
            return f"abs({args[0]})"
        if name == "pow":
            return f"power({args[0]}, {args[1]})"
        # sqrt/log/ln/exp of negative or zero: NaN rather than a DB error.
        guard = {"sqrt": "< 0", "log": "<= 0", "ln": "<= 0", "exp": "> 700"}[name]
        sql_fn = {"sqrt": "sqrt", "log": "log", "ln": "ln", "exp": "exp"}[name]
        return f"(CASE WHEN ({args[0]}) {guard} THEN 'NaN'::float8 ELSE {sql_fn}({args[0]}) END)"


def field_value(ctx: Context, name: str) -> str:
    """A numeric field inside a function: missing values count as 0."""
    spec = schema.field(name)
    if spec.column in FLOAT_COLUMNS:
        return f"coalesce(d.{spec.column}, 0)"
    if spec.kind in (Kind.INT, Kind.FLOAT):
        return f"coalesce((d.terms -> {ctx.params.add(name)} ->> 0)::float8, 0)"
    raise BadRequest(f"can not use FieldCache on a non-numeric field: {name}")


def compile_function(ctx: Context, text: str) -> str:
    parser = _Parser(ctx, _tokens(text))
    sql = parser.expr()
    if parser.peek() is not None:
        raise QuerySyntaxError(f"Unexpected text after function query: {text!r}")
    return sql


# ------------------------------------------------------------ local params

_LOCAL_RE = re.compile(r"^\{!(?P<params>[^}]*)\}(?P<body>.*)$", re.S)
_PARAM_RE = re.compile(r"\s*([\w.]+)(?:=(?:'([^']*)'|\"([^\"]*)\"|(\S+?)))?(?=\s|$)")


def split_local_params(text: str) -> tuple[str, dict[str, str], str] | None:
    """``{!frange l=0 u=1}body`` -> ("frange", {"l": "0", "u": "1"}, "body")."""
    m = _LOCAL_RE.match(text.strip())
    if not m:
        return None
    params: dict[str, str] = {}
    parser_type = ""
    position = 0
    raw = m.group("params").strip()
    while position < len(raw):
        p = _PARAM_RE.match(raw, position)
        if not p or p.end() == position:
            raise QuerySyntaxError(f"Cannot parse local params: {text!r}")
        key = p.group(1)
        value = next((g for g in p.groups()[1:] if g is not None), None)
        if value is None:
            if parser_type:
                raise QuerySyntaxError(f"Cannot parse local params: {text!r}")
            parser_type = key
        elif key in params:
            # Repeated keys ({!bool must=a must=b}) are kept, NUL-separated.
            params[key] += "\x00" + value
        else:
            params[key] = value
        position = p.end()
        while position < len(raw) and raw[position].isspace():
            position += 1
    parser_type = params.pop("type", parser_type) or "lucene"
    body = params.pop("v", None) or m.group("body")
    return parser_type, params, body


def frange(ctx: Context, params: dict[str, str], body: str) -> Cond:
    value = compile_function(ctx, body)
    tests = [f"({value}) <> 'NaN'::float8"]
    for key, op, incl_key in (("l", ">", "incl"), ("u", "<", "incu")):
        if key not in params:
            continue
        try:
            bound = float(params[key])
        except ValueError:
            raise BadRequest(f"Invalid frange bound: {params[key]}") from None
        include = params.get(incl_key, "true").lower() != "false"
        tests.append(f"({value}) {op}{'=' if include else ''} {ctx.params.add(bound)}")
    lower = float(params["l"]) if "l" in params else None
    positive = lower is not None and (
        lower > 0 or (lower == 0 and params.get("incl", "true").lower() == "false"))
    overlap = _spatial_overlap(ctx, body) if positive else None
    if overlap:
        tests.insert(0, overlap)
    return Cond("(" + " AND ".join(tests) + ")")


_NUMBER = r"([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)"
# ckanext-spatial's solr-bbox overlap ratio, 2 * intersection / (Q + T),
# exactly as its search_params writes it (whitespace removed).
_SPATIAL_RATIO_RE = re.compile(
    r"div\(mul\(mul\(max\(0,sub\(min\({n},maxx\),max\({n},minx\)\)\),"
    r"max\(0,sub\(min\({n},maxy\),max\({n},miny\)\)\)\),2\),"
    r"add\({n},mul\(sub\(maxy,miny\),sub\(maxx,minx\)\)\)\)".replace("{n}", _NUMBER)
)


def _spatial_overlap(ctx: Context, body: str) -> str | None:
    """An index-friendly condition implied by "spatial's ratio > 0".

    A positive ratio needs a positive intersection, so the dataset's box
    overlaps the query box: the GiST index on ``extent`` can then narrow the
    candidates before the exact ratio is computed.  A dataset without a box
    has all four coordinates missing (``document.Row.corner`` gives all or
    none), which Solr reads as a zero-size box at 0,0: its ratio is never
    positive, so leaving it out (``extent`` NULL) changes no result.
    """
    m = _SPATIAL_RATIO_RE.fullmatch(re.sub(r"\s+", "", body))
    if not m:
        return None
    maxx, minx, maxy, miny = (float(v) for v in m.groups()[:4])
    box = (f"box(point({ctx.params.add(minx)}, {ctx.params.add(miny)}), "
           f"point({ctx.params.add(maxx)}, {ctx.params.add(maxy)}))")
    return f"d.extent && {box}"


_ENVELOPE_RE = re.compile(
    r"^\s*Intersects\s*\(\s*ENVELOPE\s*\(([^)]*)\)\s*\)\s*$", re.I
)


def field_query(ctx: Context, params: dict[str, str], body: str) -> Cond:
    """``{!field f=x}value``: one term on field x, the value taken literally."""
    from .clauses import term

    name = params.get("f")
    if not name:
        raise BadRequest("Missing field name: f")
    if name == "spatial_geom":
        # solr-spatial-field's ``Intersects(ENVELOPE(minx, maxx, maxy, miny))``
        m = _ENVELOPE_RE.match(body)
        if not m:
            raise BadRequest(f"Unsupported spatial query: {body}")
        try:
            minx, maxx, maxy, miny = (float(v) for v in m.group(1).split(","))
        except ValueError:
            raise BadRequest(f"Invalid envelope: {body}") from None
        box = (
            f"box(point({ctx.params.add(minx)}, {ctx.params.add(miny)}), "
            f"point({ctx.params.add(maxx)}, {ctx.params.add(maxy)}))"
        )
        return Cond(f"d.extent && {box}")
    return term(ctx, name, body, phrase=True)
