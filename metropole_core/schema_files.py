"""Where the catalogue's schemas are: package data of ``metropole_core``.

Read through importlib.resources, never by counting parent folders, so the
same code works from a checkout, an editable install and a wheel.
"""

from __future__ import annotations

from importlib.resources import files
from importlib.resources.abc import Traversable

SCHEMAS: Traversable = files(__package__) / "schemas"
VOCABULARIES: Traversable = SCHEMAS / "vocabularies"


def licences_url() -> str:
    """The licence list as CKAN's ``licenses_group_url`` reads it (file://,
    a path on disk: package data is installed as plain files)."""
    return f"file://{SCHEMAS / 'licenses.json'}"
