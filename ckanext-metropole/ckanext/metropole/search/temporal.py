"""Temporal search: ``ext_startdate`` / ``ext_enddate``.

API and UI users pass, next to any other ``package_search`` parameters:

``ext_startdate``
    ISO 8601 date or date-time (``2020-01-01``, ``2020-01-01T08:00:00Z``);
    keeps datasets whose temporal coverage ends on or after it.
``ext_enddate``
    ISO 8601 date or date-time; keeps datasets whose coverage starts on or
    before it.  A bare date means the end of that day.

Either may be given alone.  A dataset's coverage is read at index time from
``temporal_start``/``temporal_end`` (scheming fields or extras), or from
ckanext-dcat's ``temporal_coverage`` (``start``/``end`` subfields, the
earliest start and latest end when there are several); a coverage with no end
is ongoing, one with no start has always existed.  Datasets without any
temporal coverage never match a temporal filter.  Invalid dates give
"Search error" (HTTP 409).

The filter is plain lucene syntax on two ``*_date`` fields, so it works the
same with the PostgreSQL backend and with Solr's standard CKAN schema.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from dateutil.parser import ParserError
from dateutil.parser import parse as parse_date

START_FIELD = "metropole_temporal_start_date"
END_FIELD = "metropole_temporal_end_date"

# Where coverage comes from in an index document, by priority.
_START_KEYS = ("temporal_start", "extras_temporal_start", "extras_temporal_coverage__start",
               "temporal_coverage_start")
_END_KEYS = ("temporal_end", "extras_temporal_end", "extras_temporal_coverage__end",
             "temporal_coverage_end")


def _solr_date(value: dt.datetime) -> str:
    if value.tzinfo is not None:
        value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return value.strftime("%Y-%m-%dT%H:%M:%S") + "Z"


def _parse_all(raw: Any) -> list[dt.datetime]:
    """Dates in a field value; dcat joins several coverages with spaces."""
    if raw is None or raw == "":
        return []
    values = raw if isinstance(raw, (list, tuple)) else str(raw).split()
    out = []
    for value in values:
        try:
            out.append(parse_date(str(value)))
        except (ParserError, ValueError, OverflowError):
            continue
    return out


def _normalise(values: list[dt.datetime]) -> list[dt.datetime]:
    return [v.astimezone(dt.timezone.utc).replace(tzinfo=None) if v.tzinfo else v for v in values]


def _periods(raw: Any) -> tuple[list[dt.datetime], list[dt.datetime]]:
    """Starts and ends of a scheming ``temporal_coverage`` (repeating start/end
    subfields): a list of dicts, or its JSON text once ckanext-scheming has
    prepared the document for the index."""
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            return [], []
    periods = [p for p in raw if isinstance(p, dict)] if isinstance(raw, list) else []
    starts = [d for p in periods for d in _parse_all(p.get("start"))]
    ends = [d for p in periods for d in _parse_all(p.get("end"))]
    return _normalise(starts), _normalise(ends)


def add_coverage(doc: dict[str, Any]) -> dict[str, Any]:
    """``before_dataset_index``: add normalised coverage bounds to the document."""
    starts: list[dt.datetime] = []
    ends: list[dt.datetime] = []
    for key in _START_KEYS:
        starts = _normalise(_parse_all(doc.get(key)))
        if starts:
            break
    for key in _END_KEYS:
        ends = _normalise(_parse_all(doc.get(key)))
        if ends:
            break
    if not starts and not ends:
        starts, ends = _periods(doc.get("temporal_coverage"))
    if starts:
        doc[START_FIELD] = _solr_date(min(starts))
    if ends:
        doc[END_FIELD] = _solr_date(max(ends))
    return doc


class TemporalQueryError(ValueError):
    pass


def _bound(raw: str, end_of_day: bool) -> str:
    text = str(raw).strip()
    try:
        value = parse_date(text)
    except (ParserError, ValueError, OverflowError):
        raise TemporalQueryError(f"Invalid date: {text}") from None
    if end_of_day and len(text) <= 10:
        value = value.replace(hour=23, minute=59, second=59, microsecond=999000)
    out = _solr_date(value)
    if end_of_day and len(text) <= 10:
        out = out[:-1] + ".999Z"
    return out


def filter_query(start: str | None, end: str | None) -> str | None:
    """The fq clause selecting coverages that overlap [start, end]."""
    if not start and not end:
        return None
    clauses = []
    has_start = f"{START_FIELD}:[* TO *]"
    has_end = f"{END_FIELD}:[* TO *]"
    if end:
        upper = _bound(end, end_of_day=True)
        clauses.append(f"+({START_FIELD}:[* TO {upper}] OR (+{has_end} -{has_start}))")
    if start:
        lower = _bound(start, end_of_day=False)
        clauses.append(f"+({END_FIELD}:[{lower} TO *] OR (+{has_start} -{has_end}))")
    return " ".join(clauses)


def apply(search_params: dict[str, Any]) -> dict[str, Any]:
    """``before_dataset_search``: turn the ext_ parameters into an fq clause."""
    extras = search_params.get("extras") or {}
    fq = filter_query(extras.get("ext_startdate"), extras.get("ext_enddate"))
    if fq:
        search_params["fq"] = (search_params.get("fq") or "") + " " + fq
    return search_params
