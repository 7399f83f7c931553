"""The load's status for the steward: a block on the resource page, a JSON
endpoint its script polls, and a "load again" button. Only those who may
edit the dataset see any of it (a load's messages may name columns and
values of a private table)."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as toolkit
from flask import Blueprint, jsonify

from . import enqueue, status
from .messages import render

blueprint = Blueprint("metropole_loading", __name__)

STATES = ("pending", "running", "complete", "error")


def _state_label(state: str) -> str:
    _ = toolkit._
    return {"pending": _("Waiting to be loaded"), "running": _("Loading…"),
            "complete": _("Loaded into the DataStore"),
            "error": _("Load failed: the previous table, if any, is kept")}.get(state, state)


def _step_label(step: str) -> str:
    _ = toolkit._
    return {"queued": _("in the queue"), "fetching": _("reading the file"),
            "analysing": _("analysing the columns"), "converting": _("converting the values"),
            "writing": _("writing the table"), "done": _("done")}.get(step, "")


def _grouped(number: Any) -> str:
    """1 234 567: French grouping with a narrow no-break space."""
    return f"{int(number or 0):,}".replace(",", "\u202f")


def may_edit(package_id: str) -> bool:
    try:
        toolkit.check_access("package_update", {"user": toolkit.current_user.name
                                                if toolkit.current_user else ""},
                             {"id": package_id})
    except (toolkit.NotAuthorized, toolkit.ObjectNotFound):
        return False
    return True


def public_status(resource_id: str) -> dict[str, Any] | None:
    """The stored status in the reader's language (what the page and the JSON show)."""
    value = status.read(resource_id)
    if not value:
        return None
    state = value.get("state", "")
    return {
        "state": state if state in STATES else "error",
        "state_label": _state_label(state),
        "step": value.get("step", ""), "step_label": _step_label(value.get("step", "")),
        "rows_done": int(value.get("rows_done") or 0),
        "rows_total": int(value.get("rows_total") or 0),
        "rows_text": toolkit._("Rows: %(done)s / %(total)s") % {
            "done": _grouped(value.get("rows_done")),
            "total": _grouped(value.get("rows_total")) if value.get("rows_total") else "?"},
        "messages": [{"code": m.get("code", ""), "text": render(m)}
                     for m in value.get("messages", [])],
        "updated": value.get("updated", ""),
        "finished": state in ("complete", "error"),
    }


def status_for_page(package: dict[str, Any], resource: dict[str, Any]) -> dict[str, Any] | None:
    if not enqueue.is_tabular(resource) or not may_edit(package["id"]):
        return None
    return public_status(resource["id"]) or {"state": "none", "messages": [],
                                             "finished": True}


def _resource_of(package_id: str, resource_id: str) -> dict[str, Any]:
    try:
        resource = toolkit.get_action("resource_show")({}, {"id": resource_id})
    except (toolkit.ObjectNotFound, toolkit.NotAuthorized):
        return toolkit.abort(404, toolkit._("Resource not found"))
    package = toolkit.get_action("package_show")({"ignore_auth": True},
                                                 {"id": resource["package_id"]})
    if package_id not in (package["id"], package["name"]) or not may_edit(package["id"]):
        return toolkit.abort(404, toolkit._("Resource not found"))
    return resource


@blueprint.route("/dataset/<package_id>/resource/<resource_id>/chargement")
def status_json(package_id: str, resource_id: str):
    _resource_of(package_id, resource_id)
    answer = jsonify(public_status(resource_id) or {"state": "none", "messages": []})
    answer.headers["Cache-Control"] = "no-store"
    return answer


@blueprint.route("/dataset/<package_id>/resource/<resource_id>/chargement/relancer",
                 methods=["POST"])
def reload(package_id: str, resource_id: str):
    resource = _resource_of(package_id, resource_id)
    if enqueue.is_tabular(resource):
        enqueue.load(resource_id, force=True)
    return toolkit.redirect_to("resource.read", id=package_id, resource_id=resource_id)
