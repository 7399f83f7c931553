"""The portal's own fields through CKAN's search, on both backends: datasets
of our schema created with package_create, then found by text, faceted by
commune, theme and charter fields, by map (ext_bbox through solr-bbox) and
by period (ext_startdate / ext_enddate)."""

from __future__ import annotations

import uuid

import pytest

from ..helpers import AIX, MARSEILLE, api, as_user, dataset_fields

pytestmark = pytest.mark.usefixtures("catalogue", "with_request_context", "backend")

VIEUX_PORT = "5.36,43.29,5.38,43.30"
AIX_CENTRE = "5.44,43.52,5.46,43.535"
LILLE = "3.03,50.62,3.08,50.65"
DAILY = "http://publications.europa.eu/resource/authority/frequency/DAILY"


@pytest.fixture
def tag() -> str:
    """One tag per test: the catalogue's database outlives a test, so each
    test only counts what it created."""
    return f"profil-{uuid.uuid4().hex[:8]}"


def create(tag: str, **fields) -> dict:
    return api("package_create", **dataset_fields(tags=[{"name": tag}], **fields))


def search(tag: str, **params) -> dict:
    fq = " ".join(filter(None, [f'tags:"{tag}"', params.pop("fq", "")]))
    return api("package_search", fq=fq, rows=100, **params)


def names(result: dict) -> list[str]:
    return sorted(d["name"] for d in result["results"])


def test_text_search_follows_each_write(tag):
    dataset = create(tag, name=f"compteurs-{tag}", title="Comptages vélos du Vieux-Port",
                     notes="Passages par heure.", themes=["bruit"])
    assert names(search(tag, q="Vélos")) == [dataset["name"]]
    assert names(search(tag, q="comptage")) == [dataset["name"]]
    api("package_patch", id=dataset["id"], title="Stationnements relais")
    assert names(search(tag, q="vélos")) == []
    assert names(search(tag, q="stationnements")) == [dataset["name"]]
    api("package_delete", id=dataset["id"])
    assert search(tag, q="stationnements")["count"] == 0


def test_accents_are_folded_before_stemming_only_by_postgres(tag, backend):
    """'velos' finds 'vélos' with PostgreSQL (unaccent, then the French and
    English stemmers). CKAN's Solr schema stems first (English Snowball, which
    leaves 'vélos' alone as it has a non-English letter) and folds after:
    the index holds 'velos', the query 'velos' is stemmed to 'velo'."""
    dataset = create(tag, name=f"compteurs-{tag}", title="Comptages vélos",
                     notes="Passages par heure.", themes=["bruit"])
    expected = {"postgres": [dataset["name"]], "solr": []}[backend]
    assert names(search(tag, q="velos")) == expected
    assert names(search(tag, q="vélos")) == [dataset["name"]]


def test_communes_themes_and_charter_fields_are_facets_and_filters(tag):
    create(tag, communes=[MARSEILLE], themes=["bruit"], frequency=DAILY)
    create(tag, communes=[MARSEILLE, AIX], themes=["bruit", "eau"], personal_data="anonymised")
    create(tag, communes=[AIX], themes=["eau"], hosting_location="eu")
    facets = ["vocab_communes", "vocab_themes", "access_level", "personal_data",
              "hosting_location", "frequency"]
    result = search(tag, **{"facet.field": str(facets).replace("'", '"')})
    assert result["count"] == 3
    assert result["facets"]["vocab_communes"] == {MARSEILLE: 2, AIX: 2}
    assert result["facets"]["vocab_themes"] == {"bruit": 2, "eau": 2}
    assert result["facets"]["access_level"] == {"open": 3}
    assert result["facets"]["personal_data"] == {"none": 2, "anonymised": 1}
    assert result["facets"]["hosting_location"] == {"france": 2, "eu": 1}
    assert result["facets"]["frequency"] == {DAILY: 1}
    labels = {i["name"]: i["display_name"]
              for i in result["search_facets"]["vocab_communes"]["items"]}
    assert labels == {MARSEILLE: "Marseille", AIX: "Aix-en-Provence"}
    assert search(tag, fq=f'vocab_communes:"{AIX}" vocab_themes:"bruit"')["count"] == 1
    assert search(tag, fq='personal_data:"anonymised"')["count"] == 1
    # The commune's code is searchable text too (CKAN copies vocab_* to text).
    assert search(tag, q=AIX)["count"] == 2


def test_internal_datasets_stay_out_of_an_anonymous_search(tag):
    create(tag, name=f"ouvert-{tag}")
    create(tag, name=f"interne-{tag}", access_level="internal", private=True,
           license_id="partner-convention")
    anonymous = api("package_search", context={"user": "", "ignore_auth": False},
                    fq=f'tags:"{tag}"', include_private=True)
    assert names(anonymous) == [f"ouvert-{tag}"]
    assert names(search(tag, include_private=True)) == [f"interne-{tag}", f"ouvert-{tag}"]


def test_map_search_finds_datasets_by_their_communes_extent(tag):
    marseille = create(tag, name=f"marseille-{tag}", communes=[MARSEILLE])
    create(tag, name=f"aix-{tag}", communes=[AIX])
    assert names(search(tag, ext_bbox=VIEUX_PORT)) == [marseille["name"]]
    assert names(search(tag, ext_bbox=AIX_CENTRE)) == [f"aix-{tag}"]
    assert names(search(tag, ext_bbox=LILLE)) == []


def test_period_filters_keep_overlapping_coverages(tag):
    create(tag, name=f"annee-2020-{tag}",
           temporal_coverage=[{"start": "2020-01-01", "end": "2020-12-31"}])
    create(tag, name=f"depuis-2022-{tag}", temporal_coverage=[{"start": "2022-06-01"}])
    create(tag, name=f"sans-periode-{tag}")

    def between(start: str | None = None, end: str | None = None) -> list[str]:
        extras = {k: v for k, v in (("ext_startdate", start), ("ext_enddate", end)) if v}
        return [n.removesuffix(f"-{tag}") for n in names(search(tag, extras=extras))]

    assert between("2020-06-01", "2020-06-30") == ["annee-2020"]
    assert between("2021-01-01", "2021-12-31") == []
    assert between("2023-01-01") == ["depuis-2022"]
    assert between(end="2020-01-01") == ["annee-2020"]
    assert between() == ["annee-2020", "depuis-2022", "sans-periode"]


def test_no_facet_option_lists_a_value_only_private_datasets_hold(tag):
    """Solr lists every indexed value with facet.mincount=0, those of datasets
    the user may not read included; neither backend may (README, Security)."""
    secret = f"secret-{tag}"
    create(tag)
    create(secret, private=True, private_reason="En cours de relecture")
    anonymous = api("package_search", context=as_user(None), rows=0,
                    **{"facet.field": '["tags"]', "facet.mincount": 0, "facet.limit": -1})
    assert tag in anonymous["facets"]["tags"]
    assert secret not in anonymous["facets"]["tags"]
    assert secret in search(secret, include_private=True, **{"facet.field": '["tags"]'}
                            )["facets"]["tags"]
