"""Harvested metadata → the catalogue schema's fields: frequency,
resolution and the communes a harvest covers.

How the fields travel on a dataset (top-level with scheming, extras without)
is the core's field mapping (:mod:`metropole_core.fields`).
"""

from __future__ import annotations

from collections.abc import Iterable

from metropole_core.commune_registry import communes_for_points
from metropole_core.fields import field_of, to_package_fields

# The harvest stages name the core's field mapping through this module.
__all__ = ["communes_for", "field_of", "frequency_uri", "to_package_fields"]

FREQUENCY_BASE = "http://publications.europa.eu/resource/authority/frequency/"
FREQUENCIES = {"hour": "HOURLY", "day": "DAILY"}
RESOLUTIONS = {"hour": "PT1H", "day": "P1D"}


def communes_for(points: Iterable[tuple[float, float]], default: list[str]) -> list[str]:
    """INSEE codes of the communes containing the points; the source's
    configured communes when none is found (commune shapes not loaded yet, or
    points outside every commune). A database fault is not a fallback: it
    fails the harvest object, with its message in the job's report."""
    points = [p for p in points if None not in p]
    found = communes_for_points(points) if points else []
    return sorted(set(found)) or sorted(set(default))


def frequency_uri(periods: Iterable[str]) -> str:
    finest = "hour" if "hour" in periods else "day"
    return FREQUENCY_BASE + FREQUENCIES[finest]
