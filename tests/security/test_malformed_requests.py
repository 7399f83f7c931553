"""The fuzz's findings, one request each: malformed requests answer a clear
4xx (French first), never a 500, a traceback or SQL."""

from __future__ import annotations

import pytest
import requests

from ..helpers import MARSEILLE, org_name

pytestmark = pytest.mark.usefixtures("catalogue")

LEAKS = ("Traceback", "psycopg", "SELECT", "sqlalchemy", "Internal Server Error")


def _post(portal: str, action: str, **data) -> requests.Response:
    return requests.post(f"{portal}/api/3/action/{action}", json=data, timeout=60)


def _clean(answer: requests.Response, *statuses: int) -> None:
    assert answer.status_code in statuses, (answer.status_code, answer.text[:300])
    assert not [leak for leak in LEAKS if leak in answer.text], answer.text[:300]


@pytest.mark.parametrize("name", ["send_mail", "send_summary_email", "get_mail_extra_vars",
                                  "prepare_error_mail", "InactiveSource"])
def test_harvest_helpers_are_not_actions(shared_portal, name):
    answer = _post(shared_portal, name, id="x")
    _clean(answer, 404)
    assert "Action inconnue" in answer.json()["error"]["message"]


@pytest.mark.parametrize("action, data", [
    ("organization_autocomplete", {}),           # data_dict['q']
    ("group_autocomplete", {"limit": 5}),
    ("datastore_search_sql", {}),                 # data_dict['sql']
    ("harvest_job_list", {}),                     # auth reads data_dict['source_id']
    ("harvest_source_show_status", {}),
    ("user_invite", {"email": "a@example.org"}),  # auth reads data_dict['group_id']
    ("task_status_update_many", {}),
    ("organization_show", {"id": -0.0}),          # a number compared to text in SQL
    ("group_show", {"id": {"a": 1}}),             # psycopg cannot adapt a dict
    ("activity_show", {"id": {"a": 1}}),
    ("organization_list", {"q": []}),
    ("dcat_catalog_show", {"format": "{!lucene}"}),  # rdflib: no such serializer
])
def test_missing_or_mistyped_parameters_are_validation_errors(shared_portal, action, data):
    answer = _post(shared_portal, action, **data)
    _clean(answer, 400, 403, 409)
    assert answer.json()["success"] is False


def test_harvest_source_list_answers(shared_portal):
    # Harvest's action never called its auth function: every call was a 500.
    answer = _post(shared_portal, "harvest_source_list")
    _clean(answer, 200)
    assert isinstance(answer.json()["result"], list)


@pytest.mark.parametrize("path", ["/organization/%00", "/dataset/%00",
                                  "/api/3/action/package_show?id=%00",
                                  "/feeds/tag/%00.atom"])
def test_nul_bytes_in_the_url_are_refused(shared_portal, path):
    answer = requests.get(shared_portal + path, timeout=60)
    _clean(answer, 400)
    assert "caractère nul" in answer.text


def test_nul_bytes_in_json_are_refused(shared_portal):
    answer = _post(shared_portal, "group_show", id="\u0000")
    _clean(answer, 400)
    assert "caractère nul" in answer.json()["error"]["message"]


def test_util_autocomplete_errors_are_not_500(shared_portal):
    _clean(requests.get(f"{shared_portal}/api/2/util/user/autocomplete",
                        params={"q": "a"}, timeout=60), 403)
    answer = requests.get(f"{shared_portal}/api/2/util/tag/autocomplete",
                          params={"incomplete": "a", "limit": "[[1]]"}, timeout=60)
    _clean(answer, 409)
    assert "Requête invalide" in answer.json()["error"]["message"]


def test_organisation_page_with_a_malformed_sort_shows_the_search_error(shared_portal):
    answer = requests.get(f"{shared_portal}/organization/{org_name(MARSEILLE)}",
                          params={"sort": '{"a": 1}'}, timeout=60)
    _clean(answer, 200, 400)
