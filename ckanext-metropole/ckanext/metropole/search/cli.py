"""``ckan metropole search``: index maintenance beyond ``ckan search-index``."""

from __future__ import annotations

import click


@click.group("search", short_help="PostgreSQL search index commands")
def search() -> None:
    pass


@search.command("init", short_help="Create the index schema and tables")
def init() -> None:
    """Create extensions, text search configurations and tables (idempotent)."""
    from . import storage

    storage.ensure_schema(force=True)
    click.echo(f"Search index tables ready in schema {storage.SCHEMA}")


@search.command("rebuild", short_help="Rebuild the index without emptying search")
@click.option("-p", "--processes", type=int, default=0,
              help="Worker processes (default: one per CPU).")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
def rebuild(processes: int, quiet: bool) -> None:
    """Reindex every dataset into a shadow table, then swap it in atomically.

    Search keeps answering from the current index until the swap; datasets
    changed meanwhile are reindexed again afterwards.
    """
    from . import rebuild as rebuilding

    total = len(rebuilding._package_ids())
    if quiet:
        summary = rebuilding.rebuild(processes)
    else:
        with click.progressbar(length=total, label="Indexing datasets",
                               show_pos=True, show_percent=True) as bar:
            summary = rebuilding.rebuild(processes, on_progress=bar.update)
    click.echo(
        "Indexed {datasets} datasets in {seconds:.1f}s ({per_second:.0f}/s), "
        "{failures} failures, {caught_up} reindexed after the swap".format(**summary)
    )
    if summary["failures"]:
        raise SystemExit(1)
