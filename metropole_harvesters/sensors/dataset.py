"""What a sensor dataset looks like: grouping, names, data dictionary, GeoJSON.

By default one dataset per phenomenon across a source's sensors ("Niveau
sonore — capteurs de la métropole"); with ``group_by: site`` one per site.
Each holds, per phenomenon and period, a DataStore table keyed on
(stream, period_start), and a GeoJSON of the sensors' locations.
"""

from __future__ import annotations

import json
from typing import Any

from metropole_core.phenomena import PERIOD_LABELS, Kind, Phenomenon

from ..pipeline.metadata import RESOLUTIONS
from .aggregate import MEASURE_COLUMNS
from .model import Stream
from .units import slugify

PRIMARY_KEY = ["stream", "period_start"]

_COMMON_FIELDS = [
    ("stream", "text", "Série", "Identifiant de la série (datastream ou entité/attribut)"),
    ("period_start", "timestamptz", "Début de période",
     "Début de la période, heure de Paris (les jours de changement d'heure durent 23 ou 25 h)"),
    ("period_end", "timestamptz", "Fin de période", "Fin de la période (exclue)"),
    ("period_local", "text", "Période (heure de Paris)",
     "Début de la période en heure de Paris avec son décalage, ex. 2026-03-29T00:00:00+01:00"),
    ("unit", "text", "Unité", "Unité des valeurs (symbole UCUM ou usuel)"),
    ("n", "int", "Observations reçues", "Nombre d'observations reçues dans la période"),
    ("expected", "int", "Observations attendues",
     "Nombre d'observations attendues d'après le pas de mesure du capteur"),
    ("completeness", "float8", "Complétude",
     "Observations reçues ÷ attendues (0 à 1) : les trous de données sont visibles"),
]

_MEASURE_FIELDS: dict[str, tuple[str, str]] = {
    "mean": ("Moyenne", "Moyenne arithmétique des observations"),
    "min": ("Minimum", "Plus petite observation"),
    "max": ("Maximum", "Plus grande observation"),
    "p95": ("95e centile", "95e centile des observations (interpolation linéaire)"),
    "laeq": ("LAeq (moyenne énergétique)",
             "Moyenne énergétique 10·log10(moyenne(10^(L/10))), jamais la moyenne arithmétique"),
    "sum": ("Total", "Somme des comptages de la période"),
    "share_on": ("Part du temps allumé",
                 "Part du temps où l'état est « allumé » (0 à 1), pondérée par la durée"),
}


def group_key(stream: Stream, group_by: str) -> str:
    if group_by == "site":
        return f"site-{slugify(stream.site or stream.name)}"[:60]
    return stream.phenomenon.key


def group_title(streams: list[Stream], group_by: str, suffix: str) -> str:
    if group_by == "site":
        return f"Capteurs — {streams[0].site or streams[0].name}"
    return f"{streams[0].phenomenon.title} — {suffix}"


def table_name(phenomenon: Phenomenon, period: str) -> str:
    return f"{phenomenon.title} — {PERIOD_LABELS[period]}"


def table_fields(phenomenon: Phenomenon, unit: str) -> list[dict[str, Any]]:
    """DataStore fields with their data dictionary (label, notes, unit)."""
    fields = [{"id": i, "type": t, "info": {"label": label, "notes": notes}}
              for i, t, label, notes in _COMMON_FIELDS]
    for column in MEASURE_COLUMNS[phenomenon.kind]:
        label, notes = _MEASURE_FIELDS[column]
        measure_unit = "1" if column == "share_on" else unit
        fields.append({"id": column, "type": "float8",
                       "info": {"label": f"{label} ({measure_unit})",
                                "notes": f"{notes}. {phenomenon.description}. "
                                         f"Unité : {measure_unit}."}})
    return fields


def notes(streams: list[Stream], periods: tuple[str, ...], source_url: str) -> str:
    kinds = {s.phenomenon.kind for s in streams}
    how = {
        Kind.LEVEL: "nombre, moyenne, minimum, maximum et 95e centile",
        Kind.SOUND: "moyenne énergétique (LAeq), minimum et maximum",
        Kind.COUNT: "total des comptages",
        Kind.STATE: "part du temps allumé",
    }
    lines = [
        f"Mesures de {len(streams)} capteur(s), moissonnées depuis {source_url} et "
        "agrégées par " + " et par ".join({"hour": "heure", "day": "jour"}[p] for p in periods)
        + " (heure de Paris).",
        "",
        "Agrégats : " + " ; ".join(how[k] for k in sorted(kinds, key=lambda k: k.value)) + ".",
        "Chaque période indique sa complétude (observations reçues ÷ attendues).",
        "Les unités sont normalisées ; un changement d'unité en cours de série est signalé "
        "et publié comme une nouvelle série.",
    ]
    return "\n".join(lines)


def sensors_geojson(streams: list[Stream]) -> bytes:
    features = [{
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [s.lon, s.lat]},
        "properties": {"stream": s.id, "name": s.name, "site": s.site,
                       "phenomenon": s.phenomenon.title, "unit": s.unit,
                       "source_unit": s.source_unit},
    } for s in sorted(streams, key=lambda s: s.id) if s.lon is not None and s.lat is not None]
    return json.dumps({"type": "FeatureCollection", "features": features},
                      ensure_ascii=False, sort_keys=True, indent=1).encode()


def extent(streams: list[Stream]) -> str | None:
    """GeoJSON geometry of the sensors' extent (a point, or a bbox polygon)."""
    points = sorted({(s.lon, s.lat) for s in streams if s.lon is not None and s.lat is not None})
    if not points:
        return None
    if len(points) == 1:
        return json.dumps({"type": "Point", "coordinates": list(points[0])})
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    w, e, s, n = min(lons), max(lons), min(lats), max(lats)
    if w == e or s == n:   # a degenerate box is not a valid polygon: pad it a little
        w, e, s, n = w - 0.001, e + 0.001, s - 0.001, n + 0.001
    return json.dumps({"type": "Polygon",
                       "coordinates": [[[w, s], [e, s], [e, n], [w, n], [w, s]]]})


def resolution(periods: tuple[str, ...]) -> str:
    return RESOLUTIONS["hour" if "hour" in periods else "day"]
