"""No 500 and no SQL text for malformed requests.

The probe's malformed requests reached code that assumes well-typed input
(``asbool`` on ``include_datasets=maybe``, ``filters.items()`` on a list…)
and answered 500, or carried the database's error — statement, driver name,
``LINE 1:`` excerpt — back to the caller. Each guard here checks the types an
action relies on before it runs, and turns the DataStore's database errors
into a short message in the user's language (French first) that says what
is wrong, never how the server built its query. Valid input goes through
unchanged: the guards only raise, never rewrite.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from typing import Any

from ckan.common import asbool
from ckan.plugins import toolkit
from flask import Blueprint, request
from sqlalchemy.exc import DBAPIError

log = logging.getLogger(__name__)

# Flags that CKAN's actions read with ``asbool`` after validation, by action.
_FLAGS: dict[str, tuple[str, ...]] = {
    "organization_show": ("include_datasets", "include_dataset_count", "include_extras",
                          "include_users", "include_groups", "include_tags",
                          "include_followers", "include_member_count"),
    "group_show": ("include_datasets", "include_dataset_count", "include_extras",
                   "include_users", "include_groups", "include_tags",
                   "include_followers", "include_member_count"),
    "organization_list": ("all_fields", "include_dataset_count", "include_extras",
                          "include_tags", "include_groups", "include_users",
                          "include_member_count"),
    "group_list": ("all_fields", "include_dataset_count", "include_extras",
                   "include_tags", "include_groups", "include_users", "include_member_count"),
}
# package_search's flags, checked in before_dataset_search (the search
# backend chains package_search itself).
SEARCH_FLAGS = ("include_private", "include_drafts", "include_deleted", "use_default_schema")

_SCALAR = (str, int, float, bool, type(None))
_LANGUAGE = re.compile(r"^[a-z_]{1,63}$")


def _not_boolean(key: str) -> toolkit.ValidationError:
    return toolkit.ValidationError({key: [toolkit._(
        "Must be true or false.")]})


def check_flags(data_dict: dict[str, Any], keys: tuple[str, ...]) -> None:
    for key in keys:
        if key in data_dict:
            try:
                asbool(data_dict[key])
            except (ValueError, TypeError):
                raise _not_boolean(key) from None


def _flags_guard(name: str) -> Callable:
    keys = _FLAGS[name]

    @toolkit.side_effect_free  # read actions: GET must stay allowed
    @toolkit.chained_action
    def guarded(up_func, context, data_dict):
        check_flags(data_dict, keys)
        return up_func(context, data_dict)

    guarded.__name__ = name
    return guarded


def before_dataset_search(search_params: dict[str, Any]) -> dict[str, Any]:
    check_flags(search_params, SEARCH_FLAGS)
    return search_params


# Datasets ------------------------------------------------------------------


def check_dataset_shape(data_dict: dict[str, Any]) -> None:
    """Types that package_create and package_update use before validating:
    their auth function looks the organisation up (a list reached the
    database), ``groups`` are dereferenced, and ``private`` is read with
    CKAN's lenient boolean, where "oui" or "maybe" silently meant public."""
    errors: dict[str, list[str]] = {}
    owner_org = data_dict.get("owner_org")
    if owner_org is not None and not isinstance(owner_org, str):
        errors["owner_org"] = [toolkit._("Must be text.")]
    if "private" in data_dict:
        try:
            asbool(data_dict["private"])
        except (ValueError, TypeError):
            errors["private"] = [toolkit._("Must be true or false.")]
    groups = data_dict.get("groups")
    # Only the shape: package_show's group dicts (any values) must round-trip.
    if groups is not None and not (isinstance(groups, list)
                                   and all(isinstance(g, dict) for g in groups)):
        errors["groups"] = [toolkit._(
            "Must be a list of groups, e.g. [{\"name\": \"velo-pietons\"}].")]
    extras = data_dict.get("extras")
    if extras is not None and not (isinstance(extras, list) and all(
            isinstance(e, dict) and all(isinstance(v, _SCALAR) for v in e.values())
            for e in extras)):
        errors["extras"] = [toolkit._(
            "Must be a list of {\"key\": …, \"value\": …} pairs with text values.")]
    if not errors and _depth(data_dict) > MAX_DEPTH:
        errors["__junk"] = [toolkit._("Too deeply nested: at most {depth} levels.").format(
            depth=MAX_DEPTH)]
    if errors:
        raise toolkit.ValidationError(errors)


