"""The outbound requests policy against real HTTP servers on loopback: every
harvester family, the DCAT and CKAN harvesters, redirects, names that
resolve to loopback, DNS rebinding; refused by default, allowed when listed
(or, for the demo's sample servers, in demo mode); and the ``/etc/passwd``
harvest source that used to be read from the disk."""

from __future__ import annotations

import json
import socket
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from ckan import model
from ckan.plugins.toolkit import config
from ckanext.harvest.model import HarvestSource

from ckanext.metropole.demo.samples.server import build_server
from metropole_core import outbound
from metropole_harvesters.demo import DEMO_SOURCES

from ..harvesters.ckan_harvest import run_job
from ..helpers import MARSEILLE, api, loopback_allowed, org_name

# Its tests only read, publish and try: one server and one set of people for
# the module (tests/security/conftest.py, `actors`).
ONE_WORLD_PER_MODULE = True

ALLOWED = outbound.ALLOWED_OPTION
PASSWD_LINE = "root:x:0:0"
TURTLE = """@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
<http://example.org/catalogue> a dcat:Catalog ; dct:title "Catalogue" .
"""


class Recorder:
    """A loopback HTTP server that records what reaches it. ``redirect``
    sends every request elsewhere; otherwise it answers ``body``."""

    def __init__(self, body: str = TURTLE, content_type: str = "text/turtle",
                 redirect: str | None = None) -> None:
        self.hits: list[str] = []
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                recorder.hits.append(self.path)
                if redirect:
                    self.send_response(302)
                    self.send_header("Location", redirect)
                    self.end_headers()
                    return
                data = body.encode()
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_HEAD = do_GET  # noqa: N815

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server():
    recorder = Recorder()
    yield recorder
    recorder.stop()


@pytest.fixture
def other_server():
    recorder = Recorder(body="secret of an internal service")
    yield recorder
    recorder.stop()


@pytest.fixture
def samples():
    server, _, _ = build_server()
    server.start()
    yield server
    server.stop()


def _get(url: str):
    with outbound.session() as http:
        return http.get(url, timeout=5)


# -- the policy, request by request ---------------------------------------------------


def test_loopback_is_refused_by_default_by_address_and_by_name(server):
    for url in (server.url, f"http://localhost:{server.port}/", f"http://[::1]:{server.port}/"):
        with pytest.raises(outbound.OutboundRefused):
            _get(url)
    assert server.hits == []


@pytest.mark.parametrize("host", [
    "169.254.169.254", "10.0.0.1", "172.16.0.1", "192.168.1.1", "100.64.0.1", "0.0.0.0",
    "224.0.0.1", "240.0.0.1", "255.255.255.255", "[fd00::1]", "[fe80::1]", "[::]",
    "[::ffff:127.0.0.1]", "[ff02::1]", "[64:ff9b::7f00:1]", "[2002:7f00:1::]", "2130706433",
    "0x7f.0.0.1", "127.1"])
def test_internal_and_special_addresses_are_refused(host):
    with pytest.raises(outbound.OutboundRefused):
        _get(f"http://{host}/latest/meta-data/")


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.org/x",
                                 "gopher://127.0.0.1:6379/_INFO", "/etc/passwd"])
def test_only_http_and_https(url):
    with pytest.raises(Exception) as raised:
        _get(url)
    assert PASSWD_LINE not in str(raised.value)


def test_a_listed_server_is_allowed_and_only_on_its_port(server, other_server, monkeypatch):
    monkeypatch.setitem(config, ALLOWED, f"127.0.0.1:{server.port}")
    assert _get(server.url + "/catalogue").status_code == 200
    with pytest.raises(outbound.OutboundRefused):
        _get(other_server.url)
    assert other_server.hits == []
    monkeypatch.setitem(config, ALLOWED, "127.0.0.0/8")
    assert _get(other_server.url).status_code == 200
    monkeypatch.setitem(config, ALLOWED, "localhost")
    assert _get(f"http://localhost:{server.port}/").status_code == 200


