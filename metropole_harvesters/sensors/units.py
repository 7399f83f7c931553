"""Units and phenomena: what a stream measures, in which unit it is published.

Servers declare units inconsistently — UCUM codes, UN/CEFACT codes (NGSI
``unitCode``: CEL, MTR, 2N…), plain symbols ("C" for °C at BGS, ``null`` for
counts at Hamburg) or nothing at all (Smart Data Models' LAeq is implicitly
dB(A), fillingLevel is a 0..1 ratio). We map them to one published symbol and
a scale factor, and we never convert silently between units we don't know:
an unknown unit is published as declared.
"""

from __future__ import annotations

import re
import unicodedata

from metropole_core.phenomena import PHENOMENA, Kind, Phenomenon

# Declared unit (lower-cased, spaces removed) → (published symbol, scale).
_UNITS: dict[str, tuple[str, float]] = {
    # temperature
    "°c": ("°C", 1.0), "c": ("°C", 1.0), "degc": ("°C", 1.0), "cel": ("°C", 1.0),
    "celsius": ("°C", 1.0), "degreecelsius": ("°C", 1.0),
    # length (water levels)
    "m": ("m", 1.0), "mtr": ("m", 1.0), "metre": ("m", 1.0), "meter": ("m", 1.0),
    "cm": ("m", 0.01), "cmt": ("m", 0.01), "mm": ("m", 0.001), "mmt": ("m", 0.001),
    # sound
    "db": ("dB(A)", 1.0), "db(a)": ("dB(A)", 1.0), "dba": ("dB(A)", 1.0),
    "2n": ("dB(A)", 1.0), "db[a]": ("dB(A)", 1.0),
    # ratios
    "%": ("%", 1.0), "p1": ("%", 1.0), "percent": ("%", 1.0),
    # conductivity
    "us/cm": ("µS/cm", 1.0), "µs/cm": ("µS/cm", 1.0), "us.cm-1": ("µS/cm", 1.0),
    "ms/cm": ("µS/cm", 1000.0), "g42": ("µS/cm", 1.0),
    # turbidity
    "ntu": ("NTU", 1.0), "fnu": ("FNU", 1.0),
    # power / energy
    "w": ("W", 1.0), "wtt": ("W", 1.0), "kw": ("W", 1000.0), "kwt": ("W", 1000.0),
    "kwh": ("kWh", 1.0), "kwh/h": ("kW", 1.0),
    # counts
    "count": ("1", 1.0), "{count}": ("1", 1.0), "1": ("1", 1.0), "c62": ("1", 1.0),
    "vélos": ("1", 1.0), "velos": ("1", 1.0), "bikes": ("1", 1.0),
}

# Keyword patterns on a stream's names (datastream name, observed property,
# NGSI attribute and entity type), first match wins. Order matters: water
# temperature before air temperature.
_RULES: list[tuple[str, str]] = [
    (r"laeq|lamax|\blas\b|noise|bruit|sonore|sound|\bdb\b", "bruit"),
    (r"pi[ée]ton|pedestrian", "comptage-pietons"),
    (r"v[ée]lo|bike|bicycle|fahrr|radz|intensity|ecocounter", "comptage-velo"),
    (r"filling|remplissage|fill", "remplissage"),
    (r"powerstate|[ée]clairage.*[ée]tat|streetlight.*state|on/off|allum", "eclairage-etat"),
    (r"powerconsumption|puissance|power", "eclairage-puissance"),
    (r"waterlevel|water level|hauteur|niveau d'eau|water_level|level", "hauteur-eau"),
    (r"conductiv", "conductivite"),
    (r"turbid", "turbidite"),
    (r"water.*temp|temp.*eau|eau.*temp|watertemperature", "temperature-eau"),
    (r"temp", "temperature-air"),
]


def normalise_unit(declared: str | None) -> tuple[str | None, float]:
    """(published symbol, scale) for a declared unit; unknown units pass
    through unchanged with scale 1 (published as declared, not guessed)."""
    if declared is None or not str(declared).strip():
        return None, 1.0
    key = re.sub(r"\s+", "", str(declared)).lower()
    if key in _UNITS:
        return _UNITS[key]
    return str(declared).strip(), 1.0


def infer_phenomenon(*names: str | None) -> Phenomenon | None:
    text = " ".join(n for n in names if n).lower()
    for pattern, key in _RULES:
        if re.search(pattern, text):
            return PHENOMENA[key]
    return None


def generic_phenomenon(name: str, unit: str | None) -> Phenomenon:
    """A level phenomenon for streams no rule recognises: still published,
    under its own name, rather than dropped."""
    return Phenomenon(slugify(name)[:40] or "mesure", name, Kind.LEVEL, unit or "",
                      ("environnement",), name)


def slugify(text: str) -> str:
    """ASCII slug for CKAN names (no CKAN import: this module is pure)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def resolve(names: tuple[str | None, ...], declared_unit: str | None,
            override: dict | None = None) -> tuple[Phenomenon, str, float]:
    """Phenomenon, published unit and scale of a stream.

    ``override`` (per-stream config) may force ``phenomenon``, ``unit`` and
    ``scale``. Implicit units: a fill level without unit, or declared as a
    ratio, is 0..1 (Smart Data Models) and is published in % (×100)."""
    override = override or {}
    phenomenon = PHENOMENA.get(override.get("phenomenon", "")) or infer_phenomenon(*names)
    unit, scale = normalise_unit(override.get("unit", declared_unit))
    if phenomenon is None:
        phenomenon = generic_phenomenon(next((n for n in names if n), "mesure"), unit)
    if unit is None:
        unit = phenomenon.unit
        if phenomenon.key == "remplissage":
            unit, scale = "%", 100.0
    elif phenomenon.key == "remplissage" and unit in ("1", "ratio"):
        unit, scale = "%", 100.0
    if "scale" in override:
        scale = float(override["scale"])
    return phenomenon, unit, scale
