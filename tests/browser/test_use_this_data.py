"""A developer copies an API snippet from a dataset page and runs it
against the portal: it gets the data."""

from __future__ import annotations

import subprocess
import sys

import pytest

from ..helpers import api, dataset_fields
from .conftest import screenshot

pytestmark = pytest.mark.usefixtures("catalogue")


@pytest.fixture
def dataset_with_table():
    dataset = api("package_create", **dataset_fields(title="Fréquentation des plages"))
    api("datastore_create", resource={"package_id": dataset["id"], "name": "Plages",
                                      "format": "CSV"},
        fields=[{"id": "plage", "type": "text"}, {"id": "visiteurs", "type": "int"}],
        records=[{"plage": "Prophète", "visiteurs": 1200},
                 {"plage": "Catalans", "visiteurs": 950}], force=True)
    return dataset


def run(command: list[str]) -> str:
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_copy_a_snippet_and_run_it(page, live_server, dataset_with_table):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)
    page.goto(f"{live_server}/dataset/{dataset_with_table['name']}")
    panel = page.locator("#use-data")
    assert panel.get_by_role("heading", name="Utiliser ces données").is_visible()
    ckanapi = panel.locator(".metropole-snippet:has(code[data-snippet=ckanapi])")
    ckanapi.scroll_into_view_if_needed()
    ckanapi.get_by_role("button", name="Copier — Python (ckanapi)").click()
    status = ckanapi.get_by_role("status")
    status.filter(has_text="Copié").wait_for()
    screenshot(page, "use-data-01-copied")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == ckanapi.locator("code").inner_text()

    out = run([sys.executable, "-c", copied])
    assert "Fréquentation des plages" in out and "Prophète" in out and "Catalans" in out

    curl = panel.locator("code[data-snippet=curl]").inner_text()
    out = run(["bash", "-c", curl])
    assert '"success": true' in out and "Catalans" in out

    pandas = panel.locator("code[data-snippet=pandas]").inner_text()
    out = run([sys.executable, "-c", pandas])
    assert "Prophète" in out and "visiteurs" in out
