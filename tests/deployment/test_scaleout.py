"""The scale-out profile, running: two web nodes behind nginx, two harvest
fetch consumers, the test profile's PostgreSQL, Redis and upload storage, and
the SolrCloud of ``make solr-up``, each process started with its command in
``deployment/compose.production.yml`` (ckanext/metropole/runtime/scaleout.py).

One set-up for the module. Ports: nginx on the test web port + 1, the nodes
on + 2 and + 3 (5051-5053 under ``make test``)."""

from __future__ import annotations

import contextlib
import os
import random
import re
import string
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from ckan import model
from ckan.tests import factories
from ckanext.harvest.model import HarvestObject

from ckanext.metropole.communes import loader
from ckanext.metropole.runtime import postgres
from ckanext.metropole.runtime.scaleout import ScaleOut
from ckanext.metropole.runtime.settings import load_settings
from ckanext.metropole.search.storage import TABLE as SEARCH_TABLE

from ..dcat.loopback import LoopbackServer, Page, Source
from ..helpers import AMP, api, dataset_fields, ensure_catalogue
from ..search.backends import solr_url
from ..security.conftest import PASSWORD, csrf_token

HARVESTED = 200


@dataclass
class Cluster:
    scaleout: ScaleOut
    source: LoopbackServer
    pages: Source
    sysadmin_token: str
    user: dict

    @property
    def nginx(self) -> str:
        return self.scaleout.url

    def node(self, index: int) -> str:
        return f"http://127.0.0.1:{self.scaleout.node_ports[index]}"

    def action(self, base: str, action: str, **data) -> dict:
        answer = requests.post(f"{base}/api/3/action/{action}", json=data, timeout=60,
                               headers={"Authorization": self.sysadmin_token})
        assert answer.ok, (action, answer.status_code, answer.text[:500])
        return answer.json()["result"]


@pytest.fixture(scope="module")
def _module_cluster() -> Iterator[dict]:
    """Holds the one set-up of the module; built by its first test, once the
    plugins are loaded (they are loaded per test, as in tests/security/)."""
    holder: dict = {}
    pages = Source()
    with LoopbackServer(pages) as source:
        holder.update(pages=pages, source=source)
        try:
            yield holder
        finally:
            if "cluster" in holder:
                holder["cluster"].scaleout.stop()


@pytest.fixture
def cluster(_module_cluster, load_portal_plugins, reset_db) -> Cluster:
    if "cluster" not in _module_cluster:
        # Whatever ran before: a database with every plugin's tables, and a
        # small catalogue (the move below rebuilds its whole index twice).
        reset_db()
        ensure_catalogue()
        sysadmin = factories.Sysadmin()
        token = api("api_token_create", user=sysadmin["name"], name="scaleout")["token"]
        user = factories.User(password=PASSWORD)
        settings = load_settings("test")
        port = settings.web_port
        source = _module_cluster["source"]
        scaleout = ScaleOut(settings, solr_url(), nginx_port=port + 1,
                            node_ports=[port + 2, port + 3],
                            extra_settings={"ckanext.metropole.outbound.allowed":
                                            source.base.removeprefix("http://")})
        _module_cluster["cluster"] = Cluster(scaleout, source, _module_cluster["pages"],
                                             token, user)
        scaleout.start()
    return _module_cluster["cluster"]


def _unique_word() -> str:
    """Letters only: Solr's text field splits a word at digits, so a word
    with digits would match the documents of earlier runs."""
    return "".join(random.choices(string.ascii_lowercase, k=14))


def _logged_in(cluster: Cluster, base: str) -> requests.Session:
    session = requests.Session()
    token = csrf_token(session, f"{base}/user/login")
    answer = session.post(f"{base}/user/login", timeout=30, data={
        "login": cluster.user["name"], "password": PASSWORD, "_csrf_token": token})
    assert answer.ok and "/user/login" not in answer.url, answer.url
    return session


def test_a_login_on_one_node_holds_on_the_other(cluster):
    session = _logged_in(cluster, cluster.node(0))
    page = session.get(f"{cluster.node(1)}/user/edit", timeout=30)
    assert page.status_code == 200 and "/user/login" not in page.url
    assert cluster.user["name"] in page.text
    # Without the cookie there is no account to edit.
    assert requests.get(f"{cluster.node(1)}/user/edit", timeout=30).status_code != 200


