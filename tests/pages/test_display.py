"""Catalogue values in words on the dataset page: durations and periods."""

from __future__ import annotations

import re

import pytest

from ..helpers import api, dataset_fields

pytestmark = pytest.mark.usefixtures("catalogue")


def test_resolution_and_coverage_read_as_words(app):
    dataset = api("package_create", **dataset_fields(
        temporal_resolution="PT1H",
        temporal_coverage=[{"start": "2026-11-08", "end": "2026-11-22"}]))
    html = app.get(f"/dataset/{dataset['name']}").get_data(as_text=True)
    assert '<span title="PT1H">1 heure</span>' in html
    assert "Du 8 novembre 2026 au 22 novembre 2026" in html
    assert "Couverture temporelle 1" not in html


@pytest.mark.parametrize("code,words", [
    ("P1D", "1 jour"), ("PT15M", "15 minutes"), ("P1Y2M", "1 an, 2 mois"), ("soon", "soon")])
def test_durations_in_french(app, code, words):
    from ckanext.metropole.pages.display import duration_label

    with app.flask_app.test_request_context("/"):
        assert duration_label(code) == words


def test_resource_page_lists_reuser_facts_in_words_not_raw_keys(app):
    dataset = api("package_create", **dataset_fields(resources=[{
        "url": "https://example.org/comptages.csv", "format": "CSV", "name": "Comptages",
        "size": 2048, "mimetype": "text/csv", "layer_name": "comptages_2026"}]))
    resource = dataset["resources"][0]
    html = app.get(f"/dataset/{dataset['name']}/resource/{resource['id']}").get_data(as_text=True)
    rows = dict(re.findall(r'<tr class="toggle-more"><th scope="row">([^<]+)</th><td>([^<]*)</td>',
                           html))
    assert rows["Identifiant"] == resource["id"]
    assert rows["Type MIME"] == "text/csv"
    assert rows["Taille"].startswith("2")  # CKAN's localised size, "2 Kio" or "2,0 KiB"
    assert rows["Layer name"] == "comptages_2026"  # a harvester's own key stays
    # CKAN's bookkeeping and the schema's own fields are not repeated raw.
    for raw in ("Package id", "Url type", "State", "Position", "Update mode", "Has views"):
        assert raw not in rows
