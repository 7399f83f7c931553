"""Where events come from, and the jobs that turn them into notices.

- Datasets and resources: CKAN's after_* hooks note the dataset in the
  database session; only when that session COMMITS is a job queued (a change
  rolled back notifies nobody), and the job reads the dataset again: a draft
  or deleted dataset notifies nobody, a private one only those who may read
  it (dispatch checks each recipient). The job compares what readers see
  (title, description, resources…) with what was last notified, so the
  portal's own bookkeeping (DataStore flags, validation reports) is silent.
- The community's signals (community/signals.py): reuses and calls
  published, data requests whose status changed.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import logging
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as toolkit
import sqlalchemy as sa

from . import dispatch, state

log = logging.getLogger(__name__)

PENDING = "metropole_notifications_datasets"
RESOURCE_FIELDS = ("name", "url", "format", "description", "last_modified", "hash")
DATASET_FIELDS = ("title", "notes", "license_id", "version", "url", "private")


# Datasets and resources ------------------------------------------------------

def note_dataset(dataset: dict[str, Any], created: bool = False) -> None:
    """From an after_* hook: remember the dataset until the commit."""
    if dataset.get("type", "dataset") != "dataset" or not dataset.get("id"):
        return
    if dataset.get("state", "active") != "active":
        return
    pending = model.Session().info.setdefault(PENDING, {})
    pending[dataset["id"]] = pending.get(dataset["id"], False) or created


def note_resource(resource: dict[str, Any]) -> None:
    if resource.get("package_id"):
        model.Session().info.setdefault(PENDING, {}).setdefault(resource["package_id"], False)


def _after_commit(session: Any) -> None:
    for dataset_id, created in (session.info.pop(PENDING, None) or {}).items():
        try:
            toolkit.enqueue_job(dataset_changed, [dataset_id, created],
                                title=f"Notifications : jeu de données {dataset_id}")
        except Exception:  # a queue that is down must not fail the change
            log.exception("could not enqueue the notifications of dataset %s", dataset_id)


def _after_rollback(session: Any, *_: Any) -> None:
    session.info.pop(PENDING, None)


def listen_to_commits() -> None:
    if not sa.event.contains(model.Session, "after_commit", _after_commit):
        sa.event.listen(model.Session, "after_commit", _after_commit)
        sa.event.listen(model.Session, "after_soft_rollback", _after_rollback)


def readers_view(dataset: dict[str, Any]) -> dict[str, Any]:
    """What a reader sees of a dataset, the part whose change is news."""
    return {
        **{key: dataset.get(key) for key in DATASET_FIELDS},
        "resources": {resource["id"]: {key: resource.get(key) for key in RESOURCE_FIELDS}
                      for resource in dataset.get("resources") or []},
    }


def _lines(dataset: dict, before: dict | None, now: dict, created: bool) -> list[list]:
    title = {"title": dataset["title"] or dataset["name"]}
    if before is None:
        age = datetime.datetime.utcnow() - datetime.datetime.fromisoformat(
            dataset["metadata_created"])
        if created or age < datetime.timedelta(days=1):
            return [["dataset_created", title]]
        return [["dataset_changed", title]]
    lines = []
    if any(before.get(key) != now.get(key) for key in DATASET_FIELDS):
        lines.append(["dataset_changed", title])
    for resource_id, resource in now["resources"].items():
        name = {**title, "name": resource["name"] or resource_id}
        if resource_id not in before["resources"]:
            lines.append(["resource_created", name])
        elif before["resources"][resource_id] != resource:
            lines.append(["resource_changed", name])
    return lines


def dataset_changed(dataset_id: str, created: bool = False) -> int:
    """The job of one committed change of a dataset."""
    site_user = toolkit.get_action("get_site_user")({"ignore_auth": True}, {})
    try:
        dataset = toolkit.get_action("package_show")(
            {"user": site_user["name"], "ignore_auth": True}, {"id": dataset_id})
    except toolkit.ObjectNotFound:
        return 0
    if dataset.get("state") != "active":
        return 0
    now = readers_view(dataset)
    key = f"dataset:{dataset['id']}"
    previous = state.read(key)
    state.write(key, json.dumps(now, sort_keys=True))
    model.Session.commit()
    before = json.loads(previous) if previous else None
    if before == now:
        return 0
    lines = _lines(dataset, before, now, created)
    if not lines:
        return 0
    return dispatch.dispatch(dataset_event(dataset, lines, now))


def dataset_event(dataset: dict[str, Any], lines: list[list], now: dict[str, Any]) -> dict:
    themes = set(dataset.get("themes") or []) | {
        group["name"] for group in dataset.get("groups") or []}
    return {
        "kind": lines[0][0],
        "title": dataset["title"] or dataset["name"],
        "path": f"/dataset/{dataset['name']}",
        "lines": lines,
        "targets": [["dataset", dataset["id"]], ["organization", dataset.get("owner_org") or ""],
                    *(["theme", theme] for theme in sorted(themes))],
        "must_read": [["package_show", dataset["id"]]],
        "search_dataset_id": dataset["id"],
        # One notice per state of the dataset, even if two jobs race.
        "once": "dataset-" + hashlib.sha256(
            f"{dataset['id']}{json.dumps(now, sort_keys=True)}".encode()).hexdigest()[:32],
    }


# The community's signals ---------------------------------------------------------

def on_reuse_published(sender: str, reuse: dict, **_: Any) -> None:
    dispatch.enqueue(reuse_event(reuse))


def reuse_event(reuse: dict) -> dict:
    return {
        "kind": "reuse_published", "title": reuse["title"],
        "path": f"/reutilisations/{reuse['id']}",
        "lines": [["reuse_published", {"title": reuse["title"]}]],
        "targets": [*(["dataset", dataset_id] for dataset_id in reuse.get("dataset_ids") or []),
                    *(["theme", theme] for theme in reuse.get("themes") or [])],
        "must_read": [["metropole_reuse_show", reuse["id"]]],
    }


def on_call_published(sender: str, call: dict, **_: Any) -> None:
    dispatch.enqueue({
        "kind": "call_published", "title": call["title"], "path": f"/appels/{call['id']}",
        "lines": [["call_published", {"title": call["title"]}]],
        "targets": [["organization", call.get("issuer_org_id") or ""],
                    *(["dataset", dataset_id] for dataset_id in call.get("dataset_ids") or [])],
        "must_read": [["metropole_call_show", call["id"]]],
    })


def on_data_request_status_changed(sender: str, request: dict, new_status: str,
                                   **_: Any) -> None:
    try:
        toolkit.enqueue_job(data_request_changed,
                            [request["id"], request["creator_user_id"], request["title"],
                             new_status],
                            title=f"Notifications : demande {request['id']}")
    except Exception:
        log.exception("could not enqueue the notice of data request %s", request["id"])


def data_request_changed(request_id: str, requester_id: str, title: str, status: str) -> int:
    """The job: the requester is told (they follow their request by default)."""
    dispatch.ensure_requester_subscription(requester_id, request_id, title)
    return dispatch.dispatch({
        "kind": "data_request_status", "title": title, "path": f"/demandes/{request_id}",
        "lines": [["data_request_status", {"title": title, "status": status}]],
        "targets": [["data_request", request_id]],
        "must_read": [["metropole_data_request_show", request_id]],
        "recipient_user_id": requester_id,
    })


def signal_subscriptions() -> dict:
    from ..community import signals

    signal = toolkit.signals.ckanext.signal
    return {signal(signals.REUSE_PUBLISHED): [on_reuse_published],
            signal(signals.CALL_PUBLISHED): [on_call_published],
            signal(signals.DATA_REQUEST_STATUS_CHANGED): [on_data_request_status_changed]}
