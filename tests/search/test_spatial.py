"""ckanext-spatial's ext_bbox (solr-bbox backend), served by PostgreSQL and by
Solr (the `backend` fixture runs it on each)."""

from __future__ import annotations

import json

import ckan.lib.search as search
import pytest
from ckan.tests import factories
from ckan.tests.helpers import call_action


def names(**params):
    result = call_action("package_search", **params)
    return sorted(d["name"] for d in result["results"])


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
@pytest.mark.ckan_config("ckan.plugins", "metropole_search spatial_metadata spatial_query")
@pytest.mark.ckan_config("ckanext.spatial.search_backend", "solr-bbox")
def test_spatial_bbox_search_matches_and_orders_like_solr_bbox(backend):
    def polygon(minx, miny, maxx, maxy):
        ring = [[minx, miny], [maxx, miny], [maxx, maxy], [minx, maxy], [minx, miny]]
        return json.dumps({"type": "Polygon", "coordinates": [ring]})

    factories.Dataset(name="marseille", extras=[
        {"key": "spatial", "value": polygon(5.2, 43.2, 5.55, 43.4)}])
    factories.Dataset(name="metropole", extras=[
        {"key": "spatial", "value": polygon(4.2, 43.1, 6.0, 43.9)}])
    factories.Dataset(name="point", extras=[
        {"key": "spatial", "value": '{"type": "Point", "coordinates": [5.4, 43.3]}'}])
    # A multipolygon is indexed by its whole extent: a box between its parts
    # still matches (ckanext-spatial's test_spatial_real_multipolygon_inside_extent...)
    multi = {"type": "MultiPolygon", "coordinates": [
        [[[-160, 21], [-159, 21], [-159, 22], [-160, 22], [-160, 21]]],
        [[[-156, 18], [-154, 18], [-154, 20], [-156, 20], [-156, 18]]]]}
    factories.Dataset(name="hawaii", extras=[{"key": "spatial", "value": json.dumps(multi)}])
    # Crossing the antimeridian gives a -180..180 extent that matches anywhere
    # in its latitudes (test_spatial_polygon_split_across_antimeridian...).
    split = {"type": "MultiPolygon", "coordinates": [
        [[[170, 61], [180, 61], [180, 65], [170, 65], [170, 61]]],
        [[[-180, 61], [-170, 61], [-170, 65], [-180, 65], [-180, 61]]]]}
    factories.Dataset(name="chukotka", extras=[{"key": "spatial", "value": json.dumps(split)}])

    result = call_action("package_search", extras={"ext_bbox": "5.19,43.19,5.56,43.41"})
    # the closest fit first; a point never matches
    assert [d["name"] for d in result["results"]] == ["marseille", "metropole"]
    # A box equal to a dataset's envelope: the overlap ratio is exactly 1 for
    # PostgreSQL (double precision), 1.0000025 for Solr, whose function
    # queries compute in 32-bit floats; solr-bbox's filter (u=1) then drops
    # the best match. Same with CKAN's own Solr, not a fault of this set-up.
    exact = {"postgres": ["marseille", "metropole"], "solr": ["metropole"]}[backend]
    assert names(extras={"ext_bbox": "5.2,43.2,5.55,43.4"}) == exact
    assert names(extras={"ext_bbox": "-158,19.9,-157,20.4"}) == ["hawaii"]
    assert names(extras={"ext_bbox": "175,61,179,64"}) == ["chukotka"]
    assert names(extras={"ext_bbox": "0,61,15,64"}) == ["chukotka"]
    # the ±360 shift of the query box
    assert names(extras={"ext_bbox": "365.19,43.19,365.56,43.41"}) == ["marseille", "metropole"]
    with pytest.raises(search.SearchError):
        call_action("package_search", extras={"ext_bbox": "1,2,3,a"})
