"""The skeleton every scheduled harvester of the portal runs: gather → fetch → import.

ckanext-harvest's HarvesterBase plus what both families (``gis/``,
``sensors/``) share, written once:

- the source form's info and the JSON config validated on save against the
  family's RULES and its protocol's (``config.py``);
- one HTTP session per stage with the source's timeout and retries
  (``http.py``: a timeout on every request, bounded retries) and the
  protocol's headers;
- gather: the protocol lists what the source serves, the family turns it
  into one HarvestObject per guid; a listing that fails or is empty is a
  gather error;
- fetch: the family reads the object's data through the protocol; what it
  returns replaces the object's content, ``None`` means the object failed
  (its errors are recorded, the published data are untouched);
- import: publish, or roll back and record why not; only a published object
  becomes ``current``, and its content becomes the state the next run
  starts from (``objects.py``): a failed run changes nothing.

A protocol plugs in one way only: ``PROTOCOL``, an adapter (``protocol.py``).
The per-family hooks are the methods that raise NotImplementedError here.
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
from .objects import current_objects, make_current
from .protocol import Protocol

log = logging.getLogger(__name__)


class ScheduledHarvester(HarvesterBase):
    SOURCE_TYPE = ""
    TITLE = ""
    DESCRIPTION = ""
    PROTOCOL: Protocol = Protocol()
    RULES: dict[str, cfg.Rule] = cfg.COMMON   # the family's keys; the protocol adds its own
    DEFAULT_TIMEOUT = 30    # seconds per read; the config's ``timeout`` overrides it
    ITEMS = "items"         # what the source lists, for gather error messages
    FETCHED = "fetched"     # the content key the fetch stage adds: ready to publish
    KEPT = "data are unchanged"   # what stays published when publishing fails

    def info(self) -> dict[str, str]:
        return {"name": self.SOURCE_TYPE, "title": self.TITLE,
                "description": self.DESCRIPTION, "form_config_interface": "Text"}

    def validate_config(self, config: str | None) -> str | None:
        parsed = cfg.load(config)
        cfg.check(parsed, {**self.RULES, **self.PROTOCOL.RULES})
        return config

    def _session(self, config: dict[str, Any]) -> Any:
        settings = HttpSettings(read_timeout=float(config.get("timeout", self.DEFAULT_TIMEOUT)),
                                retries=int(config.get("retries", 3)))
        return make_session(settings, headers=self.PROTOCOL.HEADERS or None)

    # -- gather -------------------------------------------------------------------------
    def list_items(self, session: Any, url: str, config: dict[str, Any]) -> list[Any]:
        """What the source serves now (layers, streams); may raise."""
        return self.PROTOCOL.list_items(session, url, config)

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

    # -- fetch --------------------------------------------------------------------------
    def fetch_content(self, harvest_object: Any, config: dict[str, Any],
                      data: dict[str, Any]) -> dict[str, Any] | None:
        """The object's content after reading its data through the protocol
        (with ``FETCHED`` when there is something to publish), or None when
        the object failed; errors are recorded on the object."""
        raise NotImplementedError

    def fetch_stage(self, harvest_object: Any) -> bool:
        config = cfg.load(harvest_object.source.config)
        before = harvest_object.content
        data = self.fetch_content(harvest_object, config, json.loads(before))
        if data is None:
            return False
        after = json.dumps(data)
        if after != before:
            harvest_object.content = after
            harvest_object.save()
        return True

    # -- import: publish, or record why not and leave the published data as they are ----
    def publish(self, context: dict[str, Any], harvest_object: Any, config: dict[str, Any],
                data: dict[str, Any]) -> str:
        """Publish the object's data; returns the dataset id."""
        raise NotImplementedError

    def import_unfetched(self, harvest_object: Any, config: dict[str, Any],
                         data: dict[str, Any]) -> bool:
        """An object the fetch stage left without data to publish."""
        return False

    def after_publish(self, data: dict[str, Any]) -> None:
        """Clean-up once publishing is over, whether it succeeded or not."""

    def next_state(self, data: dict[str, Any]) -> dict[str, Any]:
        """The content kept once published: what the next run starts from."""
        return {k: v for k, v in data.items() if k != self.FETCHED}

    def import_context(self) -> dict[str, Any]:
        """Actions run as the harvest user, past authorisation checks."""
        return {"user": self._get_user_name(), "ignore_auth": True, "model": model,
                "session": model.Session}

    def import_stage(self, harvest_object: Any) -> bool | str:
        config = cfg.load(harvest_object.source.config)
        data = json.loads(harvest_object.content)
        if self.FETCHED not in data:
            return self.import_unfetched(harvest_object, config, data)
        try:
            package_id = self.publish(self.import_context(), harvest_object, config, data)
        except Exception as error:
            log.exception("publishing %s failed", harvest_object.guid)
            model.Session.rollback()
            self._save_object_error(f"Publishing failed; the previously published "
                                    f"{self.KEPT}: {error}", harvest_object, "Import")
            return False
        finally:
            self.after_publish(data)
        make_current(harvest_object, package_id)
        harvest_object.content = json.dumps(self.next_state(data))
        harvest_object.save()
        return True
