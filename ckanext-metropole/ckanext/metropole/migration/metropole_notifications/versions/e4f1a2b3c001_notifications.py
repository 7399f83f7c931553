"""Subscriptions (follow), deliveries (the outbox: emails and webhooks with
their retries), digest items and the small state kept between jobs.

Revision ID: e4f1a2b3c001
Revises:
Create Date: 2026-12-04 20:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = "e4f1a2b3c001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "metropole_notifications_subscription",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("user_id", sa.UnicodeText, nullable=False),
        sa.Column("object_type", sa.UnicodeText, nullable=False),
        sa.Column("object_id", sa.UnicodeText, nullable=False),
        sa.Column("object_title", sa.UnicodeText, nullable=False, server_default=""),
        sa.Column("channel", sa.UnicodeText, nullable=False),
        sa.Column("webhook_url", sa.UnicodeText, nullable=False, server_default=""),
        sa.Column("locale", sa.UnicodeText, nullable=False, server_default="fr"),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("consecutive_failures", sa.Integer, nullable=False, server_default="0"),
        sa.Column("created", sa.DateTime, nullable=False, server_default=sa.func.now()),
    )
    op.create_index("metropole_notifications_subscription_object",
                    "metropole_notifications_subscription", ["object_type", "object_id"])
    op.create_index("metropole_notifications_subscription_user",
                    "metropole_notifications_subscription", ["user_id"])
    op.create_table(
        "metropole_notifications_delivery",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("channel", sa.UnicodeText, nullable=False),
        sa.Column("user_id", sa.UnicodeText, nullable=False),
        sa.Column("subscription_id", sa.UnicodeText),
        sa.Column("recipient", sa.UnicodeText, nullable=False),
        sa.Column("subject", sa.UnicodeText, nullable=False, server_default=""),
        sa.Column("body", sa.UnicodeText, nullable=False),
        sa.Column("status", sa.UnicodeText, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("next_attempt_at", sa.DateTime),
        sa.Column("last_error", sa.UnicodeText, nullable=False, server_default=""),
        sa.Column("created", sa.DateTime, nullable=False, server_default=sa.func.now()),
        sa.Column("sent_at", sa.DateTime),
    )
    op.create_index("metropole_notifications_delivery_due",
                    "metropole_notifications_delivery", ["status", "next_attempt_at"])
    op.create_table(
        "metropole_notifications_digest_item",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("subscription_id", sa.UnicodeText, nullable=False),
        sa.Column("user_id", sa.UnicodeText, nullable=False),
        sa.Column("text", sa.UnicodeText, nullable=False),
        sa.Column("created", sa.DateTime, nullable=False, server_default=sa.func.now()),
    )
    op.create_index("metropole_notifications_digest_item_user",
                    "metropole_notifications_digest_item", ["user_id", "created"])
    op.create_table(
        "metropole_notifications_state",
        sa.Column("key", sa.UnicodeText, primary_key=True),
        sa.Column("value", sa.UnicodeText, nullable=False, server_default=""),
        sa.Column("created", sa.DateTime, nullable=False, server_default=sa.func.now()),
    )


def downgrade():
    op.drop_table("metropole_notifications_state")
    op.drop_table("metropole_notifications_digest_item")
    op.drop_table("metropole_notifications_delivery")
    op.drop_table("metropole_notifications_subscription")