# A dataset (resources, their fields, contact…) is a few levels deep; the
# limit is far above that and far below Python's recursion limit, which
# CKAN's validation and dictization would otherwise hit.
MAX_DEPTH = 32


def _depth(value: Any) -> int:
    """Nesting depth of JSON-like data, without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        deepest = max(deepest, level)
        if level > MAX_DEPTH:
            break
        children = item.values() if isinstance(item, dict) else item if isinstance(
            item, list) else ()
        stack.extend((child, level + 1) for child in children
                     if isinstance(child, (dict, list)))
    return deepest


def _dataset_guard(name: str) -> Callable:
    # An auth function, because it is the first thing both actions run.
    @toolkit.chained_auth_function
    def guarded(next_auth, context, data_dict=None):
        check_dataset_shape(data_dict or {})
        return next_auth(context, data_dict)

    guarded.__name__ = name
    return guarded


def auth_functions() -> dict[str, Any]:
    return {name: _dataset_guard(name) for name in ("package_create", "package_update")}


# DataStore -----------------------------------------------------------------


def _json_or_value(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _filter_value(value: Any) -> bool:
    """A value, a list of values, or operators ({"gt": 100}: CKAN's own
    keyset pagination of dumps sends these)."""
    if isinstance(value, list):
        return all(isinstance(item, _SCALAR) for item in value)
    if isinstance(value, dict):
        return all(isinstance(item, _SCALAR) for item in value.values())
    return isinstance(value, _SCALAR)


def check_datastore_search(data_dict: dict[str, Any]) -> None:
    """The shapes datastore_search's SQL builder assumes."""
    if "filters" in data_dict:
        filters = _json_or_value(data_dict["filters"])
        if not isinstance(filters, dict) or not all(map(_filter_value, filters.values())):
            raise toolkit.ValidationError({"filters": [toolkit._(
                "Filters must be an object mapping field names to a value or a list "
                "of values, e.g. {\"commune\": \"Marseille\"}.")]})
    if "q" in data_dict:
        query = data_dict["q"]
        if isinstance(query, str) and query.lstrip().startswith("{"):
            query = _json_or_value(query)
        if not (isinstance(query, str) or (isinstance(query, dict) and all(
                isinstance(v, str) for v in query.values()))):
            raise toolkit.ValidationError({"q": [toolkit._(
                "The query must be text, or an object mapping field names to text.")]})
    language = data_dict.get("language")
    if language is not None and not (isinstance(language, str) and _LANGUAGE.match(language)):
        raise toolkit.ValidationError({"language": [toolkit._(
            "Unknown language: use a PostgreSQL text search configuration such as "
            "french, english or simple.")]})


_AT_INDEX = re.compile(r"at index (\d+)")
_UNKNOWN = [
    (re.compile(r'column "?([^"\s]+)"? does not exist'), "Unknown column: {0}."),
    (re.compile(r'relation "?([^"\s]+)"? does not exist'), "Unknown table: {0}."),
    (re.compile(r"function (\S+?)\(.*does not exist"), "Unknown function: {0}."),
    (re.compile(r"text search configuration \S+ does not exist"),
     "Unknown language: use a PostgreSQL text search configuration such as "
     "french, english or simple."),
]


def _database_text(error: toolkit.ValidationError) -> str:
    """The database's own words inside a DataStore ValidationError."""
    parts: list[str] = []
    for value in error.error_dict.values():
        if isinstance(value, dict):
            value = value.get("orig", "")
        parts.extend(value if isinstance(value, list) else [value])
    return " ".join(str(p) for p in parts)


def _leaks_the_database(error: toolkit.ValidationError) -> bool:
    return "info" in error.error_dict or "psycopg" in _database_text(error)


