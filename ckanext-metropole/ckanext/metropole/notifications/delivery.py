"""Sending what is in the outbox: emails through CKAN's SMTP settings
(``ckan.lib.mailer``), webhook calls through the outbound policy. Called by
background jobs only, never in a web request.

A delivery that fails is retried later (``retry_base_seconds``, doubled each
time) up to ``max_attempts`` tries; with no SMTP configured (no
``smtp.mail_from``, the ``make run`` default) an email is kept in the outbox,
which sysadmins read at /ckan-admin/boite-d-envoi."""

from __future__ import annotations

import datetime
import logging

import ckan.model as model
import ckan.plugins.toolkit as toolkit
from ckan.lib import mailer

from metropole_core import outbound

from . import links, texts, tokens
from .model import Delivery, Subscription

log = logging.getLogger(__name__)


def smtp_configured() -> bool:
    """CKAN's smtp.server defaults to localhost, which says nothing: an
    install that sends email sets the sender address."""
    return bool(toolkit.config.get("smtp.mail_from"))


def _now() -> datetime.datetime:
    return datetime.datetime.utcnow()


def queue_email(user: model.User, subject: str, body: str,
                subscription_id: str | None = None) -> Delivery | None:
    if not user.email:
        return None
    delivery = Delivery(channel="email", user_id=user.id, subscription_id=subscription_id,
                        recipient=user.email, subject=subject, body=body, status="queued",
                        attempts=0, last_error="")
    model.Session.add(delivery)
    return delivery


def queue_webhook(subscription: Subscription, body: str) -> Delivery:
    delivery = Delivery(channel="webhook", user_id=subscription.user_id,
                        subscription_id=subscription.id, recipient=subscription.webhook_url,
                        subject="", body=body, status="queued", attempts=0, last_error="")
    model.Session.add(delivery)
    return delivery


def send(delivery: Delivery) -> None:
    """One try of one delivery; its new state is committed."""
    if delivery.channel == "email":
        _send_email(delivery)
    else:
        _send_webhook(delivery)
    model.Session.commit()


def send_all(deliveries: list[Delivery]) -> None:
    model.Session.commit()
    for delivery in deliveries:
        send(delivery)


def _failed(delivery: Delivery, error: str) -> None:
    delivery.last_error = error[:500]
    if delivery.attempts >= toolkit.config.get("ckanext.metropole.notifications.max_attempts"):
        delivery.status = "failed"
        delivery.next_attempt_at = None
        return
    wait = toolkit.config.get("ckanext.metropole.notifications.retry_base_seconds") * (
        2 ** (delivery.attempts - 1))
    delivery.status = "retry"
    delivery.next_attempt_at = _now() + datetime.timedelta(seconds=wait)


def _send_email(delivery: Delivery) -> None:
    if not smtp_configured():
        delivery.status = "kept"
        return
    delivery.attempts += 1
    headers = {}
    if delivery.subscription_id:
        headers["List-Unsubscribe"] = f"<{links.unsubscribe_url(delivery.subscription_id)}>"
    user = model.User.get(delivery.user_id)
    try:
        mailer.mail_recipient(user.display_name if user else "", delivery.recipient,
                              delivery.subject, delivery.body, headers=headers)
    except (mailer.MailerException, OSError) as error:
        log.warning("notification email %s not sent: %s", delivery.id, error)
        _failed(delivery, str(error))
        return
    delivery.status = "sent"
    delivery.sent_at = _now()
    delivery.next_attempt_at = None


def _send_webhook(delivery: Delivery) -> None:
    subscription = model.Session.get(Subscription, delivery.subscription_id or "")
    if subscription is None or not subscription.active:
        delivery.status = "failed"
        delivery.last_error = "subscription disabled"
        return
    delivery.attempts += 1
    body = delivery.body.encode()
    secret = tokens.webhook_secret(subscription.id)
    timeout = toolkit.config.get("ckanext.metropole.notifications.webhook_timeout")
    try:
        response = outbound.session().post(
            delivery.recipient, data=body, timeout=timeout, allow_redirects=False,
            headers={"Content-Type": "application/json",
                     tokens.SIGNATURE_HEADER: tokens.signature(secret, body),
                     "User-Agent": "metropole-portal-webhooks"})
        ok, error = 200 <= response.status_code < 300, f"HTTP {response.status_code}"
    except (outbound.OutboundRefused, OSError, ValueError) as refused:
        ok, error = False, str(refused)
    except Exception as other:  # requests' own errors (timeouts, connection)
        ok, error = False, f"{type(other).__name__}: {other}"
    if ok:
        delivery.status = "sent"
        delivery.sent_at = _now()
        delivery.next_attempt_at = None
        subscription.consecutive_failures = 0
        return
    log.warning("webhook %s to %s failed: %s", delivery.id, delivery.recipient, error)
    _failed(delivery, error)
    subscription.consecutive_failures += 1
    if subscription.consecutive_failures >= toolkit.config.get(
            "ckanext.metropole.notifications.webhook_max_failures"):
        _disable(subscription, error)


def _disable(subscription: Subscription, error: str) -> None:
    """Too many failures in a row: stop calling, and tell the owner."""
    subscription.active = False
    for pending in model.Session.query(Delivery).filter(
            Delivery.subscription_id == subscription.id,
            Delivery.status.in_(("queued", "retry"))):
        pending.status = "failed"
        pending.next_attempt_at = None
    owner = model.User.get(subscription.user_id)
    if owner is None:
        return
    _ = texts.gettext_for(subscription.locale)
    body = "\n".join([
        _("Hello {name},").format(name=owner.display_name), "",
        _("Your webhook {url} failed {count} times in a row; the portal stopped calling it.")
        .format(url=subscription.webhook_url, count=subscription.consecutive_failures),
        _("Last error: {error}").format(error=error), "",
        _("Follow {title} again from the portal once the receiver works:")
        .format(title=subscription.object_title),
        links.absolute("/abonnements"),
    ])
    email = queue_email(owner, _("Your webhook was disabled"), body)
    if email is not None:
        model.Session.flush()
        _send_email(email)


def retry_due() -> int:
    """Retry the deliveries whose wait is over (and those a lost job left
    queued); returns how many were tried."""
    stale = _now() - datetime.timedelta(minutes=10)
    due = model.Session.query(Delivery).filter(
        ((Delivery.status == "retry") & (Delivery.next_attempt_at <= _now()))
        | ((Delivery.status == "queued") & (Delivery.created <= stale))).all()
    for delivery in due:
        send(delivery)
    return len(due)
