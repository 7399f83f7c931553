"""The Solr query language, as CKAN and API users write it, on PostgreSQL.

Each test indexes a handful of documents through the pysolr-compatible
connection and checks which ones a query matches, the way Solr with CKAN's
schema.xml would answer.
"""

from __future__ import annotations

import pysolr
import pytest

from ckanext.metropole.search import query

from .conftest import ids, make_doc


@pytest.fixture
def corpus(conn):
    conn.add([
        make_doc("water", title="Qualité de l'eau potable", notes="Analyses des écoles",
                 tags=["Water", "santé"], groups=["env"], res_format=["CSV", "JSON"],
                 license_id="cc-by", num_resources=2, views_recent=10,
                 metadata_modified="2024-03-01T10:00:00Z", title_string="Qualité de l'eau potable"),
        make_doc("air", title="Air quality stations", notes="Hourly measurements",
                 tags=["air", "economy"], groups=["env", "transport"], res_format=["CSV"],
                 license_id="odc-odbl", num_resources=10, views_recent=3,
                 metadata_modified="2023-06-01T10:00:00Z", title_string="Air quality stations"),
        make_doc("buses", title="Wi-Fi in buses", notes="Hotspots list",
                 tags=["transport"], res_format=["GeoJSON"], license_id="cc-by",
                 num_resources=1, metadata_modified="2020-01-01T00:00:00Z",
                 title_string="Wi-Fi in buses", harvest_source_id="src-1"),
        make_doc("untitled", notes="No title at all", tags=["Economy"],
                 metadata_modified="2019-01-01T00:00:00Z", capacity="private",
                 permission_labels=["member-org1"]),
    ])
    return conn


def test_match_all_and_field_exists(corpus):
    assert sorted(ids(corpus)) == ["air", "buses", "untitled", "water"]
    assert sorted(ids(corpus, "title:*")) == ["air", "buses", "water"]
    assert ids(corpus, "*:* -title:[* TO *]") == ["untitled"]


def test_string_fields_are_exact_and_case_sensitive(corpus):
    assert ids(corpus, "tags:Water") == ["water"]
    assert ids(corpus, "tags:water") == []
    assert ids(corpus, 'tags:"santé"') == ["water"]
    assert ids(corpus, "tags:econ") == []


def test_text_is_stemmed_and_folds_case_and_accents_in_french_and_english(corpus):
    assert ids(corpus, "ecole") == ["water"]  # "écoles": accent and plural
    assert ids(corpus, "text:QUALITE") == ["water"]
    assert ids(corpus, "measurement") == ["air"]  # English plural
    assert ids(corpus, "title:stations") == ["air"]
    assert ids(corpus, "title:hourly") == []  # only in notes
    assert ids(corpus, "wifi") == ["buses"]  # Wi-Fi catenated, as Solr's WordDelimiter
    assert ids(corpus, "wi") == ["buses"]


def test_phrases_keep_word_order(corpus):
    assert ids(corpus, 'title:"air quality"') == ["air"]
    assert ids(corpus, 'title:"quality air"') == []


def test_required_prohibited_and_not(corpus):
    assert sorted(ids(corpus, "+res_format:CSV -tags:air")) == ["water"]
    assert sorted(ids(corpus, "res_format:CSV AND NOT tags:air")) == ["water"]
    assert sorted(ids(corpus, "res_format:CSV !tags:air")) == ["water"]


def test_lucene_precedence_under_default_and(corpus):
    # "a OR b c" is "a b +c": c is required, a and b only optional.
    assert ids(corpus, "tags:Water OR tags:air license_id:odc-odbl") == ["air"]
    assert sorted(ids(corpus, "tags:Water OR tags:air")) == ["air", "water"]
    assert sorted(ids(corpus, "tags:Water || tags:air")) == ["air", "water"]
    assert ids(corpus, "license_id:cc-by && tags:transport") == ["buses"]
    assert sorted(ids(corpus, "(tags:Water OR tags:air) AND groups:env")) == ["air", "water"]


