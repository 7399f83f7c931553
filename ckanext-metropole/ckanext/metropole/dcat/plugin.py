"""``metropole_dcat`` plugin: keeps non-public datasets out of every DCAT and
schema.org export, and adds ``ckan metropole dcat …``.

Enable it after ``dcat`` and ``structured_data``: it chains their actions
and helper.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins as plugins

from .. import command_group
from . import visibility


class MetropoleDCATPlugin(plugins.SingletonPlugin):
    plugins.implements(plugins.IActions)
    plugins.implements(plugins.ITemplateHelpers)
    plugins.implements(plugins.IClick)
    plugins.implements(command_group.IMetropoleCommands)

    # IActions
    def get_actions(self) -> dict[str, Any]:
        return visibility.get_actions()

    # ITemplateHelpers
    def get_helpers(self) -> dict[str, Any]:
        return {"structured_data": visibility.structured_data}

    # IClick: the shared `ckan metropole` group …
    def get_commands(self) -> list:
        return [command_group.metropole]

    # … with `ckan metropole dcat` in it.
    def get_metropole_commands(self) -> list:
        from .cli import dcat

        return [dcat]
