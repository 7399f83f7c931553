"""ckanext-harvest source type ``sensorthings``: OGC SensorThings API v1.0/v1.1.

Source URL: the service root, with or without the version
(``https://iot.example.fr/FROST-Server/v1.1``). Config (JSON), besides the
sensor keys of ``sensors/config.py``::

    {"datastreams": {"ids": [12, 13]} | {"filter": "properties/kind eq 'noise'"},
     "schedule": "5 * * * *", "periods": ["hour", "day"], "lookback": "PT2H"}
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from .pipeline import config as cfg
from .protocols import sensorthings as sta
from .sensors.harvester import SensorHarvesterBase
from .sensors.model import Observations, Stream
from .sensors.protocol import StreamProtocol


def _datastreams(value: Any) -> str | None:
    if not isinstance(value, dict) or not set(value) <= {"ids", "filter"}:
        return "must be {\"ids\": [...]} or {\"filter\": \"<OData $filter>\"}"
    if "ids" in value and cfg.texts(value["ids"]):
        return "ids " + cfg.texts(value["ids"])
    if "filter" in value and cfg.text(value["filter"]):
        return "filter " + cfg.text(value["filter"])
    return None


def _page_size(config: dict[str, Any]) -> int:
    return int(config.get("page_size", 1000))


class SensorThings(StreamProtocol):
    RULES = {"datastreams": _datastreams}

    def list_items(self, session: Any, url: str, config: dict[str, Any]) -> list[Stream]:
        selection = config.get("datastreams") or {}
        return sta.list_streams(session, url, ids=selection.get("ids"),
                                filter=selection.get("filter"), page_size=_page_size(config),
                                overrides=config.get("streams"))

    def observations(self, session: Any, url: str, config: dict[str, Any], stream: Stream,
                     since: datetime | None) -> Observations:
        return sta.fetch_observations(session, stream, since, page_size=_page_size(config))


class SensorThingsHarvester(SensorHarvesterBase):
    SOURCE_TYPE = "sensorthings"
    TITLE = "OGC SensorThings API"
    DESCRIPTION = ("Capteurs d'un serveur OGC SensorThings API (v1.0, v1.1) : agrégats "
                   "horaires et journaliers publiés dans le DataStore.")
    PROTOCOL = SensorThings()
