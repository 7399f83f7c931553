"""ckanext-harvest source type ``wfs``: OGC WFS 2.0.0 (1.1.0 as fallback).

Source URL: the WFS endpoint (``https://sig.example.fr/geoserver/wfs``).
Config (JSON), besides the GIS keys of ``gis/config.py``::

    {"schedule": "30 2 * * *", "include": ["voirie:*"], "exclude": ["*_tmp"],
     "organization": "marseille", "themes": ["reference-sig"],
     "license_id": "etalab-2.0", "filter": {"statut": "ouvert"},
     "sort_by": "gid", "page_size": 1000, "withdraw_after": 3}

One dataset per feature type (``gis/harvester.py``).
"""

from __future__ import annotations

from typing import Any

from .gis.harvester import GisHarvesterBase
from .gis.protocol import LayerProtocol
from .protocols import wfs


class Wfs(LayerProtocol):
    CLIENT = wfs

    def page_options(self, config: dict[str, Any]) -> dict[str, Any]:
        # WFS paging is not transaction safe: sortBy keeps pages stable.
        return {"sort_by": config.get("sort_by")}


class WfsHarvester(GisHarvesterBase):
    SOURCE_TYPE = "wfs"
    TITLE = "OGC WFS 2.0 / 1.1 (couches SIG)"
    DESCRIPTION = ("Couches d'un service WFS (GeoServer, QGIS Server, MapServer, ArcGIS) : "
                   "un jeu de données par couche, instantané GeoJSON WGS84 et CSV.")
    PROTOCOL = Wfs()