def test_a_csrf_token_of_one_node_is_accepted_by_the_other(cluster):
    session = _logged_in(cluster, cluster.node(0))
    token = csrf_token(session, f"{cluster.node(0)}/user/edit")
    about = f"écrit sur un nœud, vérifié sur l'autre {uuid.uuid4().hex[:6]}"
    url = f"{cluster.node(1)}/api/3/action/user_patch"
    data = {"id": cluster.user["id"], "about": about}
    refused = session.post(url, json=data, headers={"X-CSRFToken": "x" + token[1:]},
                           timeout=30)
    assert refused.status_code in (400, 403)
    accepted = session.post(url, json=data, headers={"X-CSRFToken": token}, timeout=30)
    assert accepted.ok, accepted.text[:300]
    assert api("user_show", id=cluster.user["id"])["about"] == about


def test_a_dataset_created_on_one_node_is_found_through_the_other_at_once(cluster):
    word = _unique_word()
    created = cluster.action(cluster.node(0), "package_create",
                             **dataset_fields(notes=f"Mesures {word}."))
    found = cluster.action(cluster.node(1), "package_search", q=word)
    assert [d["id"] for d in found["results"]] == [created["id"]]
    page = requests.get(f"{cluster.nginx}/dataset/", params={"q": word}, timeout=30)
    assert page.ok and f'/dataset/{created["name"]}"' in page.text


def test_an_upload_through_one_node_downloads_through_the_other(cluster):
    dataset = cluster.action(cluster.node(0), "package_create", **dataset_fields())
    content = b"commune;passages\n13055;1234\n" + uuid.uuid4().hex.encode()
    answer = requests.post(
        f"{cluster.node(0)}/api/3/action/resource_create", timeout=60,
        headers={"Authorization": cluster.sysadmin_token},
        data={"package_id": dataset["id"], "name": "Passages", "format": "CSV"},
        files={"upload": ("passages.csv", content, "text/csv")})
    assert answer.ok, answer.text[:300]
    url = answer.json()["result"]["url"]
    download = requests.get(url.replace(cluster.nginx, cluster.node(1)), timeout=30)
    assert download.status_code == 200 and download.content == content


def _catalogue(count: int, epci_tag: str) -> str:
    """A DCAT catalogue of ``count`` datasets, in Turtle, on one page."""
    head = ("@prefix dcat: <http://www.w3.org/ns/dcat#> .\n"
            "@prefix dct: <http://purl.org/dc/terms/> .\n")
    datasets = "".join(f"""
<{{BASE}}/dcat/{epci_tag}-{i}> a dcat:Dataset ;
    dct:identifier "{epci_tag}-{i}" ;
    dct:title "Capteur {epci_tag} numéro {i}" ;
    dct:description "Mesures du capteur {i}." ;
    dct:license <https://creativecommons.org/licenses/by/4.0/> ;
    dcat:theme <http://publications.europa.eu/resource/authority/data-theme/TRAN> ;
    dct:spatial <http://id.insee.fr/geo/commune/13055> .
""" for i in range(count))
    return head + datasets


def _received_by(log_text: str) -> list[str]:
    return re.findall(r"Received harvest object id: ([0-9a-f-]{36})", log_text)


def test_a_harvest_job_is_shared_by_the_fetch_consumers_without_double_imports(cluster):
    tag = _unique_word()
    cluster.pages.pages["/dcat"] = Page(_catalogue(HARVESTED, tag))
    source = cluster.action(cluster.nginx, "harvest_source_create",
                            url=f"{cluster.source.base}/dcat", name=f"capteurs-{tag}",
                            title=f"Capteurs {tag}", source_type="metropole_dcat",
                            owner_org=loader.existing_by("siren")[AMP].name)
    logs = [cluster.scaleout.log(f"harvest-fetch-{n}") for n in (1, 2)]
    before = [len(path.read_text()) for path in logs]
    job = cluster.action(cluster.nginx, "harvest_job_create", source_id=source["id"])
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        model.Session.remove()
        objects = model.Session.query(HarvestObject).filter_by(harvest_job_id=job["id"]).all()
        if len(objects) == HARVESTED and all(o.state in ("COMPLETE", "ERROR") for o in objects):
            break
        time.sleep(1)
    assert len(objects) == HARVESTED
    assert {o.state for o in objects} == {"COMPLETE"}
    # Each object was taken off the queue once, by one consumer.
    assert {o.retry_times for o in objects} == {1}
    received = [_received_by(path.read_text()[start:])
                for path, start in zip(logs, before, strict=True)]
    assert all(received), [len(r) for r in received]
    assert sorted(received[0] + received[1]) == sorted(o.id for o in objects)
    assert len({o.package_id for o in objects}) == HARVESTED
    found = cluster.action(cluster.node(1), "package_search", q=tag, rows=0,
                           fq="dataset_type:dataset")
    assert found["count"] == HARVESTED
    # Keeps the catalogue small for the move below (its index is rebuilt).
    cluster.action(cluster.nginx, "harvest_source_clear", id=source["id"])


