"""A pysolr-compatible connection that serves CKAN's search from PostgreSQL.

CKAN talks to Solr through ``make_connection()`` and uses exactly this
surface of ``pysolr.Solr``: ``search(q, **params)`` returning ``hits``,
``docs`` and ``facets``; ``add(docs, commit)``; ``delete(q=|id=, commit)``;
``commit()``; ``url``; failures as ``pysolr.SolrError``.  Keeping that
surface means all of CKAN's query assembly (permission labels, default
filters, parameter validation) and result conversion run unchanged.
"""

from __future__ import annotations

import copy
import logging
import re
from collections.abc import Callable
from typing import Any

import psycopg2
import pysolr
import sqlalchemy as sa

from . import cache, document, query, storage
from .errors import BadRequest, QuerySyntaxError, SortError
from .globs import glob_match

log = logging.getLogger(__name__)

# The one index error a user can do something about (search less at once).
TIMEOUT_MESSAGE = "Query took too long and was cancelled"
_DATE_RE = re.compile(r"^(\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\.(\d{6})Z$")


def _solr_error(exc: Exception) -> pysolr.SolrError:
    """Wording CKAN's PackageSearchQuery.run recognises (see its except block)."""
    if isinstance(exc, SortError):
        return pysolr.SolrError(str(exc))
    if isinstance(exc, QuerySyntaxError):
        text = str(exc)
        if not text.startswith("org.apache.solr"):
            text = "org.apache.solr.search.SyntaxError: " + text
        return pysolr.SolrError(text)
    return pysolr.SolrError(str(exc))


def _database_error(exc: Exception) -> pysolr.SolrError:
    """Never pass database text to callers: it can end up in an API response."""
    original = getattr(exc, "orig", exc)
    if isinstance(original, psycopg2.extensions.QueryCanceledError):
        log.warning("Search query cancelled by statement_timeout")
        return pysolr.SolrError(TIMEOUT_MESSAGE)
    if isinstance(original, psycopg2.OperationalError) or isinstance(
        exc, sa.exc.OperationalError
    ):
        log.error("Search database unavailable: %s", exc)
        # CKAN turns this wording into SolrConnectionError, as for a dead Solr.
        return pysolr.SolrError("Failed to connect to server")
    log.warning("Search query failed in the database: %s", exc)
    return pysolr.SolrError("Invalid query")


def _facet_value(field_name: str, value: str) -> str:
    # Dates are indexed in a fixed-width form; show them as Solr does.
    m = _DATE_RE.match(value)
    if m and field_name.endswith(("_date", "metadata_modified", "metadata_created")):
        millis = m.group(2)[:3]
        return f"{m.group(1)}Z" if millis == "000" else f"{m.group(1)}.{millis}Z"
    return value


def _fl_filter(fl: list[str]) -> Callable[[str], bool]:
    """Which stored fields ``fl`` asks for, each field name decided once."""
    decided: dict[str, bool] = {"score": True}

    def wanted(name: str) -> bool:
        if name not in decided:
            decided[name] = any(glob_match(f, name) for f in fl)
        return decided[name]

    return wanted


# Set by ``rebuild.py`` in its worker processes: writes go, in batches, to a
# shadow table instead of the live one.
_redirect: dict[str, Any] = {}


def redirect_writes(table: str | None, batch: int = 200) -> None:
    """Send ``add`` to ``table`` in batches (None: back to normal)."""
    flush_redirected()
    _redirect.clear()
    if table:
        _redirect.update(table=table, batch=batch, pending=[])


def flush_redirected() -> None:
    pending = _redirect.get("pending")
    if pending:
        storage.upsert(pending, _redirect["table"])
        pending.clear()