def test_a_redirect_from_a_listed_server_to_an_internal_one_is_refused(other_server,
                                                                        monkeypatch):
    for target in (other_server.url + "/secret", f"http://localhost:{other_server.port}/"):
        bouncer = Recorder(redirect=target)
        try:
            monkeypatch.setitem(config, ALLOWED, f"127.0.0.1:{bouncer.port}")
            with pytest.raises(outbound.OutboundRefused):
                _get(bouncer.url + "/catalogue")
            assert bouncer.hits == ["/catalogue"]
        finally:
            bouncer.stop()
    assert other_server.hits == []


def test_the_address_checked_is_the_address_connected_to(server, monkeypatch):
    """DNS rebinding: a name that resolves to a public address when checked
    and to 127.0.0.1 when connected (the resolver is the internet: mocked)."""
    real = socket.getaddrinfo
    answers = iter(["93.184.215.14"] + ["127.0.0.1"] * 10)

    def rebinding(host, port, *args, **kwargs):
        if host == "rebind.example.org":
            address = next(answers)
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    with pytest.raises(outbound.OutboundRefused):
        _get(f"http://rebind.example.org:{server.port}/")
    assert server.hits == []


def test_demo_sample_servers_are_allowed_in_demo_mode_only(samples, monkeypatch):
    monkeypatch.setitem(config, "ckanext.metropole.runtime.samples_url", samples.url)
    monkeypatch.setitem(config, "ckanext.metropole.demo", "false")
    with pytest.raises(outbound.OutboundRefused):
        _get(samples.url + "/sensorthings/v1.1")
    assert samples.requests == []
    monkeypatch.setitem(config, "ckanext.metropole.demo", "true")
    _get(samples.url + "/sensorthings/v1.1")
    assert samples.requests


def test_an_invalid_allow_list_entry_is_named():
    for entry in ("http://x/", "10.0.0.0/8:http", "host:99999"):
        with pytest.raises(ValueError, match="ckanext.metropole.outbound.allowed"):
            outbound.validate_setting({ALLOWED: entry})


# -- every harvester of the portal --------------------------------------------------


def _source(url: str, source_type: str, source_config: dict) -> str:
    """A source saved while its server was listed (as an install would)."""
    with loopback_allowed():
        return api("harvest_source_create", name=f"sortant-{uuid.uuid4().hex[:10]}",
                   title="Source sortante", url=url, source_type=source_type,
                   owner_org=org_name(MARSEILLE), config=json.dumps(source_config))["id"]


def _assert_refused(run: dict) -> None:
    errors = " ".join(run["gather_errors"])
    assert run["gather_errors"] and "refus" in errors, run["gather_errors"]


@pytest.mark.parametrize("spec", DEMO_SOURCES, ids=[s["source_type"] for s in DEMO_SOURCES])
def test_each_harvester_family_is_refused_a_loopback_source(spec, samples, catalogue):
    source_config = json.loads(json.dumps(spec["config"]).replace("{base}", samples.url))
    source_id = _source(samples.url + spec["path"], spec["source_type"],
                        {**source_config, "retries": 0})
    samples.requests.clear()
    _assert_refused(run_job(source_id))
    assert samples.requests == []


@pytest.mark.parametrize("source_type", ["metropole_dcat", "metropole_ckan"])
def test_dcat_and_ckan_harvesters_are_refused_a_loopback_source(source_type, server,
                                                                 catalogue):
    source_id = _source(server.url + "/catalogue", source_type, {})
    _assert_refused(run_job(source_id))
    assert server.hits == []


def test_dcat_harvester_follows_no_redirect_to_an_internal_server(other_server, catalogue,
                                                                  monkeypatch):
    bouncer = Recorder(redirect=other_server.url + "/catalogue")
    try:
        source_id = _source(bouncer.url + "/catalogue", "metropole_dcat", {})
        monkeypatch.setitem(config, ALLOWED, f"127.0.0.1:{bouncer.port}")
        _assert_refused(run_job(source_id))
    finally:
        bouncer.stop()
    assert other_server.hits == []


