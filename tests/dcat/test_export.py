"""The DCAT-AP 3 export: valid against the official SHACL shapes, and every
metropolitan field where data.gouv.fr and DCAT-AP expect it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from ckan.tests.helpers import call_action
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, SKOS

from ckanext.metropole.dcat import shacl

from .conftest import AIX, MARSEILLE, portal_plugins

pytestmark = [pytest.mark.ckan_config("ckan.plugins", portal_plugins()),
              pytest.mark.usefixtures("with_request_context")]

SHAPES = Path(__file__).resolve().parents[1] / "fixtures" / "shacl" / "dcat-ap_3_shacl_shapes.ttl"
LOCN = Namespace("http://www.w3.org/ns/locn#")
GSP = Namespace("http://www.opengis.net/ont/geosparql#")
EU = "http://publications.europa.eu/resource/authority/"


def catalogue_graph() -> Graph:
    """Every page of the catalogue endpoint, as anonymous."""
    graph, page = Graph(), 1
    while True:
        output = call_action("dcat_catalog_show", context={"user": ""}, page=page,
                             format="ttl")
        page_graph = Graph().parse(data=output, format="turtle")
        graph += page_graph
        if not list(page_graph.subjects(RDF.type, DCAT.Dataset)):
            return graph
        page += 1


_graphs: dict[str, Graph] = {}


@pytest.fixture
def graph(fixture_catalogue):
    """Serialised once per module: the tests only read it."""
    if "catalogue" not in _graphs:
        _graphs["catalogue"] = catalogue_graph()
    return _graphs["catalogue"]


def dataset_ref(graph: Graph, name: str) -> URIRef:
    for ref in graph.subjects(RDF.type, DCAT.Dataset):
        if str(ref).endswith("/dataset/" + _id(name)):
            return ref
    raise AssertionError(f"{name} is not in the catalogue")


def _id(name: str) -> str:
    return call_action("package_show", context={"ignore_auth": True}, id=name)["id"]


def test_zero_shacl_violations_on_the_fixture_catalogue(graph):
    assert len(list(graph.subjects(RDF.type, DCAT.Dataset))) == 4
    results = shacl.validate(graph, shacl.load_shapes(SHAPES))
    violations = shacl.violations_only(results)
    assert violations == [], "\n".join(map(str, violations))


def test_communes_are_insee_uris_with_a_geometry_in_wkt_and_geojson(graph):
    ref = dataset_ref(graph, "hebergements-touristiques")
    spatial = set(graph.objects(ref, DCTERMS.spatial))
    insee = {URIRef(f"http://id.insee.fr/geo/commune/{c}") for c in (AIX, MARSEILLE)}
    assert insee <= spatial
    assert graph.value(URIRef(f"http://id.insee.fr/geo/commune/{AIX}"), SKOS.prefLabel) == \
        Literal("Aix-en-Provence", lang="fr")
    geometries = [g for s in spatial for g in graph.objects(s, LOCN.geometry)]
    assert len(geometries) == 1
    wkt = graph.value(geometries[0], GSP.asWKT)
    geojson = graph.value(geometries[0], GSP.asGeoJSON)
    assert wkt.datatype == GSP.wktLiteral and str(wkt).startswith("MULTIPOLYGON")
    assert geojson.datatype == GSP.geoJSONLiteral
    assert json.loads(geojson)["type"] == "MultiPolygon"
    # data.gouv.fr reads a WKT literal on the location itself.
    bbox = [graph.value(s, DCAT.bbox) for s in spatial if graph.value(s, DCAT.bbox)]
    assert len(bbox) == 1 and str(bbox[0]).startswith("POLYGON")


def test_themes_eu_and_own_frequency_temporal_and_resolution(graph, ckan_config):
    site = ckan_config["ckan.site_url"].rstrip("/")
    ref = dataset_ref(graph, "comptages-velos-marseille")
    themes = set(graph.objects(ref, DCAT.theme))
    assert URIRef(EU + "data-theme/TRAN") in themes
    assert URIRef(f"{site}/group/velo-pietons") in themes
    assert graph.value(ref, DCTERMS.accrualPeriodicity) == URIRef(EU + "frequency/HOURLY")
    assert str(graph.value(ref, DCAT.temporalResolution)) == "PT1H"
    period = graph.value(ref, DCTERMS.temporal)
    assert str(graph.value(period, DCAT.startDate)) == "2026-01-01"
    assert str(graph.value(period, DCAT.endDate)) == "2026-11-21"


def test_access_rights_licences_and_rights(graph):
    expected = {"comptages-velos-marseille": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
                "bati-metropole": "https://opendatacommons.org/licenses/odbl/1-0/",
                "hebergements-touristiques": "https://creativecommons.org/licenses/by/4.0/",
                "equipements-culturels": "https://creativecommons.org/publicdomain/zero/1.0/"}
    for name, licence in expected.items():
        ref = dataset_ref(graph, name)
        assert graph.value(ref, DCTERMS.accessRights) == URIRef(EU + "access-right/PUBLIC")
        for distribution in graph.objects(ref, DCAT.distribution):
            assert graph.value(distribution, DCTERMS.license) == URIRef(licence), name
    bati = dataset_ref(graph, "bati-metropole")
    rights = [str(graph.value(r, URIRef("http://www.w3.org/2000/01/rdf-schema#label")))
              for d in graph.objects(bati, DCAT.distribution)
              for r in graph.objects(d, DCTERMS.rights)]
    assert rights and all("Mentionner « Métropole Aix-Marseille-Provence »" in r
                          for r in rights)


def test_publisher_is_the_organisation_with_its_siren(graph):
    ref = dataset_ref(graph, "bati-metropole")
    publisher = graph.value(ref, DCTERMS.publisher)
    assert (publisher, RDF.type, FOAF.Agent) in graph
    assert str(graph.value(publisher, DCTERMS.identifier)) == "200054807"
    # A commune (loaded without SIREN): its SIREN follows from its INSEE code.
    commune = graph.value(dataset_ref(graph, "hebergements-touristiques"), DCTERMS.publisher)
    assert str(graph.value(commune, DCTERMS.identifier)) == "211300017"  # Aix-en-Provence
    # A publisher the steward named keeps its own identifier.
    named = graph.value(dataset_ref(graph, "equipements-culturels"), DCTERMS.publisher)
    assert str(graph.value(named, DCTERMS.identifier)) == "211300058"


def test_datastore_resources_have_a_data_service(graph, ckan_config):
    site = ckan_config["ckan.site_url"].rstrip("/")
    ref = dataset_ref(graph, "comptages-velos-marseille")
    services = [s for d in graph.objects(ref, DCAT.distribution)
                for s in graph.objects(d, DCAT.accessService)]
    assert len(services) == 1
    service = services[0]
    assert (service, RDF.type, DCAT.DataService) in graph
    assert graph.value(service, DCAT.endpointURL) == URIRef(
        f"{site}/api/3/action/datastore_search")
    assert (service, DCAT.servesDataset, ref) in graph
    # Not DataStore-backed: no service.
    bati = dataset_ref(graph, "bati-metropole")
    assert not [s for d in graph.objects(bati, DCAT.distribution)
                for s in graph.objects(d, DCAT.accessService)]


@pytest.fixture
def cli_ini(tmp_path, request):
    """The test configuration with this feature's plugins, for the command
    (it reads its configuration file, not the test's in-memory settings)."""
    ini = tmp_path / "cli.ini"
    base = Path(request.config.getoption("--ckan-ini")).resolve()
    ini.write_text(f"[app:main]\nuse = config:{base}\nckan.plugins = {portal_plugins()}\n")
    return str(ini)


def test_validate_command_reports_zero_violations(fixture_catalogue, cli, cli_ini):
    from ckan.cli.cli import ckan

    result = cli.invoke(ckan, ["-c", cli_ini, "metropole", "dcat", "validate"])
    assert result.exit_code == 0, result.output
    assert "4 jeux de données" in result.output
    assert "0 violation(s)" in result.output


def test_validate_command_prints_violations_and_fails(fixture_catalogue, cli, cli_ini,
                                                     monkeypatch):
    """A profile regression (here: titles dropped) shows as violations."""
    from ckan.cli.cli import ckan
    from ckanext.dcat.profiles import DCT as DCT_NS

    from ckanext.metropole.dcat.profile import MetropoleDCATAPProfile

    original = MetropoleDCATAPProfile.graph_from_dataset

    def without_titles(self, dataset_dict, dataset_ref):
        original(self, dataset_dict, dataset_ref)
        self.g.remove((dataset_ref, DCT_NS.title, None))

    monkeypatch.setattr(MetropoleDCATAPProfile, "graph_from_dataset", without_titles)
    result = cli.invoke(ckan, ["-c", cli_ini, "metropole", "dcat", "validate"])
    assert result.exit_code == 1
    assert "http://purl.org/dc/terms/title" in result.output
    assert "4 violation(s)" in result.output
