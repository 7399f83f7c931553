"""Harvested sensor datasets for the chart tests (real harvester, real DataStore).

One harvest per test module (about 25 s under load), shared by its tests:
they read, and the only test that changes data (making a dataset private)
comes last in its module."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def harvested(reset_db, reset_index):
    """Empty database and index, then one harvest; returns the sample clock's "now"."""
    # Imported here: the harvest helpers read CKAN's configuration on import,
    # which is loaded after conftest files are.
    from ckan import plugins

    from . import sensors

    plugins.load_all()   # the plugins of test.ini, as each test's with_plugins loads them
    reset_db()
    reset_index()
    at = sensors.now()
    server = sensors.start_server(at)
    try:
        sensors.harvest(server)
    finally:
        server.stop()
    return at
