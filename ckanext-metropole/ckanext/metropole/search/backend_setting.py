"""Which search backend serves CKAN's search: ``postgres`` (ours) or ``solr``.

Its own module so that the plugin and the actions it chains (validation)
both read it without importing each other.
"""

from __future__ import annotations

import ckan.plugins.toolkit as tk

BACKEND_KEY = "ckanext.metropole.search.backend"


def backend() -> str:
    # An explicit default: CKAN warns about undeclared options otherwise, and
    # this runs before the plugin's declarations are registered.
    return (tk.config.get(BACKEND_KEY, "postgres") or "postgres").strip().lower()
