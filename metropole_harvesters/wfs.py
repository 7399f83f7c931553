"""ckanext-harvest source type ``wfs``: OGC WFS 2.0.0 (1.1.0 as fallback).

Source URL: the WFS endpoint (``https://sig.example.fr/geoserver/wfs``).
Config (JSON), besides the common keys of ``pipeline/config.py``::

    {"schedule": "30 2 * * *", "include": ["voirie:*"], "exclude": ["*_tmp"],
     "organization": "marseille", "themes": ["reference-sig"],
     "license_id": "etalab-2.0", "filter": {"statut": "ouvert"},
     "sort_by": "gid", "page_size": 1000, "withdraw_after": 3}

One dataset per feature type (``gis/harvester.py``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .gis.geometry import Page
from .gis.harvester import DEFAULT_PAGE_SIZE, GisHarvesterBase
from .gis.model import Layer
from .protocols import wfs


class WfsHarvester(GisHarvesterBase):
    SOURCE_TYPE = "wfs"
    TITLE = "OGC WFS 2.0 / 1.1 (couches SIG)"
    DESCRIPTION = ("Couches d'un service WFS (GeoServer, QGIS Server, MapServer, ArcGIS) : "
                   "un jeu de données par couche, instantané GeoJSON WGS84 et CSV.")
    CLIENT = wfs

    def pages(self, session: Any, layer: Layer, config: dict[str, Any],
              seen: dict[str, Any]) -> Iterator[Page]:
        # WFS paging is not transaction safe: sortBy keeps pages stable.
        return wfs.pages(session, layer, int(config.get("page_size", DEFAULT_PAGE_SIZE)),
                         equals=config.get("filter"), sort_by=config.get("sort_by"),
                         seen=seen)
