"""ISO 8601 durations as the configurations and vocabularies write them."""

from __future__ import annotations

import re
from datetime import timedelta

_DURATION = re.compile(r"^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$")


def parse_duration(text: str) -> timedelta:
    """ISO 8601 durations in days/hours/minutes/seconds (P14D, PT2H, P1DT6H)."""
    match = _DURATION.match(text or "")
    if not match or not any(match.groups()):
        raise ValueError(f"'{text}' is not an ISO 8601 duration such as PT2H or P14D")
    days, hours, minutes, seconds = (int(g or 0) for g in match.groups())
    return timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)


def interval_seconds(text: str | None) -> float | None:
    """A sensor's declared sampling interval (PT15M, PT1H) in seconds; None
    when it is not an ISO 8601 duration (servers write free text there)."""
    try:
        return parse_duration(text or "").total_seconds()
    except ValueError:
        return None
