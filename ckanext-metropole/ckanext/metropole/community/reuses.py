"""Reuses ("Réutilisations"): proposed by any logged-in user, moderated by
the sysadmins or the stewards of a used dataset's organisation (pending ->
published, or refused with a reason); only published ones are public.

Actions (``metropole_reuse_*``) and their auth functions; the pages
(``views.py``) call the actions, so the API and the pages enforce the same
rules."""

from __future__ import annotations

import datetime

import ckan.plugins.toolkit as toolkit
import sqlalchemy as sa
from ckan import authz, model

from metropole_core import vocabularies

from . import datasets, fields, signals, spam
from .model import Reuse, reuse_table

_ = toolkit._

PENDING, PUBLISHED, REFUSED = "pending", "published", "refused"
KINDS = ("application", "api", "visualization", "article", "idea")
LIMITS = {"title": 200, "description": 5000, "url": 500, "image_url": 500, "author": 200,
          "reason": 1000}


def kind_labels() -> dict[str, str]:
    return {"application": _("Application"), "api": _("API or service"),
            "visualization": _("Visualisation"), "article": _("Article"),
            "idea": _("Idea")}


def status_labels() -> dict[str, str]:
    return {PENDING: _("Pending"), PUBLISHED: _("Published"), REFUSED: _("Refused")}


def _user(context: dict) -> model.User | None:
    return model.User.get(context.get("user") or "")


def _validate(data: dict) -> tuple[dict, dict[str, list[str]]]:
    text_limits = {key: LIMITS[key] for key in ("title", "description", "url", "image_url",
                                                 "author")}
    clean, errors = fields.text_fields(data, text_limits,
                                       required=("title", "description", "url", "author"),
                                       addresses=("url", "image_url"))
    for field in ("title", "description"):
        if clean[field] and spam.links_only(clean[field]):
            errors[field] = [_("Describe the reuse in words, not only with links.")]
    kind = data.get("kind")
    if kind not in KINDS:
        errors["kind"] = [_("Choose a kind of reuse.")]
    clean["kind"] = kind
    themes = fields.strings(data.get("themes"))
    if themes is None or any(theme not in vocabularies.themes() for theme in themes):
        errors["themes"] = [_("Unknown theme.")]
    clean["themes"] = themes or []
    clean["dataset_ids"], dataset_errors = datasets.linked(
        data.get("datasets"), _("Name at least one dataset the reuse uses."))
    errors.update(dataset_errors)
    return clean, errors


def may_moderate(user: model.User | None, reuse: Reuse) -> bool:
    """Sysadmins, and the stewards (editors, admins) of the organisation of
    one of the datasets the reuse uses."""
    if user is None:
        return False
    if user.sysadmin:
        return True
    for dataset_id in reuse.dataset_ids:
        pkg = model.Package.get(dataset_id)
        if pkg is not None and pkg.owner_org and authz.has_user_permission_for_group_or_org(
                pkg.owner_org, user.name, "update_dataset"):
            return True
    return False


def _get(data: dict) -> Reuse:
    reuse = model.Session.get(Reuse, str(data.get("id") or ""))
    if reuse is None:
        raise toolkit.ObjectNotFound(_("Reuse not found"))
    return reuse


def _as_dict(reuse: Reuse, user_name: str) -> dict:
    out = reuse.as_dict()
    out["datasets"] = datasets.visible(reuse.dataset_ids, user_name)
    # Who proposed it is the moderators' business, not the public's.
    del out["creator_user_id"], out["moderator_user_id"]
    return out


# Auth functions ------------------------------------------------------------

def reuse_create_auth(context: dict, data: dict) -> dict:
    if not context.get("auth_user_obj") and not _user(context):
        return {"success": False, "msg": _("Log in to propose a reuse.")}
    return {"success": True}


@toolkit.auth_allow_anonymous_access
def reuse_show_auth(context: dict, data: dict) -> dict:
    reuse = _get(data)
    user = _user(context)
    if reuse.status == PUBLISHED or (user and (user.id == reuse.creator_user_id
                                               or may_moderate(user, reuse))):
        return {"success": True}
    return {"success": False, "msg": _("Reuse not found")}


def reuse_moderate_auth(context: dict, data: dict) -> dict:
    if may_moderate(_user(context), _get(data)):
        return {"success": True}
    return {"success": False, "msg": _("Only the administrators and the stewards of a used "
                                       "dataset may moderate this reuse.")}


@toolkit.auth_allow_anonymous_access
def reuse_search_auth(context: dict, data: dict) -> dict:
    return {"success": True}



# Actions --------------------------------------------------------------------

def reuse_create(context: dict, data: dict) -> dict:
    toolkit.check_access("metropole_reuse_create", context, data)
    user = _user(context)
    if user is None:
        raise toolkit.NotAuthorized(_("Log in to propose a reuse."))
    clean, errors = _validate(data)
    spam.check_rate(reuse_table, user, errors)
    if errors:
        raise toolkit.ValidationError(errors)
    reuse = Reuse(status=PENDING, creator_user_id=user.id, **clean)
    model.Session.add(reuse)
    model.Session.commit()
    return _as_dict(reuse, user.name)


