"""The "use this data" panel of dataset and resource pages: download links,
API URLs filled in for this dataset or resource, and snippets a developer
pastes into a shell or a notebook to get the data.

URLs are absolute, from ``ckan.site_url``, so a snippet works outside the
browser. DataStore URLs appear only for resources in the DataStore. For a
private dataset the snippets send an API token (``CKAN_API_TOKEN``) rather
than pretend anonymous access works.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

import ckan.plugins.toolkit as toolkit

from ..security.urls import safe_url_helper

TOKEN_VARIABLE = "CKAN_API_TOKEN"
SAMPLE_ROWS = 5
# Resources that are web services, not files: curl shows their answer
# instead of saving it under a file name made of their query string.
SERVICE_FORMATS = {"WFS", "WMS", "WMTS", "OGC API FEATURES", "ARCGIS REST", "SENSORTHINGS",
                   "NGSI-LD", "API"}


@dataclass
class ResourceAccess:
    id: str
    name: str
    format: str
    download_url: str
    in_datastore: bool
    datastore_search_url: str = ""
    datastore_search_sql_url: str = ""
    dump_url: str = ""


@dataclass
class Snippet:
    id: str
    label: str
    language: str
    code: str


@dataclass
class UseData:
    private: bool
    token_variable: str
    package_show_url: str
    resources: list[ResourceAccess] = field(default_factory=list)
    snippets: list[Snippet] = field(default_factory=list)


def _site_url() -> str:
    return toolkit.config["ckan.site_url"].rstrip("/")


def resource_access(resource: dict[str, Any], site_url: str) -> ResourceAccess:
    api = f"{site_url}/api/3/action"
    rid = resource["id"]
    access = ResourceAccess(
        id=rid,
        name=resource.get("name") or rid,
        format=(resource.get("format") or "").upper(),
        # Never a javascript: link, nor in the snippets (data stored
        # before the URL validator).
        download_url=safe_url_helper(resource.get("url")),
        in_datastore=bool(resource.get("datastore_active")),
    )
    if access.in_datastore:
        access.datastore_search_url = (
            f"{api}/datastore_search?{urlencode({'resource_id': rid, 'limit': SAMPLE_ROWS})}")
        sql = f'SELECT * FROM "{rid}" LIMIT {SAMPLE_ROWS}'
        access.datastore_search_sql_url = f"{api}/datastore_search_sql?sql={quote(sql)}"
        access.dump_url = f"{site_url}/datastore/dump/{rid}"
    return access


def _main_resource(resources: list[ResourceAccess]) -> ResourceAccess | None:
    """The resource the snippets read: a DataStore table first (every client
    reads it the same way), else a CSV file."""
    for access in resources:
        if access.in_datastore:
            return access
    for access in resources:
        if access.format == "CSV" and access.download_url:
            return access
    return resources[0] if resources else None


def _curl(package_show_url: str, main: ResourceAccess | None, private: bool) -> str:
    auth = f'-H "Authorization: ${TOKEN_VARIABLE}" ' if private else ""
    lines = [f'curl -s {auth}"{package_show_url}"']
    if main and main.in_datastore:
        lines.append(f'curl -s {auth}"{main.datastore_search_url}"')
    elif main and main.download_url and main.format in SERVICE_FORMATS:
        lines.append(f'curl -sL {auth}"{main.download_url}"')
    elif main and main.download_url:
        lines.append(f'curl -sL {auth}-O "{main.download_url}"')
    return "\n".join(lines)


def _ckanapi(site_url: str, name: str, main: ResourceAccess | None, private: bool) -> str:
    lines = []
    if private:
        lines.append("import os")
    lines.append("from ckanapi import RemoteCKAN")
    lines.append("")
    token = f', apikey=os.environ["{TOKEN_VARIABLE}"]' if private else ""
    lines.append(f'portal = RemoteCKAN("{site_url}"{token})')
    lines.append(f'dataset = portal.action.package_show(id="{name}")')
    lines.append('print(dataset["title"])')
    if main and main.in_datastore:
        lines.append(f'records = portal.action.datastore_search(resource_id="{main.id}", '
                     f'limit=100)["records"]')
        lines.append("print(records[:5])")
    return "\n".join(lines)


def _pandas(main: ResourceAccess | None, private: bool) -> str:
    if main is None or not (main.in_datastore or main.format == "CSV"):
        return ""
    url = main.dump_url if main.in_datastore else main.download_url
    if not url:
        return ""
    lines = []
    if private:
        lines.append("import os")
    lines.append("import pandas as pd")
    lines.append("")
    options = (f', storage_options={{"Authorization": os.environ["{TOKEN_VARIABLE}"]}}'
               if private else "")
    lines.append(f'df = pd.read_csv("{url}"{options})')
    lines.append("print(df.head())")
    return "\n".join(lines)


def use_data(pkg: dict[str, Any], resource: dict[str, Any] | None = None) -> UseData:
    """The panel of a dataset page (``resource`` None) or of a resource page."""
    _ = toolkit._
    site_url = _site_url()
    private = bool(pkg.get("private"))
    name = pkg.get("name") or pkg["id"]
    chosen = [resource] if resource else pkg.get("resources") or []
    accesses = [resource_access(r, site_url) for r in chosen if r.get("id")]
    main = _main_resource(accesses)
    panel = UseData(
        private=private,
        token_variable=TOKEN_VARIABLE,
        package_show_url=f"{site_url}/api/3/action/package_show?{urlencode({'id': name})}",
        resources=accesses,
    )
    panel.snippets.append(Snippet("curl", _("Command line (curl)"), "bash",
                                  _curl(panel.package_show_url, main, private)))
    panel.snippets.append(Snippet("ckanapi", _("Python (ckanapi)"), "python",
                                  _ckanapi(site_url, name, main, private)))
    pandas = _pandas(main, private)
    if pandas:
        panel.snippets.append(Snippet("pandas", _("Python (pandas)"), "python", pandas))
    return panel
