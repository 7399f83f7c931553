"""A realistic catalogue for the DCAT tests: the communes of
Aix-Marseille-Provence, the theme groups, sensor and GIS datasets under every
licence, and datasets that must never be exported (private, internal,
partners, draft). Built once per database (tests here never clean it)."""

from __future__ import annotations

import configparser
from pathlib import Path

import pytest
from ckan import model
from ckan.lib import search
from ckan.tests.helpers import call_action

from ckanext.metropole.communes import loader
from ckanext.metropole.themes import load_theme_groups
from metropole_core import commune_registry as registry

from ..helpers import loopback_allowed

AMP = "200054807"
MARSEILLE, AIX, AUBAGNE = "13055", "13001", "13005"
PORTAL_INI = Path(__file__).resolve().parents[2] / "deployment" / "portal.ini"
OWN_PLUGINS = ["metropole_dcat", "metropole_dcat_harvester", "metropole_ckan_harvester"]


@pytest.fixture(autouse=True)
def allow_loopback_servers():
    """These tests harvest servers on 127.0.0.1 (refused by default)."""
    with loopback_allowed():
        yield


def portal_plugins() -> str:
    """The portal's plugins plus this feature's (until portal.ini lists them)."""
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.read(PORTAL_INI)
    names = [p.strip() for p in parser["app:main"]["ckan.plugins"].split() if p.strip()]
    return " ".join(names + [p for p in OWN_PLUGINS if p not in names])


def api(action: str, **data):
    """As the site user: with the activity plugin the caller must be a real user."""
    site_user = call_action("get_site_user", context={"ignore_auth": True})
    return call_action(action, context={"user": site_user["name"], "ignore_auth": True},
                       **data)


def org_name(code: str) -> str:
    return registry.communes()[code].org_name


def epci_name() -> str:
    return loader.existing_by("siren")[AMP].name


SQUARE = ('{"type": "Polygon", "coordinates": [[[5.36, 43.29], [5.40, 43.29], '
          '[5.40, 43.31], [5.36, 43.31], [5.36, 43.29]]]}')


def fixture_datasets() -> list[dict]:
    """Public datasets: one per licence, sensors and GIS, every DCAT mapping."""
    base = {"access_level": "open", "personal_data": "none", "hosting_location": "france"}
    return [
        {**base, "name": "comptages-velos-marseille", "owner_org": org_name(MARSEILLE),
         "title": "Comptages vélos — agrégats horaires",
         "notes": "Passages de vélos par heure, agrégés depuis les compteurs.",
         "communes": [MARSEILLE], "themes": ["velo-pietons", "mobilite"],
         "license_id": "etalab-2.0",
         "frequency": "http://publications.europa.eu/resource/authority/frequency/HOURLY",
         "temporal_resolution": "PT1H",
         "temporal_coverage": [{"start": "2026-01-01", "end": "2026-11-21"}],
         "latest_observation": "2026-11-21T23:00:00+01:00",
         "tag_string": f"vélo,comptage,{FIXTURE_VERSION}",
         "contact": [{"name": "Service mobilité", "email": "mobilite@example.org"}],
         # A schema.data.gouv.fr identifier, as stewards type it.
         "conforms_to": ["etalab/schema-comptage-mobilites"],
         "resources": [{"name": "Agrégats horaires", "format": "CSV",
                        "conforms_to": "etalab/schema-comptage-mobilites",
                        "url": "http://example.org/velos.csv"}]},
        {**base, "name": "bati-metropole", "owner_org": epci_name(),
         "title": "Bâti de la métropole", "notes": "Emprises des bâtiments.",
         "communes": ["metropole"], "themes": ["reference-sig"], "license_id": "odc-odbl",
         "spatial": SQUARE,
         "frequency": "http://publications.europa.eu/resource/authority/frequency/ANNUAL",
         "temporal_coverage": [{"start": "2025-01-01"}],
         "reuse_conditions": "Mentionner « Métropole Aix-Marseille-Provence ».",
         # An uploaded file has a mimetype (exported as dcat:mediaType).
         # A harvested snapshot: its hash is "<algorithm>:<hex digest>".
         "resources": [{"name": "Bâti (GeoJSON)", "format": "GeoJSON",
                        "mimetype": "application/geo+json",
                        "hash": "sha256:" + "0f" * 32,
                        "url": "http://example.org/bati.geojson"},
                       {"name": "Bâti (WMS)", "format": "WMS",
                        "url": "http://example.org/wms?service=WMS"}]},
        {**base, "name": "hebergements-touristiques", "owner_org": org_name(AIX),
         "title": "Hébergements touristiques", "notes": "Hôtels et campings.",
         "communes": [AIX, MARSEILLE], "themes": ["tourisme"], "license_id": "cc-by-4.0",
         "conforms_to": ["https://schema.data.gouv.fr/etalab/schema-hebergements"],
         "resources": [{"name": "Liste", "format": "CSV",
                        "url": "http://example.org/hebergements.csv"}]},
        {**base, "name": "equipements-culturels", "owner_org": org_name(AUBAGNE),
         "title": "Équipements culturels d'Aubagne", "notes": "Musées, salles.",
         "communes": [AUBAGNE], "themes": ["culture"], "license_id": "cc-zero-1.0",
         "frequency": "http://publications.europa.eu/resource/authority/frequency/IRREG",
         "publisher": [{"name": "Ville d'Aubagne", "identifier": "211300058",
                        "url": "https://www.aubagne.fr"}],
         "resources": [{"name": "Équipements", "format": "JSON",
                        "url": "http://example.org/culture.json"}]},
    ]


