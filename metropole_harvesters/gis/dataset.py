"""What a GIS layer dataset looks like: name, metadata, resources.

One dataset per layer, named after the source and the layer's *stable* id
(so a renamed layer keeps its dataset); resources with fixed names (found
again by name on every run): the live service, the WGS84 GeoJSON snapshot,
the CSV of attributes, and preview links (WMS, tiles) when the server has
some.
"""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Any

from ..pipeline.metadata import FREQUENCY_BASE
from .geometry import Issues
from .model import BBox, Layer

SERVICE = "Service en ligne"
GEOJSON = "Instantané GeoJSON (WGS84)"
CSV = "Table attributaire (CSV)"
PREVIEW = "Aperçu cartographique"
DEFAULT_THEMES = ["reference-sig"]
DEFAULT_SCHEDULE = "30 2 * * *"     # nightly at 02:30, Paris time


def slug(text: str, limit: int = 60) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:limit] or "couche"


def dataset_name(source_name: str, layer: Layer) -> str:
    return f"{source_name}-{slug(layer.id)}"[:100].rstrip("-")


def tags(layer: Layer) -> str:
    """Service keywords as CKAN tags (letters, digits, - _ . and spaces only)."""
    cleaned = {re.sub(r"[^\w\s.-]", " ", k, flags=re.U).strip()[:100]
               for k in layer.keywords}
    return ",".join(sorted({t for t in cleaned if len(t) >= 2} | {"sig"}))


def frequency(cron: str) -> str:
    """EU frequency of a cron schedule (the harvest is at most as fresh)."""
    fields = (cron or DEFAULT_SCHEDULE).split()
    minute, hour, day, month, weekday = (fields + ["*"] * 5)[:5]
    if hour == "*" or "/" in hour or "," in hour:
        code = "HOURLY"
    elif day == "*" and weekday == "*":
        code = "DAILY"
    elif weekday != "*":
        code = "WEEKLY"
    elif month == "*":
        code = "MONTHLY"
    else:
        code = "ANNUAL"
    return FREQUENCY_BASE + code


def extent(bbox: BBox | None) -> str | None:
    """GeoJSON polygon of a WGS84 bbox, padded when degenerate (one point)."""
    if not bbox:
        return None
    w, s, e, n = bbox
    if w == e or s == n:
        w, e, s, n = w - 0.0005, e + 0.0005, s - 0.0005, n + 0.0005
    corners = [[round(x, 6), round(y, 6)] for x, y in ((w, s), (e, s), (e, n), (w, n), (w, s))]
    return json.dumps({"type": "Polygon", "coordinates": [corners]})


def notes(layer: Layer, source_url: str, count: int, crs_label: str) -> str:
    about = layer.abstract.strip() or f"Couche « {layer.title} » publiée par {source_url}."
    return "\n".join([
        about, "",
        f"Moissonné depuis le service {layer.service_format} {source_url} "
        f"(couche `{layer.name}`) : {count} entité(s), système de coordonnées source "
        f"{crs_label}.",
        "Ressources : le service en ligne, un instantané GeoJSON en WGS84 (RFC 7946, "
        "longitude/latitude) et la table attributaire en CSV, mis à jour automatiquement "
        "quand la couche change.",
    ])


def temporal(layer: Layer) -> list[dict[str, str]] | None:
    if not layer.temporal or not any(layer.temporal):
        return None
    start, end = layer.temporal
    entry = {k: v[:10] for k, v in (("start", start), ("end", end)) if v and v != ".."}
    return [entry] if entry else None


def snapshot_description(count: int, issues: Issues, warnings: list[str]) -> str:
    """The snapshot resource says what was left out or repaired, and why."""
    lines = [f"{count} entité(s), coordonnées WGS84 longitude/latitude arrondies à 1e-7°."]
    if issues.repaired:
        lines.append(f"{issues.repaired} géométrie(s) invalide(s) réparée(s) "
                     "(shapely make_valid, même dimension conservée).")
    if issues.skipped:
        lines.append(f"{issues.skipped} entité(s) écartée(s) : géométrie illisible, hors du "
                     "domaine du système de coordonnées ou non réparable.")
    if issues.no_geometry:
        lines.append(f"{issues.no_geometry} entité(s) sans géométrie (geometry null).")
    if issues.outside_extent:
        lines.append(f"{issues.outside_extent} entité(s) hors de l'emprise déclarée par le "
                     "service (conservées).")
    lines += warnings
    return "\n".join(lines)


def package_fields(layer: Layer, *, name: str, owner_org: str | None, config: dict[str, Any],
                   source_url: str, count: int, crs_label: str, communes: list[str],
                   bbox: BBox | None, title_suffix: str | None) -> dict[str, Any]:
    title = layer.title if not title_suffix else f"{layer.title} — {title_suffix}"
    fields: dict[str, Any] = {
        "name": name, "title": title,
        "notes": notes(layer, source_url, count, crs_label),
        "owner_org": owner_org, "tag_string": tags(layer),
        "themes": sorted(config.get("themes") or DEFAULT_THEMES),
        "license_id": config.get("license_id", "etalab-2.0"),
        "access_level": "open", "personal_data": "none", "private": False,
        "communes": communes,
        "spatial": extent(layer.bbox or bbox),
        "temporal_coverage": temporal(layer),
        "frequency": frequency(config.get("schedule", DEFAULT_SCHEDULE)),
        "provenance": f"Moissonné automatiquement depuis {source_url} "
                      f"({layer.service_format}, couche {layer.name}).",
    }
    return {k: v for k, v in fields.items() if v is not None}
