"""Events -> notices: who follows what the event is about, whether each of
them may read it NOW (checked with the actions, as the recipient), and one
email, digest item or webhook call per subscription. Runs in a background job.

An event is a plain dict (it travels through Redis):
``kind``; ``title``; ``path`` (the portal page); ``lines``: [[kind, params]]
(what happened, worded per recipient's language); ``targets``: [[object
type, object id]] that followers follow; ``must_read``: [[action, id]] each
recipient must be allowed to call; ``search_dataset_id``: a dataset that
saved searches may find; ``once``: a key making the notice one per
subscription; ``recipient_user_id``: an event for one user only."""

from __future__ import annotations

import json
import logging
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as toolkit
import sqlalchemy as sa

from . import delivery, links, state, texts
from .model import DigestItem, Subscription
from .subscriptions import defines_search

log = logging.getLogger(__name__)

CHANNEL_ORDER = {"email": 0, "digest": 1, "webhook": 2}


def line_templates(_: Any) -> dict[str, str]:
    """One sentence per kind of line, in the language of ``_``."""
    return {
        "dataset_created": _("New dataset: {title}"),
        "dataset_changed": _("Dataset changed: {title}"),
        "resource_created": _("New resource in {title}: {name}"),
        "resource_changed": _("Resource changed in {title}: {name}"),
        "reuse_published": _("New reuse of the data: {title}"),
        "call_published": _("New innovation call: {title}"),
        "call_closing": _("The innovation call {title} closes on {date}"),
        "data_request_status": _("Your data request {title} is now: {status}"),
    }


def status_label(_: Any, status: str) -> str:
    return {"new": _("new"), "in_progress": _("in progress"), "published": _("published"),
            "refused": _("refused")}.get(status, status)


def render_lines(event: dict, locale: str) -> list[str]:
    _ = texts.gettext_for(locale)
    templates = line_templates(_)
    out = []
    for kind, params in event["lines"]:
        params = dict(params)
        if "status" in params:
            params["status"] = status_label(_, params["status"])
        out.append(templates[kind].format(**params))
    return out


def _may_read(user: model.User, event: dict, subscription: Subscription) -> bool:
    checks = list(event.get("must_read") or [])
    if subscription.object_type == "dataset":
        checks.append(["package_show", subscription.object_id])
    for action, object_id in checks:
        try:
            toolkit.get_action(action)({"user": user.name, "ignore_auth": False},
                                       {"id": object_id})
        except (toolkit.NotAuthorized, toolkit.ObjectNotFound):
            return False
    return True


def _search_finds(user: model.User, query: str, dataset_id: str) -> bool:
    """The saved search, run as its owner, finds this dataset.

    Its parameters become filters as CKAN's search page makes them (every
    parameter but ``q``, ``page``, ``sort``, ``_*`` and ``ext_*``), each
    value quoted as a phrase with its quotes escaped."""
    from urllib.parse import parse_qsl

    params = parse_qsl(query)
    q = " ".join(value for key, value in params if key == "q")
    filters = [f'{key}:"{_phrase(value)}"' for key, value in params
               if defines_search(key) and key != "q" and not key.startswith("ext_")]
    filters.append(f'id:"{dataset_id}"')
    try:
        found = toolkit.get_action("package_search")(
            {"user": user.name, "ignore_auth": False},
            {"q": q, "fq": " ".join(filters), "rows": 0,
             "include_private": True, "include_drafts": False})
    except (toolkit.ValidationError, toolkit.NotAuthorized, toolkit.ObjectNotFound) as error:
        log.info("saved search %r cannot run: %s", query, error)
        return False
    return found["count"] > 0


