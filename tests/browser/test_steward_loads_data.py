"""A commune's steward turns a French CSV into data through the web form
(issue 14): the upload is loaded by the jobs worker (its progress on the
resource page), typed for a French file (codes kept as text, integers,
decimals), then checked against the national parking schema once declared;
the report names the failing row; the fixed file earns the dataset its
"conforme au schéma" badge."""

from __future__ import annotations

import csv
import io
import uuid

import pytest

from ..helpers import MARSEILLE, api, dataset_fields, org_name
from ..table_schemas.conftest import FIXTURES as SCHEMA_FIXTURES
from .conftest import log_in, screenshot

pytestmark = pytest.mark.usefixtures("catalogue")

PARKING = "etalab/schema-stationnement@0.1.5"


def french_parking_csv(bad_id: bool) -> bytes:
    """The schema's valid example, moved to Marseille and written as French
    spreadsheets export it: `;`, UTF-8 with a BOM. With ``bad_id`` the second
    parking's id breaks the schema's pattern."""
    rows = list(csv.DictReader(io.StringIO(
        (SCHEMA_FIXTURES / "stationnement" / "exemple-valide.csv").read_text("utf-8"))))
    for n, row in enumerate(rows, start=1):
        row.update(id=f"13055-P-00{n}", insee="13055", nom=f"Parking du Vieux-Port {n}",
                   Xlong="5.3698", Ylat="43.2951")
    if bad_id:
        rows[1]["id"] = "P-002"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), delimiter=";")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def run_jobs() -> None:
    """The portal's jobs worker, as `ckan metropole worker` runs it."""
    from ckanext.metropole.runtime.background import job_worker

    job_worker(inline=True).work(burst=True, with_scheduler=False)


def upload_through_form(page, content: bytes) -> None:
    page.click("#resource-upload-button")
    choose_file(page, content)


def choose_file(page, content: bytes) -> None:
    page.set_input_files("#field-resource-upload", files=[{
        "name": "parkings-marseille.csv", "mimeType": "text/csv", "buffer": content}])


def reopen(page, url: str) -> None:
    """Open ``url`` afresh: the status block's script may be refreshing the
    page that is open, which would abort a navigation to the same address."""
    page.goto("about:blank")
    page.goto(url)
    page.wait_for_load_state("networkidle")


def test_steward_uploads_a_french_csv_declares_the_parking_schema_and_fixes_it(
        page, live_server, steward):
    name, password = steward
    api("job_clear")
    dataset = api("package_create", **dataset_fields(
        owner_org=org_name(MARSEILLE), title=f"Parkings de Marseille {uuid.uuid4().hex[:6]}"))
    log_in(page, live_server, name, password)

    # 1. Upload a French CSV in the web form.
    page.goto(f"{live_server}/dataset/{dataset['name']}/resource/new")
    upload_through_form(page, french_parking_csv(bad_id=True))
    page.fill("#field-name", "Parkings (CSV)")
    screenshot(page, "loading-01-upload-form")
    page.click("button[name=save][value=go-dataset-complete]")
    page.wait_for_load_state("networkidle")
    resource = api("package_show", id=dataset["id"])["resources"][0]
    resource_url = f"{live_server}/dataset/{dataset['name']}/resource/{resource['id']}"

    # 2. The load is queued: its state shows on the resource page.
    page.goto(resource_url)
    status = page.locator("#metropole-loading")
    assert status.get_attribute("data-state") == "pending"
    assert "Chargement dans le DataStore" in status.inner_text()
    screenshot(page, "loading-02-queued")

    # 3. The worker loads it: rows, table preview, French types.
    run_jobs()
    reopen(page, resource_url)
    assert page.locator("#metropole-loading").get_attribute("data-state") == "complete"
    assert "Lignes : 2 / 2" in page.locator("#metropole-loading").inner_text()
    assert page.locator("iframe.datatables-view, iframe[src*='view']").count() >= 1
    screenshot(page, "loading-03-loaded")
    types = {field["id"]: field["type"] for field in api(
        "datastore_search", resource_id=resource["id"], limit=0)["fields"]}
    assert types["insee"] == "text" and types["num_siret"] == "text"
    assert types["nb_places"] == "int8" and types["Xlong"] == "numeric"

    # 4. Declare the national parking schema: the report names the failing row.
    page.goto(f"{resource_url}/edit")
    page.fill("#field-table_schema", PARKING)
    screenshot(page, "loading-04-declare-schema")
    page.click("button[name=save]")
    page.wait_for_load_state("networkidle")
    run_jobs()
    reopen(page, resource_url)
    report = page.locator("#rapport-schema")
    assert report.locator("[data-status=invalid]").count() == 1
    problems = report.locator("table.metropole-schema-problems tbody tr")
    assert problems.count() >= 1
    assert "P-002" in problems.first.inner_text() and "id" in problems.first.inner_text()
    screenshot(page, "loading-05-report")
    page.goto(f"{live_server}/dataset/{dataset['name']}")
    assert page.locator(".metropole-schema-badge").count() == 0

    # 5. Fix the file and upload it again: the dataset conforms.
    page.goto(f"{resource_url}/edit")
    page.click("button.btn-danger.btn-remove-url")  # "replace the file"
    choose_file(page, french_parking_csv(bad_id=False))
    page.click("button[name=save]")
    page.wait_for_load_state("networkidle")
    run_jobs()
    reopen(page, resource_url)
    assert page.locator("#rapport-schema [data-status=valid]").count() == 1
    assert page.locator("#metropole-loading").get_attribute("data-state") == "complete"
    page.goto(f"{live_server}/dataset/{dataset['name']}")
    badge = page.locator(".metropole-schema-badge")
    assert badge.count() == 1
    assert "conforme au schéma Lieux de stationnement v0.1.5" in badge.inner_text()
    screenshot(page, "loading-06-badge")
