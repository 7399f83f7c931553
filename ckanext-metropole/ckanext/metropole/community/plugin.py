"""The ``metropole_community`` plugin: reuses, innovation calls and data
requests (own tables, see ``model.py``), their actions, pages and signals.

A plugin of its own so that the portal can run without it, and so that its
alembic migrations are its own (``ckanext/metropole/migration/metropole_community``,
where CKAN looks for them: the extension's top folder, by plugin name)."""

from __future__ import annotations

from typing import Any

import ckan.plugins as plugins
import ckan.plugins.toolkit as toolkit

from . import calls, data_requests, empty_searches, feed, reuses, template_helpers, views


@toolkit.blanket.config_declarations
class MetropoleCommunityPlugin(plugins.SingletonPlugin):
    plugins.implements(plugins.IConfigurer)
    plugins.implements(plugins.IActions)
    plugins.implements(plugins.IAuthFunctions)
    plugins.implements(plugins.IBlueprint)
    plugins.implements(plugins.ITemplateHelpers)
    plugins.implements(plugins.IPackageController, inherit=True)

    # IConfigurer
    def update_config(self, config: toolkit.CKANConfig) -> None:
        toolkit.add_template_directory(config, "templates")

    # IActions
    def get_actions(self) -> dict[str, Any]:
        return reuses.actions() | calls.actions() | data_requests.actions()

    # IAuthFunctions
    def get_auth_functions(self) -> dict[str, Any]:
        return (reuses.auth_functions() | calls.auth_functions()
                | data_requests.auth_functions())

    # IBlueprint
    def get_blueprint(self) -> list:
        return [views.community, feed.feeds]

    # ITemplateHelpers
    def get_helpers(self) -> dict[str, Any]:
        return template_helpers.get_helpers()

    # IPackageController: the searches of the dataset page that found nothing.
    def after_dataset_search(self, search_results: dict[str, Any],
                             search_params: dict[str, Any]) -> dict[str, Any]:
        return empty_searches.after_dataset_search(search_results, search_params)
