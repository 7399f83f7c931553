"""A full rebuild that never empties search, with progress.

``ckan search-index rebuild`` reindexes in place (CKAN 2.12 no longer clears
first), one dataset at a time.  This rebuild writes every dataset into a
shadow table from several processes, in batches, then swaps the shadow table
in atomically: searches keep answering from the old index until the swap.
Datasets changed while it ran are reindexed again after the swap, and those
deleted or purged meanwhile are removed again (a trigger on the live table
logs deletions while the shadow table exists), so no write made meanwhile is
lost and nothing deleted comes back.
"""

from __future__ import annotations

import datetime as dt
import logging
import multiprocessing as mp
import time
from collections.abc import Callable, Collection, Sequence

from . import connection, storage

log = logging.getLogger(__name__)


def _package_ids(since: dt.datetime | None = None,
                 among: Collection[str] | None = None) -> list[str]:
    """The datasets search should hold (changed ``since``, or ``among`` these)."""
    import ckan.model as model
    from ckan.common import config

    query = model.Session.query(model.Package.id)
    if config.get("ckan.search.remove_deleted_packages", True):
        query = query.filter(model.Package.state != "deleted")
    if since is not None:
        query = query.filter(model.Package.metadata_modified >= since)
    if among is not None:
        query = query.filter(model.Package.id.in_(list(among)))
    return [row[0] for row in query.all()]


def _index(package_id: str, defer_commit: bool = False) -> None:
    """Index one dataset; one purged since it was listed is simply skipped."""
    import ckan.logic as logic

    try:
        logic.index_update_package({"ignore_auth": True}, package_id, defer_commit)
    except logic.NotFound:
        log.info("Dataset %s was purged during the rebuild", package_id)


def _index_chunk(ids: Sequence[str], progress: mp.Queue | None) -> int:
    """Worker: index ``ids`` into the shadow table; returns failures."""
    import ckan.model as model

    connection.redirect_writes(storage.SHADOW, batch=200)
    failures = 0
    done = 0
    try:
        for package_id in ids:
            try:
                _index(package_id, defer_commit=True)
            except Exception:  # noqa: BLE001 - one bad dataset must not stop a rebuild
                log.exception("Could not index dataset %s", package_id)
                failures += 1
            done += 1
            if progress is not None and done % 50 == 0:
                progress.put(50)
        connection.flush_redirected()
    finally:
        connection.redirect_writes(None)
        model.Session.remove()
    if progress is not None and done % 50:
        progress.put(done % 50)
    return failures


def _worker(ids: Sequence[str], progress: mp.Queue, results: mp.Queue) -> None:
    results.put(_index_chunk(ids, progress))


def rebuild(processes: int = 0, on_progress: Callable[[int], None] | None = None) -> dict:
    """Rebuild this site's index into a shadow table and swap it in."""
    from ckan.common import config

    started_at = dt.datetime.utcnow()
    clock = time.monotonic()
    ids = _package_ids()
    storage.create_shadow(config.get("ckan.site_id"))
    processes = processes or mp.cpu_count()
    processes = max(1, min(processes, len(ids) // 100 or 1))
    failures = 0
    if processes == 1:
        progress_queue = None
        failures = _index_chunk(ids, None)
        if on_progress:
            on_progress(len(ids))
    else:
        # fork: workers inherit the loaded CKAN app and configuration; the
        # index engine resets itself after fork (storage._reset_after_fork).
        ctx = mp.get_context("fork")
        progress_queue = ctx.Queue()
        results = ctx.Queue()
        chunks = [ids[i::processes] for i in range(processes)]
        import ckan.model as model

        model.Session.remove()
        model.meta.engine.dispose()  # do not share CKAN's sockets with children
        workers = [ctx.Process(target=_worker, args=(chunk, progress_queue, results))
                   for chunk in chunks]
        for worker in workers:
            worker.start()
        finished = 0
        reported = 0
        while finished < len(workers):
            while not progress_queue.empty():
                count = progress_queue.get()
                reported += count
                if on_progress:
                    on_progress(count)
            while not results.empty():
                failures += results.get()
                finished += 1
            time.sleep(0.05)
        for worker in workers:
            worker.join()
        while not progress_queue.empty():
            count = progress_queue.get()
            if on_progress:
                on_progress(count)
    storage.swap_shadow()
    # Catch up with what changed while the shadow table was being filled:
    # deletions and purges first (the shadow table may hold a copy indexed
    # before them), then every dataset changed or re-created since the start.
    deleted = storage.take_rebuild_deletions()
    changed = sorted(set(_package_ids(since=started_at)) | set(_package_ids(among=deleted)))
    for package_id in changed:
        _index(package_id)
    elapsed = time.monotonic() - clock
    return {"datasets": len(ids), "failures": failures, "caught_up": len(changed),
            "seconds": elapsed, "per_second": len(ids) / elapsed if elapsed else 0.0}
