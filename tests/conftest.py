"""Project-wide test settings.

Tests run with CKAN's own pytest plugin (`pytest --ckan-ini=test.ini`, shipped
in the ckan package as ckan.tests.pytest_ckan), against the test profile's
PostgreSQL and Redis that `make test` starts (see Makefile).
"""

from __future__ import annotations

import pytest

_PLUGINS_WITH_MIGRATIONS: list[str] = []


def _plugins_with_migrations() -> list[str]:
    """The plugins of the test ini (not of a test's ckan_config mark: CLI
    commands run in tests load the ini) that have migrations, found once."""
    if not _PLUGINS_WITH_MIGRATIONS:
        from ckan import plugins
        from ckan.cli import CKANConfigLoader
        from ckan.cli.db import current_revision
        from ckan.common import config

        ini = CKANConfigLoader(config["__file__"]).get_config()
        names = ini["ckan.plugins"].split()
        # Loaded together, in the ini's order: some plugins chain another's
        # helpers (metropole_dcat -> structured_data) and fail on their own.
        missing = [name for name in names if not plugins.plugin_loaded(name)]
        plugins.load(*missing)
        try:
            _PLUGINS_WITH_MIGRATIONS.extend(
                name for name in names if current_revision(name) is not None)
        finally:
            plugins.unload(*reversed(missing))
    return _PLUGINS_WITH_MIGRATIONS


def _migrate_plugins() -> None:
    """Rebuild the tables of every plugin with migrations, loaded or not."""
    from ckan import plugins
    from ckan.cli.db import _run_migrations

    for name in _plugins_with_migrations():
        loaded = plugins.plugin_loaded(name)
        if not loaded:
            plugins.load(name)
        try:
            _run_migrations(name)
        finally:
            if not loaded:
                plugins.unload(name)


@pytest.fixture(autouse=True)
def load_portal_plugins(with_plugins):
    """Every test runs with the plugins of test.ini (or of its ckan_config
    mark), as CKAN's testing guide recommends for extensions."""


class _LoadedPlugins:
    """Which plugins are loaded, for which ``ckan_config`` marks, and the
    configuration their loading produced."""

    key: tuple | None = None
    config: dict = {}


@pytest.fixture
def with_plugins(ckan_config, provide_plugin, monkeypatch, request):
    """CKAN's ``with_plugins`` (same marks, same plugins, same configuration),
    without unloading and reloading the same plugins around every test.

    CKAN's fixture unloads every plugin after each test and loads them again
    before the next: two ``update_config`` runs per test, each reading every
    plugin's config declarations and walking the stack for each template
    folder (``inspect.stack``), about 0.9 s of a test's time, spent some 800
    times for the same twenty plugins. Here they are loaded again only when
    the list or the test's ``ckan_config`` marks change; otherwise the
    configuration that loading produced is put back (``ckan_config`` restores
    the pre-test one after each test) and the app globals are read from it
    again, which is all a reload would change for the same plugins."""
    import copy

    from ckan.lib.app_globals import app_globals
    from ckan.plugins import core

    names: list[str] = []
    for mark in request.node.iter_markers("with_plugins"):
        for plugin in mark.args:
            if isinstance(plugin, str):
                names.append(plugin)
            else:  # {name: class}, as CKAN's fixture accepts
                for name, implementation in plugin.items():
                    provide_plugin(name, implementation)
                    names.append(name)
    current = ckan_config["ckan.plugins"]
    if isinstance(current, str):
        current = current.split()
    wanted = list(current) + names
    monkeypatch.setitem(ckan_config, "ckan.plugins", wanted)

    marks = tuple((mark.args[0], repr(mark.args[1]))
                  for mark in request.node.iter_markers("ckan_config"))
    key = (tuple(wanted), marks)
    if key == _LoadedPlugins.key and wanted == core._PLUGINS:
        ckan_config.clear()
        ckan_config.update(copy.deepcopy(_LoadedPlugins.config))
        app_globals._init()
    else:
        core.load_all()
        _LoadedPlugins.key = key
        _LoadedPlugins.config = copy.deepcopy(dict(ckan_config))
    yield


