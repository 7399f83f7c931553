"""Harvested metadata → a dataset of the metropolitan schema.

Pure functions over plain dicts: the DCAT profile gives them what it read in
the RDF, the CKAN harvester what the remote API returned. Whatever cannot be
mapped is left so that our schema's own validators refuse it with their
message (unknown licence, no theme, no title): the harvester then records a
per-object error and imports the rest.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from metropole_core import vocabularies

from . import uris

# What a portal may call each of our licences: official URIs and their
# variants, SPDX identifiers, Opendatasoft's and data.gouv.fr's labels.
LICENCE_ALIASES: dict[str, tuple[str, ...]] = {
    "etalab-2.0": (
        "etalab-2.0", "lov2", "licence ouverte v2.0", "licence ouverte 2.0",
        "licence ouverte / open licence version 2.0", "open licence 2.0",
        "licence ouverte v2.0 (etalab)", "licence ouverte (etalab)",
        "etalab.gouv.fr/licence-ouverte-open-licence",
        "etalab.gouv.fr/wp-content/uploads/2017/04/etalab-licence-ouverte-v2.0.pdf",
        "spdx.org/licenses/etalab-2.0",
        "publications.europa.eu/resource/authority/licence/etalab_2_0",
    ),
    "odc-odbl": (
        "odc-odbl", "odbl", "odbl-1.0", "open database license (odbl)",
        "open database license", "opendatacommons.org/licenses/odbl",
        "spdx.org/licenses/odbl-1.0", "publications.europa.eu/resource/authority/licence/odc_bl",
    ),
    "cc-by-4.0": (
        "cc-by-4.0", "cc-by", "cc by 4.0", "cc-by 4.0", "creative commons attribution 4.0",
        "creativecommons.org/licenses/by/4.0", "spdx.org/licenses/cc-by-4.0",
        "publications.europa.eu/resource/authority/licence/cc_by_4_0",
    ),
    "cc-zero-1.0": (
        "cc-zero-1.0", "cc-zero", "cc0", "cc0-1.0", "cc0 1.0", "creative commons zero",
        "creativecommons.org/publicdomain/zero/1.0", "spdx.org/licenses/cc0-1.0",
        "publications.europa.eu/resource/authority/licence/cc0",
    ),
}

# Dublin Core frequencies and free text → the EU frequency vocabulary.
FREQUENCY_ALIASES = {
    "continuous": "UPDATE_CONT", "realtime": "UPDATE_CONT", "temps reel": "UPDATE_CONT",
    "hourly": "HOURLY", "horaire": "HOURLY",
    "daily": "DAILY", "quotidienne": "DAILY", "quotidien": "DAILY",
    "weekly": "WEEKLY", "hebdomadaire": "WEEKLY",
    "monthly": "MONTHLY", "mensuelle": "MONTHLY", "mensuel": "MONTHLY",
    "quarterly": "QUARTERLY", "trimestrielle": "QUARTERLY",
    "annual": "ANNUAL", "yearly": "ANNUAL", "annuelle": "ANNUAL", "annuel": "ANNUAL",
    "irregular": "IRREG", "irreguliere": "IRREG", "ponctuelle": "IRREG",
    "never": "NEVER", "unknown": "UNKNOWN",
}

# An EU data theme names several of ours; this is the general one of each.
EU_THEME_DEFAULT_SLUG = {"ENVI": "environnement", "TRAN": "mobilite", "ENER": "eclairage",
                         "ECON": "commerce", "EDUC": "culture", "GOVE": "services",
                         "REGI": "reference-sig"}

# What the harvested dataset may carry that is ours to set: everything else
# from the source (its own extras, unknown keys) is dropped, which is what
# avoids "There is a schema field with the same name" (an extra named like
# one of our fields).
SCHEMA_KEYS = ("title", "name", "notes", "tags", "communes", "themes", "license_id",
               "access_level", "personal_data", "hosting_location", "reuse_conditions",
               "frequency", "temporal_coverage", "temporal_resolution", "spatial", "contact",
               "publisher", "conforms_to", "provenance", "latest_observation", "owner_org")
# Repeating subfields of our schema: a source's other keys (uri, type…) would
# be refused by scheming.
SUBFIELDS = {"contact": ("name", "email", "url"),
             "publisher": ("name", "email", "url", "identifier"),
             "temporal_coverage": ("start", "end")}
RESOURCE_KEYS = ("url", "name", "description", "format", "conforms_to")


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"^https?://(www\.)?", "", text.strip()).rstrip("/")


def licence_id(candidates: Iterable[str]) -> str | None:
    """Our licence id for the first candidate (URI, SPDX id or label) we know."""
    aliases = {_norm(alias): lid for lid, names in LICENCE_ALIASES.items() for alias in names}
    for lid, licence in vocabularies.licences().items():
        aliases.setdefault(_norm(lid), lid)
        aliases.setdefault(_norm(licence.title), lid)
        if licence.url:
            aliases.setdefault(_norm(licence.url), lid)
    for candidate in candidates:
        if candidate and _norm(str(candidate)) in aliases:
            return aliases[_norm(str(candidate))]
    return None


def frequency_uri(value: str | None) -> str | None:
    if not value:
        return None
    known = vocabularies.frequencies()
    if value in known:
        return value
    code = _norm(value).rsplit("/", 1)[-1]
    code = FREQUENCY_ALIASES.get(code, code.upper())
    uri = uris.FREQUENCY + code
    return uri if uri in known else None


def theme_slugs(theme_uris: Iterable[str], labels: Iterable[str], site_url: str) -> list[str]:
    """Our theme slugs, from our own theme URIs (a portal like this one), EU
    data themes, or theme labels and keywords that name one of ours."""
    known = vocabularies.themes()
    slugs: list[str] = []
    own_prefix = uris.portal_theme_uri(site_url, "")
    eu: list[str] = []
    for uri in theme_uris:
        slug = uri.rstrip("/").rsplit("/", 1)[-1]
        if "/group/" in uri and slug in known:
            slugs.append(slug)  # our own scheme, or another metropole portal's
        elif uri.startswith(uris.DATA_THEME):
            eu.append(slug)
        elif uri.startswith(own_prefix) and slug in known:
            slugs.append(slug)
    by_label = {_norm(t.label["fr"]): s for s, t in known.items()}
    by_label.update({_norm(s): s for s in known})
    for label in labels:
        slug = by_label.get(_norm(label))
        if slug:
            slugs.append(slug)
    if not slugs:
        slugs = [EU_THEME_DEFAULT_SLUG[code] for code in eu if code in EU_THEME_DEFAULT_SLUG]
    return sorted(set(slugs))


@dataclass
class Harvested:
    """What a source says about a dataset, before mapping."""

    fields: dict  # the generic dict (ckanext-dcat's parse, or CKAN's package_show)
    source_url: str
    source_id: str  # the dataset's identifier at the source (URI or CKAN id)
    landing_page: str = ""
    spatial_uris: list[str] = field(default_factory=list)
    theme_uris: list[str] = field(default_factory=list)
    theme_labels: list[str] = field(default_factory=list)
    licences: list[str] = field(default_factory=list)
    frequency: str | None = None
    publisher_ids: list[str] = field(default_factory=list)
    harvested_at: str = ""


def communes_of(spatial_uris: Iterable[str], known_codes: Iterable[str],
                epci_siren: str = "") -> list[str]:
    """INSEE commune URIs we know → codes; our EPCI's URI → the whole metropole."""
    spatial_uris = list(spatial_uris)
    if epci_siren and uris.epci_uri(epci_siren) in spatial_uris:
        return ["metropole"]
    known = set(known_codes)
    codes = [code for code in (uris.commune_code(u) for u in spatial_uris) if code]
    return sorted({code for code in codes if code in known})


