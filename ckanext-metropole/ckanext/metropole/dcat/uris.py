"""The identifiers the metropolitan DCAT profile publishes and recognises.

Kept apart from the profile so the import mapping reads the same table the
export writes: a URI we publish is always one we can read back.
"""

from __future__ import annotations

import re

from .. import vocabularies

INSEE_COMMUNE = "http://id.insee.fr/geo/commune/"
# INSEE's identifier for an EPCI (intercommunalité), named by its SIREN.
INSEE_EPCI = "http://id.insee.fr/geo/intercommunalite/"
SIRENE = "https://annuaire-entreprises.data.gouv.fr/entreprise/"
ACCESS_RIGHT = "http://publications.europa.eu/resource/authority/access-right/"
FREQUENCY = "http://publications.europa.eu/resource/authority/frequency/"
DATA_THEME = vocabularies.EU_THEME_BASE

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
