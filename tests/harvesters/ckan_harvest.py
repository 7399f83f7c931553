"""Helpers to run the sensor harvesters inside CKAN's test app.

The harvester plugins are registered by setup.py entry points
(``sensorthings_harvester``, ``ngsi_harvester``); tests provide them with
CKAN's ``with_plugins`` mark (:data:`HARVESTERS`), which works whether or not
the entry points are installed yet.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from metropole_harvesters.ngsi import NgsiHarvester
from metropole_harvesters.sensorthings import SensorThingsHarvester


def _configured_plugins() -> list[str]:
    from ckan.plugins.toolkit import config

    plugins = config.get("ckan.plugins") or []
    return plugins.split() if isinstance(plugins, str) else list(plugins)


def _harvesters_mark() -> pytest.MarkDecorator:
    """Add the harvester plugins the configuration does not enable already."""
    wanted = {"sensorthings_harvester": SensorThingsHarvester,
              "ngsi_harvester": NgsiHarvester}
    missing = {k: v for k, v in wanted.items() if k not in _configured_plugins()}
    return pytest.mark.with_plugins(missing) if missing else pytest.mark.with_plugins()


HARVESTERS = _harvesters_mark()


def _indexing_available() -> bool:
    """package_create needs a search index: the PostgreSQL backend plugin,
    or a Solr URL when the backend is solr."""
    from ckan.plugins.toolkit import config

    return "metropole_search" in _configured_plugins() or \
        config.get("ckanext.metropole.search.backend") == "solr"


# Fail, never skip: the fixture (tests/conftest.py) fails the test loudly
# when the configuration has no search index.
NEEDS_INDEX = pytest.mark.usefixtures("search_index_available")


def run_job(source_id: str) -> dict[str, Any]:
    """One harvest job of a source, run through the real stages without
    queues (ckanext-harvest's own test helper), finished by harvest_jobs_run."""
    import ckan.plugins.toolkit as toolkit
    from ckanext.harvest.model import HarvestJob, HarvestObject
    from ckanext.harvest.queue import get_harvester
    from ckanext.harvest.tests.lib import run_harvest_job

    context = {"ignore_auth": True, "user": _site_user()}
    job_dict = toolkit.get_action("harvest_job_create")(
        context, {"source_id": source_id, "run": False})
    job = HarvestJob.get(job_dict["id"])
    harvester = get_harvester(job.source.type)
    results = run_harvest_job(job, harvester)
    job = HarvestJob.get(job_dict["id"])
    objects = HarvestObject.filter(harvest_job_id=job.id).all()
    return {
        "job": job, "results": results,
        "gather_errors": [e.message for e in job.gather_errors],
        "object_errors": {o.guid: [e.message for e in o.errors] for o in objects},
        "states": {o.guid: o.state for o in objects},
    }


def _site_user() -> str:
    import ckan.plugins.toolkit as toolkit

    return toolkit.get_action("get_site_user")({"ignore_auth": True}, {})["name"]


def _box(w: float, s: float, e: float, n: float) -> str:
    return json.dumps({"type": "Polygon", "coordinates": [[[w, s], [e, s], [e, n], [w, n],
                                                            [w, s]]]})


def communes() -> dict:
    """Marseille and Aix as commune organisations with (boxed) shapes, so the
    point-in-polygon lookup has something to find."""
    from ckan.tests import factories

    from metropole_core import commune_registry

    marseille = factories.Organization(name="marseille", title="Marseille", org_kind="commune",
                                       insee_code="13055",
                                       geometry=_box(5.28, 43.17, 5.55, 43.40))
    factories.Organization(name="aix-en-provence", title="Aix-en-Provence",
                           org_kind="commune", insee_code="13001",
                           geometry=_box(5.25, 43.45, 5.60, 43.60))
    commune_registry.clear()
    return marseille
