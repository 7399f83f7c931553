"""Incremental windows, per-stream failures and unit changes in collect()."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from metropole_harvesters.sensors.collect import StreamState, collect, window_start
from metropole_harvesters.sensors.model import Observations, Stream
from metropole_harvesters.sensors.units import PHENOMENA

UTC = timezone.utc


def _stream(stream_id: str = "s1", unit: str = "m") -> Stream:
    return Stream(id=stream_id, name=stream_id, phenomenon=PHENOMENA["hauteur-eau"],
                  unit=unit, source_unit=unit, interval_s=900)


def _obs(start: datetime, count: int, value: float = 1.0, unit: str | None = None
         ) -> Observations:
    times = [(start + timedelta(minutes=15 * i)).strftime("%Y-%m-%dT%H:%M:%SZ")
             for i in range(count)]
    return Observations(times, [value] * count, [unit] * count if unit else None)


def test_window_starts_at_local_midnight_of_watermark_minus_lookback():
    # 30 March 00:30 Paris (CEST) minus 2 h = 29 March 23:30 → from 29 March 00:00
    # local, which is 28 March 23:00 UTC (the 29th began in winter time).
    start = window_start("2026-03-29T22:30:00Z", timedelta(hours=2), ("hour", "day"), None)
    assert start == datetime(2026, 3, 28, 23, 0, tzinfo=UTC)
    hourly = window_start("2026-03-29T22:30:00Z", timedelta(hours=2), ("hour",), None)
    assert hourly == datetime(2026, 3, 29, 20, 0, tzinfo=UTC)
    assert window_start(None, timedelta(hours=2), ("day",), None) is None


def test_failed_stream_keeps_its_previous_state():
    previous = {"s2": StreamState(key="s2", unit="m", watermark="2026-03-01T10:00:00Z")}

    def fetch(stream, since):
        if stream.id == "s2":
            raise RuntimeError("boom")
        return _obs(datetime(2026, 3, 2, tzinfo=UTC), 8)

    result = collect([_stream("s1"), _stream("s2")], previous, fetch)
    assert result.errors == ["s2 (s2): boom"]
    assert result.states["s2"] is previous["s2"]
    assert result.states["s1"].watermark == "2026-03-02T01:45:00Z"
    assert set(result.tables["hauteur-eau", "hour"]["stream"]) == {"s1"}


def test_per_value_unit_change_converted_or_left_out_and_flagged():
    start = datetime(2026, 3, 2, 10, tzinfo=UTC)
    obs = _obs(start, 4, 1.0, "m")
    centimetres = _obs(start + timedelta(hours=1), 4, 150.0, "cm")
    feet = _obs(start + timedelta(hours=2), 4, 3.0, "ft")
    for extra in (centimetres, feet):
        obs.times += extra.times
        obs.values += extra.values
        obs.units += extra.units
    result = collect([_stream()], {}, lambda s, since: obs)
    hours = result.tables["hauteur-eau", "hour"].set_index("period_start")
    assert hours.loc["2026-03-02T11:00:00+01:00", "mean"] == 1.0
    assert hours.loc["2026-03-02T12:00:00+01:00", "mean"] == 1.5    # 150 cm
    assert "2026-03-02T13:00:00+01:00" not in hours.index           # feet: left out
    assert len(result.errors) == 1 and "4 values in 'ft'" in result.errors[0]


def test_rerun_on_same_data_gives_same_rows():
    obs = _obs(datetime(2026, 3, 28, 20, tzinfo=UTC), 200, 2.0)
    first = collect([_stream()], {}, lambda s, since: obs)
    again = collect([_stream()], first.states, lambda s, since: obs)
    for key, table in again.tables.items():
        merged = first.tables[key].set_index(["stream", "period_start"])
        assert merged.loc[table.set_index(["stream", "period_start"]).index].equals(
            table.set_index(["stream", "period_start"]))
