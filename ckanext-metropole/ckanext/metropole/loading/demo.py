"""The loader's demo: one dataset of the metropole with the same French
table in each kind of file the loader reads (CSV UTF-8 with ``;``, CSV
Windows-1252, CSV with a BOM, TSV, XLSX, ODS) and one broken file (a ragged
line), all uploaded, so `make run` shows loads, French types, the data
dictionary and a failure message on the resource page."""

from __future__ import annotations

import io
from importlib import resources
from typing import Any

import ckan.plugins.toolkit as toolkit
from werkzeug.datastructures import FileStorage

DATASET = "communes-fichiers-demonstration"
FILES = [
    ("communes-utf8.csv", "Communes (CSV UTF-8, séparateur point-virgule)", "CSV"),
    ("communes-cp1252.csv", "Communes (CSV Windows-1252, export Excel)", "CSV"),
    ("communes-bom.csv", "Communes (CSV UTF-8 avec BOM)", "CSV"),
    ("communes.tsv", "Communes (TSV)", "TSV"),
    ("communes.xlsx", "Communes (classeur Excel)", "XLSX"),
    ("communes.ods", "Communes (classeur OpenDocument)", "ODS"),
    ("communes-decale.csv", "Communes (fichier avec une ligne décalée)", "CSV"),
]


def load_demo_files(context: dict[str, Any]) -> list[str]:
    """Create the demo dataset once; its loads go through the jobs queue."""
    try:
        toolkit.get_action("package_show")(dict(context), {"id": DATASET})
        return []
    except toolkit.ObjectNotFound:
        pass
    from ..communes import loader

    epci = loader.existing_by("siren").get(toolkit.config.get("ckanext.metropole.epci"))
    if epci is None:
        return []
    dataset = toolkit.get_action("package_create")(dict(context), {
        "name": DATASET, "title": "Communes — un même tableau dans chaque format de fichier",
        "notes": ("Démonstration du chargement automatique dans le DataStore : codes INSEE "
                  "et postaux conservés en texte, nombres à virgule, espaces de milliers, "
                  "dates françaises, oui/non. Le dernier fichier a une ligne décalée : "
                  "sa page explique l'erreur."),
        "owner_org": epci.name, "communes": ["metropole"], "themes": ["services"],
        "license_id": "etalab-2.0", "access_level": "open",
        "provenance": "Jeu de démonstration du portail.",
        "tags": [{"name": "démonstration"}]})
    folder = resources.files("ckanext.metropole.loading") / "demo_files"
    for filename, name, file_format in FILES:
        upload = FileStorage(stream=io.BytesIO((folder / filename).read_bytes()),
                             filename=filename)
        toolkit.get_action("resource_create")(dict(context), {
            "package_id": dataset["id"], "name": name, "format": file_format,
            "upload": upload, "url": filename})
    return [DATASET]
