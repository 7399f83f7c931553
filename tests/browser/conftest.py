"""A real browser (Playwright driving Debian's Chromium, headless) against
the portal served over real HTTP on loopback by a thread of the test process.

`make test` installs Chromium when it is missing; a missing browser is a
failure here, never a skip (CI must run these tests)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from ..live_server import LiveServer

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


def _chromium() -> str:
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    pytest.fail("Chromium is not installed: `make test` installs it (apt-get install chromium).")


@pytest.fixture
def live_server(ckan_config) -> Iterator[str]:
    server = LiveServer(ckan_config)
    yield server.url
    server.stop()


@pytest.fixture
def page(live_server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=_chromium(), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
        # Basemap tiles come from the internet, which tests do not have.
        context.route("https://tile.openstreetmap.org/**", lambda route: route.abort())
        tab = context.new_page()
        tab.set_default_timeout(30000)
        yield tab
        browser.close()


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


# A server, a browser and page content shared by the tests of a module that
# only read pages (tests/browser/shared.py).
from .shared import _shared, new_page, shared_browser, shared_server, site_content  # noqa: E402,F401