def explain_sql_error(text: str) -> str:
    """A user's message for a database error, without the database's text."""
    lowered = text.lower()
    if "too long" in lowered or "statement timeout" in lowered:
        return toolkit._("The query took too long.")
    if "syntax error" in lowered:
        index = _AT_INDEX.search(text)
        if index:
            return toolkit._("Invalid SQL query: syntax error near position {position}.").format(
                position=int(index.group(1)) + 1)
        if "end of input" in lowered:
            return toolkit._("Invalid SQL query: syntax error at the end of the query.")
        return toolkit._("Invalid SQL query: syntax error.")
    for pattern, message in _UNKNOWN:
        found = pattern.search(text)
        if found:
            return toolkit._("Invalid SQL query: ") + toolkit._(message).format(*found.groups())
    if "invalid input" in lowered or "division by zero" in lowered or "out of range" in lowered:
        return toolkit._("Invalid SQL query: a value does not fit its column's type "
                         "or an operation is impossible (e.g. a division by zero).")
    return toolkit._("Invalid SQL query.")


def _clean_database_errors(key: str, up_func, context, data_dict):
    try:
        return up_func(context, data_dict)
    except toolkit.ValidationError as error:
        if not _leaks_the_database(error):
            raise
        log.info("DataStore query refused: %s", _database_text(error))
        raise toolkit.ValidationError({key: [explain_sql_error(_database_text(error))]}) from None
    except DBAPIError as error:
        log.info("DataStore query failed: %s", error.orig)
        raise toolkit.ValidationError({key: [explain_sql_error(str(error.orig))]}) from None


@toolkit.side_effect_free  # a chained action must say it again, or GET is refused
@toolkit.chained_action
def datastore_search(up_func, context, data_dict):
    check_datastore_search(data_dict)
    return _clean_database_errors("query", up_func, context, data_dict)


@toolkit.side_effect_free
@toolkit.chained_action
def datastore_search_sql(up_func, context, data_dict):
    if not isinstance(data_dict.get("sql"), str):
        raise toolkit.ValidationError({"sql": [toolkit._("Missing value")]})
    try:
        return _clean_database_errors("sql", up_func, context, data_dict)
    except toolkit.ValidationError as error:
        message = error.error_dict.get("message")
        if isinstance(message, str):  # sanitize_sql's own parse errors, in English
            raise toolkit.ValidationError({"sql": [explain_sql_error(message)]}) from None
        raise


def actions() -> dict[str, Any]:
    guards = {name: _flags_guard(name) for name in _FLAGS}
    return {**guards, "datastore_search": datastore_search,
            "datastore_search_sql": datastore_search_sql}


# /datastore/dump ---------------------------------------------------------------

_DUMP_SEARCH_KEYS = ("filters", "q", "distinct", "plain", "language", "fields", "sort", "offset")


def _check_dump() -> None:
    """Before CKAN's dump view: its first page is searched eagerly, outside
    any error handling, so a bad parameter was a 500. Same checks as the view,
    then the same search with ``limit=0``: its errors become a 400."""
    if request.endpoint != "datastore.dump":
        return
    from ckan.lib.navl.dictization_functions import validate
    from ckanext.datastore.blueprint import dump_schema

    args = request.args.to_dict()
    try:
        data, errors = validate(args, dump_schema())
    except Exception:  # noqa: BLE001 — CKAN's one_of raises instead of reporting
        errors = {"format": [toolkit._("Unsupported format: use csv, tsv, json or xml.")]}
    if not errors and data.get("offset", 0) < 0:
        errors = {"offset": [toolkit._("Must be a positive integer or zero.")]}
    if not errors and data.get("limit") is not None and data["limit"] < 0:
        errors = {"limit": [toolkit._("Must be a positive integer or zero.")]}
    if errors:
        toolkit.abort(400, " ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))
    search = {k: v for k, v in data.items() if k in _DUMP_SEARCH_KEYS}
    try:
        toolkit.get_action("datastore_search")(
            {}, {**search, "resource_id": request.view_args["resource_id"], "limit": 0})
    except toolkit.ValidationError as error:
        toolkit.abort(400, " ".join(
            f"{k}: {' '.join(map(str, v)) if isinstance(v, list) else v}"
            for k, v in error.error_dict.items()))
    except (toolkit.ObjectNotFound, toolkit.NotAuthorized):
        return  # the view answers 404 itself, as for any unknown table


def blueprints() -> list[Blueprint]:
    blueprint = Blueprint("metropole_input_errors", __name__)
    blueprint.before_app_request(_check_dump)
    return [blueprint]