def test_pure_negative_filters(corpus):
    assert sorted(ids(corpus, fq="-capacity:private")) == ["air", "buses", "water"]
    # Solr only completes a *top-level* pure negative query with *:*.
    assert ids(corpus, fq="+(-capacity:private)") == []
    # A document without the field matches a prohibition on it.
    assert sorted(ids(corpus, fq="-harvest_source_id:src-1")) == ["air", "untitled", "water"]


def test_field_groups_and_ckan_filters(corpus):
    fq = '+capacity:public capacity:"public" -dataset_type:harvest +state:(active OR draft)'
    assert sorted(ids(corpus, fq=fq)) == ["air", "buses", "water"]
    labels = '+permission_labels:("public" OR "member-org1")'
    assert len(ids(corpus, fq=labels)) == 4
    assert ids(corpus, fq='+permission_labels:("member-org1")') == ["untitled"]
    assert ids(corpus, fq='+(id:"air" OR name:"air")') == ["air"]


def test_loose_spacing_quirks_of_ckan_feeds(corpus):
    assert ids(corpus, 'tags: "transport"') == ["buses"]
    assert ids(corpus, 'tags:"air"groups:"transport"') == ["air"]


def test_ranges_on_dates_numbers_and_strings(corpus):
    assert sorted(ids(corpus, "metadata_modified:[2023-01-01T00:00:00Z TO NOW]")) == [
        "air", "water"]
    assert ids(corpus, "metadata_modified:[* TO 2019-06-01T00:00:00Z}") == ["untitled"]
    assert sorted(ids(corpus, "metadata_modified:[NOW-100YEARS TO NOW/DAY+1DAY]")) == [
        "air", "buses", "untitled", "water"]
    assert ids(corpus, "views_recent:[5 TO *]") == ["water"]
    assert ids(corpus, "views_recent:{3 TO 10]") == ["water"]
    # Undeclared fields are strings in Solr: "10" < "2" lexicographically.
    assert ids(corpus, "num_resources:[2 TO 9]") == ["water"]
    assert sorted(ids(corpus, "license_id:[cc TO cd]")) == ["buses", "water"]


def test_wildcards(corpus):
    assert ids(corpus, "name:wat*") == ["water"]
    assert ids(corpus, "name:b?ses") == ["buses"]
    assert sorted(ids(corpus, "qualit*")) == ["air", "water"]
    assert ids(corpus, r"name:wat\*") == []


def test_dismax_minimum_should_match(corpus):
    params = {"defType": "dismax", "qf": "name^4 title^4 tags^2 groups^2 text",
              "mm": "2<-1 5<80%"}
    # two words: both required
    assert ids(corpus, "air hourly", **params) == ["air"]
    assert ids(corpus, "air potable", **params) == []
    # three words: one may be missing
    assert ids(corpus, "air hourly potable", **params) == ["air"]
    # required and prohibited words
    assert ids(corpus, "+qualité -hourly", **params) == ["water"]
    assert ids(corpus, "+air -hourly", **params) == []
    # dismax treats the rest literally and never fails on odd input
    assert ids(corpus, 'air (hourly "', **params) == ["air"]


def test_dismax_ranks_title_above_notes(conn):
    conn.add([
        make_doc("in-notes", title="Autre jeu", notes="budget de la ville",
                 metadata_modified="2024-05-01T00:00:00Z"),
        make_doc("in-title", title="Budget de la ville", notes="données",
                 metadata_modified="2020-05-01T00:00:00Z"),
    ])
    order = ids(conn, "budget", defType="dismax", qf="name^4 title^4 tags^2 groups^2 text",
                sort="score desc, metadata_modified desc")
    assert order == ["in-title", "in-notes"]


