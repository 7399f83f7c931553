"""The JSON progress of a harvest source: the source page's permission, and
nothing for what is not a harvest source."""

from __future__ import annotations

import json
import uuid

import pytest

from ..helpers import MARSEILLE, api, dataset_fields, org_name

pytestmark = pytest.mark.usefixtures("catalogue")


def _source(private: bool) -> dict:
    suffix = uuid.uuid4().hex[:8]
    return api("harvest_source_create", name=f"progres-{suffix}", title=f"Progrès {suffix}",
               url=f"https://capteurs.example.org/{suffix}", source_type="sensorthings",
               owner_org=org_name(MARSEILLE), private=private,
               config=json.dumps({"communes": [MARSEILLE], "schedule": "5 * * * *"}))


def test_progress_of_a_source_without_jobs(app):
    source = _source(private=False)
    response = app.get(f"/harvest/{source['name']}/progress.json")
    assert response.status_code == 200
    assert "no-store" in response.headers["Cache-Control"]
    body = response.json
    assert body["job_id"] is None and body["active"] is False and body["percent"] == 0


def test_progress_is_refused_where_the_source_page_is(app):
    source = _source(private=True)
    assert app.get(f"/harvest/{source['id']}/progress.json").status_code == 403


def test_progress_of_what_is_not_a_source_is_not_found(app):
    dataset = api("package_create", **dataset_fields())
    assert app.get(f"/harvest/{dataset['id']}/progress.json").status_code == 404
    assert app.get("/harvest/no-such-source/progress.json").status_code == 404