def to_schema(h: Harvested, site_url: str, known_communes: Iterable[str],
              epci_siren: str = "") -> dict:
    """The dataset as our schema wants it. Values that cannot be mapped are
    passed on as found, for the schema to refuse with its own message."""
    src = h.fields
    dataset = {key: src[key] for key in SCHEMA_KEYS if src.get(key) not in (None, "", [])}
    dataset["type"] = "dataset"
    dataset["title"] = (src.get("title") or "").strip()
    dataset.setdefault("notes", dataset["title"])  # a description is mandatory here
    licence = licence_id([src.get("license_id") or "", src.get("license_url") or "",
                          src.get("license_title") or "", *h.licences])
    # Unknown: passed as found, so the error names it.
    dataset["license_id"] = licence or next(
        (c for c in [src.get("license_id"), *h.licences, src.get("license_title")] if c), "")
    themes = theme_slugs(h.theme_uris, [*h.theme_labels,
                                        *[t.get("name", "") for t in src.get("tags") or []]],
                         site_url)
    if src.get("themes") and not themes:
        themes = [s for s in src["themes"] if s in vocabularies.themes()]
    dataset["themes"] = themes
    codes = communes_of(h.spatial_uris, known_communes, epci_siren)
    if not codes and src.get("communes"):
        codes = [c for c in src["communes"] if c in set(known_communes) or c == "metropole"]
    dataset["communes"] = codes or ["metropole"]
    frequency = frequency_uri(h.frequency or src.get("frequency"))
    if frequency:
        dataset["frequency"] = frequency
    else:
        dataset.pop("frequency", None)
    # Harvested data is what a portal publishes: open, public, on our terms.
    dataset.update(access_level="open", private=False, personal_data="none",
                   hosting_location=src.get("hosting_location") or "france")
    for key in ("convention_ref", "legal_basis", "private_reason"):
        dataset.pop(key, None)
    dataset["tags"] = [{"name": t["name"]} for t in src.get("tags") or []
                       if re.fullmatch(r"[\w \-.]{2,100}", t.get("name", ""))]
    origin = h.landing_page or h.source_id
    dataset["provenance"] = (f"Moissonné depuis {h.source_url} — fiche d'origine : {origin}"
                             f"{' (' + h.harvested_at + ')' if h.harvested_at else ''}.")
    dataset["resources"] = [_resource(r, h) for r in src.get("resources") or []]
    for key, subfields in SUBFIELDS.items():
        items = [{k: v for k, v in item.items() if k in subfields and v}
                 for item in src.get(key) or [] if isinstance(item, dict)]
        items = [item for item in items if item]
        if items:
            dataset[key] = items
        else:
            dataset.pop(key, None)
    if not dataset["title"]:
        # "Missing value" from the schema, for this object only; the name
        # keeps ckanext-dcat's gather stage from deriving one from the title.
        dataset.pop("title")
        dataset.setdefault("name", "sans-titre-" + hashlib.sha1(
            h.source_id.encode()).hexdigest()[:12])
    # The source's own extras are dropped; only the identifiers the harvest
    # matches datasets on are kept (they are no field of our schema).
    dataset["extras"] = [{"key": key, "value": value} for key, value in (
        ("uri", h.source_id), ("metropole_publisher_ids",
                                 json.dumps(h.publisher_ids) if h.publisher_ids else ""))
        if value]
    return dataset


def _resource(resource: dict, h: Harvested) -> dict:
    mapped = {key: resource[key] for key in RESOURCE_KEYS if resource.get(key)}
    if mapped.get("format"):
        mapped["format"] = uris.format_name(mapped["format"])
    mapped["url"] = (resource.get("url") or resource.get("download_url")
                     or resource.get("access_url") or "")
    mapped["update_mode"] = "harvested"
    mapped["source_url"] = resource.get("uri") or mapped["url"]
    mapped["source_id"] = h.source_id
    if h.harvested_at:
        mapped["last_harvest"] = h.harvested_at
    return mapped
