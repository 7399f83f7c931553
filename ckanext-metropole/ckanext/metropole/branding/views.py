"""Pages of the portal itself (accessibility statement, legal notices, data
charter) and the JSON progress of a harvest source's running job."""

from __future__ import annotations

import ckan.plugins.toolkit as toolkit
from ckan import model
from flask import Blueprint, jsonify

from ..pages import harvest_source

pages = Blueprint("metropole_pages", __name__)


@pages.route("/accessibilite")
def accessibility() -> str:
    return toolkit.render("metropole/pages/accessibility.html")


@pages.route("/mentions-legales")
def legal_notices() -> str:
    return toolkit.render("metropole/pages/legal_notices.html")


@pages.route("/charte-des-donnees")
def data_charter() -> str:
    return toolkit.render("metropole/pages/data_charter.html")


@pages.route("/harvest/<source_id>/progress.json")
def harvest_progress(source_id: str):
    """Polled by the source page every 2 s while a job runs; same permission
    as the source page (``harvest_source_show``), checked without running
    the action itself, whose status block reads every job of the source."""
    source = model.Package.get(source_id)
    if source is None or source.type != "harvest":
        return jsonify({"error": "not found"}), 404
    try:
        toolkit.check_access("harvest_source_show", {"user": toolkit.g.user or ""},
                             {"id": source.id})
    except toolkit.NotAuthorized:
        return jsonify({"error": "forbidden"}), 403
    response = jsonify(harvest_source.progress(source.id).as_json())
    response.headers["Cache-Control"] = "no-store"
    return response
