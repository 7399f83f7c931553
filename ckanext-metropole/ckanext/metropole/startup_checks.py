"""The checks of every start that may take a while, run by the background
worker once the web answers (``ckan metropole startup-checks`` runs them by
hand): search index completeness, chart views of sensor tables, and in demo
mode the demo content."""

from __future__ import annotations

import ckan.plugins.toolkit as toolkit
import click


def startup_checks() -> None:
    _index_missing_datasets()
    _ensure_chart_views()
    if toolkit.config.get("ckanext.metropole.demo"):
        load_demo()


def _ensure_chart_views() -> None:
    """Sensor tables harvested before the chart plugin was enabled get their chart."""
    from ckan import plugins

    if plugins.plugin_loaded("metropole_charts"):
        from .charts.backfill import ensure_views

        created = ensure_views()
        if created:
            click.echo(f"Chart views: {created} created on sensor tables")


def _index_missing_datasets() -> None:
    """Index the datasets the search index lacks: all of them after an upgrade
    that changed the index layout, none on an ordinary start."""
    from ckan.lib import search

    def indexed_count() -> int:
        return len(search.PackageSearchQuery().get_all_entity_ids(max_results=10_000_000))

    before = indexed_count()
    search.rebuild(only_missing=True, quiet=True)
    indexed = indexed_count() - before
    if indexed:
        click.echo(f"Search index: {indexed} datasets indexed")


def load_demo() -> None:
    """The demo datasets, and the demo harvest sources (contributed by the
    harvesters through IHarvestRuntime) queued for a first run. Idempotent."""
    from ckan import plugins
    from ckan.plugins import PluginImplementations
    from ckanext.harvest.logic import HarvestJobExists

    from metropole_core.interfaces import IHarvestRuntime

    from .communes import loader
    from .community.demo import load_demo_community
    from .demo.content import load_demo_datasets
    from .exports.demo import add_table_previews
    from .loading.demo import load_demo_files

    site_user = toolkit.get_action("get_site_user")({"ignore_auth": True}, {})
    context = {"user": site_user["name"], "ignore_auth": True}
    created = load_demo_datasets(context) + load_demo_files(context)
    if created:
        click.echo(f"Demo datasets created: {len(created)}")
    add_table_previews(context)
    # Its resources declare schemas: fields only that plugin's schema knows.
    if plugins.plugin_loaded("metropole_table_schemas"):
        from .table_schemas.demo import load_demo_schemas

        load_demo_schemas(context)
    epci = loader.existing_by("siren").get(toolkit.config.get("ckanext.metropole.epci"))
    load_demo_community(site_user["id"], epci.id if epci is not None else None)
    if plugins.plugin_loaded("metropole_notifications"):
        from .notifications.demo import load_demo_notifications

        load_demo_notifications()
    if epci is None:
        return
    samples_url = toolkit.config.get("ckanext.metropole.runtime.samples_url")
    # The demo's harvest sources, contributed by the harvesters' plugin.
    sources = [source_id for harvest_runtime in PluginImplementations(IHarvestRuntime)
               for source_id in harvest_runtime.ensure_demo_sources(
                   dict(context), samples_url, epci.name)]
    for source_id in sources:
        # A first run now, rather than at the next scheduled minute; unless
        # the scheduler (another thread of the same worker) saw the new
        # source first: never run, it is due at once and may have its job.
        try:
            toolkit.get_action("harvest_job_create")(dict(context), {"source_id": source_id})
        except HarvestJobExists:
            continue
    if sources:
        click.echo(f"Demo harvest sources created and queued: {len(sources)}")
