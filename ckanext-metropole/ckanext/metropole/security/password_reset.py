"""Password reset: the same answer whether the account exists or not.

CKAN's reset view answered 500 for an existing account when the mail could
not be sent (SMTP unset or down: errors other than its MailerException
escape) and 200 for an unknown one, which told an anonymous visitor which
accounts exist. This part sends the reset email itself through CKAN's
INotifier hook and logs a failure instead of raising, so the view always ends
with its own "if the account exists, an email was sent" message. The email
is CKAN's own (``mailer.send_reset_link``), so a configured SMTP server
receives exactly what CKAN would send.
"""

from __future__ import annotations

import logging
from typing import Any

from ckan.lib import mailer

log = logging.getLogger(__name__)


def notify_about_topic(notification_sent: bool, topic: str, details: dict[str, Any]) -> bool:
    if notification_sent or topic != "request_password_reset":
        return notification_sent
    user = details["user"]
    try:
        mailer.send_reset_link(user)
    except Exception:  # noqa: BLE001 — any failure must look like a success to the visitor
        log.exception("Could not email the password reset link to user %s", user.name)
    return True
