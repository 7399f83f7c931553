"""The ``sensorthings`` harvester end to end: sample server → CKAN datasets
and DataStore tables (issue 5: publishing, idempotence, faults)."""

from __future__ import annotations

import io
import json

import ckan.plugins.toolkit as toolkit
import pandas as pd
import pytest
from ckan.tests import factories
from ckan.tests.helpers import call_action

from .ckan_harvest import HARVESTERS, NEEDS_INDEX, communes, run_job

pytestmark = [NEEDS_INDEX, HARVESTERS,
              pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")]

CONFIG = {"history": "P400D", "lookback": "PT2H", "communes": ["13055"], "retries": 1,
          "schedule": "5 * * * *", "title": "capteurs de la métropole"}


def _source(url: str, config: dict | None = None, source_type: str = "sensorthings") -> dict:
    org = communes()
    return call_action("harvest_source_create", {"ignore_auth": True, "user": _sysadmin()},
                       name=f"{source_type}-demo", title="Capteurs démo", url=url,
                       source_type=source_type, owner_org=org["id"],
                       config=json.dumps({**CONFIG, **(config or {})}))


def _sysadmin() -> str:
    return factories.Sysadmin()["name"]


def _tables(package: dict) -> dict[str, list[dict]]:
    """Every DataStore table of a dataset, all rows in primary-key order."""
    out = {}
    for resource in package["resources"]:
        if resource.get("datastore_active"):
            result = call_action("datastore_search", resource_id=resource["id"], limit=100000,
                                 sort="stream, period_start")
            out[resource["name"]] = result["records"]
    return out


def _datasets(source_name: str) -> dict[str, dict]:
    found = call_action("package_search", q=f"name:{source_name}-*", rows=100,
                        include_private=True)["results"]
    return {p["name"]: call_action("package_show", id=p["id"]) for p in found}


def test_first_harvest_publishes_one_dataset_per_phenomenon(samples):
    source = _source(samples.url + "/sensorthings/v1.1")
    run = run_job(source["id"])
    assert run["gather_errors"] == []
    assert all(errors == [] for errors in run["object_errors"].values()), run["object_errors"]
    assert set(run["states"]) == {"bruit", "comptage-velo", "hauteur-eau", "eclairage-etat"}
    noise = call_action("package_show", id="sensorthings-demo-bruit")
    assert noise["title"] == "Niveau sonore — capteurs de la métropole"
    names = sorted(r["name"] for r in noise["resources"])
    assert names == ["Capteurs (GeoJSON)", "Niveau sonore — agrégats horaires",
                     "Niveau sonore — agrégats journaliers"]
    tables = _tables(noise)
    hourly = tables["Niveau sonore — agrégats horaires"]
    # 4 sonometers × 82 hours (27 March 00:00 → 30 March 10:00, 23-hour 29 March)
    assert len(hourly) == 4 * 82
    first = hourly[0]
    assert first["stream"] == "1" and first["unit"] == "dB(A)" and first["n"] == 4
    assert first["completeness"] == 1.0 and first["laeq"] is not None
    daily = {(r["stream"], r["period_start"][:10]): r
             for r in tables["Niveau sonore — agrégats journaliers"]}
    assert daily[("1", "2026-03-28")]["expected"] == 23 * 4   # 29 March local = 23 h
    assert daily[("1", "2026-03-28")]["n"] == 23 * 4
    # data dictionary with units
    info = call_action("datastore_info", id=noise["resources"][0]["id"])
    labels = {f["id"]: f.get("info", {}) for f in info["fields"]}
    assert "dB(A)" in labels["laeq"]["label"]


def test_metadata_fields(samples):
    source = _source(samples.url + "/sensorthings/v1.1")
    run_job(source["id"])
    from metropole_core.fields import field_of

    bikes = call_action("package_show", id="sensorthings-demo-comptage-velo")
    assert field_of(bikes, "themes") == ["velo-pietons"]
    assert field_of(bikes, "frequency").endswith("/frequency/HOURLY")
    assert field_of(bikes, "temporal_resolution") == "PT1H"
    assert field_of(bikes, "latest_observation") == "2026-03-30T08:00:00Z"
    coverage = field_of(bikes, "temporal_coverage")
    assert coverage[0]["start"].startswith("2026-03-26T23:00:00")
    assert json.loads(field_of(bikes, "spatial"))["type"] == "Polygon"
    assert field_of(bikes, "communes")
    assert bikes["license_id"] == "etalab-2.0"
    geojson = next(r for r in bikes["resources"] if r["format"] == "GeoJSON")
    assert geojson["url"].endswith("capteurs.geojson")


def test_same_harvest_twice_gives_byte_identical_datastore_content(samples):
    source = _source(samples.url + "/sensorthings/v1.1")
    run_job(source["id"])
    before = {name: _tables(p) for name, p in _datasets("sensorthings-demo").items()}
    modified = {name: p["metadata_modified"] for name, p in
                _datasets("sensorthings-demo").items()}
    second = run_job(source["id"])
    assert all(e == [] for e in second["object_errors"].values())
    after = {name: _tables(p) for name, p in _datasets("sensorthings-demo").items()}
    assert json.dumps(after, sort_keys=True).encode() == \
        json.dumps(before, sort_keys=True).encode()
    # nothing changed, so no metadata update either
    assert {n: p["metadata_modified"] for n, p in _datasets("sensorthings-demo").items()} \
        == modified


def test_incremental_run_updates_only_new_periods(samples):
    from datetime import timedelta

    source = _source(samples.url + "/sensorthings/v1.1")
    run_job(source["id"])
    samples.sta.clock.set(samples.sta.clock.fixed + timedelta(hours=2))
    samples.requests.clear()
    run_job(source["id"])
    filters = [r for r in samples.requests if "Datastreams(1)/Observations" in r]
    assert len(filters) == 1 and "2026-03-29T22" in filters[0]   # from local midnight
    hourly = _tables(call_action("package_show", id="sensorthings-demo-bruit"))[
        "Niveau sonore — agrégats horaires"]
    assert len(hourly) == 4 * 84
    assert len({(r["stream"], r["period_start"]) for r in hourly}) == len(hourly)


def test_csv_dump_opens_in_pandas(samples, app):
    source = _source(samples.url + "/sensorthings/v1.1")
    run_job(source["id"])
    bikes = call_action("package_show", id="sensorthings-demo-comptage-velo")
    table = next(r for r in bikes["resources"] if r["name"].endswith("journaliers"))
    response = app.get(f"/datastore/dump/{table['id']}")
    frame = pd.read_csv(io.StringIO(response.get_data(as_text=True)))
    assert {"stream", "period_start", "sum", "completeness"} <= set(frame.columns)
    assert len(frame) == 3 * 4


def test_fault_in_one_stream_keeps_its_published_rows_and_next_run_recovers(samples):
    source = _source(samples.url + "/sensorthings/v1.1")
    run_job(source["id"])
    noise = call_action("package_show", id="sensorthings-demo-bruit")
    before = _tables(noise)
    from datetime import timedelta

    samples.sta.clock.set(samples.sta.clock.fixed + timedelta(hours=1))
    samples.add_fault("Datastreams(2)/Observations", "truncate", times=None)
    failed = run_job(source["id"])
    errors = failed["object_errors"]["bruit"]
    assert len(errors) == 1 and "2 (Sonomètre Cours Julien)" in errors[0]
    assert "truncated JSON" in errors[0]
    after = _tables(call_action("package_show", id="sensorthings-demo-bruit"))
    hourly_before = [r for r in before["Niveau sonore — agrégats horaires"] if r["stream"] == "2"]
    hourly_after = [r for r in after["Niveau sonore — agrégats horaires"] if r["stream"] == "2"]
    assert hourly_after == hourly_before           # stream 2 untouched
    samples.clear_faults()
    recovered = run_job(source["id"])
    assert recovered["object_errors"]["bruit"] == []
    final = _tables(call_action("package_show", id="sensorthings-demo-bruit"))
    assert len([r for r in final["Niveau sonore — agrégats horaires"] if r["stream"] == "2"]) \
        == 83


def test_source_down_is_a_gather_error_and_data_stays(samples):
    source = _source(samples.url + "/sensorthings/v1.1")
    run_job(source["id"])
    before = _tables(call_action("package_show", id="sensorthings-demo-bruit"))
    samples.add_fault("/Datastreams?", "status", status=503, times=None)
    run = run_job(source["id"])
    assert run["gather_errors"] and "503" in run["gather_errors"][0]
    assert _tables(call_action("package_show", id="sensorthings-demo-bruit")) == before


def test_disappearing_datastream_is_reported_and_its_data_kept(samples):
    source = _source(samples.url + "/sensorthings/v1.1")
    run_job(source["id"])
    samples.sta.removed = {3}
    run = run_job(source["id"])
    assert any("3: no longer served" in e for e in run["object_errors"]["bruit"])
    hourly = _tables(call_action("package_show", id="sensorthings-demo-bruit"))[
        "Niveau sonore — agrégats horaires"]
    assert len([r for r in hourly if r["stream"] == "3"]) == 82


def test_unit_change_is_flagged_not_mixed(samples):
    source = _source(samples.url + "/sensorthings/v1.1")
    run_job(source["id"])
    samples.sta.unit_change = {21: ("pied", "ft", 3.28084)}   # not convertible by us
    run = run_job(source["id"])
    errors = run["object_errors"]["hauteur-eau"]
    assert any("unit changed from 'm' to 'ft'" in e for e in errors)
    hourly = _tables(call_action("package_show", id="sensorthings-demo-hauteur-eau"))[
        "Hauteur d'eau — agrégats horaires"]
    assert {r["unit"] for r in hourly if r["stream"] == "21"} == {"m"}
    assert {r["unit"] for r in hourly if r["stream"] == "21 [ft]"} == {"ft"}


def test_unit_change_with_known_conversion_is_converted(samples):
    source = _source(samples.url + "/sensorthings/v1.1")
    run_job(source["id"])
    before = {r["period_start"]: r for r in _tables(call_action(
        "package_show", id="sensorthings-demo-hauteur-eau"))["Hauteur d'eau — agrégats horaires"]
        if r["stream"] == "22"}
    samples.sta.unit_change = {22: ("centimètre", "cm", 100.0)}
    run_job(source["id"])
    after = {r["period_start"]: r for r in _tables(call_action(
        "package_show", id="sensorthings-demo-hauteur-eau"))["Hauteur d'eau — agrégats horaires"]
        if r["stream"] == "22"}
    assert after == before     # same metres, whatever unit the server now speaks


def test_invalid_config_is_refused_with_clear_messages(samples):
    with pytest.raises(toolkit.ValidationError) as error:
        _source(samples.url + "/sensorthings/v1.1",
                {"schedule": "every hour", "periods": ["week"], "license_id": "nope"})
    message = str(error.value)
    assert "schedule" in message and "cron" in message
    assert "periods" in message and "license_id" in message
