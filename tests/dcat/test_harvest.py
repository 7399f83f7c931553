"""Harvesting other portals onto our schema, over real loopback HTTP: an
Opendatasoft-style DCAT catalogue (RDF/XML then Turtle, paged) and a CKAN
portal. Datasets land valid, keep their origin, are updated in place and
withdrawn (not deleted); bad objects and bad pages are per-object or gather
errors that damage nothing."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from ckan import model
from ckanext.harvest.model import HarvestGatherError
from ckanext.harvest.tests.factories import HarvestJobObj, HarvestSourceObj
from ckanext.harvest.tests.lib import run_harvest_job

from ckanext.metropole.dcat.harvesters import MetropoleCKANHarvester, MetropoleDCATHarvester

from .conftest import AIX, AUBAGNE, MARSEILLE, api, epci_name, portal_plugins
from .loopback import LoopbackServer, Page, Source

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "dcat"
EU_FREQ = "http://publications.europa.eu/resource/authority/frequency/"

pytestmark = [pytest.mark.ckan_config("ckan.plugins", portal_plugins()),
              pytest.mark.ckan_config("ckan.requests.timeout", "1")]


def ods_source() -> Source:
    page1 = Page((FIXTURES / "ods_page1.rdf").read_text(), "application/rdf+xml")
    return Source(pages={"/ods/dcat": page1, "/ods/dcat?page=1": page1,
                         "/ods/dcat?page=2": Page((FIXTURES / "ods_page2.ttl").read_text())})


class Harvest:
    """One harvest source, harvested as many times as a test needs."""

    def __init__(self, url: str, harvester) -> None:
        self.harvester = harvester
        self.source = HarvestSourceObj(url=url, source_type=harvester.info()["name"],
                                       owner_org=epci_name(),
                                       name=f"source-{uuid.uuid4().hex[:12]}")

    def run(self) -> dict:
        job = HarvestJobObj(source=self.source, run=False)
        results = run_harvest_job(job, self.harvester)
        self.gather_errors = [e.message for e in model.Session.query(HarvestGatherError)
                              .filter_by(harvest_job_id=job.id)]
        self.object_errors = {o: [e.message for e in r["errors"]]
                              for o, r in results.items() if r["errors"]}
        self.datasets = {r["dataset"]["title"]: r["dataset"] for r in results.values()
                         if r.get("dataset")}
        return results


def show(dataset_id: str) -> dict:
    return api("package_show", id=dataset_id)


def clear(harvest: Harvest) -> None:
    """The database is shared with the export tests: take back what we harvested."""
    api("harvest_source_clear", id=harvest.source.id)


@pytest.fixture
def ods(fixture_catalogue):
    source = ods_source()
    with LoopbackServer(source) as server:
        harvest = Harvest(f"{server.base}/ods/dcat", MetropoleDCATHarvester())
        yield server, source, harvest
        clear(harvest)


def test_opendatasoft_catalogue_lands_on_our_schema(ods):
    server, _, harvest = ods
    harvest.run()
    assert harvest.gather_errors == []
    assert set(harvest.datasets) == {"Arbres d'alignement", "Fréquentation des musées d'Aix",
                                     "Parkings relais"}
    trees = harvest.datasets["Arbres d'alignement"]
    assert trees["license_id"] == "odc-odbl"
    assert trees["themes"] == ["environnement"]
    assert MARSEILLE in trees["communes"]
    assert trees["frequency"] == EU_FREQ + "MONTHLY"
    assert trees["temporal_coverage"] == [{"start": "2020-01-01", "end": "2025-12-31"}]
    assert trees["owner_org"] == model.Group.get(epci_name()).id  # by SIREN
    assert trees["private"] is False and trees["access_level"] == "open"
    assert f"{server.base}/ods/dcat" in trees["provenance"]
    assert f"{server.base}/ods/explore/dataset/arbres-d-alignement/" in trees["provenance"]
    resource = trees["resources"][0]
    assert resource["update_mode"] == "harvested" and resource["last_harvest"]
    assert resource["url"].endswith("/arbres-d-alignement/exports/csv")
    assert resource["source_url"] == (f"{server.base}/ods/explore/dataset/"
                                      "arbres-d-alignement/download/csv")
    museums = harvest.datasets["Fréquentation des musées d'Aix"]
    assert museums["license_id"] == "etalab-2.0"
    assert museums["themes"] == ["culture"]
    assert museums["communes"] == [AIX]
    assert museums["organization"]["name"] == model.Group.get(
        show(museums["id"])["owner_org"]).name
    assert model.Group.get(museums["owner_org"]).extras["insee_code"] == AIX  # by INSEE
    parkings = harvest.datasets["Parkings relais"]  # page 2, in Turtle
    assert parkings["license_id"] == "cc-by-4.0"
    assert parkings["themes"] == ["mobilite"]
    assert parkings["communes"] == [AUBAGNE, MARSEILLE]


def test_bad_objects_are_per_object_errors(ods):
    _, _, harvest = ods
    harvest.run()
    errors = {guid.rsplit("/", 2)[-2]: " ".join(messages)
              for guid, messages in harvest.object_errors.items()}
    assert set(errors) == {"donnees-proprietaires", "sans-titre",
                           "observations-astronomiques"}
    assert "Licence propriétaire XYZ" in errors["donnees-proprietaires"]
    assert "title" in errors["sans-titre"].lower() or "titre" in errors["sans-titre"].lower()
    assert "themes" in errors["observations-astronomiques"].lower() or \
        "thèmes" in errors["observations-astronomiques"].lower()
    assert not any("schema field with the same name" in m for m in errors.values())
    assert harvest.gather_errors == []


def test_reharvest_updates_in_place_and_withdraws_what_disappeared(ods):
    _, source, harvest = ods
    harvest.run()
    first = {title: d["id"] for title, d in harvest.datasets.items()}
    page1 = source.pages["/ods/dcat"]
    body = page1.body.replace("<dct:title>Arbres d'alignement</dct:title>",
                              "<dct:title>Arbres d'alignement (2026)</dct:title>")
    start = body.index('  <dcat:Dataset rdf:about="{BASE}/ods/explore/dataset/frequentation')
    end = body.index('  <dcat:Dataset rdf:about="{BASE}/ods/explore/dataset/donnees')
    changed = Page(body[:start] + body[end:], page1.content_type)
    source.pages.update({"/ods/dcat": changed, "/ods/dcat?page=1": changed})
    harvest.run()
    trees = show(first["Arbres d'alignement"])
    assert trees["title"] == "Arbres d'alignement (2026)"  # same dataset, updated
    museums = show(first["Fréquentation des musées d'Aix"])
    assert museums["state"] == "active" and museums["private"] is True
    assert "ne figure plus" in museums["private_reason"]
    assert show(first["Parkings relais"])["private"] is False
    # Back at the source: published again, same dataset.
    source.pages.update({"/ods/dcat": page1, "/ods/dcat?page=1": page1})
    harvest.run()
    museums = show(first["Fréquentation des musées d'Aix"])
    assert museums["private"] is False


@pytest.mark.parametrize("bad_page", [
    Page("<rdf:RDF this is not RDF", "application/rdf+xml"),
    Page((FIXTURES / "ods_page2.ttl").read_text(), "text/turtle", delay=3),
], ids=["unparseable", "timeout"])
def test_a_bad_page_damages_nothing(ods, bad_page):
    _, source, harvest = ods
    harvest.run()
    before = {title: show(d["id"]) for title, d in harvest.datasets.items()}
    source.pages["/ods/dcat?page=2"] = bad_page
    harvest.run()
    assert len(harvest.gather_errors) == 1, harvest.gather_errors
    for title, dataset in before.items():
        now = show(dataset["id"])
        assert now["private"] is False, title  # page 2's dataset is not withdrawn
        assert now["title"] == dataset["title"]
    # Page 1 was still imported.
    assert "Arbres d'alignement" in harvest.datasets


def test_ckan_portal_lands_on_our_schema_and_withdraws(fixture_catalogue):
    remote = json.loads((FIXTURES / "ckan_package_search.json").read_text())
    source = Source(ckan_datasets=list(remote))
    with LoopbackServer(source) as server:
        harvest = Harvest(f"{server.base}/ckan", MetropoleCKANHarvester())
        harvest.run()
        assert set(harvest.datasets) == {"Qualité de l'air — stations de mesure",
                                         "Marchés forains d'Aubagne"}
        air = harvest.datasets["Qualité de l'air — stations de mesure"]
        assert air["license_id"] == "odc-odbl"
        assert air["frequency"] == EU_FREQ + "DAILY"  # a free extra at the source
        assert air["themes"] == ["environnement"]
        assert air["communes"] == ["metropole"]
        assert air["owner_org"] == model.Group.get(epci_name()).id
        assert f"{server.base}/ckan/dataset/qualite-de-l-air-stations" in air["provenance"]
        markets = harvest.datasets["Marchés forains d'Aubagne"]
        assert markets["license_id"] == "cc-by-4.0"
        assert markets["communes"] == [AUBAGNE] and markets["themes"] == ["commerce"]
        errors = " ".join(m for messages in harvest.object_errors.values() for m in messages)
        assert "other-closed" in errors
        assert "schema field with the same name" not in errors
        source.ckan_datasets = [d for d in remote if d["name"] != "marches-forains-aubagne"]
        try:
            harvest.run()
            assert show(markets["id"])["private"] is True
            assert show(air["id"])["private"] is False
        finally:
            clear(harvest)
