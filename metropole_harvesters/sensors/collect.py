"""Fetch → normalise → aggregate for a group of streams, incrementally.

Each stream has a state kept between runs (in the harvest object, see
``metropole_harvesters/pipeline/objects.py``): its watermark (latest observation time),
published unit, sampling interval and first observation. A run fetches from
the watermark minus the look-back, *rounded down to the start of the
longest aggregation period* (a Europe/Paris day): every period the run
touches is then recomputed from all its observations, so the published row
is the same whether it was computed in one run or across several, and a
re-run with nothing new gives identical rows.

A stream whose fetch fails is reported and skipped: its state does not move,
so the next run fetches the same window again; its published rows stay.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

import pandas as pd

from metropole_core.paris_time import PARIS
from metropole_core.phenomena import Kind

from .aggregate import PERIODS, StreamInfo, aggregate, clean, frame, infer_interval
from .model import Observations, Stream
from .units import normalise_unit


@dataclass
class StreamState:
    key: str                         # published stream identifier (column `stream`)
    unit: str
    scale: float = 1.0
    interval_s: float | None = None
    watermark: str | None = None     # ISO UTC of the latest observation
    first: str | None = None         # ISO UTC of the first observation ever seen

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> StreamState:
        return cls(**{k: data.get(k) for k in cls.__dataclass_fields__ if k in data})

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class Collected:
    """What a run produced for one dataset group."""

    tables: dict[tuple[str, str], pd.DataFrame] = field(default_factory=dict)  # (phen, period)
    states: dict[str, StreamState] = field(default_factory=dict)               # by stream id
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    observations: int = 0

    @property
    def latest(self) -> str | None:
        marks = [s.watermark for s in self.states.values() if s.watermark]
        return max(marks) if marks else None

    @property
    def first(self) -> str | None:
        marks = [s.first for s in self.states.values() if s.first]
        return min(marks) if marks else None


Fetch = Callable[[Stream, datetime | None], Observations]


def window_start(watermark: str | None, lookback: timedelta, periods: tuple[str, ...],
                 initial: datetime | None) -> datetime | None:
    """Where this run starts reading: watermark − look-back, floored to the
    start of the local day (or hour when only hours are published)."""
    if watermark is None:
        return initial
    moment = datetime.fromisoformat(watermark.replace("Z", "+00:00")) - lookback
    local = moment.astimezone(PARIS)
    if "day" in periods:
        local = local.replace(hour=0, minute=0, second=0, microsecond=0)
        # re-resolve the offset of local midnight (the look-back may cross DST)
        local = datetime(local.year, local.month, local.day, tzinfo=PARIS)
        return local.astimezone(timezone.utc)
    return moment.replace(minute=0, second=0, microsecond=0).astimezone(timezone.utc)


def collect(streams: list[Stream], previous: dict[str, StreamState], fetch: Fetch, *,
            periods: tuple[str, ...] = PERIODS, lookback: timedelta = timedelta(hours=2),
            initial: datetime | None = None, workers: int = 4) -> Collected:
    """Fetch the streams (a few at a time: the server works while we parse)
    and aggregate them per phenomenon and period."""
    result = Collected()
    frames: dict[str, list[pd.DataFrame]] = {}
    infos: dict[str, dict[str, StreamInfo]] = {}
    kinds: dict[str, Kind] = {}
    window: dict[str, datetime | None] = {}
    plans = []
    for stream in streams:
        state = _state_for(stream, previous.get(stream.id), result)
        plans.append((stream, state, window_start(state.watermark, lookback, periods, initial)))

    def attempt(plan: tuple[Stream, StreamState, datetime | None]) -> Observations | Exception:
        try:
            return fetch(plan[0], plan[2])
        except Exception as error:  # reported per stream below
            return error

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        outcomes = pool.map(attempt, plans)
        for (stream, state, since), obs in zip(plans, outcomes, strict=True):
            if isinstance(obs, Exception):   # its state does not move
                result.errors.append(f"{stream.id} ({stream.name}): {obs}")
                if stream.id in previous:
                    result.states[stream.id] = previous[stream.id]
                continue
            _add(result, frames, infos, kinds, window, stream, state, since, obs)
    for key, parts in frames.items():
        data = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
        for period in periods:
            table = aggregate(data, kinds[key], period, infos[key])
            result.tables[(key, period)] = _touched(table, window)
    return result


def _add(result: Collected, frames: dict[str, list[pd.DataFrame]],
         infos: dict[str, dict[str, StreamInfo]], kinds: dict[str, Kind],
         window: dict[str, datetime | None], stream: Stream, state: StreamState,
         since: datetime | None, obs: Observations) -> None:
    """Normalise one stream's observations and file them for aggregation."""
    raw = frame(obs.times, obs.values, state.key)
    if obs.units and any(obs.units):
        raw = _per_value_units(raw, obs.units, stream, state, result)
    data = clean(raw)
    if since is not None:
        data = data[data["time"] >= pd.Timestamp(since)]
    if obs.rejected:
        result.warnings.append(f"{stream.id}: {obs.rejected} results were null or "
                               "not numbers and were left out")
    if state.scale != 1.0:   # rounded so that converted values aggregate reproducibly
        data["value"] = (data["value"] * state.scale).round(9)
    if state.interval_s is None:
        state.interval_s = infer_interval(data["time"])
    if not data.empty:
        latest = data["time"].max().strftime("%Y-%m-%dT%H:%M:%SZ")
        first = data["time"].min().strftime("%Y-%m-%dT%H:%M:%SZ")
        state.watermark = max(state.watermark or latest, latest)
        state.first = min(state.first or first, first)
    result.states[stream.id] = state
    result.observations += len(data)
    key = stream.phenomenon.key
    frames.setdefault(key, []).append(data)
    infos.setdefault(key, {})[state.key] = StreamInfo(state.unit, state.interval_s)
    kinds[key] = stream.phenomenon.kind
    window[state.key] = since


