"""Round trip: this portal's DCAT catalogue, served over real HTTP, harvested
into a second, empty catalogue (another database on the same PostgreSQL):
every public dataset arrives with the same title, licence, themes, communes,
temporal coverage and resources; nothing private does."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from .conftest import HIDDEN_NAMES, api, fixture_datasets, portal_plugins

pytestmark = [pytest.mark.ckan_config("ckan.plugins", portal_plugins())]

ROOT = Path(__file__).resolve().parents[2]
SECOND_DB = "ckan_roundtrip"


def _pg(ckan_ini: str) -> tuple[Path, int, str]:
    """The test PostgreSQL's private socket, port and catalogue URL."""
    from ckan.plugins.toolkit import config

    url = config.get("sqlalchemy.url")
    port = int(re.search(r":(\d+)/", url).group(1))
    home = Path(config.get("ckan.storage_path")).parent
    return home / "run" / "pg-socket", port, url


@pytest.fixture
def second_catalogue(tmp_path, request):
    """An empty catalogue: a new database, migrated and loaded with the
    communes and themes by the portal's own `ckan metropole init`."""
    from ckanext.metropole.runtime.postgres import psql

    ckan_ini = str(Path(request.config.getoption("--ckan-ini")).resolve())
    socket, port, url = _pg(ckan_ini)
    owner = re.search(r"://([^:]+):", url).group(1)
    psql(socket, port, f"DROP DATABASE IF EXISTS {SECOND_DB} WITH (FORCE);")
    psql(socket, port, f"CREATE DATABASE {SECOND_DB} OWNER {owner};")
    ini = tmp_path / "second.ini"
    ini.write_text("[app:main]\n"
                   f"use = config:{ckan_ini}\n"
                   f"sqlalchemy.url = {url.rsplit('/', 1)[0]}/{SECOND_DB}\n"
                   "ckan.site_url = http://127.0.0.1:5097\n"
                   # the catalogue harvested is served on loopback
                   "ckanext.metropole.outbound.allowed = 127.0.0.1\n"
                   f"ckan.plugins = {portal_plugins()}\n")
    env = dict(os.environ, METROPOLE_ADMIN_PASSWORD="aller-retour-2026")
    subprocess.run([str(ROOT / ".venv/bin/ckan"), "-c", str(ini), "metropole", "init"],
                   check=True, capture_output=True, env=env, timeout=300)
    yield ini
    psql(socket, port, f"DROP DATABASE IF EXISTS {SECOND_DB} WITH (FORCE);")


@pytest.fixture
def served(app, fixture_catalogue):
    """This catalogue over real HTTP on loopback (CKAN's whole WSGI stack)."""
    server = make_server("127.0.0.1", 0, app.app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def _normal_periods(periods: list[dict] | None) -> list[dict]:
    return [{k: v for k, v in p.items() if v} for p in periods or []]


def _resources(dataset: dict) -> list[tuple]:
    return sorted((r.get("name"), r.get("url"), (r.get("format") or "").upper())
                  for r in dataset["resources"])


def test_every_public_dataset_survives_the_round_trip(served, second_catalogue):
    result = subprocess.run(
        [sys.executable, str(Path(__file__).with_name("roundtrip_harvest.py")),
         str(second_catalogue), f"{served}/catalog.ttl"],
        check=True, capture_output=True, text=True, timeout=300, cwd=ROOT)
    harvested = json.loads(result.stdout.strip().splitlines()[-1])
    assert harvested["errors"] == []
    arrived = {d["title"]: d for d in harvested["datasets"]}
    hidden_titles = {api("package_show", id=name)["title"] for name in HIDDEN_NAMES}
    assert not hidden_titles & set(arrived)
    assert set(arrived) == {d["title"] for d in fixture_datasets()}
    for fixture in fixture_datasets():
        original = api("package_show", id=fixture["name"])
        copy = arrived[original["title"]]
        assert copy["license_id"] == original["license_id"], original["name"]
        assert sorted(copy["themes"]) == sorted(original["themes"]), original["name"]
        assert sorted(copy["communes"]) == sorted(original["communes"]), original["name"]
        assert _normal_periods(copy.get("temporal_coverage")) == _normal_periods(
            original.get("temporal_coverage")), original["name"]
        assert _resources(copy) == _resources(original), original["name"]
        assert copy.get("frequency") == original.get("frequency"), original["name"]
        # Same producer: found by SIREN, or by INSEE code for a commune.
        org = copy["organization_extras"]
        source_org = api("organization_show", id=original["owner_org"])
        assert (org.get("siren"), org.get("insee_code")) == (
            source_org.get("siren"), source_org.get("insee_code")), original["name"]
