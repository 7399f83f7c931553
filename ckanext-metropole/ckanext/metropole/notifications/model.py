"""The notifications' tables, mapped on CKAN's metadata (created by the
plugin's alembic migrations, never by ``create_all``)."""

from __future__ import annotations

import datetime
import uuid

import sqlalchemy as sa
from ckan.model import meta
from sqlalchemy.orm import registry

mapper_registry = registry(metadata=meta.metadata)


def _new_id() -> str:
    return str(uuid.uuid4())


subscription_table = sa.Table(
    "metropole_notifications_subscription", meta.metadata,
    sa.Column("id", sa.UnicodeText, primary_key=True, default=_new_id),
    sa.Column("user_id", sa.UnicodeText, nullable=False),
    # dataset, organization, theme, call, search or data_request.
    sa.Column("object_type", sa.UnicodeText, nullable=False),
    # An id, a theme's name, or a saved search's query string.
    sa.Column("object_id", sa.UnicodeText, nullable=False),
    sa.Column("object_title", sa.UnicodeText, nullable=False, default=""),
    sa.Column("channel", sa.UnicodeText, nullable=False),   # email, digest or webhook
    sa.Column("webhook_url", sa.UnicodeText, nullable=False, default=""),
    sa.Column("locale", sa.UnicodeText, nullable=False, default="fr"),
    sa.Column("active", sa.Boolean, nullable=False, default=True),
    sa.Column("consecutive_failures", sa.Integer, nullable=False, default=0),
    sa.Column("created", sa.DateTime, nullable=False, default=datetime.datetime.utcnow),
    extend_existing=True,
)

# The outbox: every email and webhook call, its state and its retries.
delivery_table = sa.Table(
    "metropole_notifications_delivery", meta.metadata,
    sa.Column("id", sa.UnicodeText, primary_key=True, default=_new_id),
    sa.Column("channel", sa.UnicodeText, nullable=False),   # email or webhook
    sa.Column("user_id", sa.UnicodeText, nullable=False),
    sa.Column("subscription_id", sa.UnicodeText),
    sa.Column("recipient", sa.UnicodeText, nullable=False),   # address or URL
    sa.Column("subject", sa.UnicodeText, nullable=False, default=""),
    sa.Column("body", sa.UnicodeText, nullable=False),
    # queued, kept (no SMTP configured), retry, sent, failed.
    sa.Column("status", sa.UnicodeText, nullable=False, default="queued"),
    sa.Column("attempts", sa.Integer, nullable=False, default=0),
    sa.Column("next_attempt_at", sa.DateTime),
    sa.Column("last_error", sa.UnicodeText, nullable=False, default=""),
    sa.Column("created", sa.DateTime, nullable=False, default=datetime.datetime.utcnow),
    sa.Column("sent_at", sa.DateTime),
    extend_existing=True,
)

digest_item_table = sa.Table(
    "metropole_notifications_digest_item", meta.metadata,
    sa.Column("id", sa.UnicodeText, primary_key=True, default=_new_id),
    sa.Column("subscription_id", sa.UnicodeText, nullable=False),
    sa.Column("user_id", sa.UnicodeText, nullable=False),
    sa.Column("text", sa.UnicodeText, nullable=False),
    sa.Column("created", sa.DateTime, nullable=False, default=datetime.datetime.utcnow),
    extend_existing=True,
)

# Small facts kept between jobs: a notice sent once ("once:<notice>:<subscription>")
# and the last notified state of each dataset ("dataset:<id>", JSON).
state_table = sa.Table(
    "metropole_notifications_state", meta.metadata,
    sa.Column("key", sa.UnicodeText, primary_key=True),
    sa.Column("value", sa.UnicodeText, nullable=False, default=""),
    sa.Column("created", sa.DateTime, nullable=False, default=datetime.datetime.utcnow),
    extend_existing=True,
)


class Subscription:
    id: str
    user_id: str
    object_type: str
    object_id: str
    object_title: str
    channel: str
    webhook_url: str
    locale: str
    active: bool
    consecutive_failures: int
    created: datetime.datetime

    def __init__(self, **fields) -> None:
        for key, value in fields.items():
            setattr(self, key, value)

    def as_dict(self) -> dict:
        return {column.name: (getattr(self, column.name).isoformat()
                              if column.name == "created" and self.created
                              else getattr(self, column.name))
                for column in subscription_table.columns}


class Delivery:
    id: str
    channel: str
    user_id: str
    subscription_id: str | None
    recipient: str
    subject: str
    body: str
    status: str
    attempts: int
    next_attempt_at: datetime.datetime | None
    last_error: str
    created: datetime.datetime
    sent_at: datetime.datetime | None

    def __init__(self, **fields) -> None:
        for key, value in fields.items():
            setattr(self, key, value)


class DigestItem:
    id: str
    subscription_id: str
    user_id: str
    text: str
    created: datetime.datetime

    def __init__(self, **fields) -> None:
        for key, value in fields.items():
            setattr(self, key, value)


mapper_registry.map_imperatively(Subscription, subscription_table)
mapper_registry.map_imperatively(Delivery, delivery_table)
mapper_registry.map_imperatively(DigestItem, digest_item_table)
