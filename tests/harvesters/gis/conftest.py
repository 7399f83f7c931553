"""Sample GIS services on loopback (real HTTP on a free port, no mocks); the
``session`` fixture (fast retries) comes from tests/harvesters/conftest.py."""

from __future__ import annotations

import pytest

from ckanext.metropole.demo.samples.gis import build_gis_server


@pytest.fixture
def gis():
    server, app = build_gis_server()
    server.app = app
    server.start()
    yield server
    server.stop()
