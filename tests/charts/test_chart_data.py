"""Charts and dashboards on aggregates published by the real sensor
harvester (sample SensorThings server → DataStore), read with the user's
permissions."""

from __future__ import annotations

import uuid

import pytest
from ckan.tests.helpers import call_action

from ckanext.metropole.charts import backfill, chart, dashboards, store

from ..harvesters.ckan_harvest import HARVESTERS, NEEDS_INDEX
from ..helpers import api
from . import sensors

pytestmark = [NEEDS_INDEX, HARVESTERS, pytest.mark.usefixtures("with_plugins")]

ANONYMOUS: dict = {"user": ""}


def test_harvested_aggregates_get_the_chart_view_by_default(harvested):
    noise = sensors.dataset("bruit")
    for period in ("hour", "day"):
        views = call_action("resource_view_list", id=sensors.table(noise, period)["id"])
        assert "metropole_timeseries" in [v["view_type"] for v in views]
    geojson = next(r for r in noise["resources"] if r["format"] == "GeoJSON")
    assert "metropole_timeseries" not in [
        v["view_type"] for v in call_action("resource_view_list", id=geojson["id"])]


def test_chart_has_one_named_series_per_sensor_for_both_periods(harvested):
    noise = sensors.dataset("bruit")
    built = chart.build(ANONYMOUS, noise, store.siblings(noise, sensors.table(noise, "hour")))
    assert set(built.periods) == {"hour", "day"}
    hourly = built.periods["hour"]
    assert sorted(s.name for s in hourly.series) == [
        "Sonomètre Cours Julien", "Sonomètre Cours Mirabeau", "Sonomètre La Joliette",
        "Sonomètre Vieux-Port"]
    assert hourly.measure == "laeq" and hourly.unit == "dB(A)"
    assert "dB(A)" in hourly.axis_title
    # 7 days window, but the history is 3 days: every hour since local midnight
    longest = max(len(s.x) for s in hourly.series)
    assert 48 < longest <= 4 * 24 + 1
    assert all(None not in s.y for s in hourly.series)   # no outage on these
    daily = built.periods["day"]
    assert all(1 <= len(s.x) <= 5 for s in daily.series)


def test_an_outage_is_a_gap_in_the_series(harvested):
    turbidity = sensors.dataset("turbidite")
    built = chart.build(ANONYMOUS, turbidity,
                        store.siblings(turbidity, sensors.table(turbidity, "hour")))
    [probe] = built.periods["hour"].series
    assert probe.name == "Sonde turbidité Arc Aix"
    gap = probe.y.index(None)
    # the null point sits between the last hour before the outage and the first after
    assert probe.y[gap - 1] is not None and probe.y[gap + 1] is not None
    before, after = probe.x[gap - 1][:13], probe.x[gap + 1][:13]
    assert before < probe.x[gap][:13] < after


def test_dashboard_figures_and_freshness_fit_the_measure(harvested):
    page = dashboards.build_theme(ANONYMOUS, "velo-pietons", now=harvested)
    by_title = {b.title: b for b in page.blocks}
    assert set(by_title) == {"Comptages vélo", "Comptages piétons"}
    walkers = {s.name: s for s in by_title["Comptages piétons"].sensors}
    # stopped 6 hours ago: late (hourly data may be 3 hours old at most)
    assert walkers["Compteur piétons République"].late
    assert not walkers["Compteur piétons Vieux-Port"].late
    assert [s.name for s in page.late] == ["Compteur piétons République"]
    kpis = dict(by_title["Comptages vélo"].kpis)
    assert kpis["Sensors"] == "3"
    assert "passages" in kpis["Passages per day and counter (7 days)"]
    points = page.map_points()
    assert len(points) == 5 and sum(p["late"] for p in points) == 1
    noise = dashboards.build_theme(ANONYMOUS, "bruit", now=harvested)
    [block] = noise.blocks
    assert block.figure_headers[0].startswith("LAeq day")
    assert all("dB(A)" in s.figures[0] for s in block.sensors)


def test_tables_harvested_before_the_plugin_get_their_chart_at_start(harvested):
    hourly = sensors.table(sensors.dataset("bruit"), "hour")
    [view] = [v for v in call_action("resource_view_list", id=hourly["id"])
              if v["view_type"] == "metropole_timeseries"]
    api("resource_view_delete", id=view["id"])
    assert backfill.ensure_views() == 1
    assert backfill.ensure_views() == 0   # already there: nothing to do at the next start


def test_an_orphan_in_the_index_costs_its_chart_not_the_start(harvested):
    """``ckan metropole init`` runs the backfill at every start: a dataset
    left in the search index but gone from the database (what
    ``search-index list-orphans`` reports) must not stop the portal."""
    from ckan import logic
    from ckan.lib import search

    hourly = sensors.table(sensors.dataset("bruit"), "hour")
    [view] = [v for v in call_action("resource_view_list", id=hourly["id"])
              if v["view_type"] == "metropole_timeseries"]
    api("resource_view_delete", id=view["id"])
    orphan_id = str(uuid.uuid4())
    both = logic.package_show_default_and_custom_schemas(
        {"ignore_auth": True}, sensors.dataset("turbidite")["id"])
    for shown in both:
        shown.update(id=orphan_id, name=f"orphelin-{orphan_id[:8]}")
        for resource in shown["resources"]:
            resource.update(id=str(uuid.uuid5(uuid.NAMESPACE_URL, resource["id"])),
                            package_id=orphan_id)
    logic.index_update_package_dicts(both)
    try:
        assert backfill.ensure_views() == 1   # the real table still gets its chart
    finally:
        search.index_for("Package").delete_package({"id": orphan_id})


def test_dashboard_and_chart_never_show_a_private_dataset_to_anonymous(harvested):
    bikes = sensors.dataset("comptage-velo")
    api("package_patch", id=bikes["id"], private=True, private_reason="Vérification en cours")
    page = dashboards.build_theme(ANONYMOUS, "velo-pietons", now=harvested)
    assert [b.title for b in page.blocks] == ["Comptages piétons"]
    bikes = sensors.dataset("comptage-velo")
    with pytest.raises(Exception, match="(?i)authori[sz]"):
        chart.build(ANONYMOUS, bikes, store.siblings(bikes, sensors.table(bikes, "hour")))
    cards = {c.slug: c for c in dashboards.index(ANONYMOUS)}
    assert cards["velo-pietons"].datasets == 1

