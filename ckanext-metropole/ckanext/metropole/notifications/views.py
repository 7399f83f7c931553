"""Follow pages (French addresses; CKAN serves the same under /en/): the
"Suivre" forms post here (CSRF token checked by metropole_security), "Mes
abonnements", the one-click unsubscribe link of every email (no login: the
token is the proof), and the sysadmins' outbox."""

from __future__ import annotations

import ckan.model as model
import ckan.plugins.toolkit as toolkit
from flask import Blueprint, request

from . import links, tokens
from .model import Delivery, Subscription

notifications = Blueprint("metropole_notifications", __name__)


def _context() -> dict:
    return {"user": toolkit.g.user or ""}


def _back() -> str:
    came_from = request.form.get("came_from", "")
    # Only a path of this portal: never an open redirect.
    if came_from.startswith("/") and not came_from.startswith("//"):
        return came_from
    return toolkit.url_for("metropole_notifications.subscriptions")


@notifications.route(links.SUBSCRIPTIONS_PATH + "/suivre", methods=["POST"])
def follow():
    if not toolkit.g.user:
        return toolkit.redirect_to("user.login")
    data = {key: request.form.get(key, "") for key in
            ("object_type", "object_id", "channel", "webhook_url")}
    data["locale"] = toolkit.h.lang()
    try:
        created = toolkit.get_action("metropole_follow_create")(_context(), data)
    except toolkit.ValidationError as error:
        for messages in error.error_dict.values():
            toolkit.h.flash_error(" ".join(str(message) for message in messages))
        return toolkit.redirect_to(_back())
    if created.get("webhook_secret"):
        # The webhook's secret is shown here, once.
        return toolkit.render("notifications/webhook_created.html", {"subscription": created})
    toolkit.h.flash_success(toolkit._("You now follow {title}.").format(
        title=created["object_title"]))
    return toolkit.redirect_to(_back())


@notifications.route(links.SUBSCRIPTIONS_PATH)
def subscriptions() -> str:
    if not toolkit.g.user:
        return toolkit.redirect_to("user.login", came_from=request.full_path)
    found = toolkit.get_action("metropole_follow_list")(_context(), {})
    return toolkit.render("notifications/subscriptions.html", {"subscriptions": found})


@notifications.route(links.SUBSCRIPTIONS_PATH + "/<subscription_id>/supprimer", methods=["POST"])
def unfollow(subscription_id: str):
    try:
        toolkit.get_action("metropole_follow_delete")(_context(), {"id": subscription_id})
    except (toolkit.ObjectNotFound, toolkit.NotAuthorized):
        return toolkit.abort(404, toolkit._("Subscription not found"))
    toolkit.h.flash_success(toolkit._("Subscription removed."))
    return toolkit.redirect_to("metropole_notifications.subscriptions")


@notifications.route(links.UNSUBSCRIBE_PATH + "/<subscription_id>/<token>")
def unsubscribe(subscription_id: str, token: str):
    """One click from an email, no login. A wrong token is a 404 page, the
    same as an unknown subscription (nothing to learn by guessing)."""
    subscription = model.Session.get(Subscription, subscription_id[:100])
    if subscription is None or not tokens.valid_unsubscribe_token(subscription.id, token):
        return toolkit.abort(404, toolkit._(
            "This unsubscribe link is not valid. Copy the whole link from the email, "
            "or manage your subscriptions after logging in."))
    subscription.active = False
    model.Session.commit()
    return toolkit.render("notifications/unsubscribed.html", {"subscription": subscription})


@notifications.route("/ckan-admin/boite-d-envoi")
def outbox() -> str:
    user = model.User.get(toolkit.g.user or "")
    if user is None or not user.sysadmin:
        return toolkit.abort(403, toolkit._("Administrators only."))
    deliveries = (model.Session.query(Delivery).order_by(Delivery.created.desc())
                  .limit(200).all())
    return toolkit.render("notifications/outbox.html", {"deliveries": deliveries})