@contextlib.contextmanager
def _scratch_install(cluster: Cluster, tag: str, folder: Path) -> Iterator[dict[str, str]]:
    """Empty databases (as each profile's set-up creates them) and an upload
    folder, on the test profile's server: the other side of a move."""
    settings, env = cluster.scaleout.settings, cluster.scaleout.environment()
    names = {"ckan": f"ckan_{tag}", "datastore": f"datastore_{tag}"}
    postgres.psql(settings.socket_dir, settings.pg_port,
                  f"CREATE DATABASE {names['ckan']} OWNER ckan TEMPLATE template0;\n"
                  f"CREATE DATABASE {names['datastore']} OWNER datastore_write "
                  "TEMPLATE template0;\n")
    try:
        postgres.psql(settings.socket_dir, settings.pg_port, EXTENSIONS, database=names["ckan"])
        yield {**env, "CKAN_STORAGE_PATH": str(folder),
               "CKAN_SQLALCHEMY_URL": _other_database(env["CKAN_SQLALCHEMY_URL"], names["ckan"]),
               "CKAN_DATASTORE_WRITE_URL": _other_database(env["CKAN_DATASTORE_WRITE_URL"],
                                                           names["datastore"])}
    finally:
        postgres.psql(settings.socket_dir, settings.pg_port,
                      "".join(f"DROP DATABASE IF EXISTS {name} WITH (FORCE);\n"
                              for name in names.values()))


def _other_database(url: str, database: str) -> str:
    return url.rsplit("/", 1)[0] + "/" + database


EXTENSIONS = "".join(f"CREATE EXTENSION IF NOT EXISTS {name};\n"
                     for name in ("unaccent", "pg_trgm", "btree_gin", "btree_gist"))


def _move(direction: str, folder: Path, env: dict[str, str]) -> None:
    result = subprocess.run([sys.executable, "-m", "ckanext.metropole.runtime.move", direction,
                             str(folder)], env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]


def test_an_install_moves_to_the_scaleout_profile_and_back(cluster, tmp_path):
    """make run's side is the test profile (search in PostgreSQL): a dataset
    it holds, never indexed in Solr, is found through nginx once moved; and
    moved back, the PostgreSQL index of the other side holds it."""
    word = _unique_word()
    dataset = api("package_create", **dataset_fields(notes=f"Relevés {word}."))
    assert cluster.action(cluster.nginx, "package_search", q=word)["count"] == 0
    uploads = cluster.scaleout.settings.storage_dir
    own = {**os.environ, "CKAN_INI": str(cluster.scaleout.settings.ckan_ini)}
    _move("export", tmp_path / "up", own)
    with _scratch_install(cluster, "up", tmp_path / "scaleout-storage") as scaleout:
        _move("import", tmp_path / "up", scaleout)
        found = cluster.action(cluster.nginx, "package_search", q=word)
        assert [d["id"] for d in found["results"]] == [dataset["id"]]
        assert sorted(p.name for p in (tmp_path / "scaleout-storage").rglob("*")) == sorted(
            p.name for p in uploads.rglob("*"))
        _move("export", tmp_path / "back", scaleout)
    back_env = {**own, "CKAN_STORAGE_PATH": str(tmp_path / "back-storage")}
    with _scratch_install(cluster, "back", tmp_path / "back-storage") as back:
        back_env.update(CKAN_SQLALCHEMY_URL=back["CKAN_SQLALCHEMY_URL"],
                        CKAN_DATASTORE_WRITE_URL=back["CKAN_DATASTORE_WRITE_URL"])
        _move("import", tmp_path / "back", back_env)
        settings = cluster.scaleout.settings
        rows = postgres.psql(settings.socket_dir, settings.pg_port,
                             f"SELECT name FROM {SEARCH_TABLE} WHERE entity_id = "
                             f"'{dataset['id']}';", database="ckan_back")
        assert rows.split() == [dataset["name"]]


def test_one_web_node_stopped_requests_are_still_served(cluster):
    scaleout = cluster.scaleout
    scaleout.stop_process(scaleout.node_name(scaleout.node_ports[1]))
    answers = [requests.get(f"{cluster.nginx}/dataset/", timeout=30).status_code
               for _ in range(6)]
    assert answers == [200] * 6
    with pytest.raises(requests.ConnectionError):
        requests.get(cluster.node(1), timeout=5)
