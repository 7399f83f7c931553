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

import yaml

from .config import SCHEMAS, parse_duration
from .metadata import field_of


@cache
def max_ages() -> dict[str, timedelta]:
    """Frequency URI → how old the latest data may be."""
    data = yaml.safe_load((SCHEMAS / "vocabularies" / "frequencies.yaml").read_text())
    return {data["base"] + f["code"]: parse_duration(f["max_age"])
            for f in data["frequencies"] if f.get("max_age")}


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
