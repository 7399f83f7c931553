"""``metropole_theme``: the portal's look (templates, stylesheet, logo, colours
from configuration), its own pages and the harvest source pages' panels.
Listed right after ``metropole`` in ``ckan.plugins`` so its templates win over
ckanext-harvest's and CKAN's.

It also carries the French for CKAN's and its extensions' own strings that
their catalogues leave untranslated ("Skip to main content", ckanext-harvest's
pages...), in a catalogue of its own (``i18n/fr/LC_MESSAGES/
ckanext-metropole-upstream.po``): flask-babel merges every plugin's catalogue
over CKAN's, so these fill the gaps without touching CKAN's files, and
``make i18n-extract`` (which rebuilds the portal's own catalogue from our
sources) never drops them."""

from __future__ import annotations

from typing import Any

import ckan.plugins as plugins
import ckan.plugins.toolkit as toolkit
from ckan.lib.plugins import DefaultTranslation

from . import settings, template_helpers, views


@toolkit.blanket.config_declarations
class MetropoleThemePlugin(plugins.SingletonPlugin, DefaultTranslation):
    plugins.implements(plugins.IConfigurer)
    plugins.implements(plugins.ITranslation)
    plugins.implements(plugins.ITemplateHelpers)
    plugins.implements(plugins.IBlueprint)
    plugins.implements(plugins.IValidators)

    # IConfigurer
    def update_config(self, config: toolkit.CKANConfig) -> None:
        toolkit.add_template_directory(config, "templates")
        toolkit.add_resource("assets", "metropole_theme")

    # ITranslation (directory: this package's i18n/)
    def i18n_domain(self) -> str:
        return "ckanext-metropole-upstream"

    # ITemplateHelpers
    def get_helpers(self) -> dict[str, Any]:
        return template_helpers.get_helpers()

    # IBlueprint
    def get_blueprint(self):
        return [views.pages]

    # IValidators (used by the theme's config declarations)
    def get_validators(self) -> dict[str, Any]:
        return {"metropole_css_colour": settings.css_colour}
