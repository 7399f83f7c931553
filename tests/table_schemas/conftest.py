"""Fixtures of the declared Table Schemas' tests: the national schemas'
sample files (tests/fixtures/table_schemas, copied with their SOURCE.txt)
and a real jobs worker."""

from __future__ import annotations

from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "table_schemas"
PARKING = "etalab/schema-stationnement@0.1.5"


def sample(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def run_jobs() -> None:
    """CKAN's own jobs worker, in burst mode: every queued job runs in a
    forked work-horse, as in production, then it returns."""
    from ckan.lib.jobs import Worker

    Worker().work(burst=True)


@pytest.fixture
def upload_file(create_with_upload, test_request_context):
    """Upload a file with ``action`` (resource_create, resource_patch…), as the
    site user. Only the upload runs in a request context of its own: a context
    kept for the whole test would keep its language for the pages it gets."""
    from ckan.tests.helpers import call_action

    def upload(content: bytes, filename: str = "parkings.csv", **fields) -> dict:
        site_user = call_action("get_site_user", context={"ignore_auth": True})
        with test_request_context():
            return create_with_upload(content, filename,
                                      context={"user": site_user["name"],
                                               "ignore_auth": True}, **fields)

    return upload


@pytest.fixture
def uploaded(upload_file):
    """A resource uploaded to a new dataset (the file kept in storage)."""
    from ..helpers import api, dataset_fields

    def upload(content: bytes, filename: str = "parkings.csv", dataset: dict | None = None,
               **fields) -> dict:
        dataset = dataset or api("package_create", **dataset_fields())
        return upload_file(content, filename, package_id=dataset["id"], url=filename,
                           format="CSV", **fields)

    return upload


@pytest.fixture(scope="module")
def pages():
    """One Flask test client for the module (building CKAN's app takes
    seconds; the pages it serves read the database, so sharing it is safe)."""
    from ckan.tests.helpers import _get_test_app

    return _get_test_app()
