"""Search only knows what the user may read (issue 12, finding 4).

A private dataset of Marseille with its own tag, a resource URL with an id
in it, a reason for being private, a title and a description.  Whatever
facet options anonymous visitors, a registered user or an editor of Aix
send — ``facet.mincount=0``, ``facet.limit=-1``, any facet field, private
datasets asked for or not — no value of it appears in the answer; its
readers (an editor of Marseille, a sysadmin) do see it.  Errors name the
user's own parameter and never repeat the filters CKAN adds (permission
labels), and bad parameters answer 409/400, never 500 or SQL.
"""

from __future__ import annotations

import json
import re
import uuid

import pytest

from ..helpers import AIX, MARSEILLE, api, dataset_fields, org_name

# Its tests only read, publish and try: one server and one set of people for
# the module (tests/security/conftest.py, `actors`).
ONE_WORLD_PER_MODULE = True

FACET_FIELDS = ["tags", "res_url", "text", "private_reason", "permission_labels",
                "organization", "groups", "license_id", "res_format", "vocab_communes",
                "vocab_themes"]
NOT_FACETABLE = {"res_url", "text", "private_reason", "permission_labels"}
OUTSIDERS = ("anonymous", "registered", "editor_aix")
READERS = ("editor_marseille", "sysadmin")
# What a database error or an internal filter looks like when it leaks.
INTERNAL = re.compile(r"psycopg|sqlalchemy|LINE \d+:|syntax error at or near|"
                      r"metropole_search\.|permission_labels:|\+site_id|\+capacity|"
                      r"member-[0-9a-f]{8}|creator-[0-9a-f]{8}|SOLR returned|Traceback")


@pytest.fixture
def secret(catalogue) -> dict:
    """A private dataset of Marseille whose every value is unique, and a
    public one of Aix so that facets have something to show."""
    marker = uuid.uuid4().hex[:10]
    secrets = {
        "tag": f"confidentiel{marker}",
        "url": f"http://intranet.example/private/{marker}/budget.csv",
        "reason": f"embargo{marker}",
        "title": f"Titresecret{marker}",
        "notes": f"Notesecrete{marker}",
        "format": f"FMT{marker}",
    }
    dataset = api("package_create", **dataset_fields(
        private=True, private_reason=secrets["reason"], title=secrets["title"],
        notes=secrets["notes"], tags=[{"name": secrets["tag"]}],
        resources=[{"url": secrets["url"], "name": "Budget", "format": secrets["format"]}]))
    secrets["id"] = dataset["id"]
    secrets["name"] = dataset["name"]
    api("package_create", **dataset_fields(owner_org=org_name(AIX), communes=[AIX],
                                           tags=[{"name": "public-tag"}]))
    return secrets


def facet_requests():
    """Every facet option a client can combine, one field or all at once."""
    for fields in [[f] for f in FACET_FIELDS] + [FACET_FIELDS]:
        for options in ({"facet.mincount": 0, "facet.limit": -1},
                        {"facet.mincount": 0},
                        {"facet.mincount": 1, "facet.limit": -1},
                        {"facet.limit": 1000},
                        {"facet.mincount": 0, "facet.limit": -1, "include_private": True},
                        {"facet.mincount": 0, "facet.limit": -1, "q": "confidentiel"},
                        {"facet.mincount": 0, "facet.limit": -1, "fq": "tags:public-tag"}):
            yield {"facet.field": json.dumps(fields), "rows": 0, **options}


def leaked(text: str, secret: dict) -> list[str]:
    return [name for name, value in secret.items() if value in text]


@pytest.mark.parametrize("role", OUTSIDERS)
def test_no_facet_option_shows_a_value_of_a_dataset_the_user_cannot_read(actors, secret,
                                                                        role):
    actor = actors[role]
    for data in facet_requests():
        answer = actor.action("package_search", method="GET", **data)
        assert answer.status_code in (200, 409), (data, answer.status_code)
        assert not leaked(answer.text, secret), (role, data, leaked(answer.text, secret))
        assert not INTERNAL.search(answer.text), (role, data, answer.text[:500])
        if NOT_FACETABLE & set(json.loads(data["facet.field"])):
            assert answer.status_code == 409
            assert "facet.field" in answer.json()["error"], answer.text[:300]
        else:
            assert answer.status_code == 200, answer.text[:300]
    # the same through the browser session and a JSON POST
    if actor.user:
        answer = actor.action("package_search", via="cookie", **{
            "facet.field": ["tags", "res_format"], "facet.mincount": 0, "facet.limit": -1,
            "include_private": True, "rows": 1000})
        assert answer.status_code == 200
        assert not leaked(answer.text, secret)


def test_unreadable_values_are_gone_but_readable_ones_stay(actors, secret):
    """mincount=0 still lists the values of readable datasets a filter
    excluded (count 0), as Solr would — only those."""
    answer = actors["anonymous"].action("package_search", method="GET", rows=0, **{
        "facet.field": '["tags"]', "facet.mincount": 0, "facet.limit": -1,
        "fq": f'tags:"{secret["tag"]}"'})
    tags = answer.json()["result"]["facets"]["tags"]
    assert tags.get("public-tag") == 0
    assert secret["tag"] not in tags


@pytest.mark.parametrize("role", READERS)
def test_readers_of_the_private_dataset_see_its_values(actors, secret, role):
    actor = actors[role]
    options = {"facet.field": '["tags", "res_format"]', "facet.limit": -1, "rows": 0}
    private = actor.action("package_search", method="GET", include_private=True,
                           **options, **{"facet.mincount": 1}).json()["result"]["facets"]
    assert private["tags"][secret["tag"]] == 1
    assert private["res_format"][secret["format"]] == 1
    # not asked for: listed with count 0 when mincount=0, absent otherwise
    public = actor.action("package_search", method="GET", **options,
                          **{"facet.mincount": 0}).json()["result"]["facets"]
    assert public["tags"][secret["tag"]] == 0
    counted = actor.action("package_search", method="GET", **options,
                           **{"facet.mincount": 1}).json()["result"]["facets"]
    assert secret["tag"] not in counted["tags"]
    # internal fields stay closed, even to them
    closed = actor.action("package_search", method="GET", rows=0,
                          **{"facet.field": '["permission_labels"]', "facet.mincount": 0})
    assert closed.status_code == 409 and "member-" not in closed.text


def test_member_counts_come_from_readable_datasets_only(actors, secret):
    """Browsing without a query reads the counts the database keeps
    (counts.py): the private dataset counts for its readers only."""
    for role, expected in (("anonymous", None), ("editor_aix", None),
                           ("editor_marseille", 1), ("sysadmin", 1)):
        found = actors[role].action("package_search", method="GET", rows=0,
                                    include_private=True, **{
                                        "facet.field": '["tags", "vocab_communes"]'})
        facets = found.json()["result"]["facets"]
        assert facets["tags"].get(secret["tag"]) == expected, role


@pytest.mark.parametrize("data, field", [
    ({"fq": "title:("}, "fq"),
    ({"q": "title:(x"}, "q"),
    ({"fq": "metadata_modified:[NOW-1BLAH TO *]"}, "fq"),
    ({"sort": "tags asc"}, "sort"),
    ({"facet.field": '["tags", "nope("]'}, "facet.field"),
    ({"facet.field": '["config"]'}, "facet.field"),
    ({"q": "(" * 3000 + "title:x" + ")" * 3000}, "q"),
])
def test_errors_name_the_users_parameter_and_never_the_internal_filters(actors, secret,
                                                                        data, field):
    for role in ("editor_marseille", "editor_aix", "anonymous"):
        answer = actors[role].action("package_search", method="GET", **data)
        assert answer.status_code == 409, (data, answer.status_code, answer.text[:300])
        assert_names(answer.json()["error"], field)
        assert not INTERNAL.search(answer.text), answer.text[:500]


