"""``ckan metropole …``: one command group, whose subcommands each plugin
contributes for itself.

CKAN's IClick adds top-level commands only, and a second plugin returning a
group of the same name would replace the first. So every plugin with
commands returns this same group from its IClick and lists its own
subcommands through :class:`IMetropoleCommands`: ``metropole`` (init, worker,
communes, themes, demo…), ``metropole_search`` (``search``) and
``metropole_dcat`` (``dcat``). A plugin that is not enabled adds nothing, and
no plugin changes another's commands.
"""

from __future__ import annotations

import click
from ckan.plugins.interfaces import Interface


class IMetropoleCommands(Interface):
    """Subcommands of ``ckan metropole`` a plugin contributes."""

    def get_metropole_commands(self) -> list[click.Command]:
        return []


class _ContributedCommands(click.Group):
    """A click group listing the enabled plugins' contributions, read when
    the command line is parsed (plugins are loaded by then)."""

    def _contributed(self) -> dict[str, click.Command]:
        from ckan.plugins import PluginImplementations

        return {command.name: command
                for plugin in PluginImplementations(IMetropoleCommands)
                for command in plugin.get_metropole_commands() if command.name}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(self._contributed())

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return self._contributed().get(cmd_name)


metropole = _ContributedCommands("metropole", short_help="Metropole portal commands.",
                                 help="Metropole portal commands.")
