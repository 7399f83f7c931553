"""The loader's tests: files uploaded through CKAN's actions, loads run by
the portal's jobs worker (CKAN's RQ worker on the test profile's Redis,
running each job inline as `ckan metropole worker` does in its default
threads mode; one burst per call) into the real DataStore."""

from __future__ import annotations

from pathlib import Path

import pytest

from ..helpers import api, dataset_fields

FIXTURES = Path(__file__).parent.parent / "fixtures" / "loading"


@pytest.fixture
def jobs():
    """Empties the queue (other modules' resources enqueue loads nobody ran),
    then gives a function that runs every queued job to the end."""
    from ckanext.metropole.runtime.background import job_worker

    api("job_clear")

    def run() -> None:
        job_worker(inline=True).work(burst=True, with_scheduler=False)

    return run


@pytest.fixture
def dataset(catalogue) -> dict:
    return api("package_create", **dataset_fields())


@pytest.fixture
def upload(create_with_upload, dataset):
    """Create (or, with ``resource_id``, replace the file of) a resource."""
    def make(content: bytes, filename: str, resource_id: str | None = None, **fields) -> dict:
        from .. import helpers

        site = helpers.api("get_site_user", context={"ignore_auth": True})
        context = {"user": site["name"], "ignore_auth": True}
        if resource_id:
            return create_with_upload(content, filename, context=context, id=resource_id,
                                      action="resource_update", url=filename, **fields)
        return create_with_upload(content, filename, context=context,
                                  package_id=dataset["id"], url=filename,
                                  name=filename, **fields)
    return make


def status_of(resource_id: str) -> dict:
    from ckanext.metropole.loading import status

    return status.read(resource_id) or {}


def table(resource_id: str) -> dict:
    return api("datastore_search", resource_id=resource_id, limit=1000, sort="_id")


def types_of(resource_id: str) -> dict[str, str]:
    return {f["id"]: f["type"] for f in table(resource_id)["fields"] if f["id"] != "_id"}
