"""Validation as a job of CKAN's queue, on resource create and update.

The request only records "pending" and enqueues; the background worker reads
the file (an upload from storage, a link through the outbound policy),
validates it, stores the outcome (``store.py``) and reindexes the dataset so
that its badge and facet follow.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any

import ckan.plugins.toolkit as toolkit
import sqlalchemy as sa

from metropole_core import outbound

from . import store, validation
from .declared import DESCRIPTOR_FIELD, declaration

log = logging.getLogger(__name__)

MAX_BYTES_OPTION = "ckanext.metropole.table_schemas.max_bytes"
TABULAR_FORMATS = {"csv", "tsv", "xlsx", "xls", "ods", "json"}


def fingerprint(resource: dict[str, Any], key: str) -> str:
    """What a new validation depends on: the schema, the file's address and
    its upload time, size and hash, the schema file's text."""
    parts = [key] + [str(resource.get(name) or "") for name in
                     ("url", "last_modified", "size", "hash", DESCRIPTOR_FIELD)]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def after_change(resource: dict[str, Any]) -> None:
    """Called for each resource of a created or updated dataset: enqueue when
    what the validation depends on changed; forget a withdrawn declaration."""
    found = declaration(resource)
    previous = store.get(resource["id"])
    if found is None:
        if previous is not None:
            store.forget(resource["id"])  # the dataset's own reindex follows
        return
    current = fingerprint(resource, found.key)
    if previous is not None and previous.fingerprint == current:
        return
    store.save(store.Check(resource["id"], resource["package_id"], found.key, found.title,
                           found.version, store.PENDING, fingerprint=current), commit=False)
    _enqueue_after_commit(resource["id"])


def _enqueue_after_commit(resource_id: str) -> None:
    """The hooks run inside the action's transaction: a job enqueued now could
    read the resource before it is committed. Enqueue once it is (the root
    transaction's commit; a rollback enqueues nothing)."""
    from ckan import model

    def enqueue(_session: Any) -> None:
        toolkit.enqueue_job(validate_resource, [resource_id],
                            title=f"Validation against a Table Schema ({resource_id})",
                            rq_kwargs={"timeout": 1800})

    sa.event.listen(model.Session(), "after_commit", enqueue, once=True)


def _read(resource: dict[str, Any]) -> bytes:
    limit = toolkit.config.get(MAX_BYTES_OPTION)
    if resource.get("url_type") == "upload":
        from ckan.lib.uploader import get_resource_uploader

        path = get_resource_uploader(resource).get_path(resource["id"])
        with open(path, "rb") as file:
            data = file.read(limit + 1)
    else:
        data = outbound.fetch(resource["url"], timeout=60, max_bytes=limit).content
    if len(data) > limit:
        raise ValueError(toolkit._("The file is larger than the validation limit "
                                   "({limit} bytes).").format(limit=limit))
    return data


def _file_format(resource: dict[str, Any]) -> str:
    declared = (resource.get("format") or "").strip().lower()
    if declared in TABULAR_FORMATS:
        return declared
    suffix = (resource.get("url") or "").rsplit(".", 1)[-1].lower()
    return suffix if suffix in TABULAR_FORMATS else "csv"


def validate_resource(resource_id: str) -> None:
    """The job: validate the resource's file against its declared schema."""
    resource = toolkit.get_action("resource_show")({"ignore_auth": True}, {"id": resource_id})
    found = declaration(resource)
    if found is None:
        return
    check = store.Check(resource_id, resource["package_id"], found.key, found.title,
                        found.version, store.FAILED,
                        fingerprint=fingerprint(resource, found.key))
    try:
        outcome = validation.validate_table(_read(resource), found.descriptor,
                                            _file_format(resource))
    except (OSError, ValueError, outbound.FetchFailed) as error:
        log.info("validation of %s could not run: %s", resource_id, error)
        check.message = str(error)
    else:
        check.status = store.VALID if outcome.valid else store.INVALID
        check.problems = [p.as_json() for p in outcome.problems]
        check.truncated = outcome.truncated
        check.not_run = outcome.not_run
    store.save(check)
    _reindex(resource["package_id"])


def _reindex(package_id: str) -> None:
    from ckan.lib.search import rebuild

    rebuild(package_id)
