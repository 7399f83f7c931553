"""Communes as organisations, from the official INSEE data."""

from __future__ import annotations

import pytest
from ckan import model

from ckanext.metropole.cli import metropole
from ckanext.metropole.communes import loader, source

from ..helpers import api

AMP, METZ = "200054807", "200039865"


_first_load: list[loader.LoadReport] = []


@pytest.fixture(scope="module", autouse=True)
def fresh_database_afterwards(reset_db):
    """These tests load other EPCIs (Metz) into the shared test database:
    leave it empty for the next modules."""
    yield
    reset_db()
    _first_load.clear()


@pytest.fixture
def loaded(reset_db):
    """A fresh database with Aix-Marseille-Provence loaded, once per module."""
    if not _first_load:
        reset_db()
        _first_load.append(loader.load_epci(AMP))
    return _first_load[0]


def _orgs_with(key: str) -> dict[str, model.Group]:
    return loader.existing_by(key)


@pytest.mark.usefixtures("with_request_context")
def test_aix_marseille_provence_gives_93_organisations_matching_the_source(loaded):
    assert len(loaded.created) == 93  # 92 communes + the metropole
    expected = {c.insee_code: c for c in source.communes_of(AMP)}
    assert len(expected) == 92
    by_code = _orgs_with("insee_code")
    assert set(by_code) == set(expected)
    for code, group in by_code.items():
        assert group.title == expected[code].name
        assert int(group.extras["population"]) == expected[code].population
        assert group.extras["epci_siren"] == AMP
        assert group.extras["org_kind"] == "commune"
    marseille = api("organization_show", id=by_code["13055"].name)
    assert marseille["population"] == str(expected["13055"].population)
    assert marseille["geometry"].startswith('{"type":"')
    metropole = _orgs_with("siren")[AMP]
    assert metropole.extras["org_kind"] == "epci"
    assert int(metropole.extras["population"]) == sum(c.population for c in expected.values())


@pytest.mark.usefixtures("with_request_context")
def test_a_second_load_changes_nothing(loaded):
    again = loader.load_epci(AMP)
    assert (len(again.created), len(again.updated), len(again.unchanged)) == (0, 0, 93)


@pytest.mark.usefixtures("with_request_context")
def test_a_load_repairs_what_changed_and_keeps_the_stewards_description(loaded):
    group = _orgs_with("insee_code")["13001"]
    api("organization_patch", id=group.id, population="1",
                description="Texte de la commune")
    report = loader.load_epci(AMP)
    assert report.updated == ["Aix-en-Provence"]
    shown = api("organization_show", id=group.id)
    assert shown["population"] != "1"
    assert shown["description"] == "Texte de la commune"


@pytest.mark.usefixtures("with_request_context")
def test_metz_metropole_loads_too(loaded):
    report = loader.load_epci(METZ)
    assert len(report.created) == 47


def test_unknown_siren_says_how_to_find_one(cli, ckan_config):
    result = cli.invoke(metropole, ["communes", "load", "--epci", "123456789"])
    assert result.exit_code != 0
    assert "Unknown EPCI SIREN '123456789'" in result.output
    assert "search-epci" in result.output


def test_searching_an_epci_by_name_gives_its_siren(cli):
    result = cli.invoke(metropole, ["communes", "search-epci", "Européenne de Lille"])
    assert result.exit_code == 0
    assert "200093201  Métropole Européenne de Lille" in result.output
