"""Follow: the subscriptions' actions and auth functions.

A logged-in user follows what they may read: a dataset, an organisation, a
theme, an innovation call or a saved search (the query string of /dataset),
by email (``email``: one message per notice; ``digest``: one a day) or by
webhook (a URL the outbound policy accepts). Requesters of data requests are
subscribed to their request implicitly (``data_request``)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl, urlencode

import ckan.model as model
import ckan.plugins.toolkit as toolkit
from ckan.plugins.toolkit import _

from metropole_core import outbound, vocabularies

from . import tokens
from .model import Subscription

OBJECT_TYPES = ("dataset", "organization", "theme", "call", "search")
CHANNELS = ("email", "digest", "webhook")
# A parameter that defines a search: q, ext_* or a field (CKAN's search page
# turns every field into a filter). Display settings (_tags_limit...) start
# with "_"; page and sort only choose what part of the results is shown.
_FIELD_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
SEARCH_NON_FILTERS = frozenset({"page", "sort"})


def defines_search(key: str) -> bool:
    """Whether a query-string parameter is part of what a saved search finds."""
    return key not in SEARCH_NON_FILTERS and _FIELD_NAME.fullmatch(key) is not None


def _user(context: dict) -> model.User | None:
    return model.User.get(context.get("user") or "")


def normal_search(query: str) -> str:
    """A saved search, as its filters sorted (one subscription per search)."""
    pairs = [(key, value.strip()) for key, value in parse_qsl(query.lstrip("?"))
             if defines_search(key) and value.strip()]
    return urlencode(sorted(pairs))


def _describe(object_type: str, object_id: str, context: dict) -> tuple[str, str]:
    """(stored id, title) of what is followed, read AS THE USER: one cannot
    follow what one may not read. Raises ValidationError."""
    as_user = {"user": context.get("user")}
    try:
        if object_type == "dataset":
            pkg = toolkit.get_action("package_show")(as_user, {"id": object_id})
            return pkg["id"], pkg["title"] or pkg["name"]
        if object_type == "organization":
            org = toolkit.get_action("organization_show")(
                as_user, {"id": object_id, "include_datasets": False})
            return org["id"], org["title"] or org["name"]
        if object_type == "call":
            call = toolkit.get_action("metropole_call_show")(as_user, {"id": object_id})
            return call["id"], call["title"]
        if object_type == "theme":
            theme = vocabularies.themes().get(object_id)
            if theme is not None:
                return theme.slug, theme.label["fr"]
        if object_type == "search":
            query = normal_search(object_id)
            if query:
                return query, dict(parse_qsl(query)).get("q") or query
            raise toolkit.ValidationError({"object_id": [_("An empty search cannot be followed.")]})
    except (toolkit.ObjectNotFound, toolkit.NotAuthorized):
        pass
    raise toolkit.ValidationError({"object_id": [_("Nothing to follow here.")]})


def _checked_webhook_url(url: str) -> str:
    url = (url or "").strip()
    if not url:
        raise toolkit.ValidationError({"webhook_url": [_("Missing value")]})
    try:
        outbound.check_url(url)
    except outbound.OutboundRefused as refused:
        raise toolkit.ValidationError({"webhook_url": [str(refused)]}) from refused
    return url


def follow_create(context: dict, data: dict) -> dict:
    toolkit.check_access("metropole_follow_create", context, data)
    user = _user(context)
    object_type = data.get("object_type", "")
    channel = data.get("channel") or "email"
    if object_type not in OBJECT_TYPES:
        raise toolkit.ValidationError({"object_type": [_("Unknown kind of object.")]})
    if channel not in CHANNELS:
        raise toolkit.ValidationError({"channel": [_("Unknown channel.")]})
    object_id, title = _describe(object_type, str(data.get("object_id") or ""), context)
    webhook_url = _checked_webhook_url(data.get("webhook_url", "")) if channel == "webhook" else ""
    existing = model.Session.query(Subscription).filter_by(
        user_id=user.id, object_type=object_type, object_id=object_id, channel=channel,
        webhook_url=webhook_url, active=True).first()
    if existing is not None:
        return existing.as_dict()
    subscription = Subscription(user_id=user.id, object_type=object_type, object_id=object_id,
                                object_title=title, channel=channel, webhook_url=webhook_url,
                                locale="en" if data.get("locale") == "en" else "fr",
                                active=True, consecutive_failures=0)
    model.Session.add(subscription)
    model.Session.commit()
    out = subscription.as_dict()
    if channel == "webhook":
        # Shown once: the owner keeps it to check the signatures.
        out["webhook_secret"] = tokens.webhook_secret(subscription.id)
    return out


def _get(data: dict) -> Subscription:
    subscription = model.Session.get(Subscription, str(data.get("id") or ""))
    if subscription is None or not subscription.active:
        raise toolkit.ObjectNotFound(_("Subscription not found"))
    return subscription


def follow_delete(context: dict, data: dict) -> dict:
    subscription = _get(data)
    toolkit.check_access("metropole_follow_delete", context, {"id": subscription.id})
    subscription.active = False
    model.Session.commit()
    return {"id": subscription.id, "active": False}


def follow_list(context: dict, data: dict) -> list[dict]:
    toolkit.check_access("metropole_follow_list", context, data)
    user = _user(context)
    rows = (model.Session.query(Subscription)
            .filter_by(user_id=user.id, active=True)
            .order_by(Subscription.created.desc()).all())
    return [row.as_dict() for row in rows]


# Auth -----------------------------------------------------------------------

def _logged_in(context: dict, data: dict) -> dict:
    if _user(context) is None:
        return {"success": False, "msg": _("You must be logged in to follow.")}
    return {"success": True}


def follow_delete_auth(context: dict, data: dict) -> dict:
    user = _user(context)
    subscription = model.Session.get(Subscription, str(data.get("id") or ""))
    if user is not None and subscription is not None and (
            user.sysadmin or subscription.user_id == user.id):
        return {"success": True}
    return {"success": False, "msg": _("Not your subscription.")}


def actions() -> dict[str, Any]:
    return {"metropole_follow_create": follow_create,
            "metropole_follow_delete": follow_delete,
            "metropole_follow_list": follow_list}


def auth_functions() -> dict[str, Any]:
    return {"metropole_follow_create": _logged_in,
            "metropole_follow_delete": follow_delete_auth,
            "metropole_follow_list": _logged_in}
