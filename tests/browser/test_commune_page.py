"""A commune's page shows its outline on a map, its key facts and its
datasets, then the metropole's datasets covering it."""

from __future__ import annotations

import uuid

import pytest

from ckanext.metropole.communes import loader

from ..helpers import AMP, MARSEILLE, api, dataset_fields, org_name
from .conftest import screenshot

pytestmark = pytest.mark.usefixtures("catalogue")


def test_commune_page_shows_shape_facts_and_datasets(page, live_server):
    # The test database keeps the datasets of earlier runs: unique titles.
    token = uuid.uuid4().hex[:6]
    own = api("package_create", **dataset_fields(title=f"Bancs publics de Marseille {token}"))
    wide = api("package_create", **dataset_fields(
        title=f"Qualité de l'air — toute la métropole {token}",
        owner_org=loader.existing_by("siren")[AMP].name, communes=["metropole"]))
    page.goto(f"{live_server}/organization/{org_name(MARSEILLE)}")
    facts = page.locator(".metropole-commune")
    assert "13055" in facts.inner_text() and "habitants" in facts.inner_text()
    assert facts.get_by_role("link", name="Métropole d'Aix-Marseille-Provence").is_visible()
    # The outline is drawn (an SVG path in the map), tiles or not.
    outline = page.locator(".metropole-commune-map[data-map-ready] path.leaflet-interactive")
    outline.first.wait_for()
    assert page.get_by_role("region", name="Contour de Marseille").is_visible()
    assert page.locator(f"#search-results a:has-text('{own['title']}')").count() == 1
    covering = page.locator(".metropole-commune-covering")
    assert covering.locator(f"a:has-text(\"{wide['title']}\")").count() == 1
    screenshot(page, "commune-01-marseille")
