"""Turn the document CKAN would send to Solr into a row of the index table.

``PackageSearchIndex.index_package`` builds a flat dict (after every plugin's
``before_dataset_index``) and hands it to ``conn.add``.  Solr would then
apply pysolr's serialisation (None and '' dropped, booleans as "true"), the
schema's field types and its copyFields.  We do the same here, once, at write
time, so queries only ever compare prepared values.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from dateutil.parser import ParserError
from dateutil.parser import parse as parse_date

from . import schema
from .schema import Kind

# Fields Solr keeps but never indexes (``indexed="false"``): storing them in
# ``terms`` would only bloat the GIN index.
_NOT_INDEXED = {"data_dict", "validated_data_dict"}

# Words joined by punctuation ("Wi-Fi", "open-data") are also indexed
# catenated, as Solr's WordDelimiterGraph filter does, so "wifi" finds "Wi-Fi".
# A joined word is a run of word characters with single "-", "_" or "."
# between them.  Why not one regex such as ``\w+(?:[-_.]\w+)+``: on a long
# token without separators it backtracks from every start, quadratic time
# (a 60,000-character word in a description cost a minute of a worker, 1 MB
# killed it).  Splitting where no joined word can continue is a single pass
# whose pieces never overlap, so the whole is linear.
_JOINED_WORD_BREAK_RE = re.compile(r"[^\w.-]+|[.-]{2,}")
_JOINING = str.maketrans("", "", "-_.")
# PostgreSQL ignores longer words ("word is too long to be indexed"): a
# longer catenation could never be found, so it is not worth building.
MAX_INDEXED_WORD = 2047
# ckanext-spatial's bounding box, in ``Row.bbox`` order.
BBOX_FIELDS = ("minx", "miny", "maxx", "maxy")


def solr_string(value: Any) -> str:
    """pysolr's ``_from_python`` for the value types CKAN documents contain."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        if value.utcoffset():
            value = value - value.utcoffset()
        return value.replace(tzinfo=None).isoformat() + "Z"
    if isinstance(value, dt.date):
        return f"{value.isoformat()}T00:00:00Z"
    if isinstance(value, bytes):
        return str(value, errors="replace")
    return f"{value}"


def is_null(value: Any) -> bool:
    """pysolr drops None and empty strings before sending a document."""
    return value is None or (isinstance(value, str) and value == "")


def canonical_date(value: str) -> str | None:
    """A fixed-width UTC form, so that string order is chronological order.

    Range queries on date fields compare these strings, which keeps them
    index-friendly and free of casts that could fail at query time.
    """
    try:
        parsed = parse_date(value)
    except (ParserError, ValueError, OverflowError):
        return None
    return format_date(parsed)


def format_date(value: dt.datetime) -> str:
    if value.tzinfo is not None:
        value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return value.strftime("%Y-%m-%dT%H:%M:%S.%f").rjust(26, "0") + "Z"


def solr_date_output(canonical: str) -> str:
    """How Solr returns a stored date: UTC, milliseconds only when non-zero."""
    seconds, millis = canonical[:19], canonical[20:23]
    return f"{seconds}Z" if millis == "000" else f"{seconds}.{millis}Z"


