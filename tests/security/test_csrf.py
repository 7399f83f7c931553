"""CSRF on every change a browser's session cookie authenticates (issue 12,
"CSRF gaps"): API actions called with the cookie need the X-CSRFToken header
that CKAN's JavaScript sends; API tokens stay exempt; a view that someone
called with an API token (or anonymously) does not become exempt for
cookie posts (CKAN's csrf.exempt() at request time); the login form needs
its token."""

from __future__ import annotations

import requests

from ..helpers import dataset_fields
from .conftest import csrf_token


def test_cookie_api_posts_need_the_csrf_header(actors, portal):
    editor = actors["editor_marseille"]
    # An API token call first: CKAN exempted the action view from then on.
    assert editor.action("package_create", **dataset_fields()).status_code == 200

    forged = editor.action("package_create", via="cookie", forged=True, **dataset_fields())
    assert forged.status_code in (400, 403), forged.text[:300]

    token = csrf_token(editor.cookies, f"{portal}/dataset/new")
    answer = editor.cookies.post(f"{portal}/api/3/action/package_create",
                                 json=dataset_fields(), headers={"X-CSRFToken": token},
                                 timeout=60)
    assert answer.status_code == 200, answer.text[:300]


def test_api_token_and_anonymous_api_calls_need_no_csrf_token(actors, portal):
    assert actors["editor_marseille"].action(
        "package_create", **dataset_fields()).status_code == 200
    # API clients (ckanapi) POST read actions without any credential.
    anonymous = requests.post(f"{portal}/api/3/action/package_search", json={"rows": 1},
                              timeout=60)
    assert anonymous.status_code == 200, anonymous.text[:300]


def test_dataset_form_stays_protected_after_a_token_call(actors, portal):
    editor = actors["editor_marseille"]
    # CKAN exempts the view of any request made with a token, or anonymously.
    requests.get(f"{portal}/dataset/new", headers={"Authorization": editor.token},
                 timeout=60)
    requests.post(f"{portal}/dataset/new", headers={"Authorization": editor.token},
                  data={"name": "x"}, timeout=60)
    requests.get(f"{portal}/dataset/new", timeout=60)
    fields = dataset_fields()
    forged = editor.cookies.post(f"{portal}/dataset/new", timeout=60, data={
        "name": fields["name"], "title": fields["title"], "notes": fields["notes"],
        "owner_org": fields["owner_org"], "save": "continue"})
    assert forged.status_code in (400, 403), forged.status_code
    assert editor.action("package_show", id=fields["name"]).status_code == 404


def test_login_form_needs_its_token(actors, portal):
    registered = actors["registered"]
    # An anonymous visit exempts the login view in CKAN.
    requests.get(f"{portal}/user/login", timeout=60)
    requests.post(f"{portal}/user/login", data={"login": "x", "password": "y"}, timeout=60)
    victim = requests.Session()
    forged = victim.post(f"{portal}/user/login", timeout=60, data={
        "login": registered.name, "password": "Correct-Horse-Battery-42"})
    assert forged.status_code in (400, 403), forged.status_code
    assert not victim.get(f"{portal}/dashboard/datasets", timeout=60).url.endswith(
        "/dashboard/datasets")
