"""Shaping of aggregate rows into chart series and figures (pure functions)."""

from __future__ import annotations

import math
from datetime import datetime, timezone

from ckanext.metropole.charts import series


def row(stream, start, end, local, value, measure="laeq", n=4, expected=4):
    return {"stream": stream, "period_start": start, "period_end": end,
            "period_local": local, measure: value, "n": n, "expected": expected}


def test_missing_hours_become_a_null_point_so_no_line_crosses_them():
    rows = [
        row("1", "2026-03-30T08:00:00", "2026-03-30T09:00:00", "2026-03-30T10:00:00+02:00", 60),
        row("1", "2026-03-30T09:00:00", "2026-03-30T10:00:00", "2026-03-30T11:00:00+02:00", 61),
        # 10:00 and 11:00 UTC missing
        row("1", "2026-03-30T12:00:00", "2026-03-30T13:00:00", "2026-03-30T14:00:00+02:00", 62),
    ]
    [s] = series.to_series(series.to_periods(rows, "laeq"), {"1": "Sonomètre Vieux-Port"})
    assert s.name == "Sonomètre Vieux-Port"
    assert s.x == ["2026-03-30T10:00:00", "2026-03-30T11:00:00", "2026-03-30T12:00:00",
                   "2026-03-30T14:00:00"]
    assert s.y == [60, 61, None, 62]


def test_a_23_hour_dst_day_is_not_a_gap():
    rows = [  # 28 March (24 h), 29 March (23 h: clocks go forward), 30 March
        row("1", "2026-03-27T23:00:00", "2026-03-28T23:00:00", "2026-03-28T00:00:00+01:00",
            1200, "sum"),
        row("1", "2026-03-28T23:00:00", "2026-03-29T22:00:00", "2026-03-29T00:00:00+01:00",
            1100, "sum"),
        row("1", "2026-03-29T22:00:00", "2026-03-30T22:00:00", "2026-03-30T00:00:00+02:00",
            1300, "sum"),
    ]
    [s] = series.to_series(series.to_periods(rows, "sum"), {})
    assert s.y == [1200, 1100, 1300]
    assert s.name == "1"   # no sensor name known: its stream id


def test_share_of_time_on_is_charted_in_percent():
    rows = [row("31", "2026-03-30T08:00:00", "2026-03-30T09:00:00",
                "2026-03-30T10:00:00+02:00", 0.25, "share_on")]
    assert series.to_periods(rows, "share_on")[0].value == 25.0


def test_measure_column_by_kind():
    assert series.measure_of(["stream", "laeq", "min", "max"]) == "laeq"
    assert series.measure_of(["stream", "sum"]) == "sum"
    assert series.measure_of(["stream", "mean", "min", "max", "p95"]) == "mean"
    assert series.measure_of(["stream", "unit"]) is None


def test_sound_levels_average_energetically():
    # 60 and 70 dB: energetic mean 67.4, never the arithmetic 65
    assert math.isclose(series.energetic_mean([60, 70]), 67.403, abs_tol=1e-3)
    assert series.average([60, 70], "laeq") != 65
    assert series.average([1, 3], "mean") == 2


def test_day_and_night_laeq_split_at_6_and_22_paris_time():
    rows = [row("1", f"2026-03-30T{h:02d}:00:00", f"2026-03-30T{h + 1:02d}:00:00",
                f"2026-03-30T{(h + 2) % 24:02d}:00:00+02:00", level)
            for h, level in [(3, 50), (4, 70), (19, 70), (20, 40), (21, 40)]]
    # local 05:00 → night, 06:00 → day, 21:00 → day, 22:00 and 23:00 → night
    split = series.day_night(series.to_periods(rows, "laeq"))
    day, night = split["1"]
    assert math.isclose(day, 70.0)
    assert math.isclose(night, series.energetic_mean([50, 40, 40]))


def test_summary_per_sensor_lists_silent_sensors_too():
    rows = [row("11", "2026-03-30T08:00:00", "2026-03-30T09:00:00",
                "2026-03-30T10:00:00+02:00", 40, "sum", n=3, expected=4),
            row("11", "2026-03-30T09:00:00", "2026-03-30T10:00:00",
                "2026-03-30T11:00:00+02:00", 60, "sum", n=4, expected=4)]
    names = {"11": "Compteur Prado", "12": "Compteur Canebière"}
    summaries = {s.name: s for s in series.summarise(series.to_periods(rows, "sum"), names,
                                                      "sum")}
    prado = summaries["Compteur Prado"]
    assert (prado.latest.value, prado.average, prado.minimum, prado.maximum) == (60, 50, 40, 60)
    assert prado.completeness == 7 / 8
    assert summaries["Compteur Canebière"].latest is None


def test_complete_days_leave_out_today():
    rows = [row("11", "2026-03-28T23:00:00", "2026-03-29T22:00:00",
                "2026-03-29T00:00:00+01:00", 900, "sum"),
            row("11", "2026-03-29T22:00:00", "2026-03-30T22:00:00",
                "2026-03-30T00:00:00+02:00", 300, "sum")]
    periods = series.to_periods(rows, "sum")
    done = series.complete_days(periods, datetime(2026, 3, 30, 10, tzinfo=timezone.utc))
    assert [p.value for p in done] == [900]
    assert series.per_day_total(done) == {"11": 900}
