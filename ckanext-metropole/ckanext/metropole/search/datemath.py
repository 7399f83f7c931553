"""Solr date literals and date math (``NOW-1YEAR``, ``2020-01-01T00:00:00Z+1DAY/DAY``)."""

from __future__ import annotations

import calendar
import datetime as dt
import re

from .document import format_date
from .errors import BadRequest

_LITERAL_RE = re.compile(
    r"(?P<y>-?\d{4,})-(?P<mo>\d{2})-(?P<d>\d{2})T(?P<h>\d{2}):(?P<mi>\d{2}):(?P<s>\d{2})"
    r"(?:\.(?P<frac>\d{1,9}))?Z"
)
_OP_RE = re.compile(r"([+-])(\d+)([A-Z]+)|/([A-Z]+)")

_UNITS = {
    "YEAR": "year", "YEARS": "year",
    "MONTH": "month", "MONTHS": "month",
    "WEEK": "week", "WEEKS": "week",
    "DAY": "day", "DAYS": "day", "DATE": "day",
    "HOUR": "hour", "HOURS": "hour",
    "MINUTE": "minute", "MINUTES": "minute",
    "SECOND": "second", "SECONDS": "second",
    "MILLI": "milli", "MILLIS": "milli",
    "MILLISECOND": "milli", "MILLISECONDS": "milli",
}


def _invalid(text: str) -> BadRequest:
    return BadRequest(f"Invalid Date String:'{text}'")


def _add(value: dt.datetime, amount: int, unit: str) -> dt.datetime:
    if unit in ("year", "month"):
        months = value.month - 1 + amount * (12 if unit == "year" else 1)
        year = value.year + months // 12
        month = months % 12 + 1
        day = min(value.day, calendar.monthrange(year, month)[1])
        return value.replace(year=year, month=month, day=day)
    delta = {
        "week": dt.timedelta(weeks=amount),
        "day": dt.timedelta(days=amount),
        "hour": dt.timedelta(hours=amount),
        "minute": dt.timedelta(minutes=amount),
        "second": dt.timedelta(seconds=amount),
        "milli": dt.timedelta(milliseconds=amount),
    }[unit]
    return value + delta


def _round(value: dt.datetime, unit: str) -> dt.datetime:
    if unit == "year":
        return value.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
    if unit == "month":
        return value.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    if unit == "week":
        start = value - dt.timedelta(days=value.weekday())
        return start.replace(hour=0, minute=0, second=0, microsecond=0)
    if unit == "day":
        return value.replace(hour=0, minute=0, second=0, microsecond=0)
    if unit == "hour":
        return value.replace(minute=0, second=0, microsecond=0)
    if unit == "minute":
        return value.replace(second=0, microsecond=0)
    if unit == "second":
        return value.replace(microsecond=0)
    return value.replace(microsecond=value.microsecond // 1000 * 1000)


def parse(text: str, now: dt.datetime | None = None) -> dt.datetime:
    """Evaluate a Solr date expression to a naive UTC datetime."""
    if text.startswith("NOW"):
        value = now or dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
        rest = text[3:]
    else:
        match = _LITERAL_RE.match(text)
        if not match:
            raise _invalid(text)
        try:
            value = dt.datetime(
                int(match["y"]), int(match["mo"]), int(match["d"]),
                int(match["h"]), int(match["mi"]), int(match["s"]),
                int((match["frac"] or "0")[:6].ljust(6, "0")),
            )
        except ValueError:
            raise _invalid(text) from None
        rest = text[match.end():]
    position = 0
    while position < len(rest):
        op = _OP_RE.match(rest, position)
        if not op:
            raise _invalid(text)
        try:
            if op.group(4):
                value = _round(value, _UNITS[op.group(4)])
            else:
                amount = int(op.group(2)) * (-1 if op.group(1) == "-" else 1)
                value = _add(value, amount, _UNITS[op.group(3)])
        except (KeyError, OverflowError, ValueError):
            raise _invalid(text) from None
        position = op.end()
    return value


def canonical(text: str) -> str:
    """The indexed string form of a date expression (see document.format_date)."""
    return format_date(parse(text))