def test_dcat_harvester_reads_a_listed_server(server, catalogue, monkeypatch):
    source_id = _source(server.url + "/catalogue", "metropole_dcat", {})
    monkeypatch.setitem(config, ALLOWED, f"127.0.0.1:{server.port}")
    run = run_job(source_id)
    assert not any("refus" in e for e in run["gather_errors"]), run["gather_errors"]
    assert server.hits


# -- the local file that a DCAT source used to read -------------------------------------


LOCAL_URLS = ["/etc/passwd", "file:///etc/passwd", "etc/passwd"]
INTERNAL_URLS = ["http://127.0.0.1:6379/", "http://localhost:5432/",
                 "http://169.254.169.254/latest/meta-data/", "http://[::1]/",
                 "gopher://127.0.0.1:6379/_INFO"]


@pytest.mark.parametrize("url", LOCAL_URLS + INTERNAL_URLS)
def test_an_editor_cannot_save_a_local_or_internal_source_url(url, actors):
    editor = actors["editor_marseille"]
    answer = editor.action("harvest_source_create", name=f"locale-{uuid.uuid4().hex[:8]}",
                           title="Source locale", url=url, source_type="metropole_dcat",
                           owner_org=org_name(MARSEILLE))
    assert answer.status_code == 409, answer.text[:300]
    error = answer.json()["error"]
    assert error.get("url"), error
    assert PASSWD_LINE not in answer.text


def test_an_editor_cannot_move_a_source_onto_a_local_file(actors):
    editor = actors["editor_marseille"]
    created = editor.action("harvest_source_create", name=f"dcat-{uuid.uuid4().hex[:8]}",
                            title="Catalogue distant", url="https://catalogue.example.org/dcat",
                            source_type="metropole_dcat", owner_org=org_name(MARSEILLE))
    assert created.status_code == 200, created.text[:300]
    for action in ("harvest_source_patch", "package_patch"):
        moved = editor.action(action, id=created.json()["result"]["id"], url="/etc/passwd")
        assert moved.status_code == 409 and moved.json()["error"].get("url"), moved.text[:300]


def test_the_url_error_is_in_french_on_the_form(actors):
    editor = actors["editor_marseille"]
    answer = editor.action("harvest_source_create", name=f"locale-{uuid.uuid4().hex[:8]}",
                           title="Source locale", url="/etc/passwd",
                           source_type="metropole_dcat", owner_org=org_name(MARSEILLE))
    assert "Seules les adresses http:// et https://" in answer.json()["error"]["url"][0]


@pytest.mark.parametrize("source_type", ["metropole_dcat", "metropole_ckan", "sensorthings"])
@pytest.mark.parametrize("url", LOCAL_URLS)
def test_a_source_already_saved_on_a_local_file_reads_nothing(source_type, url, actors):
    """Saved before this fix (or written in the database): the harvest never
    opens a local path, and nothing of the file reaches the job report."""
    # Read as Turtle, the file's first bytes used to come back in rdflib's
    # syntax error, in the job report.
    turtle = {"rdf_format": "turtle"} if source_type == "metropole_dcat" else {}
    source_id = _source("https://catalogue.example.org/dcat", source_type, turtle)
    source = HarvestSource.get(source_id)
    source.url = url
    model.Package.get(source_id).url = url
    model.Session.commit()
    run = run_job(source_id)
    assert run["gather_errors"], run
    assert not any(PASSWD_LINE in e or "/bin/" in e for e in run["gather_errors"]), run
    sysadmin = actors["sysadmin"]
    report = sysadmin.action("harvest_job_report", method="GET", id=run["job"].id)
    assert report.status_code == 200
    assert PASSWD_LINE not in report.text and "/bin/bash" not in report.text
    objects = sysadmin.action("harvest_object_list", method="GET", source_id=source_id)
    assert PASSWD_LINE not in objects.text
