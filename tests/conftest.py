"""Project-wide test settings.

Tests run with CKAN's own pytest plugin (`pytest --ckan-ini=test.ini`, shipped
in the ckan package as ckan.tests.pytest_ckan), against the test profile's
PostgreSQL and Redis that `make test` starts (see Makefile).
"""

from __future__ import annotations

import pytest


def _migrate_loaded_plugins() -> None:
    """Apply the migrations of every loaded plugin that has some."""
    from ckan import plugins
    from ckan.cli.db import _run_migrations, current_revision
    from ckan.common import config

    for plugin in config.get("ckan.plugins"):
        if plugins.plugin_loaded(plugin) and current_revision(plugin) is not None:
            _run_migrations(plugin)


@pytest.fixture(autouse=True)
def load_portal_plugins(with_plugins):
    """Every test runs with the plugins of test.ini (or of its ckan_config
    mark), as CKAN's testing guide recommends for extensions."""


@pytest.fixture
def clean_db(load_portal_plugins, reset_db):
    """CKAN's clean_db, once the plugins are loaded so their tables are
    rebuilt too."""
    reset_db()


@pytest.fixture(scope="session")
def reset_db():
    """CKAN's reset_db rebuilds only the core tables; with the portal's plugins
    enabled (activity, harvest…) their tables must be migrated too, or the
    first user created fails. Overrides the fixture that clean_db uses."""
    from ckan.tests import factories
    from ckan.tests.helpers import reset_db as reset_core_db

    def reset() -> None:
        factories.fake.unique.clear()
        reset_core_db()
        _migrate_loaded_plugins()

    return reset


@pytest.fixture
def catalogue():
    """The metropole's communes and themes (see tests/helpers.py)."""
    from .helpers import ensure_catalogue

    ensure_catalogue()

