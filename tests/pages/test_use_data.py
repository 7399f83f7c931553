"""The "use this data" panel: the URLs it prints answer with this dataset's
data, DataStore URLs only where there is a table, and a private dataset
says an API token is needed instead of pretending anonymous access works."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from ..helpers import api, dataset_fields

pytestmark = pytest.mark.usefixtures("catalogue")

ROWS = [{"lieu": "Vieux-Port", "velos": 120}, {"lieu": "Prado", "velos": 80}]


def with_table(**overrides) -> tuple[dict, dict]:
    dataset = api("package_create", **dataset_fields(**overrides))
    table = api("datastore_create", resource={"package_id": dataset["id"], "name": "Comptages",
                                              "format": "CSV"},
                fields=[{"id": "lieu", "type": "text"}, {"id": "velos", "type": "int"}],
                records=ROWS, force=True)
    return api("package_show", id=dataset["id"]), table


def local(url: str, site_url: str) -> str:
    """The path and query of an absolute URL of this portal."""
    assert url.startswith(site_url + "/"), url
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def test_a_datastore_table_gets_its_table_preview(app):
    dataset, table = with_table()
    views = api("resource_view_list", id=table["resource_id"])
    assert "datatables_view" in [view["view_type"] for view in views]


def test_the_panel_urls_answer_with_the_data(app, ckan_config):
    from ckanext.metropole.pages.use_data import use_data

    site_url = ckan_config["ckan.site_url"].rstrip("/")
    dataset, table = with_table()
    panel = use_data(dataset)
    assert not panel.private
    shown = app.get(local(panel.package_show_url, site_url)).json["result"]
    assert shown["id"] == dataset["id"]
    [access] = panel.resources
    assert access.in_datastore and access.id == table["resource_id"]
    records = app.get(local(access.datastore_search_url, site_url)).json["result"]["records"]
    assert [(r["lieu"], r["velos"]) for r in records] == [("Vieux-Port", 120), ("Prado", 80)]
    sql = app.get(local(access.datastore_search_sql_url, site_url)).json["result"]["records"]
    assert len(sql) == 2
    dump = app.get(local(access.dump_url, site_url)).get_data(as_text=True)
    assert "Vieux-Port" in dump and "lieu" in dump.splitlines()[0]
    # The snippets read this resource, with absolute URLs.
    codes = {snippet.id: snippet.code for snippet in panel.snippets}
    assert set(codes) == {"curl", "ckanapi", "pandas"}
    assert f'RemoteCKAN("{site_url}")' in codes["ckanapi"]
    assert f'resource_id="{table["resource_id"]}"' in codes["ckanapi"]
    assert f'pd.read_csv("{site_url}/datastore/dump/{table["resource_id"]}")' in codes["pandas"]


def test_a_file_outside_the_datastore_has_no_datastore_urls(app):
    from ckanext.metropole.pages.use_data import use_data

    dataset = api("package_create", **dataset_fields(resources=[{
        "url": "https://example.org/bancs.csv", "format": "CSV", "name": "Bancs"}]))
    panel = use_data(dataset, dataset["resources"][0])
    [access] = panel.resources
    assert not access.in_datastore and not access.datastore_search_url
    html = app.get(f"/dataset/{dataset['name']}/resource/{access.id}").get_data(as_text=True)
    assert "Utiliser ces données" in html and "datastore_search" not in html
    assert 'pd.read_csv(&#34;https://example.org/bancs.csv&#34;)' in html


def test_a_private_dataset_asks_for_an_api_token(app, admin_with_token):
    dataset, table = with_table(private=True, private_reason="En cours de relecture")
    html = app.get(f"/dataset/{dataset['name']}",
                   headers={"Authorization": admin_with_token["token"]}).get_data(as_text=True)
    assert "Ce jeu de données est privé" in html
    assert "CKAN_API_TOKEN" in html
    assert 'Authorization: $CKAN_API_TOKEN' in html
    assert 'apikey=os.environ[&#34;CKAN_API_TOKEN&#34;]' in html


def test_dataset_and_resource_pages_show_the_panel_in_french(app):
    dataset, table = with_table()
    for path in (f"/dataset/{dataset['name']}",
                 f"/dataset/{dataset['name']}/resource/{table['resource_id']}"):
        html = app.get(path).get_data(as_text=True)
        assert "Utiliser ces données" in html and "Code prêt à copier" in html
        assert f"datastore_search?resource_id={table['resource_id']}" in html
        assert 'data-module="metropole-copy-snippet"' in html
