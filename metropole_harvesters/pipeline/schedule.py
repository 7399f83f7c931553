"""Per-source cron schedules, on top of ckanext-harvest's frequencies.

ckanext-harvest schedules by frequency (hourly at the earliest minute,
daily at most); sensors want "every hour at minute 5", GIS layers "every
night at 02:30". A source's config ``schedule`` holds a cron expression read
in Europe/Paris time. The portal's scheduler (``ckan metropole scheduler``)
calls :func:`run_due_sources` every minute:

1. jobs running longer than the source's ``job_timeout`` (default 1 h) are
   marked finished with an error saying so, and their pending objects as
   errored — a hung job must not block the next one;
2. a source is due when the latest cron time ≤ now is after its last job's
   creation; due sources without a pending job get a new job on the gather
   queue (``harvest_job_create``).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone
from typing import Any

import ckan.plugins.toolkit as toolkit
from ckan import model
from ckanext.harvest.model import HarvestGatherError, HarvestJob, HarvestObject, HarvestSource

from metropole_core.harvest_schedule import last_fire, source_cron

from . import config as cfg

log = logging.getLogger(__name__)
DEFAULT_JOB_TIMEOUT = timedelta(hours=1)


def is_due(cron: str, last_job: datetime | None, now: datetime) -> bool:
    return last_job is None or last_job < last_fire(cron, now)


def run_due_sources(context: dict[str, Any], now: datetime | None = None) -> list[str]:
    """Start the due sources' jobs; returns the ids of the sources started."""
    now = now or datetime.now(timezone.utc)
    fail_hung_jobs(now)
    started = []
    for source in model.Session.query(HarvestSource).filter(HarvestSource.active == True):  # noqa: E712
        cron = source_cron(source.config)
        if cron is None:
            continue
        if _pending_job(source.id) is not None:
            continue
        if not is_due(cron, _last_job_created(source.id), now):
            continue
        try:
            toolkit.get_action("harvest_job_create")({**context}, {"source_id": source.id,
                                                                   "run": True})
        except Exception as error:  # one bad source must not stop the others
            log.error("scheduler: cannot start a job for %s: %s", source.url, error)
            continue
        log.info("scheduler: started a job for %s (%s)", source.url, cron)
        started.append(source.id)
    return started


def fail_hung_jobs(now: datetime) -> list[str]:
    """Mark jobs running for longer than their source's job_timeout as
    finished, with a gather error explaining why."""
    failed = []
    jobs = model.Session.query(HarvestJob).filter(HarvestJob.status.in_(["New", "Running"]))
    for job in jobs:
        timeout = _job_timeout(job.source)
        started = _utc(job.gather_started or job.created)
        if now - started <= timeout:
            continue
        minutes = int(timeout.total_seconds() // 60)
        HarvestGatherError(message=f"Job stopped by the scheduler: still running after "
                                   f"{minutes} min (job_timeout); the next run starts "
                                   "normally and resumes from the last published data",
                           job=job).save()
        model.Session.query(HarvestObject) \
            .filter(HarvestObject.harvest_job_id == job.id) \
            .filter(HarvestObject.state.notin_(["COMPLETE", "ERROR"])) \
            .update({"state": "ERROR", "report_status": "errored"},
                    synchronize_session=False)
        job.status = "Finished"
        job.finished = now.astimezone(timezone.utc).replace(tzinfo=None)
        job.save()
        log.warning("scheduler: job %s of %s timed out after %s min", job.id,
                    job.source.url, minutes)
        failed.append(job.id)
    model.Session.commit()
    return failed


def _job_timeout(source: HarvestSource) -> timedelta:
    try:
        value = cfg.load(source.config).get("job_timeout")
        return cfg.parse_duration(value) if value else DEFAULT_JOB_TIMEOUT
    except (cfg.ConfigError, ValueError):
        return DEFAULT_JOB_TIMEOUT


def _pending_job(source_id: str) -> HarvestJob | None:
    return model.Session.query(HarvestJob).filter(
        HarvestJob.source_id == source_id,
        HarvestJob.status.in_(["New", "Running"])).first()


def _last_job_created(source_id: str) -> datetime | None:
    job = model.Session.query(HarvestJob).filter(HarvestJob.source_id == source_id) \
        .order_by(HarvestJob.created.desc()).first()
    return _utc(job.created) if job else None


def _utc(moment: datetime) -> datetime:
    """ckanext-harvest stores naive UTC datetimes."""
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment
