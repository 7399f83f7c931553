"""The dataset searches of the portal's pages that found nothing, counted per
query (lower-cased, spaces collapsed): one upsert on a connection of its own
(never CKAN's session, so a search's failure here cannot abort the page's
transaction, and nothing is written for searches that found something).
Only sysadmins read them (a query may name a person)."""

from __future__ import annotations

import datetime
import logging
import re

import sqlalchemy as sa
from ckan import model
from sqlalchemy.dialects.postgresql import insert

from .model import empty_search_table

log = logging.getLogger(__name__)
MAX_QUERY = 200


def normalise(query: str) -> str:
    return re.sub(r"\s+", " ", query or "").strip().lower()[:MAX_QUERY]


def record(query: str) -> None:
    query = normalise(query)
    if not query:
        return
    statement = insert(empty_search_table).values(
        query=query, count=1, last_seen=datetime.datetime.utcnow())
    statement = statement.on_conflict_do_update(
        index_elements=[empty_search_table.c.query],
        set_={"count": empty_search_table.c.count + 1,
              "last_seen": statement.excluded.last_seen})
    try:
        with model.meta.engine.begin() as connection:
            connection.execute(statement)
    except sa.exc.SQLAlchemyError:
        # A statistic: never worth failing the visitor's search page.
        log.exception("Could not record an empty search")


def most_frequent(limit: int = 50) -> list[dict]:
    rows = model.Session.execute(
        sa.select(empty_search_table).order_by(empty_search_table.c.count.desc(),
                                               empty_search_table.c.last_seen.desc())
        .limit(limit)).mappings().all()
    return [{"query": row["query"], "count": row["count"],
             "last_seen": row["last_seen"].isoformat()} for row in rows]


def after_dataset_search(search_results: dict, search_params: dict) -> dict:
    """Counts a search of the dataset search page that found nothing (not the
    API's nor CKAN's internal searches)."""
    from flask import has_request_context, request

    if (search_results.get("count") == 0 and has_request_context()
            and request.endpoint == "dataset.search"):
        record(request.args.get("q", ""))
    return search_results
