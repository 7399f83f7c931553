"""Fixtures for the search backend's tests (a real PostgreSQL, no mocks)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ckanext.metropole.search import connection, plugin

# `backend`: a test taking it runs once per search backend (PostgreSQL, Solr).
from .backends import backend  # noqa: F401

SEARCH_TESTS = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """These tests are about search on CKAN's core behaviour: they create
    datasets outside organisations, which the portal's test.ini forbids."""
    for item in items:
        if SEARCH_TESTS in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.ckan_config("ckan.auth.create_unowned_dataset", True))


# Documents written directly through the connection live under their own
# site id, so they never mix with the datasets of CKAN-level tests.
SITE = "metropole-search-unit"


@pytest.fixture
def conn() -> Iterator[connection.PostgresSolr]:
    plugin.install()
    solr = connection.PostgresSolr(decode_dates=False)
    solr.delete(q=f'+site_id:"{SITE}"')
    yield solr
    solr.delete(q=f'+site_id:"{SITE}"')


def make_doc(ident: str, **fields: Any) -> dict[str, Any]:
    """A minimal index document as PackageSearchIndex would send it."""
    doc: dict[str, Any] = {
        "id": ident,
        "index_id": f"{SITE}-{ident}",
        "site_id": SITE,
        "name": ident,
        "entity_type": "package",
        "dataset_type": "dataset",
        "state": "active",
        "capacity": "public",
        "permission_labels": ["public"],
        "metadata_created": "2024-01-01T00:00:00Z",
        "metadata_modified": "2024-01-01T00:00:00Z",
    }
    doc.update(fields)
    return doc


def ids(conn: connection.PostgresSolr, q: str = "*:*", **params: Any) -> list[str]:
    fq = params.pop("fq", [])
    fq = [fq] if isinstance(fq, str) else list(fq)
    params.setdefault("rows", 100)
    params.setdefault("fl", "id")
    result = conn.search(q=q, fq=fq + [f'+site_id:"{SITE}"'], **params)
    return [doc["id"] for doc in result.docs]
