"""A commune's page: its outline, key facts and the datasets of other
producers that cover it, never private ones to those who may not see them."""

from __future__ import annotations

import html as html_lib
import re
import uuid

import pytest

from ckanext.metropole.communes import loader

from ..helpers import AIX, AMP, MARSEILLE, api, dataset_fields, org_name

pytestmark = pytest.mark.usefixtures("catalogue")


def metropole_org() -> str:
    return loader.existing_by("siren")[AMP].name


def test_the_commune_page_shows_facts_outline_and_covering_datasets(app, admin_with_token):
    epci = metropole_org()
    token = uuid.uuid4().hex[:6]  # the test database keeps earlier runs' datasets
    wide = api("package_create", **dataset_fields(
        title=f"Collecte des déchets — toute la métropole {token}", owner_org=epci,
        communes=["metropole"]))
    for_marseille = api("package_create", **dataset_fields(
        title=f"Bruit routier de Marseille (métropole) {token}", owner_org=epci,
        communes=[MARSEILLE]))
    for_aix = api("package_create", **dataset_fields(
        title=f"Marchés forains à Aix (métropole) {token}", owner_org=epci, communes=[AIX]))
    hidden = api("package_create", **dataset_fields(
        title=f"Capteurs internes de Marseille {token}", owner_org=epci, communes=[MARSEILLE],
        private=True, access_level="internal", license_id="partner-convention"))

    html = app.get(f"/organization/{org_name(MARSEILLE)}").get_data(as_text=True)
    assert "Code INSEE" in html and "13055" in html
    assert "habitants" in html
    assert f'href="/organization/{epci}"' in html
    assert 'data-module="metropole-extent-map"' in html and "Polygon" in html
    assert "Autres jeux de données couvrant Marseille" in html
    assert wide["title"] in html and for_marseille["title"] in html
    assert for_aix["title"] not in html
    assert hidden["title"] not in html
    # Map search on organisation pages too.
    assert 'data-module="spatial-query"' in html
    # "All datasets about Marseille" finds the whole-metropole ones too.
    link = re.search(r'<a href="([^"]+)">Tous les jeux de données sur Marseille', html)
    listed = app.get(html_lib.unescape(link.group(1))).get_data(as_text=True)
    assert wide["title"] in listed and for_marseille["title"] in listed
    assert for_aix["title"] not in listed

    as_admin = app.get(f"/organization/{org_name(MARSEILLE)}",
                       headers={"Authorization": admin_with_token["token"]}).get_data(as_text=True)
    assert hidden["title"] in as_admin


def test_a_non_commune_organisation_keeps_the_stock_page(app):
    html = app.get(f"/organization/{metropole_org()}").get_data(as_text=True)
    assert "Code INSEE" not in html and "Autres jeux de données couvrant" not in html
