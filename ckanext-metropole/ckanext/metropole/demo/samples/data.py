"""Realistic, deterministic sensor data for Marseille and Aix.

Values are a pure function of (sensor, time), so any page of any range can
be produced on demand without storing anything — the benchmark serves a
million observations this way — and a re-run sees exactly the same data.
Observations exist at ``start + k·interval`` up to the clock's "now", so a
running demo gains new observations every interval.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from metropole_core.paris_time import PARIS

UTC = timezone.utc


@dataclass
class Sensor:
    """One sensor and one measured series."""

    id: int
    name: str
    site: str
    kind: str          # noise | bikes | water | fill | light | power
    lon: float
    lat: float
    interval: int      # seconds between observations
    unit_name: str
    unit_symbol: str | None
    unit_definition: str
    observed_property: str
    extra: dict = field(default_factory=dict)
    # [start, end) epoch ranges when the sensor sends null (an outage):
    # aggregates get a gap there, and a range open to the future makes a late sensor.
    silent: tuple[tuple[float, float], ...] = ()

    def value(self, t: float) -> float | None:
        if any(start <= t < end for start, end in self.silent):
            return None
        return VALUE_FUNCTIONS[self.kind](self, t)


def _noise(k: int, seed: int) -> float:
    """Deterministic pseudo-random in [0, 1)."""
    return ((k * 2654435761 + seed * 40503) % 1000003) / 1000003


def _local_hour(t: float) -> float:
    local = datetime.fromtimestamp(t, PARIS)
    return local.hour + local.minute / 60


def _noise_db(s: Sensor, t: float) -> float:
    h = _local_hour(t)
    traffic = 0.5 - 0.5 * math.cos((h - 3) / 24 * 2 * math.pi)   # quiet at 3 am
    return round(48 + 22 * traffic + 6 * _noise(int(t), s.id), 1)


def _bikes(s: Sensor, t: float) -> float:
    h = _local_hour(t)
    peaks = math.exp(-((h - 8.5) ** 2) / 1.5) + math.exp(-((h - 18) ** 2) / 2)
    base = 2 + 40 * peaks + 6 * (0.5 - 0.5 * math.cos(h / 24 * 2 * math.pi))
    return float(int(base * (0.6 + 0.8 * _noise(int(t), s.id))))


def _water(s: Sensor, t: float) -> float:
    day = t / 86400
    return round(0.8 + 0.25 * math.sin(day / 3) + 0.05 * _noise(int(t), s.id), 3)


def _fill(s: Sensor, t: float) -> float:
    # Fills over ~3 days, emptied, starts again (0..1 like Smart Data Models).
    cycle = (t / 3600 + s.id * 17) % 72
    return round(min(1.0, cycle / 72 * (0.9 + 0.2 * _noise(int(t), s.id))), 3)


def _light(s: Sensor, t: float) -> float:
    h = _local_hour(t)
    return 1.0 if (h >= 18.5 or h < 7) else 0.0


def _power(s: Sensor, t: float) -> float:
    return round(_light(s, t) * (70 + 5 * _noise(int(t), s.id)), 1)


def _pedestrians(s: Sensor, t: float) -> float:
    h = _local_hour(t)
    busy = math.exp(-((h - 12.5) ** 2) / 8) + 0.6 * math.exp(-((h - 18.5) ** 2) / 3)
    return float(int((3 + 90 * busy) * (0.7 + 0.6 * _noise(int(t), s.id))))


def _water_temperature(s: Sensor, t: float) -> float:
    day = t / 86400
    return round(13.5 + 2.5 * math.sin(day / 5) + 0.8 * math.sin((_local_hour(t) - 9) / 24
                                                                  * 2 * math.pi)
                 + 0.2 * _noise(int(t), s.id), 2)


def _conductivity(s: Sensor, t: float) -> float:
    return round(640 + 60 * math.sin(t / 86400 / 4) + 25 * _noise(int(t), s.id), 1)


def _turbidity(s: Sensor, t: float) -> float:
    return round(2.5 + 1.5 * _noise(int(t), s.id) + 6 * max(0.0, math.sin(t / 86400 / 2)) ** 8,
                 2)


def _bench(s: Sensor, t: float) -> float:
    return round(10 + 5 * _noise(int(t), s.id), 3)


VALUE_FUNCTIONS: dict[str, Callable[[Sensor, float], float]] = {
    "noise": _noise_db, "bikes": _bikes, "water": _water, "fill": _fill,
    "light": _light, "power": _power, "bench": _bench, "pedestrians": _pedestrians,
    "water_temp": _water_temperature, "conductivity": _conductivity, "turbidity": _turbidity,
}

UNITS = {
    "noise": ("décibel pondéré A", "dB(A)", "http://unitsofmeasure.org/ucum.html#para-30",
              "Niveau sonore LAeq"),
    "bikes": ("vélos", None, "http://unitsofmeasure.org/ucum.html#para-49", "Comptage vélos"),
    "water": ("mètre", "m", "http://unitsofmeasure.org/ucum.html#para-30", "Hauteur d'eau"),
    "fill": ("ratio", "1", "http://unitsofmeasure.org/ucum.html#para-49", "Taux de remplissage"),
    "light": ("état", None, "", "État de l'éclairage (on/off)"),
    "power": ("watt", "W", "http://unitsofmeasure.org/ucum.html#para-30",
              "Puissance éclairage"),
    "bench": ("mètre", "m", "http://unitsofmeasure.org/ucum.html#para-30", "Hauteur d'eau"),
    "pedestrians": ("piétons", None, "http://unitsofmeasure.org/ucum.html#para-49",
                    "Comptage piétons"),
    "water_temp": ("degré Celsius", "°C", "http://unitsofmeasure.org/ucum.html#para-30",
                   "Température de l'eau"),
    "conductivity": ("microsiemens par centimètre", "uS/cm",
                     "http://unitsofmeasure.org/ucum.html#para-30", "Conductivité de l'eau"),
    "turbidity": ("unité de turbidité néphélométrique", "NTU", "", "Turbidité de l'eau"),
}


def sensor(id: int, name: str, site: str, kind: str, lon: float, lat: float,
           interval: int) -> Sensor:
    unit_name, symbol, definition, prop = UNITS[kind]
    return Sensor(id, name, site, kind, lon, lat, interval, unit_name, symbol, definition, prop)


def demo_sensors() -> list[Sensor]:
    """The demo's sensors, at real places in Marseille, Aix and Aubagne."""
    return [
        sensor(1, "Sonomètre Vieux-Port", "Vieux-Port", "noise", 5.3698, 43.2951, 900),
        sensor(2, "Sonomètre Cours Julien", "Cours Julien", "noise", 5.3835, 43.2935, 900),
        sensor(3, "Sonomètre La Joliette", "La Joliette", "noise", 5.3664, 43.3048, 900),
        sensor(4, "Sonomètre Cours Mirabeau", "Cours Mirabeau (Aix)", "noise",
               5.4474, 43.5263, 900),
        sensor(11, "Compteur vélo Prado", "Avenue du Prado", "bikes", 5.3889, 43.2746, 900),
        sensor(12, "Compteur vélo Canebière", "La Canebière", "bikes", 5.3810, 43.2976, 900),
        sensor(13, "Compteur vélo Aix Rotonde", "La Rotonde (Aix)", "bikes",
               5.4436, 43.5260, 900),
        sensor(21, "Hauteur Huveaune Aubagne", "Huveaune à Aubagne", "water",
               5.5706, 43.2928, 900),
        sensor(22, "Hauteur Arc Aix", "Arc à Aix-en-Provence", "water", 5.4410, 43.5160, 900),
        sensor(31, "Lampadaire Vieux-Port 12", "Quai du Port", "light", 5.3710, 43.2960, 900),
        sensor(32, "Lampadaire Cours Mirabeau 4", "Cours Mirabeau (Aix)", "light",
               5.4480, 43.5265, 900),
    ]


