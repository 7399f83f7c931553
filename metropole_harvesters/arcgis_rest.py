"""ckanext-harvest source type ``arcgis-rest``: ArcGIS REST FeatureServer/MapServer.

Source URL: the service (``…/rest/services/Voirie/FeatureServer`` or
``…/MapServer``). Config: the GIS keys (``gis/config.py``); ``filter``
becomes the ``where`` clause. One dataset per layer, matched by the layer's
numeric id (a renamed layer keeps its dataset).
"""

from __future__ import annotations

from .gis.harvester import GisHarvesterBase
from .gis.protocol import LayerProtocol
from .protocols import arcgis_rest as arcgis


class ArcGisRest(LayerProtocol):
    CLIENT = arcgis


class ArcGisRestHarvester(GisHarvesterBase):
    SOURCE_TYPE = "arcgis-rest"
    TITLE = "ArcGIS REST (FeatureServer, MapServer)"
    DESCRIPTION = ("Couches d'un service ArcGIS Server / ArcGIS Online : un jeu de "
                   "données par couche, instantané GeoJSON WGS84 et CSV.")
    PROTOCOL = ArcGisRest()
