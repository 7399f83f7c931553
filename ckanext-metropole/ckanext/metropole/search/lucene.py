"""Solr's standard (lucene) query syntax, parsed by luqum, compiled to SQL.

luqum gives a tree with textbook precedence (AND over OR over juxtaposition)
but Lucene's classic parser does something else: each parenthesised level is
a flat list of clauses, and each clause's occurrence (MUST, SHOULD, MUST_NOT)
comes from its ``+``/``-``/``NOT`` modifier and the conjunction that
introduced it, with the default operator (CKAN always sends ``q.op=AND``).
So ``a OR b c`` is ``a b +c``: c required, a and b optional.  We walk
luqum's tree in order to recover that flat sequence and then apply Lucene's
``addClause`` rules (QueryParserBase) verbatim.
"""

from __future__ import annotations

import enum
import functools
import threading

from luqum import tree
from luqum.exceptions import ParseError
from luqum.parser import parser

from . import clauses
from .clauses import FALSE, TRUE, Cond, Context
from .errors import QuerySyntaxError


class Occur(enum.Enum):
    MUST = "+"
    SHOULD = ""
    MUST_NOT = "-"


_parse_lock = threading.Lock()


@functools.lru_cache(maxsize=2048)
def parse(text: str) -> tree.Item:
    """luqum (PLY) keeps lexer state in module globals: parse one at a time."""
    with _parse_lock:
        try:
            return parser.parse(text)
        except (ParseError, ValueError, TypeError, IndexError, RecursionError) as e:
            raise QuerySyntaxError(
                f"org.apache.solr.search.SyntaxError: Cannot parse '{text}': {e}"
            ) from None


# A step of the flattened sequence: (conjunction, modifier, node)
_Step = tuple[str | None, str | None, tree.Item]


def _flatten(node: tree.Item) -> list[_Step]:
    if isinstance(node, (tree.AndOperation, tree.OrOperation, tree.UnknownOperation)):
        conj = {tree.AndOperation: "AND", tree.OrOperation: "OR"}.get(type(node))
        steps: list[_Step] = []
        for i, child in enumerate(node.children):
            child_steps = _flatten(child)
            if i > 0 and conj and child_steps:
                _, mod, item = child_steps[0]
                child_steps[0] = (conj, mod, item)
            steps.extend(child_steps)
        return _merge_symbolic_operators(steps)
    if isinstance(node, tree.Plus):
        return [(None, "+", node.a)]
    if isinstance(node, (tree.Prohibit, tree.Not)):
        return [(None, "-", node.a)]
    # luqum does not know Lucene's "!" prohibition: it reads it as part of
    # the word or of the field name.
    if isinstance(node, tree.Word) and node.value.startswith("!") and len(node.value) > 1:
        return [(None, "-", tree.Word(node.value[1:]))]
    if isinstance(node, tree.SearchField) and node.name.startswith("!") and len(node.name) > 1:
        return [(None, "-", tree.SearchField(node.name[1:], node.expr))]
    return [(None, None, node)]


def _merge_symbolic_operators(steps: list[_Step]) -> list[_Step]:
    """luqum reads ``&&``/``||`` as words; Lucene reads them as AND/OR."""
    out: list[_Step] = []
    pending: str | None = None
    for conj, mod, item in steps:
        if mod is None and isinstance(item, tree.Word) and item.value in ("&&", "||"):
            if pending is not None or not out:
                raise QuerySyntaxError(f"Cannot parse: misplaced '{item.value}'")
            pending = "AND" if item.value == "&&" else "OR"
            continue
        out.append((pending or conj, mod, item))
        pending = None
    if pending is not None:
        raise QuerySyntaxError("Cannot parse: query ends with an operator")
    return out


def _occurrences(steps: list[_Step], operator: str = "AND") -> list[tuple[Occur, tree.Item]]:
    """QueryParserBase.addClause, for default operator AND or OR."""
    result: list[list] = []
    for conj, mod, item in steps:
        if result and conj == "AND" and result[-1][0] is not Occur.MUST_NOT:
            result[-1][0] = Occur.MUST
        if result and operator == "AND" and conj == "OR" and result[-1][0] is not Occur.MUST_NOT:
            result[-1][0] = Occur.SHOULD
        prohibited = mod == "-"
        if operator == "AND":
            required = not prohibited and conj != "OR"
        else:
            required = mod == "+" or (conj == "AND" and not prohibited)
        occur = Occur.MUST if required else (Occur.MUST_NOT if prohibited else Occur.SHOULD)
        result.append([occur, item])
    return [(occur, item) for occur, item in result]


def compile_query(ctx: Context, text: str, default_field: str = "text") -> Cond:
    """Compile one q/fq value in lucene syntax (top level: pure negatives allowed)."""
    root = parse(text)
    return _boolean(ctx, _flatten(root), default_field, top=True)


