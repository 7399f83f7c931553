"""Data requests ("Demandes de données"): any logged-in user asks for data
(what, why, where: communes and/or themes). A request is routed to the
stewards of its communes' organisations and of its themes' groups (with
neither, to the sysadmins); they move it along (new -> in progress ->
published, or refused with a reason). Linking a public dataset closes it as
published. Statuses are public; the requester's identity is not."""

from __future__ import annotations

import datetime

import ckan.plugins.toolkit as toolkit
import sqlalchemy as sa
from ckan import authz, model

from metropole_core import commune_registry, vocabularies

from . import datasets, empty_searches, fields, signals, spam
from .model import DataRequest, data_request_table

_ = toolkit._

NEW, IN_PROGRESS, PUBLISHED, REFUSED = "new", "in_progress", "published", "refused"
STATUSES = (NEW, IN_PROGRESS, PUBLISHED, REFUSED)
LIMITS = {"title": 200, "reason": 3000}


def status_labels() -> dict[str, str]:
    return {NEW: _("New"), IN_PROGRESS: _("In progress"), PUBLISHED: _("Published"),
            REFUSED: _("Refused")}


def _user(context: dict) -> model.User | None:
    return model.User.get(context.get("user") or "")


def _validate(data: dict) -> tuple[dict, dict[str, list[str]]]:
    clean, errors = fields.text_fields(data, LIMITS, required=("title", "reason"))
    for field in ("title", "reason"):
        if clean[field] and spam.links_only(clean[field]):
            errors[field] = [_("Say what you need in words, not only with links.")]
    communes = fields.strings(data.get("communes"))
    known = set(commune_registry.communes()) | {commune_registry.WHOLE_METROPOLE}
    if communes is None or any(code not in known for code in communes):
        errors["communes"] = [_("Unknown commune.")]
    clean["communes"] = communes or []
    themes = fields.strings(data.get("themes"))
    if themes is None or any(theme not in vocabularies.themes() for theme in themes):
        errors["themes"] = [_("Unknown theme.")]
    clean["themes"] = themes or []
    return clean, errors


def _steward_groups(user: model.User) -> set[str]:
    """Names of the organisations and theme groups the user edits."""
    names = {org["name"] for org in toolkit.get_action("organization_list_for_user")(
        {"user": user.name}, {"permission": "create_dataset"})}
    names |= {group.name for group in model.Session.query(model.Group).filter(
        model.Group.is_organization.is_(False), model.Group.state == "active")
        if authz.has_user_permission_for_group_or_org(group.id, user.name, "update_dataset")}
    return names


def _routed_to(request: DataRequest) -> set[str]:
    """The organisations (communes) and groups (themes) a request goes to."""
    registry = commune_registry.communes()
    targets = {registry[code].org_name for code in request.communes if code in registry}
    return targets | set(request.themes)


def may_handle(user: model.User | None, request: DataRequest,
               groups: set[str] | None = None) -> bool:
    if user is None:
        return False
    if user.sysadmin:
        return True
    groups = _steward_groups(user) if groups is None else groups
    return bool(_routed_to(request) & groups)


def _get(data: dict) -> DataRequest:
    request = model.Session.get(DataRequest, str(data.get("id") or ""))
    if request is None:
        raise toolkit.ObjectNotFound(_("Data request not found"))
    return request


def _as_dict(request: DataRequest, user_name: str) -> dict:
    out = request.as_dict()
    del out["creator_user_id"]
    shown = datasets.visible([request.dataset_id] if request.dataset_id else [], user_name)
    out["dataset"] = shown[0] if shown else None
    del out["dataset_id"]
    return out


def _change_status(request: DataRequest, new: str, by: str) -> None:
    old = request.status
    request.status = new
    request.modified = datetime.datetime.utcnow()
    model.Session.commit()
    if old != new:
        signals.send(signals.DATA_REQUEST_STATUS_CHANGED, request.id,
                     request=request.as_dict(), old_status=old, new_status=new, by=by)


# Auth -----------------------------------------------------------------------

def request_create_auth(context: dict, data: dict) -> dict:
    if _user(context) is None:
        return {"success": False, "msg": _("Log in to ask for data.")}
    return {"success": True}


@toolkit.auth_allow_anonymous_access
def request_read_auth(context: dict, data: dict) -> dict:
    return {"success": True}


