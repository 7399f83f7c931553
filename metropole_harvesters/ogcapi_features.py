"""ckanext-harvest source type ``ogcapi-features``: OGC API – Features.

Source URL: the API landing page (``https://api.example.fr/pygeoapi``).
Config: the common GIS keys (``pipeline/config.py``); ``filter`` values are
sent as query parameters (Part 1 queryables). One dataset per collection.
"""

from __future__ import annotations

from .gis.harvester import GisHarvesterBase
from .protocols import ogcapi_features as api


class OgcApiFeaturesHarvester(GisHarvesterBase):
    SOURCE_TYPE = "ogcapi-features"
    TITLE = "OGC API – Features (couches SIG)"
    DESCRIPTION = ("Collections d'un service OGC API – Features (pygeoapi, ldproxy, "
                   "GeoServer) : un jeu de données par collection.")
    HEADERS = api.ACCEPT
    CLIENT = api
