"""Finding datasets by place and theme: the extent derived from the communes
covered, facets by commune and theme, theme pages."""

from __future__ import annotations

import json
import uuid

import pytest
from shapely.geometry import Point

from metropole_core import commune_registry as registry

from ..helpers import AIX, MARSEILLE, api, dataset_fields

pytestmark = pytest.mark.usefixtures("catalogue", "with_request_context")

VIEUX_PORT = "5.36,43.29,5.38,43.30"
LILLE = "3.03,50.62,3.08,50.65"
AIX_CENTRE = "5.44,43.52,5.46,43.535"


def search(**params) -> dict:
    return api("package_search", **params)


def ids(result: dict) -> set[str]:
    return {d["id"] for d in result["results"]}


def test_a_dataset_covering_marseille_is_found_around_the_vieux_port_not_lille():
    dataset = api("package_create", **dataset_fields(communes=[MARSEILLE]))
    assert "spatial" not in dataset  # nobody drew a box
    assert dataset["id"] in ids(search(ext_bbox=VIEUX_PORT, rows=1000))
    assert dataset["id"] not in ids(search(ext_bbox=LILLE, rows=1000))
    assert dataset["id"] not in ids(search(ext_bbox=AIX_CENTRE, rows=1000))


def test_an_explicit_geometry_wins_over_the_communes():
    point_in_aix = {"type": "Polygon", "coordinates": [[[5.445, 43.525], [5.455, 43.525],
                    [5.455, 43.530], [5.445, 43.530], [5.445, 43.525]]]}
    dataset = api("package_create", **dataset_fields(
        communes=[MARSEILLE], spatial=json.dumps(point_in_aix)))
    assert dataset["id"] in ids(search(ext_bbox=AIX_CENTRE, rows=1000))
    assert dataset["id"] not in ids(search(ext_bbox=VIEUX_PORT, rows=1000))


def test_the_whole_metropole_covers_every_commune():
    dataset = api("package_create", **dataset_fields(communes=["metropole"]))
    assert dataset["id"] in ids(search(ext_bbox=VIEUX_PORT, rows=1000))
    assert dataset["id"] in ids(search(ext_bbox=AIX_CENTRE, rows=1000))


def test_changing_the_communes_moves_the_dataset_on_the_map():
    dataset = api("package_create", **dataset_fields(communes=[MARSEILLE]))
    api("package_patch", id=dataset["id"], communes=[AIX])
    assert dataset["id"] in ids(search(ext_bbox=AIX_CENTRE, rows=1000))
    assert dataset["id"] not in ids(search(ext_bbox=VIEUX_PORT, rows=1000))


def test_facets_by_commune_and_theme_count_and_name_their_values():
    tag = f"facettes-{uuid.uuid4().hex[:8]}"  # the catalogue outlives one test
    for communes, themes in ((["13055"], ["bruit"]), (["13055", "13001"], ["bruit", "eau"]),
                             (["13001"], ["eau"])):
        api("package_create", **dataset_fields(
            communes=communes, themes=themes, tags=[{"name": tag}]))
    result = search(fq=f'tags:"{tag}"', **{"facet.field": '["vocab_communes", "vocab_themes"]'})
    assert result["count"] == 3
    assert result["facets"]["vocab_communes"] == {"13055": 2, "13001": 2}
    assert result["facets"]["vocab_themes"] == {"bruit": 2, "eau": 2}
    facets = result["search_facets"]
    names = {i["name"]: i["display_name"] for i in facets["vocab_communes"]["items"]}
    assert names == {"13055": "Marseille", "13001": "Aix-en-Provence"}
    themes = {i["name"]: i["display_name"] for i in facets["vocab_themes"]["items"]}
    assert themes["eau"].startswith("Eau")
    # Filtering by a facet value.
    filtered = search(fq=f'tags:"{tag}" vocab_communes:"13001" vocab_themes:"bruit"')
    assert filtered["count"] == 1


def test_theme_pages_list_the_datasets_of_the_theme():
    dataset = api("package_create", **dataset_fields(themes=["eclairage"]))
    assert [g["name"] for g in dataset["groups"]] == ["eclairage"]
    group = api("group_show", id="eclairage", include_datasets=True)
    assert dataset["name"] in {d["name"] for d in group["packages"]}
    api("package_patch", id=dataset["id"], themes=["culture"])
    shown = api("package_show", id=dataset["id"])
    assert [g["name"] for g in shown["groups"]] == ["culture"]


def test_the_registry_knows_every_commune_with_its_shape():
    marseille = registry.communes()[MARSEILLE]
    assert marseille.title == "Marseille"
    town_hall = Point(5.3694, 43.2976)  # on the Quai du Port
    assert marseille.shape.contains(town_hall)
    assert registry.communes_for_points([(5.3694, 43.2976), (5.4474, 43.5297)]) == [
        AIX, MARSEILLE]