def request_update_auth(context: dict, data: dict) -> dict:
    if may_handle(_user(context), _get(data)):
        return {"success": True}
    return {"success": False, "msg": _("Only the stewards this request is routed to, and "
                                       "the administrators, handle it.")}


def empty_searches_auth(context: dict, data: dict) -> dict:
    return {"success": False, "msg": _("Administrators only.")}  # sysadmins pass anyway


# Actions --------------------------------------------------------------------

def request_create(context: dict, data: dict) -> dict:
    toolkit.check_access("metropole_data_request_create", context, data)
    user = _user(context)
    clean, errors = _validate(data)
    spam.check_rate(data_request_table, user, errors)
    if errors:
        raise toolkit.ValidationError(errors)
    request = DataRequest(status=NEW, creator_user_id=user.id, **clean)
    model.Session.add(request)
    model.Session.commit()
    return _as_dict(request, user.name)


def request_show(context: dict, data: dict) -> dict:
    toolkit.check_access("metropole_data_request_show", context, data)
    request = _get(data)
    out = _as_dict(request, context.get("user") or "")
    out["may_handle"] = may_handle(_user(context), request)
    return out


def request_update(context: dict, data: dict) -> dict:
    """``status`` (in_progress or refused with a ``refusal_reason``), or
    ``dataset`` (a public dataset: the request is then published)."""
    toolkit.check_access("metropole_data_request_update", context, data)
    request = _get(data)
    user = _user(context)
    if data.get("dataset"):
        ids, errors = datasets.linked(data["dataset"], None)
        if errors or len(ids) != 1:
            raise toolkit.ValidationError(errors or {"datasets": [
                _("Name one public dataset.")]})
        request.dataset_id = ids[0]
        request.refusal_reason = ""
        _change_status(request, PUBLISHED, user.name)
        return _as_dict(request, user.name)
    new = data.get("status")
    if new not in (IN_PROGRESS, REFUSED, NEW):
        raise toolkit.ValidationError({"status": [_("Choose a status.")]})
    reason = str(data.get("refusal_reason") or "").strip()
    if new == REFUSED and not reason:
        raise toolkit.ValidationError({"refusal_reason": [
            _("Say why the request is refused.")]})
    if len(reason) > LIMITS["reason"]:
        raise toolkit.ValidationError({"refusal_reason": [
            _("At most {num} characters.").format(num=LIMITS["reason"])]})
    request.refusal_reason = reason if new == REFUSED else ""
    _change_status(request, new, user.name)
    return _as_dict(request, user.name)


def request_search(context: dict, data: dict) -> dict:
    """Every request (statuses are public), newest first; ``status``, ``q``,
    and ``for_me`` (those routed to the caller)."""
    toolkit.check_access("metropole_data_request_search", context, data)
    limit = fields.integer(data, "rows", 50, 100)
    start = fields.integer(data, "start", 0, 10**6)
    query = model.Session.query(DataRequest).order_by(DataRequest.created.desc())
    if data.get("status") in STATUSES:
        query = query.filter(DataRequest.status == data["status"])
    for word in str(data.get("q") or "").split()[:10]:
        pattern = "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.filter(sa.or_(DataRequest.title.ilike(pattern, escape="\\"),
                                    DataRequest.reason.ilike(pattern, escape="\\")))
    requests = query.limit(500).all()
    user = _user(context)
    if fields.flag(data.get("for_me")):
        groups = _steward_groups(user) if user else set()
        requests = [r for r in requests if may_handle(user, r, groups)]
    user_name = context.get("user") or ""
    return {"count": len(requests), "results": [
        _as_dict(request, user_name) for request in requests[start:start + limit]]}


def empty_searches_list(context: dict, data: dict) -> list[dict]:
    toolkit.check_access("metropole_empty_searches", context, data)
    return empty_searches.most_frequent(fields.integer(data, "limit", 50, 500))


def actions() -> dict:
    return {"metropole_data_request_create": request_create,
            "metropole_data_request_show": request_show,
            "metropole_data_request_update": request_update,
            "metropole_data_request_search": request_search,
            "metropole_empty_searches": empty_searches_list}


def auth_functions() -> dict:
    return {"metropole_data_request_create": request_create_auth,
            "metropole_data_request_show": request_read_auth,
            "metropole_data_request_search": request_read_auth,
            "metropole_data_request_update": request_update_auth,
            "metropole_empty_searches": empty_searches_auth}
