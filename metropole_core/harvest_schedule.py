"""A harvest source's cron schedule: the ``schedule`` key of its JSON
configuration, read in Paris time.

The scheduler (``metropole_harvesters.pipeline.schedule``) starts the due
sources with it; the source page (``ckanext.metropole``) shows the next run.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from croniter import croniter

from .paris_time import PARIS


def source_cron(config_text: str | None) -> str | None:
    """The source's valid cron expression, or None (no schedule, a
    configuration that is not a JSON object, an invalid expression)."""
    try:
        config = json.loads(config_text or "{}")
    except ValueError:
        return None
    cron = config.get("schedule") if isinstance(config, dict) else None
    return cron if isinstance(cron, str) and croniter.is_valid(cron) else None


def last_fire(cron: str, now: datetime) -> datetime:
    """The latest time ≤ now the cron expression names, in Paris time (a
    "0 2 * * *" source runs at 02:00 local, winter and summer)."""
    local = now.astimezone(PARIS)
    # croniter's get_prev is strict (< start): nudge so an exact match counts.
    return croniter(cron, local + timedelta(microseconds=1)).get_prev(datetime)


def next_fire(cron: str, now: datetime) -> datetime:
    """The next time after now the cron expression names, in Paris time."""
    return croniter(cron, now.astimezone(PARIS)).get_next(datetime)
