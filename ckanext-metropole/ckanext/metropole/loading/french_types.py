"""Column types of French files, decided and converted in PostgreSQL: the
rules below are SQL expressions over a staging table of the file's raw text
(``store``), so that a million rows are typed and converted set-based rather
than value by value in Python (issue 14's load target: <= 3 x a plain COPY).

Why not a generic guesser: generic loaders (xloader's messytables/tabulator
heuristics, frictionless' defaults) read ``1 234,56`` as text, ``01004`` as
the number 1004 and ``31/12/2026`` as text or as 12 December. Here the rules
are those of French files:

- numbers: decimal comma (or a plain decimal point), thousands separated by
  a space, a no-break space or a narrow no-break space (U+202F, what
  spreadsheets in French write);
- dates ``31/12/2026`` (day first, always), ISO dates; date-times
  ``31/12/2026 08:30(:00)`` and ISO 8601 date-times;
- booleans ``oui``/``non``, ``vrai``/``faux`` (and ``true``/``false``);
- codes stay text: a value with a leading zero (INSEE ``01004``, postcode
  ``06000``, phone ``04 91 …``), a column whose name says it is a code
  (INSEE, postcode, SIREN, SIRET, phone…), or digits too long to be a count.

A column takes the narrowest type every non-empty value fits; an empty value
is NULL whatever the type.
"""

from __future__ import annotations

import re
import unicodedata

from ckanext.datastore.backend.postgres import literal_string

# The DataStore types the loader writes, narrowest first. ``int8`` rather
# than ``int``: counts and amounts in euros overflow 32 bits.
BOOL, INTEGER, NUMERIC = "bool", "int8", "numeric"
DATE, TIMESTAMP, TEXT = "date", "timestamp", "text"
GUESS_ORDER = (BOOL, INTEGER, NUMERIC, DATE, TIMESTAMP)
TYPES = (TEXT, INTEGER, NUMERIC, DATE, TIMESTAMP, BOOL)

# Regular expressions in PostgreSQL's syntax (ARE).
_SPACES = "[ \u00a0\u202f]"
_BLANKS = " \t\r\n\u00a0\u202f"
_INTEGER = rf"^[+-]?(\d{{1,3}}({_SPACES}\d{{3}})+|\d+)(,0+)?$"
_DOT_INTEGER = r"^[+-]?\d+(\.0+)?$"   # 12.0 from a spreadsheet is still an integer
_FRENCH_NUMBER = rf"^[+-]?(\d{{1,3}}({_SPACES}\d{{3}})+|\d+)(,\d+)?$"
_DOT_NUMBER = r"^[+-]?\d+(\.\d+)?([eE][+-]?\d+)?$"
_FRENCH_DATE = r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$"
_ISO_DATE = r"^(\d{4})-(\d{2})-(\d{2})$"
_FRENCH_DATETIME = r"^(\d{1,2})/(\d{1,2})/(\d{4})[ T](\d{1,2})[:h](\d{2})(:(\d{2}))?$"
_ISO_DATETIME = (r"^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(:(\d{2})(\.\d{1,6})?)?"
                 r"(Z|[+-]\d{2}(:?\d{2})?)?$")
_ZONE = r"(Z|[+-]\d{2}(:?\d{2})?)$"
_TRUE = ("oui", "vrai", "true", "o", "v")
_FALSE = ("non", "faux", "false", "n", "f")
_BOOLEANS = ("oui", "non", "vrai", "faux", "true", "false")   # what guessing accepts
# Digits (maybe grouped by spaces or dots) with a leading zero (not "0", not
# "0,5"), or after a "+" (+33…): a code or a phone number.
_CODE_VALUE = r"^(0\d|\+\d)[\d \u00a0\u202f.]*$"
# Digits without separators longer than any count a table holds: an identifier.
_LONG_DIGITS = r"^\d{15,}$"
# Names of columns that hold codes, whatever their values look like.
_CODE_NAME = re.compile(
    r"(^|_)(code|cod|insee|cog|cp|postal|code_postal|codepostal|siren|siret|tel|telephone|"
    r"phone|fax|mobile|portable|nic|naf|ape|rna|finess|uai|iban|bic|id_?insee)($|_)")


