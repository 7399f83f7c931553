"""The ``metropole_loading`` plugin: every tabular resource (CSV, TSV, XLSX,
ODS, XLS; uploaded or linked) is loaded into the DataStore by a job on CKAN's
queue when it is created or updated, with types right for French files and
a data dictionary; the steward follows the load on the resource page.

Why our own loader rather than ckanext-xloader 2.6.0: xloader pins
``chardet==7.6.0`` and ``tabulator==1.53.5`` (unmaintained since 2021) and
needs newer ``urllib3``, ``idna`` and ``certifi`` than CKAN 2.12's lock; its
type guessing reads numbers with ``Decimal(value)`` (no decimal comma, no
thousands spaces, ``01004`` becomes 1004) and dates through dateutil; it
downloads links with a plain ``requests.get`` (no outbound policy); and it
writes into the live table, so a failed load leaves it emptied.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins as plugins
import ckan.plugins.toolkit as toolkit

from . import enqueue, views


@toolkit.blanket.config_declarations
class MetropoleLoadingPlugin(plugins.SingletonPlugin):
    plugins.implements(plugins.IConfigurer)
    plugins.implements(plugins.IResourceController, inherit=True)
    plugins.implements(plugins.IBlueprint)
    plugins.implements(plugins.ITemplateHelpers)

    # IConfigurer
    def update_config(self, config: toolkit.CKANConfig) -> None:
        toolkit.add_template_directory(config, "templates")
        toolkit.add_resource("assets", "metropole_loading")

    # IResourceController
    def after_resource_create(self, context: Any, resource: dict[str, Any]) -> None:
        enqueue.load_if_tabular(resource)

    def before_resource_update(self, context: Any, current: dict[str, Any],
                               resource: dict[str, Any]) -> None:
        # Only a new file, link or format is worth a load: the DataStore's own
        # resource_patch (datastore_active) and edits of the description are not.
        context[enqueue.CHANGED] = enqueue.content_may_change(current, resource)

    def after_resource_update(self, context: Any, resource: dict[str, Any]) -> None:
        if context.pop(enqueue.CHANGED, True):
            enqueue.load_if_tabular(resource)

    # IBlueprint
    def get_blueprint(self) -> list:
        return [views.blueprint]

    # ITemplateHelpers
    def get_helpers(self) -> dict[str, Any]:
        return {"metropole_loading_status": views.status_for_page}
