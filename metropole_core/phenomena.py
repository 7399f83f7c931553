"""Sensor phenomena and the names of what the sensor harvester publishes.

The harvester names a sensor dataset's resources after these (``<phenomenon
title> — agrégats horaires``, ``Capteurs (GeoJSON)``) and the charts find the
tables again by the same names: one declaration for both.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Kind(str, Enum):
    """How a measure aggregates (issue 5, "aggregation right for each kind")."""

    LEVEL = "level"   # water level, fill rate, temperature… → count/mean/min/max/p95
    SOUND = "sound"   # dB → energetic mean, never the arithmetic one
    COUNT = "count"   # bikes, pedestrians → sum
    STATE = "state"   # on/off → share of time on


@dataclass(frozen=True)
class Phenomenon:
    """A measured phenomenon as users look for it: one dataset per phenomenon
    across a source's sensors by default."""

    key: str             # slug, part of dataset names: "bruit", "comptage-velo"
    title: str           # French title of the dataset
    kind: Kind
    unit: str            # unit published (after normalisation)
    themes: tuple[str, ...]
    description: str = ""


PHENOMENA: dict[str, Phenomenon] = {p.key: p for p in [
    Phenomenon("bruit", "Niveau sonore", Kind.SOUND, "dB(A)", ("bruit",),
               "Niveau sonore équivalent pondéré A (LAeq)"),
    Phenomenon("comptage-velo", "Comptages vélo", Kind.COUNT, "1", ("velo-pietons",),
               "Nombre de passages de vélos"),
    Phenomenon("comptage-pietons", "Comptages piétons", Kind.COUNT, "1", ("velo-pietons",),
               "Nombre de passages de piétons"),
    Phenomenon("hauteur-eau", "Hauteur d'eau", Kind.LEVEL, "m", ("eau",),
               "Hauteur d'eau du cours d'eau"),
    Phenomenon("temperature-eau", "Température de l'eau", Kind.LEVEL, "°C", ("eau",),
               "Température de l'eau"),
    Phenomenon("conductivite", "Conductivité de l'eau", Kind.LEVEL, "µS/cm", ("eau",),
               "Conductivité électrique de l'eau"),
    Phenomenon("turbidite", "Turbidité de l'eau", Kind.LEVEL, "NTU", ("eau",),
               "Turbidité de l'eau"),
    Phenomenon("remplissage", "Taux de remplissage des conteneurs", Kind.LEVEL, "%",
               ("dechets",), "Taux de remplissage des points d'apport volontaire"),
    Phenomenon("eclairage-etat", "État de l'éclairage public", Kind.STATE, "1",
               ("eclairage",), "Allumé (1) ou éteint (0)"),
    Phenomenon("eclairage-puissance", "Puissance de l'éclairage public", Kind.LEVEL, "W",
               ("eclairage",), "Puissance électrique consommée"),
    Phenomenon("temperature-air", "Température de l'air", Kind.LEVEL, "°C",
               ("environnement",), "Température de l'air"),
]}

# Resource names of a sensor dataset: one aggregate table per phenomenon and
# period, and the sensors' positions.
PERIOD_LABELS = {"hour": "agrégats horaires", "day": "agrégats journaliers"}
SENSORS_RESOURCE = "Capteurs (GeoJSON)"
