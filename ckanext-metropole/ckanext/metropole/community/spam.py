"""What every proposal goes through (reuses, data requests): a number of
proposals per user and hour, and text that says something besides links."""

from __future__ import annotations

import datetime
import re

import ckan.plugins.toolkit as toolkit
import sqlalchemy as sa
from ckan import model

PER_HOUR = "ckanext.metropole.community.proposals_per_hour"
URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
# Fewer words than this once the links are removed: links only.
MIN_WORDS = 3


def links_only(text: str) -> bool:
    words = re.findall(r"\w{2,}", URL.sub(" ", text or ""))
    return bool(URL.search(text or "")) and len(words) < MIN_WORDS


def over_rate(table: sa.Table, user_id: str) -> bool:
    """Counted in the table itself: no other store, no state to lose."""
    limit = toolkit.config.get(PER_HOUR)
    since = datetime.datetime.utcnow() - datetime.timedelta(hours=1)
    count = model.Session.execute(
        sa.select(sa.func.count()).select_from(table)
        .where(table.c.creator_user_id == user_id, table.c.created >= since)).scalar()
    return count >= limit


def check_rate(table: sa.Table, user: model.User, errors: dict[str, list[str]]) -> None:
    """Adds the "too many proposals" error (sysadmins are not limited)."""
    if not user.sysadmin and over_rate(table, user.id):
        errors["proposals"] = [toolkit._("You have proposed too many items in the last hour; "
                                         "try again later.")]
