"""Sensor aggregates (DataStore rows) → chart series and figures. Pure: no CKAN.

The rows are those the sensor harvester publishes (``metropole_harvesters/sensors``):
one per (stream, period) with ``period_start``/``period_end`` (UTC),
``period_local`` (Paris time with its offset), ``unit``, ``n``,
``expected`` and a measure column that depends on the kind of phenomenon.

Gaps are shown as gaps: a period that follows another without touching it
(``period_start`` ≠ the previous ``period_end``) gets a null point in
between, so no line is drawn across the missing hours or days. Comparing
ends and starts rather than counting hours keeps 23- and 25-hour DST days
right.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

# The column charted for each kind of aggregate, first present wins.
MEASURE_ORDER = ("laeq", "sum", "share_on", "mean")
DAY_HOURS = range(6, 22)   # French regulation: day 6 h–22 h, night 22 h–6 h


def measure_of(columns: Iterable[str]) -> str | None:
    """The measure column of a table, from its column names."""
    present = set(columns)
    return next((m for m in MEASURE_ORDER if m in present), None)


def parse_time(value: Any) -> datetime:
    """DataStore timestamps come back as ISO strings without offset, in UTC."""
    if isinstance(value, datetime):
        moment = value
    else:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


@dataclass(frozen=True)
class Period:
    stream: str
    start: datetime          # UTC
    end: datetime            # UTC, excluded
    local: str               # Paris wall time, ISO without offset (chart x)
    value: float | None
    n: int | None
    expected: int | None


def to_periods(records: Iterable[dict[str, Any]], measure: str) -> list[Period]:
    """Rows → periods sorted by stream then start; ``share_on`` as a percentage."""
    scale = 100.0 if measure == "share_on" else 1.0
    periods = []
    for row in records:
        start, end = parse_time(row["period_start"]), parse_time(row["period_end"])
        local = str(row.get("period_local") or start.isoformat())[:19]
        value = row.get(measure)
        periods.append(Period(str(row["stream"]), start, end, local,
                              None if value is None else float(value) * scale,
                              row.get("n"), row.get("expected")))
    return sorted(periods, key=lambda p: (p.stream, p.start))


def since(periods: list[Period], window: timedelta) -> list[Period]:
    """The periods of the last ``window`` before the latest one of the table."""
    if not periods:
        return []
    latest = max(p.end for p in periods)
    return [p for p in periods if p.start >= latest - window]


@dataclass
class Series:
    stream: str
    name: str
    x: list[str] = field(default_factory=list)         # Paris wall time
    y: list[float | None] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"stream": self.stream, "name": self.name, "x": self.x, "y": self.y}


def to_series(periods: list[Period], names: dict[str, str]) -> list[Series]:
    """One series per sensor, a null point wherever periods do not touch."""
    by_stream: dict[str, list[Period]] = defaultdict(list)
    for period in periods:
        by_stream[period.stream].append(period)
    out = []
    for stream in sorted(by_stream, key=lambda s: (names.get(s, s), s)):
        series = Series(stream, names.get(stream, stream))
        previous: Period | None = None
        for period in by_stream[stream]:
            if previous is not None and period.start != previous.end:
                # The gap's first missing period: x is where it began, y null.
                series.x.append(_local_after(previous))
                series.y.append(None)
            series.x.append(period.local)
            series.y.append(period.value)
            previous = period
        out.append(series)
    return out


def _local_after(period: Period) -> str:
    """Paris wall time of a period's end (the next period's would-be start)."""
    offset = _offset(period)
    return (period.end + offset).replace(tzinfo=None).isoformat()[:19]


def _offset(period: Period) -> timedelta:
    local = datetime.fromisoformat(period.local)
    return local - period.start.replace(tzinfo=None)


def energetic_mean(levels: Iterable[float]) -> float | None:
    """LAeq over several periods: 10·log10(mean(10^(L/10))), never the
    arithmetic mean of decibels."""
    values = [v for v in levels if v is not None]
    if not values:
        return None
    return 10 * math.log10(sum(10 ** (v / 10) for v in values) / len(values))


def mean(values: Iterable[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return sum(present) / len(present) if present else None


def average(values: Iterable[float | None], measure: str) -> float | None:
    """The average that fits the measure: energetic for sound levels."""
    values = list(values)
    return energetic_mean(values) if measure == "laeq" else mean(values)


@dataclass
class SensorSummary:
    """What the data table alternative and the dashboards say of a sensor."""

    stream: str
    name: str
    latest: Period | None
    average: float | None
    minimum: float | None
    maximum: float | None
    completeness: float | None
    extra: dict[str, float | None] = field(default_factory=dict)


def summarise(periods: list[Period], names: dict[str, str], measure: str
              ) -> list[SensorSummary]:
    """Per sensor: latest period with a value, average (energetic for sound),
    min, max and completeness over the periods given."""
    by_stream: dict[str, list[Period]] = defaultdict(list)
    for period in periods:
        by_stream[period.stream].append(period)
    for stream in names:
        by_stream.setdefault(stream, [])
    out = []
    for stream, rows in sorted(by_stream.items(), key=lambda i: (names.get(i[0], i[0]), i[0])):
        values = [p.value for p in rows if p.value is not None]
        received = sum(p.n or 0 for p in rows)
        expected = sum(p.expected or 0 for p in rows)
        out.append(SensorSummary(
            stream, names.get(stream, stream),
            latest=next((p for p in reversed(rows) if p.value is not None), None),
            average=average(values, measure),
            minimum=min(values) if values else None,
            maximum=max(values) if values else None,
            completeness=received / expected if expected else None))
    return out


def day_night(periods: list[Period]) -> dict[str, tuple[float | None, float | None]]:
    """LAeq day (6 h–22 h) and night (22 h–6 h), Paris time, per sensor,
    from hourly sound levels."""
    buckets: dict[str, tuple[list[float], list[float]]] = defaultdict(lambda: ([], []))
    for p in periods:
        if p.value is None:
            continue
        hour = int(p.local[11:13])
        buckets[p.stream][0 if hour in DAY_HOURS else 1].append(p.value)
    return {s: (energetic_mean(day), energetic_mean(night))
            for s, (day, night) in buckets.items()}


def complete_days(periods: list[Period], now: datetime) -> list[Period]:
    """Daily periods that are over (today's partial total would mislead)."""
    return [p for p in periods if p.end <= now]


def last_full_week(periods: list[Period], now: datetime
                   ) -> tuple[datetime | None, list[Period]]:
    """The last complete day, and the complete days of the 7 ending with it
    (for every sensor: the periods are sorted by sensor, not by time)."""
    done = complete_days(periods, now)
    last_day = max((p.start for p in done), default=None)
    if last_day is None:
        return None, []
    return last_day, [p for p in done if p.start > last_day - timedelta(days=7)]


def per_day_total(daily: list[Period]) -> dict[str, float | None]:
    """Average of the daily totals per sensor (counts: passages per day)."""
    by_stream: dict[str, list[float]] = defaultdict(list)
    for p in daily:
        if p.value is not None:
            by_stream[p.stream].append(p.value)
    return {s: mean(v) for s, v in by_stream.items()}
