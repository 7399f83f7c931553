"""Innovation calls: published by the metropole, a commune or a partner
organisation; their status comes from their opening and closing dates.

Revision ID: b2d1f6a8c002
Revises: a1c0e5f7b001
Create Date: 2026-12-04 16:20:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

revision = "b2d1f6a8c002"
down_revision = "a1c0e5f7b001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "metropole_community_call",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("kind", sa.UnicodeText, nullable=False),
        sa.Column("title", sa.UnicodeText, nullable=False),
        sa.Column("issuer_org_id", sa.UnicodeText, nullable=False),
        sa.Column("opening_date", sa.Date, nullable=False),
        sa.Column("closing_date", sa.Date, nullable=False),
        sa.Column("description", sa.UnicodeText, nullable=False),
        sa.Column("attachments", JSONB, nullable=False, server_default="[]"),
        sa.Column("dataset_ids", ARRAY(sa.UnicodeText), nullable=False, server_default="{}"),
        sa.Column("contact", sa.UnicodeText, nullable=False),
        sa.Column("how_to_respond", sa.UnicodeText, nullable=False),
        sa.Column("published", sa.Boolean, nullable=False, server_default="false"),
        sa.Column("creator_user_id", sa.UnicodeText, nullable=False),
        sa.Column("created", sa.DateTime, nullable=False, server_default=sa.func.now()),
        sa.Column("modified", sa.DateTime, nullable=False, server_default=sa.func.now()),
    )
    op.create_index("metropole_community_call_datasets", "metropole_community_call",
                    ["dataset_ids"], postgresql_using="gin")
    op.create_index("metropole_community_call_closing", "metropole_community_call",
                    ["published", "closing_date"])


def downgrade():
    op.drop_table("metropole_community_call")
