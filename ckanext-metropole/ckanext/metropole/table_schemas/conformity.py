"""What passes: the dataset's badges, its index field (facet) and the
resources that may state ``dct:conformsTo``.

A dataset is "conforme au schéma X vN" when every one of its resources that
declares X vN passed its last validation (pending, invalid or failed ones
withhold the badge).
"""

from __future__ import annotations

from typing import Any

from . import catalogue, store
from .declared import declaration

INDEX_FIELD = "conforms_table_schema"


def conforming_schemas(package_id: str) -> list[store.Check]:
    """One passing check per schema version all of whose resources pass."""
    by_key: dict[str, list[store.Check]] = {}
    for check in store.of_package(package_id):
        by_key.setdefault(check.schema_key, []).append(check)
    return [checks[0] for key, checks in sorted(by_key.items())
            if all(c.status == store.VALID for c in checks)]


def badges(package: dict[str, Any]) -> list[dict[str, str]]:
    if not package.get("id"):
        return []
    return [{"title": c.schema_title, "version": c.schema_version, "key": c.schema_key}
            for c in conforming_schemas(package["id"])]


def index_values(package_id: str) -> list[str]:
    return [c.schema_key for c in conforming_schemas(package_id)]


def facet_label(key: str) -> str:
    entry = catalogue.find(key) if "@" in key and not key.startswith("file:") else None
    if entry is not None:
        return f"{entry.title} v{entry.version}"
    return key.removeprefix("file:").replace("@", " v")


def passing_standard(resource: dict[str, Any]) -> tuple[bool, str | None]:
    """(declares a schema, IRI to state as dct:conformsTo only if it passed)."""
    found = declaration(resource)
    if found is None:
        return False, None
    check = store.get(resource.get("id", "")) if resource.get("id") else None
    passed = check is not None and check.status == store.VALID and check.schema_key == found.key
    return True, (found.iri if passed else None)
