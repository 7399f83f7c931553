"""The identifiers the metropolitan DCAT profile publishes and recognises.

Kept apart from the profile so the import mapping reads the same table the
export writes: a URI we publish is always one we can read back.
"""

from __future__ import annotations

import re

from metropole_core import vocabularies

INSEE_COMMUNE = "http://id.insee.fr/geo/commune/"
# INSEE's identifier for an EPCI (intercommunalité), named by its SIREN.
INSEE_EPCI = "http://id.insee.fr/geo/intercommunalite/"
SIRENE = "https://annuaire-entreprises.data.gouv.fr/entreprise/"
ACCESS_RIGHT = "http://publications.europa.eu/resource/authority/access-right/"
FREQUENCY = "http://publications.europa.eu/resource/authority/frequency/"
DATA_THEME = vocabularies.EU_THEME_BASE
FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/"
# CKAN format names → the EU file-type vocabulary (DCAT-AP wants an IRI).
FILE_TYPES = {"CSV": "CSV", "JSON": "JSON", "GEOJSON": "GEOJSON", "XLSX": "XLSX",
              "XLS": "XLS", "ODS": "ODS", "PDF": "PDF", "ZIP": "ZIP", "XML": "XML",
              "SHP": "SHP", "SHAPEFILE": "SHP", "KML": "KML", "GPKG": "GPKG",
              "WMS": "WMS_SRVC", "WFS": "WFS_SRVC", "HTML": "HTML", "TXT": "TXT",
              "PARQUET": "PARQUET", "RDF": "RDF", "TTL": "RDF_TURTLE", "API": "REST"}
# And back, to the name CKAN users know.
FORMAT_NAMES = {"GEOJSON": "GeoJSON", "WMS_SRVC": "WMS", "WFS_SRVC": "WFS",
                "RDF_TURTLE": "TTL", "REST": "API"}


def format_name(value: str) -> str:
    """A CKAN format name for an EU file-type URI; other values unchanged."""
    if value.startswith(FILE_TYPE):
        code = value[len(FILE_TYPE):].strip("/")
        return FORMAT_NAMES.get(code, code)
    return value

# access_level → EU access-right vocabulary (DCAT-AP's controlled vocabulary
# for dct:accessRights).
ACCESS_RIGHTS = {
    "open": ACCESS_RIGHT + "PUBLIC",
    "partners": ACCESS_RIGHT + "RESTRICTED",
    "internal": ACCESS_RIGHT + "NON_PUBLIC",
}

_COMMUNE_URI = re.compile(r"^https?://id\.insee\.fr/geo/commune/(\d{5}|2[AB]\d{3})/?$")


def commune_uri(code: str) -> str:
    return INSEE_COMMUNE + code


def commune_code(uri: str) -> str | None:
    match = _COMMUNE_URI.match(uri.strip())
    return match.group(1) if match else None


def epci_uri(siren: str) -> str:
    return INSEE_EPCI + siren


def siren_uri(siren: str) -> str:
    """A public, dereferenceable page for a SIREN (the state's company directory)."""
    return SIRENE + siren


def portal_theme_uri(site_url: str, slug: str) -> str:
    """Our own theme URI is its group page: stable, and it dereferences."""
    return f"{site_url.rstrip('/')}/group/{slug}"


def portal_theme_scheme(site_url: str) -> str:
    return f"{site_url.rstrip('/')}/group"


def licence_uri(license_id: str) -> str | None:
    """The licence's official URI (the `url` of schemas/licenses.json)."""
    licence = vocabularies.licences().get(license_id)
    return licence.url or None if licence else None


def _luhn_valid(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char) * (2 if index % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def commune_siren(insee_code: str) -> str | None:
    """A commune's SIREN: 21, its département, 0, its number in the
    département, a Luhn key (e.g. Marseille 13055 → 211300553). None where
    that rule does not hold (Corsica's 2A/2B, overseas départements). A few
    communes are exceptions (Paris: 217500016), hence only a fallback for an
    organisation without its own SIREN."""
    if not (len(insee_code) == 5 and insee_code.isdigit()) or insee_code.startswith("97"):
        return None
    base = "21" + insee_code[:2] + "0" + insee_code[2:]
    return next(base + str(key) for key in range(10) if _luhn_valid(base + str(key)))


def insee_of_commune_siren(siren: str) -> str | None:
    """The INSEE code inside a commune's SIREN; None for other SIRENs."""
    if len(siren) == 9 and siren.isdigit() and siren.startswith("21") and \
            siren[4] == "0" and _luhn_valid(siren):
        return siren[2:4] + siren[5:8]
    return None
