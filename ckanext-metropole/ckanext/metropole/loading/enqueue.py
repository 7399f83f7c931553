"""Put a resource's load on CKAN's jobs queue when it is tabular."""

from __future__ import annotations

import logging
from typing import Any

import ckan.plugins.toolkit as toolkit

from ..table_schemas import declared
from . import reading, sources, status

log = logging.getLogger(__name__)

CHANGED = "metropole_loading_content_may_change"


def is_tabular(resource: dict[str, Any]) -> bool:
    # url_type "datastore": a table written through the API, not a file.
    return (resource.get("url_type") != "datastore" and bool(resource.get("url"))
            and sources.file_format(resource) in reading.TABULAR_FORMATS)


def content_may_change(current: dict[str, Any], resource: dict[str, Any]) -> bool:
    upload = resource.get("upload")
    new_file = upload is not None and not isinstance(upload, str) and bool(
        getattr(upload, "filename", True))
    # A newly declared schema changes the columns' types: load again.
    return new_file or any(current.get(key) != resource.get(key)
                           for key in ("url", "url_type", "format",
                                       declared.REFERENCE_FIELD, declared.DESCRIPTOR_FIELD))


def load(resource_id: str, force: bool = False) -> None:
    from .job import load_resource

    status.write(resource_id, {"state": "pending", "step": "queued", "rows_done": 0,
                               "rows_total": 0, "messages": []})
    toolkit.enqueue_job(load_resource, [resource_id], {"force": force},
                        title=f"Chargement de la ressource {resource_id}",
                        rq_kwargs={"timeout": int(toolkit.config.get(
                            "ckanext.metropole.loading.job_timeout"))})


def load_if_tabular(resource: dict[str, Any]) -> None:
    if not is_tabular(resource):
        return
    try:
        load(resource["id"])
    except Exception:   # a queue that is down must not lose the steward's edit
        log.exception("Could not enqueue the load of resource %s", resource["id"])
