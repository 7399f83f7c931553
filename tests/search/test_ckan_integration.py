"""The backend under CKAN itself: actions, visibility, cache, CLI, plugins."""

from __future__ import annotations

import json
import logging

import ckan.lib.search as search
import ckan.lib.search.common as search_common
import pytest
from ckan.cli.cli import ckan as ckan_command
from ckan.tests import factories
from ckan.tests.helpers import call_action

from ckanext.metropole.search import connection, storage

PLUGINS = "metropole_search"
pytestmark = [
    pytest.mark.ckan_config("ckan.plugins", PLUGINS),
    pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index"),
]


def names(**params):
    result = call_action("package_search", **params)
    return sorted(d["name"] for d in result["results"])


def test_ckan_talks_to_postgres_and_never_checks_a_solr(caplog):
    assert isinstance(search_common.make_connection(), connection.PostgresSolr)
    with caplog.at_level(logging.WARNING):
        assert search.check_solr_schema_version() is False
    assert not caplog.records


def test_writes_are_searchable_as_soon_as_the_action_returns():
    dataset = factories.Dataset(name="ds-1", title="Stations de vélos")
    assert names(q="velo") == ["ds-1"]
    call_action("package_patch", id=dataset["id"], title="Parkings relais")
    assert names(q="velo") == []
    assert names(q="parking") == ["ds-1"]
    call_action("package_delete", id=dataset["id"])
    assert names(q="parking") == []


def test_private_datasets_follow_permission_labels(backend):
    member = factories.User()
    outsider = factories.User()
    org = factories.Organization(users=[{"name": member["name"], "capacity": "member"}])
    factories.Dataset(name="secret", owner_org=org["id"], private=True)
    factories.Dataset(name="open", owner_org=org["id"])

    def visible(user):
        ctx = {"user": user["name"], "ignore_auth": False}
        result = call_action("package_search", context=ctx, include_private=True)
        return sorted(d["name"] for d in result["results"]), result["count"]

    assert visible(member) == (["open", "secret"], 2)
    assert visible(outsider) == (["open"], 1)
    assert names() == ["open"]  # the API excludes private datasets by default


def test_package_show_uses_the_index_cache_when_metadata_modified_round_trips():
    dataset = factories.Dataset(title="Original")
    indexed = search.show(dataset["id"])
    assert indexed["metadata_modified"][:22] == dataset["metadata_modified"][:22]
    # Mark the cached copy: package_show must return it, not re-dictize.
    cached = json.loads(indexed["validated_data_dict"])
    cached["title"] = "From the index cache"
    storage.execute(
        f"UPDATE {storage.TABLE} SET stored = jsonb_set(stored, '{{validated_data_dict}}', "
        "to_jsonb(%(v)s::text)) WHERE entity_id = %(id)s",
        {"v": json.dumps(cached), "id": dataset["id"]},
    )
    storage.bump_generation()  # as every write through the backend does
    assert call_action("package_show", id=dataset["id"])["title"] == "From the index cache"


def test_show_of_an_unknown_dataset_is_a_search_error(backend):
    with pytest.raises(search.SearchError):
        search.show("does-not-exist")


def test_autocomplete_matches_substrings_without_accents(backend):
    factories.Dataset(name="qualite-air", title="Qualité de l'air à Aix")
    found = call_action("package_autocomplete", q="ualit")
    assert [d["name"] for d in found] == ["qualite-air"]
    assert [d["name"] for d in call_action("package_autocomplete", q="AIX")] == ["qualite-air"]


def test_temporal_coverage_overlap(backend):
    factories.Dataset(name="y2020", extras=[
        {"key": "temporal_start", "value": "2020-01-01"},
        {"key": "temporal_end", "value": "2020-12-31"}])
    factories.Dataset(name="since2022", extras=[{"key": "temporal_start", "value": "2022-06-01"}])
    factories.Dataset(name="timeless")

    def between(start=None, end=None):
        extras = {k: v for k, v in (("ext_startdate", start), ("ext_enddate", end)) if v}
        return names(extras=extras)

    assert between("2020-06-01", "2020-06-30") == ["y2020"]
    assert between("2021-01-01", "2021-12-31") == []
    assert between("2023-01-01") == ["since2022"]  # open-ended coverage
    assert between(end="2020-01-01") == ["y2020"]  # a bare end date is inclusive
    assert between() == ["since2022", "timeless", "y2020"]
    with pytest.raises(search.SearchError):
        between("not a date")


def test_group_and_organization_counts(backend):
    org = factories.Organization()
    group = factories.Group()
    factories.Dataset(owner_org=org["id"], groups=[{"id": group["id"]}])
    factories.Dataset(owner_org=org["id"])
    assert call_action("organization_show", id=org["id"])["package_count"] == 2
    assert call_action("group_show", id=group["id"])["package_count"] == 1
    listed = call_action("organization_list", all_fields=True)
    assert [o["package_count"] for o in listed] == [2]


def test_search_index_cli_commands(cli):
    dataset = factories.Dataset(name="cli-dataset")
    storage.delete_ids([r[0] for r in storage.execute(
        f"SELECT index_id FROM {storage.TABLE} WHERE entity_id = %(id)s", {"id": dataset["id"]})])
    assert names() == []
    result = cli.invoke(ckan_command, ["search-index", "rebuild", "-q"])
    assert result.exit_code == 0, result.output
    assert names() == ["cli-dataset"]
    result = cli.invoke(ckan_command, ["search-index", "check"])
    assert "Packages not indexed = 0 out of 1" in result.output
    result = cli.invoke(ckan_command, ["search-index", "show", "cli-dataset"])
    assert "cli-dataset" in result.output
    result = cli.invoke(ckan_command, ["search-index", "clear", "cli-dataset"])
    assert result.exit_code == 0 and names() == []
    result = cli.invoke(ckan_command, ["metropole", "search", "rebuild", "-q", "-p", "1"])
    assert result.exit_code == 0, result.output
    assert names() == ["cli-dataset"]


def test_list_and_clear_orphans(cli):
    conn = connection.PostgresSolr()
    factories.Dataset(name="kept")
    from ckan.common import config

    conn.add([{
        "id": "ghost", "index_id": "ghost-index", "site_id": config["ckan.site_id"],
        "name": "ghost", "entity_type": "package", "dataset_type": "dataset",
        "state": "active", "capacity": "public", "permission_labels": ["public"],
        "metadata_modified": "2024-01-01T00:00:00Z", "metadata_created": "2024-01-01T00:00:00Z",
    }])
    result = cli.invoke(ckan_command, ["search-index", "list-orphans"])
    assert "Found 1 orphaned package(s)." in result.output
    cli.invoke(ckan_command, ["search-index", "clear-orphans"])
    assert names() == ["kept"]


def test_harvest_style_delete_by_query_on_harvest_source_id():
    from ckan.common import config

    conn = connection.PostgresSolr()
    doc = {"site_id": config["ckan.site_id"], "entity_type": "package", "state": "active",
           "dataset_type": "dataset", "capacity": "public", "permission_labels": ["public"],
           "metadata_modified": "2024-01-01T00:00:00Z", "metadata_created": "2024-01-01T00:00:00Z"}
    conn.add([dict(doc, id="h1", index_id="h1", name="h1", harvest_source_id="src-a"),
              dict(doc, id="h2", index_id="h2", name="h2", harvest_source_id="src-b")])
    conn.delete(q='+harvest_source_id:"src-a" +site_id:"{}"'.format(config["ckan.site_id"]))
    result = call_action("package_search", fl="id")
    assert result["results"] == [{"id": "h2"}]
