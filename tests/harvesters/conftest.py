"""Sample IoT servers on loopback for the harvester tests (real HTTP, no mocks)."""

from __future__ import annotations

import pytest

from ckanext.metropole.demo.samples.server import build_server
from metropole_harvesters.pipeline.http import make_session

from ..helpers import loopback_allowed
from .settings import FAST, NOW, START


@pytest.fixture(autouse=True)
def allow_loopback_servers():
    """These tests harvest servers on 127.0.0.1 (refused by default)."""
    with loopback_allowed():
        yield


@pytest.fixture
def samples():
    server, sta, fiware = build_server(now=NOW, start=START.timestamp())
    server.start()
    server.sta, server.fiware = sta, fiware
    yield server
    server.stop()


@pytest.fixture
def session():
    with make_session(FAST) as s:
        yield s


@pytest.fixture
def clean_db(reset_db, migrate_db_for):
    """CKAN's reset recreates the core tables only: put back the tables and
    columns of the plugins the harvest needs (as ckanext-harvest's tests do)."""
    reset_db()
    migrate_db_for("activity")
    migrate_db_for("harvest")
