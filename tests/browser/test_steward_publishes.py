"""A commune's steward publishes a dataset through the web form, in French:
a charter rule is refused with its message, fixed, and the dataset is then
found in search."""

from __future__ import annotations

import uuid

import pytest

from ..helpers import MARSEILLE
from .conftest import log_in, screenshot

pytestmark = pytest.mark.usefixtures("catalogue")


def test_steward_creates_a_dataset_with_a_resource_and_finds_it(page, live_server, steward):
    name, password = steward
    title = f"Bancs publics du Vieux-Port {uuid.uuid4().hex[:6]}"

    log_in(page, live_server, name, password, shot="steward-01-login")

    page.goto(f"{live_server}/dataset/new")
    assert page.locator("html").get_attribute("lang").startswith("fr")
    # CKAN starts its JavaScript modules once its translations have loaded:
    # the URL preview appears when the title's listener is in place.  Typed
    # earlier, the title leaves the dataset's URL empty (seen under load).
    page.locator(".slug-preview").wait_for()
    page.fill("#field-title", title)
    page.wait_for_function("document.querySelector('#field-name').value !== ''")
    page.fill("#field-notes", "Emplacement des bancs publics autour du Vieux-Port.")
    page.select_option("#field-communes", MARSEILLE)
    page.check("input[name=themes][value=services]")
    # Breaks the charter: open data under the partner convention.
    page.select_option("#field-license_id", "partner-convention")
    screenshot(page, "steward-02-form")
    page.click("button[name=save]")
    page.wait_for_load_state("networkidle")

    error = page.locator(".error-explanation, .error-block, .invalid-feedback").first
    error.wait_for()
    assert "doivent être publiées sous une licence ouverte" in page.content()
    screenshot(page, "steward-03-charter-refused")

    page.select_option("#field-license_id", "etalab-2.0")
    # CKAN proposes "private" for a new dataset; open data is published.
    page.select_option("#field-private", "False")
    page.click("button[name=save]")
    page.wait_for_load_state("networkidle")
    screenshot(page, "steward-04-charter-fixed")
    # Second stage: the resource.
    page.click("#resource-link-button")
    page.fill("#field-resource-url", "https://example.org/bancs-vieux-port.csv")
    page.fill("#field-name", "Bancs publics (CSV)")
    screenshot(page, "steward-05-resource")
    page.click("button[name=save][value=go-metadata]")
    page.wait_for_load_state("networkidle")
    screenshot(page, "steward-06-dataset")
    assert title in page.content()

    page.goto(f"{live_server}/dataset/?q=bancs+vieux-port")
    page.wait_for_load_state("networkidle")
    screenshot(page, "steward-07-search")
    assert page.locator(f"a:has-text('{title}')").count() >= 1
