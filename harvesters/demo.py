"""Demo harvest sources pointing at the local sample server (``make run``).

The runtime starts ``python -m ckanext.metropole.demo.samples --port N`` in
demo mode; :func:`ensure_demo_sources` then registers one SensorThings and
one FIWARE (NGSI-v2 + QuantumLeap) source on it, scheduled hourly at minute
5, and is safe to call at every start (existing sources are left alone).
"""

from __future__ import annotations

import json
from typing import Any

import ckan.plugins.toolkit as toolkit

DEMO_SOURCES: list[dict[str, Any]] = [
    {
        "name": "capteurs-metropole-sensorthings",
        "title": "capteurs de la métropole",
        "source_type": "sensorthings",
        "path": "/sensorthings/v1.1",
        "config": {"schedule": "5 * * * *", "history": "P14D", "lookback": "PT2H",
                   "communes": ["metropole"]},
        "notes": "Bruit, comptages vélo, hauteurs d'eau et éclairage public "
                 "(serveur SensorThings de démonstration).",
    },
    {
        "name": "capteurs-metropole-fiware",
        "title": "points d'apport et éclairage (FIWARE)",
        "source_type": "ngsi",
        "path": "/ngsi",
        "config": {"schedule": "5 * * * *", "history": "P14D", "flavour": "v2",
                   "quantumleap_url": "{base}/ngsi/ql",
                   "entity_types": ["WasteContainer", "Streetlight"], "communes": ["metropole"]},
        "notes": "Remplissage des conteneurs et état des lampadaires "
                 "(courtier FIWARE de démonstration, séries QuantumLeap).",
    },
]


def ensure_demo_sources(context: dict[str, Any], base_url: str, owner_org: str
                        ) -> list[str]:
    """Create the demo sources that do not exist yet; returns their ids."""
    created = []
    base_url = base_url.rstrip("/")
    for spec in DEMO_SOURCES:
        try:
            toolkit.get_action("harvest_source_show")({**context}, {"id": spec["name"]})
            continue
        except toolkit.ObjectNotFound:
            pass
        config = json.loads(json.dumps(spec["config"]).replace("{base}", base_url))
        source = toolkit.get_action("harvest_source_create")({**context}, {
            "name": spec["name"], "title": spec["title"], "notes": spec["notes"],
            "url": base_url + spec["path"], "source_type": spec["source_type"],
            "owner_org": owner_org, "config": json.dumps(config),
        })
        created.append(source["id"])
    return created
