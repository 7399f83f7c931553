"""The home page's communes block: every commune counted, the busiest first."""

from __future__ import annotations

import re

import pytest

from metropole_core import commune_registry as registry

from ..helpers import MARSEILLE, api, dataset_fields, org_name

pytestmark = pytest.mark.usefixtures("catalogue")


def test_home_counts_every_commune_and_lists_publishers_first(app):
    api("package_create", **dataset_fields())   # Marseille publishes at least one
    html = app.get("/").get_data(as_text=True)
    # organization_list with all_fields stops at 25 organisations: the
    # metropole has 92 communes, and the block says so.
    total = len(registry.communes())
    assert total > 25
    assert f"Les {total} communes et producteurs" in html
    block = html[html.index('id="home-communes"'):html.index('id="home-latest"')]
    counts = [int(n) for n in re.findall(r'metropole-tile-count">(\d+) jeux? de donn', block)]
    assert counts and counts[0] >= 1 and counts == sorted(counts, reverse=True)
    assert f'href="/organization/{org_name(MARSEILLE)}"' in block
