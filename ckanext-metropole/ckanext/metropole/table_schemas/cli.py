"""``ckan metropole table-schemas …``: the catalogue of national schemas."""

from __future__ import annotations

import click


@click.group("table-schemas", short_help="Catalogue of national Table Schemas.")
def table_schemas() -> None:
    """The national Table Schemas a resource may declare."""


@table_schemas.command("list")
def list_() -> None:
    """List the catalogue (shipped and refreshed)."""
    from . import catalogue

    for choice in catalogue.choices():
        click.echo(f"{choice['value']}\t{choice['label']}")


@table_schemas.command("refresh")
@click.option("--only", multiple=True, help="Refresh only this schema id (repeatable).")
@click.option("--url", default=None, help="Catalogue URL (default: the configured one).")
def refresh_command(only: tuple[str, ...], url: str | None) -> None:
    """Fetch the newest versions from schema.data.gouv.fr (needs the internet)."""
    from metropole_core import outbound

    from . import catalogue, refresh

    folder = catalogue.refreshed_dir()
    if folder is None:
        raise click.ClickException("no folder to write to: set ckan.storage_path or "
                                   f"{catalogue.REFRESHED_OPTION}")
    try:
        outcome = refresh.refresh(folder, only, url)
    except (outbound.FetchFailed, ValueError) as error:
        raise click.ClickException(f"catalogue not refreshed: {error}") from error
    for key in outcome.written:
        click.echo(f"refreshed {key}")
    for name, reason in outcome.failed.items():
        click.echo(f"skipped {name}: {reason}", err=True)
    click.echo(f"{len(outcome.written)} schema(s) written to {folder}")
