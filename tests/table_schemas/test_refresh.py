"""``ckan metropole table-schemas refresh`` against a loopback server that
serves a catalogue in schema.data.gouv.fr's format (the internet is the only
thing replaced): the newest version of each Table Schema is written with its
source, a broken one is skipped and reported, the others still refreshed."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from ckanext.metropole.command_group import metropole
from ckanext.metropole.table_schemas import catalogue

from ..helpers import loopback_allowed

PARKING = catalogue.find("etalab/schema-stationnement").descriptor
NEWER = {**PARKING, "version": "0.2.0"}
ROUTES: dict[str, bytes] = {}


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802
        body = ROUTES.get(self.path)
        self.send_response(200 if body is not None else 404)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body or b"{}")

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def schema_site():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    ROUTES.clear()
    ROUTES.update({
        "/schemas.json": json.dumps({"$schema": "https://opendataschema.frama.io/catalog/"
                                                "schema-catalog.json", "version": 1,
            "schemas": [
                {"name": "etalab/schema-stationnement", "title": "Lieux de stationnement",
                 "schema_type": "tableschema",
                 "versions": [{"version_name": "0.1.5",
                               "schema_url": f"{base}/stationnement/0.1.5/schema.json"},
                              {"version_name": "v0.2.0",
                               "schema_url": f"{base}/stationnement/0.2.0/schema.json"}]},
                {"name": "etalab/schema-casse", "title": "Cassé", "schema_type": "tableschema",
                 "versions": [{"version_name": "1.0.0",
                               "schema_url": f"{base}/casse/schema.json"}]},
                {"name": "etalab/un-autre-format", "schema_type": "jsonschema",
                 "versions": [{"version_name": "1.0.0", "schema_url": f"{base}/x.json"}]},
            ]}).encode(),
        "/stationnement/0.2.0/schema.json": json.dumps(NEWER).encode(),
        "/casse/schema.json": b'{"fields": "pas une liste"}',
    })
    yield base
    server.shutdown()
    server.server_close()


def test_refresh_writes_the_newest_versions_and_skips_a_broken_one(cli, ckan_config,
                                                                   monkeypatch, tmp_path,
                                                                   schema_site):
    monkeypatch.setitem(ckan_config, catalogue.REFRESHED_OPTION, str(tmp_path))
    with loopback_allowed():
        result = cli.invoke(metropole, ["table-schemas", "refresh", "--url",
                                        f"{schema_site}/schemas.json"])
    assert result.exit_code == 0, result.output
    assert "refreshed etalab/schema-stationnement@0.2.0" in result.output
    assert "skipped etalab/schema-casse" in result.output
    assert "un-autre-format" not in result.output
    written = tmp_path / "etalab" / "schema-stationnement"
    assert json.loads((written / "0.2.0.json").read_text())["version"] == "0.2.0"
    assert "schema.data.gouv.fr" in (written / "SOURCE.txt").read_text()
    # The catalogue now offers it, newest by default; the shipped one stays.
    assert catalogue.find("etalab/schema-stationnement").version == "0.2.0"
    assert catalogue.find("etalab/schema-stationnement@0.1.5") is not None
    listed = cli.invoke(metropole, ["table-schemas", "list"]).output
    assert "etalab/schema-stationnement@0.2.0" in listed


def test_refresh_offline_or_refused_says_so_and_writes_nothing(cli, ckan_config, monkeypatch,
                                                               tmp_path, schema_site):
    monkeypatch.setitem(ckan_config, catalogue.REFRESHED_OPTION, str(tmp_path))
    # Without the allow-list, loopback is an internal address: refused.
    result = cli.invoke(metropole, ["table-schemas", "refresh", "--url",
                                    f"{schema_site}/schemas.json"])
    assert result.exit_code != 0 and "catalogue not refreshed" in result.output
    assert list(tmp_path.iterdir()) == []
