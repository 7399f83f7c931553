"""Harvested sensor datasets for the chart tests (real harvester, real DataStore).

One harvest per test module (about 25 s under load), shared by its tests:
they read, and the only test that changes data (making a dataset private)
comes last in its module."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def harvested(reset_db, reset_index):
    # Imported here: the harvest helpers read CKAN's configuration on import,
    # which is loaded after conftest files are.
    from . import sensors

    return sensors.prepare(reset_db, reset_index)
