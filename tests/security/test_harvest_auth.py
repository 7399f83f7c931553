"""Harvest actions that ckanext-harvest left open: re-indexing a source,
aborting jobs, reading harvest objects and the harvest log belong to the
source's organisation's editors and to sysadmins."""

from __future__ import annotations

import json
import uuid

import pytest
from ckan import model
from ckanext.harvest.model import HarvestJob, HarvestObject

from ..helpers import MARSEILLE, api, org_name

# Its tests only read, publish and try: one server and one set of people for
# the module (tests/security/conftest.py, `actors`).
ONE_WORLD_PER_MODULE = True

MANAGERS = ("editor_marseille", "sysadmin")
OTHERS = ("anonymous", "registered", "member_marseille", "editor_aix")


@pytest.fixture
def source(actors):
    """A public source of Marseille with one finished job and one object."""
    created = api("harvest_source_create", name=f"moisson-{uuid.uuid4().hex[:8]}",
                  title="Moisson", url="https://catalogue.example.org/dcat",
                  source_type="metropole_dcat", owner_org=org_name(MARSEILLE))
    job = HarvestJob(source_id=created["id"], status="Finished")
    job.save()
    obj = HarvestObject(guid="objet-1", job=job, harvest_source_id=created["id"],
                        content=json.dumps({"title": "document brut de la source"}))
    obj.save()
    model.Session.commit()
    return {"id": created["id"], "job": job.id, "object": obj.id}


def _status(actor, action: str, **data) -> int:
    return actor.action(action, **data).status_code


def test_reindexing_a_source_is_for_its_managers(source, actors):
    for role in OTHERS:
        assert _status(actors[role], "harvest_source_reindex", id=source["id"]) == 403, role
    for role in MANAGERS:
        assert _status(actors[role], "harvest_source_reindex", id=source["id"]) == 200, role


def test_aborting_failed_jobs_is_for_sysadmins_or_the_sources_managers(source, actors):
    for role in OTHERS:
        assert _status(actors[role], "harvest_abort_failed_jobs") == 403, role
        assert _status(actors[role], "harvest_abort_failed_jobs",
                       include=source["id"]) == 403, role
    # an editor for their own sources only, never for all of them
    assert _status(actors["editor_marseille"], "harvest_abort_failed_jobs") == 403
    assert _status(actors["editor_marseille"], "harvest_abort_failed_jobs",
                   include=source["id"]) == 200
    assert _status(actors["sysadmin"], "harvest_abort_failed_jobs") == 200


def test_harvest_objects_are_for_the_sources_managers(source, actors):
    for role in OTHERS:
        shown = actors[role].action("harvest_object_show", method="GET", id=source["object"])
        assert shown.status_code == 403, role
        assert "document brut" not in shown.text, role
        listed = actors[role].action("harvest_object_list", method="GET",
                                     source_id=source["id"])
        assert listed.status_code == 403, role
    for role in MANAGERS:
        shown = actors[role].action("harvest_object_show", method="GET", id=source["object"])
        assert shown.status_code == 200 and "document brut" in shown.text, role


def test_the_harvest_log_is_for_sysadmins(actors):
    for role in (*OTHERS, "editor_marseille"):
        assert _status(actors[role], "harvest_log_list") == 403, role
    assert _status(actors["sysadmin"], "harvest_log_list") == 200


def test_job_actions_are_closed_to_others_with_a_403(source, actors):
    """Checked upstream already (but answered 500 to anonymous visitors for
    the sysadmin-only ones); the write matrix covers the rest."""
    for role in OTHERS:
        actor = actors[role]
        assert _status(actor, "harvest_job_create", source_id=source["id"]) == 403, role
        assert _status(actor, "harvest_send_job_to_gather_queue", id=source["job"]) == 403, role
        assert _status(actor, "harvest_source_clear", id=source["id"]) == 403, role
        assert _status(actor, "harvest_source_job_history_clear", id=source["id"]) == 403, role
        # sysadmin-only actions: 403, not the 500 of ckanext-harvest's check
        for action in ("harvest_sources_job_history_clear", "harvest_jobs_run",
                       "harvest_sources_reindex", "harvest_job_create_all",
                       "harvest_objects_import"):
            assert _status(actor, action) == 403, (role, action)
        assert _status(actor, "harvest_job_abort", source_id=source["id"]) == 403, role
        assert actor.action("harvest_job_report", method="GET",
                            id=source["job"]).status_code == 403, role
