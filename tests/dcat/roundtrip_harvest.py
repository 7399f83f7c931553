"""Run by the round-trip test in a separate process, on the second catalogue:
harvest a DCAT catalogue URL with the metropole_dcat harvester and print the
harvested datasets (and errors) as JSON. A separate process because CKAN binds
one database per process.

    python tests/dcat/roundtrip_harvest.py <ckan.ini> <catalogue URL>
"""

from __future__ import annotations

import json
import sys


def main(ini: str, url: str) -> None:
    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    app = make_app(load_config(ini))
    with app._wsgi_app.test_request_context():
        from ckan import model
        from ckan.tests.helpers import call_action
        from ckanext.harvest.model import HarvestGatherError
        from ckanext.harvest.tests.factories import HarvestJobObj, HarvestSourceObj
        from ckanext.harvest.tests.lib import run_harvest_job

        from ckanext.metropole.communes.loader import existing_by
        from ckanext.metropole.dcat.harvesters import MetropoleDCATHarvester

        epci = existing_by("siren")["200054807"]
        source = HarvestSourceObj(url=url, source_type="metropole_dcat", owner_org=epci.id,
                                  name="aller-retour")
        job = HarvestJobObj(source=source, run=False)
        results = run_harvest_job(job, MetropoleDCATHarvester())
        gather_errors = [e.message for e in model.Session.query(HarvestGatherError)
                         .filter_by(harvest_job_id=job.id)]
        datasets = [r["dataset"] for r in results.values() if r.get("dataset")]
        errors = gather_errors + [e.message for r in results.values() for e in r["errors"]]
        for dataset in datasets:
            dataset["organization_extras"] = call_action(
                "organization_show", context={"ignore_auth": True},
                id=dataset["owner_org"])
    print(json.dumps({"datasets": datasets, "errors": errors}, default=str))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
