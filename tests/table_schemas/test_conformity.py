"""What passing earns a dataset: the "conforme au schéma X vN" badge on its
page, the search facet, and dct:conformsTo in the DCAT export — each only
when the declaring resources pass."""

from __future__ import annotations

import uuid

import pytest
from ckan.tests.helpers import call_action
from rdflib import Graph, Namespace, URIRef

from ..helpers import api, dataset_fields
from .conftest import PARKING, run_jobs, sample

pytestmark = pytest.mark.usefixtures("catalogue", "clean_redis")

DCT = Namespace("http://purl.org/dc/terms/")
PARKING_IRI = URIRef("https://schema.data.gouv.fr/etalab/schema-stationnement/0.1.5/")
FACET = "conforms_table_schema"


def distribution_standards(dataset_id: str) -> dict[str, set]:
    graph = Graph().parse(data=call_action(
        "dcat_dataset_show", context={"user": ""}, id=dataset_id, format="ttl"),
        format="turtle")
    return {str(dist).rsplit("/", 1)[-1]: set(graph.objects(dist, DCT.conformsTo))
            for dist in graph.subjects(predicate=None, object=URIRef(
                "http://www.w3.org/ns/dcat#Distribution"))}


def test_badge_facet_and_conforms_to_only_for_resources_that_pass(pages, uploaded):
    token = uuid.uuid4().hex[:12]  # the database keeps other tests' datasets
    passing = api("package_create", **dataset_fields(title=f"Parkings conformes {token}"))
    failing = api("package_create", **dataset_fields(title=f"Parkings non conformes {token}"))
    good = uploaded(sample("stationnement/exemple-valide.csv"), dataset=passing,
                    table_schema=PARKING, conforms_to="etalab/schema-stationnement")
    bad = uploaded(sample("stationnement/exemple-invalide.csv"), dataset=failing,
                   table_schema=PARKING, conforms_to="etalab/schema-stationnement")
    # Pending: nothing is claimed yet.
    assert distribution_standards(passing["id"])[good["id"]] == set()
    run_jobs()

    page = pages.get(f"/dataset/{passing['name']}").body
    assert "conforme au schéma Lieux de stationnement v0.1.5" in page
    assert "conforme au schéma" not in pages.get(f"/dataset/{failing['name']}").body

    both = api("package_search", q=token, **{"facet.field": f'["{FACET}"]'})
    assert both["count"] == 2 and both["facets"][FACET] == {PARKING: 1}
    found = api("package_search", q=token, fq=f'{FACET}:"{PARKING}"')
    assert [d["id"] for d in found["results"]] == [passing["id"]]
    facet_page = pages.get("/dataset/", params={"q": token, FACET: PARKING}).body
    assert "Parkings conformes" in facet_page and "Parkings non conformes" not in facet_page
    assert "Lieux de stationnement v0.1.5" in facet_page

    assert distribution_standards(passing["id"])[good["id"]] == {PARKING_IRI}
    assert distribution_standards(failing["id"])[bad["id"]] == set()
