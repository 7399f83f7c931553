"""The community's pages. French addresses (the portal is French first;
CKAN serves the same under /en/). Every change is a POST carrying the CSRF
token (``metropole_security`` checks it); the pages call the actions, so the
rules are those of the API."""

from __future__ import annotations

import ckan.plugins.toolkit as toolkit
from flask import Blueprint, request

community = Blueprint("metropole_community", __name__)


def _context() -> dict:
    return {"user": toolkit.g.user or ""}


def _abort_not_found():
    return toolkit.abort(404, toolkit._("Reuse not found"))


@community.route("/reutilisations")
def reuses() -> str:
    params = {key: request.args.get(key, "") for key in ("q", "kind", "theme")}
    try:
        page = max(int(request.args.get("page", 1)), 1)
    except ValueError:
        page = 1
    rows = 20
    found = toolkit.get_action("metropole_reuse_search")(
        _context(), dict(params, rows=rows, start=(page - 1) * rows))
    return toolkit.render("community/reuse_list.html", {
        "found": found, "params": params, "page": page, "rows": rows})


@community.route("/reutilisations/proposer", methods=["GET", "POST"])
def propose_reuse():
    if not toolkit.g.user:
        return toolkit.redirect_to("user.login", came_from=request.full_path)
    data: dict = {"datasets": request.args.get("dataset", ""), "themes": []}
    errors: dict = {}
    if request.method == "POST":
        data = {key: request.form.get(key, "") for key in
                ("kind", "title", "description", "url", "image_url", "author", "datasets")}
        data["themes"] = request.form.getlist("themes")
        try:
            reuse = toolkit.get_action("metropole_reuse_create")(_context(), dict(data))
        except toolkit.ValidationError as error:
            errors = error.error_dict
        else:
            toolkit.h.flash_success(toolkit._(
                "Thank you: your reuse is waiting for moderation."))
            return toolkit.redirect_to("metropole_community.reuse", reuse_id=reuse["id"])
    return toolkit.render("community/reuse_form.html", {"data": data, "errors": errors})


@community.route("/reutilisations/moderation")
def moderation_queue() -> str:
    if not toolkit.g.user:
        return toolkit.redirect_to("user.login", came_from=request.full_path)
    pending = toolkit.get_action("metropole_reuse_pending")(_context(), {})
    return toolkit.render("community/reuse_moderation.html", {"pending": pending})


@community.route("/reutilisations/<reuse_id>")
def reuse(reuse_id: str) -> str:
    try:
        found = toolkit.get_action("metropole_reuse_show")(_context(), {"id": reuse_id})
    except (toolkit.ObjectNotFound, toolkit.NotAuthorized):
        return _abort_not_found()
    return toolkit.render("community/reuse_read.html", {"reuse": found, "errors": {}})


@community.route("/reutilisations/<reuse_id>/moderer", methods=["POST"])
def moderate_reuse(reuse_id: str):
    data = {"id": reuse_id, "decision": request.form.get("decision"),
            "reason": request.form.get("reason", "")}
    try:
        toolkit.get_action("metropole_reuse_moderate")(_context(), data)
    except toolkit.ObjectNotFound:
        return _abort_not_found()
    except toolkit.NotAuthorized:
        return toolkit.abort(403, toolkit._("Only the administrators and the stewards of a "
                                            "used dataset may moderate this reuse."))
    except toolkit.ValidationError as error:
        found = toolkit.get_action("metropole_reuse_show")(_context(), {"id": reuse_id})
        return toolkit.render("community/reuse_read.html",
                              {"reuse": found, "errors": error.error_dict}), 400
    toolkit.h.flash_success(toolkit._("Moderation saved."))
    return toolkit.redirect_to("metropole_community.reuse", reuse_id=reuse_id)


@community.route("/appels")
def calls() -> str:
    params = {key: request.args.get(key, "") for key in ("kind", "status", "issuer")}
    found = toolkit.get_action("metropole_call_search")(_context(), dict(params, rows=100))
    return toolkit.render("community/call_list.html", {"found": found, "params": params})


