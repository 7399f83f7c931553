"""Hourly and daily aggregates, right for each kind of measure (pandas).

- levels → count, mean, min, max, p95;
- sound levels (dB) → energetic mean 10·log10(mean(10^(L/10))), min, max;
- counts → sum;
- on/off states → share of *time* on (each state holds until the next
  observation, at most ``max_hold``; uncovered time is unknown, not "off");
- every period carries its completeness: observations received ÷ expected.

Periods are calendar periods in Europe/Paris: a day is local midnight to
local midnight, so DST days last 23 h or 25 h and expect fewer or more
observations. Hours are cut in UTC (Paris offsets are whole hours) and
labelled in local time, so the repeated 02:00 of October is two periods.

Output values are rounded to fixed decimals so that re-aggregating the same
observations gives byte-identical published rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from metropole_core.phenomena import Kind

TZ = "Europe/Paris"
PERIODS = ("hour", "day")
DECIMALS = 4

# Columns of the published table per kind, after the common ones.
MEASURE_COLUMNS: dict[Kind, tuple[str, ...]] = {
    Kind.LEVEL: ("mean", "min", "max", "p95"),
    Kind.SOUND: ("laeq", "min", "max"),
    Kind.COUNT: ("sum",),
    Kind.STATE: ("share_on",),
}
COMMON_COLUMNS = ("stream", "period_start", "period_end", "period_local", "unit", "n",
                  "expected", "completeness")


@dataclass(frozen=True)
class StreamInfo:
    unit: str
    interval_s: float | None     # expected spacing of observations


def frame(times: Iterable[str], values: Iterable[float | None], stream: str) -> pd.DataFrame:
    """Observations of one stream as a frame (time UTC, value float).

    Times may mix "Z" and offsets (FROST writes both) and may be intervals
    "start/end" (SensorThings phenomenonTime): the start is the time."""
    times = pd.Series(list(times), dtype="string")
    if times.str.contains("/", regex=False).any():
        times = times.str.split("/", n=1).str[0]
    frame = pd.DataFrame({
        "time": pd.to_datetime(times, format="ISO8601", utc=True, errors="coerce"),
        "value": pd.to_numeric(pd.Series(list(values), dtype="object"), errors="coerce"),
    })
    frame["stream"] = stream
    return frame


def clean(frame: pd.DataFrame) -> pd.DataFrame:
    """Drop unusable rows, put out-of-order observations in order, and keep
    one value per (stream, time): the last one received (a late correction)."""
    frame = frame.dropna(subset=["time", "value"])
    frame = frame.drop_duplicates(subset=["stream", "time"], keep="last")
    return frame.sort_values(["stream", "time"], kind="stable").reset_index(drop=True)


def infer_interval(times: pd.Series) -> float | None:
    """Typical spacing (s) of a regular series: the median gap."""
    if len(times) < 3:
        return None
    gaps = times.sort_values().diff().dropna().dt.total_seconds()
    gaps = gaps[gaps > 0]
    return float(round(gaps.median())) if len(gaps) else None


def period_bounds(times: pd.Series, period: str) -> tuple[pd.Series, pd.Series]:
    """(start, end) in UTC of the Europe/Paris calendar period of each time."""
    if period == "hour":
        start = times.dt.floor("h")
        return start, start + pd.Timedelta(hours=1)
    if period == "day":
        local = times.dt.tz_convert(TZ)
        naive_day = local.dt.tz_localize(None).dt.normalize()
        start = naive_day.dt.tz_localize(TZ).dt.tz_convert("UTC")
        end = (naive_day + pd.Timedelta(days=1)).dt.tz_localize(TZ).dt.tz_convert("UTC")
        return start, end
    raise ValueError(f"unknown period {period!r} (expected one of {PERIODS})")


def aggregate(frame: pd.DataFrame, kind: Kind, period: str,
              streams: dict[str, StreamInfo], max_hold_s: float = 3600.0) -> pd.DataFrame:
    """Aggregate clean observations (columns stream, time, value) of streams
    of one kind into one row per (stream, period)."""
    columns = list(COMMON_COLUMNS) + list(MEASURE_COLUMNS[kind])
    if frame.empty:
        return pd.DataFrame(columns=columns)
    data = frame.copy()
    data["start"], data["end"] = period_bounds(data["time"], period)
    grouped = data.groupby(["stream", "start", "end"], sort=True)["value"]
    out = grouped.agg(n="count").reset_index()
    if kind is Kind.LEVEL:
        stats = grouped.agg(["mean", "min", "max"]).reset_index(drop=True)
        out = pd.concat([out, stats], axis=1)
        out["p95"] = grouped.quantile(0.95).to_numpy()
    elif kind is Kind.SOUND:
        data["energy"] = np.power(10.0, data["value"] / 10.0)
        energy = data.groupby(["stream", "start", "end"], sort=True)["energy"].mean()
        out["laeq"] = 10.0 * np.log10(energy.to_numpy())
        out[["min", "max"]] = grouped.agg(["min", "max"]).to_numpy()
    elif kind is Kind.COUNT:
        out["sum"] = grouped.sum().to_numpy()
    elif kind is Kind.STATE:
        out["share_on"] = _share_on(data, out, streams, max_hold_s)
    duration = (out["end"] - out["start"]).dt.total_seconds()
    interval = out["stream"].map(lambda s: streams[s].interval_s if s in streams else None)
    expected = duration / interval.astype("float64")
    out["expected"] = expected.round(0)
    out["completeness"] = (out["n"] / expected).clip(upper=1.0)
    out["unit"] = out["stream"].map(lambda s: streams[s].unit if s in streams else "")
    out["period_start"] = _local_iso(out["start"])
    out["period_end"] = _local_iso(out["end"])
    # The DataStore gives timestamps back in UTC; this label keeps Paris time.
    out["period_local"] = out["period_start"]
    return _rounded(out[columns])


def _share_on(data: pd.DataFrame, periods: pd.DataFrame, streams: dict[str, StreamInfo],
              max_hold_s: float) -> np.ndarray:
    """Time-weighted share of 'on' (value > 0) in each period.

    Each observation's state holds until the next one, at most max_hold (or
    the stream's interval); cumulative on-time and known-time are piecewise
    linear in t, so each period's share is a difference of two np.interp."""
    shares = np.full(len(periods), np.nan)
    for stream, rows in data.groupby("stream", sort=False):
        t = rows["time"].astype("int64").to_numpy() / 1e9
        on = (rows["value"].to_numpy() > 0).astype(float)
        hold = streams[stream].interval_s if stream in streams and streams[stream].interval_s \
            else max_hold_s
        ends = np.minimum(np.append(t[1:], np.inf), t + hold)
        lengths = ends - t
        known_before = np.concatenate([[0.0], np.cumsum(lengths)[:-1]])
        on_before = np.concatenate([[0.0], np.cumsum(lengths * on)[:-1]])
        xp = np.column_stack([t, ends]).ravel()
        known_fp = np.column_stack([known_before, known_before + lengths]).ravel()
        on_fp = np.column_stack([on_before, on_before + lengths * on]).ravel()
        mask = (periods["stream"] == stream).to_numpy()
        a = periods.loc[mask, "start"].astype("int64").to_numpy() / 1e9
        b = periods.loc[mask, "end"].astype("int64").to_numpy() / 1e9
        known = np.interp(b, xp, known_fp) - np.interp(a, xp, known_fp)
        on_time = np.interp(b, xp, on_fp) - np.interp(a, xp, on_fp)
        with np.errstate(invalid="ignore", divide="ignore"):
            shares[mask] = np.where(known > 0, on_time / known, np.nan)
    return shares


def _local_iso(utc: pd.Series) -> pd.Series:
    """ISO 8601 in Paris local time with its offset: '2026-03-29T00:00:00+01:00'."""
    text = utc.dt.tz_convert(TZ).dt.strftime("%Y-%m-%dT%H:%M:%S%z")
    return text.str.slice(0, -2) + ":" + text.str.slice(-2)


def _rounded(out: pd.DataFrame) -> pd.DataFrame:
    for column in out.columns:
        if column in ("n", "expected"):
            out[column] = out[column].astype("float64").round(0).astype("Int64")
        elif out[column].dtype.kind == "f":
            out[column] = out[column].round(DECIMALS)
    return out.reset_index(drop=True)


def to_records(table: pd.DataFrame) -> list[dict]:
    """Rows as JSON-safe dicts (NaN/NA → None), in a stable order."""
    table = table.astype(object).where(table.notna(), None)
    return table.to_dict("records")
