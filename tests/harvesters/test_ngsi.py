"""The ``ngsi`` harvester and the demo sources end to end (issue 5,
acceptance 2: DataStore tables answer datastore_search, CSV opens in pandas)."""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest
from ckan.tests import factories
from ckan.tests.helpers import call_action

from metropole_harvesters.demo import ensure_demo_sources

from .ckan_harvest import HARVESTERS, NEEDS_INDEX, communes, run_job

pytestmark = [NEEDS_INDEX, HARVESTERS,
              pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")]


def _demo(samples) -> dict[str, str]:
    org = communes()
    context = {"ignore_auth": True, "user": factories.Sysadmin()["name"]}
    ensure_demo_sources(context, samples.url, org["id"])
    assert ensure_demo_sources(context, samples.url, org["id"]) == []   # idempotent
    sources = {}
    for name in ("capteurs-metropole-sensorthings", "capteurs-metropole-fiware"):
        source = call_action("harvest_source_show", id=name)
        config = json.loads(source["config"])
        config.update(history="P400D", retries=1)   # the test clock is in March 2026
        call_action("harvest_source_patch", context, id=source["id"],
                    config=json.dumps(config))
        sources[name] = source["id"]
    return sources


def test_demo_fiware_source_publishes_containers_and_lights(samples, app):
    sources = _demo(samples)
    run = run_job(sources["capteurs-metropole-fiware"])
    assert run["gather_errors"] == []
    assert run["object_errors"] == {"remplissage": [], "eclairage-etat": []}
    fill = call_action("package_show", id="capteurs-metropole-fiware-remplissage")
    table = next(r for r in fill["resources"] if r["name"].endswith("horaires"))
    rows = call_action("datastore_search", resource_id=table["id"], limit=1000,
                       sort="stream, period_start")["records"]
    assert {r["unit"] for r in rows} == {"%"}
    assert all(0 <= r["max"] <= 100 for r in rows) and max(r["max"] for r in rows) > 1
    csv = app.get(f"/datastore/dump/{table['id']}").get_data(as_text=True)
    frame = pd.read_csv(io.StringIO(csv))
    assert len(frame) == len(rows) and "p95" in frame.columns
    lights = call_action("package_show", id="capteurs-metropole-fiware-eclairage-etat")
    daily = next(r for r in lights["resources"] if r["name"].endswith("journaliers"))
    days = call_action("datastore_search", resource_id=daily["id"])["records"]
    # on from 18:30 to 07:00 local: 12.5 h of 24 on a full day
    full = [d for d in days if d["n"] == 96]
    assert full and all(d["share_on"] == pytest.approx(12.5 / 24, abs=0.02) for d in full)


def test_demo_sensorthings_source_runs(samples):
    sources = _demo(samples)
    run = run_job(sources["capteurs-metropole-sensorthings"])
    assert all(e == [] for e in run["object_errors"].values())
    assert set(run["states"].values()) == {"COMPLETE"}


def test_ngsi_ld_flavour(samples):
    org = communes()
    user = factories.Sysadmin()["name"]
    source = call_action("harvest_source_create", {"ignore_auth": True, "user": user},
                         name="ld", title="LD", url=samples.url + "/ngsi", source_type="ngsi",
                         owner_org=org["id"],
                         config=json.dumps({"flavour": "ld", "history": "P400D",
                                            "entity_types": ["Streetlight"],
                                            "communes": ["13055"], "page_size": 200}))
    run = run_job(source["id"])
    assert run["object_errors"] == {"eclairage-etat": []}


def test_quantumleap_down_keeps_data_and_reports_per_stream(samples):
    sources = _demo(samples)
    run_job(sources["capteurs-metropole-fiware"])
    fill = call_action("package_show", id="capteurs-metropole-fiware-remplissage")
    table = next(r for r in fill["resources"] if r["name"].endswith("horaires"))
    before = call_action("datastore_search", resource_id=table["id"], limit=1000)["records"]
    samples.add_fault("/ngsi/ql/", "status", status=500, times=None,
                      body=b"Internal Server Error")
    run = run_job(sources["capteurs-metropole-fiware"])
    assert len(run["object_errors"]["remplissage"]) == 3
    assert "500" in run["object_errors"]["remplissage"][0]
    after = call_action("datastore_search", resource_id=table["id"], limit=1000)["records"]
    assert after == before
