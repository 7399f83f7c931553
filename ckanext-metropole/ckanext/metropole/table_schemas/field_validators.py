"""Validators of the declaration fields (``metropole_table_schema_*`` in the
scheming YAML): a reference the catalogue knows or a URL that answers a Table
Schema; a schema file that is a Table Schema; a mapping of the right shape.
Each gives a field-level message (French first), never a 500."""

from __future__ import annotations

import json
from typing import Any

import ckan.plugins.toolkit as toolkit
from ckan.lib.navl.dictization_functions import Missing

from . import catalogue, descriptors, mapping
from .declared import DESCRIPTOR_FIELD

_ = toolkit._
Invalid = toolkit.Invalid


def reference(key: tuple, data: dict, errors: dict, context: dict) -> None:
    """``table_schema``: a catalogue key, or a URL fetched now (outbound
    policy) whose schema goes into the sibling ``table_schema_descriptor``."""
    value = data.get(key)
    if isinstance(value, Missing) or value is None or not str(value).strip():
        data[key] = ""
        return
    text = str(value).strip()
    data[key] = text
    if descriptors.is_url(text):
        try:
            descriptor = descriptors.fetch(text)
        except descriptors.NotATableSchema as error:
            errors[key].append(str(error))
            return
        data[key[:-1] + (DESCRIPTOR_FIELD,)] = json.dumps(descriptor, ensure_ascii=False)
        return
    if catalogue.find(text) is None:
        known = ", ".join(sorted({e.schema_id for e in catalogue.entries().values()}))
        errors[key].append(_("Unknown schema {name}: choose one of the catalogue ({known}) "
                             "or give the URL of a Table Schema.").format(name=text,
                                                                         known=known))


def descriptor_field(value: Any, context: dict) -> Any:
    """``table_schema_descriptor``: JSON text, an object, or an uploaded file."""
    if isinstance(value, Missing) or value is None or value == "":
        return ""
    if hasattr(value, "read") or hasattr(value, "stream"):  # an uploaded file
        stream = getattr(value, "stream", value)
        value = stream.read(descriptors.MAX_SCHEMA_BYTES + 1)
        if len(value) > descriptors.MAX_SCHEMA_BYTES:
            raise Invalid(_("The schema file is too large."))
    try:
        descriptor = descriptors.check(value) if isinstance(value, dict) \
            else descriptors.parse(value)
    except descriptors.NotATableSchema as error:
        raise Invalid(str(error)) from error
    return json.dumps(descriptor, ensure_ascii=False)


def mapping_field(value: Any, context: dict) -> Any:
    """``table_schema_mapping``: incoming field -> schema field (+ conversion)."""
    if isinstance(value, Missing) or value is None or value == "":
        return ""
    try:
        parsed = value if isinstance(value, dict) else json.loads(value)
        return json.dumps(mapping.parse(parsed).as_json(), ensure_ascii=False)
    except ValueError as error:
        raise Invalid(_("Invalid field mapping: {problem}").format(problem=str(error))) \
            from error


def get_validators() -> dict[str, Any]:
    return {
        "metropole_table_schema_reference": reference,
        "metropole_table_schema_descriptor": descriptor_field,
        "metropole_table_schema_mapping": mapping_field,
    }
