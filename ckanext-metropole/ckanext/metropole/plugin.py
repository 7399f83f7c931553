"""The ``metropole`` CKAN plugin: the portal's own configuration options,
templates and ``ckan metropole …`` commands.

Search lives in its own plugin (``metropole_search``, see ``search/``) so that
it can be enabled alone, e.g. to run CKAN's own test-suite against it.
"""

from __future__ import annotations

import ckan.plugins as plugins
import ckan.plugins.toolkit as toolkit


@toolkit.blanket.config_declarations
class MetropolePlugin(plugins.SingletonPlugin):
    plugins.implements(plugins.IConfigurer)
    plugins.implements(plugins.IClick)

    # IConfigurer
    def update_config(self, config: toolkit.CKANConfig) -> None:
        toolkit.add_template_directory(config, "templates")
        toolkit.add_public_directory(config, "public")

    # IClick
    def get_commands(self) -> list:
        from .cli import metropole

        return [metropole]
