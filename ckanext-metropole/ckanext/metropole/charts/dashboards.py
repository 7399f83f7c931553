"""Sensor dashboards ("tableaux de bord"): one page per sensor theme.

A page gathers the theme's sensor datasets that the user may see (CKAN's
search with the user's context), and for each phenomenon reads its
published aggregates from the DataStore — no copy of the data: the
hourly table for the last 7 days and the daily table for the last 30.
It derives what fits the measure (LAeq day/night for noise, passages per
day for counters, hours lit for street lights, fill levels for containers)
and each sensor's freshness: its latest period against the maximum age of
the dataset's update frequency.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

import ckan.plugins.toolkit as toolkit

from metropole_core.fields import field_of
from metropole_core.freshness import max_ages

from .. import field_display
from . import chart as charts
from . import series as shaping
from . import store
from .formatting import number, period_label, value

_ = toolkit._

# Sensor themes of the catalogue (schemas/vocabularies/themes.yaml, `sensor: true`).
THEMES = ("bruit", "dechets", "eau", "velo-pietons", "eclairage")
# How much a dashboard card shows: a month day by day, shorter than the chart
# view's season (charts.chart.VIEW_WINDOWS): a dashboard is read at a glance.
DASHBOARD_WINDOWS = {"hour": timedelta(days=7), "day": timedelta(days=30)}
DEFAULT_MAX_AGE = timedelta(hours=3)

# Colours (dark outline on every marker; text always says the same).
GREEN, ORANGE, RED = "#2e8540", "#f0a202", "#c1121f"
LOW, MID, HIGH = "#c6dbef", "#4292c6", "#08306b"
LATE = "#9e9e9e"
# Phenomenon → (warning, alert) thresholds on the latest value.
THRESHOLDS = {"bruit": (55.0, 65.0), "remplissage": (50.0, 80.0)}


def theme_links() -> list[dict[str, str]]:
    return [{"slug": slug, "title": field_display.theme_title(slug),
             "url": toolkit.url_for("metropole_dashboards.theme", slug=slug)}
            for slug in THEMES]


def colour(key: str | None, latest: float | None, others: list[float]) -> str:
    """Fixed thresholds where the measure has recognised ones, else the
    value's third among the sensors of the same phenomenon."""
    if latest is None:
        return LATE
    if key in THRESHOLDS:
        warn, alert = THRESHOLDS[key]
        return RED if latest >= alert else ORANGE if latest >= warn else GREEN
    low, high = min(others), max(others)
    if high - low < 1e-9:
        return MID
    share = (latest - low) / (high - low)
    return LOW if share < 1 / 3 else MID if share < 2 / 3 else HIGH


@dataclass
class SensorRow:
    stream: str
    name: str
    site: str
    lon: float | None
    lat: float | None
    latest: shaping.Period | None
    latest_text: str
    late: bool
    colour: str = LATE
    figures: list[str] = field(default_factory=list)


@dataclass
class Block:
    """One phenomenon of one dataset: chart, figures, sensors, links."""

    package: dict[str, Any]
    title: str
    key: str | None
    chart: charts.Chart
    measure: str
    figure_headers: list[str]
    kpis: list[tuple[str, str]]
    sensors: list[SensorRow]
    links: dict[str, str]


@dataclass
class ThemePage:
    slug: str
    title: str
    description: str
    blocks: list[Block]

    @property
    def sensors(self) -> list[SensorRow]:
        return [s for b in self.blocks for s in b.sensors]

    @property
    def late(self) -> list[SensorRow]:
        return [s for s in self.sensors if s.late]

    def map_points(self) -> list[dict[str, Any]]:
        return [{"lon": s.lon, "lat": s.lat, "colour": s.colour, "late": s.late,
                 "label": f"{s.name} — {s.latest_text}"
                          + (f" — {_('Late')}" if s.late else "")}
                for s in self.sensors if s.lon is not None and s.lat is not None]


def theme_description(slug: str) -> str:
    from metropole_core import vocabularies

    theme = vocabularies.themes().get(slug)
    return vocabularies.localised(theme.description, field_display._lang()) if theme else ""


def build_theme(ctx: dict[str, Any], slug: str, now: datetime | None = None) -> ThemePage:
    now = now or datetime.now(timezone.utc)
    blocks = []
    for package in store.find_sensor_datasets(ctx, slug):
        for tables in store.tables_of(package).values():
            chart = charts.build(ctx, package, tables, DASHBOARD_WINDOWS)
            if chart is not None:
                blocks.append(_block(package, tables, chart, now))
    return ThemePage(slug, field_display.theme_title(slug), theme_description(slug), blocks)


def _max_age(package: dict[str, Any]) -> timedelta:
    return max_ages().get(field_of(package, "frequency") or "", DEFAULT_MAX_AGE)