def test_frange_overlap_ratio_like_solr_bbox(conn):
    conn.add([
        make_doc("inside", minx=0.0, miny=0.0, maxx=1.0, maxy=1.0),
        make_doc("exact", minx=0.0, miny=0.0, maxx=2.0, maxy=2.0),
        make_doc("outside", minx=10.0, miny=10.0, maxx=11.0, maxy=11.0),
        make_doc("point", minx=1.0, miny=1.0, maxx=1.0, maxy=1.0),
        make_doc("nobbox"),
    ])
    ratio = ("div(mul(mul(max(0,sub(min(2.0,maxx),max(0.0,minx))),"
             "max(0,sub(min(2.0,maxy),max(0.0,miny)))),2),"
             "add(4.0,mul(sub(maxy,miny),sub(maxx,minx))))")
    fq = "{!frange incl=false l=0 u=1}" + ratio
    assert sorted(ids(conn, fq=fq)) == ["exact", "inside"]
    # bf adds the ratio to the score: the better fit comes first
    order = ids(conn, "*:*", fq=fq, defType="edismax", bf=ratio, sort="score desc")
    assert order == ["exact", "inside"]


@pytest.mark.parametrize("box", [(-1.0, -1.0, 1.0, 1.0), (0.5, 0.5, 3.0, 3.0),
                                 (9.0, 9.0, 9.5, 9.5)])
def test_spatial_ratio_prefilter_changes_no_match(conn, box):
    """The GiST-friendly overlap test put in front of spatial's exact ratio
    (functions._spatial_overlap) keeps exactly the same matches, including
    datasets without a complete box (Solr reads missing values as 0)."""
    conn.add([
        make_doc("inside", minx=0.0, miny=0.0, maxx=1.0, maxy=1.0),
        make_doc("across", minx=-5.0, miny=0.5, maxx=5.0, maxy=0.7),
        make_doc("outside", minx=10.0, miny=10.0, maxx=11.0, maxy=11.0),
        make_doc("point", minx=1.0, miny=1.0, maxx=1.0, maxy=1.0),
        make_doc("partial", minx=-1.0, miny=-1.0, maxx=1.0),
        make_doc("nobbox"),
    ])
    x1, y1, x2, y2 = box
    ratio = (f"div(mul(mul(max(0,sub(min({x2},maxx),max({x1},minx))),"
             f"max(0,sub(min({y2},maxy),max({y1},miny)))),2),"
             f"add({(x2 - x1) * (y2 - y1)},mul(sub(maxy,miny),sub(maxx,minx))))")
    recognised = "{!frange incl=false l=0 u=1}" + ratio
    assert "d.extent &&" in query.build({"q": "*:*", "fq": [recognised]}).sql
    plain = "{!frange incl=false l=0 u=1}add(0," + ratio + ")"  # same value, not recognised
    assert "d.extent &&" not in query.build({"q": "*:*", "fq": [plain]}).sql
    assert sorted(ids(conn, fq=recognised)) == sorted(ids(conn, fq=plain))


def test_field_local_params_take_the_value_literally(corpus):
    assert ids(corpus, fq='{!field f=tags}santé') == ["water"]
    assert ids(corpus, fq="{!bool must=tags:air must_not=groups:env}") == []


@pytest.mark.parametrize("q", ['title:"unbalanced', "title:(air", "a AND", "tags:a:b", "OR"])
def test_syntax_errors_are_solr_syntax_errors(corpus, q):
    with pytest.raises(pysolr.SolrError, match="SyntaxError"):
        corpus.search(q=q)


def test_user_input_is_data_not_sql(corpus):
    for q in ["name:\"x'; DROP TABLE package; --\"", "tags:a\\'b", "name:%", "name:_*"]:
        assert ids(corpus, q) == []
    assert len(ids(corpus)) == 4  # nothing was dropped


def test_bad_dates_and_numbers_are_errors_without_database_text(corpus):
    for q in ["metadata_modified:[yesterday TO NOW]", "views_recent:[a TO 3]", "name:/[/"]:
        with pytest.raises(pysolr.SolrError) as error:
            corpus.search(q=q)
        assert "psycopg" not in str(error.value) and "ERROR:" not in str(error.value)
