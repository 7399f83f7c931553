"""What every scheduled harvester of the portal shares (sensor and GIS).

ckanext-harvest's HarvesterBase plus: the source form's info, the JSON
config validated on save against the protocol's RULES (``config.py``), and
one HTTP session per stage with the source's timeout and retries
(``http.py``: a timeout on every request, bounded retries).
"""

from __future__ import annotations

from typing import Any

from ckanext.harvest.harvesters.base import HarvesterBase

from . import config as cfg
from .http import HttpSettings, make_session


class ScheduledHarvester(HarvesterBase):
    SOURCE_TYPE = ""
    TITLE = ""
    DESCRIPTION = ""
    RULES: dict[str, cfg.Rule] = cfg.COMMON
    HEADERS: dict[str, str] = {}
    DEFAULT_TIMEOUT = 30    # seconds per read; the config's ``timeout`` overrides it

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
