"""The pure parts of the import mapping and of the identifiers (no database)."""

from __future__ import annotations

import pytest

from ckanext.metropole.dcat import mapping, uris

EU_FREQ = "http://publications.europa.eu/resource/authority/frequency/"


@pytest.fixture(autouse=True)
def load_portal_plugins():
    """Pure functions over the vocabulary files: no CKAN action nor database,
    so the project-wide plugin loading (tests/conftest.py) is skipped."""


LICENCES = [
    ("https://www.etalab.gouv.fr/licence-ouverte-open-licence/", "etalab-2.0"),
    ("http://www.etalab.gouv.fr/licence-ouverte-open-licence", "etalab-2.0"),
    ("Licence Ouverte v2.0 (Etalab)", "etalab-2.0"),
    ("https://spdx.org/licenses/etalab-2.0.html", None),  # a page, not the identifier
    ("https://spdx.org/licenses/etalab-2.0", "etalab-2.0"),
    ("Open Database License (ODbL)", "odc-odbl"),
    ("http://opendatacommons.org/licenses/odbl/1-0/", "odc-odbl"),
    ("CC-BY-4.0", "cc-by-4.0"),
    ("cc-by", "cc-by-4.0"),
    ("https://creativecommons.org/publicdomain/zero/1.0/", "cc-zero-1.0"),
    ("Licence propriétaire XYZ", None),
    ("other-closed", None),
]
FREQUENCIES = [
    (EU_FREQ + "DAILY", EU_FREQ + "DAILY"),
    ("http://purl.org/cld/freq/monthly", EU_FREQ + "MONTHLY"),
    ("daily", EU_FREQ + "DAILY"),
    ("Quotidienne", EU_FREQ + "DAILY"),
    ("hebdomadaire", EU_FREQ + "WEEKLY"),
    ("every full moon", None),
    (None, None),
]


def test_licences_are_recognised_by_uri_spdx_id_or_label():
    for candidate, expected in LICENCES:
        assert mapping.licence_id([candidate]) == expected, candidate


def test_frequencies_map_to_eu_uris():
    for value, expected in FREQUENCIES:
        assert mapping.frequency_uri(value) == expected, value


def test_themes_from_own_eu_and_label_sources():
    site = "https://data.example.org"
    assert mapping.theme_slugs([f"{site}/group/bruit"], [], site) == ["bruit"]
    assert mapping.theme_slugs(
        ["http://publications.europa.eu/resource/authority/data-theme/TRAN"], [], site) == [
        "mobilite"]
    assert mapping.theme_slugs([], ["Tourisme", "Astronomie"], site) == ["tourisme"]
    # Precise themes win over the EU theme's general default.
    assert mapping.theme_slugs(
        ["http://publications.europa.eu/resource/authority/data-theme/ENVI"], ["Bruit"],
        site) == ["bruit"]
    assert mapping.theme_slugs([], ["Astronomie"], site) == []


def test_communes_from_insee_uris_and_the_epci():
    known = {"13055", "13001"}
    assert mapping.communes_of(["http://id.insee.fr/geo/commune/13055",
                                "http://id.insee.fr/geo/commune/75056"], known) == ["13055"]
    assert mapping.communes_of([uris.epci_uri("200054807")], known, "200054807") == [
        "metropole"]


def test_commune_siren_follows_from_the_insee_code():
    # Marseille, Aubagne, Aix-en-Provence (SIRENE).
    for insee, siren in (("13055", "211300553"), ("13005", "211300058"),
                         ("13001", "211300017")):
        assert uris.commune_siren(insee) == siren
        assert uris.insee_of_commune_siren(siren) == insee


def test_other_sirens_are_not_communes():
    assert uris.insee_of_commune_siren("200054807") is None  # an EPCI
    assert uris.insee_of_commune_siren("211300554") is None  # wrong key
    assert uris.commune_siren("2A004") is None


def test_to_schema_keeps_only_our_fields_and_the_origin():
    harvested = mapping.Harvested(
        fields={"title": "Arbres", "notes": "", "license_id": "",
                "extras": [{"key": "frequency", "value": "daily"},
                           {"key": "communes", "value": "toutes"}],
                "unknown_field": "x", "tags": [{"name": "arbres"}, {"name": "a"}],
                "contact": [{"name": "SIG", "uri": "http://x", "email": ""}],
                "resources": [{"url": "http://src/a.csv", "format":
                               uris.FILE_TYPE + "CSV", "uri": "http://src/d/1"}]},
        source_url="http://src/dcat", source_id="http://src/d",
        licences=["Licence Ouverte v2.0 (Etalab)"], frequency="daily")
    dataset = mapping.to_schema(harvested, "https://portal", {"13055"})
    assert "unknown_field" not in dataset
    assert {e["key"] for e in dataset["extras"]} == {"uri"}  # no clash with our fields
    assert dataset["license_id"] == "etalab-2.0"
    assert dataset["frequency"] == EU_FREQ + "DAILY"
    assert dataset["communes"] == ["metropole"]
    assert dataset["tags"] == [{"name": "arbres"}]
    assert dataset["contact"] == [{"name": "SIG"}]
    assert dataset["notes"] == "Arbres"
    assert "http://src/dcat" in dataset["provenance"]
    resource = dataset["resources"][0]
    assert resource == {"url": "http://src/a.csv", "format": "CSV", "update_mode": "harvested",
                        "source_url": "http://src/d/1", "source_id": "http://src/d"}
