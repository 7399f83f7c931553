"""What Table Schema a resource declares.

A resource declares a schema with two fields of the dataset schema
(``metropole_core/schemas/dataset.yaml``):

- ``table_schema``: a catalogue schema, ``<id>@<version>`` (e.g.
  ``etalab/schema-stationnement@0.1.5``; ``<id>`` alone means its newest
  shipped version), or the http(s) URL of a schema;
- ``table_schema_descriptor``: the schema itself as JSON, for a schema given
  as a file; for a URL, the validator fills it with what the URL answered
  when the resource was saved, so that nothing is fetched again at read time.

``conforms_to`` stays the free DCAT statement it was (harvested values
included); the declaration is what the portal checks.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from . import catalogue, descriptors

REFERENCE_FIELD = "table_schema"
DESCRIPTOR_FIELD = "table_schema_descriptor"


@dataclass(frozen=True)
class Declaration:
    key: str                  # what identifies the schema and its version
    title: str
    version: str
    descriptor: dict[str, Any]
    iri: str | None           # for dct:conformsTo


def declaration(resource: dict[str, Any]) -> Declaration | None:
    reference = str(resource.get(REFERENCE_FIELD) or "").strip()
    if reference and not descriptors.is_url(reference):
        entry = catalogue.find(reference)
        if entry is None:
            return None
        return Declaration(entry.key, entry.title, entry.version, entry.descriptor,
                           f"https://schema.data.gouv.fr/{entry.schema_id}/{entry.version}/")
    text = resource.get(DESCRIPTOR_FIELD)
    if not text:
        return None
    try:
        descriptor = descriptors.check(json.loads(text) if isinstance(text, str) else text)
    except (ValueError, descriptors.NotATableSchema):
        return None
    version = catalogue.normal_version(str(descriptor.get("version") or ""))
    title = str(descriptor.get("title") or descriptor.get("name") or reference or "schéma")
    key = reference or f"file:{descriptor.get('name') or title}@{version}"
    return Declaration(key, title, version, descriptor, reference or None)


def declared_table_schema(resource: dict[str, Any]) -> dict[str, Any] | None:
    """The resolved, checked Table Schema descriptor ``resource`` declares, or None.

    Contract with the loader (``ckanext.metropole.loading``): with a
    declared schema, column types come from its fields' types."""
    found = declaration(resource)
    return found.descriptor if found else None
