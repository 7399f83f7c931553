"""``ckan metropole-search``: index maintenance beyond ``ckan search-index``."""

from __future__ import annotations

import click

# What the plugin's IClick blanket registers.
__all__ = ["metropole_search"]


@click.group("metropole-search", short_help="PostgreSQL search index commands")
def metropole_search() -> None:
    pass


@metropole_search.command("init", short_help="Create the index schema and tables")
def init() -> None:
    """Create extensions, text search configurations and tables (idempotent)."""
    from . import storage

    storage.ensure_schema(force=True)
    click.echo(f"Search index tables ready in schema {storage.SCHEMA}")
