"""Nothing breaks at 320 px wide (RGAA 10.11 / WCAG 1.4.10 reflow): on each
main page at 320×640 the document is not wider than the viewport, so there
is no horizontal scrolling."""

from __future__ import annotations

import pytest

from ..community.conftest import community_tables  # noqa: F401  (the plugin's tables)
from .community_content import community_content  # noqa: F401
from .conftest import screenshot
from .shared import new_page
from .test_accessibility import PAGES

pytestmark = pytest.mark.usefixtures("catalogue")


@pytest.mark.parametrize(("name", "path"), PAGES, ids=[name for name, _ in PAGES])
def test_page_fits_320_pixels(shared_server, shared_browser, site_content, community_content,  # noqa: F811
                              name, path):
    page = new_page(shared_browser, width=320, height=640)
    response = page.goto(shared_server + path.format(**site_content, **community_content))
    assert response.status == 200
    page.wait_for_load_state("networkidle")
    screenshot(page, f"narrow-320-{name}")
    width = page.evaluate("document.documentElement.scrollWidth")
    wider = page.evaluate("""() => [...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right > 321)
        .slice(0, 8).map(e => e.tagName + '.' + [...e.classList].join('.'))""")
    page.context.close()
    assert width <= 320, f"{path} is {width} px wide at 320 px; too wide: {wider}"
