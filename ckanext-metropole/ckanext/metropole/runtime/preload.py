"""Getting a process that loaded CKAN ready to fork children that share its
memory (gunicorn's preloading master, the background worker's fork mode)."""

from __future__ import annotations

import contextlib
import ctypes
import gc
import logging

log = logging.getLogger(__name__)
# Pages whose first render compiles most templates and loads most lazy
# imports (helpers, snippets, the search backend).
WARM_UP_PATHS = ("/api/3/action/status_show", "/", "/dataset/")


def prepare_to_fork() -> None:
    """Close every database connection the parent holds (each child opens its
    own: a connection shared across a fork corrupts both), then move the
    loaded objects out of the garbage collector's reach so that its passes in
    the children do not write to, and so copy, the shared pages."""
    from sqlalchemy.engine import Engine

    for engine in [obj for obj in gc.get_objects() if isinstance(obj, Engine)]:
        engine.dispose()
    gc.collect()
    gc.freeze()


def warm_up(wsgi_app) -> None:
    """Render a few pages once in the parent, so that the compiled templates
    and modules loaded on first use are in its memory, shared by every
    forked worker, rather than built again (and private) in each one."""
    from werkzeug.test import Client

    client = Client(wsgi_app)
    for path in WARM_UP_PATHS:
        try:
            client.get(path)
        except Exception:  # a warm-up must never stop the start
            log.exception("warm-up of %s failed", path)


def release_free_memory() -> None:
    """Give the heap's free pages back to the system: a long-lived process
    keeps the high-water mark of its biggest task (a harvest's data frames)
    otherwise."""
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):  # not glibc
        ctypes.CDLL("libc.so.6").malloc_trim(0)