def _without_nul(value: Any) -> Any:
    """PostgreSQL text cannot hold NUL; indexed values never contain it either
    (pysolr strips XML-illegal characters), so dropping it changes no match."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, (list, tuple)):
        return [_without_nul(v) for v in value]
    return value


class PostgresSolr:
    """Drop-in for ``pysolr.Solr`` used by ``ckan.lib.search``."""

    def __init__(self, decode_dates: bool = True, table: str = storage.TABLE) -> None:
        self.decode_dates = decode_dates
        self.table = table

    @property
    def url(self) -> str:
        # CKAN logs ``conn.url`` in error messages: never include a password.
        try:
            return sa.engine.make_url(storage.database_url()).render_as_string(
                hide_password=True
            ) + "#" + self.table
        except Exception:  # noqa: BLE001 - a log label must not fail
            return "postgresql#" + self.table

    # ----------------------------------------------------------- reading

    def search(
        self, q: Any = None, search_handler: str | None = None, **kwargs: Any
    ) -> pysolr.Results:
        params = {key: _without_nul(value) for key, value in kwargs.items()}
        params["q"] = _without_nul(q)
        try:
            plan = query.build(params, self.table)
        except (QuerySyntaxError, BadRequest, SortError) as e:
            raise _solr_error(e) from None
        except RecursionError:
            raise pysolr.SolrError(
                "org.apache.solr.search.SyntaxError: query too deeply nested"
            ) from None
        except Exception:  # noqa: BLE001 - user input must never become a 500
            log.exception("Could not compile search request %r", params)
            raise pysolr.SolrError(
                "org.apache.solr.search.SyntaxError: Cannot parse the query"
            ) from None
        try:
            rows = cache.run(plan.sql, plan.params)
        except (psycopg2.Error, sa.exc.DBAPIError, sa.exc.OperationalError) as e:
            raise _database_error(e) from None
        return self._results(plan, rows)

    def _results(self, plan: query.Plan, rows: list[tuple]) -> pysolr.Results:
        hits = 0
        docs: list[tuple[int, dict[str, Any]]] = []
        facet_fields: dict[str, list[Any]] = {name: [] for name in plan.facet_fields}
        facet_rows: dict[str, list[tuple[int, str, int]]] = {}
        for kind, value, count, ordinal, payload in rows:
            if kind == "n":
                hits = int(count)
            elif kind == "d":
                # a copy: rows may come from the cache and CKAN edits results
                docs.append((ordinal, copy.deepcopy(payload or {})))
            else:
                facet_rows.setdefault(kind[2:], []).append((ordinal, value, int(count)))
        for name, values in facet_rows.items():
            flat: list[Any] = []
            for _, value, count in sorted(values):
                flat += [_facet_value(name, value), count]
            facet_fields[name] = flat
        ordered = [doc for _, doc in sorted(docs, key=lambda item: item[0])]
        if any("*" in f or "?" in f for f in plan.fl) and "*" not in plan.fl:
            wanted = _fl_filter(plan.fl)
            ordered = [{k: v for k, v in doc.items() if wanted(k)} for doc in ordered]
        if self.decode_dates:
            from ckan.lib.search.common import solr_datetime_decoder

            ordered = [solr_datetime_decoder(doc) for doc in ordered]
        decoded = {
            "response": {"numFound": hits, "start": 0, "docs": ordered},
            "facet_counts": {"facet_fields": facet_fields} if plan.facet_fields else {},
        }
        return pysolr.Results(decoded)

    # ----------------------------------------------------------- writing

    def add(self, docs: list[dict[str, Any]], boost: Any = None, fieldUpdates: Any = None,
            commit: bool | None = None, softCommit: bool = False, commitWithin: Any = None,
            waitFlush: Any = None, waitSearcher: Any = None, overwrite: Any = None,
            handler: str = "update", min_rf: Any = None) -> str:
        try:
            rows = [document.to_row(doc) for doc in docs]
        except ValueError as e:
            raise pysolr.SolrError(str(e)) from None
        if _redirect:
            _redirect["pending"].extend(rows)
            if len(_redirect["pending"]) >= _redirect["batch"]:
                flush_redirected()
            return ""
        try:
            storage.upsert(rows, self.table)
        except (psycopg2.Error, sa.exc.DBAPIError, sa.exc.OperationalError) as e:
            raise _database_error(e) from None
        return ""

    def delete(self, id: Any = None, q: str | None = None, commit: bool | None = None,
               softCommit: bool = False, waitFlush: Any = None, waitSearcher: Any = None,
               handler: str = "update") -> str:
        if id is None and q is None:
            raise ValueError('You must specify "id" or "q".')
        if id is not None and q is not None:
            raise ValueError('You many only specify "id" OR "q", not both.')
        try:
            if id is not None:
                ids = [str(i) for i in (id if isinstance(id, (list, tuple, set)) else [id])]
                storage.delete_ids(ids, self.table)
            else:
                try:
                    where, params = query.where_for_delete(q or "")
                except (QuerySyntaxError, BadRequest) as e:
                    raise _solr_error(e) from None
                storage.delete_where(where, params, self.table)
        except (psycopg2.Error, sa.exc.DBAPIError, sa.exc.OperationalError) as e:
            raise _database_error(e) from None
        return ""

    def commit(self, softCommit: bool = False, waitFlush: Any = None, waitSearcher: Any = None,
               expungeDeletes: Any = None, handler: str = "update") -> str:
        # Every write is committed as it happens (see storage.py).
        return ""

    def optimize(self, *args: Any, **kwargs: Any) -> str:
        return ""

    def ping(self, handler: str = "admin/ping", **kwargs: Any) -> str:
        storage.execute("SELECT 1")
        return '{"status": "OK"}'


def make_connection(decode_dates: bool = True) -> PostgresSolr:
    return PostgresSolr(decode_dates=decode_dates)
