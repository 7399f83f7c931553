"""The chart of one phenomenon: its hourly and daily tables read, shaped
into series and summaries, ready for the template (JSON for Plotly, rows
for the accessible table)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import ckan.plugins.toolkit as toolkit

from . import series as shaping
from . import store

_ = toolkit._

# How much each view shows: enough to read a week hour by hour, and a season day by day.
VIEW_WINDOWS = {"hour": timedelta(days=7), "day": timedelta(days=90)}
PER_DAY = {"hour": 24, "day": 1}


def measure_label(measure: str, period: str) -> str:
    labels = {
        "laeq": _("Sound level (LAeq)"),
        "sum": _("Passages per hour") if period == "hour" else _("Passages per day"),
        "share_on": _("Share of time lit"),
        "mean": _("Hourly mean") if period == "hour" else _("Daily mean"),
    }
    return labels.get(measure, measure)


def unit_label(measure: str, unit: str) -> str:
    if measure == "share_on":
        return "%"
    if measure == "sum" and unit in ("1", ""):
        return _("passages")
    return unit


@dataclass
class PeriodChart:
    period: str
    resource_id: str
    measure: str
    unit: str
    periods: list[shaping.Period]
    series: list[shaping.Series]
    summaries: list[shaping.SensorSummary]

    @property
    def axis_title(self) -> str:
        return f"{measure_label(self.measure, self.period)} ({unit_label(self.measure, self.unit)})"

    def as_json(self) -> dict[str, Any]:
        return {"period": self.period, "resource_id": self.resource_id,
                "y_title": self.axis_title, "series": [s.as_dict() for s in self.series]}


@dataclass
class Chart:
    title: str
    periods: dict[str, PeriodChart] = field(default_factory=dict)
    sensors: dict[str, store.Sensor] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {"title": self.title,
                "periods": {k: v.as_json() for k, v in self.periods.items()}}


def read_period(ctx: dict[str, Any], table: store.Table, names: dict[str, str],
                window: timedelta) -> PeriodChart | None:
    """One table over ``window`` before its latest row (None: no measure column)."""
    days = window.days or 1
    listed = {s for s in (table.resource.get("source_id") or "").split(",") if s}
    if listed:
        names = {k: v for k, v in names.items() if k in listed}
    limit = store.stream_count(table) * PER_DAY[table.period] * (days + 1)
    try:
        records, columns = store.read_rows(ctx, table, limit)
    except (toolkit.ObjectNotFound, toolkit.ValidationError):
        # a table being re-created by a harvest, or removed: no chart, no error page
        # (NotAuthorized is left to raise: callers only pass what the user may see)
        return None
    measure = shaping.measure_of(columns)
    if measure is None:
        return None
    periods = shaping.since(shaping.to_periods(records, measure), window)
    unit = next((r.get("unit") for r in records if r.get("unit")), "") or ""
    return PeriodChart(table.period, table.id, measure, unit, periods,
                       shaping.to_series(periods, names),
                       shaping.summarise(periods, names, measure))


def build(ctx: dict[str, Any], package: dict[str, Any], tables: dict[str, store.Table],
          windows: dict[str, timedelta] | None = None) -> Chart | None:
    """The chart of a phenomenon's tables, or None when nothing can be charted."""
    windows = windows or VIEW_WINDOWS
    sensors = store.sensors_of(ctx, package)
    names = {k: s.name for k, s in sensors.items()}
    first = next(iter(tables.values()))
    chart = Chart(first.phenomenon_title, sensors=sensors)
    for period in store.PERIODS:
        if period in tables and period in windows:
            read = read_period(ctx, tables[period], names, windows[period])
            if read is not None:
                chart.periods[period] = read
    return chart if chart.periods else None
