"""ckanext-harvest source type ``arcgis-rest``: ArcGIS REST FeatureServer/MapServer.

Source URL: the service (``…/rest/services/Voirie/FeatureServer`` or
``…/MapServer``). Config: the common GIS keys; ``filter`` becomes the
``where`` clause. One dataset per layer, matched by the layer's numeric id
(a renamed layer keeps its dataset).
"""

from __future__ import annotations

from .gis.harvester import GisHarvesterBase
from .protocols import arcgis_rest as arcgis


class ArcGisRestHarvester(GisHarvesterBase):
    SOURCE_TYPE = "arcgis-rest"
    TITLE = "ArcGIS REST (FeatureServer, MapServer)"
    DESCRIPTION = ("Couches d'un service ArcGIS Server / ArcGIS Online : un jeu de "
                   "données par couche, instantané GeoJSON WGS84 et CSV.")
    CLIENT = arcgis
