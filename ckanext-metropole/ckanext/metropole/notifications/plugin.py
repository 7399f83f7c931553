"""The ``metropole_notifications`` plugin: follow (subscriptions) and the
notices of changes by email, daily digest or signed webhook.

A plugin of its own so that the portal can run without it and its alembic
migrations are its own (``ckanext/metropole/migration/metropole_notifications``).
It listens to the community's signals (any plugin order) and extends its call
page, so it is listed before metropole_community (deployment/portal.ini)."""

from __future__ import annotations

from typing import Any

import ckan.plugins as plugins
import ckan.plugins.toolkit as toolkit

from metropole_core.interfaces import IScheduledWork

from . import events, periodic, subscriptions, views


@toolkit.blanket.config_declarations
class MetropoleNotificationsPlugin(plugins.SingletonPlugin):
    plugins.implements(plugins.IConfigurer)
    plugins.implements(plugins.IActions)
    plugins.implements(plugins.IAuthFunctions)
    plugins.implements(plugins.IBlueprint)
    plugins.implements(plugins.ISignal)
    plugins.implements(plugins.IPackageController, inherit=True)
    plugins.implements(plugins.IResourceController, inherit=True)
    plugins.implements(IScheduledWork)

    # IConfigurer
    def update_config(self, config: toolkit.CKANConfig) -> None:
        toolkit.add_template_directory(config, "templates")
        events.listen_to_commits()

    # IActions
    def get_actions(self) -> dict[str, Any]:
        return subscriptions.actions()

    # IAuthFunctions
    def get_auth_functions(self) -> dict[str, Any]:
        return subscriptions.auth_functions()

    # IBlueprint
    def get_blueprint(self) -> list:
        return [views.notifications]

    # ISignal
    def get_signal_subscriptions(self) -> dict:
        return events.signal_subscriptions()

    # IPackageController: noted now, notified once committed (events.py).
    def after_dataset_create(self, context: dict, pkg_dict: dict) -> None:
        events.note_dataset(pkg_dict, created=True)

    def after_dataset_update(self, context: dict, pkg_dict: dict) -> None:
        events.note_dataset(pkg_dict)

    # IResourceController
    def after_resource_create(self, context: dict, resource: dict) -> None:
        events.note_resource(resource)

    def after_resource_update(self, context: dict, resource: dict) -> None:
        events.note_resource(resource)

    # IScheduledWork
    def run_scheduled(self, context: dict[str, Any]) -> None:
        periodic.run()