def _phrase(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')


def _matching(event: dict) -> list[Subscription]:
    query = model.Session.query(Subscription).filter(Subscription.active.is_(True))
    if event.get("recipient_user_id"):
        query = query.filter(Subscription.user_id == event["recipient_user_id"])
    targets = [tuple(target) for target in event.get("targets") or []]
    found = query.filter(sa.tuple_(Subscription.object_type, Subscription.object_id)
                         .in_(targets)).all() if targets else []
    dataset_id = event.get("search_dataset_id")
    if dataset_id:
        for saved in query.filter(Subscription.object_type == "search"):
            user = model.User.get(saved.user_id)
            if user is not None and _search_finds(user, saved.object_id, dataset_id):
                found.append(saved)
    return found


def _email_text(user: model.User, subscription: Subscription, event: dict,
                lines: list[str]) -> str:
    _ = texts.gettext_for(subscription.locale)
    return "\n".join([
        _("Hello {name},").format(name=user.display_name), "",
        *lines,
        links.absolute(event["path"], subscription.locale), "",
        _("You receive this message because you follow: {title}.").format(
            title=subscription.object_title),
        _("To stop receiving it (no login needed): {url}").format(
            url=links.unsubscribe_url(subscription.id, subscription.locale)),
        _("Your subscriptions: {url}").format(
            url=links.absolute(links.SUBSCRIPTIONS_PATH, subscription.locale)),
    ])


def webhook_body(subscription: Subscription, event: dict, lines: list[str]) -> str:
    return json.dumps({
        "event": event["kind"],
        "title": event["title"],
        "summary": lines,
        "url": links.absolute(event["path"]),
        "subscription": {"id": subscription.id, "object_type": subscription.object_type,
                         "object_id": subscription.object_id},
    }, ensure_ascii=False, sort_keys=True)


def _notice(subscription: Subscription, user: model.User, event: dict) -> list:
    lines = render_lines(event, subscription.locale)
    if subscription.channel == "webhook":
        return [delivery.queue_webhook(subscription, webhook_body(subscription, event, lines))]
    if subscription.channel == "digest":
        text = "\n".join([*lines, links.absolute(event["path"], subscription.locale)])
        model.Session.add(DigestItem(subscription_id=subscription.id, user_id=user.id,
                                     text=text))
        return []
    email = delivery.queue_email(user, lines[0], _email_text(user, subscription, event, lines),
                                 subscription.id)
    return [email] if email is not None else []


def dispatch(event: dict) -> int:
    """The job: queue and send the notices of one event; returns how many
    subscriptions it reached."""
    deliveries: list = []
    reached = 0
    # One email per person and event, however many of their subscriptions
    # match (a dataset, its organisation, its theme…): immediate ones first.
    emailed: set[str] = set()
    try:
        for subscription in sorted(_matching(event), key=lambda sub: CHANNEL_ORDER[sub.channel]):
            user = model.User.get(subscription.user_id)
            if user is None or user.state != "active" or not _may_read(user, event, subscription):
                continue
            if subscription.channel != "webhook":
                if user.id in emailed:
                    continue
                emailed.add(user.id)
            if event.get("once") and not state.claim(f"once:{event['once']}:{subscription.id}"):
                continue
            deliveries += _notice(subscription, user, event)
            reached += 1
        delivery.send_all(deliveries)
    finally:
        model.Session.remove()
    return reached


def enqueue(event: dict) -> None:
    """From a web request or a signal: the work is the job's."""
    try:
        toolkit.enqueue_job(dispatch, [event], title=f"Notifications : {event['title']}"[:200])
    except Exception:  # a queue that is down must not fail the user's change
        log.exception("could not enqueue the notifications of %s", event.get("kind"))


def ensure_requester_subscription(user_id: str, request_id: str, title: str) -> None:
    """A requester follows their own data request unless they unsubscribed."""
    exists = model.Session.query(Subscription).filter_by(
        user_id=user_id, object_type="data_request", object_id=request_id).first()
    if exists is None:
        model.Session.add(Subscription(
            user_id=user_id, object_type="data_request", object_id=request_id,
            object_title=title, channel="email", webhook_url="", locale="fr",
            active=True, consecutive_failures=0))
        model.Session.commit()

