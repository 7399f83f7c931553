"""The ingestion API: ``datastore_create`` and ``datastore_upsert`` on a
resource that declares a Table Schema check every record before anything is
written.

1. The resource's stored mapping (``table_schema_mapping``) renames the
   third party's fields onto the schema's and converts simple values.
2. Every record is checked against the schema (types, constraints, custom
   checks; fields the schema lacks are errors too).
3. One bad record and the whole batch is refused: CKAN answers a
   ValidationError with HTTP 409, here with each bad record's index and, per
   field, what is wrong (French first) and how to fix it. Nothing is written.
4. Otherwise the mapped records go on to the DataStore; ``datastore_create``
   without ``fields`` gets the schema's fields and types.
"""

from __future__ import annotations

import json
from typing import Any

import ckan.plugins.toolkit as toolkit

from . import mapping, messages, validation
from .declared import declaration

MAPPING_FIELD = "table_schema_mapping"
# Bad records listed in a 409 answer at most (the count is always given).
MAX_REPORTED_RECORDS = 100

# Table Schema type -> DataStore (PostgreSQL) type.
DATASTORE_TYPES = {"string": "text", "integer": "int8", "number": "numeric",
                   "boolean": "bool", "date": "date", "datetime": "timestamp",
                   "time": "time", "year": "int4"}


def _resource(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any] | None:
    resource_id = data_dict.get("resource_id")
    if not resource_id or not isinstance(resource_id, str):
        return None
    try:
        return toolkit.get_action("resource_show")(
            {"user": context.get("user"), "ignore_auth": True}, {"id": resource_id})
    except toolkit.ObjectNotFound:
        return None  # the DataStore's own action says so, in its words


def _mapping(resource: dict[str, Any]) -> mapping.Mapping:
    stored = resource.get(MAPPING_FIELD)
    if not stored:
        return mapping.EMPTY
    return mapping.parse(json.loads(stored) if isinstance(stored, str) else stored)


def checked(action: str, context: dict[str, Any], data_dict: dict[str, Any]
            ) -> dict[str, Any]:
    """``data_dict`` with its records mapped and checked; a 409 otherwise.
    Authorisation first: a caller who may not write learns nothing."""
    # A copy: the DataStore's auth functions write the package id into the
    # dict they get ("id"), which its actions then read as the resource's id.
    toolkit.check_access(action, dict(context), dict(data_dict))
    resource = _resource(context, data_dict)
    found = declaration(resource) if resource else None
    if found is None:
        return data_dict
    records = data_dict.get("records")
    if records is None:
        return data_dict
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise toolkit.ValidationError({"records": [toolkit._(
            "records must be a list of objects (field: value).")]})
    rules = _mapping(resource)
    mapped = [rules.apply(record) for record in records]
    bad = validation.validate_records(mapped, found.descriptor)
    if bad:
        raise toolkit.ValidationError({
            "records": [toolkit._("{count} of {total} records do not follow the schema "
                                  "{schema} v{version}: nothing was written.").format(
                count=len(bad), total=len(records), schema=found.title,
                version=found.version)],
            "record_errors": [{"index": index, "errors": messages.for_api(problems)}
                              for index, problems in list(bad.items())[
                                  :MAX_REPORTED_RECORDS]]})
    return {**data_dict, "records": mapped}


def schema_fields(descriptor: dict[str, Any]) -> list[dict[str, Any]]:
    """The DataStore fields of a schema (types taken from it, not guessed)."""
    return [{"id": f["name"], "type": DATASTORE_TYPES.get(f.get("type", "string"), "text"),
             "info": {"label": f.get("title") or f["name"],
                      "notes": f.get("description") or ""}}
            for f in descriptor["fields"]]


@toolkit.chained_action
def datastore_create(up_func, context: dict[str, Any], data_dict: dict[str, Any]) -> dict:
    data_dict = checked("datastore_create", context, data_dict)
    resource = _resource(context, data_dict)
    found = declaration(resource) if resource else None
    if found is not None and not data_dict.get("fields"):
        data_dict = {**data_dict, "fields": schema_fields(found.descriptor)}
        key = found.descriptor.get("primaryKey")
        if key and not data_dict.get("primary_key"):
            data_dict["primary_key"] = key
    return up_func(context, data_dict)


@toolkit.chained_action
def datastore_upsert(up_func, context: dict[str, Any], data_dict: dict[str, Any]) -> dict:
    return up_func(context, checked("datastore_upsert", context, data_dict))
