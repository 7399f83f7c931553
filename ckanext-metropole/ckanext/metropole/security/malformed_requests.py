"""No 500 for requests of the wrong shape (the fuzz's findings).

Three defences, narrowest first:

- ckanext-harvest registers every public callable of its action modules as
  an action, including mail helpers and an exception class
  (``send_mail``, ``InactiveSource``…) that take other arguments than
  ``(context, data_dict)``: each call was a 500. Harvest calls them as plain
  Python functions, never through ``get_action``, so answering "unknown
  action" (404) for them on the API changes nothing for harvest itself.
- A NUL byte in the path, the query string or a JSON body is refused with a
  400 before CKAN reads it: PostgreSQL text and XML (feeds, DCAT) cannot hold
  one, and each place that met it answered 500 (``/organization/%00``).
- Safety net: CKAN's and the extensions' actions read parameters without
  checking them (``data_dict['q']`` in organization_autocomplete, an id of
  the wrong type reaching SQL) and CKAN's API view answers 500 for any such
  exception. Every action is therefore chained (``with_safety_net``, called
  by the plugin on all actions): KeyError, TypeError, ValueError, SQLAlchemy
  and rdflib errors become a ValidationError (409) with a short translated
  message that never carries the exception's text; on pages and the
  /api/2/util views, Flask error handlers answer 400/403. The traceback is
  logged at ERROR, so a test run or the logs still show the bug to fix at
  its root.
"""

from __future__ import annotations

import functools
import logging
import types
from collections.abc import Callable, Iterable
from typing import Any

import ckan.plugins.toolkit as toolkit

from .wsgi import wrap_wsgi

log = logging.getLogger(__name__)

# ckanext-harvest's module-level helpers that its plugin exposes as actions.
HARVEST_NON_ACTIONS = (
    "send_summary_email", "send_error_email", "prepare_summary_mail", "prepare_error_mail",
    "send_mail", "get_mail_extra_vars", "InactiveSource", "auth_allow_anonymous_access",
)


def _refuse_harvest_non_actions() -> Any:
    """A hook, not chained actions: whether harvest's shared registry holds
    ``auth_allow_anonymous_access`` as an action depends on the order CKAN
    asks the plugins, and chaining a name that is absent stops the app."""
    from flask import jsonify, request

    if request.endpoint != "api.action":
        return None
    name = (request.view_args or {}).get("logic_function")
    if name not in HARVEST_NON_ACTIONS:
        return None
    answer = jsonify({"success": False, "error": {
        "__type": "Not Found Error",
        "message": toolkit._("Unknown action: {name}").format(name=name)}})
    answer.status_code = 404
    return answer


# NUL bytes ------------------------------------------------------------------

_NUL_MESSAGE = ("Requête refusée : elle contient un caractère nul. "
                "Request refused: it contains a NUL character.")


def _has_nul(environ: dict) -> bool:
    query = environ.get("QUERY_STRING", "").lower()
    return "\x00" in environ.get("PATH_INFO", "") or "%00" in query or "\x00" in query


class RefuseNulBytes:
    """Outside Flask: the path is routed (and fails) before any hook runs."""

    def __init__(self, app: Callable) -> None:
        self.app = app

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if not _has_nul(environ):
            return self.app(environ, start_response)
        body = _NUL_MESSAGE.encode()
        start_response("400 Bad Request", [("Content-Type", "text/plain;charset=utf-8"),
                                           ("Content-Length", str(len(body)))])
        return [body]


def wrap_app(app: Any, config: Any) -> Any:
    return wrap_wsgi(app, RefuseNulBytes)


def _refuse_nul_in_json() -> Any:
    from flask import jsonify, request

    if not request.content_length or not (request.content_type or "").startswith(
            "application/json"):
        return None
    if b"\\u0000" not in request.get_data(cache=True):
        return None
    answer = jsonify({"success": False, "error": {
        "__type": "Validation Error",
        "message": toolkit._("Request refused: it contains a NUL character.")}})
    answer.status_code = 400
    return answer


# Safety net ---------------------------------------------------------------

def _malformed_input_errors() -> tuple[type[BaseException], ...]:
    from ckan.lib.search.common import SearchError
    from rdflib.plugin import PluginException
    from sqlalchemy.exc import SQLAlchemyError

    return (KeyError, TypeError, ValueError, AttributeError, IndexError, OverflowError,
            RecursionError, SearchError, PluginException, SQLAlchemyError)


def _invalid_request() -> str:
    return toolkit._("Invalid request: a parameter does not have the expected form.")


