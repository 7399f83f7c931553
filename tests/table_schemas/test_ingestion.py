"""The ingestion API: datastore_create / datastore_upsert on a resource that
declares a Table Schema check each record first; one bad record and the
batch answers 409 with every bad record's errors, and nothing is written. A
stored mapping lets a third party push its own field names. 10,000 records
per call."""

from __future__ import annotations

import csv
import io
import json
import time

import pytest

from ..helpers import api, dataset_fields
from .conftest import PARKING, sample

pytestmark = pytest.mark.usefixtures("catalogue")

ROWS = list(csv.DictReader(io.StringIO(sample("stationnement/exemple-valide.csv").decode())))


def parking(i: int) -> dict:
    return {**ROWS[0], "id": f"{13000 + i // 1000:05d}-P-{i % 1000:03d}"}


@pytest.fixture
def declared_table(admin_with_token):
    dataset = api("package_create", **dataset_fields(resources=[
        {"name": "Parkings (API)", "url": "http://example.org/parkings", "format": "CSV",
         "table_schema": PARKING,
         "table_schema_mapping": json.dumps({
             "Identifiant": "id", "Tarif 1 heure": {"field": "tarif_1h",
                                                    "convert": "decimal_comma"},
             "Gratuit": {"field": "gratuit", "convert": "boolean_fr"}})}]))
    resource = dataset["resources"][0]
    created = api("datastore_create", resource_id=resource["id"], force=True,
                  records=[parking(0)])
    return resource, created, {"Authorization": admin_with_token["token"]}


def count(resource_id: str) -> int:
    return api("datastore_search", resource_id=resource_id, limit=0)["total"]


def test_the_table_takes_the_schema_types_and_a_bad_batch_writes_nothing(pages,
                                                                           declared_table):
    resource, created, headers = declared_table
    types = {f["id"]: f["type"] for f in created["fields"]}
    assert types["nb_places"] == "int8" and types["tarif_1h"] == "numeric"
    assert types["insee"] == "text" and types["gratuit"] == "bool"
    assert count(resource["id"]) == 1

    good, wrong_type, unknown = parking(1), {**parking(2), "nb_places": "beaucoup"}, \
        {**parking(3), "couleur": "bleu"}
    answer = pages.post("/api/3/action/datastore_upsert", headers=headers, status=409,
                        json={"resource_id": resource["id"], "method": "upsert", "force": True,
                              "records": [good, wrong_type, unknown]}).json
    errors = answer["error"]
    assert "rien n’a été écrit" in errors["records"][0]
    by_index = {item["index"]: item["errors"] for item in errors["record_errors"]}
    assert set(by_index) == {1, 2}
    assert by_index[1][0]["field"] == "nb_places"
    assert by_index[1][0]["message"] == "La valeur n’est pas un nombre entier."
    assert by_index[2][0]["field"] == "couleur"
    assert "n’est pas dans le schéma" in by_index[2][0]["message"]
    assert count(resource["id"]) == 1  # not even the good record

    english = pages.post("/en/api/3/action/datastore_upsert", headers=headers, status=409,
                         json={"resource_id": resource["id"], "method": "upsert",
                               "force": True, "records": [wrong_type]}).json
    assert english["error"]["record_errors"][0]["errors"][0]["message"] == \
        "The value is not a whole number."


def test_a_third_party_pushes_its_own_field_names_through_the_mapping(declared_table):
    resource, _, _ = declared_table
    theirs = {k: v for k, v in parking(4).items() if k not in ("id", "tarif_1h", "gratuit")}
    theirs.update({"Identifiant": parking(4)["id"], "Tarif 1 heure": "5,5",
                   "Gratuit": "non"})
    api("datastore_upsert", resource_id=resource["id"], method="upsert", force=True,
        records=[theirs])
    stored = api("datastore_search", resource_id=resource["id"],
                 filters={"id": parking(4)["id"]})["records"][0]
    assert float(stored["tarif_1h"]) == 5.5 and stored["gratuit"] is False


def test_ten_thousand_records_in_one_call(declared_table):
    resource, _, _ = declared_table
    records = [parking(i) for i in range(10, 10_010)]
    started = time.perf_counter()
    api("datastore_upsert", resource_id=resource["id"], method="upsert", force=True,
        records=records)
    elapsed = time.perf_counter() - started
    print(f"\n10,000 records checked and upserted in {elapsed:.1f} s")
    assert count(resource["id"]) == 1 + 10_000



def test_a_table_without_schema_is_created_with_its_new_resource(catalogue):
    """CKAN's `datastore_create` with `resource` (the resource made in the
    same call, no id yet), by a steward, goes through the schema check
    untouched (the DataStore's auth function once wrote the package id into
    the request, read back as the resource's)."""
    from ckan.tests import factories
    from ckan.tests.helpers import call_action

    from ..helpers import MARSEILLE, org_name

    steward = factories.User()
    api("organization_member_create", id=org_name(MARSEILLE), username=steward["name"],
        role="editor")
    dataset = api("package_create", **dataset_fields(owner_org=org_name(MARSEILLE)))
    table = call_action("datastore_create", context={"user": steward["name"], "ignore_auth": False},
                        resource={"package_id": dataset["id"], "name": "Relevés"},
                        fields=[{"id": "label", "type": "text"}], records=[{"label": "a"}],
                        force=True)
    assert api("datastore_search", resource_id=table["resource_id"])["total"] == 1
