"""Small facts kept between jobs, in one key/value table."""

from __future__ import annotations

import ckan.model as model
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

from .model import state_table


def read(key: str) -> str | None:
    return model.Session.execute(
        sa.select(state_table.c.value).where(state_table.c.key == key)).scalar()


def write(key: str, value: str) -> None:
    statement = insert(state_table).values(key=key, value=value)
    model.Session.execute(statement.on_conflict_do_update(
        index_elements=["key"], set_={"value": value}))


def claim(key: str) -> bool:
    """True the first time ``key`` is claimed (a notice sent once)."""
    result = model.Session.execute(
        insert(state_table).values(key=key, value="").on_conflict_do_nothing())
    return result.rowcount == 1
