"""The metropolitan dataset schema through the API: each field, each
validation, each charter rule — the field's message (French, the portal's
default language) and nothing saved."""

from __future__ import annotations

import json

import pytest
from ckan import model
from ckan.logic import ValidationError

from ..helpers import AIX, MARSEILLE, api, dataset_fields

pytestmark = pytest.mark.usefixtures("catalogue", "with_request_context")
EU = "http://publications.europa.eu/resource/authority/"


def create(**overrides) -> dict:
    return api("package_create", **dataset_fields(**overrides))


def refused(field_path: tuple, **overrides) -> str:
    """Create must fail on this field, save nothing, and say why."""
    fields = dataset_fields(**overrides)
    before = model.Session.query(model.Package).count()
    with pytest.raises(ValidationError) as raised:
        api("package_create", **fields)
    error = raised.value.error_dict
    for part in field_path:
        assert part in error, (field_path, error)
        error = error[part]
        if isinstance(error, list) and error and isinstance(error[0], dict):
            error = error[0]
    assert model.Session.query(model.Package).count() == before
    assert model.Package.get(fields["name"]) is None
    return error[0] if isinstance(error, list) else str(error)


def test_a_complete_dataset_keeps_every_field():
    dataset = create(
        communes=[MARSEILLE, AIX], themes=["velo-pietons", "mobilite"],
        frequency=EU + "frequency/HOURLY",
        temporal_coverage=[{"start": "2026-01-01", "end": "2026-06-30"}],
        temporal_resolution="PT1H",
        contact=[{"name": "Service mobilité", "email": "mobilite@example.org"}],
        publisher=[{"name": "Ville de Marseille", "identifier": "211300553"}],
        conforms_to=["etalab/schema-comptage-mobilites"],
        provenance="Compteurs Eco-Counter, moissonnés chaque heure.",
        reuse_conditions="Citer la Ville de Marseille.",
        hosting_location="eu",
        resources=[{"url": "http://example.org/velo.csv", "name": "Comptages", "format": "CSV",
                    "conforms_to": "etalab/schema-comptage-mobilites"}],
    )
    shown = api("package_show", id=dataset["id"])
    assert set(shown["communes"]) == {MARSEILLE, AIX}
    assert set(shown["themes"]) == {"velo-pietons", "mobilite"}
    assert shown["theme"] == [EU + "data-theme/TRAN"]  # derived, EU URIs
    assert shown["frequency"] == EU + "frequency/HOURLY"
    assert shown["temporal_coverage"] == [{"start": "2026-01-01", "end": "2026-06-30"}]
    assert shown["contact"][0]["email"] == "mobilite@example.org"
    assert shown["publisher"][0]["identifier"] == "211300553"
    assert shown["conforms_to"] == ["etalab/schema-comptage-mobilites"]
    assert shown["hosting_location"] == "eu"
    # Charter defaults.
    assert (shown["access_level"], shown["personal_data"]) == ("open", "none")
    resource = shown["resources"][0]
    assert resource["update_mode"] == "manual"
    assert resource["conforms_to"] == "etalab/schema-comptage-mobilites"


def test_the_licence_defaults_to_etalab():
    fields = dataset_fields()
    del fields["license_id"]
    dataset = api("package_create", **fields)
    assert dataset["license_id"] == "etalab-2.0"
    assert dataset["license_title"].startswith("Licence Ouverte")


def test_themes_derive_every_eu_theme_once():
    dataset = create(themes=["bruit", "eau", "eclairage"])
    assert dataset["theme"] == [EU + "data-theme/ENER", EU + "data-theme/ENVI"]


def test_a_steward_cannot_type_eu_themes_by_hand():
    dataset = create(themes=["culture"], theme=[EU + "data-theme/HEAL"])
    assert dataset["theme"] == [EU + "data-theme/EDUC"]


@pytest.mark.parametrize("codes,message", [
    (["1305"], "Code INSEE invalide"),
    (["ABCDE"], "Code INSEE invalide"),
    (["59350"], "Commune inconnue de ce portail"),  # Lille: a real code, not of this portal
])
def test_communes_must_be_valid_insee_codes_of_the_portal(codes, message):
    assert message in refused(("communes",), communes=codes)


def test_communes_are_required():
    refused(("communes",), communes=[])


def test_whole_metropole_is_a_choice():
    assert create(communes=["metropole"])["communes"] == ["metropole"]


def test_unknown_theme_is_refused():
    refused(("themes",), themes=["astrologie"])


def test_unknown_licence_is_refused():
    assert "Licence inconnue" in refused(("license_id",), license_id="wtfpl")


def test_unknown_frequency_is_refused():
    refused(("frequency",), frequency=EU + "frequency/EVERY_FULL_MOON")


def test_temporal_coverage_must_end_after_it_starts():
    message = refused(("temporal_coverage", "end"),
                      temporal_coverage=[{"start": "2026-03-01", "end": "2026-01-01"}])
    assert "précède son début" in message


@pytest.mark.parametrize("geometry", [
    '{"type": "Polygon", "coordinates": [[[5.3, 43.2], [5.4',
    '{"type": "Pentagon", "coordinates": []}',
    '{"type": "Point", "coordinates": [700000, 6200000]}',  # Lambert-93, not WGS84
    "not json at all",
])
def test_malformed_geojson_is_refused(geometry):
    assert "GeoJSON" in refused(("spatial",), spatial=geometry)


def test_a_self_touching_polygon_is_repaired_not_refused():
    bowtie = {"type": "Polygon", "coordinates": [[[5.3, 43.2], [5.4, 43.3], [5.4, 43.2],
                                                  [5.3, 43.3], [5.3, 43.2]]]}
    dataset = create(spatial=json.dumps(bowtie))
    assert json.loads(dataset["spatial"])["type"] == "MultiPolygon"


def test_temporal_resolution_must_be_an_iso_duration():
    assert "ISO 8601" in refused(("temporal_resolution",), temporal_resolution="hourly")


@pytest.mark.parametrize("overrides,field", [
    ({"license_id": "partner-convention"}, "license_id"),
    ({"access_level": "partners", "license_id": "partner-convention", "private": True},
     "convention_ref"),
    ({"access_level": "internal", "license_id": "partner-convention", "private": False},
     "private"),
    ({"personal_data": "personal"}, "legal_basis"),
    ({"personal_data": "personal", "legal_basis": "Art. 6-1-e"}, "personal_data"),
    ({"private": True}, "private_reason"),
])
def test_charter_rules_are_enforced_on_create(overrides, field):
    refused((field,), **overrides)


def test_charter_rules_are_enforced_on_update_and_the_dataset_is_left_intact():
    dataset = create()
    with pytest.raises(ValidationError) as raised:
        api("package_patch", id=dataset["id"], license_id="partner-convention")
    assert "license_id" in raised.value.error_dict
    assert api("package_show", id=dataset["id"])["license_id"] == "etalab-2.0"


def test_restricted_data_under_convention_is_accepted():
    dataset = create(access_level="partners", license_id="partner-convention",
                     convention_ref="CONV-2026-014", private=True)
    assert dataset["convention_ref"] == "CONV-2026-014"
