"""An anonymous reader searches the catalogue by text, narrows it with a
facet, then draws a box on the map: the URL carries ext_bbox and only the
datasets inside the box remain."""

from __future__ import annotations

import json
import uuid

import pytest

from ..helpers import AIX, api, dataset_fields
from .conftest import screenshot

pytestmark = pytest.mark.usefixtures("catalogue")

# Around the Vieux-Port, Marseille.
VIEUX_PORT = {"type": "Polygon", "coordinates": [[[5.365, 43.292], [5.378, 43.292],
                                                  [5.378, 43.298], [5.365, 43.298],
                                                  [5.365, 43.292]]]}


@pytest.fixture
def two_places():
    token = f"kiosque{uuid.uuid4().hex[:6]}"
    port = api("package_create", **dataset_fields(
        title=f"Kiosques du Vieux-Port {token}", spatial=json.dumps(VIEUX_PORT)))
    aix = api("package_create", **dataset_fields(
        title=f"Kiosques d'Aix-en-Provence {token}", communes=[AIX]))
    return token, port, aix


def results(page) -> list[str]:
    return page.locator("#search-results .dataset-heading a").all_inner_texts()


def screen_point(page, lon: float, lat: float) -> dict:
    """Where a place is in the page: ckanext-spatial's common map leaves the
    last map it made (the draw dialog's) in the global `map`."""
    return page.evaluate(
        """([lon, lat]) => {
             const point = map.latLngToContainerPoint([lat, lon]);
             const box = map.getContainer().getBoundingClientRect();
             return {x: box.left + point.x, y: box.top + point.y};
           }""", [lon, lat])


def test_search_by_text_facet_and_map_box(page, live_server, two_places):
    token, port, aix = two_places
    page.goto(f"{live_server}/dataset/")
    page.fill("#field-giant-search", token)
    page.press("#field-giant-search", "Enter")
    page.wait_for_url(f"**q={token}**")
    page.locator("#search-results .dataset-heading a").first.wait_for()
    assert sorted(results(page)) == sorted([port["title"], aix["title"]])
    # The results map draws both datasets' extents.
    page.locator(".metropole-results-map[data-map-ready]").wait_for()
    assert page.locator(".metropole-results-map path.leaflet-interactive").count() == 2
    screenshot(page, "search-01-text")

    # Facet: the commune of Aix.
    page.locator("nav[aria-label='Communes'] a:has-text('Aix-en-Provence'), "
                 "section:has(h2:has-text('Communes')) a:has-text('Aix-en-Provence')"
                 ).first.click()
    page.wait_for_url("**vocab_communes=13001**")
    page.wait_for_load_state("networkidle")
    assert results(page) == [aix["title"]]
    screenshot(page, "search-02-facet")

    # Map box: back to the text results, draw a rectangle around the Vieux-Port.
    page.goto(f"{live_server}/dataset/?q={token}")
    # The draw button is reachable from the keyboard.
    draw = page.get_by_role("button", name="Tracer une zone de recherche sur la carte")
    draw.focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Tracez la zone de recherche sur la carte, "
                                              "puis appliquez :")
    dialog.locator(".leaflet-container").wait_for()
    page.wait_for_timeout(300)  # the dialog's map settles on its bounds
    start = screen_point(page, 5.30, 43.25)
    end = screen_point(page, 5.45, 43.34)
    page.mouse.move(start["x"], start["y"])
    page.mouse.down()
    page.mouse.move((start["x"] + end["x"]) / 2, (start["y"] + end["y"]) / 2, steps=5)
    page.mouse.move(end["x"], end["y"], steps=5)
    page.mouse.up()
    apply = dialog.get_by_role("button", name="Appliquer")
    screenshot(page, "search-03-draw-box")
    apply.click()
    page.wait_for_url("**ext_bbox=**")
    page.locator("#search-results .dataset-heading a").first.wait_for()
    assert "ext_bbox=" in page.url
    assert results(page) == [port["title"]]
    screenshot(page, "search-04-map-box")