def _caught(name: str, call: Callable[..., Any], *args: Any) -> Any:
    """CKAN's API view answers 500 for any exception an action raises: the
    ones malformed input provokes become a ValidationError (409) here."""
    from ckan.lib.search.common import SearchError
    from sqlalchemy.exc import SQLAlchemyError

    try:
        return call(*args)
    except SearchError:
        raise  # the API view answers these itself (409)
    except _malformed_input_errors() as error:
        if isinstance(error, SQLAlchemyError):
            from ckan import model

            model.Session.rollback()  # the failed statement ended the transaction
        log.error("Action %s refused malformed input", name, exc_info=error)
        raise toolkit.ValidationError({"message": _invalid_request()}) from None


def _chained_net(name: str, base: Callable) -> Callable:
    def net(up_func, context, data_dict=None):
        return _caught(name, up_func, context, data_dict)

    net.__name__ = name
    # CKAN gives the chain the outermost function's attributes only: say
    # again what the wrapped action says (GET allowed, audit exemption of
    # plugins' actions), or GET and harvest's unaudited actions would break.
    for attribute in ("side_effect_free", "auth_audit_exempt"):
        if getattr(base, attribute, False):
            setattr(net, attribute, True)
    return toolkit.chained_action(net)


def _wrapped_part_action(name: str, action: Callable) -> Callable:
    @functools.wraps(action)  # keeps chained_action, side_effect_free…
    def net(*args, **kwargs):
        return _caught(name, action, *args, **kwargs)

    return net


def _registered_actions() -> dict[str, Callable]:
    """Core actions and those of the other plugins, as CKAN collects them
    (it has already marked the core's read actions side-effect free)."""
    import importlib

    from ckan.plugins import PluginImplementations, interfaces

    found: dict[str, Callable] = {}
    for module_name in ("get", "create", "update", "delete", "patch", "file"):
        path = f"ckan.logic.action.{module_name}"
        module = importlib.import_module(path)
        found.update((key, value) for key, value in vars(module).items()
                     if not key.startswith("_") and isinstance(value, types.FunctionType)
                     and value.__module__ == path)
    for plugin in PluginImplementations(interfaces.IActions):
        if plugin.name == "metropole_security":
            continue
        for key, value in plugin.get_actions().items():
            # harvest shares one dict between its actions and auth functions
            if (isinstance(value, types.FunctionType) and ".auth." not in value.__module__
                    and not getattr(value, "chained_action", False)):
                value.auth_audit_exempt = True  # as CKAN marks plugins' actions
                found[key] = value
    for name in HARVEST_NON_ACTIONS:
        found.pop(name, None)
    return found


def with_safety_net(part_actions: dict[str, Any]) -> dict[str, Any]:
    """The parts' actions wrapped, plus a chained wrapper for every other
    registered action."""
    wrapped = {name: _wrapped_part_action(name, action)
               for name, action in part_actions.items()}
    for name, base in _registered_actions().items():
        if name not in part_actions:
            wrapped[name] = _chained_net(name, base)
    return wrapped


def _answer_malformed(error: Exception) -> Any:
    from flask import jsonify, request

    log.error("Malformed request answered 400/409: %s %s", request.method, request.path,
              exc_info=error)
    message = toolkit._("Invalid request: a parameter does not have the expected form.")
    if (request.endpoint or "").startswith("api."):
        answer = jsonify({"success": False, "error": {
            "__type": "Validation Error", "message": message}})
        answer.status_code = 409
        return answer
    from ckan.lib import base

    return base.render("error_document_template.html", {
        "code": 400, "content": message, "name": toolkit._("Bad request")}), 400


def _answer_not_authorized(error: Exception) -> Any:
    """CKAN's /api/2/util/* views let NotAuthorized through (a 500)."""
    from flask import jsonify, request

    message = toolkit._("Not authorized")
    if not (request.endpoint or "").startswith("api."):
        from ckan.lib import base

        return base.render("error_document_template.html", {
            "code": 403, "content": message, "name": message}), 403
    answer = jsonify({"success": False, "error": {
        "__type": "Authorization Error", "message": message}})
    answer.status_code = 403
    return answer


def blueprints() -> list[Any]:
    from flask import Blueprint

    blueprint = Blueprint("metropole_security_malformed_requests", __name__)
    blueprint.before_app_request(_refuse_nul_in_json)
    blueprint.before_app_request(_refuse_harvest_non_actions)
    # Outside the action API (which answers these itself): the util views
    # and pages that let an action's errors through.
    for error_class in (*_malformed_input_errors(), toolkit.ValidationError):
        blueprint.app_errorhandler(error_class)(_answer_malformed)
    blueprint.app_errorhandler(toolkit.NotAuthorized)(_answer_not_authorized)
    return [blueprint]
