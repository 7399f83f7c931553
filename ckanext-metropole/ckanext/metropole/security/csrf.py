"""CSRF on every state-changing request a browser's cookie authenticates.

CKAN relies on Flask-WTF's CSRFProtect, with two holes:

- ``ckan_before_request`` calls ``csrf.exempt(view)`` whenever a request is
  identified by an API token *or is anonymous* (``g.login_via_auth_header``
  is set for both). The exemption is a set on the worker's CSRFProtect that
  is never emptied: once anyone has called the API with a token, or visited
  ``/user/login`` or ``/dataset/new`` without a session, that view accepts
  cookie-authenticated POSTs without a token for the rest of the worker's
  life — API actions, the dataset form and the login form (login CSRF).
- So API actions called with the session cookie need no token either.

This check does not use Flask-WTF's exemption set at all. It runs as a
``before_app_request`` hook, after CKAN has identified the user and before
Flask-WTF's own check (which stays, as a second line), and requires a valid
token (form field, or the ``X-CSRFToken`` header that CKAN's JavaScript
client sends) on every POST/PUT/PATCH/DELETE except:

- requests authenticated by an API token (``Authorization`` header): a
  browser never adds that header by itself, so they cannot be forged;
- anonymous API calls (no user at all): nothing to ride on; API clients
  such as ckanapi POST anonymously to read actions.

Forms (login included) always need the token, logged in or not.
"""

from __future__ import annotations

from typing import Any


def _authenticated_by_token() -> bool:
    from flask import g
    from flask_login import current_user

    # CKAN sets the flag for API-token users and for anonymous requests.
    return bool(g.get("login_via_auth_header")) and current_user.is_authenticated


def _is_api(endpoint: str | None) -> bool:
    return (endpoint or "").split(".")[0] == "api"


def require_token() -> None:
    from flask import current_app, request
    from flask_login import current_user

    if not current_app.config.get("WTF_CSRF_ENABLED", True):
        return
    if request.method not in current_app.config["WTF_CSRF_METHODS"]:
        return
    if _authenticated_by_token():
        return
    if _is_api(request.endpoint) and not current_user.is_authenticated:
        return
    # protect() without exemptions: raises CSRFError (400) on a missing or
    # invalid token.
    current_app.extensions["csrf"].protect()


def blueprints() -> list[Any]:
    from flask import Blueprint

    blueprint = Blueprint("metropole_security_csrf", __name__)
    blueprint.before_app_request(require_token)
    return [blueprint]