def _block(package: dict[str, Any], tables: dict[str, store.Table], chart: charts.Chart,
           now: datetime) -> Block:
    hourly, daily = chart.periods.get("hour"), chart.periods.get("day")
    main = hourly or daily
    assert main is not None
    key = next(iter(tables.values())).phenomenon_key
    max_age = _max_age(package)
    latest = {s.stream: s.latest for s in main.summaries}
    values = [p.value for p in latest.values() if p is not None and p.value is not None]
    rows = []
    for summary in main.summaries:
        sensor = chart.sensors.get(summary.stream)
        period = summary.latest
        late = period is None or now - period.end > max_age
        text = (f"{value(period.value, main)} ({period_label(period, main.period)})"
                if period else _("no data"))
        rows.append(SensorRow(summary.stream, summary.name, sensor.site if sensor else "",
                              sensor.lon if sensor else None, sensor.lat if sensor else None,
                              period, text, late,
                              LATE if late else colour(key, period.value if period else None,
                                                       values)))
    headers, kpis = _figures(key, main.measure, hourly, daily, rows, now)
    kpis.insert(0, (_("Sensors"), str(len(rows))))
    kpis.append((_("Late sensors"), str(sum(r.late for r in rows))))
    api = toolkit.url_for("api.action", ver=3, logic_function="datastore_search",
                          resource_id=main.resource_id, sort="period_start desc", limit=100,
                          _external=True)
    return Block(package, chart.title, key, chart, main.measure, headers, kpis, rows, {
        "dataset": toolkit.url_for("dataset.read", id=package["name"]),
        "api": api,
        "csv": toolkit.url_for("datastore.dump", resource_id=main.resource_id, bom=True),
        "resource": toolkit.url_for("resource.read", id=package["name"],
                                    resource_id=main.resource_id),
    })


def _figures(key: str | None, measure: str, hourly: charts.PeriodChart | None,
             daily: charts.PeriodChart | None, rows: list[SensorRow], now: datetime
             ) -> tuple[list[str], list[tuple[str, str]]]:
    """Per-sensor figures (added to ``rows``) and headline figures, by measure."""
    kpis: list[tuple[str, str]] = []
    if measure == "laeq" and hourly:
        split = shaping.day_night(hourly.periods)
        for row in rows:
            day, night = split.get(row.stream, (None, None))
            row.figures = [value(day, hourly), value(night, hourly)]
        day_levels = [d for d, _n in split.values() if d is not None]
        night_levels = [n for _d, n in split.values() if n is not None]
        kpis += [(_("LAeq day 6 h–22 h (7 days, all sensors)"),
                  value(shaping.energetic_mean(day_levels), hourly)),
                 (_("LAeq night 22 h–6 h (7 days, all sensors)"),
                  value(shaping.energetic_mean(night_levels), hourly))]
        return [_("LAeq day 6 h–22 h (7 days)"), _("LAeq night 22 h–6 h (7 days)")], kpis
    if measure == "sum" and daily:
        last_day, week = shaping.last_full_week(daily.periods, now)
        averages = shaping.per_day_total(week)
        yesterday = {p.stream: p.value for p in week if p.start == last_day}
        for row in rows:
            row.figures = [value(yesterday.get(row.stream), daily),
                           value(averages.get(row.stream), daily)]
        total = sum(v for v in yesterday.values() if v is not None)
        kpis += [(_("Passages on the last full day, all counters"), value(total, daily)),
                 (_("Passages per day and counter (7 days)"),
                  value(shaping.mean(averages.values()), daily))]
        return [_("Last full day"), _("Average per day (7 days)")], kpis
    if measure == "share_on" and daily:
        _last_day, week = shaping.last_full_week(daily.periods, now)
        hours = {s: (v * 24 / 100 if v is not None else None)
                 for s, v in shaping.per_day_total(week).items()}
        for row in rows:
            row.figures = [_hours(hours.get(row.stream))]
        kpis.append((_("Hours lit per night (7 days, average)"),
                     _hours(shaping.mean(hours.values()))))
        return [_("Hours lit per day (7 days)")], kpis
    source = hourly or daily
    assert source is not None
    week = shaping.since(source.periods, timedelta(days=7))
    summaries = {s.stream: s for s in shaping.summarise(week, {}, measure)}
    for row in rows:
        s = summaries.get(row.stream)
        row.figures = [value(s.average if s else None, source),
                       value(s.maximum if s else None, source)]
    if key == "remplissage":
        full = sum(1 for r in rows if r.latest and r.latest.value is not None
                   and r.latest.value >= THRESHOLDS["remplissage"][1])
        kpis.append((_("Containers {threshold} full or more").format(threshold="80\u00a0%"),
                     str(full)))
    elif key == "eclairage-puissance" and daily:
        # Every lamp's last 7 full days (periods are sorted by lamp, so a
        # tail slice would keep only the last lamps' days).
        _last_day, days = shaping.last_full_week(daily.periods, now)
        energy = [p.value * 24 / 1000 for p in days if p.value is not None]
        kpis.append((_("Energy per lamp and day (7 days)"),
                     f"{number(shaping.mean(energy), 2)}\u00a0kWh"))
    else:
        latest = [r.latest.value for r in rows if r.latest and r.latest.value is not None]
        kpis.append((_("Average of the latest values"),
                     value(shaping.mean(latest), source)))
    return [_("Average (7 days)"), _("Maximum (7 days)")], kpis


def _hours(hours: float | None) -> str:
    return "—" if hours is None else f"{number(hours, 1)}\u00a0h"


@dataclass
class ThemeCard:
    slug: str
    title: str
    description: str
    datasets: int
    sensors: int
    late_datasets: int
    latest: str | None


def index(ctx: dict[str, Any]) -> list[ThemeCard]:
    """The index: per theme, its sensor datasets and whether any is late
    (dataset-level freshness, cheap: no table is read)."""
    cards = []
    for slug in THEMES:
        packages = store.find_sensor_datasets(ctx, slug)
        sensors = sum(store.stream_count(t) for p in packages
                      for tables in store.tables_of(p).values()
                      for t in list(tables.values())[:1])
        fresh = [field_display.freshness(p) for p in packages]
        latest = max((field_of(p, "latest_observation") or "" for p in packages), default="")
        cards.append(ThemeCard(slug, field_display.theme_title(slug),
                               theme_description(slug), len(packages), sensors,
                               sum(1 for f in fresh if f and f.get("late")), latest or None))
    return cards
