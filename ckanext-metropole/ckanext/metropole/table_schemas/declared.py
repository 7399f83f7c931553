"""The Table Schema a resource declares.

Placeholder of the loader's branch (files-loader): the schemas branch
(files-schemas) owns this package and replaces this module with the real
resolution (catalogue, URL or upload, checked descriptor). The loader calls
it so that, with a declared schema, column types come from the schema.
"""

from __future__ import annotations

from typing import Any


def declared_table_schema(resource: dict[str, Any]) -> dict[str, Any] | None:
    """The resolved, checked Table Schema descriptor ``resource`` declares, or None."""
    return None
