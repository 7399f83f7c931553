"""What every scheduled harvester of the portal shares (sensor and GIS).

ckanext-harvest's HarvesterBase plus: the source form's info, the JSON
config validated on save against the protocol's RULES (``config.py``), and
one HTTP session per stage with the source's timeout and retries
(``http.py``: a timeout on every request, bounded retries), and the gather
stage's skeleton: list what the source serves, turn it into one
HarvestObject per guid, record a gather error when the listing fails or is
empty (``list_items`` and ``gather_contents`` are the per-family hooks).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from ckanext.harvest.harvesters.base import HarvesterBase
from ckanext.harvest.model import HarvestObject

from . import config as cfg
from .http import HttpSettings, make_session
from .objects import current_objects


class ScheduledHarvester(HarvesterBase):
    SOURCE_TYPE = ""
    TITLE = ""
    DESCRIPTION = ""
    RULES: dict[str, cfg.Rule] = cfg.COMMON
    HEADERS: dict[str, str] = {}
    DEFAULT_TIMEOUT = 30    # seconds per read; the config's ``timeout`` overrides it
    ITEMS = "items"         # what the source lists, for gather error messages

    def info(self) -> dict[str, str]:
        return {"name": self.SOURCE_TYPE, "title": self.TITLE,
                "description": self.DESCRIPTION, "form_config_interface": "Text"}

    def validate_config(self, config: str | None) -> str | None:
        parsed = cfg.load(config)
        cfg.check(parsed, self.RULES)
        return config

    def _session(self, config: dict[str, Any]) -> Any:
        settings = HttpSettings(read_timeout=float(config.get("timeout", self.DEFAULT_TIMEOUT)),
                                retries=int(config.get("retries", 3)))
        return make_session(settings, headers=self.HEADERS or None)

    # -- gather: the skeleton, with the two hooks below -------------------------------
    def list_items(self, session: Any, url: str, config: dict[str, Any]) -> list[Any]:
        """What the source serves now (layers, streams); may raise."""
        raise NotImplementedError

    def gather_contents(self, items: list[Any], previous: dict[str, dict[str, Any]],
                        config: dict[str, Any], harvest_job: Any
                        ) -> Iterable[tuple[str, dict[str, Any]]]:
        """(guid, content) of each object to create, given the listed items and
        the contents of the source's current objects (``objects.py``)."""
        raise NotImplementedError

    def gather_stage(self, harvest_job: Any) -> list[str] | None:
        source = harvest_job.source
        config = cfg.load(source.config)
        try:
            items = self.list_items(self._session(config), source.url, config)
        except Exception as error:
            self._save_gather_error(f"Cannot list the {self.ITEMS} of {source.url}: {error}",
                                    harvest_job)
            return None
        ids = []
        for guid, content in self.gather_contents(items, current_objects(source.id), config,
                                                  harvest_job):
            obj = HarvestObject(guid=guid, job=harvest_job, content=json.dumps(content))
            obj.save()
            ids.append(obj.id)
        if not items:
            self._save_gather_error(f"No {self.ITEMS[:-1]} found at {source.url} with this "
                                    "configuration", harvest_job)
        return ids
