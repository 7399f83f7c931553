"""What a harvest source's page shows: its schedule, its last runs with their
counts and errors, the datasets the last run changed, and the progress of the
running job (polled by the page).

Permissions follow ckanext-harvest: whoever may see the source sees its
schedule, its runs and their counts; error messages are shown only to those
who may see job reports (``harvest_job_show``: the source's editors and
sysadmins); changed datasets are read with ``package_show`` in the user's
context, so a private dataset never appears to someone who may not see it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from typing import Any

import ckan.plugins.toolkit as toolkit
from ckan import model
from ckanext.harvest.model import HarvestJob, HarvestObject, HarvestSource
from sqlalchemy import func

from metropole_core.harvest_schedule import next_fire, source_cron

RUNS_SHOWN = 5
CHANGES_SHOWN = 20
DONE_STATES = ("COMPLETE", "ERROR")


@dataclass
class Schedule:
    cron: str | None
    frequency: str | None
    next_run: datetime | None  # Paris time


@dataclass
class Progress:
    job_id: str | None
    status: str | None  # New, Running, Finished (ckanext-harvest's)
    gathered: bool = False
    total: int = 0
    done: int = 0

    @property
    def percent(self) -> int:
        return int(100 * self.done / self.total) if self.total else 0

    def as_json(self) -> dict[str, Any]:
        return {**asdict(self), "percent": self.percent,
                "active": self.status in ("New", "Running")}


def _context() -> dict[str, Any]:
    return {"model": model, "session": model.Session, "user": toolkit.g.user or ""}


def _allowed(action: str, data: dict[str, Any]) -> bool:
    try:
        toolkit.check_access(action, _context(), data)
        return True
    except (toolkit.NotAuthorized, toolkit.ObjectNotFound):
        return False


def can_see_reports(source_id: str) -> bool:
    return _allowed("harvest_source_update", {"id": source_id})


def schedule(source_id: str, now: datetime | None = None) -> Schedule:
    """The cron of the portal's scheduler (config ``schedule``, Paris time)
    with its next run, or ckanext-harvest's own frequency. Read from the
    source's row: ckanext-harvest shows its config only to its editors (it
    may hold credentials), and only the schedule is taken from it."""
    source = HarvestSource.get(source_id)
    if source is None:
        return Schedule(cron=None, frequency=None, next_run=None)
    cron = source_cron(source.config)
    next_run = next_fire(cron, now or datetime.now(timezone.utc)) if cron else None
    return Schedule(cron=cron, frequency=source.frequency, next_run=next_run)


def last_runs(source_id: str, limit: int = RUNS_SHOWN) -> list[dict[str, Any]]:
    """The latest jobs with their counts and, for those allowed, errors.
    Read as the site (job lists are editor-only in ckanext-harvest) once the
    user is known to see the source: dates and counts are not sensitive."""
    if not _allowed("harvest_source_show", {"id": source_id}):
        return []
    reports = can_see_reports(source_id)
    jobs = model.Session.query(HarvestJob).filter(HarvestJob.source_id == source_id) \
        .order_by(HarvestJob.created.desc()).limit(limit).all()
    dictize = toolkit.get_action("harvest_job_show")
    site = {"model": model, "session": model.Session, "ignore_auth": True,
            "return_error_summary": False}
    runs = []
    for job in jobs:
        run = dictize(dict(site), {"id": job.id})
        if reports:
            report = toolkit.get_action("harvest_job_report")(dict(site), {"id": job.id})
            run["gather_errors"] = [e["message"] for e in report["gather_errors"]]
            run["object_errors"] = [
                {"guid": o["guid"], "messages": [e["message"] for e in o["errors"]]}
                for o in report["object_errors"].values()]
        runs.append(run)
    return runs


def changed_datasets(job_id: str, limit: int = CHANGES_SHOWN) -> list[dict[str, Any]]:
    """Datasets added, updated or deleted by a job, as the user may see them
    (package_show's permission, checked without dictizing each dataset)."""
    rows = model.Session.query(HarvestObject.package_id, HarvestObject.report_status,
                               model.Package.name, model.Package.title) \
        .outerjoin(model.Package, model.Package.id == HarvestObject.package_id) \
        .filter(HarvestObject.harvest_job_id == job_id,
                HarvestObject.report_status.in_(["added", "updated", "deleted"]),
                HarvestObject.package_id.isnot(None)) \
        .order_by(HarvestObject.report_status, HarvestObject.import_finished.desc()) \
        .limit(limit).all()
    return [{"name": name, "title": title or name, "status": status}
            for package_id, status, name, title in rows
            if name is not None and _allowed("package_show", {"id": package_id})]


def progress(source_id: str) -> Progress:
    """The latest job of a source and how far it got: objects fetched and
    imported (COMPLETE or ERROR) out of those the gather stage found."""
    job = model.Session.query(HarvestJob).filter(HarvestJob.source_id == source_id) \
        .order_by(HarvestJob.created.desc()).first()
    if job is None:
        return Progress(job_id=None, status=None)
    counts = dict(model.Session.query(HarvestObject.state, func.count(HarvestObject.id))
                  .filter(HarvestObject.harvest_job_id == job.id)
                  .group_by(HarvestObject.state).all())
    return Progress(job_id=job.id, status=job.status,
                    gathered=job.gather_finished is not None,
                    total=sum(counts.values()),
                    done=sum(counts.get(state, 0) for state in DONE_STATES))

