"""How the charts and dashboards write numbers, values with their units,
periods and captions, in the user's language (French by default)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import ckan.plugins.toolkit as toolkit
from babel.numbers import format_decimal

from ..field_display import _lang
from . import chart as charts
from . import store
from .series import Period

_ = toolkit._


def number(value: float | None, decimals: int = 1) -> str:
    if value is None:
        return "—"
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(round(value, decimals), format=pattern, locale=_lang())


def decimals_for(measure: str) -> int:
    return 0 if measure in ("sum", "share_on") else (2 if measure == "mean" else 1)


def value(value: float | None, chart: charts.PeriodChart) -> str:
    """A value with its unit, e.g. « 63,4 dB(A) », « 1 204 passages »."""
    if value is None:
        return "—"
    unit = charts.unit_label(chart.measure, chart.unit)
    return f"{number(value, decimals_for(chart.measure))}\u00a0{unit}".strip()


def percent(ratio: float | None) -> str:
    return "—" if ratio is None else f"{number(100 * ratio, 0)}\u00a0%"


def local_time(moment: datetime, with_hours: bool = True) -> str:
    return toolkit.h.render_datetime(moment, "%d/%m/%Y %H:%M" if with_hours else "%d/%m/%Y")


def period_label(period: Period | None, kind: str) -> str:
    """« 29/03/2026 14:00 » for an hour, « 29/03/2026 » for a day (Paris time)."""
    if period is None:
        return "—"
    return local_time(period.start, with_hours=kind == "hour")


def caption(chart: charts.Chart, period: str) -> str:
    pc = chart.periods[period]
    label = charts.measure_label(pc.measure, period)
    days = charts.VIEW_WINDOWS[period].days if period in charts.VIEW_WINDOWS else 0
    shown = {s.stream for s in pc.series}
    if period == "hour":
        text = _("{measure}, hour by hour over the last {days} days, {count} sensors, in {unit}.")
    else:
        text = _("{measure}, day by day over the last {days} days, {count} sensors, in {unit}.")
    days = max(1, round((max(p.end for p in pc.periods) - min(p.start for p in pc.periods))
                        .total_seconds() / 86400)) if pc.periods else days
    return text.format(measure=label, days=days, count=len(shown),
                       unit=charts.unit_label(pc.measure, pc.unit))


def dataset_charts(package: dict[str, Any]) -> list[dict[str, Any]]:
    """The chart view of each measure of a sensor dataset (its hourly table's,
    the daily one a click away), to show on the dataset page itself: readers
    judge the data there, before opening any resource."""
    from .backfill import VIEW_TYPE

    found = []
    for tables in store.tables_of(package).values():
        table = tables.get("hour") or tables.get("day")
        if table is None or not table.resource.get("datastore_active"):
            continue
        views = toolkit.get_action("resource_view_list")(store.context(), {"id": table.id})
        view = next((v for v in views if v["view_type"] == VIEW_TYPE), None)
        if view is not None:
            found.append({"resource": table.resource, "view": view,
                          "title": table.phenomenon_title})
    return found

