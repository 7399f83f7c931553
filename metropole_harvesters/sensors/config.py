"""Configuration keys of the sensor harvesters (``sensorthings``, ``ngsi``),
on top of the common ones (``pipeline/config.py``):

``periods`` (``hour``, ``day``), ``lookback`` (ISO 8601 duration, late
observations), ``history`` (how far back the first run reads), ``group_by``
(``phenomenon`` or ``site``) and ``streams`` (per-stream overrides:
phenomenon, unit, scale, interval).
"""

from __future__ import annotations

from typing import Any

from ..pipeline import config as cfg
from .units import PHENOMENA


def overrides(value: Any) -> str | None:
    if not isinstance(value, dict):
        return "must be an object {stream id: {phenomenon, unit, scale, interval}}"
    for stream, override in value.items():
        if not isinstance(override, dict):
            return f"{stream}: must be an object"
        bad = set(override) - {"phenomenon", "unit", "scale", "interval"}
        if bad:
            return f"{stream}: unknown keys {', '.join(sorted(bad))}"
        if "phenomenon" in override and override["phenomenon"] not in PHENOMENA:
            return (f"{stream}: unknown phenomenon '{override['phenomenon']}' "
                    f"(known: {', '.join(sorted(PHENOMENA))})")
        if "interval" in override and cfg.duration(override["interval"]):
            return f"{stream}: interval {cfg.duration(override['interval'])}"
    return None


RULES: dict[str, cfg.Rule] = {
    **cfg.COMMON,
    "periods": cfg.list_of("hour", "day"), "lookback": cfg.duration, "history": cfg.duration,
    "group_by": cfg.one_of("phenomenon", "site"), "streams": overrides,
}
