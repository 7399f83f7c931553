"""(e)dismax for plain-text queries: what CKAN sends when ``q`` has no colon.

DisMax accepts words, ``"phrases"`` and ``+``/``-`` prefixes; everything else
is literal, and it never reports a syntax error.  Each word must match one of
the ``qf`` fields; since every ``qf`` field (name, title, tags, groups) is
copied into ``text``, "matches one of qf" is "matches the weighted ``fts``
vector", and the qf boosts become tsvector weights used for ranking.  ``mm``
decides how many optional words must match.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from . import clauses
from .clauses import TRUE, Cond, Context
from .errors import QuerySyntaxError

_TOKEN_RE = re.compile(r'([+-]?)"([^"]*)"|(\S+)')


@dataclass
class Clause:
    occur: str  # "+", "-" or ""
    text: str
    phrase: bool


def tokenize(q: str) -> list[Clause]:
    # DisMax escapes everything but +, - and quotes, then strips operators
    # that follow whitespace or dangle; a run of operators at the very start
    # survives and is a syntax error in Solr ("q=--included").
    if re.match(r"[+-]{2,}", q):
        raise QuerySyntaxError(
            f"org.apache.solr.search.SyntaxError: Cannot parse '{q}'"
        )
    q = re.sub(r"(?<=\s)[+-]+(?=[+-])", "", q)
    out: list[Clause] = []
    for m in _TOKEN_RE.finditer(q):
        if m.group(3) is not None:
            word = m.group(3)
            occur = ""
            if word[0] in "+-" and len(word) > 1:
                occur, word = word[0], word[1:]
            out.append(Clause(occur, word, False))
        else:
            out.append(Clause(m.group(1), m.group(2), True))
    return [c for c in out if re.search(r"\w", c.text)]


def min_should_match(spec: str | None, optional: int) -> int:
    """Solr's ``mm`` syntax: ``3``, ``-1``, ``75%``, ``-25%``, ``2<-1 5<80%``."""
    if optional == 0:
        return 0
    spec = (spec or "100%").strip()
    if "<" in spec:
        result = optional  # below the first threshold: all optional clauses
        for part in spec.split():
            threshold, _, rule = part.partition("<")
            try:
                if optional > int(threshold):
                    result = _simple_mm(rule, optional)
            except ValueError:
                return optional
        return max(0, min(optional, result))
    return max(0, min(optional, _simple_mm(spec, optional)))


def _simple_mm(rule: str, optional: int) -> int:
    try:
        if rule.endswith("%"):
            percent = int(rule[:-1])
            calc = math.trunc(optional * abs(percent) / 100)
            return optional - calc if percent < 0 else calc
        number = int(rule)
        return optional + number if number < 0 else number
    except ValueError:
        return optional


def query_fields(qf: str | None) -> list[str] | None:
    """Field names of ``qf`` ("name^4 title^4 ..."), None meaning "use text"."""
    if not qf:
        return None
    names = [part.split("^")[0] for part in qf.split() if part.split("^")[0]]
    if not names or "text" in names:
        return None
    return names


def _per_field(ctx: Context, fields: list[str], clause: Clause) -> Cond:
    """A word matches if it matches in any of the qf fields (DisjunctionMax)."""
    conds = [clauses.term(ctx, name, clause.text, phrase=clause.phrase) for name in fields]
    return Cond(
        "(" + " OR ".join(c.strict for c in conds) + ")",
        neg="(" + " AND ".join(c.neg for c in conds) + ")",
    )


def compile_dismax(ctx: Context, q: str, mm: str | None, qf: str | None = None) -> Cond:
    found = tokenize(q)
    if not found:
        # Nothing searchable (only punctuation): Solr's dismax matches nothing.
        return Cond("FALSE")
    ctx.count_clauses(len(found))
    fields = query_fields(qf)
    if fields is not None:
        return _compile_fields(ctx, found, mm, fields)
    required: list[str] = []
    optional: list[tuple[str, str]] = []  # (tsquery, "matches" SQL)
    prohibited: list[str] = []
    for clause in found:
        query = clauses.text_query(ctx, "text", clause.text, clause.phrase)
        void = f"numnode({query}) = 0"
        if clause.occur == "-":
            prohibited.append(f"({void} OR NOT d.fts @@ {query})")
            continue
        ctx.rank_queries.append(query)
        if clause.occur == "+":
            required.append(query)
        else:
            optional.append((query, f"({void} OR d.fts @@ {query})"))

    parts: list[str] = []
    if required:
        # One combined tsquery: a single GIN lookup for all required words.
        parts.append("d.fts @@ (" + " && ".join(required) + ")")
    need = min_should_match(mm, len(optional))
    if optional and need == len(optional):
        parts.append("d.fts @@ (" + " && ".join(q for q, _ in optional) + ")")
    elif optional and need > 0:
        # Some optional words may be missing: any of them through the index,
        # then count matches per document.
        parts.append("d.fts @@ (" + " || ".join(q for q, _ in optional) + ")")
        counted = " + ".join(f"({m})::int" for _, m in optional)
        parts.append(f"({counted}) >= {ctx.params.add(need)}")
    elif optional and not required:
        # mm=0 with only optional words: at least one must still match.
        parts.append("d.fts @@ (" + " || ".join(q for q, _ in optional) + ")")
    parts += prohibited
    if not parts:
        return TRUE
    return Cond("(" + " AND ".join(parts) + ")")


def _compile_fields(ctx: Context, found: list[Clause], mm: str | None, fields: list[str]) -> Cond:
    """dismax over an explicit ``qf`` that does not include ``text``."""
    parts: list[str] = []
    optional: list[Cond] = []
    for clause in found:
        scoring = ctx.scoring
        ctx.scoring = clause.occur != "-"
        cond = _per_field(ctx, fields, clause)
        ctx.scoring = scoring
        if clause.occur == "-":
            parts.append(cond.neg)
        elif clause.occur == "+":
            parts.append(cond.must)
        else:
            optional.append(cond)
    need = min_should_match(mm, len(optional))
    if optional:
        if need == 0 and len(parts) == sum(1 for c in found if c.occur == "-"):
            need = 1
        counted = " + ".join(f"({c.strict})::int" for c in optional)
        parts.append(f"({counted}) >= {ctx.params.add(need)}")
    return Cond("(" + " AND ".join(parts) + ")") if parts else TRUE
