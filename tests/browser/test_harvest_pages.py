"""A harvest source's page (issue 8, item 6): its schedule, its last runs
with counts, what the last run changed, errors only for those who may see
job reports, and a run started from the page followed without reloading it."""

from __future__ import annotations

from datetime import datetime

import pytest
from ckan import model
from ckan.tests import factories
from ckanext.harvest.model import HarvestJob, HarvestObject

from .conftest import screenshot
from .content import GATHER_ERROR, OBJECT_ERROR, SCHEDULE, make_content
from .shared import new_page

pytestmark = pytest.mark.usefixtures("catalogue")


def test_anonymous_sees_schedule_runs_and_changes_but_no_error_text(shared_server,
                                                                    shared_browser):
    content = make_content()
    page = new_page(shared_browser)
    page.goto(f"{shared_server}/harvest/{content.harvest_source}")
    panel = page.locator(".metropole-harvest").first
    text = panel.inner_text()
    screenshot(page, "harvest-source-anonymous")
    assert "Planification" in text and SCHEDULE in text and "Prochaine exécution" in text
    assert "1 ajouté(s)" in text and "1 mis à jour" in text and "2 en erreur" in text
    # The added public dataset is linked; the updated private one is not shown.
    assert panel.locator(f"a[href$='/dataset/{content.dataset}']").count() == 1
    assert content.private_dataset not in text
    assert GATHER_ERROR not in page.content() and OBJECT_ERROR not in page.content()
    page.goto(f"{shared_server}/en/harvest/{content.harvest_source}")
    assert "Schedule" in page.locator(".metropole-harvest").first.inner_text()
    page.context.close()


def test_sysadmin_runs_the_source_and_follows_progress_without_reload(shared_server,
                                                                      shared_browser):
    content = make_content()
    password = "Sysadmin-Password-2026"
    admin = factories.Sysadmin(password=password)
    page = new_page(shared_browser)
    page.goto(f"{shared_server}/user/login")
    page.fill("#field-login", admin["name"])
    page.fill("#field-password", password)
    page.click("button[type=submit]:has-text('Se connecter')")
    page.wait_for_load_state("networkidle")

    page.goto(f"{shared_server}/harvest/{content.harvest_source}")
    errors = page.locator("details.metropole-errors")
    errors.locator("summary").click()
    assert GATHER_ERROR in errors.inner_text() and OBJECT_ERROR in errors.inner_text()
    page.evaluate("window.__notReloaded = true")
    progress = page.locator(".metropole-progress")
    page.click("button.metropole-run-now")
    # The job is on the gather queue (ckanext-harvest marks it running).
    progress.locator(":text('Recensement de ce qu’il faut récupérer')").wait_for()
    assert progress.locator(".metropole-progress-label").inner_text() == "En cours"
    assert page.locator("button.metropole-run-now").is_disabled()
    job = model.Session.query(HarvestJob).filter_by(source_id=content.harvest_source_id) \
        .filter(HarvestJob.status.in_(["New", "Running"])).one()

    # The gather stage found two objects and one is done: the page follows.
    job.gather_started, job.gather_finished = datetime.utcnow(), datetime.utcnow()
    for guid, state in (("a", "COMPLETE"), ("b", "FETCH")):
        HarvestObject(guid=guid, job=job, harvest_source_id=content.harvest_source_id,
                      state=state).save()
    model.Session.commit()
    progress.locator(":text('1 objets sur 2 récupérés et importés')").wait_for()
    assert progress.locator(".metropole-progress-label").inner_text() == "En cours"
    screenshot(page, "harvest-source-progress")

    job.status, job.finished = "Finished", datetime.utcnow()
    model.Session.query(HarvestObject).filter_by(harvest_job_id=job.id, guid="b") \
        .update({"state": "COMPLETE"})
    model.Session.commit()
    progress.locator(".metropole-progress-label:has-text('Terminé')").wait_for()
    assert "2 objets sur 2" in progress.inner_text()
    assert progress.locator(".metropole-progress-reload").is_visible()
    assert page.evaluate("window.__notReloaded") is True
    page.context.close()
