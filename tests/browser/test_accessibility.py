"""axe-core (the copy shipped inside axe-playwright-python, no network) on the
portal's main pages in Chromium: no violation of impact serious or critical,
in French and in English. Each page also gets a screenshot.

PAGES is a list of paths so that pages are easy to add; ``{name}`` fields are
filled from the content made by tests/browser/content.py."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from ..community.conftest import community_tables  # noqa: F401  (the plugin's tables)
from .community_content import community_content  # noqa: F401
from .conftest import screenshot
from .shared import new_page

pytestmark = pytest.mark.usefixtures("catalogue")

PAGES = [
    ("home", "/"),
    ("search", "/dataset/"),
    # applied filters show as pills above the results
    ("search-filtered", "/dataset/?q=v%C3%A9los&vocab_themes=velo-pietons"),
    ("dataset", "/dataset/{dataset}"),
    ("resource", "/dataset/{dataset}/resource/{resource}"),
    ("login", "/user/login"),
    ("commune", "/organization/{commune}"),
    ("harvest-source", "/harvest/{harvest_source}"),
    # the dashboards with sensor data are checked in test_charts.py too
    ("dashboards", "/tableaux-de-bord"),
    ("dashboard", "/tableaux-de-bord/velo-pietons"),
    # the community's lists and a reuse's page (the forms, a call's and a
    # request's pages are checked, logged in, by the flows that fill them)
    ("reuses", "/reutilisations"),
    ("reuse", "/reutilisations/{reuse}"),
    ("calls", "/appels"),
    ("requests", "/demandes"),
]
# Every page in French (the default); the English version of a few, whose
# markup is the same with other words.
IN_ENGLISH = ("home", "dataset", "harvest-source")
CASES = [(name, path, "") for name, path in PAGES] + \
    [(name, path, "/en") for name, path in PAGES if name in IN_ENGLISH]
BLOCKING = {"serious", "critical"}


def _report(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:10]:
            lines.append(f"    {', '.join(map(str, node['target']))}: {node['html'][:200]}")
    return "\n".join(lines)


@pytest.mark.parametrize(("name", "path", "language"), CASES,
                         ids=[f"{name}-{lang.strip('/') or 'fr'}" for name, _, lang in CASES])
def test_no_serious_or_critical_violation(shared_server, shared_browser, site_content,
                                          community_content, name, path, language):  # noqa: F811
    page = new_page(shared_browser)
    response = page.goto(shared_server + language + path.format(**site_content,
                                                                **community_content))
    assert response.status == 200
    page.wait_for_load_state("networkidle")
    screenshot(page, f"a11y-{name}-{language.strip('/') or 'fr'}")
    results = Axe().run(page).response
    blocking = [v for v in results["violations"] if v["impact"] in BLOCKING]
    print(_report(results["violations"]))
    page.context.close()
    assert not blocking, "axe-core violations:\n" + _report(blocking)
