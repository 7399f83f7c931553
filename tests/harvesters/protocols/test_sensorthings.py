"""SensorThings client against the sample FROST-like server: paging traps,
faults, result shapes (each against real HTTP on loopback)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from metropole_harvesters.pipeline.http import HarvestHTTPError, HttpSettings, make_session
from metropole_harvesters.protocols import sensorthings as sta

from ..settings import NOW, START

FIXTURES = Path(__file__).parents[2] / "fixtures" / "sensors"
# 27 March 00:00 → 30 March 10:07 local, every 15 min: 23+24+24+... observations.
EXPECTED = int((NOW.timestamp() - START.timestamp()) // 900) + 1   # 325 (DST: 81 h)


def _streams(samples, session, **kw):
    return {s.id: s for s in sta.list_streams(session, samples.url + "/sensorthings", **kw)}


def test_datastreams_become_streams_with_phenomenon_unit_location(samples, session):
    streams = _streams(samples, session, page_size=4)   # three pages of Datastreams
    assert len(streams) == 11
    noise, bikes, water, light = streams["1"], streams["11"], streams["21"], streams["31"]
    assert (noise.phenomenon.key, noise.unit, noise.phenomenon.kind.value) == (
        "bruit", "dB(A)", "sound")
    assert (bikes.phenomenon.key, bikes.unit) == ("comptage-velo", "1")  # symbol null
    assert (water.phenomenon.key, water.unit) == ("hauteur-eau", "m")
    assert light.phenomenon.kind.value == "state"
    assert (noise.lon, noise.lat) == (5.3698, 43.2951)
    assert noise.interval_s == 900
    assert noise.url.endswith("/sensorthings/v1.1/Datastreams(1)/Observations")


def test_ids_and_filter_select_datastreams(samples, session):
    assert list(_streams(samples, session, ids=[21, 22])) == ["21", "22"]


def test_all_observations_with_page_cap_and_next_links(samples, session):
    samples.sta.max_top = 100                    # server caps $top=1000 to 100
    stream = _streams(samples, session)["21"]
    obs = sta.fetch_observations(session, stream, None, page_size=1000)
    assert len(obs) == EXPECTED
    assert obs.times[0] == "2026-03-26T23:00:00.000Z"
    pages = [r for r in samples.requests if "Datastreams(21)/Observations" in r]
    assert len(pages) == -(-EXPECTED // 100)


@pytest.mark.parametrize("mode", ["relative", "absolute", "missing"])
def test_next_link_relative_absolute_or_missing(samples, session, mode):
    samples.sta.next_link = mode
    stream = _streams(samples, session)["1"]
    obs = sta.fetch_observations(session, stream, None, page_size=50)
    assert len(obs) == EXPECTED
    assert len(set(obs.times)) == EXPECTED


def test_since_filters_on_phenomenon_time(samples, session):
    from datetime import datetime, timezone

    stream = _streams(samples, session)["1"]
    obs = sta.fetch_observations(session, stream,
                                 datetime(2026, 3, 30, 6, 0, tzinfo=timezone.utc), 1000)
    assert obs.times[0] == "2026-03-30T06:00:00.000Z"
    assert len(obs) == 9   # 06:00 … 08:00 UTC (now is 08:07 UTC)


def test_results_as_strings_null_and_on_off(samples, session):
    samples.sta.string_results = {11}
    samples.sta.null_every = 10
    streams = _streams(samples, session)
    bikes = sta.fetch_observations(session, streams["11"], None, 1000)
    assert all(v is None or isinstance(v, float) for v in bikes.values)
    assert bikes.rejected == EXPECTED // 10
    light = sta.fetch_observations(session, streams["31"], None, 1000)
    assert set(light.values) <= {0.0, 1.0, None}


def test_429_with_retry_after_is_retried(samples, session):
    stream = _streams(samples, session)["1"]
    samples.add_fault("Datastreams(1)/Observations", "status", status=429, retry_after="1",
                      times=1)
    started = time.monotonic()
    obs = sta.fetch_observations(session, stream, None, 1000)
    assert len(obs) == EXPECTED
    assert time.monotonic() - started >= 0.9          # waited as asked


def test_retry_after_is_capped(samples):
    settings = HttpSettings(retries=1, backoff_factor=0, max_retry_after=0.2)
    with make_session(settings) as session:
        stream = _streams(samples, session)["1"]
        samples.add_fault("Datastreams(1)/Observations", "status", status=503,
                          retry_after="3600", times=1)
        started = time.monotonic()
        assert len(sta.fetch_observations(session, stream, None, 1000)) == EXPECTED
        assert time.monotonic() - started < 5


def test_persistent_503_gives_up_with_status_and_host_not_the_servers_text(samples, session):
    stream = _streams(samples, session)["1"]
    samples.add_fault("Datastreams(1)/Observations", "status", status=503, times=None)
    with pytest.raises(HarvestHTTPError, match="HTTP 503 .*from 127.0.0.1") as raised:
        sta.fetch_observations(session, stream, None, 1000)
    # The remote body is logged, never repeated in the job report.
    assert "injected fault" not in str(raised.value)
    # bounded: the first try and two retries
    assert len([r for r in samples.requests if "Datastreams(1)/Obs" in r]) == 3


def test_one_500_then_success(samples, session):
    stream = _streams(samples, session)["1"]
    samples.add_fault("Datastreams(1)/Observations", "status", status=500, times=1)
    assert len(sta.fetch_observations(session, stream, None, 1000)) == EXPECTED


def test_truncated_json_is_an_error(samples, session):
    stream = _streams(samples, session)["1"]
    samples.add_fault("Datastreams(1)/Observations", "truncate", times=None)
    with pytest.raises(HarvestHTTPError, match="truncated JSON"):
        sta.fetch_observations(session, stream, None, 1000)


def test_html_error_page_with_200_is_an_error(samples, session):
    stream = _streams(samples, session)["1"]
    samples.add_fault("Datastreams(1)/Observations", "html", status=200, times=None)
    with pytest.raises(HarvestHTTPError, match="HTML page"):
        sta.fetch_observations(session, stream, None, 1000)


def test_timeout_then_recovery(samples):
    settings = HttpSettings(read_timeout=0.3, retries=1, backoff_factor=0)
    with make_session(settings) as session:
        stream = _streams(samples, session)["1"]
        samples.add_fault("Datastreams(1)/Observations", "delay", delay=1.0, times=1)
        assert len(sta.fetch_observations(session, stream, None, 1000)) == EXPECTED
        samples.add_fault("Datastreams(1)/Observations", "delay", delay=1.0, times=None)
        with pytest.raises(HarvestHTTPError, match="timeout|retries"):
            sta.fetch_observations(session, stream, None, 1000)


def test_source_down(session):
    with pytest.raises(HarvestHTTPError, match="cannot connect"):
        sta.list_streams(session, "http://127.0.0.1:9/sensorthings")


def test_disappearing_datastream_is_a_404(samples, session):
    stream = _streams(samples, session)["1"]
    samples.sta.removed = {1}
    with pytest.raises(HarvestHTTPError, match="HTTP 404") as raised:
        sta.fetch_observations(session, stream, None, 1000)
    assert "Nothing found" not in str(raised.value)
    assert "1" not in _streams(samples, session)


def test_error_message_from_real_frost_error_shape():
    body = json.loads((FIXTURES / "sta_5_error.json").read_text())
    import requests

    response = requests.Response()
    response._content = json.dumps(body).encode()
    response.headers["Content-Type"] = "application/json"
    from metropole_harvesters.pipeline.http import error_message

    assert error_message(response) == body["message"][:300]


def test_real_hamburg_and_bgs_datastreams_parse():
    thing = json.loads((FIXTURES / "sta_1.json").read_text())
    for ds in thing["Datastreams"]:
        ds = {**ds, "Thing": {**thing, "Locations": thing.get("Locations", [])}}
        stream = sta.to_stream("https://iot.hamburg.de/v1.1", ds)
        assert stream.phenomenon.key == "comptage-velo"
        assert stream.unit == "1"
        assert stream.lon == pytest.approx(9.978648204)        # from observedArea
        assert stream.interval_s == 300                        # layerName "_5-Min"
    page = json.loads((FIXTURES / "sta_3.json").read_text())   # BGS, a bare list
    streams = [sta.to_stream("https://sensors.bgs.ac.uk/FROST-Server/v1.1", ds)
               for ds in page]
    assert streams[0].phenomenon.key == "hauteur-eau" and streams[0].unit == "m"


def test_duplicated_and_out_of_order_observations_aggregate_like_clean_ones(samples, session):
    from metropole_harvesters.sensors.collect import collect

    stream = _streams(samples, session)["1"]
    fetch = lambda s, since: sta.fetch_observations(session, s, since, 100)  # noqa: E731
    clean = collect([stream], {}, fetch)
    samples.sta.messy = {1}          # each page reversed, its first item sent twice
    messy = collect([stream], {}, fetch)
    assert len(sta.fetch_observations(session, stream, None, 100)) > EXPECTED
    for key, table in clean.tables.items():
        assert messy.tables[key].equals(table)
