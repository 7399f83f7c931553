"""The last validation of each resource, in the catalogue's database.

Not in the resource's own fields on purpose: anyone who may edit a resource
could then write "valid" into them through the API, and every dataset update
would carry them around. One row per resource, written only by the job:
the status, what the schema was, and the capped list of problems.

The table is created on first use (``CREATE TABLE IF NOT EXISTS``, idempotent
and cheap) rather than by an alembic migration of its own.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

TABLE = "metropole_table_schema_check"
PENDING, VALID, INVALID, FAILED = "pending", "valid", "invalid", "failed"

_DDL = f"""
CREATE TABLE IF NOT EXISTS {TABLE} (
    resource_id text PRIMARY KEY,
    package_id text NOT NULL,
    schema_key text NOT NULL,
    fingerprint text NOT NULL DEFAULT '',
    schema_title text NOT NULL,
    schema_version text NOT NULL,
    status text NOT NULL,
    problems jsonb NOT NULL DEFAULT '[]',
    truncated boolean NOT NULL DEFAULT false,
    not_run jsonb NOT NULL DEFAULT '[]',
    message text NOT NULL DEFAULT '',
    checked_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS {TABLE}_package ON {TABLE} (package_id);
"""


@dataclass
class Check:
    resource_id: str
    package_id: str
    schema_key: str
    schema_title: str
    schema_version: str
    status: str
    problems: list[dict[str, Any]] = field(default_factory=list)
    truncated: bool = False
    not_run: list[str] = field(default_factory=list)
    message: str = ""
    checked_at: Any = None
    fingerprint: str = ""


def _session() -> Any:
    from ckan import model

    session = model.Session
    session.execute(sa.text(_DDL))
    return session


def save(check: Check, commit: bool = True) -> None:
    """Write ``check``; inside an action's transaction (``commit=False``) the
    action's own commit writes it."""
    session = _session()
    session.execute(sa.text(f"""
        INSERT INTO {TABLE} (resource_id, package_id, schema_key, fingerprint, schema_title,
                             schema_version, status, problems, truncated, not_run, message,
                             checked_at)
        VALUES (:resource_id, :package_id, :schema_key, :fingerprint, :schema_title,
                :schema_version, :status, CAST(:problems AS jsonb), :truncated,
                CAST(:not_run AS jsonb),
                :message, now())
        ON CONFLICT (resource_id) DO UPDATE SET
            package_id = EXCLUDED.package_id, schema_key = EXCLUDED.schema_key,
            fingerprint = EXCLUDED.fingerprint,
            schema_title = EXCLUDED.schema_title, schema_version = EXCLUDED.schema_version,
            status = EXCLUDED.status, problems = EXCLUDED.problems,
            truncated = EXCLUDED.truncated, not_run = EXCLUDED.not_run,
            message = EXCLUDED.message, checked_at = now()"""),
        {**{k: v for k, v in check.__dict__.items() if k != "checked_at"},
         "problems": json.dumps(check.problems), "not_run": json.dumps(check.not_run)})
    if commit:
        session.commit()


def forget(resource_id: str) -> None:
    """Inside the action's transaction: its commit applies it."""
    _session().execute(sa.text(f"DELETE FROM {TABLE} WHERE resource_id = :id"),
                       {"id": resource_id})


def _row(row: Any) -> Check:
    return Check(**dict(row._mapping))


def get(resource_id: str) -> Check | None:
    row = _session().execute(sa.text(f"SELECT * FROM {TABLE} WHERE resource_id = :id"),
                             {"id": resource_id}).first()
    return _row(row) if row is not None else None


def of_package(package_id: str) -> list[Check]:
    rows = _session().execute(sa.text(f"SELECT * FROM {TABLE} WHERE package_id = :id"),
                              {"id": package_id})
    return [_row(row) for row in rows]
