"""The ``metropole_search`` plugin: CKAN's search served by PostgreSQL.

With ``ckanext.metropole.search.backend = postgres`` (the default) the plugin
rebinds ``make_connection`` wherever CKAN and ckanext-harvest hold it, so
every Solr request CKAN would make goes to ``connection.PostgresSolr``
instead, and replaces the Solr schema check run at start-up (nothing to
check, nothing contacted, nothing logged).  With ``= solr`` it changes
nothing in CKAN.

The rebinding is installed once per process and stays when plugins are
unloaded: CKAN's test fixtures unload every plugin between tests yet still
call ``search.clear_all()``, and a process that ever loaded this plugin with
the postgres backend must keep talking to the same index.  The patched
functions read the backend setting at each call, so switching the setting
back to ``solr`` restores CKAN's own behaviour.

ckanext-spatial's harvester binds the ``PackageSearchIndex`` class at import
time; that is harmless here because the class is unchanged and looks up
``make_connection`` in ``ckan.lib.search.index`` at call time, which we
rebind.  Only ckanext-harvest's ``update`` module holds its own reference to
``make_connection`` (for ``harvest_source_index_clear``), so it is rebound
too, now or as soon as it is imported.
"""

from __future__ import annotations

import importlib
import logging
import sys
from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk

from .. import command_group
from . import connection, temporal, validation
from .backend_setting import backend

log = logging.getLogger(__name__)

# CKAN declares solr_url as required; with the postgres backend it is never
# used, so a recognisable non-URL keeps CKAN's validation quiet.
SOLR_URL_PLACEHOLDER = "postgresql-search://metropole_search"

_HARVEST_MODULE = "ckanext.harvest.logic.action.update"
_originals: dict[str, Any] = {}


def make_connection(decode_dates: bool = True) -> Any:
    """Stands in for ``ckan.lib.search.common.make_connection``."""
    if backend() == "solr":
        return _originals["make_connection"](decode_dates=decode_dates)
    return connection.PostgresSolr(decode_dates=decode_dates)


def check_solr_schema_version(schema_file: str | None = None) -> bool:
    """Stands in for ``ckan.lib.search.check_solr_schema_version``."""
    if backend() == "solr":
        return _originals["check_solr_schema_version"](schema_file)
    if schema_file:
        # Checking a given schema file needs no Solr: CKAN's own code does it
        # (its availability probe goes through our connection).
        return _originals["check_solr_schema_version"](schema_file)
    # No Solr schema to check; the index tables are created on first use.
    return False


def install() -> None:
    """Rebind CKAN's Solr entry points (idempotent)."""
    import ckan.lib.search as search
    import ckan.lib.search.common as common
    import ckan.lib.search.index as index
    import ckan.lib.search.query as query

    if not _originals:
        _originals["make_connection"] = common.make_connection
        _originals["check_solr_schema_version"] = search.check_solr_schema_version
    for module in (common, index, query, search):
        module.make_connection = make_connection  # type: ignore[attr-defined]
    search.check_solr_schema_version = check_solr_schema_version
    _rebind_harvest()


def _rebind_harvest() -> None:
    module = sys.modules.get(_HARVEST_MODULE)
    if module is None:
        plugins = tk.config.get("ckan.plugins", []) or []
        if isinstance(plugins, str):
            plugins = plugins.split()
        if not any(name.startswith("harvest") for name in plugins):
            return
        try:
            module = importlib.import_module(_HARVEST_MODULE)
        except ImportError:
            return
    if getattr(module, "make_connection", None) is not make_connection:
        module.make_connection = make_connection  # type: ignore[attr-defined]


@tk.blanket.config_declarations
class PostgresSearchPlugin(p.SingletonPlugin):
    p.implements(p.IClick)
    p.implements(command_group.IMetropoleCommands)
    p.implements(p.IConfigurer)
    p.implements(p.IConfigurable)
    p.implements(p.IPackageController, inherit=True)
    p.implements(p.IActions)

    # IClick: the shared `ckan metropole` group (enabled alone, this plugin
    # still offers `ckan metropole search`) …
    def get_commands(self) -> list:
        return [command_group.metropole]

    # … with `ckan metropole search` in it.
    def get_metropole_commands(self) -> list:
        from .cli import search

        return [search]

    # IConfigurer: runs before CKAN validates the config and checks Solr.
    def update_config(self, config: Any) -> None:
        if backend() != "postgres":
            return
        if not config.get("solr_url"):
            config["solr_url"] = SOLR_URL_PLACEHOLDER
        install()

    # IConfigurable: every plugin is imported by now (harvest included).
    def configure(self, config: Any) -> None:
        if backend() == "postgres":
            install()

    # IActions: package_search's parameters checked, its errors without
    # CKAN's internal filters (validation.py), whichever backend serves it.
    def get_actions(self) -> dict[str, Any]:
        return {"package_search": validation.package_search}

    # IPackageController
    def before_dataset_index(self, pkg_dict: dict[str, Any]) -> dict[str, Any]:
        return temporal.add_coverage(pkg_dict)

    def before_dataset_search(self, search_params: dict[str, Any]) -> dict[str, Any]:
        from ckan.lib.search.common import SearchError

        try:
            return temporal.apply(search_params)
        except temporal.TemporalQueryError as e:
            raise SearchError(str(e)) from None
