"""The watcher every browser test runs under (tests/browser/conftest.py)
does see a request to another host, and lets the configured map tiles
through: without this, the rule "no page asks another host than the
portal's" could pass by never recording anything."""

from __future__ import annotations

from .conftest import FOREIGN_REQUESTS, _tile_host
from .shared import new_page

ELSEWHERE = "http://127.0.0.2:9/lib.js"


def test_a_request_to_another_host_is_recorded_and_tiles_are_not(shared_browser, ckan_config):
    tile = ckan_config["ckanext.spatial.common_map.custom_url"].format(s="a", z=1, x=0, y=0)
    assert _tile_host().match(tile.split("/")[2])
    page = new_page(shared_browser)
    page.set_content(f'<script src="{ELSEWHERE}"></script><img src="{tile}" alt="">')
    page.context.close()
    recorded = list(FOREIGN_REQUESTS)
    FOREIGN_REQUESTS.clear()  # this test's leak is on purpose
    assert recorded == [ELSEWHERE]
