"""Configuration keys of the GIS harvesters (``wfs``, ``ogcapi-features``,
``arcgis-rest``), on top of the common ones (``pipeline/config.py``):

``include`` and ``exclude`` (glob patterns on layer ids, names or titles),
``organization`` (the organisation the layers belong to, default the
source's), ``filter`` (attribute equalities ``{"nature": "piste"}``, sent
as FES, query parameters or an ArcGIS where clause), ``sort_by`` (WFS),
``output_crs`` (only WGS84: RFC 7946 GeoJSON) and ``withdraw_after``
(consecutive absences before a vanished layer's dataset is made private).
"""

from __future__ import annotations

from typing import Any

from ..pipeline import config as cfg


def patterns(value: Any) -> str | None:
    ok = isinstance(value, list) and value and all(isinstance(v, str) and v for v in value)
    return None if ok else "must be a list of glob patterns such as [\"voirie:*\"]"


def equalities(value: Any) -> str | None:
    ok = isinstance(value, dict) and value and all(
        isinstance(k, str) and isinstance(v, str | int | float) for k, v in value.items())
    return None if ok else "must be an object {\"attribute\": value, …}"


RULES: dict[str, cfg.Rule] = {
    **cfg.COMMON,
    "include": patterns, "exclude": patterns, "organization": cfg.text, "filter": equalities,
    "sort_by": cfg.text, "output_crs": cfg.one_of("EPSG:4326", "OGC:CRS84", "WGS84"),
    "withdraw_after": cfg.integer(1, 100),
}
