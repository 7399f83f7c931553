"""Aggregation checked against hand-computed values (issue 5, acceptance 1)."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from metropole_harvesters.sensors.aggregate import StreamInfo, aggregate, clean, frame
from metropole_harvesters.sensors.model import Kind


def _agg(times, values, kind, period, interval=None, unit="u"):
    data = clean(frame(times, values, "s1"))
    return aggregate(data, kind, period, {"s1": StreamInfo(unit, interval)})


def test_sound_energetic_mean_not_arithmetic():
    # 60 and 70 dB: energetic mean = 10·log10((10^6 + 10^7)/2) = 67.4036 dB,
    # the arithmetic mean (65) would understate the noise.
    out = _agg(["2026-06-01T10:00:00Z", "2026-06-01T10:30:00Z"], [60, 70], Kind.SOUND, "hour",
               interval=1800, unit="dB(A)")
    row = out.iloc[0]
    assert row["laeq"] == pytest.approx(10 * math.log10((1e6 + 1e7) / 2), abs=1e-4)
    assert row["laeq"] == 67.4036
    assert (row["min"], row["max"], row["n"], row["expected"]) == (60, 70, 2, 2)
    assert row["completeness"] == 1.0
    assert row["period_start"] == "2026-06-01T12:00:00+02:00"
    assert row["period_end"] == "2026-06-01T13:00:00+02:00"


def test_levels_count_mean_min_max_p95():
    times = [f"2026-01-10T08:{m:02d}:00+01:00" for m in range(0, 60, 6)]  # 10 values
    values = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
    row = _agg(times, values, Kind.LEVEL, "hour", interval=300).iloc[0]
    assert (row["n"], row["mean"], row["min"], row["max"]) == (10, 5.5, 1, 10)
    # numpy's linear p95 of 1..10: 1 + 0.95·9 = 9.55
    assert row["p95"] == 9.55
    assert row["expected"] == 12 and row["completeness"] == round(10 / 12, 4)
    assert row["period_start"] == "2026-01-10T08:00:00+01:00"


def test_counts_sum_and_duplicates_out_of_order():
    times = ["2026-05-02T10:15:00Z", "2026-05-02T10:00:00Z", "2026-05-02T10:15:00Z",
             "2026-05-02T10:30:00Z", "2026-05-02T10:45:00Z"]
    # The duplicate 10:15 carries a correction (7 → 8): the last one received wins.
    out = _agg(times, [7, 5, 8, 2, None], Kind.COUNT, "hour", interval=900)
    row = out.iloc[0]
    assert (row["sum"], row["n"], row["expected"], row["completeness"]) == (15, 3, 4, 0.75)


def test_result_strings_and_nulls():
    out = _agg(["2026-05-02T10:00:00Z", "2026-05-02T10:15:00Z", "2026-05-02T10:30:00Z"],
               ["7", None, "n/a"], Kind.COUNT, "hour", interval=900)
    assert out.iloc[0]["sum"] == 7 and out.iloc[0]["n"] == 1


def test_state_share_of_time_on():
    # On at 20:00, off at 20:45 (local, winter), reported every 15 min: 75 % on.
    times = ["2026-01-10T20:00:00+01:00", "2026-01-10T20:15:00+01:00",
             "2026-01-10T20:30:00+01:00", "2026-01-10T20:45:00+01:00"]
    row = _agg(times, [1, 1, 1, 0], Kind.STATE, "hour", interval=900).iloc[0]
    assert row["share_on"] == 0.75


def test_state_spanning_periods_weights_by_time():
    # Switched on at 20:30 and reported only on change: 20:30 → 23:10 on (hold
    # capped at 4 h), 23:10 off. Hour 20h: on half of the known time… the known
    # time is 30 min, all on → 1.0; hour 21h → 1.0; hour 23h: 10 min on of 60.
    times = ["2026-01-10T20:30:00+01:00", "2026-01-10T23:10:00+01:00"]
    out = _agg(times, [1, 0], Kind.STATE, "hour", interval=4 * 3600)
    shares = dict(zip(out["period_start"], out["share_on"], strict=True))
    assert shares["2026-01-10T20:00:00+01:00"] == 1.0
    assert shares["2026-01-10T23:00:00+01:00"] == round(10 / 60, 4)


def test_dst_spring_day_has_23_hours():
    # 29 March 2026: clocks go from 02:00 to 03:00 in Paris. One observation
    # every hour of that local day: 23 of them, expected 23, complete.
    utc = pd.date_range("2026-03-28T23:00:00Z", "2026-03-29T21:00:00Z", freq="h")
    out = _agg([t.isoformat() for t in utc], [1.0] * len(utc), Kind.COUNT, "day",
               interval=3600)
    assert len(out) == 1
    row = out.iloc[0]
    assert row["period_start"] == "2026-03-29T00:00:00+01:00"
    assert row["period_end"] == "2026-03-30T00:00:00+02:00"
    assert (row["n"], row["expected"], row["completeness"], row["sum"]) == (23, 23, 1.0, 23)


def test_dst_autumn_day_has_25_hours_and_two_2am_hours():
    utc = pd.date_range("2026-10-24T22:00:00Z", "2026-10-25T23:00:00Z", freq="h",
                        inclusive="left")
    assert len(utc) == 25
    times = [t.isoformat() for t in utc]
    day = _agg(times, [2.0] * 25, Kind.COUNT, "day", interval=3600).iloc[0]
    assert (day["n"], day["expected"], day["sum"]) == (25, 25, 50)
    hours = _agg(times, [2.0] * 25, Kind.COUNT, "hour", interval=3600)
    assert "2026-10-25T02:00:00+02:00" in set(hours["period_start"])
    assert "2026-10-25T02:00:00+01:00" in set(hours["period_start"])
    assert len(hours) == 25


def test_same_input_same_output_bytes():
    times = [f"2026-02-01T{h:02d}:{m:02d}:00Z" for h in range(24) for m in (0, 20, 40)]
    values = [50 + (i * 7919 % 23) / 3 for i in range(len(times))]
    first = _agg(times, values, Kind.SOUND, "day", interval=1200).to_csv()
    second = _agg(list(reversed(times)), list(reversed(values)), Kind.SOUND, "day",
                  interval=1200).to_csv()
    assert first == second
