"""The demo's declared schemas (``make run``): a passing parking dataset with
its badge, and a failing one whose resource page shows the report."""

from __future__ import annotations

import pytest

from ckanext.metropole.table_schemas import store
from ckanext.metropole.table_schemas.demo import DATASETS, load_demo_schemas

from ..helpers import api
from .conftest import run_jobs

pytestmark = pytest.mark.usefixtures("catalogue", "clean_redis")


def test_the_demo_shows_a_badge_and_a_report(with_request_context):
    site_user = api("get_site_user")
    context = {"user": site_user["name"], "ignore_auth": True}
    load_demo_schemas(context)
    assert load_demo_schemas(context) == []  # idempotent
    run_jobs()
    passing, failing = (api("package_show", id=spec["name"]) for spec in DATASETS)
    assert store.get(passing["resources"][0]["id"]).status == store.VALID
    bad = store.get(failing["resources"][0]["id"])
    assert bad.status == store.INVALID
    assert {(p["row"], p["column"]) for p in bad.problems} == {
        (3, "nb_places"), (3, "tarif_pmr"), (3, "num_siret")}
    assert bad.schema_title == "Lieux de stationnement"
    assert store.get(passing["resources"][0]["id"]).schema_version == "0.1.5"