def normal_name(name: str) -> str:
    """A header reduced to ascii lower case words joined by ``_``."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", ascii_name.lower()).strip("_")


def is_code_column(name: str) -> bool:
    return bool(_CODE_NAME.search(normal_name(name)))


def _lit(text: str) -> str:
    return literal_string(text)


def _in(value: str, words: tuple[str, ...]) -> str:
    return f"lower({value}) IN ({', '.join(_lit(w) for w in words)})"


def trimmed(column: str) -> str:
    """The cell without surrounding blanks, NULL when empty."""
    return f"NULLIF(btrim({column}, {_lit(_BLANKS)}), '')"


# The values are read in three layers of subqueries (``store``), so that
# each regular expression runs once per value: PostgreSQL does not share a
# sub-expression repeated in one expression. Layer 1: ``t``, the trimmed
# text (``trimmed``); layer 2: ``d`` and ``s``, the parts of a date and of a
# date-time (``date_parts``, ``moment_parts``); layer 3: the tests and
# conversions below, on those columns.


def _fields(text: str, order: tuple[int, ...], separator: str) -> list[str]:
    return [f"split_part({text}, '{separator}', {i})" for i in order]


# Parts are cut with translate/split_part/substr once a match-only test has
# passed: PostgreSQL's regexp_match/regexp_replace with capture groups cost
# about 15 µs a value, ten times a plain match.
def date_parts(t: str) -> str:
    """{y, m, d} of a French or ISO date, NULL for anything else."""
    french = ", ".join(_fields(f"translate({t}, './', '--')", (3, 2, 1), "-"))
    return (f"CASE WHEN {t} ~ {_lit(_FRENCH_DATE)} THEN ARRAY[{french}]::int[] "
            f"WHEN {t} ~ {_lit(_ISO_DATE)} THEN string_to_array({t}, '-')::int[] END")


def moment_parts(t: str) -> str:
    """{1 (French) or 2 (ISO), y, m, d, h, min, s, 1 if a zone is given} of a
    date-time, NULL for anything else."""
    french = ", ".join(_fields(f"translate({t}, '/ T:h', '|||||')", (3, 2, 1, 4, 5), "|"))
    seconds = f"NULLIF(split_part(translate({t}, '/ T:h', '|||||'), '|', 6), '')"
    iso = ", ".join(f"substr({t}, {start}, {length})"
                    for start, length in ((1, 4), (6, 2), (9, 2), (12, 2), (15, 2)))
    return (f"CASE WHEN {t} ~ {_lit(_FRENCH_DATETIME)} THEN "
            f"ARRAY['1', {french}, {seconds}, '0']::int[] "
            f"WHEN {t} ~ {_lit(_ISO_DATETIME)} THEN ARRAY['2', {iso}, CASE WHEN "
            f"substr({t}, 17, 1) = ':' THEN substr({t}, 18, 2) END, "
            f"CASE WHEN {t} ~ {_lit(_ZONE)} THEN '1' ELSE '0' END]::int[] END")


def _valid_day(y: str, m: str, d: str) -> str:
    # Integer arithmetic (extract/make_date cost ten times more a value).
    leap = f"({y} % 4 = 0 AND ({y} % 100 <> 0 OR {y} % 400 = 0))"
    days = (f"CASE {m} WHEN 2 THEN CASE WHEN {leap} THEN 29 ELSE 28 END "
            f"WHEN 4 THEN 30 WHEN 6 THEN 30 WHEN 9 THEN 30 WHEN 11 THEN 30 ELSE 31 END")
    return (f"coalesce({y} >= 1 AND {m} BETWEEN 1 AND 12 AND {d} BETWEEN 1 AND {days}, "
            f"false)")


def _date_fits(d: str) -> str:
    return _valid_day(f"{d}[1]", f"{d}[2]", f"{d}[3]")


def _moment(s: str, position: int) -> str:
    return f"coalesce({s}[{position}], 0)"


def _timestamp_fits(d: str, s: str) -> str:
    y, m, day, h, mi, sec = (_moment(s, i) for i in range(2, 8))
    return (f"CASE WHEN {s} IS NOT NULL THEN {_valid_day(y, m, day)} AND {h} BETWEEN 0 AND 23 "
            f"AND {mi} BETWEEN 0 AND 59 AND {sec} BETWEEN 0 AND 59 ELSE {_date_fits(d)} END")


def fits(kind: str, t: str, d: str, s: str, guessing: bool = False) -> str:
    """SQL: the trimmed non-NULL value ``t`` (parts ``d``, ``s``) can be
    converted to ``kind``."""
    if kind == BOOL:
        return _in(t, _BOOLEANS if guessing else _TRUE + _FALSE)
    if kind == INTEGER:
        return f"({t} ~ {_lit(_INTEGER)} OR {t} ~ {_lit(_DOT_INTEGER)})"
    if kind == NUMERIC:
        return f"({t} ~ {_lit(_FRENCH_NUMBER)} OR {t} ~ {_lit(_DOT_NUMBER)})"
    if kind == DATE:
        return _date_fits(d)
    if kind == TIMESTAMP:
        return _timestamp_fits(d, s)
    return "true"


def is_code(t: str) -> str:
    """SQL: a value that says its column holds codes (kept as text). The date
    parts are computed here, only for the rare values that look like codes."""
    return (f"(({t} ~ {_lit(_CODE_VALUE)} AND NOT {_date_fits(f'({date_parts(t)})')}) "
            f"OR {t} ~ {_lit(_LONG_DIGITS)})")


def converted(kind: str, raw: str, t: str, d: str, s: str) -> str:
    """SQL: the cell as a value of ``kind`` (NULL when blank); only used on
    values ``fits`` accepts. ``raw`` is the cell as read, kept for text."""
    if kind == TEXT:
        return raw
    digits = f"regexp_replace({t}, {_lit(_SPACES)}, '', 'g')"
    if kind == BOOL:
        return f"CASE WHEN {t} IS NULL THEN NULL ELSE {_in(t, _TRUE)} END"
    if kind == INTEGER:
        return f"regexp_replace({digits}, '[,.]0+$', '')::int8"
    if kind == NUMERIC:
        return f"replace({digits}, ',', '.')::numeric"
    day = f"make_date({d}[1], {d}[2], {d}[3])"
    if kind == DATE:
        return day
    moment = ", ".join(_moment(s, i) for i in range(2, 8))
    return (f"CASE WHEN {s}[1] = 1 THEN make_timestamp({moment}) "
            # the DataStore's timestamp has no zone: UTC
            f"WHEN {s}[8] = 1 THEN {t}::timestamptz AT TIME ZONE 'UTC' "
            f"WHEN {s}[1] = 2 THEN {t}::timestamp ELSE {day}::timestamp END")


# Table Schema field types -> DataStore types (a declared schema decides).
TABLE_SCHEMA_TYPES = {
    "string": TEXT, "integer": INTEGER, "number": NUMERIC, "boolean": BOOL,
    "date": DATE, "datetime": TIMESTAMP, "year": INTEGER,
}