@community.route("/appels/nouveau", methods=["GET", "POST"])
def new_call():
    if not toolkit.g.user:
        return toolkit.redirect_to("user.login", came_from=request.full_path)
    try:
        toolkit.check_access("metropole_call_create", _context(), {})
    except toolkit.NotAuthorized as error:
        return toolkit.abort(403, str(error))
    data: dict = {"datasets": request.args.get("dataset", "")}
    errors: dict = {}
    if request.method == "POST":
        data = {key: request.form.get(key, "") for key in (
            "kind", "title", "issuer", "opening_date", "closing_date", "description",
            "attachments", "datasets", "contact", "how_to_respond", "published")}
        try:
            call = toolkit.get_action("metropole_call_create")(_context(), dict(data))
        except toolkit.ValidationError as error:
            errors = error.error_dict
        else:
            toolkit.h.flash_success(toolkit._("Call saved."))
            return toolkit.redirect_to("metropole_community.call", call_id=call["id"])
    return toolkit.render("community/call_form.html", {"data": data, "errors": errors})


@community.route("/appels/<call_id>")
def call(call_id: str) -> str:
    try:
        found = toolkit.get_action("metropole_call_show")(_context(), {"id": call_id})
    except (toolkit.ObjectNotFound, toolkit.NotAuthorized):
        return toolkit.abort(404, toolkit._("Call not found"))
    return toolkit.render("community/call_read.html", {"call": found})


@community.route("/appels/<call_id>/publier", methods=["POST"])
def publish_call(call_id: str):
    try:
        toolkit.get_action("metropole_call_publish")(
            _context(), {"id": call_id, "published": request.form.get("published", "true")})
    except (toolkit.ObjectNotFound, toolkit.NotAuthorized):
        return toolkit.abort(404, toolkit._("Call not found"))
    toolkit.h.flash_success(toolkit._("Call saved."))
    return toolkit.redirect_to("metropole_community.call", call_id=call_id)


@community.route("/demandes")
def data_requests() -> str:
    params = {key: request.args.get(key, "") for key in ("q", "status", "for_me")}
    found = toolkit.get_action("metropole_data_request_search")(_context(), dict(params))
    return toolkit.render("community/request_list.html", {"found": found, "params": params})


@community.route("/demandes/nouvelle", methods=["GET", "POST"])
def new_data_request():
    if not toolkit.g.user:
        return toolkit.redirect_to("user.login", came_from=request.full_path)
    # Prefilled from a search that found nothing.
    data: dict = {"title": request.args.get("q", "")[:200], "communes": [], "themes": []}
    errors: dict = {}
    if request.method == "POST":
        data = {"title": request.form.get("title", ""), "reason": request.form.get("reason", ""),
                "communes": request.form.getlist("communes"),
                "themes": request.form.getlist("themes")}
        try:
            created = toolkit.get_action("metropole_data_request_create")(_context(), dict(data))
        except toolkit.ValidationError as error:
            errors = error.error_dict
        else:
            toolkit.h.flash_success(toolkit._("Thank you: your request has been sent to the "
                                              "stewards of the data."))
            return toolkit.redirect_to("metropole_community.data_request",
                                       request_id=created["id"])
    return toolkit.render("community/request_form.html", {"data": data, "errors": errors})


@community.route("/demandes/recherches-sans-resultat")
def empty_searches():
    try:
        found = toolkit.get_action("metropole_empty_searches")(_context(), {})
    except toolkit.NotAuthorized:
        return toolkit.abort(403, toolkit._("Administrators only."))
    return toolkit.render("community/empty_searches.html", {"searches": found})


@community.route("/demandes/<request_id>")
def data_request(request_id: str) -> str:
    try:
        found = toolkit.get_action("metropole_data_request_show")(_context(), {"id": request_id})
    except toolkit.ObjectNotFound:
        return toolkit.abort(404, toolkit._("Data request not found"))
    return toolkit.render("community/request_read.html", {"item": found, "errors": {}})


@community.route("/demandes/<request_id>/traiter", methods=["POST"])
def handle_data_request(request_id: str):
    data = {"id": request_id, "status": request.form.get("status"),
            "refusal_reason": request.form.get("refusal_reason", ""),
            "dataset": request.form.get("dataset", "")}
    try:
        toolkit.get_action("metropole_data_request_update")(_context(), data)
    except toolkit.ObjectNotFound:
        return toolkit.abort(404, toolkit._("Data request not found"))
    except toolkit.NotAuthorized as error:
        return toolkit.abort(403, str(error))
    except toolkit.ValidationError as error:
        found = toolkit.get_action("metropole_data_request_show")(_context(), {"id": request_id})
        return toolkit.render("community/request_read.html",
                              {"item": found, "errors": error.error_dict}), 400
    toolkit.h.flash_success(toolkit._("Request updated."))
    return toolkit.redirect_to("metropole_community.data_request", request_id=request_id)