def hidden_datasets() -> list[dict]:
    """Datasets that no export may show."""
    base = {"personal_data": "none", "hosting_location": "france",
            "communes": [MARSEILLE], "themes": ["services"], "notes": "Ne doit pas sortir."}
    return [
        {**base, "name": "jeu-prive-en-validation", "owner_org": org_name(MARSEILLE),
         "title": "Jeu privé en validation", "access_level": "open",
         "license_id": "etalab-2.0", "private": True,
         "private_reason": "En cours de validation"},
        {**base, "name": "jeu-interne", "owner_org": org_name(MARSEILLE),
         "title": "Jeu interne", "access_level": "internal",
         "license_id": "partner-convention", "private": True},
        {**base, "name": "jeu-partenaires", "owner_org": org_name(MARSEILLE),
         "title": "Jeu partenaires", "access_level": "partners", "private": True,
         "license_id": "partner-convention", "convention_ref": "CONV-2026-014"},
        {**base, "name": "jeu-brouillon", "owner_org": org_name(MARSEILLE),
         "title": "Jeu brouillon", "access_level": "open", "license_id": "etalab-2.0",
         "state": "draft"},
    ]


# Bumped when the fixture datasets change: a database holding an older set
# gets it purged and rebuilt.
FIXTURE_VERSION = "fixture-v2"
HIDDEN_NAMES = ["jeu-prive-en-validation", "jeu-interne", "jeu-partenaires", "jeu-brouillon"]


_FRESH_DATABASE: list[bool] = []


@pytest.fixture
def fixture_catalogue(reset_db):
    """The fixture catalogue, created once per test database. The first use in
    a test session empties the database: the exports must hold exactly the
    fixture datasets, not what earlier test modules left behind."""
    if not _FRESH_DATABASE:
        reset_db()
        search.clear_all()
        _FRESH_DATABASE.append(True)
    registry.clear()
    if MARSEILLE not in registry.communes():
        search.clear_all()
        loader.load_epci(AMP)
        registry.clear()
    if model.Group.get("velo-pietons") is None:
        load_theme_groups()
    sensor = model.Package.get("comptages-velos-marseille")
    if sensor is not None and FIXTURE_VERSION not in [t.name for t in sensor.get_tags()]:
        for dataset in fixture_datasets() + hidden_datasets():
            if model.Package.get(dataset["name"]) is not None:
                api("dataset_purge", id=dataset["name"])
    if model.Package.get("comptages-velos-marseille") is None:
        for dataset in fixture_datasets() + hidden_datasets():
            api("package_create", **dataset)
        sensor = model.Package.get("comptages-velos-marseille")
        api("datastore_create", resource_id=sensor.resources[0].id, force=True,
            fields=[{"id": "heure", "type": "timestamptz"}, {"id": "passages", "type": "int"}],
            records=[{"heure": "2026-11-21T22:00:00+01:00", "passages": 42}])
    elif not call_action("package_search", context={"ignore_auth": True},
                         fq="name:comptages-velos-marseille")["count"]:
        # Kept from an earlier run, but the search index was rebuilt since
        # (other suites share the database): index them again.
        for dataset in fixture_datasets() + hidden_datasets():
            search.rebuild(model.Package.get(dataset["name"]).id)
    return {d["name"]: api("package_show", id=d["name"]) for d in fixture_datasets()}