def reuse_show(context: dict, data: dict) -> dict:
    toolkit.check_access("metropole_reuse_show", context, data)
    reuse = _get(data)
    out = _as_dict(reuse, context.get("user") or "")
    out["may_moderate"] = may_moderate(_user(context), reuse)
    return out


def reuse_moderate(context: dict, data: dict) -> dict:
    """``decision``: ``publish`` or ``refuse`` (with a ``reason``)."""
    toolkit.check_access("metropole_reuse_moderate", context, data)
    reuse = _get(data)
    user = _user(context)
    decision = data.get("decision")
    reason = str(data.get("reason") or "").strip()
    if decision not in ("publish", "refuse"):
        raise toolkit.ValidationError({"decision": [_("Publish or refuse.")]})
    if decision == "refuse" and not reason:
        raise toolkit.ValidationError({"reason": [_("Say why the reuse is refused.")]})
    if len(reason) > LIMITS["reason"]:
        raise toolkit.ValidationError({"reason": [_("At most {num} characters.").format(
            num=LIMITS["reason"])]})
    reuse.status = PUBLISHED if decision == "publish" else REFUSED
    reuse.refusal_reason = reason if decision == "refuse" else ""
    reuse.moderator_user_id = user.id
    reuse.modified = datetime.datetime.utcnow()
    model.Session.commit()
    out = _as_dict(reuse, user.name)
    if decision == "publish":
        signals.send(signals.REUSE_PUBLISHED, reuse.id, reuse=reuse.as_dict(),
                     moderator=user.name)
    else:
        signals.send(signals.REUSE_REFUSED, reuse.id, reuse=reuse.as_dict(),
                     moderator=user.name, reason=reason)
    return out


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def reuse_search(context: dict, data: dict) -> dict:
    """Published reuses only. ``q`` (words in the title, description or
    author), ``kind``, ``theme``, ``dataset_id``; facets on kind and theme
    (counted over the reuses that match ``q`` and the other facet)."""
    toolkit.check_access("metropole_reuse_search", context, data)
    query = sa.select(reuse_table).where(reuse_table.c.status == PUBLISHED)
    limit = fields.integer(data, "rows", 20, 100)
    start = fields.integer(data, "start", 0, 10**6)
    user_name = context.get("user") or ""
    q = str(data.get("q") or "").strip()[:200]
    for word in q.split():
        pattern = _like(word)
        query = query.where(sa.or_(reuse_table.c.title.ilike(pattern, escape="\\"),
                                   reuse_table.c.description.ilike(pattern, escape="\\"),
                                   reuse_table.c.author.ilike(pattern, escape="\\")))
    if data.get("dataset_id"):
        readable = datasets.readable_id(data["dataset_id"], user_name)
        query = query.where(reuse_table.c.dataset_ids.contains(readable) if readable
                            else sa.false())
    rows = model.Session.execute(query.order_by(reuse_table.c.modified.desc())).mappings().all()
    kind, theme = data.get("kind"), data.get("theme")
    kinds: dict[str, int] = {}
    themes: dict[str, int] = {}
    results = []
    for row in rows:
        if not theme or theme in row["themes"]:
            kinds[row["kind"]] = kinds.get(row["kind"], 0) + 1
        if not kind or row["kind"] == kind:
            for slug in row["themes"]:
                themes[slug] = themes.get(slug, 0) + 1
        if (not kind or row["kind"] == kind) and (not theme or theme in row["themes"]):
            results.append(row)
    page = [_as_dict(model.Session.get(Reuse, row["id"]), user_name)
            for row in results[start:start + limit]]
    return {"count": len(results), "results": page,
            "facets": {"kind": kinds, "theme": themes}}


def reuse_pending(context: dict, data: dict) -> list[dict]:
    """The pending reuses the user may moderate (their moderation queue)."""
    user = _user(context)
    if user is None:
        raise toolkit.NotAuthorized(_("Log in to propose a reuse."))
    pending = model.Session.query(Reuse).filter(Reuse.status == PENDING).order_by(
        Reuse.created).all()
    return [_as_dict(reuse, user.name) for reuse in pending if may_moderate(user, reuse)]


def actions() -> dict:
    return {"metropole_reuse_create": reuse_create, "metropole_reuse_show": reuse_show,
            "metropole_reuse_moderate": reuse_moderate, "metropole_reuse_search": reuse_search,
            "metropole_reuse_pending": reuse_pending}


def auth_functions() -> dict:
    return {"metropole_reuse_create": reuse_create_auth, "metropole_reuse_show": reuse_show_auth,
            "metropole_reuse_moderate": reuse_moderate_auth,
            "metropole_reuse_search": reuse_search_auth,
            "metropole_reuse_pending": reuse_create_auth}
