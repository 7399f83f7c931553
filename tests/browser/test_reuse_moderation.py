"""A user proposes a reuse through the form, a sysadmin publishes it from the
moderation queue, and the dataset's page then lists it; the community pages
(form, moderation, lists of reuses, calls and requests reached from the home
page) pass axe (no serious or critical violation) on the way."""

from __future__ import annotations

import uuid

import pytest
from axe_playwright_python.sync_playwright import Axe
from ckan.tests import factories

from ..community.conftest import community_tables  # noqa: F401  (the plugin's tables)
from ..helpers import api, dataset_fields
from .conftest import screenshot
from .test_accessibility import BLOCKING, _report

pytestmark = pytest.mark.usefixtures("catalogue")
PASSWORD = "Reuse-Password-2026"


def log_in(page, server: str, name: str) -> None:
    page.goto(f"{server}/user/login")
    page.fill("#field-login", name)
    page.fill("#field-password", PASSWORD)
    page.click("button[type=submit]:has-text('Se connecter')")
    page.wait_for_load_state("networkidle")


def log_out(page) -> None:
    page.context.clear_cookies()


def assert_accessible(page) -> None:
    violations = Axe().run(page).response["violations"]
    blocking = [v for v in violations if v["impact"] in BLOCKING]
    assert not blocking, "axe-core violations:\n" + _report(blocking)


def test_propose_then_moderate_then_see_it_on_the_dataset_page(page, live_server):
    dataset = api("package_create", **dataset_fields(title="Stationnements vélos sécurisés"))
    unique = uuid.uuid4().hex[:8]
    user = factories.User(name=f"reuser-{unique}", password=PASSWORD)
    admin = factories.Sysadmin(name=f"admin-{unique}", password=PASSWORD)
    title = f"Gare aux vélos {unique}"

    log_in(page, live_server, user["name"])
    page.goto(f"{live_server}/dataset/{dataset['name']}")
    page.click("text=Proposer une réutilisation de ce jeu de données")
    page.wait_for_load_state("networkidle")
    assert dataset["name"] in page.input_value("#field-datasets")
    page.select_option("#field-kind", "application")
    page.fill("#field-title", title)
    page.fill("#field-description", "Trouver une place sécurisée pour son vélo près des gares.")
    page.fill("#field-url", "https://gare-aux-velos.example.org/")
    page.fill("#field-author", "Association Gare aux vélos")
    page.check("#field-themes-velo-pietons")
    assert_accessible(page)
    screenshot(page, "reuse-01-proposal-form")
    page.click("button[name=save]")
    page.wait_for_load_state("networkidle")
    assert "en attente de modération" in page.content()
    assert page.locator("#reuse-status").inner_text() == "En attente"
    screenshot(page, "reuse-02-pending")

    log_out(page)
    log_in(page, live_server, admin["name"])
    page.goto(f"{live_server}/reutilisations/moderation")
    page.click(f"text={title}")
    page.wait_for_load_state("networkidle")
    assert_accessible(page)
    screenshot(page, "reuse-03-moderation")
    page.click("button[name=decision][value=publish]")
    page.wait_for_load_state("networkidle")
    assert "Modération enregistrée" in page.content()

    log_out(page)
    page.goto(f"{live_server}/dataset/{dataset['name']}")
    reuses = page.locator("#dataset-reuses")
    assert title in reuses.inner_text()
    screenshot(page, "reuse-04-dataset-page")
    page.goto(f"{live_server}/reutilisations?kind=application")
    assert page.locator(f"a:has-text('{title}')").count() == 1
    assert_accessible(page)
    screenshot(page, "reuse-05-public-list")
    # The other community pages a newcomer reaches from the home page.
    page.goto(live_server)
    for link, name in (("Appels à innovation", "calls"), ("Demandes de données", "requests")):
        page.click(f"#home-community a:has-text('{link}')")
        page.wait_for_load_state("networkidle")
        assert_accessible(page)
        screenshot(page, f"community-{name}")
        page.go_back()
