"""``metropole_theme``: the portal's look (templates, stylesheet, logo, colours
from configuration), its own pages and the harvest source pages' panels.
Listed right after ``metropole`` in ``ckan.plugins`` so its templates win over
ckanext-harvest's and CKAN's."""

from __future__ import annotations

from typing import Any

import ckan.plugins as plugins
import ckan.plugins.toolkit as toolkit

from . import helpers, settings, views


@toolkit.blanket.config_declarations
class MetropoleThemePlugin(plugins.SingletonPlugin):
    plugins.implements(plugins.IConfigurer)
    plugins.implements(plugins.ITemplateHelpers)
    plugins.implements(plugins.IBlueprint)
    plugins.implements(plugins.IValidators)

    # IConfigurer
    def update_config(self, config: toolkit.CKANConfig) -> None:
        toolkit.add_template_directory(config, "templates")
        toolkit.add_resource("assets", "metropole_theme")

    # ITemplateHelpers
    def get_helpers(self) -> dict[str, Any]:
        return helpers.get_helpers()

    # IBlueprint
    def get_blueprint(self):
        return [views.pages]

    # IValidators (used by the theme's config declarations)
    def get_validators(self) -> dict[str, Any]:
        return {"metropole_css_colour": settings.css_colour}
