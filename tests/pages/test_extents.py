"""Extents drawn on the search results map, and the map search widget."""

from __future__ import annotations

import json

import pytest

from metropole_core import commune_registry as registry

from ..helpers import MARSEILLE, api, dataset_fields

pytestmark = pytest.mark.usefixtures("catalogue")

POINT_BOX = {"type": "Polygon", "coordinates": [[[5.36, 43.29], [5.38, 43.29], [5.38, 43.30],
                                                 [5.36, 43.30], [5.36, 43.29]]]}


def test_results_features_are_the_datasets_boxes():
    from ckanext.metropole.pages.extents import results_features

    by_commune = dataset_fields(communes=[MARSEILLE])
    own = dataset_fields(spatial=json.dumps(POINT_BOX), title="Bancs du Vieux-Port")
    features = results_features([by_commune, own, dataset_fields(communes=[])])["features"]
    assert len(features) == 2
    marseille = registry.communes()[MARSEILLE].shape.bounds
    ring = features[0]["geometry"]["coordinates"][0]
    assert (min(x for x, _ in ring), min(y for _, y in ring),
            max(x for x, _ in ring), max(y for _, y in ring)) == pytest.approx(marseille)
    assert features[1]["properties"]["title"] == "Bancs du Vieux-Port"
    assert features[1]["properties"]["url"].endswith(f"/dataset/{own['name']}")


def test_search_page_has_map_search_and_results_map_in_french(app):
    api("package_create", **dataset_fields())
    html = app.get("/dataset/").get_data(as_text=True)
    assert 'data-module="spatial-query"' in html
    assert "Filtrer par zone géographique" in html
    assert "Tracer une zone de recherche sur la carte" in html  # draw button label
    assert 'data-module="metropole-extent-map"' in html
    # The widget opens on the metropole, not on the whole world.
    assert 'data-default_extent="[[43.' in html