def _boolean(ctx: Context, steps: list[_Step], field: str, top: bool) -> Cond:
    musts: list[Cond] = []
    shoulds: list[Cond] = []
    nots: list[Cond] = []
    scoring = ctx.scoring
    for occur, item in _occurrences(steps, ctx.default_operator):
        if occur is Occur.MUST_NOT:
            ctx.scoring = False  # prohibited text never ranks
            nots.append(_node(ctx, item, field))
            ctx.scoring = scoring
        elif occur is Occur.MUST:
            musts.append(_node(ctx, item, field))
        else:
            shoulds.append(_node(ctx, item, field))

    if len(musts) == 1 and not shoulds and not nots:
        return musts[0]
    if len(shoulds) == 1 and not musts and not nots:
        return shoulds[0]
    parts = [c.must for c in musts]
    if not musts:
        if shoulds:
            parts.append(_any_of(shoulds))
        elif nots and top:
            # Solr adds *:* to a top-level query made only of prohibitions.
            pass
        else:
            return FALSE
    parts += [c.neg for c in nots]
    if not parts:
        return TRUE
    sql = "(" + " AND ".join(parts) + ")"
    return Cond(sql)


def _any_of(conds: list[Cond]) -> str:
    """OR, with exact matches on one column folded into ``= ANY``/``&&``."""
    by_column: dict[str, list[str]] = {}
    others: list[str] = []
    for cond in conds:
        if cond.simple:
            by_column.setdefault(cond.simple[0], []).append(cond.simple[1])
        else:
            others.append(cond.strict)
    for column, placeholders in by_column.items():
        array = "ARRAY[" + ", ".join(placeholders) + "]::text[]"
        if column in clauses.ARRAY_COLUMNS:
            others.append(f"d.{column} && {array}")
        else:
            others.append(f"d.{column} = ANY({array})")
    return others[0] if len(others) == 1 else "(" + " OR ".join(others) + ")"


def _node(ctx: Context, node: tree.Item, field: str) -> Cond:
    if isinstance(node, (tree.AndOperation, tree.OrOperation, tree.UnknownOperation,
                         tree.Plus, tree.Prohibit, tree.Not)):
        return _boolean(ctx, _flatten(node), field, top=False)
    if isinstance(node, (tree.Group, tree.FieldGroup)):
        return _boolean(ctx, _flatten(node.expr), field, top=False)
    cond = _leaf(ctx, node, field)
    # (a field, boost or fuzzy wrapper was counted at its term)
    if cond.simple is None and not isinstance(node, (tree.SearchField, tree.Boost,
                                                     tree.Fuzzy)):
        ctx.count_clauses()
    return cond


def _leaf(ctx: Context, node: tree.Item, field: str) -> Cond:
    if isinstance(node, tree.SearchField):
        if isinstance(node.expr, tree.SearchField):
            raise QuerySyntaxError(f"Cannot parse '{node}'")
        name = node.name
        if name == "*" and not (isinstance(node.expr, tree.Word) and node.expr.value == "*"):
            raise QuerySyntaxError(f"Cannot parse '{node}': undefined field *")
        return _node(ctx, node.expr, name)
    if isinstance(node, tree.Boost):
        return _node(ctx, node.expr, field)
    if isinstance(node, tree.Fuzzy):
        return _node(ctx, node.term, field)
    if isinstance(node, tree.Proximity):
        # A sloppy phrase: all of its words, anywhere.
        return clauses.term(ctx, field, clauses.unescape(node.term.value[1:-1]))
    if isinstance(node, tree.Phrase):
        return clauses.term(ctx, field, clauses.unescape(node.value[1:-1]), phrase=True)
    if isinstance(node, tree.Regex):
        return clauses.regex(ctx, field, node.value[1:-1])
    if isinstance(node, tree.Range):
        return _range(ctx, field, node.low, node.high, node.include_low, node.include_high)
    if isinstance(node, tree.From):
        return _range(ctx, field, node.a, None, node.include, True)
    if isinstance(node, tree.To):
        return _range(ctx, field, None, node.a, True, node.include)
    if isinstance(node, tree.Word):
        raw = node.value
        if field == "*" and raw == "*":
            return clauses.match_all()
        if clauses.has_wildcard(raw):
            return clauses.wildcard(ctx, field, raw)
        return clauses.term(ctx, field, clauses.unescape(raw))
    raise QuerySyntaxError(f"Cannot parse '{node}'")


def _bound(node: tree.Item | None) -> str | None:
    if node is None:
        return None
    if not isinstance(node, tree.Term):
        # e.g. "[a TO -1]": luqum reads "-1" as a prohibited word
        return clauses.unescape(str(node).strip())
    value = node.value
    if isinstance(node, tree.Phrase):
        return clauses.unescape(value[1:-1])
    if value == "*":
        return None
    return clauses.unescape(value)


def _range(ctx: Context, field: str, low: tree.Item | None, high: tree.Item | None,
           include_low: bool, include_high: bool) -> Cond:
    return clauses.range_(ctx, field, _bound(low), _bound(high), include_low, include_high)
