"""Facets, sorting, returned fields and deletes, with Solr's semantics."""

from __future__ import annotations

import pysolr
import pytest

from .conftest import SITE, ids, make_doc


@pytest.fixture
def corpus(conn):
    conn.add([
        make_doc("a", title="b title", title_string="b title", tags=["x", "y"],
                 organization="org-1", res_format=["CSV"], theme="eau",
                 metadata_modified="2024-01-03T00:00:00Z"),
        make_doc("b", title="A title", title_string="A title", tags=["x"],
                 organization="org-2", res_format=["CSV", "PDF"], theme="air",
                 metadata_modified="2024-01-02T00:00:00Z"),
        make_doc("c", tags=["z"], organization="org-1",
                 metadata_modified="2024-01-01T00:00:00Z"),
    ])
    return conn


def facets(conn, fields, **params):
    params.setdefault("facet", "true")
    result = conn.search(q="*:*", fq=[f'+site_id:"{SITE}"'], rows=0,
                         **{"facet.field": fields, **params})
    return result.facets["facet_fields"]


@pytest.mark.ckan_config("ckanext.metropole.search.facetable_fields", "theme")
def test_facets_count_values_of_multi_valued_and_custom_fields(corpus):
    got = facets(corpus, ["tags", "res_format", "theme", "organization"],
                 **{"facet.mincount": 1, "facet.limit": 50})
    assert got["tags"] == ["x", 2, "y", 1, "z", 1]  # count desc, then value
    assert got["res_format"] == ["CSV", 2, "PDF", 1]
    assert got["theme"] == ["air", 1, "eau", 1]
    assert got["organization"] == ["org-1", 2, "org-2", 1]


def test_facet_limit_and_mincount(corpus):
    assert facets(corpus, ["tags"], **{"facet.limit": 1, "facet.mincount": 1})["tags"] == [
        "x", 2]
    # -1: unlimited, in index (value) order
    assert facets(corpus, ["tags"], **{"facet.limit": -1, "facet.mincount": 1})["tags"] == [
        "x", 2, "y", 1, "z", 1]
    assert facets(corpus, ["tags"], **{"facet.limit": 0})["tags"] == []
    # mincount 0 lists values no matched document has
    result = corpus.search(q="tags:z", fq=[f'+site_id:"{SITE}"'], rows=0, facet="true",
                           **{"facet.field": ["tags"], "facet.mincount": 0,
                              "facet.limit": -1})
    assert result.facets["facet_fields"]["tags"] == ["x", 0, "y", 0, "z", 1]


@pytest.mark.ckan_config("ckanext.metropole.search.facetable_fields", "no*")
def test_facets_follow_filters_and_unknown_fields_are_empty(corpus):
    result = corpus.search(q="*:*", fq=[f'+site_id:"{SITE}"', "+organization:org-1"],
                           rows=0, facet="true", **{"facet.field": ["tags", "nope"],
                                                    "facet.mincount": 1})
    assert result.hits == 2
    assert result.facets["facet_fields"] == {"tags": ["x", 1, "y", 1, "z", 1], "nope": []}
    no_facets = corpus.search(q="*:*", fq=[f'+site_id:"{SITE}"'], facet="false",
                              **{"facet.field": ["tags"]})
    assert no_facets.facets == {}


@pytest.mark.parametrize("field", ["title", "nope", "text", "permission_labels",
                                   "data_dict", "validated_data_dict"])
def test_only_declared_fields_are_facetable(corpus, field):
    """Faceting lists a field's values: only fields meant to be browsed."""
    with pytest.raises(pysolr.SolrError, match="Field not facetable"):
        facets(corpus, ["tags", field])


@pytest.mark.ckan_config("ckanext.metropole.search.facetable_fields", "*")
def test_internal_fields_stay_unfacetable_whatever_the_setting(corpus):
    assert facets(corpus, ["title"], **{"facet.mincount": 1})["title"]
    for field in ("text", "permission_labels", "data_dict"):
        with pytest.raises(pysolr.SolrError, match="Field not facetable"):
            facets(corpus, [field])


def test_sort_by_string_is_by_code_point_with_missing_last(corpus):
    assert ids(corpus, sort="title_string asc") == ["b", "a", "c"]  # "A" < "b"
    assert ids(corpus, sort="title_string desc") == ["a", "b", "c"]
    assert ids(corpus, sort="score desc, metadata_modified desc") == ["a", "b", "c"]
    assert ids(corpus, sort="metadata_modified asc") == ["c", "b", "a"]


def test_unknown_sort_field_is_accepted_and_keeps_index_order(corpus):
    assert ids(corpus, sort="views_recent desc") == ["a", "b", "c"]


@pytest.mark.parametrize("sort", ["name", "name ascending", "title_string up"])
def test_sort_without_direction_is_the_error_ckan_maps_to_400(corpus, sort):
    with pytest.raises(pysolr.SolrError, match="Can't determine a Sort Order"):
        corpus.search(q="*:*", sort=sort)


def test_sort_on_multi_valued_field_is_an_error(corpus):
    with pytest.raises(pysolr.SolrError, match="multivalued"):
        corpus.search(q="*:*", sort="tags asc")


def test_paging_and_counts(corpus):
    result = corpus.search(q="*:*", fq=[f'+site_id:"{SITE}"'], rows=1, start=1,
                           sort="metadata_modified desc", fl="id")
    assert result.hits == 3 and [d["id"] for d in result.docs] == ["b"]
    beyond = corpus.search(q="*:*", fq=[f'+site_id:"{SITE}"'], rows=5, start=10)
    assert beyond.hits == 3 and beyond.docs == []


def test_fl_returns_only_stored_fields(corpus):
    doc = corpus.search(q="id:a", fq=[f'+site_id:"{SITE}"'], fl="id,name title theme")
    assert doc.docs == [{"id": "a", "name": "a", "title": "b title"}]  # theme: not stored
    star = corpus.search(q="id:a", fq=[f'+site_id:"{SITE}"'], fl="*").docs[0]
    assert "permission_labels" not in star and star["tags"] == ["x", "y"]
    scored = corpus.search(q="id:a", fq=[f'+site_id:"{SITE}"'], fl="id score").docs[0]
    assert set(scored) == {"id", "score"}


def test_delete_by_query_and_by_id(corpus):
    corpus.delete(q=f'+organization:"org-1" +site_id:"{SITE}"')
    assert ids(corpus) == ["b"]
    corpus.delete(id=f"{SITE}-b")
    assert ids(corpus) == []


def test_reindexing_replaces_the_whole_document(corpus):
    corpus.add([make_doc("a", tags=["new"])])
    assert ids(corpus, "tags:x") == ["b"]
    assert ids(corpus, "tags:new") == ["a"]
