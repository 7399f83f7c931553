"""Getting a process that loaded CKAN ready to fork children that share its
memory (gunicorn's preloading master, the background worker's fork mode)."""

from __future__ import annotations

import gc


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
