"""The demo as a newcomer gets it: `metropole up` with the demo (what
`make run` does) on a fresh data folder. One start, then everything the
README promises appears: the hand-made datasets (the internal one hidden
from the public), their DataStore tables, the sensor datasets harvested
from the sample servers with their charts, the dashboards, and a DCAT feed
with no SHACL violation."""

from __future__ import annotations

import csv
import html
import json
import re
import time
import urllib.parse
import urllib.request

import requests
from rdflib import Graph

from ckanext.metropole.charts.backfill import VIEW_TYPE
from ckanext.metropole.community.demo import DEMO_CALLS, DEMO_REQUESTS, DEMO_REUSES
from ckanext.metropole.dcat import shacl
from ckanext.metropole.demo.content import CONTENT_DIR, DEMO_DATASETS
from ckanext.metropole.notifications.demo import DEMO_FOLLOWER

from ..security.conftest import csrf_token

# The demo's harvests run right after its first start; a newcomer waits
# "about a minute" for the sensor datasets (README).
PATIENCE_SECONDS = 150


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=60) as response:
        return response.read()


def _action(site: str, action: str, **params) -> dict:
    query = urllib.parse.urlencode({k: json.dumps(v) if isinstance(v, (dict, list)) else v
                                    for k, v in params.items()})
    return json.loads(_get(f"{site}/api/3/action/{action}?{query}"))["result"]


def _charted(site: str) -> dict[str, int]:
    """Datasets the harvests published, with their number of chart views."""
    demo = {spec["name"] for spec in DEMO_DATASETS}
    found = {}
    for dataset in _action(site, "package_search", rows=1000)["results"]:
        if dataset["name"] in demo:
            continue
        found[dataset["name"]] = sum(
            view["view_type"] == VIEW_TYPE
            for resource in dataset["resources"]
            for view in _action(site, "resource_view_list", id=resource["id"]))
    return found


def test_the_demo_appears_as_a_newcomer_gets_it(instance):
    started = time.monotonic()
    up = instance.cli("up", "--detach", demo=True)
    assert up.returncode == 0, up.stdout + up.stderr + instance.supervisor_log()
    site = f"http://127.0.0.1:{instance.web_port}"

    charted: dict[str, int] = {}
    while time.monotonic() - started < PATIENCE_SECONDS:
        charted = _charted(site)
        if sum(count > 0 for count in charted.values()) >= 2:
            break
        time.sleep(3)
    assert sum(count > 0 for count in charted.values()) >= 2, (
        charted, instance.supervisor_log()[-3000:])

    # The hand-made datasets, as an anonymous visitor finds them.
    public = [spec for spec in DEMO_DATASETS if not spec.get("private")]
    names = {d["name"] for d in _action(site, "package_search", rows=1000,
                                        include_private=True)["results"]}
    assert {spec["name"] for spec in public} <= names
    assert not {spec["name"] for spec in DEMO_DATASETS if spec.get("private")} & names

    # Each file's rows are in its DataStore table.
    for spec in public:
        if not spec.get("file"):
            continue
        with (CONTENT_DIR / spec["file"]).open(encoding="utf-8") as handle:
            rows = sum(1 for _ in csv.DictReader(handle))
        (resource,) = _action(site, "package_show", id=spec["name"])["resources"]
        assert resource["datastore_active"], spec["name"]
        table = _action(site, "datastore_search", resource_id=resource["id"], limit=0)
        assert table["total"] == rows, spec["name"]
        # Its previews (a map when it has coordinates) and exports.
        with (CONTENT_DIR / spec["file"]).open(encoding="utf-8") as handle:
            located = {"latitude", "longitude"} <= set(next(csv.reader(handle)))
        views = {v["view_type"] for v in _action(site, "resource_view_list", id=resource["id"])}
        assert "datatables_view" in views, spec["name"]
        assert ("metropole_table_map" in views) == located, spec["name"]
        page = _get(f"{site}/dataset/{spec['name']}/resource/{resource['id']}")
        geojson = f"/datastore/export/{resource['id']}/geojson".encode()
        assert (geojson in page) == located, spec["name"]
        assert b"CSV pour Excel" in page, spec["name"]

    # The dashboards count the sensor datasets (a theme with none says so).
    dashboards = _get(f"{site}/tableaux-de-bord")
    assert b'class="metropole-fresh"' in dashboards or b'class="metropole-late"' in dashboards

    # The DCAT feed lists the demo and satisfies the DCAT-AP 3 shapes.
    graph = Graph().parse(data=_get(f"{site}/catalog.ttl"), format="turtle")
    listed = {str(o) for o in graph.objects(None, None)}
    assert any(spec["name"] in item for spec in public for item in listed)
    violations = shacl.violations_only(shacl.validate(graph))
    assert violations == [], [str(v) for v in violations[:10]]

    # Participation, from the home page: each list shows the demo's items.
    home = _get(site + "/").decode()
    for path, items in (("/reutilisations", DEMO_REUSES), ("/appels", DEMO_CALLS),
                        ("/demandes", DEMO_REQUESTS)):
        assert re.search(f'href="[^"]*{path}"', home), path
        listing = html.unescape(_get(site + path).decode())
        assert any(item["title"] in listing for item in items), path

    # The sysadmin's outbox keeps what the demo's follower was sent (no SMTP).
    admin = requests.Session()
    answer = admin.post(f"{site}/user/login", timeout=60, data={
        "login": "admin", "password": instance.env["METROPOLE_ADMIN_PASSWORD"],
        "_csrf_token": csrf_token(admin, f"{site}/user/login")})
    assert answer.ok and "/user/login" not in answer.url, answer.url
    outbox = admin.get(f"{site}/ckan-admin/boite-d-envoi", timeout=60)
    assert outbox.status_code == 200
    assert DEMO_FOLLOWER["email"] in outbox.text
