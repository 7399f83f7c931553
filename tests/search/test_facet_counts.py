"""Facet counts maintained by the database (counts.py) are exact.

Filter-only requests (what home, /dataset and organisation pages send) are
answered from the counts table; the same request with one more filter that
every document passes (a range on ``metadata_modified``) must take the
general path, which counts the matched rows.  Both must agree after any
sequence of writes, for any set of permission labels.
"""

from __future__ import annotations

import random
import secrets
from collections import Counter

import pytest

from ckanext.metropole.search import document, facetable, query, storage

from .conftest import SITE, make_doc

# Columns, a vocabulary, fields no column holds (frequency, a DCAT-style
# ``theme``) and an analysed text field (``extras_theme``: its tokens).
FACETS = ["organization", "owner_org", "license_id", "tags", "groups", "res_format",
          "vocab_themes", "frequency", "theme", "extras_theme"]
# Every document passes it, but it reads a column the counts table lacks.
GENERAL_PATH = "metadata_modified:[* TO *]"
LABELS = ["public", "member-o1", "member-o2", "creator-u1", "collaborator-d3"]


@pytest.fixture(autouse=True)
def facetable_custom_fields(ckan_config, monkeypatch):
    """``theme`` and ``extras_theme`` made facetable as a site would; their
    counts are kept from the next start (here: the next schema check)."""
    monkeypatch.setitem(ckan_config, facetable.FACETABLE_KEY, "theme extras_theme")
    storage.ensure_schema(force=True)


def search(conn, fq: list[str], general: bool = False, **params):
    fq = list(fq) + [f'+site_id:"{SITE}"'] + ([GENERAL_PATH] if general else [])
    params = {"q": "*:*", "fq": fq, "rows": 5, "fl": "id", "facet": "true",
              "facet.field": FACETS, "facet.mincount": 1, "facet.limit": -1,
              "sort": "score desc, metadata_modified desc", **params}
    counted = "_facet" in query.build(dict(params)).sql
    assert counted is not general, "request did not take the intended path"
    q = params.pop("q")
    return conn.search(q=q, **params)


def assert_paths_agree(conn, fq: list[str], **params) -> None:
    fast = search(conn, fq, **params)
    slow = search(conn, fq, general=True, **params)
    assert fast.hits == slow.hits, fq
    assert [d["id"] for d in fast.docs] == [d["id"] for d in slow.docs], fq
    assert fast.facets == slow.facets, fq


def random_doc(r: random.Random, n: int) -> dict:
    org = r.choice(["o1", "o2", None])
    private = r.random() < 0.4
    labels = ["public"] if not private else r.sample(LABELS[1:], r.randint(1, 3))
    fields = {
        "owner_org": org, "organization": f"org-{org}" if org else None,
        "capacity": "private" if private else "public", "permission_labels": labels,
        "license_id": r.choice(["cc-by", "odc-odbl", None]),
        "tags": r.sample(["eau", "air", "bus", "vélo"], r.randint(0, 3)),
        "groups": r.sample(["g1", "g2"], r.randint(0, 2)),
        # duplicates: two CSV resources still make one CSV dataset
        "res_format": [r.choice(["CSV", "PDF"]) for _ in range(r.randint(0, 3))],
        "vocab_themes": r.sample(["mobilite", "sante"], r.randint(0, 2)),
        "frequency": r.choice(["daily", "annual", None]),
        "theme": r.choice(["Transports", "Santé publique", None]),
        "extras_theme": r.choice(["Qualité de l'air", "Les parkings relais", None]),
        "state": r.choice(["active", "active", "draft"]),
        "dataset_type": r.choice(["dataset", "dataset", "harvest"]),
        "metadata_modified": f"2024-01-{r.randint(1, 28):02d}T00:00:00Z",
    }
    return make_doc(f"d{n}", **fields)


REQUESTS = [
    ["+state:active", '+permission_labels:("public")'],
    ["+state:active", '+permission_labels:("public" OR "member-o1" OR "collaborator-d3")'],
    ["+state:(active OR draft)", '+permission_labels:("member-o2" OR "creator-u1")'],
    ['+owner_org:"o1"', "+capacity:public", "-dataset_type:harvest"],
    ['organization:"org-o2"', "+dataset_type:dataset"],
    [],
]


