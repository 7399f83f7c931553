"""Data requests, and the searches that found nothing (counted per query).

Revision ID: c3e2a7b9d003
Revises: b2d1f6a8c002
Create Date: 2026-12-04 16:25:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY

revision = "c3e2a7b9d003"
down_revision = "b2d1f6a8c002"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "metropole_community_data_request",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("title", sa.UnicodeText, nullable=False),
        sa.Column("reason", sa.UnicodeText, nullable=False),
        sa.Column("communes", ARRAY(sa.UnicodeText), nullable=False, server_default="{}"),
        sa.Column("themes", ARRAY(sa.UnicodeText), nullable=False, server_default="{}"),
        sa.Column("status", sa.UnicodeText, nullable=False, server_default="new"),
        sa.Column("refusal_reason", sa.UnicodeText, nullable=False, server_default=""),
        sa.Column("dataset_id", sa.UnicodeText),
        sa.Column("creator_user_id", sa.UnicodeText, nullable=False),
        sa.Column("created", sa.DateTime, nullable=False, server_default=sa.func.now()),
        sa.Column("modified", sa.DateTime, nullable=False, server_default=sa.func.now()),
    )
    op.create_index("metropole_community_data_request_creator",
                    "metropole_community_data_request", ["creator_user_id", "created"])
    op.create_table(
        "metropole_community_empty_search",
        sa.Column("query", sa.UnicodeText, primary_key=True),
        sa.Column("count", sa.Integer, nullable=False, server_default="1"),
        sa.Column("last_seen", sa.DateTime, nullable=False, server_default=sa.func.now()),
    )
    op.create_index("metropole_community_empty_search_count",
                    "metropole_community_empty_search", ["count"])


def downgrade():
    op.drop_table("metropole_community_empty_search")
    op.drop_table("metropole_community_data_request")
