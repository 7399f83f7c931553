"""Dataset extents as map features: the search results map draws one box per
dataset of the page (its own geometry's bounds, else its communes')."""

from __future__ import annotations

import json
from typing import Any

import ckan.plugins.toolkit as toolkit
from shapely.geometry import box, mapping, shape

from metropole_core import commune_registry as registry

Bounds = tuple[float, float, float, float]


def _communes(pkg: dict[str, Any]) -> list[str]:
    codes = pkg.get("communes") or []
    if isinstance(codes, str):
        try:
            codes = json.loads(codes) if codes.startswith("[") else [codes]
        except ValueError:
            codes = [codes]
    return [str(code) for code in codes]


def _merge(bounds: list[Bounds]) -> Bounds | None:
    if not bounds:
        return None
    return (min(b[0] for b in bounds), min(b[1] for b in bounds),
            max(b[2] for b in bounds), max(b[3] for b in bounds))


def dataset_bounds(pkg: dict[str, Any]) -> Bounds | None:
    """Bounds of a dataset's own geometry, else of its communes (the same
    extent the search index uses for ``ext_bbox``). Bounds of each commune,
    not the union of their outlines: a box is all the results map draws."""
    if pkg.get("spatial"):
        try:
            return tuple(shape(json.loads(pkg["spatial"])).bounds)  # type: ignore[return-value]
        except (ValueError, TypeError, AttributeError, KeyError):
            return None
    codes = _communes(pkg)
    known = registry.communes()
    chosen = registry.metropole_communes() if registry.WHOLE_METROPOLE in codes else [
        known[c] for c in codes if c in known]
    return _merge([c.shape.bounds for c in chosen if c.shape is not None])


def results_features(packages: list[dict[str, Any]]) -> dict[str, Any]:
    """A GeoJSON FeatureCollection of the results' extents, with each
    dataset's title and page URL for the map's popups."""
    features = []
    for pkg in packages:
        bounds = dataset_bounds(pkg)
        if bounds is None:
            continue
        features.append({
            "type": "Feature",
            "geometry": mapping(box(*bounds)),
            "properties": {
                "title": pkg.get("title") or pkg.get("name"),
                "url": toolkit.url_for("dataset.read", id=pkg.get("name") or pkg["id"]),
            },
        })
    return {"type": "FeatureCollection", "features": features}


def metropole_default_extent() -> list[list[float]] | None:
    """The map search widget's initial view, as Leaflet bounds
    ``[[south, west], [north, east]]``: the portal's metropole, not the world."""
    bounds = _merge([c.shape.bounds for c in registry.metropole_communes()
                     if c.shape is not None])
    if bounds is None:
        return None
    west, south, east, north = (round(value, 4) for value in bounds)
    return [[south, west], [north, east]]