def test_counted_facets_equal_the_general_path_through_writes(conn):
    r = random.Random(3)
    docs = [random_doc(r, n) for n in range(60)]
    conn.add(docs)
    for fq in REQUESTS:
        assert_paths_agree(conn, fq)
    # updates (values and labels move), deletes by id and by query
    conn.add([random_doc(r, n) for n in range(0, 60, 3)])
    conn.delete(id=[f"{SITE}-d{n}" for n in range(1, 60, 7)])
    conn.delete(q=f'+site_id:"{SITE}" +tags:"bus" +capacity:private')
    for fq in REQUESTS:
        assert_paths_agree(conn, fq)
        assert_paths_agree(conn, fq, **{"facet.limit": 2, "rows": 0})


def test_a_dataset_with_several_labels_is_counted_once(conn):
    conn.add([make_doc("x", capacity="private", permission_labels=["member-o1", "creator-u1"],
                       tags=["eau"], res_format=["CSV", "CSV"])])
    result = search(conn, ['+permission_labels:("member-o1" OR "creator-u1")'])
    assert result.hits == 1
    assert result.facets["facet_fields"]["tags"] == ["eau", 1]
    assert result.facets["facet_fields"]["res_format"] == ["CSV", 1]


def test_counts_follow_a_shadow_rebuild(conn):
    conn.add([make_doc("old", tags=["gone"])])
    storage.create_shadow(SITE)
    storage.upsert([document.to_row(make_doc("new", tags=["eau"]))], storage.SHADOW)
    storage.swap_shadow()
    result = search(conn, [])
    assert result.facets["facet_fields"]["tags"] == ["eau", 1]
    # and the swapped-in table keeps its counts up to date
    conn.add([make_doc("newer", tags=["eau"])])
    assert search(conn, []).facets["facet_fields"]["tags"] == ["eau", 2]
    assert_paths_agree(conn, [])


@pytest.mark.parametrize("params", [
    {"q": "title:eau"},  # full text: scored, general path
    {"facet.mincount": 0},  # lists unmatched values: general path
    {"fq": [f'+site_id:"{SITE}"', 'tags:"eau"']},  # a filter on a non-group column
])
def test_other_requests_take_the_general_path(conn, params):
    base = {"q": "*:*", "fq": [f'+site_id:"{SITE}"'], "facet": "true",
            "facet.field": ["tags"], "facet.mincount": 1}
    assert "_facet" not in query.build({**base, **params}).sql


def _facet(result, field: str) -> dict[str, int]:
    values = result.facets["facet_fields"].get(field, [])
    return dict(zip(values[::2], values[1::2], strict=True))


def test_custom_fields_count_what_the_documents_hold(conn):
    """Both paths now read the values written with each document
    (``facet_values``): checked here against the documents themselves."""
    r = random.Random(5)
    docs = [random_doc(r, n) for n in range(80)]
    conn.add(docs)
    readable = [d for d in docs if d["state"] == "active" and "public" in d["permission_labels"]]
    for general, fq, kept in [
        (False, [], readable),
        (True, ['tags:"eau"'], [d for d in readable if "eau" in d["tags"]]),
    ]:
        result = search(conn, ["+state:active", '+permission_labels:("public")', *fq],
                        general=general, rows=0)
        for field in ("theme", "frequency"):
            expected = Counter(d[field] for d in kept if d.get(field))
            assert _facet(result, field) == dict(expected), (field, fq)
        # an analysed field counts each document's tokens once ("l'air" -> "air")
        air = sum(1 for d in kept if d.get("extras_theme") == "Qualité de l'air")
        assert _facet(result, "extras_theme").get("air", 0) == air, fq


def test_a_field_added_to_the_settings_is_counted_in_documents_already_indexed(
        conn, ckan_config, monkeypatch):
    # A new name each run: the stored patterns outlive a test database's runs.
    field = f"audience_{secrets.token_hex(4)}"
    conn.add([make_doc("a", **{field: "élus"}), make_doc("b", **{field: "élus"}),
              make_doc("c", tags=["eau"], **{field: "grand public"})])
    monkeypatch.setitem(ckan_config, facetable.FACETABLE_KEY, f"theme extras_theme {field}")
    storage.ensure_schema(force=True)
    for general, fq, expected in [(False, [], {"élus": 2, "grand public": 1}),
                                  (True, ['tags:"eau"'], {"grand public": 1})]:
        result = search(conn, fq, general=general, rows=0, **{"facet.field": [field]})
        assert _facet(result, field) == expected, fq
    conn.add([make_doc("d", **{field: "élus"})])  # and later writes are counted too
    assert _facet(search(conn, [], rows=0, **{"facet.field": [field]}),
                  field) == {"élus": 3, "grand public": 1}
