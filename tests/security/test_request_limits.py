"""Transport limits (issue 12, "Denial of service" and "Headers and
errors"): bodies beyond the limit are answered 413 before a worker reads
them, multipart uploads may be as large as ckan.max_resource_size, and JSON
nested too deep is answered 400 with a message instead of a 500."""

from __future__ import annotations

import json

import requests

from ckanext.metropole.security.request_limits import json_depth_exceeds

MB = 1024 * 1024


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def test_depth_check_counts_brackets_outside_strings():
    assert not json_depth_exceeds(_nested(64).encode(), 64)
    assert json_depth_exceeds(_nested(65).encode(), 64)
    assert not json_depth_exceeds(json.dumps({"q": "[" * 500}).encode(), 64)
    assert json_depth_exceeds(json.dumps({"a": [[{"b": [1]}]]}).encode(), 4)
    assert not json_depth_exceeds(json.dumps({"a": [[{"b": [1]}]]}).encode(), 5)


def test_deep_json_is_a_400_with_a_french_message(portal):
    answer = requests.post(f"{portal}/api/3/action/package_search",
                           data='{"q": ' + _nested(3000) + "}",
                           headers={"Content-Type": "application/json"}, timeout=60)
    assert answer.status_code == 400, answer.text[:300]
    assert "trop imbriqué" in answer.json()["error"]["message"]


def test_reasonable_json_still_works(portal):
    answer = requests.post(f"{portal}/api/3/action/package_search",
                           json={"q": "vélo", "fq": "", "rows": 1}, timeout=60)
    assert answer.status_code == 200, answer.text[:300]


def test_oversized_json_body_is_a_413(portal):
    body = json.dumps({"q": "x" * (11 * MB)})
    answer = requests.post(f"{portal}/api/3/action/package_search", data=body,
                           headers={"Content-Type": "application/json"}, timeout=60)
    assert answer.status_code == 413
    assert "trop volumineuse" in answer.json()["error"]["message"]


def test_oversized_chunked_body_is_a_413(portal):
    def chunks():
        for _ in range(11):
            yield b"x" * MB

    answer = requests.post(f"{portal}/api/3/action/package_search", data=chunks(),
                           headers={"Content-Type": "application/json"}, timeout=60)
    assert answer.status_code == 413


def test_uploads_may_exceed_the_json_limit(actors):
    from ..helpers import dataset_fields

    editor = actors["editor_marseille"]
    dataset = editor.action("package_create", **dataset_fields()).json()["result"]["id"]
    answer = requests.post(f"{editor.portal}/api/3/action/resource_create",
                           headers={"Authorization": editor.token},
                           data={"package_id": dataset, "name": "gros fichier"},
                           files={"upload": ("big.csv", b"a,b\n" + b"1,2\n" * (3 * MB))},
                           timeout=120)
    assert answer.status_code == 200, answer.text[:300]
