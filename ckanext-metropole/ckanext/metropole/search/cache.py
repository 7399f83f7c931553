"""Per-process cache of search results, valid until the index changes.

Solr answers repeated queries (the home page, ``/dataset`` without filters,
organisation pages) from its query and filter caches; this is our
equivalent.  Every write to the index bumps a PostgreSQL sequence; a cached
result is used only while that sequence has not moved, so a process sees
another process's write on its next search — the same read-your-writes
guarantee as without the cache, for one cheap extra read per search.
Queries with ``NOW`` are compiled with the current time in their parameters,
so they never hit a stale entry.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from typing import Any

from . import storage

_lock = threading.Lock()
_entries: OrderedDict[str, list[tuple]] = OrderedDict()
_generation: int | None = None


def _size() -> int:
    from ckan.common import config

    return int(config.get("ckanext.metropole.search.cache_size", 0) or 0)


def run(sql: str, params: dict[str, Any]) -> list[tuple]:
    """``storage.execute`` through the cache."""
    size = _size()
    if size <= 0:
        return storage.execute(sql, params)
    global _generation
    current = storage.generation()
    key = sql + "\x00" + json.dumps(params, sort_keys=True, default=str)
    with _lock:
        if current != _generation:
            _entries.clear()
            _generation = current
        elif key in _entries:
            _entries.move_to_end(key)
            return _entries[key]
    rows = storage.execute(sql, params)
    with _lock:
        if current == _generation:
            _entries[key] = rows
            while len(_entries) > size:
                _entries.popitem(last=False)
    return rows
