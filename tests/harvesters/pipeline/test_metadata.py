"""Schema fields as top-level keys (scheming) or extras (without), one place."""

from __future__ import annotations

import json

from metropole_harvesters.pipeline import metadata
from metropole_harvesters.sensors import dataset
from metropole_harvesters.sensors.model import Stream
from metropole_harvesters.sensors.units import PHENOMENA

FIELDS = {"name": "x", "title": "X", "themes": ["bruit"], "communes": ["13055"],
          "frequency": metadata.frequency_uri(("hour", "day")),
          "temporal_coverage": [{"start": "2026-03-27T00:00:00Z", "end": "2026-03-30T08:00:00Z"}]}


def test_with_scheming_fields_are_top_level():
    assert metadata.to_package_fields(FIELDS, scheming=True) == FIELDS


def test_without_scheming_fields_become_extras_and_read_back():
    package = metadata.to_package_fields(FIELDS, scheming=False)
    assert set(package) == {"name", "title", "extras"}
    for key in ("themes", "communes", "frequency", "temporal_coverage"):
        assert metadata.field_of(package, key) == FIELDS[key]
    assert FIELDS["frequency"].endswith("/frequency/HOURLY")


def test_communes_fall_back_to_configured_ones():
    assert metadata.communes_for([(None, None)], ["13055"]) == ["13055"]


def test_grouping_extent_and_geojson():
    streams = [Stream(id=str(i), name=f"n{i}", phenomenon=PHENOMENA["bruit"], unit="dB(A)",
                      source_unit="dB", site=site, lon=lon, lat=lat)
               for i, (site, lon, lat) in enumerate([("Vieux-Port", 5.37, 43.29),
                                                     ("Cours Mirabeau (Aix)", 5.45, 43.53)])]
    assert dataset.group_key(streams[0], "phenomenon") == "bruit"
    assert dataset.group_key(streams[1], "site") == "site-cours-mirabeau-aix"
    extent = json.loads(dataset.extent(streams))
    assert extent["type"] == "Polygon" and extent["coordinates"][0][0] == [5.37, 43.29]
    features = json.loads(dataset.sensors_geojson(streams))["features"]
    assert [f["geometry"]["coordinates"] for f in features] == [[5.37, 43.29], [5.45, 43.53]]
    fields = {f["id"]: f for f in dataset.table_fields(PHENOMENA["bruit"], "dB(A)")}
    assert "energetic" not in fields["laeq"]["info"]["notes"]
    assert "Unité : dB(A)" in fields["laeq"]["info"]["notes"]
