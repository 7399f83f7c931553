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
import logging
from collections.abc import Iterable
from typing import Any

from ckan import model
from ckanext.harvest.harvesters.base import HarvesterBase
from ckanext.harvest.model import HarvestObject

from . import config as cfg
from .http import HttpSettings, make_session
from .objects import current_objects

log = logging.getLogger(__name__)


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

    # -- import: publish, or record why not and leave the published data as they are ----
    def _publish(self, context: dict[str, Any], harvest_object: Any, config: dict[str, Any],
                 data: dict[str, Any]) -> str:
        """Publish the object's data; returns the dataset id (per family)."""
        raise NotImplementedError

    def import_context(self) -> dict[str, Any]:
        """Actions run as the harvest user, past authorisation checks."""
        return {"user": self._get_user_name(), "ignore_auth": True, "model": model,
                "session": model.Session}

    def publish_or_record(self, harvest_object: Any, config: dict[str, Any],
                          data: dict[str, Any], kept: str) -> str | None:
        """The dataset id, or None after rolling back and recording the error on
        the object (``kept`` says what stays published, for the message)."""
        try:
            return self._publish(self.import_context(), harvest_object, config, data)
        except Exception as error:
            log.exception("publishing %s failed", harvest_object.guid)
            model.Session.rollback()
            self._save_object_error(f"Publishing failed; the previously published {kept}: "
                                    f"{error}", harvest_object, "Import")
            return None
