"""Freshness against the declared frequency's maximum age."""

from __future__ import annotations

from datetime import datetime, timezone

from metropole_core.freshness import freshness

HOURLY = "http://publications.europa.eu/resource/authority/frequency/HOURLY"
NOW = datetime(2026, 3, 30, 12, 0, tzinfo=timezone.utc)


def test_hourly_data_is_late_after_three_hours():
    fresh = freshness({"frequency": HOURLY, "latest_observation": "2026-03-30T10:00:00Z"}, NOW)
    late = freshness({"frequency": HOURLY, "latest_observation": "2026-03-30T08:30:00Z"}, NOW)
    assert fresh and not fresh.late
    assert late and late.late and late.age.total_seconds() == 3.5 * 3600


def test_extras_and_static_data():
    package = {"extras": [{"key": "frequency", "value": HOURLY},
                          {"key": "latest_observation", "value": "2026-03-29T00:00:00Z"}]}
    assert freshness(package, NOW).late
    assert freshness({"frequency": HOURLY}, NOW) is None
    never = "http://publications.europa.eu/resource/authority/frequency/NEVER"
    assert freshness({"frequency": never, "latest_observation": "2020-01-01T00:00:00Z"},
                     NOW) is None
