"""Glob patterns (``*`` any run, ``?`` one character) matched in linear time.

Why not a regex made of the glob: ``a*a*a*…b`` against a long name
backtracks exponentially (ten stars over a 40-character name took ten
seconds), and globs come from requests (``fl``) and settings."""

from __future__ import annotations


def glob_match(pattern: str, name: str) -> bool:
    """Whether ``name`` matches ``pattern`` as a whole.

    With only stars between the pieces, taking each middle piece at its
    leftmost fit is optimal, and a pattern whose pieces are longer than the
    name is refused before any scan: at most len(name) x len(name)
    character comparisons, whatever the pattern's length."""
    pieces = pattern.split("*")
    if sum(len(piece) for piece in pieces) > len(name):
        return False
    if len(pieces) == 1:
        return len(name) == len(pattern) and _fits(pattern, name, 0)
    first, *middle, last = pieces
    end = len(name) - len(last)
    if not (_fits(first, name, 0) and _fits(last, name, end)):
        return False
    position = len(first)
    for piece in middle:
        while position + len(piece) <= end and not _fits(piece, name, position):
            position += 1
        if position + len(piece) > end:
            return False
        position += len(piece)
    return True


def _fits(piece: str, name: str, position: int) -> bool:
    return all(c == "?" or c == name[position + i] for i, c in enumerate(piece))
