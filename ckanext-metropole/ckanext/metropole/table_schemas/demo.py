"""Demo content of the declared schemas (``make run``): two parking datasets
declared against the national parking schema, one that passes (its dataset
shows the "conforme au schéma" badge and the facet) and one with a failing
row (its resource page shows the French report). Idempotent."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import ckan.plugins.toolkit as toolkit
from werkzeug.datastructures import FileStorage

DEMO_FILES = Path(__file__).parent / "demo_files"
PARKING = "etalab/schema-stationnement@0.1.5"

DATASETS: list[dict[str, Any]] = [
    {"name": "lieux-de-stationnement-marseille", "insee": "13055",
     "title": "Lieux de stationnement de Marseille (schéma national)",
     "notes": "Parkings publics de Marseille, publiés selon le schéma national des lieux "
              "de stationnement (schema.data.gouv.fr).",
     "file": "parkings-marseille.csv"},
    {"name": "lieux-de-stationnement-aix-a-corriger", "insee": "13001",
     "title": "Lieux de stationnement d'Aix-en-Provence (à corriger)",
     "notes": "Un fichier déclaré selon le schéma national des lieux de stationnement, "
              "dont une ligne ne le respecte pas : le rapport dit laquelle et comment "
              "la corriger.",
     "file": "parkings-aix-a-corriger.csv"},
]


def load_demo_schemas(context: dict) -> list[str]:
    """Create the missing demo datasets; their validation jobs are queued."""
    from metropole_core import commune_registry as registry

    created = []
    for spec in DATASETS:
        try:
            toolkit.get_action("package_show")(dict(context), {"id": spec["name"]})
            continue
        except toolkit.ObjectNotFound:
            pass
        commune = registry.communes().get(spec["insee"])
        if commune is None:
            continue  # another metropole's communes
        dataset = toolkit.get_action("package_create")(dict(context), {
            "name": spec["name"], "title": spec["title"], "notes": spec["notes"],
            "owner_org": commune.org_name, "communes": [spec["insee"]],
            "themes": ["mobilite"], "license_id": "etalab-2.0", "access_level": "open",
            "tags": [{"name": "stationnement"}], "provenance": "Jeu de démonstration du portail.",
        })
        path = DEMO_FILES / spec["file"]
        toolkit.get_action("resource_create")(dict(context), {
            "package_id": dataset["id"], "name": "Lieux de stationnement", "format": "CSV",
            "url": path.name, "table_schema": PARKING,
            "conforms_to": "etalab/schema-stationnement",
            "upload": FileStorage(stream=io.BytesIO(path.read_bytes()), filename=path.name,
                                  content_type="text/csv"),
        })
        created.append(spec["name"])
    return created
