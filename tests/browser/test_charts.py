"""Sensor charts and dashboards in a real browser: a visitor opens a sensor
dataset and its chart (series drawn, gaps as gaps, switch to days with the
keyboard), then the dashboards from the site navigation. Data come from
the real sensor harvester (tests/charts/sensors.py). Each page is checked
with axe-core: no serious or critical violation."""

from __future__ import annotations

import pytest

from ..charts import sensors
from ..harvesters.ckan_harvest import HARVESTERS, NEEDS_INDEX
from .conftest import screenshot

pytestmark = [NEEDS_INDEX, HARVESTERS]


@pytest.fixture(scope="module")
def harvested(reset_db, reset_index):
    return sensors.prepare(reset_db, reset_index)


def serious_violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [f"{v['id']}: {v['help']} ({len(v['nodes'])})"
            for v in results.response["violations"] if v["impact"] in ("serious", "critical")]


def test_sensor_dataset_chart_draws_each_sensor_and_switches_to_days(harvested, page,
                                                                      live_server):
    page.goto(f"{live_server}/dataset/{sensors.SOURCE}-bruit")
    # The dataset page itself shows the map of its extent and the chart.
    page.wait_for_selector(".metropole-dataset-chart .metropole-chart[data-drawn=hour]")
    on_dataset = page.locator(".metropole-dataset-chart .metropole-chart")
    assert on_dataset.locator(".scatterlayer .trace").count() == 4
    assert page.locator(".metropole-communes .leaflet-container").is_visible()
    screenshot(page, "charts-01-dataset")
    page.click("a:has-text('Niveau sonore — agrégats horaires')")
    page.wait_for_selector(".metropole-chart[data-drawn=hour]")
    chart = page.locator(".metropole-chart")
    assert chart.locator(".scatterlayer .trace").count() == 4
    assert "dB(A)" in chart.locator(".ytitle").text_content()
    assert chart.locator("legend").inner_text() == "Pas de temps"
    hourly_table = chart.locator("[data-period-table=hour]")
    assert hourly_table.is_visible() and "Sonomètre Vieux-Port" in hourly_table.inner_text()
    screenshot(page, "charts-02-hourly")
    assert serious_violations(page) == []

    # keyboard: focus the checked radio, arrow to the next one
    chart.locator("input[value=hour]").focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_selector(".metropole-chart[data-drawn=day]")
    assert chart.locator("input[value=day]").is_checked()
    assert chart.locator("[data-period-table=day]").is_visible()
    assert not hourly_table.is_visible()
    assert "jour" in chart.locator("figcaption").inner_text()
    screenshot(page, "charts-03-daily")


def test_an_outage_breaks_the_line(harvested, page, live_server):
    page.goto(f"{live_server}/dataset/{sensors.SOURCE}-turbidite")
    page.click("a:has-text('agrégats horaires')")
    page.wait_for_selector(".metropole-chart[data-drawn=hour]")
    trace = page.locator(".metropole-chart .scatterlayer .trace").first
    # Plotly ends the line at each null point: two pieces of line around the outage.
    assert trace.locator("path.js-line").count() == 2
    screenshot(page, "charts-04-gap")


def test_dashboards_render_with_data(harvested, page, live_server):
    page.goto(f"{live_server}/")
    page.click("header a:has-text('Tableaux de bord')")
    page.wait_for_load_state("networkidle")
    cards = page.locator(".metropole-dashboard-cards > li")
    assert cards.count() == 5
    assert "3 capteurs" in cards.filter(has_text="Bruit").inner_text() or \
        "4 capteurs" in cards.filter(has_text="Bruit").inner_text()
    screenshot(page, "charts-05-dashboards")
    assert serious_violations(page) == []

    page.click("a:has-text('Comptages vélos et piétons')")
    page.wait_for_selector(".metropole-sensor-map[data-markers='5']")
    page.wait_for_selector("#block-1 ~ .metropole-chart[data-drawn=hour], "
                           ".metropole-chart[data-drawn=hour]")
    assert page.locator(".metropole-chart[data-drawn=hour]").count() == 2
    body = page.locator(".metropole-dashboard").inner_text()
    assert "Compteur piétons République" in body and "En retard" in body
    assert "passages" in body
    screenshot(page, "charts-06-dashboard-bikes")
    assert serious_violations(page) == []

    page.goto(f"{live_server}/tableaux-de-bord/bruit")
    page.wait_for_selector(".metropole-chart[data-drawn=hour]")
    assert "LAeq nuit" in page.locator(".metropole-dashboard").inner_text()
    screenshot(page, "charts-07-dashboard-noise")
