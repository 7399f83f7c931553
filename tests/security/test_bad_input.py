"""No 500 and no SQL text for bad input (issue 12, "Headers and errors" and
"What to build" 9): each malformed request of the probe answers 400, 403,
404 or 409 with a clear message (French first), never a 500, and no response
carries a traceback, SQL, driver errors or the search's permission labels."""

from __future__ import annotations

import json
import uuid

import pytest
import requests

from ..helpers import MARSEILLE, api, dataset_fields, org_name

pytestmark = pytest.mark.usefixtures("catalogue")

LEAKS = ("Traceback", "psycopg", "SELECT", "sqlalchemy", "permission_labels",
         "LINE 1", "Internal Server Error")
CLIENT_ERRORS = {400, 403, 404, 409}


def problems(answer: requests.Response, case: str, *, statuses=CLIENT_ERRORS) -> list[str]:
    """What is wrong with the answer to a malformed request (empty: nothing)."""
    found = [] if answer.status_code in statuses else [f"{case}: HTTP {answer.status_code}"]
    found += [f"{case}: shows {leak!r}" for leak in LEAKS if leak in answer.text]
    return [f"{line} — {answer.text[:300]}" for line in found]


def assert_refused(answer: requests.Response, case: str, *, statuses=CLIENT_ERRORS) -> None:
    assert not problems(answer, case, statuses=statuses)


def call(portal: str, action: str, token: str | None = None, *, method: str = "POST",
         body=None, **params) -> requests.Response:
    url = f"{portal}/api/3/action/{action}"
    headers = {"Authorization": token} if token else {}
    if method == "GET":
        return requests.get(url, params=params, headers=headers, timeout=120)
    if body is not None:
        return requests.post(url, data=body, timeout=120,
                             headers={**headers, "Content-Type": "application/json"})
    return requests.post(url, json=params, headers=headers, timeout=120)


@pytest.fixture
def editor() -> str:
    """The API token of an editor of Marseille."""
    from ckan.tests import factories

    user = factories.User()
    api("organization_member_create", id=org_name(MARSEILLE), username=user["name"],
        role="editor")
    return api("api_token_create", user=user["name"], name="bad-input")["token"]


@pytest.fixture
def table() -> dict:
    """A public DataStore table."""
    dataset = api("package_create", **dataset_fields())
    return api("datastore_create", resource={"package_id": dataset["id"], "name": "Comptages",
                                             "format": "CSV"},
               fields=[{"id": "lieu", "type": "text"}, {"id": "velos", "type": "int"}],
               records=[{"lieu": "Vieux-Port", "velos": 120}], force=True)


def test_search_and_show_flags_that_are_not_booleans(portal):
    found: list[str] = []
    for action, params in [
        ("package_search", {"include_private": "abc"}),
        ("package_search", {"include_drafts": "abc"}),
        ("organization_show", {"id": org_name(MARSEILLE), "include_datasets": "maybe"}),
        ("group_show", {"id": "velo-pietons", "include_datasets": "maybe"}),
        ("organization_list", {"all_fields": "maybe"}),
        ("group_list", {"all_fields": "maybe"}),
    ]:
        for method in ("GET", "POST"):
            answer = call(portal, action, method=method, **params)
            found += problems(answer, f"{method} {action} {params}", statuses={400, 409})
    assert not found, "\n".join(found)


def test_datastore_search_with_bad_parameters(portal, table):
    resource_id = table["resource_id"]
    found: list[str] = []
    for params in [
        {"filters": []},
        {"filters": "abc"},
        {"filters": {"velos": {"a": 1}}},
        {"q": "Port", "language": "xx'"},
        {"limit": "abc"},
        {"offset": -1},
        {"sort": "unknown"},
        {"sort": "velos; DROP TABLE x"},
        {"fields": "unknown"},
        {"q": {"unknown": "x"}},
    ]:
        answer = call(portal, "datastore_search", resource_id=resource_id, **params)
        found += problems(answer, f"datastore_search {params}", statuses={400, 409})
    # Valid input is unchanged, by GET too (the guard is a read action).
    answer = call(portal, "datastore_search", method="GET", resource_id=resource_id)
    assert answer.json()["result"]["records"][0]["lieu"] == "Vieux-Port"
    assert not found, "\n".join(found)


