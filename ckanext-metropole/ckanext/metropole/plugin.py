"""The ``metropole`` CKAN plugin: the catalogue's validators, vocabularies,
facets and index fields, its templates and translations, and the
``ckan metropole …`` commands.

Search lives in its own plugin (``metropole_search``, see ``search/``) so that
it can be enabled alone, e.g. to run CKAN's own test-suite against it.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

import ckan.plugins as plugins
import ckan.plugins.toolkit as toolkit
from ckan.lib.plugins import DefaultTranslation

from metropole_core import schema_files

from . import command_group, datastore_views, field_display, indexing, theme_groups, validators

FACET_FIELDS = {"vocab_communes": field_display.commune_title,
                "vocab_themes": field_display.theme_title}


@toolkit.blanket.config_declarations
class MetropolePlugin(plugins.SingletonPlugin, DefaultTranslation):
    plugins.implements(plugins.IConfigurer)
    plugins.implements(plugins.IClick)
    plugins.implements(plugins.IValidators)
    plugins.implements(plugins.ITemplateHelpers)
    plugins.implements(plugins.IFacets, inherit=True)
    plugins.implements(plugins.IPackageController, inherit=True)
    plugins.implements(plugins.ITranslation)
    plugins.implements(plugins.IActions)
    plugins.implements(command_group.IMetropoleCommands)

    # IConfigurer
    def update_config(self, config: toolkit.CKANConfig) -> None:
        toolkit.add_template_directory(config, "templates")
        toolkit.add_public_directory(config, "public")
        toolkit.add_resource("assets", "metropole")
        # The charter's licences, unless an install lists its own (package
        # data: the path depends on where the core is installed).
        if not config.get("licenses_group_url"):
            config["licenses_group_url"] = schema_files.licences_url()

    # IClick: the shared `ckan metropole` group (command_group.py) …
    def get_commands(self) -> list:
        return [command_group.metropole]

    # … and this plugin's subcommands in it.
    def get_metropole_commands(self) -> list:
        from .cli import metropole

        return list(metropole.commands.values())

    # IActions
    def get_actions(self) -> dict[str, Any]:
        # A chained action needs the action it wraps: without the DataStore
        # (e.g. a portal or a test with fewer plugins) there is nothing to add.
        if not plugins.plugin_loaded("datastore"):
            return {}
        return {"datastore_create": datastore_views.datastore_create}

    # IValidators
    def get_validators(self) -> dict[str, Any]:
        return validators.get_validators()

    # ITemplateHelpers
    def get_helpers(self) -> dict[str, Any]:
        return field_display.get_helpers()

    # IFacets
    def dataset_facets(self, facets: OrderedDict, package_type: str) -> OrderedDict:
        return self._with_metropole_facets(facets)

    def organization_facets(self, facets: OrderedDict, organization_type: str,
                            package_type: str) -> OrderedDict:
        return self._with_metropole_facets(facets)

    def group_facets(self, facets: OrderedDict, group_type: str,
                     package_type: str) -> OrderedDict:
        return self._with_metropole_facets(facets)

    @staticmethod
    def _with_metropole_facets(facets: OrderedDict) -> OrderedDict:
        ordered = OrderedDict()
        ordered["vocab_themes"] = toolkit._("Themes")
        ordered["vocab_communes"] = toolkit._("Communes")
        ordered.update(facets)
        return ordered

    # IPackageController
    def before_dataset_index(self, data_dict: dict[str, Any]) -> dict[str, Any]:
        return indexing.enrich(data_dict)

    def after_dataset_create(self, context: dict, data_dict: dict[str, Any]) -> None:
        if "themes" in data_dict and data_dict.get("id"):
            theme_groups.sync(data_dict["id"], data_dict.get("themes"))

    def after_dataset_update(self, context: dict, data_dict: dict[str, Any]) -> None:
        self.after_dataset_create(context, data_dict)

    def after_dataset_search(self, search_results: dict[str, Any],
                             search_params: dict[str, Any]) -> dict[str, Any]:
        for field, title in FACET_FIELDS.items():
            facet = search_results.get("search_facets", {}).get(field)
            if facet:
                for item in facet.get("items", []):
                    item["display_name"] = title(item["name"])
        return search_results