def fold(value: str) -> str:
    """Lower-case and strip accents: what autocomplete compares."""
    decomposed = unicodedata.normalize("NFKD", value.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def catenations(text: str) -> list[str]:
    """Each joined word of ``text`` without its joining punctuation, in order."""
    found = []
    for piece in _JOINED_WORD_BREAK_RE.split(text):
        word = piece.strip(".-")
        # "_" is a word character: it joins only between two others.
        if len(word) >= 3 and ("-" in word or "." in word or "_" in word[1:-1]):
            joined = word.translate(_JOINING)
            if joined and len(joined) <= MAX_INDEXED_WORD:
                found.append(joined)
    return found


def with_catenations(text: str) -> str:
    extra = catenations(text)
    return text if not extra else text + " " + " ".join(extra)


def as_float(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


@dataclass
class Row:
    """One document, ready for ``storage.upsert``."""

    index_id: str
    site_id: str
    stored: dict[str, Any]
    terms: dict[str, list[str]]  # exact-match fields: strings, dates, numbers
    texts: dict[str, list[str]]  # analysed text fields
    text_a: str  # name, title: weight A (qf ^4)
    text_b: str  # tags, groups: weight B (qf ^2)
    text_d: str  # everything else copied into ``text``
    ac_name: str
    ac_title: str
    title: str | None
    bbox: tuple[float, float, float, float] | None

    def column(self, field_name: str) -> str | None:
        values = self.terms.get(field_name)
        return values[0] if values else None

    def array(self, field_name: str) -> list[str]:
        return list(self.terms.get(field_name, []))

    def corner(self, field_name: str) -> float | None:
        """One of ``BBOX_FIELDS``: all four or none (functions._spatial_overlap relies on it)."""
        return self.bbox[BBOX_FIELDS.index(field_name)] if self.bbox else None


def to_row(doc: dict[str, Any]) -> Row:
    """Normalise one Solr document; raises ValueError when Solr would refuse it."""
    if not doc.get("index_id"):
        raise ValueError("Document is missing mandatory uniqueKey field: index_id")
    if not doc.get("site_id"):
        raise ValueError("Document is missing mandatory field: site_id")

    stored: dict[str, Any] = {}
    terms: dict[str, list[str]] = {}
    texts: dict[str, list[str]] = {}
    weighted: dict[str, list[str]] = {"A": [], "B": [], "D": []}

    for key, raw in doc.items():
        values = list(raw) if isinstance(raw, (list, tuple, set)) else [raw]
        strings = [solr_string(v) for v in values if not is_null(v)]
        if not strings:
            continue
        # Solr would refuse several values in a single-valued field; we
        # accept them (plugins and scheming emit lists) and treat the field
        # as multi-valued, which only matters for sorting.
        spec = schema.field(key)

        if spec.kind is Kind.DATE:
            dates = [canonical_date(s) for s in strings]
            if any(d is None for d in dates):
                raise ValueError(f"ERROR: [doc={doc.get('id')}] Error adding field '{key}'")
            indexed = [d for d in dates if d]
        elif spec.kind in (Kind.INT, Kind.FLOAT):
            numbers = [as_float(s) for s in strings]
            if any(n is None for n in numbers):
                raise ValueError(f"ERROR: [doc={doc.get('id')}] Error adding field '{key}'")
            indexed = strings
        else:
            indexed = strings

        if key not in _NOT_INDEXED:
            if spec.kind in (Kind.TEXT, Kind.TEXT_GENERAL, Kind.FULLTEXT):
                texts[key] = indexed
            else:
                # Once per document: a facet counts documents (as Solr's
                # do), so two CSV resources make one "CSV".
                terms[key] = list(dict.fromkeys(indexed))
        if spec.stored:
            shown = [solr_date_output(d) for d in indexed] if spec.kind is Kind.DATE else strings
            stored[key] = _stored_value(spec, shown)

        if key in schema.WEIGHT_A_FIELDS:
            weighted["A"].extend(strings)
        elif key in schema.WEIGHT_B_FIELDS:
            weighted["B"].extend(strings)
        elif schema.copied_to_text(key) and spec.kind is not Kind.DATE:
            weighted["D"].extend(strings)

    bbox = None
    corners = [as_float(doc.get(k)) for k in BBOX_FIELDS]
    if all(c is not None for c in corners):
        bbox = (corners[0], corners[1], corners[2], corners[3])  # type: ignore[assignment]

    title = texts.get("title", [None])[0]
    name = terms.get("name", [""])[0]
    return Row(
        index_id=str(doc["index_id"]),
        site_id=solr_string(doc["site_id"]),
        stored=stored,
        terms=terms,
        texts=texts,
        text_a=with_catenations(" ".join(weighted["A"])),
        text_b=with_catenations(" ".join(weighted["B"])),
        text_d=with_catenations(" ".join(weighted["D"])),
        ac_name=fold(name),
        ac_title=fold(title or ""),
        title=title,
        bbox=bbox,
    )


def _stored_value(spec: schema.Field, strings: list[str]) -> Any:
    if spec.kind is Kind.FLOAT:
        converted: list[Any] = [float(s) for s in strings]
    elif spec.kind is Kind.INT:
        converted = [int(float(s)) for s in strings]
    else:
        converted = strings
    return converted if spec.multi or len(converted) > 1 else converted[0]
