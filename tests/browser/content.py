"""What the page-level browser tests look at: a public dataset of Marseille,
and a harvest source whose last run added it, updated a private dataset and
met errors. Runs are written as ckanext-harvest's own rows in the test
database (the harvesters themselves are tested in tests/harvesters)."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from ckan import model
from ckanext.harvest.model import HarvestGatherError, HarvestJob, HarvestObject, HarvestObjectError

from ..helpers import MARSEILLE, api, dataset_fields, org_name

SCHEDULE = "5 * * * *"
GATHER_ERROR = "Serveur SensorThings injoignable pour le flux 42"
OBJECT_ERROR = "Unité inconnue pour le capteur bruit-17"


@dataclass
class Content:
    dataset: str
    private_dataset: str
    commune: str
    harvest_source: str
    harvest_source_id: str
    resource: str

    def paths(self) -> dict[str, str]:
        return {"dataset": self.dataset, "commune": self.commune,
                "harvest_source": self.harvest_source, "resource": self.resource}


def make_content() -> Content:
    suffix = uuid.uuid4().hex[:8]
    public = api("package_create", **dataset_fields(
        name=f"comptages-velos-{suffix}", title=f"Comptages vélos du Vieux-Port {suffix}",
        # a link in the description, as harvested datasets have (their source)
        notes="Passages de vélos par heure. Source : https://example.org/compteurs",
        # a long URL, as harvested files have: it must wrap on a phone
        resources=[{"name": "Comptages horaires", "format": "CSV",
                    "url": "https://example.org/compteurs/exports/comptages-horaires-"
                           "vieux-port-quai-du-port-2026-11.csv"}]))
    private = api("package_create", **dataset_fields(
        name=f"interne-{suffix}", title=f"Jeu interne {suffix}", private=True,
        access_level="internal", license_id="partner-convention"))
    source = api("harvest_source_create", name=f"capteurs-{suffix}",
                 title=f"Capteurs de la métropole {suffix}",
                 url=f"https://capteurs.example.org/sensorthings-{suffix}/v1.1",
                 source_type="sensorthings", owner_org=org_name(MARSEILLE),
                 config=json.dumps({"schedule": SCHEDULE}))
    _finished_run(source["id"], added=public["id"], updated=private["id"])
    return Content(dataset=public["name"], private_dataset=private["title"],
                   commune=org_name(MARSEILLE), harvest_source=source["name"],
                   harvest_source_id=source["id"], resource=public["resources"][0]["id"])


def _finished_run(source_id: str, added: str, updated: str) -> None:
    start = datetime.utcnow() - timedelta(minutes=10)
    job = HarvestJob(source_id=source_id, status="Finished", created=start,
                     gather_started=start, gather_finished=start + timedelta(seconds=5),
                     finished=start + timedelta(minutes=1))
    job.save()
    for package_id, status in ((added, "added"), (updated, "updated")):
        HarvestObject(guid=package_id, job=job, harvest_source_id=source_id,
                      package_id=package_id, state="COMPLETE", report_status=status,
                      import_finished=start + timedelta(seconds=30)).save()
    failed = HarvestObject(guid="bruit-17", job=job, harvest_source_id=source_id,
                           state="ERROR", report_status="errored")
    failed.save()
    HarvestObjectError(object=failed, message=OBJECT_ERROR, stage="Import").save()
    HarvestGatherError(job=job, message=GATHER_ERROR).save()
    model.Session.commit()
