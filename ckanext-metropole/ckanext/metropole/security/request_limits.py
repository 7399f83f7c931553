"""Transport-level limits: request body size and JSON nesting depth.

- Bodies larger than a limit are answered 413 before anything reads them.
  Multipart uploads (resource files) may be as large as
  ``ckan.max_resource_size`` (500 MB for harvested GIS snapshots); any other
  body (API JSON, forms) only ``ckanext.metropole.security.max_body_mb``
  (10 MB): a 1 MB title or a 500 MB JSON document has no business reaching
  a worker. Chunked bodies without Content-Length are read up to the limit.
- JSON nested deeper than ``ckanext.metropole.security.max_json_depth``
  (64) is answered 400 with a message, instead of a RecursionError (500)
  in ``json.loads`` (3,000 levels are enough).

Field lengths (titles, notes, tags) are validators' business, not this
module's.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable, Iterable
from typing import Any

from .wsgi import wrap_wsgi

_MB = 1024 * 1024
# Bytes allowed in a multipart body beyond the file itself (form fields,
# boundaries).
_MULTIPART_OVERHEAD = _MB
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')
_NOT_BRACKET = re.compile(rb"[^\[\]{}]+")
_INNERMOST = re.compile(rb"\{\}|\[\]")


def json_depth_exceeds(body: bytes, limit: int) -> bool:
    """True when the JSON text nests arrays/objects deeper than ``limit``.

    Linear time: strings removed, then only brackets kept, then at most
    ``limit`` passes each removing the innermost empty pairs."""
    brackets = _NOT_BRACKET.sub(b"", _STRING.sub(b"", body))
    for _ in range(limit):
        if not brackets:
            return False
        brackets, removed = _INNERMOST.subn(b"", brackets)
        if not removed:
            return False  # unbalanced: json.loads will say so
    return bool(brackets)


def _is_form(content_type: str) -> bool:
    return content_type.startswith(("multipart/form-data",
                                     "application/x-www-form-urlencoded"))


class RequestLimits:
    def __init__(self, app: Callable, config: Any) -> None:
        self.app = app
        self.body_limit = int(config.get("ckanext.metropole.security.max_body_mb")) * _MB
        self.upload_limit = (int(config.get("ckan.max_resource_size")) * _MB
                             + _MULTIPART_OVERHEAD)

    def _too_large(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        # Outside Flask, before any translation machinery: French first,
        # English after, as the rest of the portal's default language.
        message = ("Requête trop volumineuse : au plus {} Mo. "
                   "Request body too large: at most {} MB.")
        limit = self._limit(environ) // _MB
        body = message.format(limit, limit).encode()
        if environ.get("PATH_INFO", "").startswith("/api/"):
            body = json.dumps({"success": False, "error": {
                "__type": "Request Entity Too Large",
                "message": body.decode()}}, ensure_ascii=False).encode()
            content_type = "application/json;charset=utf-8"
        else:
            content_type = "text/plain;charset=utf-8"
        start_response("413 Request Entity Too Large", [
            ("Content-Type", content_type), ("Content-Length", str(len(body))),
            ("Connection", "close")])
        return [body]

    def _limit(self, environ: dict) -> int:
        content_type = environ.get("CONTENT_TYPE", "").lower()
        return (self.upload_limit if content_type.startswith("multipart/form-data")
                else self.body_limit)

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        limit = self._limit(environ)
        length = environ.get("CONTENT_LENGTH")
        if length:
            try:
                if int(length) > limit:
                    return self._too_large(environ, start_response)
            except ValueError:
                pass
        elif "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower():
            # Read it here, within the limit, and hand it on with a length.
            body = environ["wsgi.input"].read(limit + 1)
            if len(body) > limit:
                return self._too_large(environ, start_response)
            environ["wsgi.input"] = io.BytesIO(body)
            environ["CONTENT_LENGTH"] = str(len(body))
            environ.pop("HTTP_TRANSFER_ENCODING", None)
            environ["wsgi.input_terminated"] = False
        return self.app(environ, start_response)


def check_json_depth() -> Any:
    """Flask hook: 400 for JSON bodies nested too deep (translated message)."""
    import ckan.plugins.toolkit as toolkit
    from flask import current_app, jsonify, request

    if not request.content_length or _is_form((request.content_type or "").lower()):
        return None
    limit = int(toolkit.config.get("ckanext.metropole.security.max_json_depth"))
    if not json_depth_exceeds(request.get_data(cache=True), limit):
        return None
    message = toolkit._("The JSON document is nested too deeply: at most {limit} "
                        "levels of arrays and objects.").format(limit=limit)
    if (request.endpoint or "").startswith("api."):
        answer = jsonify({"success": False, "error": {
            "__type": "Validation Error", "message": message}})
    else:
        answer = current_app.response_class(message, mimetype="text/plain")
    answer.status_code = 400
    return answer


def blueprints() -> list[Any]:
    from flask import Blueprint

    blueprint = Blueprint("metropole_security_request_limits", __name__)
    blueprint.before_app_request(check_json_depth)
    return [blueprint]


def wrap_app(app: Any, config: Any) -> Any:
    return wrap_wsgi(app, lambda inner: RequestLimits(inner, config))
