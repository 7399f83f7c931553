"""The community's tables, mapped on CKAN's metadata (created by the
plugin's alembic migrations, never by ``create_all``)."""

from __future__ import annotations

import datetime
import uuid

import sqlalchemy as sa
from ckan.model import meta
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import registry

mapper_registry = registry(metadata=meta.metadata)

reuse_table = sa.Table(
    "metropole_community_reuse", meta.metadata,
    sa.Column("id", sa.UnicodeText, primary_key=True, default=lambda: str(uuid.uuid4())),
    sa.Column("kind", sa.UnicodeText, nullable=False),
    sa.Column("title", sa.UnicodeText, nullable=False),
    sa.Column("description", sa.UnicodeText, nullable=False),
    sa.Column("url", sa.UnicodeText, nullable=False),
    sa.Column("image_url", sa.UnicodeText, nullable=False, default=""),
    sa.Column("author", sa.UnicodeText, nullable=False),
    sa.Column("themes", ARRAY(sa.UnicodeText), nullable=False, default=list),
    sa.Column("dataset_ids", ARRAY(sa.UnicodeText), nullable=False, default=list),
    sa.Column("status", sa.UnicodeText, nullable=False, default="pending"),
    sa.Column("refusal_reason", sa.UnicodeText, nullable=False, default=""),
    sa.Column("creator_user_id", sa.UnicodeText, nullable=False),
    sa.Column("moderator_user_id", sa.UnicodeText),
    sa.Column("created", sa.DateTime, nullable=False, default=datetime.datetime.utcnow),
    sa.Column("modified", sa.DateTime, nullable=False, default=datetime.datetime.utcnow,
              onupdate=datetime.datetime.utcnow),
    extend_existing=True,
)


call_table = sa.Table(
    "metropole_community_call", meta.metadata,
    sa.Column("id", sa.UnicodeText, primary_key=True, default=lambda: str(uuid.uuid4())),
    sa.Column("kind", sa.UnicodeText, nullable=False),
    sa.Column("title", sa.UnicodeText, nullable=False),
    sa.Column("issuer_org_id", sa.UnicodeText, nullable=False),
    sa.Column("opening_date", sa.Date, nullable=False),
    sa.Column("closing_date", sa.Date, nullable=False),
    sa.Column("description", sa.UnicodeText, nullable=False),
    sa.Column("attachments", JSONB, nullable=False, default=list),
    sa.Column("dataset_ids", ARRAY(sa.UnicodeText), nullable=False, default=list),
    sa.Column("contact", sa.UnicodeText, nullable=False),
    sa.Column("how_to_respond", sa.UnicodeText, nullable=False),
    sa.Column("published", sa.Boolean, nullable=False, default=False),
    sa.Column("creator_user_id", sa.UnicodeText, nullable=False),
    sa.Column("created", sa.DateTime, nullable=False, default=datetime.datetime.utcnow),
    sa.Column("modified", sa.DateTime, nullable=False, default=datetime.datetime.utcnow,
              onupdate=datetime.datetime.utcnow),
    extend_existing=True,
)


data_request_table = sa.Table(
    "metropole_community_data_request", meta.metadata,
    sa.Column("id", sa.UnicodeText, primary_key=True, default=lambda: str(uuid.uuid4())),
    sa.Column("title", sa.UnicodeText, nullable=False),
    sa.Column("reason", sa.UnicodeText, nullable=False),
    sa.Column("communes", ARRAY(sa.UnicodeText), nullable=False, default=list),
    sa.Column("themes", ARRAY(sa.UnicodeText), nullable=False, default=list),
    sa.Column("status", sa.UnicodeText, nullable=False, default="new"),
    sa.Column("refusal_reason", sa.UnicodeText, nullable=False, default=""),
    sa.Column("dataset_id", sa.UnicodeText),
    sa.Column("creator_user_id", sa.UnicodeText, nullable=False),
    sa.Column("created", sa.DateTime, nullable=False, default=datetime.datetime.utcnow),
    sa.Column("modified", sa.DateTime, nullable=False, default=datetime.datetime.utcnow,
              onupdate=datetime.datetime.utcnow),
    extend_existing=True,
)

# Written with one upsert per search that found nothing (empty_searches.py).
empty_search_table = sa.Table(
    "metropole_community_empty_search", meta.metadata,
    sa.Column("query", sa.UnicodeText, primary_key=True),
    sa.Column("count", sa.Integer, nullable=False, default=1),
    sa.Column("last_seen", sa.DateTime, nullable=False, default=datetime.datetime.utcnow),
    extend_existing=True,
)


class _Row:
    """Fields as attributes; ``as_dict`` gives JSON-ready values."""

    _table: sa.Table

    def __init__(self, **fields) -> None:
        for key, value in fields.items():
            setattr(self, key, value)

    def as_dict(self) -> dict:
        out = {}
        for column in self._table.columns:
            value = getattr(self, column.name)
            out[column.name] = value.isoformat() if hasattr(value, "isoformat") else value
        return out


class Reuse(_Row):
    id: str
    kind: str
    title: str
    description: str
    url: str
    image_url: str
    author: str
    themes: list[str]
    dataset_ids: list[str]
    status: str
    refusal_reason: str
    creator_user_id: str
    moderator_user_id: str | None
    created: datetime.datetime
    modified: datetime.datetime

    _table = reuse_table


class Call(_Row):
    id: str
    kind: str
    title: str
    issuer_org_id: str
    opening_date: datetime.date
    closing_date: datetime.date
    description: str
    attachments: list[dict]
    dataset_ids: list[str]
    contact: str
    how_to_respond: str
    published: bool
    creator_user_id: str
    created: datetime.datetime
    modified: datetime.datetime

    _table = call_table


class DataRequest(_Row):
    id: str
    title: str
    reason: str
    communes: list[str]
    themes: list[str]
    status: str
    refusal_reason: str
    dataset_id: str | None
    creator_user_id: str
    created: datetime.datetime
    modified: datetime.datetime

    _table = data_request_table


mapper_registry.map_imperatively(Reuse, reuse_table)
mapper_registry.map_imperatively(DataRequest, data_request_table)
mapper_registry.map_imperatively(Call, call_table)
