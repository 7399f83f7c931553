"""Each rule of the data charter, as a pure function (no database)."""

from __future__ import annotations

import pytest

from ckanext.metropole.charter.rules import CharterValues, check_charter

OPEN = dict(access_level="open", license_id="etalab-2.0", personal_data="none",
            hosting_location="france", private=False)


def errors_for(**overrides) -> dict[str, list[str]]:
    return check_charter(CharterValues.from_mapping({**OPEN, **overrides}))


def test_an_open_dataset_under_an_open_licence_is_fine():
    assert errors_for() == {}


@pytest.mark.parametrize("licence", ["etalab-2.0", "odc-odbl", "cc-by-4.0", "cc-zero-1.0"])
def test_every_open_licence_is_accepted_for_open_data(licence):
    assert errors_for(license_id=licence) == {}


@pytest.mark.parametrize("licence", ["partner-convention", "cc-by-nc", ""])
def test_open_access_requires_an_open_licence(licence):
    assert list(errors_for(license_id=licence)) == ["license_id"]


def test_restricted_data_cannot_carry_an_open_licence():
    errors = errors_for(access_level="internal", private=True)
    assert list(errors) == ["license_id"]


def test_partner_access_requires_a_convention_reference():
    errors = errors_for(access_level="partners", license_id="partner-convention", private=True)
    assert list(errors) == ["convention_ref"]
    assert errors_for(access_level="partners", license_id="partner-convention", private=True,
                      convention_ref="CONV-2026-014") == {}


@pytest.mark.parametrize("level", ["partners", "internal"])
def test_restricted_data_must_be_private(level):
    errors = errors_for(access_level=level, license_id="partner-convention",
                        convention_ref="CONV-1", private=False)
    assert list(errors) == ["private"]


def test_a_partner_organisation_publishes_under_a_convention():
    assert list(errors_for(owner_org_kind="partner")) == ["convention_ref"]
    assert errors_for(owner_org_kind="partner", convention_ref="CONV-7") == {}


def test_personal_data_cannot_be_open_and_needs_a_legal_basis():
    errors = errors_for(personal_data="personal")
    assert set(errors) == {"personal_data", "legal_basis"}


def test_personal_data_restricted_with_a_legal_basis_is_fine():
    assert errors_for(personal_data="personal", legal_basis="Mission de service public",
                      access_level="internal", license_id="partner-convention",
                      private=True) == {}


def test_anonymised_data_may_be_open():
    assert errors_for(personal_data="anonymised") == {}


def test_personal_data_must_be_hosted_in_the_eu():
    errors = errors_for(personal_data="personal", legal_basis="Contrat",
                        access_level="internal", license_id="partner-convention",
                        private=True, hosting_location="outside_eu")
    assert list(errors) == ["hosting_location"]
    assert errors_for(hosting_location="outside_eu") == {}  # non-personal data may be


def test_an_open_dataset_kept_private_needs_a_reason():
    assert list(errors_for(private=True)) == ["private_reason"]
    assert errors_for(private=True, private_reason="En cours de validation") == {}


def test_messages_go_through_the_translator():
    errors = check_charter(CharterValues.from_mapping({**OPEN, "license_id": ""}),
                           lambda message: "FR:" + message)
    assert errors["license_id"][0].startswith("FR:")
