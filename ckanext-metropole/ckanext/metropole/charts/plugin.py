"""The ``metropole_charts`` plugin: a time-series chart view for the sensor
aggregates, and the sensor dashboards ("tableaux de bord").

- view type ``metropole_timeseries``: created by default (``ckan.views.default_views``)
  on every hourly or daily aggregate table the sensor harvester publishes;
  it does not need the DataStore to be filled when the resource is created
  (``requires_datastore`` false), because the harvester creates the resource
  and its table in one ``datastore_create``;
- blueprint ``metropole_dashboards``: ``/tableaux-de-bord`` and one page per
  sensor theme.

Data are read and shaped server side (``chart.py``), with the user's
context: permissions are CKAN's, the accessible table needs no JavaScript,
gaps are computed once in tested Python, and the page makes one request.
Plotly only draws.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins as plugins
import ckan.plugins.toolkit as toolkit

from . import assets, chart, store
from .backfill import VIEW_TYPE


class MetropoleChartsPlugin(plugins.SingletonPlugin):
    plugins.implements(plugins.IConfigurer)
    plugins.implements(plugins.IResourceView)
    plugins.implements(plugins.IBlueprint)
    plugins.implements(plugins.ITemplateHelpers)

    # IConfigurer
    def update_config(self, config: toolkit.CKANConfig) -> None:
        toolkit.add_template_directory(config, "templates")
        assets.register_plotly()
        toolkit.add_resource("assets", "metropole_charts")

    # IResourceView
    def info(self) -> dict[str, Any]:
        return {
            "name": VIEW_TYPE,
            "title": toolkit._("Time series chart"),
            "icon": "chart-line",
            # Stored with the view when it is created, often by a harvest job
            # (no request, no language): French, like the harvested content.
            "default_title": "Graphique",
            "requires_datastore": False,
            "iframed": False,
            "always_available": False,
        }

    def can_view(self, data_dict: dict[str, Any]) -> bool:
        return store.aggregate_table(data_dict["resource"]) is not None

    def setup_template_variables(self, context: dict[str, Any],
                                 data_dict: dict[str, Any]) -> dict[str, Any]:
        package, resource = data_dict["package"], data_dict["resource"]
        tables = store.siblings(package, resource)
        built = None
        if tables and resource.get("datastore_active"):
            try:
                built = chart.build(store.context(), package, tables)
            except toolkit.NotAuthorized:   # e.g. a view embedded for another user
                built = None
        current = store.aggregate_table(resource)
        return {"chart": built, "current_period": current.period if current else "hour"}

    def view_template(self, context: dict[str, Any], data_dict: dict[str, Any]) -> str:
        return "charts/timeseries_view.html"

    def form_template(self, context: dict[str, Any], data_dict: dict[str, Any]) -> str:
        return "charts/timeseries_form.html"

    # IBlueprint
    def get_blueprint(self) -> list:
        from .views import dashboards

        return [dashboards]

    # ITemplateHelpers
    def get_helpers(self) -> dict[str, Any]:
        from . import dashboards, formatting

        return {
            "metropole_chart_caption": formatting.caption,
            "metropole_chart_value": formatting.value,
            "metropole_chart_percent": formatting.percent,
            "metropole_chart_period": formatting.period_label,
            "metropole_chart_number": formatting.number,
            "metropole_local_time": formatting.local_time,
            "metropole_dashboard_themes": dashboards.theme_links,
            "metropole_dataset_charts": formatting.dataset_charts,
        }
