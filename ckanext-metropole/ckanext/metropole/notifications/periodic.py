"""The notifications' periodic work, run by the scheduler loop at each pass:
retries of failed deliveries, daily digests, calls closing soon."""

from __future__ import annotations

import datetime

import ckan.model as model
import ckan.plugins.toolkit as toolkit
import sqlalchemy as sa

from . import delivery, dispatch, links, texts
from .model import DigestItem, Subscription


def send_digests(now: datetime.datetime | None = None) -> int:
    """One email per user whose oldest waiting notice is ``digest_hours``
    old, grouping all their waiting notices; returns how many were sent."""
    now = now or datetime.datetime.utcnow()
    hours = toolkit.config.get("ckanext.metropole.notifications.digest_hours")
    due_users = [user_id for (user_id,) in model.Session.query(DigestItem.user_id)
                 .group_by(DigestItem.user_id)
                 .having(sa.func.min(DigestItem.created) <= now - datetime.timedelta(hours=hours))]
    emails = []
    for user_id in due_users:
        items = (model.Session.query(DigestItem).filter_by(user_id=user_id)
                 .order_by(DigestItem.created).all())
        user = model.User.get(user_id)
        subscriptions = {sub.id: sub for sub in model.Session.query(Subscription).filter(
            Subscription.id.in_({item.subscription_id for item in items}))}
        for item in items:
            model.Session.delete(item)
        live = [item for item in items if item.subscription_id in subscriptions
                and subscriptions[item.subscription_id].active]
        if user is None or user.state != "active" or not live:
            continue
        locale = subscriptions[live[0].subscription_id].locale
        _ = texts.gettext_for(locale)
        body = [_("Hello {name},").format(name=user.display_name), "",
                _("What changed in what you follow:"), ""]
        for item in live:
            body += [item.text, ""]
        body.append(_("To stop receiving these notices (no login needed):"))
        for sub_id in dict.fromkeys(item.subscription_id for item in live):
            body.append(f"- {subscriptions[sub_id].object_title} : "
                        f"{links.unsubscribe_url(sub_id, locale)}")
        email = delivery.queue_email(user, _("Your daily digest ({count} notices)").format(
            count=len(live)), "\n".join(body), live[0].subscription_id)
        if email is not None:
            emails.append(email)
    delivery.send_all(emails)
    return len(emails)


def notify_closing_calls(today: datetime.date | None = None) -> int:
    """Followers of a published call are told once that it closes soon."""
    from ..community.model import Call

    today = today or datetime.date.today()
    days = toolkit.config.get("ckanext.metropole.notifications.call_closing_days")
    closing = model.Session.query(Call.id, Call.title, Call.closing_date).filter(
        Call.published.is_(True), Call.closing_date >= today,
        Call.closing_date <= today + datetime.timedelta(days=days)).all()
    reached = 0
    for call_id, title, closing_date in closing:
        reached += dispatch.dispatch({
            "kind": "call_closing", "title": title, "path": f"/appels/{call_id}",
            "lines": [["call_closing", {"title": title, "date": closing_date.isoformat()}]],
            "targets": [["call", call_id]],
            "must_read": [["metropole_call_show", call_id]],
            "once": f"call-closing:{call_id}:{closing_date.isoformat()}",
        })
    return reached


def run() -> None:
    delivery.retry_due()
    send_digests()
    notify_closing_calls()
