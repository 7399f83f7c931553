"""The whole public DCAT catalogue as one RDF graph, every page of the
catalogue endpoint merged (for validation and benchmarks)."""

from __future__ import annotations

from collections.abc import Iterator

import ckan.plugins.toolkit as toolkit
from rdflib import Graph, Namespace

HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")


def pages(fmt: str = "ttl", modified_since: str | None = None) -> Iterator[str]:
    """Each page of the catalogue endpoint, as anonymous (what harvesters get)."""
    page = 1
    while True:
        data = {"page": page, "format": fmt}
        if modified_since:
            data["modified_since"] = modified_since
        output = toolkit.get_action("dcat_catalog_show")({"user": ""}, data)
        yield output
        graph = Graph().parse(data=output, format="turtle" if fmt == "ttl" else fmt)
        if _next_page(graph) is None:
            return
        page += 1


def whole_graph() -> Graph:
    graph = Graph()
    for output in pages():
        graph.parse(data=output, format="turtle")
    return graph


def fetch_graph(url: str, timeout: float = 30) -> Graph:
    """A remote catalogue over HTTP, following hydra:nextPage."""
    import requests

    graph = Graph()
    seen = set()
    while url and url not in seen:
        seen.add(url)
        response = requests.get(url, timeout=timeout,
                                headers={"Accept": "text/turtle, application/rdf+xml"})
        response.raise_for_status()
        page = Graph().parse(data=response.text, format=_rdf_format(response))
        graph += page
        next_page = _next_page(page)
        url = str(next_page) if next_page else ""
    return graph


def _next_page(graph: Graph):
    """Hydra's next page (hydra:next, or the older hydra:nextPage)."""
    return next(graph.objects(None, HYDRA.next), None) or next(
        graph.objects(None, HYDRA.nextPage), None)


def _rdf_format(response) -> str:
    content_type = response.headers.get("Content-Type", "").split(";")[0].strip()
    return {"text/turtle": "turtle", "application/ld+json": "json-ld",
            "application/rdf+xml": "xml", "application/n-triples": "nt"}.get(
        content_type, "turtle")
