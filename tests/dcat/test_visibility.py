"""Private, draft, internal and partner datasets never leave the portal:
not in the catalogue endpoint (any page, any format, modified_since), not as
per-dataset RDF, not in DCAT JSON, not as schema.org data — even for a
sysadmin, who sees them on the site."""

from __future__ import annotations

import json

import pytest
from ckan.tests import factories
from rdflib import Graph
from rdflib.namespace import DCAT, RDF

from .conftest import HIDDEN_NAMES, api, fixture_datasets, portal_plugins

pytestmark = [pytest.mark.ckan_config("ckan.plugins", portal_plugins())]


@pytest.fixture
def as_sysadmin(fixture_catalogue):
    user = factories.Sysadmin()
    token = api("api_token_create", user=user["name"], name="dcat-tests")["token"]
    return {"Authorization": token}


@pytest.fixture
def ids(fixture_catalogue):
    return {name: api("package_show", id=name)["id"]
            for name in HIDDEN_NAMES + [d["name"] for d in fixture_datasets()]}


def schema_org_block(page: str) -> str:
    """The schema.org JSON-LD the page embeds ("" when the block is empty)."""
    marker = '<script type="application/ld+json">'
    return page.split(marker, 1)[1].split("</script>", 1)[0].strip() if marker in page else ""


def exported_ids(text: str, ids: dict) -> set[str]:
    return {name for name, id_ in ids.items() if id_ in text or f"/{name}" in text}


def test_catalogue_endpoint_only_has_public_datasets(app, as_sysadmin, ids):
    for path in ("/catalog.ttl", "/catalog.rdf", "/catalog.jsonld",
                 "/catalog.ttl?page=1&modified_since=2000-01-01"):
        response = app.get(path, headers=as_sysadmin)
        assert response.status_code == 200, path
        assert exported_ids(response.get_data(as_text=True), ids) == {
            d["name"] for d in fixture_datasets()}, path


def test_catalogue_pages_count_only_public_datasets(app, as_sysadmin, ids):
    response = app.get("/catalog.ttl", headers=as_sysadmin)
    graph = Graph().parse(data=response.get_data(as_text=True), format="turtle")
    assert len(set(graph.subjects(RDF.type, DCAT.Dataset))) == 4


def test_per_dataset_rdf_of_a_hidden_dataset_is_not_found(app, as_sysadmin, ids):
    for name in HIDDEN_NAMES:
        for fmt in ("ttl", "rdf", "jsonld"):
            response = app.get(f"/dataset/{ids[name]}.{fmt}", headers=as_sysadmin)
            assert response.status_code == 404, (name, fmt)


def test_per_dataset_rdf_of_a_public_dataset(app, as_sysadmin, ids):
    response = app.get(f"/dataset/{ids['bati-metropole']}.ttl", headers=as_sysadmin)
    assert response.status_code == 200
    assert ids["bati-metropole"] in response.get_data(as_text=True)


def test_dcat_json_only_has_public_datasets(app, as_sysadmin, ids):
    response = app.get("/dcat.json", headers=as_sysadmin)
    assert response.status_code == 200
    titles = {dataset["title"] for dataset in response.json}
    assert titles == {d["title"] for d in fixture_datasets()}


def test_no_schema_org_block_on_hidden_dataset_pages(app, as_sysadmin, ids):
    for name in ("jeu-prive-en-validation", "jeu-interne", "jeu-partenaires"):
        response = app.get(f"/dataset/{name}", headers=as_sysadmin)
        assert response.status_code == 200, name  # the sysadmin does see the page
        assert schema_org_block(response.get_data(as_text=True)) == "", name


def test_schema_org_block_on_public_dataset_pages(app, ids):
    page = app.get("/dataset/comptages-velos-marseille").get_data(as_text=True)
    block = json.loads(schema_org_block(page))
    assert "Comptages vélos — agrégats horaires" in json.dumps(block, ensure_ascii=False)
