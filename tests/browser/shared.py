"""A live server and a browser shared by the tests of one module, for tests
that only read pages (accessibility, narrow screens): building CKAN's app and
launching Chromium for each of them would cost ~8 s a page.

The app is built during the module's first test, once its plugins are loaded
(CKAN's with_plugins loads them per test, with the same list every time).
tests/browser/conftest.py imports the fixtures, so every module of the
folder can use them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ..live_server import LiveServer
from .conftest import CHROMIUM_ARGS, _chromium, watch_requests


class _Shared:
    def __init__(self) -> None:
        self.url: str | None = None
        self.server: LiveServer | None = None
        self.playwright = None
        self.browser = None

    def start_server(self, ckan_config) -> str:
        self.server = LiveServer(ckan_config)
        self.url = self.server.url
        return self.url

    def start_browser(self):
        from playwright.sync_api import sync_playwright

        self.playwright = sync_playwright().start()
        self.browser = self.playwright.chromium.launch(executable_path=_chromium(),
                                                       args=CHROMIUM_ARGS)
        return self.browser

    def stop(self) -> None:
        if self.browser is not None:
            self.browser.close()
            self.playwright.stop()
        if self.server is not None:
            self.server.stop()


@pytest.fixture(scope="module")
def _shared() -> Iterator[_Shared]:
    shared = _Shared()
    yield shared
    shared.stop()


@pytest.fixture
def shared_server(_shared, ckan_config, load_portal_plugins) -> str:
    return _shared.url or _shared.start_server(ckan_config)


@pytest.fixture
def shared_browser(_shared):
    return _shared.browser or _shared.start_browser()


_CONTENT: dict[str, str] = {}


@pytest.fixture
def site_content(load_portal_plugins) -> dict[str, str]:
    """The pages' content (tests/browser/content.py), made once per session:
    it is only read, and the plugins it needs are loaded per test, so this
    cannot be a session-scoped fixture."""
    from ckan import model

    from .content import make_content

    # Made again when a test in between reset the database (test_charts does).
    if not _CONTENT or model.Package.get(_CONTENT["dataset"]) is None:
        _CONTENT.clear()
        _CONTENT.update(make_content().paths())
    return _CONTENT


def new_page(browser, width: int = 1280, height: int = 900, locale: str = "fr-FR"):
    """A fresh context (no cookies) and page whose requests are watched
    (tiles aborted: no internet)."""
    context = browser.new_context(viewport={"width": width, "height": height}, locale=locale)
    watch_requests(context)
    page = context.new_page()
    page.set_default_timeout(30000)
    return page
