"""The communes known to this portal (organisations with an INSEE code), with
their shapes, for validation, choices, facets, derived extents and
point-in-polygon lookups.

Read from the database and cached for a short while per process: commune
organisations change only when `ckan metropole communes load` runs.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass

import ckan.model as model
from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry
from shapely.ops import unary_union
from shapely.strtree import STRtree

WHOLE_METROPOLE = "metropole"
CACHE_SECONDS = 60


@dataclass(frozen=True)
class KnownCommune:
    insee_code: str
    title: str
    org_name: str
    population: int
    epci_siren: str
    shape: BaseGeometry | None


class _Cache:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.loaded_at = 0.0
        self.communes: dict[str, KnownCommune] = {}
        self.tree: STRtree | None = None
        self.tree_codes: list[str] = []


_cache = _Cache()


def clear() -> None:
    with _cache.lock:
        _cache.loaded_at = 0.0


def _load() -> None:
    groups = model.Session.query(model.Group).filter(
        model.Group.is_organization.is_(True), model.Group.state == "active",
        model.Group.extras.has_key("insee_code"))
    communes = {}
    for group in groups:
        values = group.extras or {}
        code = values.get("insee_code")
        if not code or values.get("org_kind", "commune") != "commune":
            continue
        geometry = values.get("geometry")
        communes[code] = KnownCommune(
            insee_code=code, title=group.title or group.name, org_name=group.name,
            population=int(values.get("population") or 0),
            epci_siren=values.get("epci_siren", ""),
            shape=shape(json.loads(geometry)) if geometry else None,
        )
    codes = [c for c, v in communes.items() if v.shape is not None]
    _cache.communes = communes
    _cache.tree = STRtree([communes[c].shape for c in codes]) if codes else None
    _cache.tree_codes = codes
    _cache.loaded_at = time.monotonic()


def communes() -> dict[str, KnownCommune]:
    with _cache.lock:
        if time.monotonic() - _cache.loaded_at > CACHE_SECONDS:
            _load()
        return _cache.communes


def metropole_communes() -> list[KnownCommune]:
    """The communes of the portal's own EPCI (ckanext.metropole.epci); other
    communes may be known too, e.g. those of a partner territory."""
    from ckan.plugins.toolkit import config

    siren = config.get("ckanext.metropole.epci")
    return [c for c in communes().values() if c.epci_siren == siren]


def extent_of(codes: list[str]) -> BaseGeometry | None:
    """Union of the shapes of these communes (the metropole's for WHOLE_METROPOLE)."""
    known = communes()
    selected = metropole_communes() if WHOLE_METROPOLE in codes else [
        known[c] for c in codes if c in known]
    shapes = [c.shape for c in selected if c.shape is not None]
    return unary_union(shapes) if shapes else None


def communes_for_points(points: list[tuple[float, float]]) -> list[str]:
    """INSEE codes of the communes containing any of these (lon, lat) points."""
    communes()  # refresh the cache if needed
    with _cache.lock:
        tree, codes = _cache.tree, _cache.tree_codes
    if tree is None:
        return []
    found = set()
    for lon, lat in points:
        for index in tree.query(Point(lon, lat), predicate="intersects"):
            found.add(codes[int(index)])
    return sorted(found)
