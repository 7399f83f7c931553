"""FIWARE client against the sample Orion/QuantumLeap/NGSI-LD server."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from metropole_harvesters.pipeline.http import HarvestHTTPError
from metropole_harvesters.protocols import ngsi
from metropole_harvesters.sensors.model import Observations

from ..settings import NOW, START

FIXTURES = Path(__file__).parents[2] / "fixtures" / "sensors"
HOURLY = int((NOW.timestamp() - START.timestamp()) // 3600) + 1       # containers
QUARTERLY = int((NOW.timestamp() - START.timestamp()) // 900) + 1     # street lights


def _config(samples, **kw):
    return {"url": samples.url + "/ngsi", "quantumleap_url": samples.url + "/ngsi/ql",
            "entity_types": ["WasteContainer", "Streetlight"], "page_size": 2, **kw}


@pytest.mark.parametrize("flavour", ["v2", "ld"])
def test_entities_become_streams(samples, session, flavour):
    streams = {s.id.split(":")[-1]: s
               for s in ngsi.list_streams(session, _config(samples, flavour=flavour))}
    assert set(streams) == {"101/fillingLevel", "102/fillingLevel", "103/fillingLevel",
                            "31/powerState", "32/powerState"}
    fill = streams["101/fillingLevel"]
    assert (fill.phenomenon.key, fill.unit, fill.scale) == ("remplissage", "%", 100.0)
    assert (fill.lon, fill.lat) == (5.3838, 43.286)
    assert streams["31/powerState"].phenomenon.kind.value == "state"


@pytest.mark.parametrize("shape", ["current", "legacy"])
def test_quantumleap_series_both_shapes_paged(samples, session, shape):
    samples.fiware.ql_shape = shape
    samples.fiware.ql_max_limit = 25          # server caps the limit we ask for
    config = _config(samples, page_size_series=100)
    stream = next(s for s in ngsi.list_streams(session, config) if "101" in s.id)
    obs = ngsi.fetch_observations(session, stream, None, config)
    assert len(obs) == HOURLY
    assert obs.times[0] == "2026-03-26T23:00:00.000Z"
    assert all(0 <= v <= 1 for v in obs.values)


def test_quantumleap_naive_timestamps_are_utc(samples, session):
    samples.fiware.naive_times = True
    config = _config(samples)
    stream = next(s for s in ngsi.list_streams(session, config) if "101" in s.id)
    obs = ngsi.fetch_observations(session, stream,
                                  datetime(2026, 3, 30, 7, 0, tzinfo=timezone.utc), config)
    assert obs.times[0] == "2026-03-30T07:00:00.000000Z"
    assert len(obs) == 2


def test_quantumleap_empty_answer_is_no_data(samples, session):
    config = _config(samples)
    stream = next(s for s in ngsi.list_streams(session, config) if "101" in s.id)
    obs = ngsi.fetch_observations(session, stream, datetime(2030, 1, 1, tzinfo=timezone.utc),
                                  config)
    assert len(obs) == 0


def test_ngsi_ld_temporal_paged_with_206_and_next_page(samples, session):
    config = _config(samples, flavour="ld", page_size=50)
    stream = next(s for s in ngsi.list_streams(session, config) if "31/" in s.id)
    obs = ngsi.fetch_observations(session, stream, None, config)
    assert len(obs) == QUARTERLY
    assert set(obs.values) == {0.0, 1.0}
    assert any("pageAnchor=" in r for r in samples.requests)


def test_fiware_service_header_is_sent(samples, session):
    samples.fiware.service = "marseille"
    with pytest.raises(HarvestHTTPError, match="404"):
        ngsi.list_streams(session, _config(samples))
    streams = ngsi.list_streams(session, _config(samples, fiware_service="marseille"))
    assert len(streams) == 5


def test_quantumleap_error_body_is_reported(samples, session):
    config = _config(samples)
    stream = next(s for s in ngsi.list_streams(session, config) if "101" in s.id)
    body = json.loads((FIXTURES / "quantumleap_1.json").read_text())
    assert ngsi._ql_series(body)[0] == ("2018-10-29T14:27:26", 2000)
    samples.add_fault("/ql/", "status", status=500, times=None,
                      body={"error": "AmbiguousNGSIIdError", "description": "boom"})
    # The protocol's error code is shown, its free text only logged.
    with pytest.raises(HarvestHTTPError, match="500.*AmbiguousNGSIIdError") as raised:
        ngsi.fetch_observations(session, stream, None, config)
    assert "boom" not in str(raised.value)


def test_real_payload_shapes():
    current = json.loads((FIXTURES / "quantumleap_5_current.json").read_text())
    assert ngsi._ql_series(current)[2] == ("1970-01-03T00:00:00.00+00:00", 2)
    normalized = json.loads((FIXTURES / "ngsild_temporal_1.json").read_text())
    out = Observations(units=[])
    ngsi._ld_values(normalized["heartRate"], out)
    assert out.values[0] == 52.0 and out.units[0] == "5K"
    simplified = json.loads((FIXTURES / "ngsild_temporal_2.json").read_text())
    out = Observations(units=[])
    ngsi._ld_values(simplified["heartRate"], out)
    assert out.times[0] == "2021-09-16T10:59:58.790Z" and out.values == [52.0, 51.0, 50.0]
    container = json.loads((FIXTURES / "ngsi_5.json").read_text())
    streams = ngsi._entity_streams(container, {"url": "http://x"}, {})
    fill = next(s for s in streams if s.id.endswith("/fillingLevel"))
    assert (fill.unit, fill.scale) == ("%", 100.0)
