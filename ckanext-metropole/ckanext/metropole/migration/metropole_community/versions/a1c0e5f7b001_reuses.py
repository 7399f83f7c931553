"""Reuses: what people built with the data, proposed then moderated.

Revision ID: a1c0e5f7b001
Revises:
Create Date: 2026-12-04 16:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "a1c0e5f7b001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "metropole_community_reuse",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("kind", sa.UnicodeText, nullable=False),
        sa.Column("title", sa.UnicodeText, nullable=False),
        sa.Column("description", sa.UnicodeText, nullable=False),
        sa.Column("url", sa.UnicodeText, nullable=False),
        sa.Column("image_url", sa.UnicodeText, nullable=False, server_default=""),
        sa.Column("author", sa.UnicodeText, nullable=False),
        sa.Column("themes", sa.ARRAY(sa.UnicodeText), nullable=False, server_default="{}"),
        sa.Column("dataset_ids", sa.ARRAY(sa.UnicodeText), nullable=False, server_default="{}"),
        sa.Column("status", sa.UnicodeText, nullable=False, server_default="pending"),
        sa.Column("refusal_reason", sa.UnicodeText, nullable=False, server_default=""),
        sa.Column("creator_user_id", sa.UnicodeText, nullable=False),
        sa.Column("moderator_user_id", sa.UnicodeText),
        sa.Column("created", sa.DateTime, nullable=False, server_default=sa.func.now()),
        sa.Column("modified", sa.DateTime, nullable=False, server_default=sa.func.now()),
    )
    op.create_index("metropole_community_reuse_status", "metropole_community_reuse", ["status"])
    # "the reuses of this dataset" is an array containment query.
    op.create_index("metropole_community_reuse_datasets", "metropole_community_reuse",
                    ["dataset_ids"], postgresql_using="gin")
    op.create_index("metropole_community_reuse_creator", "metropole_community_reuse",
                    ["creator_user_id", "created"])


def downgrade():
    op.drop_table("metropole_community_reuse")
