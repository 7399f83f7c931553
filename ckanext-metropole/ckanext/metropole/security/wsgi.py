"""Wrapping CKAN's app in WSGI middleware without hiding the Flask app.

IMiddleware hands each plugin what the previous one returned; plugins loaded
after ours may expect the Flask app itself, so our middleware goes around
its ``wsgi_app`` (which still sees every request) instead of replacing it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def wrap_wsgi(app: Any, middleware: Callable[[Callable], Callable]) -> Any:
    if hasattr(app, "wsgi_app"):
        app.wsgi_app = middleware(app.wsgi_app)
        return app
    return middleware(app)
