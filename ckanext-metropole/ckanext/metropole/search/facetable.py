"""Which fields a search may facet on: the declared ones (schema.FACETABLE),
CKAN's default facets and the portal's setting.

Its own module because both the facet queries (facets.py) and the counts the
triggers maintain (counts.py, used by storage.py) need the answer, and
neither may import the other.
"""

from __future__ import annotations

from . import schema
from .globs import glob_match

FACETABLE_KEY = "ckanext.metropole.search.facetable_fields"


def facetable(name: str) -> bool:
    """Whether a search may facet on ``name`` (see schema.FACETABLE)."""
    if name in schema.NEVER_FACETABLE:
        return False
    if name in schema.FACETABLE or name.startswith(schema.FACETABLE_PREFIXES):
        return True
    return any(glob_match(pattern, name) for pattern in _configured())


def facetable_description() -> list[str]:
    """The facetable fields as patterns, for messages that list them."""
    declared = [*schema.FACETABLE, *(prefix + "*" for prefix in schema.FACETABLE_PREFIXES)]
    extra = [p for p in _configured() if p not in declared and p not in schema.NEVER_FACETABLE]
    return declared + extra


def _configured() -> list[str]:
    """CKAN's default facets and the portal's setting (glob patterns)."""
    from ckan.common import config

    patterns: list[str] = []
    for key in ("search.facets", FACETABLE_KEY):
        value = config.get(key) or []
        patterns += value.split() if isinstance(value, str) else [str(v) for v in value]
    return patterns
