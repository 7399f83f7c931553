"""Innovation calls ("Appels à innovation"): published by the metropole, a
commune or a partner organisation (its editors and admins, or a sysadmin);
their status (upcoming / open / closed) is derived from the opening and
closing dates, in Paris time. Drafts are seen by their publishers only."""

from __future__ import annotations

import datetime
from typing import Any

import ckan.plugins.toolkit as toolkit
import sqlalchemy as sa
from ckan import authz, model

from metropole_core import paris_time

from . import datasets, fields, signals
from .model import Call, call_table

_ = toolkit._

KINDS = ("ami", "call_for_projects", "call_for_solutions", "challenge", "competition",
         "information_notice", "citizen_consultation")
UPCOMING, OPEN, CLOSED = "upcoming", "open", "closed"
LIMITS = {"title": 200, "description": 10000, "contact": 500, "how_to_respond": 3000}
MAX_ATTACHMENTS = 10


def kind_labels() -> dict[str, str]:
    return {"ami": _("Call for expressions of interest (AMI)"),
            "call_for_projects": _("Call for projects"),
            "call_for_solutions": _("Call for solutions"), "challenge": _("Challenge"),
            "competition": _("Competition"), "information_notice": _("Information notice"),
            "citizen_consultation": _("Citizen consultation")}


def status_labels() -> dict[str, str]:
    return {UPCOMING: _("Upcoming"), OPEN: _("Open"), CLOSED: _("Closed")}


def today() -> datetime.date:
    return datetime.datetime.now(paris_time.PARIS).date()


def status(call: Call, on: datetime.date | None = None) -> str:
    on = on or today()
    if on < call.opening_date:
        return UPCOMING
    return OPEN if on <= call.closing_date else CLOSED


def _date(value: Any) -> datetime.date | None:
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value or "").strip())
    except ValueError:
        return None


def _attachments(value: Any) -> tuple[list[dict], list[str]]:
    """Links ``name | https://…`` one per line (or dicts from the API)."""
    items = value if isinstance(value, list) else str(value or "").splitlines()
    out, errors = [], []
    for item in items:
        if isinstance(item, dict):
            name, url = str(item.get("name") or ""), str(item.get("url") or "")
        else:
            name, _sep, url = str(item).rpartition("|") if "|" in str(item) else ("", "", item)
        name, url = name.strip()[:200], url.strip()
        if not url:
            continue
        if not fields.web_address(url) or len(url) > 500:
            errors.append(_("Each attachment is a web address starting with http:// or "
                            "https://."))
            break
        out.append({"name": name or url, "url": url})
    if len(out) > MAX_ATTACHMENTS:
        errors.append(_("At most {num} attachments.").format(num=MAX_ATTACHMENTS))
    return out, errors


def may_publish_for(user: model.User | None, org_id: str) -> bool:
    if user is None:
        return False
    return bool(user.sysadmin) or authz.has_user_permission_for_group_or_org(
        org_id, user.name, "create_dataset")


def issuer_choices(user_name: str) -> list[dict]:
    """The organisations (metropole, communes, partners) the user publishes for."""
    orgs = toolkit.get_action("organization_list_for_user")(
        {"user": user_name}, {"permission": "create_dataset"})
    return [{"value": org["id"], "text": org["display_name"]} for org in orgs]


def _validate(data: dict) -> tuple[dict, dict[str, list[str]]]:
    clean, errors = fields.text_fields(data, LIMITS, required=tuple(LIMITS))
    kind = data.get("kind")
    if kind not in KINDS:
        errors["kind"] = [_("Choose a kind of call.")]
    clean["kind"] = kind
    org = model.Group.get(str(data.get("issuer") or ""))
    if org is None or not org.is_organization or org.state != "active":
        errors["issuer"] = [_("Choose the issuing organisation.")]
    clean["issuer_org_id"] = org.id if org is not None else ""
    for field in ("opening_date", "closing_date"):
        clean[field] = _date(data.get(field))
        if clean[field] is None:
            errors[field] = [_("A date (YYYY-MM-DD).")]
    if (clean["opening_date"] and clean["closing_date"]
            and clean["closing_date"] < clean["opening_date"]):
        errors["closing_date"] = [_("The closing date must not precede the opening date.")]
    clean["attachments"], attachment_errors = _attachments(data.get("attachments"))
    if attachment_errors:
        errors["attachments"] = attachment_errors
    clean["dataset_ids"], dataset_errors = datasets.linked(data.get("datasets"), None)
    errors.update(dataset_errors)
    clean["published"] = fields.flag(data.get("published"))
    return clean, errors


def _get(data: dict) -> Call:
    call = model.Session.get(Call, str(data.get("id") or ""))
    if call is None:
        raise toolkit.ObjectNotFound(_("Call not found"))
    return call


