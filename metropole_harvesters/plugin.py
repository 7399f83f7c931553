"""``metropole_harvest_runtime``: the harvesters' part of the portal's runtime
(per-source cron schedules, the demo's sources), offered to the web
extension through :class:`metropole_core.interfaces.IHarvestRuntime`."""

from __future__ import annotations

from typing import Any

import ckan.plugins as plugins

from metropole_core.interfaces import IHarvestRuntime


class HarvestRuntimePlugin(plugins.SingletonPlugin):
    plugins.implements(IHarvestRuntime)

    def run_due_sources(self, context: dict[str, Any]) -> list[str]:
        from .pipeline.schedule import run_due_sources

        return run_due_sources(context)

    def ensure_demo_sources(self, context: dict[str, Any], samples_url: str,
                            owner_org: str) -> list[str]:
        from .demo import ensure_demo_sources

        return ensure_demo_sources(context, samples_url, owner_org=owner_org)
