"""ckanext-harvest source type ``ngsi``: FIWARE NGSI-v2 + QuantumLeap, NGSI-LD.

Source URL: the context broker (Orion ``…:1026``, or the NGSI-LD broker).
Config (JSON), besides the sensor keys of ``sensors/config.py``::

    {"flavour": "v2" | "ld", "quantumleap_url": "http://…:8668",
     "entity_types": ["WasteContainer"], "entity_ids": [...],
     "attributes": ["fillingLevel"], "fiware_service": "…", "fiware_servicepath": "/…"}

NGSI-v2 series are read from QuantumLeap; NGSI-LD series from the broker's
temporal API (``/ngsi-ld/v1/temporal/entities``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from .pipeline import config as cfg
from .protocols import ngsi
from .sensors.harvester import SensorHarvesterBase
from .sensors.model import Observations, Stream
from .sensors.protocol import StreamProtocol


def _client_config(url: str, config: dict[str, Any]) -> dict[str, Any]:
    return {**config, "url": url}


class Ngsi(StreamProtocol):
    RULES = {"flavour": cfg.one_of("v2", "ld"), "quantumleap_url": cfg.text,
             "entity_types": cfg.texts, "entity_ids": cfg.texts, "attributes": cfg.texts,
             "fiware_service": cfg.text, "fiware_servicepath": cfg.text,
             "page_size_series": cfg.integer(1, 100000)}

    def list_items(self, session: Any, url: str, config: dict[str, Any]) -> list[Stream]:
        return ngsi.list_streams(session, _client_config(url, config),
                                 overrides=config.get("streams"))

    def observations(self, session: Any, url: str, config: dict[str, Any], stream: Stream,
                     since: datetime | None) -> Observations:
        return ngsi.fetch_observations(session, stream, since, _client_config(url, config))


class NgsiHarvester(SensorHarvesterBase):
    SOURCE_TYPE = "ngsi"
    TITLE = "FIWARE NGSI (v2 + QuantumLeap, NGSI-LD)"
    DESCRIPTION = ("Entités d'un courtier FIWARE et leurs séries temporelles (QuantumLeap "
                   "ou API temporelle NGSI-LD) : agrégats horaires et journaliers.")
    PROTOCOL = Ngsi()
