"""Freshness: is a dataset's latest observation older than its frequency allows?

The catalogue's frequency vocabulary (``schemas/vocabularies/frequencies.yaml``)
gives each frequency a ``max_age`` (HOURLY: PT3H, DAILY: P2D…). Harvesters
record ``latest_observation``; templates (or an API consumer) call
:func:`freshness` to show "données en retard" when it is too old.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import cache
from typing import Any

from .durations import parse_duration
from .fields import field_of
from .vocabularies import frequencies


@cache
def max_ages() -> dict[str, timedelta]:
    """Frequency URI → how old the latest data may be."""
    return {uri: parse_duration(frequency.max_age)
            for uri, frequency in frequencies().items() if frequency.max_age}


@dataclass(frozen=True)
class Freshness:
    latest: datetime | None
    max_age: timedelta | None
    late: bool
    age: timedelta | None


def freshness(package: dict[str, Any], now: datetime | None = None) -> Freshness | None:
    """None for datasets without a latest observation or a frequency with a
    maximum age (static data is never late)."""
    latest_text = field_of(package, "latest_observation")
    max_age = max_ages().get(field_of(package, "frequency") or "")
    if not latest_text or max_age is None:
        return None
    latest = datetime.fromisoformat(str(latest_text).replace("Z", "+00:00"))
    if latest.tzinfo is None:
        latest = latest.replace(tzinfo=timezone.utc)
    age = (now or datetime.now(timezone.utc)) - latest
    return Freshness(latest, max_age, age > max_age, age)
