"""How a resource declares a schema, and the bad declarations: a schema that
is not a valid Table Schema, a URL to an internal address, a URL that
answers HTML or 404. Each is a field-level message in French, never a 500;
the contract with the loader (``declared_table_schema``) holds for each way."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from ckan.plugins import toolkit

from ckanext.metropole.table_schemas import catalogue
from ckanext.metropole.table_schemas.declared import declared_table_schema

from ..helpers import api, dataset_fields, loopback_allowed
from .conftest import PARKING

pytestmark = pytest.mark.usefixtures("catalogue")

PARKING_SCHEMA = catalogue.find(PARKING).descriptor
ANSWERS = {
    "/schema.json": (200, "application/json", json.dumps(PARKING_SCHEMA).encode()),
    "/page.html": (200, "text/html; charset=utf-8", b"<html><body>Schema</body></html>"),
    "/not-a-schema.json": (200, "application/json", b'{"fields": [{"name": "a", "type": "x"}]}'),
}


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        status, content_type, body = ANSWERS.get(self.path, (404, "text/plain", b"missing"))
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def schema_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def declare(**resource) -> dict:
    dataset = api("package_create", **dataset_fields(resources=[
        {"name": "Parkings", "url": "http://example.org/parkings.csv", "format": "CSV",
         **resource}]))
    return dataset["resources"][0]


def refused(**resource) -> dict:
    with pytest.raises(toolkit.ValidationError) as raised:
        declare(**resource)
    return raised.value.error_dict


def test_a_catalogue_schema_by_id_and_version_or_newest():
    assert catalogue.find(PARKING).version == "0.1.5"
    assert catalogue.find("etalab/schema-stationnement").key == PARKING
    assert catalogue.find("etalab/schema-irve-statique").version == "2.3.0"
    resource = declare(table_schema=PARKING)
    assert declared_table_schema(resource)["title"] == "Lieux de stationnement"
    assert declared_table_schema({"table_schema": ""}) is None
    errors = refused(table_schema="etalab/schema-inexistant")
    assert "Unknown schema" in str(errors) and "etalab/schema-stationnement" in str(errors)


def test_the_api_answers_a_bad_declaration_on_the_field_in_french(pages, admin_with_token):
    headers = {"Authorization": admin_with_token["token"]}
    fields = dataset_fields(resources=[{"url": "http://example.org/p.csv",
                                        "table_schema_descriptor": "{\"fields\": 3}"}])
    french = pages.post("/api/3/action/package_create", json=fields, headers=headers,
                        status=409).json["error"]
    assert "n’est pas un Table Schema" in french["resources"][0]["table_schema_descriptor"][0]
    english = pages.post("/en/api/3/action/package_create", json=fields, headers=headers,
                         status=409).json["error"]
    assert "This is not a Table Schema" in english["resources"][0]["table_schema_descriptor"][0]

    # The resource form offers the catalogue as suggestions of its field.
    dataset = api("package_create", **dataset_fields())
    form = pages.get(f"/dataset/{dataset['name']}/resource/new", headers=headers).body
    assert 'list="table-schema-catalogue"' in form
    assert f'<option value="{PARKING}">Lieux de stationnement — v0.1.5' in form


def test_a_schema_given_as_a_file_is_checked_as_a_table_schema():
    resource = declare(table_schema_descriptor=json.dumps(PARKING_SCHEMA))
    assert declared_table_schema(resource)["fields"] == PARKING_SCHEMA["fields"]
    for bad, expected in (("pas du json", "not valid JSON"),
                          ('{"title": "sans champs"}', "This is not a Table Schema"),
                          ('{"fields": [{"name": "a", "type": "couleur"}]}',
                           "not a valid Table Schema"),
                          ('{"fields": "a"}', "This is not a Table Schema")):
        assert expected in str(refused(table_schema_descriptor=bad)), bad


def test_a_schema_url_is_fetched_under_the_outbound_policy(schema_server):
    # Loopback is an internal address: refused unless the install lists it.
    errors = refused(table_schema=f"{schema_server}/schema.json")
    assert "The schema could not be fetched" in str(errors)
    # A local file is never read: not http(s), so not a URL the portal fetches.
    local = str(refused(table_schema="file:///etc/passwd"))
    assert "Unknown schema" in local and "root:" not in local
    with loopback_allowed():
        resource = declare(table_schema=f"{schema_server}/schema.json")
        assert declared_table_schema(resource)["title"] == "Lieux de stationnement"
        assert "web page (HTML)" in str(refused(table_schema=f"{schema_server}/page.html"))
        assert "HTTP 404" in str(refused(table_schema=f"{schema_server}/absent.json"))
        assert "not a valid Table Schema" in str(
            refused(table_schema=f"{schema_server}/not-a-schema.json"))
