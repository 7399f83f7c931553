"""A harvest source's configuration (with the api_key the CKAN harvester
sends upstream) is seen only by its organisation's editors and sysadmins,
through every channel; it is never indexed, never in search facets, never
in the activity stream, never in DCAT; and its managers keep it."""

from __future__ import annotations

import json
import uuid

import pytest
from ckanext.harvest.model import HarvestSource

from ..helpers import MARSEILLE, api, org_name

# Its tests only read, publish and try: one server and one set of people for
# the module (tests/security/conftest.py, `actors`).
ONE_WORLD_PER_MODULE = True

SEES = {"editor_marseille", "sysadmin"}
BLIND = {"anonymous", "registered", "member_marseille", "editor_aix"}


@pytest.fixture
def secret_source(actors):
    """A public CKAN source of Marseille whose configuration holds a secret,
    created by Marseille's editor (so its activity is recorded)."""
    secret = f"cle-secrete-{uuid.uuid4().hex}"
    answer = actors["editor_marseille"].action(
        "harvest_source_create", name=f"ckan-partenaire-{uuid.uuid4().hex[:8]}",
        title="Portail CKAN partenaire", url="https://ckan.example.org",
        source_type="metropole_ckan", owner_org=org_name(MARSEILLE),
        config=json.dumps({"api_key": secret}))
    assert answer.status_code == 200, answer.text[:300]
    return answer.json()["result"], secret


def _channels(actor, source: dict) -> dict[str, str]:
    """The text each read channel gives this person about the source."""
    return {
        "harvest_source_show": actor.action("harvest_source_show", method="GET",
                                            id=source["id"]).text,
        "package_show": actor.action("package_show", method="GET", id=source["name"]).text,
        "harvest_source_list": actor.action("harvest_source_list", method="GET").text,
        "package_activity_list": actor.action("package_activity_list", method="GET",
                                              id=source["id"]).text,
        "source page": actor.get(f"/harvest/{source['name']}").text,
    }


def test_only_the_sources_managers_see_its_configuration(secret_source, actors):
    source, secret = secret_source
    for role, actor in actors.items():
        for channel, text in _channels(actor, source).items():
            if role in SEES and channel in ("harvest_source_show", "package_show"):
                assert secret in text, (role, channel)
            elif role in BLIND:
                assert secret not in text, (role, channel)


def test_the_configuration_is_never_indexed_nor_faceted(secret_source, actors):
    source, secret = secret_source
    for role, actor in actors.items():
        for params in ({"q": source["name"], "fq": "dataset_type:harvest"},
                       {"fq": "dataset_type:harvest", "facet.field": json.dumps(["config"]),
                        "facet.mincount": 0, "facet.limit": -1, "rows": 1000},
                       {"q": secret}, {"q": f"config:*{secret}*"},
                       {"fq": "+dataset_type:harvest", "facet.field":
                        json.dumps(["extras_config", "config"])}):
            answer = actor.action("package_search", method="GET", **params)
            assert secret not in answer.text, (role, params)
        # nor anything found by searching the secret's words
        found = actor.action("package_search", method="GET", q=secret,
                             fq="dataset_type:harvest", include_private=True).json()
        assert found.get("result", {}).get("count", 0) == 0, role


def test_the_configuration_is_not_in_dcat(secret_source, actors):
    source, secret = secret_source
    anonymous = actors["anonymous"]
    for path in (f"/dataset/{source['name']}.ttl", f"/dataset/{source['name']}.jsonld",
                 "/catalog.ttl", f"/harvest/{source['name']}.rdf"):
        assert secret not in anonymous.get(path).text, path


def test_managers_keep_the_configuration_when_they_edit(secret_source, actors):
    """The index no longer holds the configuration: what managers read and
    save still has it (the edit form, a patch of another field)."""
    source, secret = secret_source
    editor = actors["editor_marseille"]
    assert secret in editor.get(f"/harvest/edit/{source['name']}").text
    patched = editor.action("harvest_source_patch", id=source["id"], title="Nouveau titre")
    assert patched.status_code == 200, patched.text[:300]
    assert secret in (HarvestSource.get(source["id"]).config or "")
    assert secret in api("harvest_source_show", id=source["id"])["config"]