def demo_containers() -> list[Sensor]:
    """Voluntary drop-off containers (NGSI WasteContainer, fillingLevel 0..1)."""
    return [
        sensor(101, "PAV verre Castellane", "Castellane", "fill", 5.3838, 43.2860, 3600),
        sensor(102, "PAV verre Belsunce", "Belsunce", "fill", 5.3772, 43.2995, 3600),
        sensor(103, "PAV emballages Aix Pasteur", "Aix Pasteur", "fill", 5.4455, 43.5310, 3600),
    ]


def demo_more_sensors(now: float) -> list[Sensor]:
    """The demo's other themes, so that every dashboard has sensors: water
    quality, pedestrian counts, street-light power. Two of them show what
    goes wrong in real life: a pedestrian counter that stopped 6 hours
    before the server started (a late sensor) and a turbidity probe with a
    4-hour outage the day before (a gap in its series)."""
    stopped = sensor(42, "Compteur piétons République", "Rue de la République", "pedestrians",
                     5.3701, 43.3002, 900)
    stopped.silent = ((now - 6 * 3600, float("inf")),)
    outage = sensor(53, "Sonde turbidité Arc Aix", "Arc à Aix-en-Provence", "turbidity",
                    5.4415, 43.5158, 900)
    outage.silent = ((now - 30 * 3600, now - 26 * 3600),)
    return [
        sensor(41, "Compteur piétons Vieux-Port", "Quai des Belges", "pedestrians",
               5.3741, 43.2951, 900),
        stopped,
        sensor(51, "Sonde température Huveaune Aubagne", "Huveaune à Aubagne", "water_temp",
               5.5702, 43.2925, 900),
        sensor(52, "Sonde conductivité Huveaune Aubagne", "Huveaune à Aubagne", "conductivity",
               5.5704, 43.2926, 900),
        outage,
        sensor(33, "Lampadaire Vieux-Port 12 (puissance)", "Quai du Port", "power",
               5.3711, 43.2961, 900),
        sensor(34, "Lampadaire Cours Mirabeau 4 (puissance)", "Cours Mirabeau (Aix)", "power",
               5.4481, 43.5266, 900),
    ]


def benchmark_sensors(count: int = 200, interval: int = 300) -> list[Sensor]:
    return [sensor(1000 + i, f"Capteur {i:03d}", f"Site {i % 40:02d}", "bench",
                   5.30 + (i % 20) * 0.01, 43.25 + (i // 20) * 0.01, interval)
            for i in range(count)]


class Clock:
    """The server's "now": real time for the demo, fixed in tests."""

    def __init__(self, now: datetime | None = None) -> None:
        self.fixed = now

    def now(self) -> float:
        return self.fixed.timestamp() if self.fixed else time.time()

    def set(self, now: datetime) -> None:
        self.fixed = now


def default_start(now: float, days: int = 14) -> float:
    """History begins at local midnight ``days`` days ago."""
    local = datetime.fromtimestamp(now, PARIS).replace(hour=0, minute=0, second=0,
                                                       microsecond=0)
    return (local - timedelta(days=days)).timestamp()


def iso(t: float) -> str:
    """UTC ISO 8601 with Z, the way FROST writes times."""
    return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def parse_iso(text: str) -> float:
    return datetime.fromisoformat(text.strip().replace("Z", "+00:00")).timestamp()
