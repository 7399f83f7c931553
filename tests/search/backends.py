"""Running a test on each search backend: PostgreSQL (``make run``'s) and
the SolrCloud of ``make solr-up`` (the scale-out profile's)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ckanext.metropole.search.backend_setting import BACKEND_KEY

ROOT = Path(__file__).resolve().parents[2]
BACKENDS = ("postgres", "solr")


def solr_url() -> str:
    """The collection URL the running SolrCloud wrote in its ready file."""
    state = Path(os.environ.get("METROPOLE_SOLR_STATE") or ROOT / ".metropole" / "solr")
    ready = state / "ready"
    # Fail, never skip: the Solr profile is part of what make test proves.
    assert ready.is_file(), f"no SolrCloud running ({ready} missing): run `make solr-up`"
    return ready.read_text(encoding="utf-8").strip()


@pytest.fixture(params=BACKENDS)
def backend(request, ckan_config, monkeypatch) -> str:
    """The backend under test, set before the test writes anything; the
    Solr collection starts empty of this site's documents."""
    import ckan.lib.search as search

    monkeypatch.setitem(ckan_config, BACKEND_KEY, request.param)
    if request.param == "solr":
        monkeypatch.setitem(ckan_config, "solr_url", solr_url())
        search.clear_all()
    return request.param
