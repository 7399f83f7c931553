"""Column types of French files, and the conversion of each value to what
PostgreSQL's COPY reads.

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

import datetime as dt
import re
import unicodedata
from collections.abc import Callable

# The DataStore types the loader writes, narrowest first. ``int8`` rather
# than ``int``: counts and amounts in euros overflow 32 bits.
BOOL, INTEGER, NUMERIC = "bool", "int8", "numeric"
DATE, TIMESTAMP, TEXT = "date", "timestamp", "text"
GUESS_ORDER = (BOOL, INTEGER, NUMERIC, DATE, TIMESTAMP)
TYPES = (TEXT, INTEGER, NUMERIC, DATE, TIMESTAMP, BOOL)

_SPACES = "[ \u00a0\u202f]"
_FRENCH_NUMBER = re.compile(
    rf"^[+-]?(?:\d{{1,3}}(?:{_SPACES}\d{{3}})+|\d+)(?:,\d+)?$")
_DOT_NUMBER = re.compile(r"^[+-]?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?$")
_INTEGER = re.compile(rf"^[+-]?(?:\d{{1,3}}(?:{_SPACES}\d{{3}})+|\d+)$")
_FRENCH_DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_FRENCH_DATETIME = re.compile(
    r"^(\d{1,2})/(\d{1,2})/(\d{4})[ T](\d{1,2})[:h](\d{2})(?::(\d{2}))?$")
_TRUE = frozenset({"oui", "vrai", "true", "o", "v"})
_FALSE = frozenset({"non", "faux", "false", "n", "f"})
_BOOLEANS = frozenset({"oui", "non", "vrai", "faux", "true", "false"})
# Names of columns that hold codes, whatever their values look like.
_CODE_NAME = re.compile(
    r"(^|_)(code|cod|insee|cog|cp|postal|code_postal|codepostal|siren|siret|tel|telephone|"
    r"phone|fax|mobile|portable|nic|naf|ape|rna|finess|uai|iban|bic|id_?insee)($|_)")
# Digits (maybe grouped by spaces or dots) with a leading zero (not "0", not
# "0,5"), or after a "+" (+33…): a code or a phone number.
_CODE_VALUE = re.compile(r"^(?:0\d|\+\d)[\d \u00a0\u202f.]*$")
# Digits without separators longer than any count a table holds: an identifier.
_LONG_DIGITS = re.compile(r"^\d{15,}$")


class ValueError_(ValueError):
    """A value that does not fit its column's type (message built by the caller)."""


def normal_name(name: str) -> str:
    """A header reduced to ascii lower case words joined by ``_``."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", ascii_name.lower()).strip("_")


def is_code_column(name: str) -> bool:
    return bool(_CODE_NAME.search(normal_name(name)))


def to_bool(value: str) -> str:
    low = value.strip().lower()
    if low in _TRUE:
        return "true"
    if low in _FALSE:
        return "false"
    raise ValueError_(value)


def _number_text(value: str) -> str:
    text = value.strip()
    if _FRENCH_NUMBER.match(text):
        return re.sub(_SPACES, "", text).replace(",", ".")
    if _DOT_NUMBER.match(text):
        return text
    raise ValueError_(value)


def to_integer(value: str) -> str:
    text = value.strip()
    if _INTEGER.match(text):
        return re.sub(_SPACES, "", text)
    # 12,0 or 12.0 from a spreadsheet: still an integer.
    number = _number_text(text)
    whole, _, decimals = number.partition(".")
    if decimals and set(decimals) == {"0"} and "e" not in number.lower():
        return whole
    raise ValueError_(value)


def to_numeric(value: str) -> str:
    return _number_text(value)


def to_date(value: str) -> str:
    text = value.strip()
    if match := _FRENCH_DATE.match(text):
        day, month, year = (int(g) for g in match.groups())
    elif match := _ISO_DATE.match(text):
        year, month, day = (int(g) for g in match.groups())
    else:
        raise ValueError_(value)
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError as error:
        raise ValueError_(value) from error


def to_timestamp(value: str) -> str:
    text = value.strip()
    if match := _FRENCH_DATETIME.match(text):
        day, month, year, hour, minute = (int(g) for g in match.groups()[:5])
        second = int(match.group(6) or 0)
        try:
            return dt.datetime(year, month, day, hour, minute, second).isoformat()
        except ValueError as error:
            raise ValueError_(value) from error
    if len(text) >= 16 and text[4:5] == "-" and text[10:11] in ("T", " "):
        try:
            moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError as error:
            raise ValueError_(value) from error
        if moment.tzinfo is not None:   # the DataStore's timestamp has no zone: UTC
            moment = moment.astimezone(dt.timezone.utc).replace(tzinfo=None)
        return moment.isoformat()
    return to_date(text) + "T00:00:00"


def to_text(value: str) -> str:
    return value


CONVERTERS: dict[str, Callable[[str], str]] = {
    BOOL: to_bool, INTEGER: to_integer, NUMERIC: to_numeric, DATE: to_date,
    TIMESTAMP: to_timestamp, TEXT: to_text,
}


def _fits(kind: str, value: str) -> bool:
    if kind == BOOL:
        return value.strip().lower() in _BOOLEANS
    try:
        CONVERTERS[kind](value)
    except ValueError_:
        return False
    return True


class ColumnGuess:
    """The types a column may still have, narrowed value by value."""

    def __init__(self, name: str) -> None:
        self.candidates = [] if is_code_column(name) else list(GUESS_ORDER)
        self.seen = 0

    def add(self, value: str) -> None:
        if not self.candidates or not value.strip():
            return
        self.seen += 1
        text = value.strip()
        if (_CODE_VALUE.match(text) and not _fits(DATE, text)) or _LONG_DIGITS.match(text):
            self.candidates = []
            return
        self.candidates = [kind for kind in self.candidates if _fits(kind, text)]

    def result(self) -> str:
        if not self.seen or not self.candidates:
            return TEXT
        return self.candidates[0]


# Table Schema field types -> DataStore types (a declared schema decides).
TABLE_SCHEMA_TYPES = {
    "string": TEXT, "integer": INTEGER, "number": NUMERIC, "boolean": BOOL,
    "date": DATE, "datetime": TIMESTAMP, "year": INTEGER,
}
