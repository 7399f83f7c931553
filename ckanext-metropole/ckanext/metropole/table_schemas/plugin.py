"""The ``metropole_table_schemas`` plugin: declared Table Schemas.

Hooks: the declaration fields' validators; validation enqueued when a
dataset's declared resources change; the report, badge and declaration form
(templates, helpers); the ``conforms_table_schema`` index field and facet;
the ingestion API (chained ``datastore_create`` / ``datastore_upsert``); and
``ckan metropole table-schemas``.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

import ckan.plugins as plugins
import ckan.plugins.toolkit as toolkit

from .. import command_group
from . import conformity, field_validators, helpers, ingestion, jobs


@toolkit.blanket.config_declarations
class MetropoleTableSchemasPlugin(plugins.SingletonPlugin):
    plugins.implements(plugins.IConfigurer)
    plugins.implements(plugins.IValidators)
    plugins.implements(plugins.ITemplateHelpers)
    plugins.implements(plugins.IActions)
    plugins.implements(plugins.IFacets, inherit=True)
    plugins.implements(plugins.IPackageController, inherit=True)
    plugins.implements(command_group.IMetropoleCommands)

    def update_config(self, config: toolkit.CKANConfig) -> None:
        toolkit.add_template_directory(config, "templates")

    def get_validators(self) -> dict[str, Any]:
        return field_validators.get_validators()

    def get_helpers(self) -> dict[str, Any]:
        return helpers.get_helpers()

    def get_actions(self) -> dict[str, Any]:
        if not plugins.plugin_loaded("datastore"):
            return {}
        return {"datastore_create": ingestion.datastore_create,
                "datastore_upsert": ingestion.datastore_upsert}

    def get_metropole_commands(self) -> list:
        from .cli import table_schemas

        return [table_schemas]

    # IFacets
    def dataset_facets(self, facets: OrderedDict, package_type: str) -> OrderedDict:
        facets[conformity.INDEX_FIELD] = toolkit._("Data schema")
        return facets

    def organization_facets(self, facets: OrderedDict, organization_type: str,
                            package_type: str) -> OrderedDict:
        return self.dataset_facets(facets, package_type)

    # IPackageController
    def after_dataset_create(self, context: dict, data_dict: dict[str, Any]) -> None:
        self._validate_changed(data_dict)

    def after_dataset_update(self, context: dict, data_dict: dict[str, Any]) -> None:
        self._validate_changed(data_dict)

    @staticmethod
    def _validate_changed(data_dict: dict[str, Any]) -> None:
        if not data_dict.get("id"):
            return
        # The saved dataset: new resources have their ids only there.
        package = toolkit.get_action("package_show")(
            {"ignore_auth": True, "for_view": False}, {"id": data_dict["id"]})
        for resource in package.get("resources", []):
            jobs.after_change(resource)

    def before_dataset_index(self, data_dict: dict[str, Any]) -> dict[str, Any]:
        values = conformity.index_values(data_dict["id"]) if data_dict.get("id") else []
        if values:
            data_dict[conformity.INDEX_FIELD] = values
        return data_dict

    def after_dataset_search(self, search_results: dict[str, Any],
                             search_params: dict[str, Any]) -> dict[str, Any]:
        facet = search_results.get("search_facets", {}).get(conformity.INDEX_FIELD)
        for item in (facet or {}).get("items", []):
            item["display_name"] = conformity.facet_label(item["name"])
        return search_results
