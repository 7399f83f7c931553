"""A real browser (Playwright driving Debian's Chromium, headless) against
the portal served over real HTTP on loopback by a thread of the test process.

`make test` installs Chromium when it is missing; a missing browser is a
failure here, never a skip (CI must run these tests)."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

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


# Every request a page of a browser test makes that leaves the portal (the
# origin of ckan.site_url, where the live server listens), but the map tiles.
FOREIGN_REQUESTS: list[str] = []
TILE_URL_SETTING = "ckanext.spatial.common_map.custom_url"


def _tile_host() -> re.Pattern[str] | None:
    """The basemap's tile host (the only other host a page may reach), as
    configured; a {s} sub-domain placeholder matches any sub-domain."""
    from ckan.plugins.toolkit import config

    tile_url = config.get(TILE_URL_SETTING)
    if not tile_url:
        return None
    netloc = urlsplit(tile_url).netloc
    return re.compile("^" + re.escape(netloc).replace(re.escape("{s}"), "[a-z0-9-]+") + "$")


def watch_requests(context) -> None:
    """Record every request of the context's pages that goes to another host
    than the portal's; tile requests are aborted (tests have no internet)."""
    from ckan.plugins.toolkit import config

    portal = urlsplit(config["ckan.site_url"]).netloc
    tiles = _tile_host()

    def record(request) -> None:
        parts = urlsplit(request.url)
        if parts.scheme in {"data", "blob", "about"} or parts.netloc == portal:
            return
        if tiles and parts.scheme == "https" and tiles.match(parts.netloc):
            return
        FOREIGN_REQUESTS.append(request.url)

    context.on("request", record)
    if tiles:
        context.route(lambda url: bool(tiles.match(urlsplit(url).netloc)),
                      lambda route: route.abort())


@pytest.fixture(autouse=True)
def no_request_leaves_the_portal() -> Iterator[None]:
    """Fails the browser test whose pages asked any other host than the
    portal's (a CDN, a font or analytics service…), map tiles excepted."""
    FOREIGN_REQUESTS.clear()
    yield
    leaked = list(FOREIGN_REQUESTS)
    FOREIGN_REQUESTS.clear()
    assert leaked == [], "requests to hosts other than the portal's"


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
        watch_requests(context)
        tab = context.new_page()
        tab.set_default_timeout(30000)
        yield tab
        browser.close()


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture
def steward(catalogue) -> tuple[str, str]:
    """An editor of Marseille's organisation, and their password."""
    from ckan.tests import factories

    from ..helpers import MARSEILLE, api, org_name

    password = "Steward-Password-2026"
    user = factories.User(password=password)
    api("organization_member_create", id=org_name(MARSEILLE), username=user["name"],
        role="editor")
    return user["name"], password


def log_in(page, live_server: str, name: str, password: str, shot: str | None = None) -> None:
    page.goto(f"{live_server}/user/login")
    page.fill("#field-login", name)
    page.fill("#field-password", password)
    if shot:
        screenshot(page, shot)
    page.click("button[type=submit]:has-text('Se connecter')")
    page.wait_for_load_state("networkidle")


# A server, a browser and page content shared by the tests of a module that
# only read pages (tests/browser/shared.py).
from .shared import _shared, new_page, shared_browser, shared_server, site_content  # noqa: E402,F401
