"""Per-source cron schedules and hung-job timeouts."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from ckan import model
from ckan.tests import factories
from ckan.tests.helpers import call_action

from metropole_harvesters.pipeline import schedule

from ..ckan_harvest import HARVESTERS, NEEDS_INDEX

UTC = timezone.utc


def test_last_fire_is_paris_time_across_dst():
    # "0 2 * * *" is 02:00 in Paris: 01:00 UTC in winter, 00:00 UTC in summer.
    winter = schedule.last_fire("0 2 * * *", datetime(2026, 1, 15, 12, 0, tzinfo=UTC))
    summer = schedule.last_fire("0 2 * * *", datetime(2026, 7, 15, 12, 0, tzinfo=UTC))
    assert winter.astimezone(UTC).hour == 1 and summer.astimezone(UTC).hour == 0


def test_due_at_minute_five_each_hour():
    cron = "5 * * * *"
    at = datetime(2026, 3, 30, 8, 5, tzinfo=UTC)
    assert schedule.is_due(cron, None, at)                                 # never run
    assert schedule.is_due(cron, at - timedelta(minutes=1), at)            # exact fire time
    assert not schedule.is_due(cron, at, at + timedelta(minutes=30))       # ran at :05
    assert schedule.is_due(cron, at, at + timedelta(minutes=61))           # next :05


@NEEDS_INDEX
@HARVESTERS
@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "clean_queues")
class TestRunDueSources:
    def _source(self, cron: str, job_timeout: str = "PT1H") -> dict:
        user = factories.Sysadmin()["name"]
        return call_action("harvest_source_create", {"ignore_auth": True, "user": user},
                           name="sched", title="Sched", url="http://127.0.0.1:9/sta",
                           source_type="sensorthings", owner_org=factories.Organization()["id"],
                           config=json.dumps({"schedule": cron, "job_timeout": job_timeout}))

    def _context(self) -> dict:
        return {"ignore_auth": True, "user": factories.Sysadmin()["name"]}

    def test_due_source_gets_one_job(self):
        source = self._source("5 * * * *")
        now = datetime.now(UTC)
        assert schedule.run_due_sources(self._context(), now) == [source["id"]]
        # the job is pending (and anyway not due again before the next :05)
        assert schedule.run_due_sources(self._context(), now) == []
        jobs = call_action("harvest_job_list", source_id=source["id"])
        assert len(jobs) == 1 and jobs[0]["status"] == "Running"

    def test_source_without_schedule_is_left_to_ckanext_harvest(self):
        user = factories.Sysadmin()["name"]
        call_action("harvest_source_create", {"ignore_auth": True, "user": user},
                    name="manual", title="Manual", url="http://127.0.0.1:9/sta",
                    source_type="sensorthings", owner_org=factories.Organization()["id"])
        assert schedule.run_due_sources(self._context()) == []

    def test_hung_job_is_failed_and_does_not_block_the_next(self):
        from ckanext.harvest.model import HarvestJob

        source = self._source("*/10 * * * *", job_timeout="PT30M")
        now = datetime.now(UTC)
        schedule.run_due_sources(self._context(), now)
        job = model.Session.query(HarvestJob).filter_by(source_id=source["id"]).one()
        # 45 minutes later the job is still "Running": over its 30 min timeout.
        later = now + timedelta(minutes=45)
        started = schedule.run_due_sources(self._context(), later)
        model.Session.refresh(job)
        assert job.status == "Finished"
        assert "still running after 30 min" in job.gather_errors[0].message
        assert started == [source["id"]]
        jobs = call_action("harvest_job_list", source_id=source["id"])
        assert sorted(j["status"] for j in jobs) == ["Finished", "Running"]