def test_datastore_search_sql_errors_do_not_echo_the_database(portal, table):
    resource_id = table["resource_id"]
    found: list[str] = []
    for sql in [
        f'SELEC * FROM "{resource_id}"',
        f'SELECT * FROM "{resource_id}" WHERE',
        f'SELECT nope FROM "{resource_id}"',
        f'SELECT * FROM "{resource_id}" WHERE velos = \'abc\'',
        f'SELECT 1/0 FROM "{resource_id}"',
    ]:
        answer = call(portal, "datastore_search_sql", sql=sql)
        found += problems(answer, sql, statuses={400, 409})
        if "Requête SQL invalide" not in json.dumps(answer.json(), ensure_ascii=False):
            found.append(f"{sql}: no French message — {answer.text[:300]}")
    assert not found, "\n".join(found)


def test_datastore_dump_with_bad_parameters(portal, table):
    resource_id = table["resource_id"]
    found: list[str] = []
    for query in ["limit=abc", "offset=-1", "offset=abc", "format=xyz", 'q={"nope":"x"}',
                  "fields=unknown", "sort=unknown", "q=Port&language=xx'", "filters=[]",
                  'filters={"nope":"x"}']:
        answer = requests.get(f"{portal}/datastore/dump/{resource_id}?{query}", timeout=60)
        found += problems(answer, query, statuses={400, 409})
    assert not found, "\n".join(found)


def _nested(depth: int) -> str:
    return '{"a":' * depth + "1" + "}" * depth


def _with_extras(extras: str) -> str:
    return json.dumps(dataset_fields())[:-1] + f', "extras": {extras}}}'


def test_nested_json_is_refused_by_the_actions(portal, editor):
    """Whatever the transport accepts, the dataset actions refuse JSON nested
    where text is expected, and nesting deeper than any dataset needs."""
    found: list[str] = []
    for case, body in [
        ("extras value 200 deep", _with_extras(f'[{{"key": "x", "value": {_nested(200)}}}]')),
        ("resources 200 deep", json.dumps(dataset_fields())[:-1]
         + f', "resources": [{{"url": "http://example.org/a.csv", "x": {_nested(200)}}}]}}'),
    ]:
        answer = call(portal, "package_create", editor, body=body)
        found += problems(answer, case, statuses={400, 409})
    assert not found, "\n".join(found)


def test_3000_deep_json_is_refused(portal, editor):
    """Refused at the transport (request limits, security/ web part)."""
    body = _with_extras(f'[{{"key": "x", "value": {_nested(3000)}}}]')
    assert_refused(call(portal, "package_create", editor, body=body), "depth 3000",
                   statuses={400, 409, 413})


WRONG_DATASET_FIELDS = [  # (field, value): all refused with a message on the field
    ("tags", "transport"),
    ("tags", [["a"]]),
    ("tags", [{"name": ["a"]}]),
    ("resources", {"url": "http://example.org"}),
    ("resources", ["http://example.org"]),
    ("extras", ["a", "b"]),
    ("extras", {"a": "b"}),
    ("title", 12),
    ("title", ["a", "b"]),
    ("title", {"fr": "Titre"}),
    ("notes", ["a"]),
    ("private", "maybe"),
    ("name", ["x"]),
    ("owner_org", ["x"]),
    ("communes", {"a": 1}),
    ("themes", 12),
    ("groups", "velo-pietons"),
    ("groups", [["x"]]),
    ("title", "T" * 1_000_000),
    ("notes", "n" * 200_000),
    ("tags", [{"name": "t" * 200}]),
    ("resources", [{"url": "http://example.org/a.csv", "name": "r" * 1000}]),
    ("resources", [{"url": "http://example.org/a.csv", "description": "d" * 200_000}]),
]


def test_package_create_with_wrong_types_and_sizes(portal, editor):
    found: list[str] = []
    for field, value in WRONG_DATASET_FIELDS:
        answer = call(portal, "package_create", editor, **dataset_fields(**{field: value}))
        found += problems(answer, f"{field}={str(value)[:40]}", statuses={400, 409, 413})
    assert not found, "\n".join(found)


def test_a_long_title_gets_a_french_field_message(portal, editor):
    answer = call(portal, "package_create", editor, **dataset_fields(title="T" * 301))
    assert answer.status_code == 409
    assert "300" in " ".join(answer.json()["error"]["title"])
    assert "caractères" in " ".join(answer.json()["error"]["title"])


def test_organization_fields_are_limited(portal):
    from ckan.tests import factories

    admin = factories.SysadminWithToken()
    organisation = api("organization_create", name=f"org-{uuid.uuid4().hex[:10]}",
                       title="Partenaire", org_kind="partner")
    for field, value in [("title", "T" * 1000), ("description", "d" * 200_000)]:
        answer = call(portal, "organization_patch", admin["token"], id=organisation["id"],
                      **{field: value})
        assert_refused(answer, field, statuses={409})
