"""``metropole_dcat`` plugin: keeps non-public datasets out of every DCAT and
schema.org export, and adds ``ckan metropole dcat …``.

Enable it after ``dcat`` and ``structured_data``: it chains their actions
and helper.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins as plugins

from . import visibility


class MetropoleDCATPlugin(plugins.SingletonPlugin):
    plugins.implements(plugins.IActions)
    plugins.implements(plugins.ITemplateHelpers)
    plugins.implements(plugins.IClick)

    # IActions
    def get_actions(self) -> dict[str, Any]:
        return visibility.get_actions()

    # ITemplateHelpers
    def get_helpers(self) -> dict[str, Any]:
        return {"structured_data": visibility.structured_data}

    # IClick
    def get_commands(self) -> list:
        # `dcat` is a subcommand of `ckan metropole` (owned by the metropole
        # plugin's CLI module); attaching it here keeps that module untouched.
        from ..cli import metropole
        from .cli import dcat

        metropole.add_command(dcat)
        return []
