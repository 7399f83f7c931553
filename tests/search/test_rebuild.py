"""``ckan metropole search rebuild`` with datasets deleted and purged while it runs.

The rebuild fills a shadow table from a list of datasets taken at its start,
then swaps it in.  Whatever users delete or purge meanwhile must stay out of
search after the swap, and what they create or change must be in it.
"""

from __future__ import annotations

import pytest
from ckan.tests import factories
from ckan.tests.helpers import call_action

from ckanext.metropole.search import rebuild, storage

pytestmark = [
    pytest.mark.ckan_config("ckan.plugins", "metropole_search"),
    pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index"),
]


def names() -> list[str]:
    found = call_action("package_search", rows=100, include_private=True)["results"]
    return sorted(d["name"] for d in found)


def sysadmin_context() -> dict:
    return {"user": factories.Sysadmin()["name"], "ignore_auth": True}


def test_datasets_deleted_or_purged_during_a_rebuild_stay_out_of_search(monkeypatch):
    for name in ("kept", "changed", "deleted-late", "purged-late", "purged-early",
                 "deleted-early"):
        factories.Dataset(name=name)
    context = sysadmin_context()

    def purge(name: str) -> None:
        call_action("dataset_purge", dict(context), id=name)

    def delete(name: str) -> None:
        call_action("package_delete", dict(context), id=name)

    # After the rebuild listed the datasets, before any was indexed: one
    # vanishes before its turn, one is deleted before its turn.
    create_shadow = storage.create_shadow

    def listed_then_changed(site_id: str) -> None:
        create_shadow(site_id)
        purge("purged-early")
        delete("deleted-early")

    # Every dataset is in the shadow table, the swap has not happened yet.
    swap_shadow = storage.swap_shadow

    def indexed_then_changed() -> None:
        delete("deleted-late")
        purge("purged-late")
        call_action("package_patch", dict(context), id="changed", title="Changé")
        factories.Dataset(name="created-late")
        swap_shadow()

    monkeypatch.setattr(storage, "create_shadow", listed_then_changed)
    monkeypatch.setattr(storage, "swap_shadow", indexed_then_changed)
    summary = rebuild.rebuild(processes=1)

    assert names() == ["changed", "created-late", "kept"]
    assert call_action("package_search", q="name:changed")["results"][0]["title"] == "Changé"
    # A dataset purged before its turn is not a failure of the rebuild.
    assert summary["failures"] == 0
    assert summary["datasets"] == 6
    # The next writes keep the swapped-in index and its counts exact.
    factories.Dataset(name="after")
    result = call_action("package_search", **{"facet.field": '["organization"]'})
    assert result["count"] == 4