@pytest.fixture
def clean_db(load_portal_plugins, reset_db):
    """CKAN's clean_db, once the plugins are loaded so their tables are
    rebuilt too."""
    reset_db()


@pytest.fixture(scope="session")
def reset_db():
    """CKAN's reset_db rebuilds only the core tables; the portal's plugins
    (activity, harvest…) need theirs too, or the first user created fails.
    Overrides the fixture that clean_db uses."""
    from ckan import model
    from ckan.tests import factories
    from ckan.tests.helpers import reset_db as reset_core_db

    def reset() -> None:
        factories.fake.unique.clear()
        if model.repo.tables_created_and_initialised:
            _empty_every_table()
            return
        # First reset of the session (or after a test dropped the tables):
        # CKAN drops every table and recreates only its own.
        reset_core_db()
        _migrate_plugins()

    return reset


def _empty_every_table() -> None:
    """What CKAN's delete_all does (every row of every table of the model,
    core and plugins; every *alembic_version table kept, since an earlier drop
    reflects the plugins' ones into its metadata), in one TRUNCATE instead of one
    inspection and one DELETE per table: 2.2 s per clean_db becomes about
    0.1 s, over some 450 tests that use it."""
    import sqlalchemy as sa
    from ckan import model
    from sqlalchemy.orm import close_all_sessions

    close_all_sessions()
    model.repo.session.remove()
    with model.meta.engine.begin() as conn:
        existing = set(sa.inspect(conn).get_table_names())
        names = [table.name for table in model.meta.metadata.sorted_tables
                 if table.name in existing and not table.name.endswith("alembic_version")]
        if names:
            conn.execute(sa.text("TRUNCATE " + ", ".join(f'"{n}"' for n in names) + " CASCADE"))


@pytest.fixture
def catalogue():
    """The metropole's communes and themes (see tests/helpers.py)."""
    from .helpers import ensure_catalogue

    ensure_catalogue()



@pytest.fixture
def admin_with_token() -> dict:
    """A sysadmin and an API token: CKAN's test client logs in by header."""
    from ckan.tests import factories

    return factories.SysadminWithToken()


def _strong_factory_passwords() -> None:
    """CKAN's user factories default to passwords the portal refuses (10
    random characters, or "correct123"): metropole_security asks for 12
    characters and a zxcvbn score of 3. Give them passwords the policy accepts
    so every test that creates a user still can."""
    import factory
    from ckan.tests import factories

    strong = factory.LazyFunction(lambda: factories.fake.password(length=20))
    for user_factory in (factories.User, factories.Sysadmin,
                         factories.UserWithToken, factories.SysadminWithToken):
        user_factory._meta.pre_declarations.update({"password": strong})


_strong_factory_passwords()


def _no_images_from_other_hosts() -> None:
    """CKAN's factories give users, groups and organisations Faker image URLs
    on other hosts (picsum.photos, dummyimage.com…), which every page showing
    them would fetch: the browser tests fail on any request leaving the
    portal, so test data carries no such URL."""
    from ckan.tests import factories

    for with_image in (factories.User, factories.Sysadmin, factories.UserWithToken,
                       factories.SysadminWithToken, factories.MockUser, factories.Group,
                       factories.Organization):
        with_image._meta.pre_declarations.update({"image_url": ""})


_no_images_from_other_hosts()


@pytest.fixture
def search_index_available() -> None:
    """Fail, never skip: a configuration without a search index would
    otherwise hide every test that publishes datasets (NEEDS_INDEX)."""
    from .harvesters.ckan_harvest import _indexing_available

    if not _indexing_available():
        pytest.fail("these tests index datasets: enable the metropole_search plugin "
                    "(deployment/portal.ini) or set ckanext.metropole.search.backend = solr")

