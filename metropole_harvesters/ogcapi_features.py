"""ckanext-harvest source type ``ogcapi-features``: OGC API – Features.

Source URL: the API landing page (``https://api.example.fr/pygeoapi``).
Config: the GIS keys (``gis/config.py``); ``filter`` values are sent as
query parameters (Part 1 queryables). One dataset per collection.
"""

from __future__ import annotations

from .gis.harvester import GisHarvesterBase
from .gis.protocol import LayerProtocol
from .protocols import ogcapi_features as api


class OgcApiFeatures(LayerProtocol):
    CLIENT = api
    HEADERS = api.ACCEPT


class OgcApiFeaturesHarvester(GisHarvesterBase):
    SOURCE_TYPE = "ogcapi-features"
    TITLE = "OGC API – Features (couches SIG)"
    DESCRIPTION = ("Collections d'un service OGC API – Features (pygeoapi, ldproxy, "
                   "GeoServer) : un jeu de données par collection.")
    PROTOCOL = OgcApiFeatures()