def assert_names(error: dict, field: str, message: str | None = None) -> None:
    """Texts the search pages pass on (q, fq, sort) get a "Search error"
    naming the parameter; the others a validation error on the field."""
    if field in ("q", "fq", "fq_list", "sort"):
        assert error["__type"] == "Search Error" and f"{field}: " in error["message"], error
        texts = [error["message"]]
    else:
        assert error["__type"] == "Validation Error" and list(error) == [field, "__type"], error
        texts = error[field]
    if message:
        assert any(message in text for text in texts), texts


BAD_PARAMETERS = [
    ({"include_private": "abc"}, "include_private", "Doit valoir true ou false"),
    ({"include_drafts": "maybe"}, "include_drafts", "Doit valoir true ou false"),
    ({"include_deleted": [1, 2]}, "include_deleted", "Doit valoir true ou false"),
    ({"rows": "abc"}, "rows", None),
    ({"rows": [1]}, "rows", "Doit être un nombre entier"),
    ({"start": {"a": 1}}, "start", "Doit être un nombre entier"),
    ({"start": -3}, "start", None),
    ({"facet.limit": "abc"}, "facet.limit", None),
    ({"facet.mincount": "abc"}, "facet.mincount", None),
    ({"facet.mincount": [0]}, "facet.mincount", "Doit être un nombre entier"),
    ({"fl": 5}, "fl", "Doit être une liste de textes"),
    ({"fl": [1, 2]}, "fl", "Doit être une liste de textes"),
    ({"fq_list": "tags:x"}, "fq_list", "Doit être une liste de textes"),
    ({"fq_list": {"a": "b"}}, "fq_list", "Doit être une liste de textes"),
    ({"q": {"a": 1}}, "q", "Doit être du texte"),
    ({"fq": ["tags:x"]}, "fq", "Doit être du texte"),
    ({"q": "x" * 20000}, "q", "Trop long"),
    ({"fq": "a" + " " * 5000 + "b"}, "fq", "espaces consécutifs"),
    ({"fq_list": ["tags:("]}, "fq_list", "Syntaxe de recherche invalide"),
    ({"facet.field": ["text"]}, "facet.field", "facette"),
    ({"q": " ".join(f"mot{i}" for i in range(300))}, "q", "too many boolean clauses"),
]


@pytest.mark.parametrize("data, field, message", BAD_PARAMETERS)
def test_bad_search_parameters_get_a_field_message_not_a_500(actors, data, field, message):
    answer = actors["registered"].action("package_search", **data)
    assert answer.status_code == 409, (data, answer.status_code, answer.text[:300])
    assert_names(answer.json()["error"], field, message)
    assert not INTERNAL.search(answer.text), answer.text[:500]


def test_what_still_works(actors, secret):
    """Accepted requests keep CKAN's behaviour: negative facet.limit means
    unlimited, a huge rows is capped, a bad sort order is CKAN's 400."""
    anonymous = actors["anonymous"]
    unlimited = anonymous.action("package_search", method="GET", rows=10**9, **{
        "facet.field": '["tags"]', "facet.limit": -5})
    assert unlimited.status_code == 200
    assert unlimited.json()["result"]["facets"]["tags"]["public-tag"] >= 1
    bad_order = anonymous.action("package_search", method="GET", sort="title_string up")
    assert bad_order.status_code == 400
    assert "sort" in bad_order.json()["error"]["message"]
    assert anonymous.action("package_search", method="GET",
                            q="vocab_communes:" + MARSEILLE).status_code == 200


def test_the_dataset_page_does_not_show_the_private_values(actors, secret):
    """The HTML search (facets of the page) as an outsider and as a reader."""
    page = actors["editor_aix"].get("/dataset/", params={"q": ""})
    assert page.status_code == 200 and not leaked(page.text, secret)
    page = actors["editor_marseille"].get("/dataset/", params={"tags": secret["tag"]})
    assert page.status_code == 200 and secret["title"] in page.text
    # bad searches from the page are the page's "error while searching"
    for params in ({"q": "title:("}, {"q": "x" * 20000}, {"tags": "a" + " " * 500 + "b"}):
        page = actors["anonymous"].get("/dataset/", params=params)
        assert page.status_code == 200 and 'id="search-error"' in page.text, params
