"""Sensor datasets for the chart and dashboard tests, made the way the
portal makes them: the real sensor harvester reading the demo's sample
SensorThings server over loopback HTTP, with the demo's sensors (every
sensor theme, a stopped counter, a probe with an outage).

The sample server's clock is the real time (rounded to the minute), so
freshness is judged as on a live portal."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from ckan.tests import factories
from ckan.tests.helpers import call_action

from ckanext.metropole.demo.samples.data import demo_more_sensors, demo_sensors
from ckanext.metropole.demo.samples.server import build_server

from ..harvesters.ckan_harvest import communes, run_job
from ..helpers import loopback_allowed

PARIS = ZoneInfo("Europe/Paris")
SOURCE = "capteurs-test"


def now() -> datetime:
    return datetime.now(PARIS).replace(second=0, microsecond=0)


def start_server(at: datetime):
    """The sample server, history from local midnight 3 days before ``at``."""
    start = (at - timedelta(days=3)).replace(hour=0, minute=0)
    server, sta, _ = build_server(now=at, start=start.timestamp(),
                                  sta_sensors=demo_sensors() + demo_more_sensors(at.timestamp()))
    server.start()
    return server


def harvest(server) -> dict:
    """One run of the SensorThings harvester on the sample server."""
    org = communes()
    sysadmin = factories.Sysadmin()["name"]
    with loopback_allowed():  # the sample server listens on 127.0.0.1
        source = call_action("harvest_source_create", {"ignore_auth": True, "user": sysadmin},
                             name=SOURCE, title="Capteurs de test",
                             url=server.url + "/sensorthings/v1.1",
                             source_type="sensorthings", owner_org=org["id"],
                             config=json.dumps({"history": "P4D", "communes": ["13055"],
                                                "retries": 1, "title": "capteurs de test"}))
        run = run_job(source["id"])
    assert run["gather_errors"] == [], run["gather_errors"]
    return run


def prepare(reset_db, reset_index) -> datetime:
    """Empty database and index, then one harvest; returns the sample clock's "now"."""
    from ckan import plugins

    plugins.load_all()   # the plugins of test.ini, as each test's with_plugins loads them
    reset_db()
    reset_index()
    at = now()
    server = start_server(at)
    try:
        harvest(server)
    finally:
        server.stop()
    return at


def dataset(key: str) -> dict:
    return call_action("package_show", id=f"{SOURCE}-{key}")


def table(package: dict, period: str) -> dict:
    suffix = {"hour": "agrégats horaires", "day": "agrégats journaliers"}[period]
    return next(r for r in package["resources"] if r["name"].endswith(suffix))