def _as_dict(call: Call, user_name: str) -> dict:
    out = call.as_dict()
    del out["creator_user_id"]
    out["status"] = status(call)
    out["datasets"] = datasets.visible(call.dataset_ids, user_name)
    org = model.Group.get(call.issuer_org_id)
    out["issuer"] = {"name": org.name, "title": org.title} if org else None
    return out


def _user(context: dict) -> model.User | None:
    return model.User.get(context.get("user") or "")


# Auth -----------------------------------------------------------------------

def call_create_auth(context: dict, data: dict) -> dict:
    user = _user(context)
    if user and (user.sysadmin or issuer_choices(user.name)):
        return {"success": True}
    return {"success": False, "msg": _("Only the editors of the metropole, a commune or a "
                                       "partner organisation publish calls.")}


@toolkit.auth_allow_anonymous_access
def call_show_auth(context: dict, data: dict) -> dict:
    call = _get(data)
    if call.published or may_publish_for(_user(context), call.issuer_org_id):
        return {"success": True}
    return {"success": False, "msg": _("Call not found")}


def call_update_auth(context: dict, data: dict) -> dict:
    if may_publish_for(_user(context), _get(data).issuer_org_id):
        return {"success": True}
    return {"success": False, "msg": _("Call not found")}


@toolkit.auth_allow_anonymous_access
def call_search_auth(context: dict, data: dict) -> dict:
    return {"success": True}


# Actions --------------------------------------------------------------------

def _publish_signal(call: Call, user: model.User) -> None:
    signals.send(signals.CALL_PUBLISHED, call.id, call=_as_dict(call, user.name),
                 publisher=user.name)


def call_create(context: dict, data: dict) -> dict:
    toolkit.check_access("metropole_call_create", context, data)
    user = _user(context)
    clean, errors = _validate(data)
    if not errors and not may_publish_for(user, clean["issuer_org_id"]):
        errors["issuer"] = [_("You do not publish for this organisation.")]
    if errors:
        raise toolkit.ValidationError(errors)
    call = Call(creator_user_id=user.id, **clean)
    model.Session.add(call)
    model.Session.commit()
    if call.published:
        _publish_signal(call, user)
    return _as_dict(call, user.name)


def call_publish(context: dict, data: dict) -> dict:
    """Publishes a draft (``published``: true) or withdraws it (false)."""
    toolkit.check_access("metropole_call_update", context, data)
    call = _get(data)
    user = _user(context)
    was = call.published
    call.published = fields.flag(data.get("published", True))
    call.modified = datetime.datetime.utcnow()
    model.Session.commit()
    if call.published and not was:
        _publish_signal(call, user)
    return _as_dict(call, user.name)


def call_show(context: dict, data: dict) -> dict:
    toolkit.check_access("metropole_call_show", context, data)
    call = _get(data)
    out = _as_dict(call, context.get("user") or "")
    out["may_edit"] = may_publish_for(_user(context), call.issuer_org_id)
    return out


def call_search(context: dict, data: dict) -> dict:
    """Published calls, open ones first (closing soonest), then upcoming
    (opening soonest), then closed (most recent first). Filters: ``kind``,
    ``status``, ``issuer`` (organisation name or id), ``dataset_id``."""
    toolkit.check_access("metropole_call_search", context, data)
    query = sa.select(call_table.c.id).where(call_table.c.published.is_(True))
    limit = fields.integer(data, "rows", 20, 100)
    start = fields.integer(data, "start", 0, 10**6)
    user_name = context.get("user") or ""
    if data.get("kind"):
        query = query.where(call_table.c.kind == str(data["kind"]))
    if data.get("dataset_id"):
        readable = datasets.readable_id(data["dataset_id"], user_name)
        query = query.where(call_table.c.dataset_ids.contains(readable) if readable else sa.false())
    if data.get("issuer"):
        org = model.Group.get(str(data["issuer"]))
        query = query.where(call_table.c.issuer_org_id == (org.id if org else ""))
    calls = [model.Session.get(Call, row.id) for row in model.Session.execute(query)]
    on = today()

    def key(call: Call) -> tuple[int, int]:
        state = status(call, on)
        if state == OPEN:
            return (0, call.closing_date.toordinal())
        if state == UPCOMING:
            return (1, call.opening_date.toordinal())
        return (2, -call.closing_date.toordinal())

    calls.sort(key=key)
    statuses: dict[str, int] = {}
    for call in calls:
        statuses[status(call, on)] = statuses.get(status(call, on), 0) + 1
    wanted = data.get("status")
    if wanted:
        calls = [call for call in calls if status(call, on) == wanted]
    return {"count": len(calls), "facets": {"status": statuses},
            "results": [_as_dict(call, user_name) for call in calls[start:start + limit]]}


def actions() -> dict:
    return {"metropole_call_create": call_create, "metropole_call_publish": call_publish,
            "metropole_call_show": call_show, "metropole_call_search": call_search}


def auth_functions() -> dict:
    return {"metropole_call_create": call_create_auth, "metropole_call_update": call_update_auth,
            "metropole_call_show": call_show_auth, "metropole_call_search": call_search_auth}
