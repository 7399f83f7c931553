"""Hand-made demo datasets, so a newcomer's portal has something in every
theme and several communes from the first minute.

Each file of ``content/`` becomes an uploaded resource whose rows are also
loaded into the DataStore (table preview, API, CSV dump). One internal
dataset shows the charter at work: it is private, and nobody but the
metropole's staff sees it.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import ckan.plugins.toolkit as toolkit
from werkzeug.datastructures import FileStorage

CONTENT_DIR = Path(__file__).parent / "content"
FREQUENCY = "http://publications.europa.eu/resource/authority/frequency/"

DEMO_DATASETS: list[dict[str, Any]] = [
    {
        "name": "points-apport-verre-aix-en-provence",
        "title": "Points d'apport volontaire du verre — Aix-en-Provence",
        "notes": "Emplacement et volume des colonnes à verre de la ville d'Aix-en-Provence.",
        "org_insee": "13001", "communes": ["13001"], "themes": ["dechets"],
        "frequency": FREQUENCY + "MONTHLY", "tags": ["verre", "recyclage", "PAV"],
        "file": "pav-verre-aix.csv",
    },
    {
        "name": "parkings-relais-metropole",
        "title": "Parkings relais de la métropole",
        "notes": "Parcs relais (P+R) de la métropole, capacité et ligne desservie.",
        "org_epci": True, "communes": ["metropole"], "themes": ["mobilite"],
        "frequency": FREQUENCY + "ANNUAL", "tags": ["stationnement", "parc relais", "transports"],
        "file": "parkings-relais.csv",
    },
    {
        "name": "equipements-culturels-marseille",
        "title": "Équipements culturels de Marseille",
        "notes": "Musées, salles de spectacle, bibliothèques et cinémas de Marseille.",
        "org_insee": "13055", "communes": ["13055"], "themes": ["culture", "tourisme"],
        "frequency": FREQUENCY + "ANNUAL", "tags": ["musées", "spectacle", "bibliothèques"],
        "file": "equipements-culturels-marseille.csv",
    },
    {
        "name": "marches-forains",
        "title": "Marchés forains du pays d'Aubagne et de Marseille",
        "notes": "Jours, horaires et nombre d'étals des marchés forains.",
        "org_insee": "13005", "communes": ["13005", "13055", "13001", "13028"],
        "themes": ["commerce"], "frequency": FREQUENCY + "QUARTERLY",
        "tags": ["marchés", "commerce de proximité"], "file": "marches-forains.csv",
    },
    {
        "name": "budget-primitif-2026-metropole",
        "title": "Budget primitif 2026 de la Métropole",
        "notes": "Budget primitif voté, par section et chapitre (M57).",
        "org_epci": True, "communes": ["metropole"], "themes": ["services"],
        "frequency": FREQUENCY + "ANNUAL", "tags": ["budget", "finances"],
        "file": "budget-primitif-2026.csv", "license_id": "odc-odbl",
    },
    {
        "name": "inventaire-interne-compteurs",
        "title": "Inventaire interne des compteurs (données internes)",
        "notes": "Inventaire technique des compteurs : réservé aux services de la métropole.",
        "org_epci": True, "communes": ["metropole"], "themes": ["velo-pietons"],
        "tags": ["interne"], "access_level": "internal", "license_id": "partner-convention",
        "private": True,
    },
]


def _organisation(spec: dict[str, Any]) -> str | None:
    from metropole_core import commune_registry as registry

    from ..communes import loader

    if spec.get("org_epci"):
        siren = toolkit.config.get("ckanext.metropole.epci")
        group = loader.existing_by("siren").get(siren)
        return group.name if group else None
    known = registry.communes().get(spec["org_insee"])
    return known.org_name if known else None


def _upload(context: dict, dataset_id: str, path: Path) -> dict:
    """The file as a steward uploads it: the portal's loader (metropole_loading)
    fills its DataStore table in a job. Writing the table here as well raced
    that job (two CREATE TABLE of the same name: the start-up checks crashed)."""
    with path.open("rb") as handle:
        upload = FileStorage(stream=io.BytesIO(handle.read()), filename=path.name,
                             content_type="text/csv")
    return toolkit.get_action("resource_create")(dict(context), {
        "package_id": dataset_id, "name": path.stem.replace("-", " ").capitalize(),
        "format": "CSV", "upload": upload, "url": path.name,
    })


def load_demo_datasets(context: dict) -> list[str]:
    """Create the demo datasets that do not exist yet; returns their names."""
    created = []
    for spec in DEMO_DATASETS:
        try:
            toolkit.get_action("package_show")(dict(context), {"id": spec["name"]})
            continue
        except toolkit.ObjectNotFound:
            pass
        owner = _organisation(spec)
        if owner is None:
            continue  # communes not loaded for this metropole (another EPCI)
        fields = {key: spec[key] for key in ("name", "title", "notes", "communes", "themes")}
        fields.update({
            "owner_org": owner, "tags": [{"name": t} for t in spec.get("tags", [])],
            "license_id": spec.get("license_id", "etalab-2.0"),
            "access_level": spec.get("access_level", "open"),
            "private": spec.get("private", False),
            "provenance": "Jeu de démonstration du portail.",
        })
        if spec.get("frequency"):
            fields["frequency"] = spec["frequency"]
        dataset = toolkit.get_action("package_create")(dict(context), fields)
        if spec.get("file"):
            _upload(context, dataset["id"], CONTENT_DIR / spec["file"])
        created.append(spec["name"])
    return created
