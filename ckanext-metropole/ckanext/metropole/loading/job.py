"""The background job: one load of one resource, run by CKAN's jobs worker
(``toolkit.enqueue_job``, RQ on Redis).

Steps: fetch the file (upload or link under the outbound policy) and hash
it; stop when the content and the type choices are those of the table
already loaded; read it and check its shape into a CSV of raw text
(``prepare``); in one transaction (``store``) decide the types, check the
values, fill the data dictionary (keeping what the steward wrote) and
replace the table — any error before the commit keeps the previous table.
The status is written at each step for the resource page.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from pathlib import Path
from typing import Any

import ckan.plugins.toolkit as toolkit

from ..table_schemas.declared import declared_table_schema
from . import french_types, prepare, reading, sources, status, store
from .messages import LoadError

log = logging.getLogger(__name__)

# The description the loader writes in the dictionary, kept up to date as
# long as the steward has not written their own (stored data: French).
AUTO_NOTES = "Type détecté au chargement : {kind}."
AUTO_NOTES_PREFIX = "Type détecté au chargement"
_TYPE_WORDS = {"text": "texte", "int8": "entier", "numeric": "nombre décimal", "date": "date",
               "timestamp": "date et heure", "bool": "booléen (oui/non)"}


def limits() -> reading.Limits:
    config = toolkit.config
    return reading.Limits(
        max_columns=int(config.get("ckanext.metropole.loading.max_columns")),
        max_unpacked_bytes=int(config.get("ckanext.metropole.loading.max_unpacked_mb")) << 20)


def max_bytes() -> int:
    return int(toolkit.config.get("ckanext.metropole.loading.max_size_mb")) << 20


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat()


def schema_types(resource: dict[str, Any]) -> dict[str, str]:
    schema = declared_table_schema(resource) or {}
    return {f["name"]: french_types.TABLE_SCHEMA_TYPES.get(f.get("type", "string"), "text")
            for f in schema.get("fields", []) if f.get("name")}


def dictionary(staged: prepare.Staged, types: list[str],
               previous: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """The fields to create, with the data dictionary: the steward's label,
    description and type choice kept; the file's header as label and the
    detected type as description otherwise."""
    fields = []
    for name, original, kind in zip(staged.names, staged.header, types, strict=True):
        info = dict(previous.get(name, {}).get("info") or {})
        info.setdefault("label", original or name)
        if not info.get("notes") or str(info["notes"]).startswith(AUTO_NOTES_PREFIX):
            info["notes"] = AUTO_NOTES.format(kind=_TYPE_WORDS.get(kind, kind))
        fields.append({"id": name, "type": kind, "info": info})
    return fields


def fixed_types(overrides: dict[str, str], declared: dict[str, str]) -> dict[str, str]:
    """A declared Table Schema's types (by column name) win over the steward's
    type choices in the data dictionary, which win over guesses."""
    return {name: kind for name, kind in {**overrides, **declared}.items()
            if kind in french_types.TYPES}


def load_resource(resource_id: str, force: bool = False) -> None:
    state: dict[str, Any] = {"state": "running", "step": "fetching", "rows_done": 0,
                             "rows_total": 0, "messages": [], "started": _now()}

    def progress(step: str, done: int, total: int) -> None:
        state.update(step=step, rows_done=done, rows_total=total)
        status.write(resource_id, state)

    status.write(resource_id, state)
    try:
        resource = toolkit.get_action("resource_show")(status.site_context(),
                                                       {"id": resource_id})
        if not _load(resource, state, progress, force):
            # Nothing to do: the last good load's report stays, with a note.
            loaded = status.read(resource_id, "loaded") or {}
            state.update(state="complete", step="done", rows_done=loaded.get("rows", 0),
                         rows_total=loaded.get("rows", 0),
                         messages=loaded.get("messages", []) + [{"code": "unchanged"}])
    except LoadError as error:
        state.update(state="error", messages=state["messages"] + [error.message])
    except Exception:   # the steward sees a plain message; the log has the rest
        log.exception("Loading resource %s failed", resource_id)
        state.update(state="error", messages=state["messages"] + [{"code": "internal"}])
    state["finished"] = _now()
    status.write(resource_id, state)


def _load(resource: dict[str, Any], state: dict[str, Any], progress, force: bool) -> bool:
    """Load ``resource``; False when its table is already what it would load."""
    resource_id = resource["id"]
    kind = sources.file_format(resource)
    if kind not in reading.TABULAR_FORMATS:
        raise LoadError("not_tabular", format=kind or "?")
    previous = {f["id"]: f for f in store.current_fields(resource_id)}
    overrides = {name: f["info"]["type_override"] for name, f in previous.items()
                 if (f.get("info") or {}).get("type_override")}
    declared = schema_types(resource)
    with sources.work_folder() as folder:
        path, content_hash = sources.fetch(resource, Path(folder), max_bytes())
        key = hashlib.sha256(json.dumps([content_hash, overrides, declared],
                                        sort_keys=True).encode()).hexdigest()
        loaded = status.read(resource_id, "loaded") or {}
        if not force and previous and loaded.get("key") == key:
            return False
        progress("analysing", 0, 0)
        source = reading.open_table(path, kind, limits())
        staged = prepare.stage(source, Path(folder) / "staged.csv", limits(), progress)
        if declared:
            staged.warnings.append({"code": "type_from_schema", "params": {}})
        state["messages"] = staged.warnings
        progress("writing", staged.rows, staged.rows)
        store.replace_table(resource_id, staged, fixed_types(overrides, declared),
                            lambda types: dictionary(staged, types, previous))
    status.write(resource_id, {"key": key, "rows": staged.rows, "hash": content_hash,
                               "messages": staged.warnings},
                 key="loaded")
    state.update(state="complete", step="done", rows_done=staged.rows,
                 rows_total=staged.rows)
    return True
