"""The ``metropole_exports`` plugin.

- blueprint: ``/datastore/export/<resource_id>/<format>`` (views.py), every
  DataStore table as CSV, CSV for Excel in France, JSON, XLSX, Parquet and,
  when it has positions, GeoJSON, filtered like ``datastore_search``;
- IDatastore: how PostgreSQL writes the CSV exports' cells (sql_cells.py),
  only for the exports' own datastore_search calls;
- resource page: links to each export (templates/package/resource_read.html);
- view type ``metropole_table_map``: the map preview of a table with
  positions, drawn by ckanext-geoview's GeoJSON viewer from the GeoJSON
  export (so the map shows what the caller may read, nothing more). Created
  by default with the table (``ckan.views.default_views``), next to the table
  preview ``datatables_view`` (datastore_views.py).
"""

from __future__ import annotations

from typing import Any

import ckan.plugins as plugins
import ckan.plugins.toolkit as toolkit
from ckanext.datastore.interfaces import IDatastore

from . import links, sql_cells

VIEW_TYPE = "metropole_table_map"


class MetropoleExportsPlugin(plugins.SingletonPlugin):
    plugins.implements(plugins.IConfigurer)
    plugins.implements(plugins.IBlueprint)
    plugins.implements(plugins.ITemplateHelpers)
    plugins.implements(plugins.IResourceView)
    plugins.implements(IDatastore, inherit=True)

    # IConfigurer
    def update_config(self, config: toolkit.CKANConfig) -> None:
        toolkit.add_template_directory(config, "templates")

    # IBlueprint
    def get_blueprint(self) -> list:
        from .views import exports

        return [exports]

    # ITemplateHelpers
    def get_helpers(self) -> dict[str, Any]:
        return {"metropole_export_links": links.export_links}

    # IDatastore: CSV cells written by PostgreSQL for the exports only.
    def datastore_search(self, context: dict[str, Any], data_dict: dict[str, Any],
                         fields_types: dict[str, str], query_dict: dict[str, Any]) -> dict:
        return sql_cells.rewrite_select(context, data_dict, fields_types, query_dict)

    # IResourceView
    def info(self) -> dict[str, Any]:
        return {
            "name": VIEW_TYPE,
            "title": toolkit._("Map of the table"),
            "icon": "map-marker",
            # Stored with the view, often without a request: French, like the portal.
            "default_title": "Carte",
            "requires_datastore": True,
            "iframed": True,
            "always_available": False,
        }

    def can_view(self, data_dict: dict[str, Any]) -> bool:
        return links.has_positions(data_dict["resource"])

    def setup_template_variables(
        self, context: dict[str, Any], data_dict: dict[str, Any]
    ) -> dict[str, Any]:
        # ckanext-geoview's viewer loads preload_resource.url: the export.
        data_dict["resource"]["url"] = links.map_data_url(data_dict["resource"]["id"])
        return {}

    def view_template(self, context: dict[str, Any], data_dict: dict[str, Any]) -> str:
        return "dataviewer/geojson.html"

    def form_template(self, context: dict[str, Any], data_dict: dict[str, Any]) -> str:
        return ""  # nothing to set: the map follows the portal's basemap