def _per_value_units(raw: pd.DataFrame, units: list[str | None], stream: Stream,
                     state: StreamState, result: Collected) -> pd.DataFrame:
    """Protocols that give a unit per value (NGSI-LD ``unitCode``): values in
    another unit of the same quantity are converted; values of another
    quantity are left out and flagged — never mixed into the series."""
    raw = raw.assign(src_unit=pd.Series(units, dtype="object").to_numpy())
    factor = pd.Series(1.0, index=raw.index)
    keep = pd.Series(True, index=raw.index)
    for unit in raw["src_unit"].dropna().unique():
        published, scale = normalise_unit(unit)
        rows = raw["src_unit"] == unit
        if published == state.unit:
            factor[rows] = scale / state.scale   # the stream scale is applied later
            continue
        keep &= ~rows
        first = raw.loc[rows, "time"].min()
        result.errors.append(
            f"{stream.id} ({stream.name}): {int(rows.sum())} values in '{unit}' from "
            f"{first:%Y-%m-%dT%H:%M:%SZ} while the series is in '{state.unit}': left out, "
            "not mixed")
    raw = raw[keep.to_numpy()].copy()
    raw["value"] = (raw["value"] * factor[keep].to_numpy()).round(9)
    return raw.drop(columns="src_unit")


def _touched(table: pd.DataFrame, window: dict[str, datetime | None]) -> pd.DataFrame:
    """Only periods that start inside each stream's window: a period that
    began before it was only partly read and keeps its published values."""
    if table.empty:
        return table
    starts = pd.to_datetime(table["period_start"], format="ISO8601", utc=True)
    bounds = table["stream"].map(lambda s: pd.Timestamp(window[s]) if window.get(s) else None)
    keep = bounds.isna() | (starts >= pd.to_datetime(bounds, utc=True))
    return table[keep.to_numpy()].reset_index(drop=True)


def _state_for(stream: Stream, previous: StreamState | None, result: Collected) -> StreamState:
    """The stream's state for this run, flagging a unit change.

    The same published unit with another scale (cm instead of m) is
    converted and noted; a different quantity altogether is published as a
    new series (stream key suffixed with the unit) — never mixed."""
    if previous is None:
        return StreamState(key=stream.id, unit=stream.unit, scale=stream.scale,
                           interval_s=stream.interval_s)
    state = StreamState.from_dict(previous.to_dict())
    if stream.interval_s:
        state.interval_s = stream.interval_s
    if stream.unit == previous.unit and stream.scale == previous.scale:
        return state
    if stream.unit == previous.unit:
        result.warnings.append(
            f"{stream.id}: the server now declares '{stream.source_unit}'; values are "
            f"converted (×{stream.scale:g}) to {stream.unit} as before")
        state.scale = stream.scale
        return state
    result.errors.append(
        f"{stream.id} ({stream.name}): unit changed from '{previous.unit}' to "
        f"'{stream.unit}'; new values are published as series "
        f"'{stream.id} [{stream.unit}]', not mixed with the old ones")
    # The new series starts where the old one stopped.
    return StreamState(key=f"{stream.id} [{stream.unit}]", unit=stream.unit,
                       scale=stream.scale, interval_s=stream.interval_s,
                       watermark=previous.watermark)
