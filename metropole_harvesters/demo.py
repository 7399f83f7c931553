"""Demo harvest sources pointing at the local sample server (``make run``).

The runtime starts ``python -m ckanext.metropole.demo.samples --port N`` in
demo mode; :func:`ensure_demo_sources` then registers one SensorThings and
one FIWARE (NGSI-v2 + QuantumLeap) source on it, scheduled hourly at minute
5, and three GIS sources (WFS, OGC API – Features, ArcGIS REST) nightly (a
source never run is due at once), and is safe to call at every start
(existing sources are left alone).
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
    # GIS layers (issue 6): the same four layers through the three protocols,
    # nightly; each protocol's datasets are named after its source.
    {
        "name": "sig-metropole-wfs",
        "title": "SIG de la métropole (WFS)",
        "source_type": "wfs",
        "path": "/gis/wfs",
        "config": {"schedule": "30 2 * * *", "themes": ["reference-sig"],
                   "communes": ["metropole"]},
        "notes": "Pistes cyclables, points d'apport volontaire, zones inondables et parcs "
                 "(service WFS 2.0 de démonstration, Lambert-93).",
    },
    {
        "name": "sig-metropole-ogcapi",
        "title": "SIG de la métropole (OGC API)",
        "source_type": "ogcapi-features",
        "path": "/gis/ogcapi",
        "config": {"schedule": "40 2 * * *", "themes": ["reference-sig"],
                   "communes": ["metropole"], "include": ["zones_inondables", "parcs_jardins"]},
        "notes": "Zones inondables et parcs (service OGC API – Features de démonstration).",
    },
    {
        "name": "sig-metropole-arcgis",
        "title": "SIG de la métropole (ArcGIS)",
        "source_type": "arcgis-rest",
        "path": "/gis/arcgis/rest/services/Metropole/FeatureServer",
        "config": {"schedule": "50 2 * * *", "themes": ["reference-sig"],
                   "communes": ["metropole"], "include": ["Aménagements cyclables"]},
        "notes": "Aménagements cyclables (FeatureServer ArcGIS de démonstration, wkid 102110).",
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
