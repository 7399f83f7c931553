"""What the metropolitan fields add to the search index document.

- ``vocab_communes`` / ``vocab_themes``: multi-valued strings (CKAN's Solr
  schema declares ``vocab_*`` as multi-valued), so that facets and filters
  work the same with the PostgreSQL backend and with Solr.
- ``spatial``: when a dataset has no geometry of its own, the envelope of its
  communes, so that map search (``ext_bbox``) finds it. ckanext-spatial's
  ``spatial_query`` turns ``spatial`` into the bbox fields, which is why this
  plugin comes before it in ``ckan.plugins``.
"""

from __future__ import annotations

import json
from typing import Any

from shapely.geometry import mapping

from metropole_core import commune_registry as registry

LIST_FIELDS = ("communes", "themes")


def _list(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v) for v in value]
    if isinstance(value, str) and value.startswith("["):
        try:
            return [str(v) for v in json.loads(value)]
        except ValueError:
            return []
    return [value] if value else []


def enrich(document: dict[str, Any]) -> dict[str, Any]:
    validated = json.loads(document.get("validated_data_dict") or "{}")
    for name in LIST_FIELDS:
        values = _list(validated.get(name, document.get(name)))
        if values:
            document[f"vocab_{name}"] = values
        # The JSON-string copies scheming leaves would be facets of whole lists.
        document.pop(name, None)
        document.pop(f"extras_{name}", None)
    if not document.get("spatial") and not document.get("extras_spatial"):
        extent = registry.extent_of(_list(validated.get("communes")))
        if extent is not None:
            envelope = json.dumps(mapping(extent.envelope))
            document["spatial"] = envelope
            document["extras_spatial"] = envelope
    return document
